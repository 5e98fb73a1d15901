"""The extreme-values guest (tests/api/check_extremes.c) in Chromium gives exactly the lines
it gives on CPython: the same errno, memory and file digests for every call and value, pointers
at 2 GiB included (its memory grows past them), and the same files at the end.
tests/api/test_extremes.py compares the CPython lines with wasmtime's own WASI."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from test_differential_browser import RUN_IN_PAGE, _decode_tree, browser_options

from tests.api.extremes import build_extremes, extremes_case
from tests.test_differential import run_pywasi

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("calls", [(), ("proc_raise",)], ids=["all-calls", "proc_raise"])
def test_chromium_gives_the_lines_cpython_gives(page: Any, tmp_path: Path, calls: tuple[str, ...]) -> None:
    wasm = build_extremes()
    case = extremes_case(calls=calls)
    expected = run_pywasi(wasm, case, tmp_path, "memory")
    result = page.evaluate(RUN_IN_PAGE, [base64.b64encode(wasm.read_bytes()).decode(), browser_options(case)])
    assert result["error"] is None
    assert result["exitCode"] == expected.exit_code == 0
    lines = base64.b64decode(result["stdout"]).decode().splitlines()
    assert lines[0] == "memory past 2 GiB: yes"
    assert lines == expected.stdout.decode().splitlines()
    assert [_decode_tree(tree) for tree in result["trees"]] == [expected.tree]
