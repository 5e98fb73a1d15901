"""Run pytest files inside a fresh Pyodide in Chromium, with our wheel installed.

The kernel and vfs are plain Python, and the engine boundary's tests use only the public API, so
the same pytest files that run on CPython run unchanged on Pyodide's Python 3.14 (its file system,
the browser's WebAssembly engine). pytest and its dependencies are pure-Python wheels, fetched once
into build/pyodide-test-wheels at the versions installed here. Under --cov the run is measured too
(pyodide_coverage.py).
"""

from __future__ import annotations

import base64
import importlib.metadata
from pathlib import Path
from typing import Any

from pywasi_web.cli.serve import wheel_index, wheels_dir
from pywasi_web.cli.wheels import pyodide_wheels

ROOT = Path(__file__).resolve().parents[1]
TEST_WHEELS = ROOT / "build" / "pyodide-test-wheels"
PYTEST_DISTRIBUTIONS = ["pytest", "pluggy", "iniconfig", "packaging", "pygments"]

RUN_PYTEST = """async ([wheels, files, suites]) => {
    const { loadPyodide } = await import("/vendor/pyodide/pyodide.mjs");
    const pyodide = await loadPyodide({ indexURL: "/vendor/pyodide/" });
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    wheels.forEach((wheel, index) => pyodide.FS.writeFile(`/tmp/wheel-${index}.whl`, bytes(wheel)));
    pyodide.FS.mkdirTree("/home/pyodide/suite");
    for (const [path, text] of Object.entries(files)) {
        pyodide.FS.mkdirTree(`/home/pyodide/suite/${path.split("/").slice(0, -1).join("/")}`);
        pyodide.FS.writeFile(`/home/pyodide/suite/${path}`, text);
    }
    // under the measuring server (pyodide_coverage.py), measured: coverage's wheel and collector too
    const measured = (await (await fetch("/wheels/index.json")).json()).coverage;
    if (measured) {
        const wheel = await (await fetch(`/wheels/${measured.wheel}`)).arrayBuffer();
        pyodide.FS.writeFile(`/tmp/wheel-${wheels.length}.whl`, new Uint8Array(wheel));
        const collector = await (await fetch(`/wheels/${measured.collector}`)).text();
        pyodide.FS.writeFile(`/home/pyodide/suite/${measured.collector}`, collector);
    }
    pyodide.globals.set("suites", pyodide.toPy(suites));
    const [code, report, data] = pyodide.runPython(`
import contextlib, io, os, site, sys, zipfile
for index in range(${wheels.length + (measured ? 1 : 0)}):
    with zipfile.ZipFile(f"/tmp/wheel-{index}.whl") as wheel:
        wheel.extractall(site.getsitepackages()[0])
os.chdir("/home/pyodide/suite")
sys.path.insert(0, "/home/pyodide/suite")
measured = ${measured ? "True" : "False"}
if measured:
    import pyodide_coverage
    pyodide_coverage.start(${JSON.stringify(measured?.packages ?? [])})
import pytest
report = io.StringIO()
with contextlib.redirect_stdout(report):
    code = pytest.main(["-q", "-p", "no:cacheprovider", *suites])
[int(code), report.getvalue(), pyodide_coverage.dumps() if measured else b""]
`).toJs();
    if (measured) {
        const id = `suite-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        await fetch(`/coverage/${id}`, { method: "POST", body: data });
    }
    return [code, report];
}"""


def _test_wheels() -> list[Path]:
    """pytest and what it needs, as wheels for Pyodide's Python, at the versions installed here."""
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in PYTEST_DISTRIBUTIONS]
    return list(pyodide_wheels(pins, TEST_WHEELS, log=lambda _message: None).values())


def run_suites(browser: Any, server_url: str, files: dict[str, str], suites: list[str]) -> str:
    """Run `suites` (paths among `files`: {path: text}) with pytest in Pyodide; assert every test
    passed, none skipped, and return pytest's report."""
    ours = wheel_index()["pywasi_web"]
    assert ours is not None
    wheels = [wheels_dir() / ours, *_test_wheels()]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server_url}examples/index.json")
        code, report = page.evaluate(
            RUN_PYTEST, [[base64.b64encode(path.read_bytes()).decode() for path in wheels], files, suites]
        )
    finally:
        context.close()
    summary = report.strip().splitlines()[-1] if report.strip() else ""
    assert code == 0, report
    assert " passed" in summary and "failed" not in summary and "skipped" not in summary, report
    return str(report)
