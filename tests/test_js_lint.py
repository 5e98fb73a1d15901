"""The JavaScript the project ships passes ESLint (eslint.config.js; pinned in package.json's
devDependencies, installed by `npm ci`): the browser engine's bridge in pywasi_web/engines, the
persistent stores in pywasi_web/browser, and everything in web/: the JS API, its worker, the playground."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ESLINT = ROOT / "node_modules" / ".bin" / "eslint"
# eslint expands the glob
LINTED = ["eslint.config.js", "web/*.js", "pywasi_web/engines", "pywasi_web/browser"]


def test_javascript_passes_eslint() -> None:
    if not ESLINT.exists():
        pytest.fail("ESLint is not installed: run the README's test command (make test), which runs npm ci")
    checked = subprocess.run([ESLINT, *LINTED], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
