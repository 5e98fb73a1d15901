"""`pywasi-web` given what a user may give it by mistake: Ctrl-C, bad flags, no compiler, a used
directory. Each ends promptly with one line on stderr and no traceback; run as a subprocess, as a
user runs it, waiting for events (a line of output, the exit), never for a fixed time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pywasi_web.cli.toolchain import build_c
from tests.oracle import run_oracle

ROOT = Path(__file__).resolve().parents[2]
GUESTS = ROOT / "playwright" / "guests"
EXIT_BOUND = 120  # seconds: only a broken build waits this long (then the test fails)


def cli(*args: str, python_flags: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, *python_flags, "-m", "pywasi_web.cli.main", *args]


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cli(*args), capture_output=True, env=environment(), check=False)


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert "Traceback" not in text, text
    assert text.count("\n") == 1 and text.endswith("\n"), text
    return text.strip()


@pytest.mark.parametrize(
    ("guest", "output"), [("spin", b"spinning\n"), ("echo", b"ready\n")], ids=["computing", "waiting"]
)
def test_one_ctrl_c_stops_the_guest(guest: str, output: bytes) -> None:
    """SIGINT once, after the guest's first line: it computes in wasm (spin) or waits for stdin (echo)."""
    process = subprocess.Popen(
        cli("run", str(build_c(GUESTS / f"{guest}.c"))),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == output
        process.send_signal(signal.SIGINT)
        process.wait(timeout=EXIT_BOUND)  # stdin stays open: the waiting guest gets no end of file
        assert process.stderr is not None
        stdout, stderr = process.stdout.read(), process.stderr.read()
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 130
    assert one_line(stderr) == "pywasi-web: interrupted"
    assert stdout == b""


def test_max_memory_matches_wasmtimes_store_limit(tmp_path: Path) -> None:
    """--max-memory: memory.grow fails past it (malloc returns NULL), as under wasmtime's store limit."""
    hog = build_c(GUESTS / "hog.c")
    limit = 32 << 20
    expected = run_oracle(hog, {"name": "hog", "guest": "hog"}, tmp_path, max_memory=limit)
    ours = run_cli("run", "--max-memory", "32M", str(hog))
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, expected.stdout, b"")
    smaller = run_cli("run", "--max-memory", "24M", str(hog))
    assert smaller.returncode == 0 and smaller.stdout != ours.stdout
    # the module's memory starts at 16 MiB: a cap below that cannot be met
    too_small = run_cli("run", "--max-memory", "8M", str(hog))
    assert too_small.returncode == 1
    assert one_line(too_small.stderr).startswith("pywasi-web: error: cannot instantiate: memory minimum size")


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--dir", "a::b::c"], "argument --dir: 'a::b::c' has more than one '::'"),
        (["--dir", "::/x"], "argument --dir: '::/x' names no host directory before '::'"),
        (["--dir", ".::"], "argument --dir: '.::' names no guest path after '::'"),
        (["--dir", "/no/such/dir::/x"], "argument --dir: /no/such/dir is not a directory"),
        (["--env", "=value"], "argument --env: '=value' has no variable name before '='"),
        (["--timeout", "-1"], "argument --timeout: '-1' is not a positive number of seconds"),
        (["--timeout", "nan"], "argument --timeout: 'nan' is not a positive number of seconds"),
        (["--max-memory", "lots"], "argument --max-memory: 'lots' is not a size in bytes"),
    ],
)
def test_bad_flags_are_refused_with_one_line(flags: list[str], complaint: str) -> None:
    completed = run_cli("run", *flags, str(build_c(GUESTS / "hello.c")))
    assert completed.returncode == 2
    line = one_line(completed.stderr)
    assert line.startswith(f"pywasi-web run: error: {complaint}"), line
    assert completed.stdout == b""  # the guest never ran


def test_allow_for_a_core_module_is_refused_saying_what_it_reaches() -> None:
    """--allow grants a component's wasi:sockets and wasi:http; a core module would ignore it."""
    completed = run_cli("run", "--allow", "127.0.0.1:80", str(build_c(GUESTS / "hello.c")))
    assert completed.returncode == 1
    assert one_line(completed.stderr).startswith("pywasi-web: error: allow= is a component's network"), (
        completed
    )
    assert completed.stdout == b""  # the guest never ran


def test_serve_without_a_compiler_says_so(tmp_path: Path) -> None:
    """`python -S` hides site-packages, and with them ziglang, from the CLI; an empty build cache
    makes it compile the examples. (Its subprocesses, such as the wheel build, still see them.)"""
    completed = subprocess.run(
        cli("serve", "--port", "0", python_flags=("-S",)),
        capture_output=True,
        env=environment(PYWASI_WEB_CACHE=str(tmp_path)),
        timeout=EXIT_BOUND * 5,  # may rebuild our wheel first
    )
    assert completed.returncode == 1
    line = one_line(completed.stderr)
    assert line.startswith("pywasi-web: error: cannot compile "), line
    assert "the C compiler (the ziglang package) is not installed" in line


@pytest.mark.parametrize("occupied", ["a file in it", "a file instead"])
def test_build_site_refuses_a_used_path_and_leaves_it_alone(tmp_path: Path, occupied: str) -> None:
    target = tmp_path / "site"
    if occupied == "a file in it":
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    else:
        target.write_text("mine")
    completed = run_cli("build-site", str(target))
    assert completed.returncode == 1
    assert one_line(completed.stderr) == (
        f"pywasi-web: error: {target} is not an empty directory: build-site writes into an empty or new one"
    )
    assert (target / "keep.txt" if target.is_dir() else target).read_text() == "mine"
    assert [path.name for path in tmp_path.iterdir()] == ["site"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("data", "--url-mount 'data': give NAME=DIR"),
        (
            "../up={tree}",
            "URL mount name '../up': letters, digits, '.', '_', '-', from a letter or digit, not *.json",
        ),
        ("data={tree}/nowhere", "URL mount 'data': {tree}/nowhere is not a directory"),
        (
            "a.json={tree}",
            "URL mount name 'a.json': letters, digits, '.', '_', '-', from a letter or digit, not *.json",
        ),
    ],
)
def test_build_site_refuses_a_bad_url_mount_before_writing(tmp_path: Path, option: str, message: str) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    target = tmp_path / "site"
    completed = run_cli("build-site", str(target), "--url-mount", option.format(tree=tree))
    assert completed.returncode == 1
    assert one_line(completed.stderr) == f"pywasi-web: error: {message.format(tree=tree)}"
    assert not target.exists()


def test_build_site_refuses_a_url_mount_named_twice(tmp_path: Path) -> None:
    args = ["--url-mount", f"a={tmp_path}", "--url-mount", f"a={tmp_path}"]
    completed = run_cli("build-site", str(tmp_path / "site"), *args)
    assert one_line(completed.stderr) == "pywasi-web: error: --url-mount 'a' is given twice"
