"""`pywasi-web run` on components, in a subprocess like a user runs it, against wasmtime's WASI 0.2;
and run()'s timeout stopping a component."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pywasi_web import GuestTimeout, run
from pywasi_web.api.trace import CallLog
from pywasi_web.cli.toolchain import build_c, componentize
from tests.component.build import ROOT, adapted, native
from tests.component.oracle import run_component_oracle


@pytest.mark.parametrize(("guest", "args"), [("hello", ["one", "two"]), ("exitcode", ["7"]), ("trap", [])])
def test_pywasi_web_run_a_component(guest: str, args: list[str], tmp_path: Path) -> None:
    component = adapted(guest)
    expected = run_component_oracle(
        component, {"guest": guest, "argv0": str(component), "args": args, "env": {"A": "1"}}, tmp_path
    )
    completed = subprocess.run(
        [sys.executable, "-m", "pywasi_web.cli.main", "run", "--env", "A=1", str(component), *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert completed.stdout == expected.stdout
    if expected.exit_code == "trap":
        assert completed.returncode == 134  # as wasmtime's CLI reports a trap
        assert completed.stderr.startswith(expected.stderr)
        assert b"pywasi-web: the guest trapped: " in completed.stderr
    else:
        assert (completed.returncode, completed.stderr) == (expected.exit_code, expected.stderr)


def test_a_component_that_never_ends_is_stopped_by_its_timeout() -> None:
    spin = componentize(build_c(ROOT / "playwright" / "guests" / "spin.c"), "spin")
    with pytest.raises(GuestTimeout, match=r"longer than 0\.5 s") as stopped:
        run(spin, capture_output=True, timeout=0.5)
    assert stopped.value.result.stdout == b"spinning\n"  # the output before it was stopped


def test_pywasi_web_run_refuses_a_component_without_wasi_cli_run() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pywasi_web.cli.main", "run", str(native("demo"))],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert (
        completed.stderr
        == b"pywasi-web: error: the component exports no wasi:cli/run: use Program.instantiate()\n"
    )


def test_trace_shows_a_components_host_calls() -> None:
    calls: list[tuple[str, tuple[Any, ...], Any]] = []
    result = run(adapted("hello"), ["x"], capture_output=True, trace=lambda *call: calls.append(call))
    names = [name for name, _args, _result in calls]
    assert "wasi:cli/environment@0.2.12#get-arguments" in names
    arguments = next(result for name, _args, result in calls if name.endswith("#get-arguments"))
    assert arguments == [str(adapted("hello")), "x"]
    writes = [
        args
        for name, args, _result in calls
        if name.endswith("#[method]output-stream.blocking-write-and-flush")
    ]
    assert b"".join(args[1] for args in writes) == result.stdout
    completed = subprocess.run(
        [sys.executable, "-m", "pywasi_web.cli.main", "run", "--trace", str(adapted("hello"))],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert b"wasi:cli/stdout@0.2.12#get-stdout() = " in completed.stderr


def test_a_call_log_records_a_components_host_calls_with_their_time() -> None:
    """The playground traces every run with a CallLog: for a component it hears the WIT calls."""
    log = CallLog()
    result = run(adapted("hello"), ["x"], capture_output=True, trace=log)
    assert result.exit_code == 0
    names = [name for name, _args, _result, _seconds in log.calls]
    assert "wasi:cli/environment@0.2.12#get-arguments" in names
    assert all(seconds >= 0 for *_call, seconds in log.calls)


def test_pywasi_web_run_checks_allow_entries_before_running() -> None:
    """`--allow` grants a component's wasi:sockets and wasi:http (test_httpprobe.py and
    test_sockprobe.py test the grant itself through Program's `allow`, which the flag fills)."""

    def cli(*flags: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "pywasi_web.cli.main", "run", *flags, str(adapted("hello")), "x"]
        return subprocess.run(
            command, capture_output=True, stdin=subprocess.DEVNULL, timeout=120, check=False
        )

    refused = cli("--allow", "nowhere")
    assert refused.returncode == 2 and refused.stdout == b""
    assert refused.stderr.count(b"\n") == 1 and b"'nowhere' is not host:port" in refused.stderr
    granted = cli("--allow", "127.0.0.1:*", "--allow", "http://localhost:8080")
    assert granted.returncode == 0 and b"x" in granted.stdout
