"""A large guest's first run after a page reload, with and without the code V8 kept for it.

`python -m bench.run --guest-cache`. The playground's python example (CPython, 26 MB of wasm) prints
one line; each figure is the page's time from rt.run() to the first stdout chunk, on a freshly
reloaded page of one Chromium profile, median of --runs after a warm-up round, the two URLs taking
turns. Both URLs name the same file and go through the same path (web/guest_fetch.js: fetched and
compiled by compileStreaming in the worker): `python.wasm?v=SHA256` is answered as immutable, so a
reload streams the stored copy and V8 takes its code back (v8.wasm.moduleCacheHit); plain
`python.wasm` is revalidated (a 304), which keeps no code, so it is compiled again: the baseline.

The browser is started with --js-flags=--wasm-caching-timeout-ms=0: V8 then writes a module's code
as soon as 1 000 bytes of it are optimised, instead of after 2 s without tier-up, a delayed write
never seen for a guest in this headless Chromium (see playwright/test_guest_code_cache.py).
"""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.browser.driver import serving
from pywasi_web.cli.serve import examples_dir
from tests.chromium import persistent_chromium

CACHING_AT_ONCE = "--js-flags=--wasm-caching-timeout-ms=0"
READY = "document.getElementById('status')?.textContent.startsWith('ready')"
FIRST_OUTPUT = """async ([url, code]) => {
    const started = performance.now();
    let first = null;
    const result = await window.pywasiRuntime.run(url, {
        args: ["-c", code], onStdout: () => { first ??= performance.now(); },
    });
    if (result.exitCode !== 0 || first === null) throw new Error(result.error?.message ?? result.stderr);
    return first - started;
}"""
CODE = "import json; print(json.dumps({'sum': sum(range(10**5))}))"


def measure(runs: int, quick: bool) -> dict[str, Any]:
    listed = {example["name"]: example for example in json.loads((examples_dir() / "index.json").read_text())}
    urls = {
        "versioned": f"examples/python.wasm?v={listed['python']['sha256']}",
        "revalidated": "examples/python.wasm",
    }
    size = (examples_dir() / "python.wasm").stat().st_size
    timings: dict[str, list[float]] = {kind: [] for kind in urls}
    with (
        serving() as server,
        tempfile.TemporaryDirectory() as profile,
        persistent_chromium(Path(profile), extra_args=[CACHING_AT_ONCE]) as context,
    ):
        page = context.new_page()
        page.goto(f"{server}/")
        for _ in range(runs + 1):  # the first round warms up: it compiles, and V8 writes the code
            for kind, url in urls.items():
                page.reload()
                page.wait_for_function(READY, timeout=120_000)
                timings[kind].append(float(page.evaluate(FIRST_OUTPUT, [url, CODE])))
        version = context.browser.version if context.browser else "?"
    medians = {kind: statistics.median(values[1:]) for kind, values in timings.items()}
    return {"chromium": version, "bytes": size, "ms": medians, "all": timings}


def markdown(results: dict[str, Any], runs: int) -> str:
    ms = results["ms"]
    return "\n".join(
        [
            f"Chromium {results['chromium']}, median of {runs} reloads; python.wasm, "
            f"{results['bytes'] / 1e6:.0f} MB, prints one line.",
            "",
            "| first run after a reload | ms, rt.run() to first output | ratio (this / revalidated) |",
            "|---|---|---|",
            f"| revalidated URL: compiled again | {ms['revalidated']:.0f} | 1.00 |",
            f"| versioned URL: V8's kept code | {ms['versioned']:.0f} | "
            f"{ms['versioned'] / ms['revalidated']:.2f} |",
        ]
    )
