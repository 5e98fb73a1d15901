"""The extreme value of every integer parameter through each of the 46 preview1 calls
(tests/api/check_extremes.c): pywasi_web on CPython against wasmtime's own WASI, line by line
where wasmtime does not trap, and the same files. playwright/test_extremes_browser.py checks that
Chromium gives exactly the lines CPython gives. Both mounts: a MemoryFS, and a HostDir, where the
extremes reach the host's os calls (the kernel's range checks keep them errnos)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.extremes import build_extremes, extremes_case, known_difference, label, run_wasmtime
from tests.test_differential import run_pywasi

ALL_BUT_PROC_RAISE: tuple[str, ...] = ()


@pytest.mark.parametrize("backend", ["memory", "host"])
@pytest.mark.parametrize("calls", [ALL_BUT_PROC_RAISE, ("proc_raise",)], ids=["all-calls", "proc_raise"])
def test_extreme_values_against_wasmtime(tmp_path: Path, calls: tuple[str, ...], backend: str) -> None:
    wasm = build_extremes()
    ours = run_pywasi(wasm, extremes_case(calls=calls), tmp_path / "ours", backend)
    assert ours.exit_code == 0  # the last call: proc_exit(0)
    lines = ours.stdout.decode().splitlines()
    assert lines[0] == "memory past 2 GiB: yes"
    sweeps = lines[1:]
    names = {label(line).split()[0] for line in sweeps}
    assert len(names) == (44 if calls == ALL_BUT_PROC_RAISE else 1)  # with proc_raise and proc_exit: 46
    oracle = run_wasmtime(wasm, lines, tmp_path / "wasmtime", calls)
    assert oracle.tree == ours.tree
    unexplained = []
    for line in sweeps:
        theirs = oracle.lines.get(label(line))
        if theirs is None:
            assert label(line) in oracle.trapped, line
        elif theirs != line and known_difference(line, theirs) is None:
            unexplained.append(f"{line}  (wasmtime: {theirs.rsplit(': ', 1)[1]})")
    assert not unexplained, "\n".join(unexplained)


def test_the_issues_extremes_give_errnos_not_damage(tmp_path: Path) -> None:
    """fd_filestat_set_size(2**64-1) cut a file's last byte in the browser, fd_pwrite/fd_pread at
    2**64-6 wrote or read inside the file, a pointer at 2 GiB arrived negative (EFAULT)."""
    wasm = build_extremes()
    calls = ("fd_filestat_set_size", "fd_pwrite", "fd_pread", "fd_read", "fd_write")
    ours = run_pywasi(wasm, extremes_case(calls=calls), tmp_path, "memory")
    answers = {label(line): line.rsplit(": ", 1)[1].split() for line in ours.stdout.decode().splitlines()}
    untouched = answers["fd_pread fd=4294967295"]  # EBADF: memory and file as reset() left them
    assert untouched[0] == "EBADF"
    assert answers["fd_filestat_set_size size=18446744073709551615"] == ["EINVAL", *untouched[1:]]
    assert answers["fd_pwrite offset=18446744073709551610"][0] in ("EINVAL", "EFBIG")
    assert answers["fd_pwrite offset=18446744073709551610"][1:] == untouched[1:]
    assert answers["fd_pread offset=18446744073709551610"][0] in ("EINVAL", "ok")
    assert answers["fd_pread offset=18446744073709551610"][2] == untouched[2]
    assert answers["fd_pread offset=18446744073709551610"][1] != answers["fd_pread base"][1]  # read nothing
    for call in ("fd_read", "fd_write", "fd_pread", "fd_pwrite"):
        assert answers[f"{call} iovs=2147483648"][0] == "ok"
