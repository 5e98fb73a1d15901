"""The answers preview1 publishes about descriptors (preview1/fast_paths.py Described), given in
Chromium by js_bridge.js without entering Python, are exactly Python's: tests/guests/reopen.c, with
the calls wasmtime answers otherwise ("ours": dropped rights, pointers outside memory), run with
the fast paths on and off (`trace: true` turns them off), and on CPython, where every call is
Python's. Its calls shared with wasmtime are in the differential cases (tests/cases.py reopen-*)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from test_differential_browser import RUN_IN_PAGE, browser_options

from tests.cases import CASES
from tests.guests.build import build_guest
from tests.test_differential import run_pywasi

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("mount", ["/sandbox", "."])
def test_fast_paths_answer_as_python(page: Any, mount: str, tmp_path: Path) -> None:
    (case,) = [case for case in CASES if case["guest"] == "reopen" and case["mount"] == mount]
    case = {**case, "args": [mount, "ours"]}
    wasm = build_guest("reopen")
    encoded = base64.b64encode(wasm.read_bytes()).decode()
    fast = page.evaluate(RUN_IN_PAGE, [encoded, browser_options(case)])
    slow = page.evaluate(RUN_IN_PAGE, [encoded, {**browser_options(case), "trace": True}])
    cpython = run_pywasi(wasm, case, tmp_path, "memory")
    assert fast["error"] is None and fast["exitCode"] == 0, fast
    stdout = base64.b64decode(fast["stdout"])
    assert stdout == base64.b64decode(slow["stdout"]) == cpython.stdout
    assert b"EFAULT" in stdout and b"ENOTCAPABLE" in stdout  # the cases wasmtime answers otherwise ran
    assert fast["trees"] == slow["trees"]
    assert (fast["exitCode"], slow["exitCode"]) == (0, cpython.exit_code)
