"""The guests and cases validated on their own, under wasmtime's WASI only (no pywasi_web import):
a differential mismatch must mean the two hosts differ, never that a guest's own setup failed or
that it printed something nondeterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cases import CASES, Case
from tests.guests.build import GUESTS_DIR, build_guest, guest_names
from tests.oracle import TRAP, run_oracle


def test_cases_are_plain_data() -> None:
    """The browser tests load the same list: JSON round-trips it unchanged, names are unique."""
    assert json.loads(json.dumps(CASES)) == CASES
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert (GUESTS_DIR / f"{case['guest']}.c").exists(), case["name"]
        assert set(case) <= {
            "name",
            "guest",
            "args",
            "argv0",
            "env",
            "stdin",
            "mount",
            "files",
            "read_only",
            "differs",
        }, case["name"]


def test_every_guest_is_used() -> None:
    assert set(guest_names()) == {case["guest"] for case in CASES}


def test_every_preview1_function_is_called() -> None:
    """The check guests together reach all 46 wasi_snapshot_preview1 functions."""
    sources = "\n".join(path.read_text() for path in GUESTS_DIR.glob("*.[ch]"))
    functions = [
        "args_get",
        "args_sizes_get",
        "environ_get",
        "environ_sizes_get",
        "clock_res_get",
        "clock_time_get",
        "fd_advise",
        "fd_allocate",
        "fd_close",
        "fd_datasync",
        "fd_fdstat_get",
        "fd_fdstat_set_flags",
        "fd_fdstat_set_rights",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_pread",
        "fd_prestat_get",
        "fd_prestat_dir_name",
        "fd_pwrite",
        "fd_read",
        "fd_readdir",
        "fd_renumber",
        "fd_seek",
        "fd_sync",
        "fd_tell",
        "fd_write",
        "path_create_directory",
        "path_filestat_get",
        "path_filestat_set_times",
        "path_link",
        "path_open",
        "path_readlink",
        "path_remove_directory",
        "path_rename",
        "path_symlink",
        "path_unlink_file",
        "poll_oneoff",
        "proc_exit",
        "random_get",
        "sched_yield",
        "sock_accept",
        "sock_recv",
        "sock_send",
        "sock_shutdown",
    ]
    assert len(functions) == 45  # + proc_raise, called through its raw import
    missing = [name for name in functions if f"__wasi_{name}(" not in sources]
    assert not missing
    assert '__import_name__("proc_raise")' in sources


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_guest_runs_cleanly_under_oracle(case: Case, tmp_path: Path) -> None:
    wasm = build_guest(case["guest"])
    first = run_oracle(wasm, case, tmp_path / "first")
    stdout = first.stdout.decode(errors="replace")
    assert "HARNESS FAIL" not in stdout, stdout
    if case["guest"].startswith("check_"):
        last_line = stdout.splitlines()[-1] if stdout else ""
        if case.get("differs"):
            # wasmtime ends the guest at the call under test, or lets it finish
            assert first.exit_code == TRAP or last_line.startswith("done ("), stdout
        else:
            assert last_line.startswith("done ("), stdout
    # deterministic: a second run prints and leaves exactly the same
    second = run_oracle(wasm, case, tmp_path / "second")
    assert (second.exit_code, second.stdout, second.stderr, second.tree) == (
        first.exit_code,
        first.stdout,
        first.stderr,
        first.tree,
    )
