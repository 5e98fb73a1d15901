"""The browser engine's JS side (pywasi_web/engines/js_bridge.js) on its own in Chromium: the
file is evaluated as js.py evaluates it, and each helper is driven with plain JS stand-ins for
Pyodide's buffer proxies and a real WebAssembly.Memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywasi_web.preview1.fast_paths import Record

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


DESCRIBED = """(layout) => {
    const buffer = (data) => ({ getBuffer: () => ({ data, release() {} }) });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new Uint8Array(memory.buffer), view = new DataView(memory.buffer);
    const bridge = window.helpers.bridge(buffer(new Uint32Array(2 + 2 * 64)), -1);
    bridge.attach(memory, buffer(new Uint8Array(64)));
    // the record as preview1/fast_paths.py Described fills it (its layout, Record, is given)
    const record = new Uint8Array(layout.DATA_AT + 4096);
    const slots = new Int32Array(record.buffer, 0, layout.FDSTAT_AT / 4);
    const settled = [], python = [], reopened = [];
    const hot = bridge.described(
        {}, buffer(record), (fd, position) => settled.push([fd, position]),
        (...args) => reopened.push(args), layout,
    );
    const { HAS_STAT, QUIET_CLOSE, REUSABLE } = layout;
    const publish = (fd, flags, data) => {
        record.fill(fd, layout.FDSTAT_AT, layout.FILESTAT_AT);
        if (flags & HAS_STAT) record.fill(100 + fd, layout.FILESTAT_AT, layout.DATA_AT);
        if (data !== undefined) record.set(data, layout.DATA_AT);
        slots[layout.OPENED] = fd + 1;
        slots[layout.FLAGS] = flags;
        slots[layout.LENGTH] = data === undefined ? -1 : data.length;
    };
    // each import as the bridge links it: Python's function (which records that it ran) and the
    // answer in JS, if any; `keeps`: Python's answer keeps reusable opens (KEEP_REUSABLE_OPENS)
    const imported = (name, answer, effect, keeps = true) => bridge.wrap((...args) => {
        python.push(name);
        if (effect) effect(...args);
        return 0;
    }, answer, keeps);
    const hello = new TextEncoder().encode("hello");
    let openFlags = HAS_STAT, nextFd = 5;
    const pathOpen = imported("path_open", hot.path_open, (...args) => {
        view.setUint32(args[8], nextFd, true);
        publish(nextFd, openFlags, hello);
    });
    const fdstat = imported("fd_fdstat_get", hot.fdstat_get, (fd) => publish(fd, 0));
    const filestat = imported("fd_filestat_get", hot.filestat_get);
    const read = imported("fd_read", hot.read);
    const close = imported("fd_close", hot.close, undefined, false);
    const tell = imported("fd_tell", undefined);
    const write = imported("fd_write", undefined, undefined, false);
    const iovec = (buf, len) => { view.setUint32(16, buf, true); view.setUint32(20, len, true); };
    guest.set(new TextEncoder().encode("a/b"), 1000);
    const open = (fd) => {
        nextFd = fd;
        return [pathOpen(3, 1, 1000, 3, 0, 2n, 0n, 0, 48), view.getUint32(48, true)];
    };
    const out = {};
    open(5);
    out.answers = [fdstat(5, 200), filestat(5, 300)];
    out.records = [guest[200], guest[223], guest[300], guest[363]];
    iovec(400, 3);
    out.reads = [read(5, 16, 1, 32), view.getUint32(32, true)];
    iovec(403, 8);
    out.reads.push(read(5, 16, 1, 32), view.getUint32(32, true));
    out.reads.push(read(5, 16, 1, 32), view.getUint32(32, true));
    out.text = new TextDecoder().decode(guest.subarray(400, 405));
    out.python = python.splice(0);
    close(5);  // not a quiet close: Python's; its position goes with it, nothing handed back
    out.afterClose = [python.splice(0), settled.splice(0)];
    open(6);
    iovec(400, 2);
    read(6, 16, 1, 32);
    tell(6);  // Python runs: the position the read reached goes back first
    out.settled = settled.splice(0);
    out.afterPython = [filestat(6, 300), read(6, 16, 1, 32), fdstat(6, 200), python.splice(0)];
    // declined: another descriptor, pointers outside memory or negative (Python gives EFAULT)
    out.declined = [
        () => filestat(7, 65530), () => read(7, 65530, 1, 32), () => read(7, 16, 1, -4),
        () => fdstat(7, 65530), () => fdstat(8, 200),
    ].map((call) => { open(7); return call(); });
    out.declinedPython = python.splice(0).filter((name) => name !== "path_open");
    // a descriptor whose fdstat changed (closed, renumbered, new flags or rights) is asked again
    slots.set([1, 6], layout.CHANGED_COUNT);
    out.changed = [fdstat(7, 200), fdstat(6, 200), python.splice(0)];
    slots[layout.CHANGED_COUNT] = layout.CHANGED_SLOTS + 1;  // more changes than listed: all forgotten
    out.allChanged = [fdstat(7, 200), python.splice(0)];
    // -1 is a descriptor number like any other (a u32), never "none"
    tell(7);
    out.minusOne = [filestat(-1, 300), read(-1, 16, 1, 32), close(-1), python.splice(0)];

    // a quiet close is answered here and noted for Python; the same reusable open is answered
    // here again, with the number closed, and closed here again without Python knowing
    openFlags = HAS_STAT | QUIET_CLOSE | REUSABLE;
    out.first = [open(9), close(9), slots[layout.CLOSED], python.splice(0)];
    iovec(400, 8);
    out.again = [open(9), filestat(9, 300), guest[300], read(9, 16, 1, 32), view.getUint32(32, true)];
    out.again.push(fdstat(9, 200), guest[200], close(9), open(9), close(9));
    out.again.push(python.splice(0), reopened.length);
    // Python must see a reused descriptor: it is opened for real first, with its position
    open(9);
    iovec(400, 2);
    read(9, 16, 1, 32);
    tell(9);
    out.reopened = [reopened.splice(0), python.splice(0), settled.splice(0)];
    // a call that changes things (fd_write here) makes every reusable open forgotten
    close(9);
    write(1);
    out.afterWrite = [open(9), python.splice(0)];
    // another path is not the same open
    close(9);
    guest.set(new TextEncoder().encode("a/c"), 1000);
    out.otherPath = [open(9), python.splice(0)];
    // an answer written over its own path: not kept (the path read afterwards is not the one asked)
    // (were it kept, the later open of the bytes it left, [9, 0, 0, 0], would be answered here)
    close(9);
    guest.set(new TextEncoder().encode("a/de"), 1000);
    pathOpen(3, 1, 1000, 4, 0, 2n, 0n, 0, 1000);
    close(9);
    out.overwritten = [Array.from(guest.subarray(1000, 1004)), pathOpen(3, 1, 1000, 4, 0, 2n, 0n, 0, 48)];
    out.overwritten.push(python.splice(0));
    return out;
}"""


def test_the_bridge_answers_what_python_published(helpers_page: Any) -> None:
    """fd_fdstat_get, fd_filestat_get and fd_read of a just-opened descriptor never reach Python;
    fd_fdstat_get stays answered until the descriptor changes; the position reads moved is handed
    back before Python runs, except to fd_close; anything else goes to Python."""
    out = helpers_page.evaluate(DESCRIBED, _layout())
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
    assert out["minusOne"] == [0, 0, 0, ["fd_tell", "fd_filestat_get", "fd_read", "fd_close"]]


def test_quiet_closes_and_reusable_opens_are_answered_without_python(helpers_page: Any) -> None:
    """A quiet close is answered in JS and noted in Record.CLOSED for Python; the same reusable
    open is then answered in JS with the closed number and the published records, closed again
    without Python; Python reopens such a descriptor for real (with the position reached) before
    it answers anything; a call that may change things, or another path, goes to Python."""
    out = helpers_page.evaluate(DESCRIBED, _layout())
    assert out["first"] == [[0, 9], 0, 10, ["path_open"]]
    assert out["again"] == [[0, 9], 0, 109, 0, 5, 0, 9, 0, [0, 9], 0, [], 0]
    (reopened,) = out["reopened"][0]
    assert reopened == [9, 2, 3, 1, "a/b", 0, 2, 0, 0]
    assert out["reopened"][1:] == [["fd_tell"], []]
    assert out["afterWrite"] == [[0, 9], ["fd_close", "fd_write", "path_open"]]
    assert out["otherPath"] == [[0, 9], ["path_open"]]
    assert out["overwritten"] == [[9, 0, 0, 0], 0, ["path_open", "path_open"]]


def _layout() -> dict[str, int]:
    return {name: value for name, value in vars(Record).items() if name.isupper()}
