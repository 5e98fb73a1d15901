"""A guest given by URL is compiled in the worker by WebAssembly.compileStreaming (web/guest_fetch.js),
so a reload takes the code V8 compiled for it from the HTTP cache, as for Pyodide's own module
(test_code_cache.py); and a guest the runtime has compiled already is not compiled again.
Observed through Chromium's trace events, never a timing.

V8 writes a module's code once 1 000 bytes of it are optimised and no function has tiered up for
--wasm-caching-timeout-ms (2 s), or at once past 1 MB of optimised code. In this Chromium the
delayed write was never seen (headless or not), so this browser is started with the timeout off:
the write comes from the guest's own tier-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_code_cache import hits, traced_load

from pywasi_web.cli.serve import examples_dir
from tests.chromium import persistent_chromium

pytestmark = pytest.mark.browser

NO_CACHING_DELAY = "--js-flags=--wasm-caching-timeout-ms=0"
RELOADS = 4  # the code is written after the guest's hot functions are optimised, in the background
# A loop QuickJS's interpreter runs hot enough for V8 to optimise some of its functions.
SCRIPT = "let s = 0; for (let i = 0; i < 3000000; i++) s += i % 7; console.log(s);"
RUN = """async ([url, script]) => {
    const result = await window.pywasiRuntime.run(url, {args: ["/s.js"], files: {"/s.js": script}});
    return [result.exitCode, result.stdout, result.error ?? null];
}"""

CAPPED = """async (url) => {
    const result = await window.pywasiRuntime.run(url, {maxMemoryBytes: 1 << 26});
    return result.exitCode ?? result.error;
}"""


def guest_url() -> str:
    """The quickjs example (1.4 MB) under the URL the playground uses: named by its SHA-256."""
    listed = {example["name"]: example for example in json.loads((examples_dir() / "index.json").read_text())}
    return f"examples/quickjs.wasm?v={listed['quickjs']['sha256']}"


def streamed(events: list[dict[str, Any]]) -> int:
    return sum(event["name"] == "v8.wasm.streamFromResponseCallback" for event in events)


def ignore(_page: Any) -> None:
    """traced_load's wait: the load given to it has waited already."""


def test_a_reload_takes_a_url_guests_compiled_code_from_the_cache(
    browser: Any, server_url: str, wait_ready: Any, tmp_path: Path
) -> None:
    url = guest_url()
    with persistent_chromium(tmp_path / "profile", browser.browser_type, [NO_CACHING_DELAY]) as context:
        page = context.new_page()
        page.goto(server_url)
        wait_ready(page)
        first = traced_load(context, page, lambda: page.evaluate(RUN, [url, SCRIPT]), ignore)
        assert streamed(first) == 1 and not hits(first)  # compiled from the response, nothing kept yet
        again = traced_load(context, page, lambda: page.evaluate(RUN, [url, SCRIPT]), ignore)
        assert streamed(again) == 0  # the runtime's content-hash cache comes first: nothing compiled
        capped: list[Any] = []
        run_capped = lambda: capped.append(page.evaluate(CAPPED, "examples/hello.wasm"))  # noqa: E731
        assert streamed(traced_load(context, page, run_capped, ignore)) == 0  # a cap compiles other bytes
        assert capped == [0]
        outputs: list[Any] = []

        def reload_and_run() -> None:
            page.reload()
            wait_ready(page)
            outputs.append(page.evaluate(RUN, [url, SCRIPT]))

        taken: list[str] = []
        for _ in range(RELOADS):
            taken = [hit for hit in hits(traced_load(context, page, reload_and_run, ignore)) if url in hit]
            if taken:
                break
        assert taken, f"no v8.wasm.moduleCacheHit for {url} in {RELOADS} reloads"
        assert outputs[-1] == [0, "8999994\n", None]  # the guest ran on the code taken from the cache


FIRST_RUN = """async () => {
    const { Runtime } = await import("/pywasi.js");
    const runtime = new Runtime({ baseURL: "/" });
    try {
        const result = await runtime.run("examples/hello.wasm", { args: ["early"] });
        return [result.exitCode, result.stdout, runtime.info.timeline.map((step) => step[0])];
    } finally {
        runtime.worker.terminate();
    }
}"""


def test_a_guest_asked_for_before_the_boot_ends_is_fetched_during_the_boot(page: Any) -> None:
    """A run sent while the worker boots (a page that runs its guest at once) does not wait for the
    boot to fetch its guest: the fetch is among the boot's own, listed in the ready message's
    timeline, which is taken when the boot ends."""
    exit_code, stdout, steps = page.evaluate(FIRST_RUN)
    assert exit_code == 0 and "early" in stdout, stdout
    assert "/examples/hello.wasm" in [step.removesuffix(" (cached)") for step in steps], "\n".join(steps)
