"""Compiled code reused across page loads: a reload takes the code V8 compiled for Pyodide's
WebAssembly from the HTTP cache instead of compiling its 9.6 MB again (web/versioned_fetch.js and
the server's immutable answer to a versioned URL). Observed through Chromium's own trace events,
never a timing: `v8.wasm.moduleCacheHit` names the module whose compiled code was taken.

When V8 writes that code is its own choice: once 1 000 bytes of a module are optimised and no
function has tiered up for --wasm-caching-timeout-ms (2 s), or at once past 1 MB of optimised code.
The delayed write was never seen in this Chromium (headless or not), and a boot from the prepared
snapshot no longer optimises 1 MB (an import of every module did), so this browser is started with
the timeout off: what is checked is that the code V8 writes is kept and taken back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import persistent_chromium

pytestmark = pytest.mark.browser

WASM_EVENTS = "disabled-by-default-devtools.timeline"  # Blink's v8.wasm.* instants
PYODIDE_WASM = "/vendor/pyodide/pyodide.asm.wasm?v="
RELOADS = 4  # V8 writes the code once enough of it is optimised, some time after the first boot
NO_CACHING_DELAY = "--js-flags=--wasm-caching-timeout-ms=0"


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
    with persistent_chromium(tmp_path / "profile", browser.browser_type, [NO_CACHING_DELAY]) as context:
        page = context.new_page()
        first = traced_load(context, page, lambda: page.goto(server_url), wait_ready)
        assert not hits(first)  # a fresh profile: compiled, not taken
        assert_compiled_once(page)
        taken: list[str] = []
        for _ in range(RELOADS):
            taken = hits(traced_load(context, page, page.reload, wait_ready))
            if taken:
                break
        assert taken and all(PYODIDE_WASM in url for url in taken), taken
        assert_compiled_once(page)


def assert_compiled_once(page: Any) -> None:
    """The boot fetched Pyodide's WebAssembly once, under its versioned URL, and compiled it
    itself (the `pyodide-compiled` mark), for Pyodide to instantiate: Pyodide's own fetch of it is
    not made."""
    steps = [step[0] for step in page.evaluate("window.pywasiRuntime.info.timeline")]
    fetches = [step for step in steps if "pyodide.asm.wasm" in step]
    assert len(fetches) == 1 and "pyodide-compiled" in steps, steps
