"""Pinned pure-Python wheels for Pyodide's Python, downloaded once into a cache directory.

The playground (micropip), the JupyterLite site (its kernel's packages) and the tests that run
pytest inside Pyodide all need the same thing: a wheel file per `name==version` pin, for
Python 3.14 / any platform, fetched with pip from the configured index the first time only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from pywasi_web.cli.setup_steps import SetupError, run_step

PYODIDE_PYTHON = "3.14"  # the Python of the pinned Pyodide (314.0.7)


def normalize(name: str) -> str:
    """A distribution name as packaging compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def name_version(wheel: Path) -> tuple[str, str]:
    name, version = wheel.name.split("-")[:2]
    return name, version


def pyodide_wheels(pins: list[str], cache: Path, *, log: Callable[[str], object] = print) -> dict[str, Path]:
    """The wheel for each `name==version` pin (keyed by normalized name), downloaded once into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    found, missing = _cached(pins, cache)
    if missing:
        log(f"downloading {len(missing)} pinned wheel(s): {' '.join(missing)}")
        run_step(
            f"downloading {' '.join(missing)}",
            [
                *(sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"),
                *("--python-version", PYODIDE_PYTHON, "--implementation", "py", "--abi", "none"),
                *("--platform", "any", "-d", str(cache), *missing),
            ],
        )
        found, missing = _cached(pins, cache)
        if missing:
            raise SetupError(f"pip download gave no wheel for {' '.join(missing)}")
    return found


def _cached(pins: list[str], cache: Path) -> tuple[dict[str, Path], list[str]]:
    found: dict[str, Path] = {}
    missing = []
    for pin in pins:
        name, version = pin.split("==")
        for wheel in cache.glob("*.whl"):
            if normalize(name_version(wheel)[0]) == normalize(name) and name_version(wheel)[1] == version:
                found[normalize(name)] = wheel
                break
        else:
            missing.append(pin)
    return found, missing
