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


DESCRIBED = """() => {
    const buffer = (data) => ({ getBuffer: () => ({ data, release() {} }) });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new Uint8Array(memory.buffer), view = new DataView(memory.buffer);
    const bridge = window.helpers.bridge(buffer(new Uint32Array(2 + 2 * 64)), -1);
    bridge.attach(memory, buffer(new Uint8Array(64)));
    // the record buffer as engines/js.py fills it (i32 header words, fdstat at 48, filestat at 72,
    // the file's bytes at 136)
    const record = new Uint8Array(136 + 4096), words = new Int32Array(record.buffer, 0, 12);
    const settled = [], python = [];
    const hot = bridge.described({}, buffer(record), (fd, position) => settled.push([fd, position]));
    const publish = (fd, stat, data) => {
        record.fill(fd, 48, 72);
        if (stat) record.fill(100 + fd, 72, 136);
        if (data !== undefined) record.set(data, 136);
        words.set([fd + 1, stat ? 1 : 0, data === undefined ? -1 : data.length], 0);
    };
    // each import as the bridge links it: Python's function (which records that it ran) and the
    // answer in JS, if any
    const imported = (name, answer, effect) => bridge.wrap((...args) => {
        python.push(name);
        if (effect) effect(...args);
        return 0;
    }, answer);
    const hello = new TextEncoder().encode("hello");
    const pathOpen = imported("path_open", undefined, (fd) => publish(fd, true, hello));
    const fdstat = imported("fd_fdstat_get", hot.fdstat_get, (fd) => publish(fd, false));
    const filestat = imported("fd_filestat_get", hot.filestat_get);
    const read = imported("fd_read", hot.read);
    const close = imported("fd_close", hot.close);
    const tell = imported("fd_tell");
    const iovec = (buf, len) => { view.setUint32(16, buf, true); view.setUint32(20, len, true); };
    const out = {};
    pathOpen(5);
    out.answers = [fdstat(5, 200), filestat(5, 300)];
    out.records = [guest[200], guest[223], guest[300], guest[363]];
    iovec(400, 3);
    out.reads = [read(5, 16, 1, 32), view.getUint32(32, true)];
    iovec(403, 8);
    out.reads.push(read(5, 16, 1, 32), view.getUint32(32, true));
    out.reads.push(read(5, 16, 1, 32), view.getUint32(32, true));
    out.text = new TextDecoder().decode(guest.subarray(400, 405));
    out.python = python.splice(0);
    close(5);  // its position goes with it: nothing handed back
    out.afterClose = [python.splice(0), settled.splice(0)];
    pathOpen(6);
    iovec(400, 2);
    read(6, 16, 1, 32);
    tell(6);  // Python runs: the position the read reached goes back first
    out.settled = settled.splice(0);
    out.afterPython = [filestat(6, 300), read(6, 16, 1, 32), fdstat(6, 200), python.splice(0)];
    // declined: another descriptor, pointers outside memory or negative (Python gives EFAULT)
    out.declined = [
        () => filestat(7, 65530), () => read(7, 65530, 1, 32), () => read(7, 16, 1, -4),
        () => fdstat(7, 65530), () => fdstat(8, 200),
    ].map((call) => { pathOpen(7); return call(); });
    out.declinedPython = python.splice(0).filter((name) => name !== "path_open");
    // a descriptor whose fdstat changed (closed, renumbered, new flags or rights) is asked again
    words.set([1, 6], 3);
    out.changed = [fdstat(7, 200), fdstat(6, 200), python.splice(0)];
    words[3] = 9;  // more changes than the buffer lists: every fdstat is forgotten
    out.allChanged = [fdstat(7, 200), python.splice(0)];
    return out;
}"""


def test_the_bridge_answers_what_python_published(helpers_page: Any) -> None:
    """fd_fdstat_get, fd_filestat_get and fd_read of a just-opened descriptor never reach Python;
    fd_fdstat_get stays answered until the descriptor changes; the position reads moved is handed
    back before Python runs, except to fd_close; anything else goes to Python."""
    out = helpers_page.evaluate(DESCRIBED)
    assert out["answers"] == [0, 0]
    assert out["records"] == [5, 5, 105, 105]
    assert out["reads"] == [0, 3, 0, 2, 0, 0]  # "hel", "lo", then the end of the file
    assert out["text"] == "hello"
    assert out["python"] == ["path_open"]
    assert out["afterClose"] == [["fd_close"], []]
    assert out["settled"] == [[6, 2]]
    assert out["afterPython"] == [0, 0, 0, ["path_open", "fd_tell", "fd_filestat_get", "fd_read"]]
    assert out["declined"] == [0] * 5
    assert out["declinedPython"] == [
        "fd_filestat_get",
        "fd_read",
        "fd_read",
        "fd_fdstat_get",
        "fd_fdstat_get",
    ]
    assert out["changed"] == [0, 0, ["fd_fdstat_get"]]
    assert out["allChanged"] == [0, ["fd_fdstat_get"]]
