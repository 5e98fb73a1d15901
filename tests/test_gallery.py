"""The playground's gallery programs (real tools from pinned registry packages, examples/index.json)
run under pywasi_web on CPython exactly as under wasmtime's own WASI: the same exit code, output and
files, with the arguments and files the playground gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywasi_web.cli.serve import example_manifest, gallery_wasm
from tests.oracle import run_oracle
from tests.test_differential import run_pywasi

GALLERY = [example for example in example_manifest() if "package" in example]
# What a user would type into an interactive program's terminal.
STDIN = {"python": "print(6 * 7)\nimport os; print(sorted(os.listdir('/data')))\n"}


def case(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": example["name"],
        "guest": example["name"],
        "args": example.get("args", []),
        "env": example.get("env", {}),
        "stdin": STDIN.get(example["name"], ""),
        "mount": "/",
        "files": {path.lstrip("/"): text for path, text in example.get("files", {}).items()},
    }


@pytest.fixture(scope="module")
def wasm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gallery")


@pytest.mark.parametrize("example", GALLERY, ids=[example["name"] for example in GALLERY])
def test_gallery_program_runs_as_under_wasmtime(
    example: dict[str, Any], wasm_dir: Path, tmp_path: Path
) -> None:
    wasm = wasm_dir / f"{example['name']}.wasm"
    wasm.write_bytes(gallery_wasm(example["package"], log=lambda _message: None))
    expected = run_oracle(wasm, case(example), tmp_path / "oracle", timeout=120)
    got = run_pywasi(wasm, case(example), tmp_path / "pywasi", "memory")
    assert expected.exit_code == 0, expected.stderr.decode(errors="replace")
    assert (got.exit_code, got.stdout, got.stderr) == (expected.exit_code, expected.stdout, expected.stderr)
    assert got.tree == expected.tree
    if "output" in example:  # the file the playground offers for download
        assert got.tree is not None and example["output"].lstrip("/") in got.tree


def test_the_interpreter_evaluates_what_is_typed(wasm_dir: Path, tmp_path: Path) -> None:
    (python,) = [example for example in GALLERY if example["name"] == "python"]
    assert "-i" in python["args"]  # the REPL reads stdin (the terminal) after its script
    wasm = wasm_dir / "python.wasm"
    wasm.write_bytes(gallery_wasm(python["package"], log=lambda _message: None))
    got = run_pywasi(wasm, case(python), tmp_path, "memory")
    assert f"{6 * 7}\n['hello.py', 'squares.txt']\n".encode() in got.stdout
    assert b">>> " in got.stderr  # the prompts
