"""Components in Chromium: the component layer over the page's WebAssembly (engines/js_core.py)
runs the same components as on CPython with the same results: native components' typed exports
and host imports, resources and their misuse traps, a composed component; and adapted commands
(stdout, stdin) over the WASI 0.2 host. The CPython side is checked against wasmtime first. And
writes to stdout and stderr, which the browser answers in JS, answer as wasmtime's and as Python's."""

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
from tests.preview2.test_outprobe import LAST, like_wasmtime, outprobe, wasmtime_outcome

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


# Per outprobe scenario: how many writes reached Python's stdout/stderr stream as the component
# runs in Chromium (the others were answered in JS, engines/gathered_writes.py), and traced
# (every call through Python). 0: all 29 ordinary writes answered in JS; 1-4: the first write in
# JS, the misuse declined to Python, which traps before writing; 5: the write with a misaligned
# result pointer declined, Python writes and then traps; 6: a 64 KiB `write` answered in JS; 7: a
# write past the JS rule's limit (check-write's 16 MiB), declined and written by Python.
REACHED_PYTHON = {0: (0, 29), 1: (0, 1), 2: (0, 1), 3: (0, 1), 4: (0, 1), 5: (1, 2), 6: (0, 2), 7: (1, 2)}


def test_gathered_writes_answered_in_chromium_as_wasmtime_answers_them(
    browser: Any, server_url: str, tmp_path: Path
) -> None:
    wasm = outprobe()
    report = _in_chromium(browser, server_url, {"outprobe": wasm}, "outprobe")
    shown = ("lines", "stdout", "stderr")
    for scenario in PROBE["OUTPROBE_SCENARIOS"]:
        run, traced = report["run"][scenario], report["traced"][scenario]
        assert {key: run[key] for key in shown} == {key: traced[key] for key in shown}, scenario
        expected = wasmtime_outcome(wasm, scenario, tmp_path)
        ours = like_wasmtime(run)
        if scenario == LAST:  # check-write allows each host its own amount
            assert ours["lines"] == expected["lines"]
        else:
            assert ours == expected, scenario
        assert (run["python"], traced["python"]) == REACHED_PYTHON[scenario], scenario
