"""Every case in tests/cases.py under wasmtime's WASI (the oracle) and under pywasi_web, once over a
HostDir on a fresh copy of the files and once over a MemoryFS built from them (and a read-only case
once more over a URL mount of those files, served by `pywasi-web serve`'s handler): exit code,
stdout, stderr and the resulting tree must be identical. Where a case documents a deliberate difference
(`differs`, docs/api.md), pywasi_web must give exactly that difference and wasmtime's answer for the
rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywasi_web.vfs.base import FileSystem
from tests.cases import CASES, Case
from tests.guests.build import build_guest
from tests.oracle import (
    TRAP,
    Outcome,
    argv,
    expected_of_ours,
    host_tree,
    materialise,
    memory_entries,
    run_oracle,
    stdin_bytes,
)
from tests.served import served

BACKENDS = ("host", "memory")


def run_pywasi(wasm_path: Path, case: Case, workdir: Path, backend: str) -> Outcome:
    """Run `case` under pywasi_web with its files on a HostDir (backend "host"), a MemoryFS or
    a URL mount of them."""
    if backend != "url":
        return _run_pywasi(wasm_path, case, workdir, backend)
    from pywasi_web.vfs.http_fetch import UrllibFetcher
    from pywasi_web.vfs.manifest import build_manifest
    from pywasi_web.vfs.url import UrlFS

    root = workdir / "site" / "web"
    materialise(case.get("files", {}), root)
    with served(workdir / "site") as base:
        mount = UrlFS(build_manifest(root), base, UrllibFetcher())
        outcome = _run_pywasi(wasm_path, case, workdir, backend, mount)
    assert mount.failures == []
    return Outcome(outcome.exit_code, outcome.stdout, outcome.stderr, host_tree(root))


def _run_pywasi(
    wasm_path: Path, case: Case, workdir: Path, backend: str, given: FileSystem | None = None
) -> Outcome:
    from pywasi_web import GuestTrap, HostDir, MemoryFS, Symlink, run

    read_only = case.get("read_only", False)
    filesystem: FileSystem | None = None
    root = workdir / "root"
    if given is not None:
        filesystem = given
    elif case.get("mount") is not None:
        if backend == "host":
            materialise(case.get("files", {}), root)
            filesystem = HostDir(root, read_only=read_only)
        else:
            entries = {
                path: Symlink(entry[1]) if isinstance(entry, tuple) else entry
                for path, entry in memory_entries(case.get("files", {})).items()
            }
            filesystem = MemoryFS(entries, read_only=read_only)
    try:
        result = run(
            wasm_path,
            case.get("args", []),
            argv0=argv(case)[0],
            env=case.get("env", {}),
            mounts={case["mount"]: filesystem} if filesystem is not None else {},
            stdin=stdin_bytes(case),
            capture_output=True,
            timeout=60,
        )
        code: int | str = result.exit_code
        stdout, stderr = result.stdout, result.stderr
    except GuestTrap as trap:
        code = TRAP
        partial: Any = trap.result  # the output written before the trap
        stdout, stderr = partial.stdout, partial.stderr
    tree = None
    if isinstance(filesystem, MemoryFS):
        tree = {
            path: ("symlink", entry.target) if isinstance(entry, Symlink) else entry
            for path, entry in filesystem.snapshot().items()
        }
    elif isinstance(filesystem, HostDir):
        tree = host_tree(root)
    return Outcome(code, stdout or b"", stderr or b"", tree)


def _lines(data: bytes) -> list[str]:
    """Compared line by line, so pytest's diff points at the exact check that differs."""
    return data.decode(errors="replace").splitlines()


def _params() -> list[Any]:
    return [
        pytest.param(case, backend, id=f"{case['name']}-{backend}")
        for case in CASES
        for backend in (*BACKENDS, "url")
        if case.get("read_only") or backend != "url"
    ]


@pytest.mark.parametrize(("case", "backend"), _params())
def test_same_as_wasmtime(case: Case, backend: str, tmp_path: Path) -> None:
    wasm = build_guest(case["guest"])
    expected = expected_of_ours(case, run_oracle(wasm, case, tmp_path / "oracle"))
    actual = run_pywasi(wasm, case, tmp_path / "ours", backend)
    assert _lines(actual.stdout) == _lines(expected.stdout)
    assert actual.stdout == expected.stdout
    assert _lines(actual.stderr) == _lines(expected.stderr)
    assert actual.exit_code == expected.exit_code
    assert actual.tree == expected.tree
