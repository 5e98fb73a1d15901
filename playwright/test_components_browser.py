"""Components in Chromium: the component layer over the page's WebAssembly (engines/js_core.py)
runs the same components as on CPython with the same results: native components' typed exports
and host imports, resources and their misuse traps, a composed component; and adapted commands
(stdout, stdin) over the WASI 0.2 host. The CPython side is checked against wasmtime first."""

from __future__ import annotations

import base64
import json
import runpy
from pathlib import Path
from typing import Any

import pytest

from pywasi_web.cli.serve import wheel_index, wheels_dir
from pywasi_web.kernel.waiting import ThreadWaiter
from tests.component.build import adapted, composed, native
from tests.component.oracle import run_component_oracle

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The same file runs inside Pyodide; here it is loaded by path (this directory is not a package).
PROBE = runpy.run_path(str(HERE / "component_probe.py"))


def _in_chromium(browser: Any, server_url: str, components: dict[str, Path], part: str) -> dict[str, Any]:
    wheel = wheel_index()["pywasi_web"]
    assert wheel is not None
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server_url}examples/index.json")
        report = page.evaluate(
            (HERE / "component_boot.js").read_text(),
            [
                base64.b64encode((wheels_dir() / wheel).read_bytes()).decode(),
                {name: base64.b64encode(path.read_bytes()).decode() for name, path in components.items()},
                {
                    "component_probe.py": (HERE / "component_probe.py").read_text(),
                    **{path: (ROOT / path).read_text() for path in PROBE["PROBE_FILES"]},
                },
                part,
            ],
        )
    finally:
        context.close()
    result: dict[str, Any] = json.loads(report)
    return result


def _on_cpython(components: dict[str, Path], part: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        json.dumps(PROBE[part]({name: str(path) for name, path in components.items()}, ThreadWaiter))
    )
    return result


def test_native_components_in_chromium_as_on_cpython(browser: Any, server_url: str) -> None:
    components = {"demo": native("demo"), "res": native("res"), "composed": composed()}
    expected = _on_cpython(components, "natives")
    assert expected["res-traps"][3] == "the guest trapped: handle 3 is a counter, not a blob"
    ours = _in_chromium(browser, server_url, components, "natives")
    for key in expected:
        assert ours[key] == expected[key], key


def test_adapted_commands_in_chromium_as_wasmtime_runs_them(
    browser: Any, server_url: str, tmp_path: Path
) -> None:
    components = {"hello": adapted("hello"), "cat": adapted("cat")}
    expected = _on_cpython(components, "commands")
    oracle = run_component_oracle(
        components["hello"], {"guest": "hello", "args": ["a", "b c"], "env": {"K": "v"}}, tmp_path / "oracle"
    )
    assert expected["hello"] == [oracle.exit_code, oracle.stdout.decode(), oracle.stderr.decode()]
    ours = _in_chromium(browser, server_url, components, "commands")
    assert ours == expected
