"""The browser engine's JS side (pywasi_web/engines/js_bridge.js) on its own in Chromium: the
file is evaluated as js.py evaluates it, and each helper is driven with plain JS stand-ins for
Pyodide's buffer proxies and a real WebAssembly.Memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SOURCE = (Path(__file__).resolve().parents[1] / "pywasi_web" / "engines" / "js_bridge.js").read_text()


@pytest.fixture(scope="module")
def helpers_page(browser: Any, server_url: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server_url}examples/index.json")
    page.evaluate("(source) => { window.helpers = (0, eval)(source); }", SOURCE)
    yield page
    context.close()


def test_results_and_arguments_are_typed_for_webassembly(helpers_page: Any) -> None:
    out = helpers_page.evaluate(
        """() => {
        const h = window.helpers;
        const one = h.typedResults(() => 5, ["i64"]);
        const wrapped = h.typedResults(() => 2n ** 40n + 3n, ["i32"]);
        const several = h.typedResults(() => [1, 2 ** 63, 1.5], ["i32", "i64", "f64"]);
        const seen = [];
        const record = (...args) => seen.push(...args.map((a) => typeof a + ":" + a));
        const call = h.bigintArguments(record, [false, true]);
        call(7, 2 ** 40);
        call(-1, -1);
        return {one: typeof one() + ":" + one(), wrapped: wrapped(), several: several().map(String), seen};
    }"""
    )
    assert out == {
        "one": "bigint:5",
        "wrapped": 3,
        "several": ["1", str(-(1 << 63)), "1.5"],
        "seen": ["number:7", f"bigint:{1 << 40}", "number:-1", "bigint:-1"],
    }


def test_errors_are_described_by_kind(helpers_page: Any) -> None:
    out = helpers_page.evaluate(
        """() => {
        const h = window.helpers;
        const trap = new WebAssembly.RuntimeError("unreachable");
        return [h.describe(trap).slice(0, 2), h.describe(new Error("other")).slice(0, 2)];
    }"""
    )
    assert out == [["trap", "unreachable"], ["other", "other"]]


BRIDGE = """() => {
    const buffer = (data) => ({ getBuffer: () => ({ data, release() {} }) });
    const log = new Uint32Array(2 + 2 * 64);
    const scratch = new Uint8Array(64);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new Uint8Array(memory.buffer);
    const bridge = window.helpers.bridge(buffer(log), -1);
    bridge.attach(memory, buffer(scratch));
    const out = {};
    guest.set([1, 2, 3, 4], 100);
    bridge.get(100, 4);
    out.got = Array.from(scratch.subarray(0, 4));
    scratch.set([9, 8, 7]);
    bridge.put(200, 3);
    out.put = Array.from(guest.subarray(200, 203));
    // two iovecs {300, 2} {400, 3} at 16; their bytes follow the table in scratch
    const view = new DataView(memory.buffer);
    [[16, 300], [20, 2], [24, 400], [28, 3]].forEach(([at, value]) => view.setUint32(at, value, true));
    guest.set([10, 11], 300);
    guest.set([20, 21, 22], 400);
    out.total = bridge.iovecs(16, 2, 4096);
    out.prefetched = Array.from(scratch.subarray(16, 21));
    out.gathered = bridge.gather(16, 2);
    out.gatheredBytes = Array.from(scratch.subarray(0, 5));
    view.setUint32(28, 1 << 30, true);  // an iovec past memory
    out.outside = [bridge.iovecs(16, 2, 4096), bridge.gather(16, 2)];
    // deferred u32 stores, applied when memory is next touched from JS
    log.set([1, 0, 500, 0xdeadbeef]);
    bridge.flush();
    out.logged = [view.getUint32(500, true), log[0]];
    // clock_time_get answered here for a valid pointer, by Python (slow) otherwise
    const slow = [];
    const rule = { sources: [0, 1], idArg: 0, resultArg: 2 };
    const clock = bridge.clock((...args) => { slow.push(args); return 28; }, rule);
    out.clock = [clock(1, 0n, 600), view.getBigUint64(600, true) > 0n, clock(1, 0n, 65532), clock(5, 0n, 8)];
    out.slow = slow.map((args) => [args[0], args[2]]);
    return out;
}"""


def test_the_bridge_copies_gathers_and_answers_the_clock(helpers_page: Any) -> None:
    out = helpers_page.evaluate(BRIDGE)
    assert out["got"] == [1, 2, 3, 4]
    assert out["put"] == [9, 8, 7]
    assert out["total"] == 5 and out["prefetched"] == [10, 11, 20, 21, 22]
    assert out["gathered"] == 5 and out["gatheredBytes"] == [10, 11, 20, 21, 22]
    assert out["outside"] == [-1, -1]
    assert out["logged"] == [0xDEADBEEF, 0]
    assert out["clock"] == [0, True, 28, 28]
    assert out["slow"] == [[1, 65532], [5, 8]]
