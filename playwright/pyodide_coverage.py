"""Line coverage of pywasi_web measured inside Pyodide, so `make test`'s gate sees the browser code.

engines/js*.py and browser/ run only in Pyodide, where pytest-cov (which measures the CPython
process) never looks. When pytest runs with --cov, the test server (`measuring_server`) names
coverage's pure-Python wheel and this module in its wheels/index.json; the worker (web/worker.js)
and the in-Pyodide suites (pyodide_suite.py) then install both, `start()` measuring the packages
--cov names (coverage's sys.monitoring core: Pyodide has no C tracer), and POST `dumps()` back to
/coverage/<id>. The server keeps each as `.coverage.pyodide-<id>` beside pytest-cov's data, which
pytest-cov combines at the end ([tool.coverage.paths] maps Pyodide's site-packages onto the
checkout). Without --cov the index names nothing and no page loads any of this: the wheel users
get has no coverage code.

The same file is the collector inside Pyodide (`start`, `dumps`) and the server side on CPython.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import pkgutil
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

COLLECTOR = "pyodide_coverage.py"
DATA_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

_measuring: list[Any] = []  # inside Pyodide: the running coverage.Coverage


def start(packages: list[str]) -> None:
    """Inside Pyodide: measure the lines of the installed `packages` (pytest-cov's --cov) from now on.

    Then import their modules, as the worker does at boot (its PRELOAD, before the memory snapshot
    and so before any measuring there): in a fresh interpreter that import is measured, so the
    module-level lines of Pyodide-only modules count; modules needing CPython are left out."""
    import coverage

    measuring = coverage.Coverage(data_file=None, source_pkgs=packages, config_file=False)
    measuring.start()
    _measuring.append(measuring)
    for package in packages:
        path = getattr(importlib.import_module(package), "__path__", [])  # a module: itself only
        for module in pkgutil.walk_packages(path, f"{package}."):
            with contextlib.suppress(ImportError, OSError):  # CPython-only: wasmtime, host sockets
                importlib.import_module(module.name)


def dumps() -> bytes:
    """Inside Pyodide: everything measured so far, as coverage's serialized data."""
    data: bytes = _measuring[0].get_data().dumps()
    return data


def coverage_wheel() -> Path:
    """coverage's pure-Python wheel at the version pytest-cov uses here (so both read one format),
    fetched with pip once, beside pytest's wheels for Pyodide."""
    from pyodide_suite import TEST_WHEELS

    from pywasi_web.cli.wheels import normalize, pyodide_wheels

    pin = f"coverage=={importlib.metadata.version('coverage')}"
    return pyodide_wheels([pin], TEST_WHEELS, log=lambda _message: None)[normalize("coverage")]


def measuring_server(data_file: Path, packages: list[str]) -> Any:
    """The playground's request handler, plus what a measured page needs: the coverage wheel and
    this collector under /wheels/, named in wheels/index.json with the `packages` to measure, and
    POST /coverage/<id> saving a page's data as `<data_file>.pyodide-<id>` (the whole of it each
    time: the latest wins)."""
    from coverage import CoverageData

    from pywasi_web.cli.serve import PlaygroundHandler

    wheel = coverage_wheel()
    extra = {f"/wheels/{wheel.name}": wheel, f"/wheels/{COLLECTOR}": Path(__file__)}
    for stale in data_file.parent.glob(f"{data_file.name}.pyodide-*"):
        stale.unlink()

    class MeasuringHandler(PlaygroundHandler):
        def wheels(self) -> dict[str, object]:
            named = {"wheel": wheel.name, "collector": COLLECTOR, "packages": packages}
            return {**super().wheels(), "coverage": named}

        def _resolve(self, path: str) -> Path | None:
            return extra.get(path) or super()._resolve(path)

        def do_POST(self) -> None:
            name = self.path.removeprefix("/coverage/")
            if not self.path.startswith("/coverage/") or not DATA_ID.fullmatch(name):
                return self._send_error(HTTPStatus.NOT_FOUND)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target = data_file.with_name(f"{data_file.name}.pyodide-{name}")
            target.unlink(missing_ok=True)
            CoverageData(basename=str(target)).loads(body)
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()

    return MeasuringHandler

