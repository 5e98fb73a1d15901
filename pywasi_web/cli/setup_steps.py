"""The set-up steps `serve` and `build-site` take (build a wheel, download wheels, compile C), and
how they fail: a SetupError with one line saying which step and why, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from pywasi_web.errors import PywasiError


class SetupError(PywasiError, RuntimeError):
    """A set-up step is missing or failed (a RuntimeError too, as the tests' fixtures expect)."""


def run_step(what: str, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a set-up command; SetupError with `what` and the command's last error line if it fails."""
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise SetupError(f"{what} failed: {error.strerror or error}") from None
    if completed.returncode != 0:
        raise SetupError(f"{what} failed: {last_line(completed.stderr or completed.stdout)}")
    return completed


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
