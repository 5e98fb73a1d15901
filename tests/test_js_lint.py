"""The JavaScript the project ships passes ESLint (eslint.config.js; pinned in package.json's
devDependencies, installed by `npm ci`): the browser engine's bridge and the persistent stores in
pywasi_web/engines, the JS API and its worker in web/."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ESLINT = ROOT / "node_modules" / ".bin" / "eslint"
LINTED = ["eslint.config.js", "web/pywasi.js", "web/worker.js", "pywasi_web/engines"]


def test_javascript_passes_eslint() -> None:
    if not ESLINT.exists():
        pytest.fail("ESLint is not installed: run the README's test command (make test), which runs npm ci")
    checked = subprocess.run([ESLINT, *LINTED], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
