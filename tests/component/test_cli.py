"""`pywasi-web run` on components, in a subprocess like a user runs it, against wasmtime's WASI 0.2;
and run()'s timeout stopping a component."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pywasi_web import GuestTimeout, run
from pywasi_web.cli.toolchain import build_c
from tests.component.build import ROOT, adapt, adapted
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
    spin = adapt(build_c(ROOT / "playwright" / "guests" / "spin.c"), "spin")
    with pytest.raises(GuestTimeout, match=r"longer than 0\.5 s") as stopped:
        run(spin, capture_output=True, timeout=0.5)
    assert stopped.value.result.stdout == b"spinning\n"  # the output before it was stopped
