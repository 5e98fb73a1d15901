"""Compiled code reused across page loads: a reload takes the code V8 compiled for Pyodide's
WebAssembly from the HTTP cache instead of compiling its 9.6 MB again (web/versioned_fetch.js and
the server's immutable answer to a versioned URL), once the worker has got V8 to write it (after
the first guest, web/code_cache.js: V8 writes a module's code only once it has optimised about
1 MB of it, which a boot from the prepared snapshot and a run do not). Observed through Chromium's
own trace events, never a timing: `v8.wasm.moduleCacheHit` names the module whose compiled code
was taken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import CODE_CACHE_WARMED, persistent_chromium

pytestmark = pytest.mark.browser

WASM_EVENTS = "disabled-by-default-devtools.timeline"  # Blink's v8.wasm.* instants
PYODIDE_WASM = "/vendor/pyodide/pyodide.asm.wasm?v="
RUN_HELLO = """async () => (await window.pywasiRuntime.run("examples/hello.wasm")).exitCode"""


def traced_load(context: Any, page: Any, load: Any, wait_ready: Any) -> list[dict[str, Any]]:
    """The v8.wasm.* trace events of one page load, until its runtime is ready."""
    context.browser.start_tracing(page=page, categories=[WASM_EVENTS])
    load()
    wait_ready(page)
    events = json.loads(context.browser.stop_tracing())["traceEvents"]
    return [event for event in events if str(event.get("name", "")).startswith("v8.wasm.")]


def hits(events: list[dict[str, Any]]) -> list[str]:
    return [event["args"]["url"] for event in events if event["name"] == "v8.wasm.moduleCacheHit"]


def test_a_reload_takes_pyodides_compiled_code_from_the_cache(
    browser: Any, server_url: str, wait_ready: Any, tmp_path: Path
) -> None:
    """In Chromium as a user has it (no V8 flags): the first visit compiles, runs a guest, and
    its worker then warms V8's code cache; the next load takes that code."""
    with persistent_chromium(tmp_path / "profile", browser.browser_type) as context:
        page = context.new_page()
        first = traced_load(context, page, lambda: page.goto(server_url), wait_ready)
        assert not hits(first)  # a fresh profile: compiled, not taken
        assert_compiled_once(page)
        assert page.evaluate(RUN_HELLO) == 0
        page.evaluate(CODE_CACHE_WARMED)
        taken = hits(traced_load(context, page, page.reload, wait_ready))
        assert taken and all(PYODIDE_WASM in url for url in taken), taken
        assert_compiled_once(page)


def assert_compiled_once(page: Any) -> None:
    """The boot fetched Pyodide's WebAssembly once, under its versioned URL, and compiled it
    itself (the `pyodide-compiled` mark), for Pyodide to instantiate: Pyodide's own fetch of it is
    not made."""
    steps = [step[0] for step in page.evaluate("window.pywasiRuntime.info.timeline")]
    fetches = [step for step in steps if "pyodide.asm.wasm" in step]
    assert len(fetches) == 1 and "pyodide-compiled" in steps, steps
