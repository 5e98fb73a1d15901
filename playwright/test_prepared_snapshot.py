"""What a warm boot's first run would otherwise do itself is done before the memory snapshot is
taken (web/interpreter.js): the prepared snapshot, restored in the Node that made it, already holds
the engine's JS source and the adapter of every preview1 import, so that run reads nothing from
the wheel's zip and compiles no generated source."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from pywasi_web.abi.signatures import MODULE, SIGNATURES
from pywasi_web.cli.serve import REPO_ROOT, snapshots_dir, wheel_index
from pywasi_web.engines.values import import_kinds

pytestmark = pytest.mark.browser

PROBE = REPO_ROOT / "playwright" / "snapshot_probe.mjs"
HELD = """
import json
from pywasi_web.engines import js
json.dumps([js.bridge_source.cache_info().currsize, js._adapter_maker.cache_info().currsize])
"""


def test_the_prepared_snapshot_holds_the_bridge_source_and_the_adapters(server_url: Any) -> None:
    name = wheel_index()["snapshot"]  # the server_url fixture prepared it
    assert name is not None
    done = subprocess.run(
        [
            str(REPO_ROOT / "node_modules" / ".bin" / "node"),
            str(PROBE),
            str(REPO_ROOT / "node_modules" / "pyodide"),
            str(snapshots_dir() / name),
            HELD,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # one adapter per signature, suspending and not
    signatures = {(import_kinds(MODULE, fn, *types), len(types[1])) for fn, types in SIGNATURES.items()}
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [1, 2 * len(signatures)], done.stdout


@contextmanager
def first_visit(browser: Any, url: str, wait_ready: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page opened at `url` in a browser context of its own (its own OPFS: a first visit),
    its runtime ready, and the console lines that speak of the snapshot, as they come."""
    context = browser.new_context()
    try:
        page = context.new_page()
        warnings: list[str] = []
        page.on(
            "console", lambda message: warnings.append(message.text) if "snapshot" in message.text else None
        )
        page.goto(url)
        wait_ready(page)
        yield page, warnings
    finally:
        context.close()


# the directory web/snapshot_store.js keeps the snapshot in
KEPT = """(await navigator.storage.getDirectory()).getDirectoryHandle("pywasi-snapshots")"""

STORED_UNDER_ANOTHER_KEY = f"""async () => {{
    const kept = await {KEPT};
    const [name] = await Array.fromAsync(kept.keys());
    const other = name.slice(0, -64) + "0".repeat(64);  // the name of a snapshot of other code
    await kept.removeEntry(name);
    const writable = await (await kept.getFileHandle(other, {{ create: true }})).createWritable();
    await writable.write(new Uint8Array(1 << 16));  // not a snapshot Pyodide takes
    await writable.close();
    return [name, other];
}}"""


KEPT_AS = f"""async (key) => {{
    const deadline = Date.now() + 60000;
    for (;;) {{  // polled, as wait_for_function would (see conftest.py's wait_snapshot_saved)
        const kept = await Array.fromAsync((await {KEPT}).keys());
        if (kept.includes(key) || Date.now() > deadline) return kept;
        await new Promise((resolve) => setTimeout(resolve, 200));
    }}
}}"""


def test_a_cached_snapshot_under_another_key_is_not_used(
    browser: Any, server_url: str, wait_ready: Any, wait_snapshot_saved: Any
) -> None:
    """The worker starts reading the snapshot it keeps in OPFS before it can compute the key
    (that waits for our wheels), but uses it only if it is kept under that key: one kept for
    other code is never given to Pyodide (which would reject it, with a warning); the boot takes
    the prepared one instead, and keeps that in its place."""
    with first_visit(browser, server_url, wait_ready) as (page, warnings):
        wait_snapshot_saved(page)
        key, other = page.evaluate(STORED_UNDER_ANOTHER_KEY)
        page.reload()
        wait_ready(page)
        info = page.evaluate("window.pywasiRuntime.info")
        assert (info["fromSnapshot"], info["preparedSnapshot"]) == (True, True), warnings
        assert not warnings, warnings
        kept = page.evaluate(KEPT_AS, key)
        assert kept == [key] and other not in kept, kept
        result = page.evaluate("""() => window.pywasiRuntime.run("examples/hello.wasm", {args: ["again"]})""")
        assert result["exitCode"] == 0 and "again" in result["stdout"], result
