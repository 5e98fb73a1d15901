"""The kernel's own test suites (escape routes, file semantics) run inside Pyodide in Chromium.

The kernel and vfs are plain Python, so the same pytest files that check them on CPython run
unchanged on Pyodide's Python 3.14 and its file system (HostDir over MEMFS): issue 7 asks for
every escape route on both file systems in the browser too (see pyodide_suite.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from pyodide_suite import ROOT, run_suites

pytestmark = pytest.mark.browser

SUITES = ["tests/security/test_escapes.py", "tests/unit/test_kernel_files.py"]
SUITES += ["tests/unit/test_edge_semantics.py"]
SUPPORT = ["tests/__init__.py", "tests/unit/__init__.py", "tests/unit/conftest.py", "tests/unit/helpers.py"]
SUPPORT += ["tests/security/__init__.py"]


def test_kernel_suites_pass_inside_pyodide(browser: Any, server_url: str) -> None:
    run_suites(browser, server_url, {path: (ROOT / path).read_text() for path in SUPPORT + SUITES}, SUITES)
