"""The shared differential cases with each guest made a component (the preview1 adapter), run in
Chromium through the page's JS runtime (rt.run: the worker's pywasi_web.run, so the component
layer and the WASI 0.2 host in Pyodide) and compared with wasmtime's own WASI 0.2 on CPython."""

from __future__ import annotations

import base64
import runpy
from pathlib import Path
from typing import Any

import pytest

from tests.cases import CASES, Case
from tests.component.build import adapted
from tests.component.oracle import run_component_oracle
from tests.component.test_adapted import UNSTABLE
from tests.oracle import TRAP

pytestmark = pytest.mark.browser

# The page-side script and the option and tree codecs are the core-module browser test's (loaded
# by path: this directory is not a package, and its name is the playwright library's).
_CORE = runpy.run_path(str(Path(__file__).with_name("test_differential_browser.py")))
RUN_IN_PAGE, browser_options, decode_tree = (
    _CORE["RUN_IN_PAGE"],
    _CORE["browser_options"],
    _CORE["_decode_tree"],
)


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=case["name"]) for case in CASES if not case.get("differs")],
)
def test_component_in_browser_matches_wasmtime(page: Any, case: Case, tmp_path: Path) -> None:
    wasm = adapted(case["guest"])
    expected = run_component_oracle(wasm, case, tmp_path)
    result = page.evaluate(RUN_IN_PAGE, [base64.b64encode(wasm.read_bytes()).decode(), browser_options(case)])
    error = result["error"]
    assert error is None or error["kind"] == "trap", error
    stdout = UNSTABLE.sub(rb"\1<mtime>", base64.b64decode(result["stdout"]))
    assert stdout.decode(errors="replace").splitlines() == (
        UNSTABLE.sub(rb"\1<mtime>", expected.stdout).decode(errors="replace").splitlines()
    )
    assert base64.b64decode(result["stderr"]) == expected.stderr
    assert (TRAP if error else result["exitCode"]) == expected.exit_code
    trees = [decode_tree(tree) for tree in result["trees"]]
    assert trees == ([expected.tree] if expected.tree is not None else [])
