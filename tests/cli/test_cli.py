"""`pywasi-web run` against wasmtime's own WASI (wasmtime-py's WasiConfig) on the same guest,
arguments, environment, directory and stdin: same stdout, stderr, exit code and files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from pywasi_web.cli.toolchain import build_c

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def tool() -> Path:
    return build_c(HERE / "tool.c")


def reference(
    wasm: Path, args: list[str], env: dict[str, str], directory: Path, stdin: bytes
) -> tuple[int, bytes, bytes]:
    """What wasmtime's WASI does with these inputs; argv[0] is the module path, as `wasmtime run` sets it."""
    (directory.parent / "stdin").write_bytes(stdin)
    config = wasmtime.WasiConfig()
    config.argv = [str(wasm), *args]
    config.env = list(env.items())
    config.preopen_dir(str(directory), "/work")
    config.stdin_file = str(directory.parent / "stdin")
    config.stdout_file = str(directory.parent / "stdout")
    config.stderr_file = str(directory.parent / "stderr")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(wasm)))
    try:
        instance.exports(store)["_start"](store)
        code = 0
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code
    return code, (directory.parent / "stdout").read_bytes(), (directory.parent / "stderr").read_bytes()


def tree(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.mark.parametrize("exit_code", ["0", "7"])
def test_cli_matches_wasmtime(tool: Path, tmp_path: Path, exit_code: str) -> None:
    stdin = b"line one\nline two\n"
    theirs_dir, ours_dir = tmp_path / "theirs" / "work", tmp_path / "ours" / "work"
    for directory in (theirs_dir, ours_dir):
        directory.mkdir(parents=True)
        (directory / "existing.txt").write_bytes(b"already here")
    code, stdout, stderr = reference(tool, [exit_code, "two words"], {"GREETING": "hi"}, theirs_dir, stdin)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pywasi_web.cli.main",
            "run",
            "--dir",
            f"{ours_dir}::/work",
            "--env",
            "GREETING=hi",
            str(tool),
            exit_code,
            "two words",
        ],
        input=stdin,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(HERE.parents[1])},
        check=False,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (code, stdout, stderr)
    assert tree(ours_dir) == tree(theirs_dir)


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\x00\x00\x00\x05")
    completed = subprocess.run(
        [sys.executable, "-m", "pywasi_web.cli.main", "run", str(bad)], capture_output=True, check=False
    )
    assert completed.returncode == 1
    assert completed.stderr.decode().count("\n") == 1
    assert "invalid WebAssembly module" in completed.stderr.decode()
    assert "Traceback" not in completed.stderr.decode()


def test_run_without_a_module_names_only_the_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pywasi_web.cli.main", "run"], capture_output=True, check=False
    )
    assert completed.returncode == 2
    assert (
        completed.stderr.decode()
        .splitlines()[-1]
        .endswith("the following arguments are required: MODULE.wasm")
    )


@pytest.mark.parametrize("host_value", ["from the host", None], ids=["set-on-the-host", "unset-on-the-host"])
def test_env_name_alone_passes_the_host_value_as_wasmtime_does(
    tool: Path, tmp_path: Path, host_value: str | None
) -> None:
    """`--env NAME` gives the guest this process's NAME; if the process has none, neither has the guest."""
    theirs_dir, ours_dir = tmp_path / "theirs", tmp_path / "ours"
    theirs_dir.mkdir()
    ours_dir.mkdir()
    inherited = {} if host_value is None else {"GREETING": host_value}
    expected = reference(tool, ["0"], inherited, theirs_dir, b"")
    host_env = {name: value for name, value in os.environ.items() if name != "GREETING"}
    command = ["run", "--dir", f"{ours_dir}::/work", "--env", "GREETING", str(tool), "0"]
    completed = subprocess.run(
        [sys.executable, "-m", "pywasi_web.cli.main", *command],
        capture_output=True,
        env={**host_env, **inherited, "PYTHONPATH": str(HERE.parents[1])},
        check=False,
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == expected
