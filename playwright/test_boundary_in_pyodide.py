"""The engine boundary's tests run inside Pyodide in Chromium, on the browser's WebAssembly
engine: extra imports and exports of every core value type, i64 results as plain ints, duplicate
imports, WASI parameters with their WASI types (tests/api/test_boundary.py), and modules whose
types the import reader must read over (tests/api/test_module_reading.py) give exactly what they
give on CPython with wasmtime. The test modules come assembled (no wasmtime in Pyodide)."""

from __future__ import annotations

from typing import Any

import pytest
from pyodide_suite import ROOT, run_suites

from tests.api.boundary_modules import ASSEMBLED, assembled_json

pytestmark = pytest.mark.browser

SUITES = ["tests/api/test_boundary.py", "tests/api/test_module_reading.py"]
SUPPORT = ["tests/__init__.py", "tests/api/__init__.py", "tests/api/boundary_modules.py"]


def test_boundary_suites_pass_inside_pyodide(browser: Any, server_url: str) -> None:
    files = {path: (ROOT / path).read_text() for path in SUPPORT + SUITES}
    files[str(ASSEMBLED.relative_to(ROOT))] = assembled_json()
    run_suites(browser, server_url, files, SUITES)
