"""The JS API's twin of Program for components (web/pywasi.js `rt.instantiate` + `inst.call`): a
page calls any export of a component with JS values (api/js_values.py) in Chromium, and gets what
Program's calls with the same values in Python give on CPython; failures reject with a `kind`."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pywasi_web import GuestTrap, Program
from pywasi_web.component.values import Err, Ok, Variant
from tests.component.blob_host import Blob, Blobs
from tests.component.build import adapted, composed, composed_resources, native
from tests.preview2.test_httpprobe import httpprobe

pytestmark = pytest.mark.browser

SHAPES = "example:demo/shapes#"
RECT = {"x": -1, "y": 2, "label_text": "box"}
# (function, its arguments as JS source, the same arguments as Python values)
CALLS: list[tuple[str, str, tuple[Any, ...]]] = [
    ("greet", '["wörld ✓"]', ("wörld ✓",)),
    ("sum", "[[1, -2, 3, 2 ** 31 - 1, -(2 ** 31)]]", ([1, -2, 3, 2**31 - 1, -(2**31)],)),
    ("reverse", "[new Uint8Array([97, 98, 99, 0, 255])]", (b"abc\x00\xff",)),
    ("swap", '[[7, "seven"]]', ((7, "seven"),)),
    ("classify", "[-5]", (-5,)),
    ("classify", "[4]", (4,)),
    ("maybe-double", "[21]", (21,)),
    ("maybe-double", "[undefined]", (None,)),
    ("maybe-double", "[null]", (None,)),
    ("next-color", '["blue"]', ("blue",)),
    ("toggle", "[{read: true}]", ({"read"},)),
    ("describe", '[{tag: "rect", val: {x: -1, y: 2, labelText: "box"}}]', (Variant("rect", RECT),)),
    ("describe", '[{tag: "circle", val: 1.5}]', (Variant("circle", 1.5),)),
    ("describe", '[{tag: "nothing"}]', (Variant("nothing"),)),
    ("make-point", "[3, -4]", (3, -4)),
    (
        "many",
        "[255, -128, 65535, -32768, 2 ** 32 - 1, -(2 ** 31), 2n ** 64n - 1n, -(2n ** 63n), "
        '1.5, 2.25, "é", true]',
        (255, -128, 65535, -32768, 2**32 - 1, -(2**31), 2**64 - 1, -(2**63), 1.5, 2.25, "é", True),
    ),
    ("wide", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]", tuple(range(1, 18))),
    ("split-words", '["  the quick  brown fox "]', ("  the quick  brown fox ",)),
    ("use-host", "[10]", (10,)),
]  # fmt: skip

# Shown as JSON by the page: a BigInt as "<digits>n", bytes as {bytes: [...]}, undefined as "undefined".
SESSION = """async ([components, calls]) => {
    const rt = window.pywasiRuntime;
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const shown = (key, v) =>
        typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? { bytes: [...v] } : v;
    const show = (value) => JSON.parse(JSON.stringify(value ?? "undefined", shown));
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    const out = {};
    const inst = await rt.instantiate(bytes(components.composed));
    out.exports = inst.exports;
    out.calls = [];
    for (const [name, args] of calls) {
        out.calls.push(show(await inst.call(`example:demo/shapes#${name}`, ...eval(args))));
    }
    out.bigint = typeof (await inst.call("example:demo/shapes#sum", [1]));
    out.unknown = await failure(inst.call("example:demo/shapes#nope"));
    out.arity = await failure(inst.call("example:demo/shapes#greet"));
    out.type = await failure(inst.call("example:demo/shapes#greet", 3));
    out.range = await failure(inst.call("example:demo/shapes#make-point", 2 ** 31, 0));
    out.tag = await failure(inst.call("example:demo/shapes#describe", { tag: "square" }));
    out.field = await failure(inst.call("example:demo/shapes#make-point", "3", 4));
    out.after = show(await inst.call("example:demo/shapes#greet", "again"));
    await inst.close();
    const provider = await rt.instantiate(bytes(components.provider));
    out.provider = [];
    for (const [name, args] of [["checked-half", [9]], ["checked-half", [10]], ["config", []]]) {
        out.provider.push(show(await provider.call(`example:demo/host#${name}`, ...args)));
    }
    await provider.close();
    const hello = await rt.instantiate(bytes(components.hello), { args: ["from", "js"] });
    const run = Object.keys(hello.exports).find((name) => name.startsWith("wasi:cli/run@"));
    out.run = [run, show(await hello.call(run))];
    out.helloStdout = (await hello.close()).stdout;
    const trap = await rt.instantiate(bytes(components.trap));
    out.trap = await failure(trap.call(Object.keys(trap.exports)[0]));
    await trap.close();
    const exit = await rt.instantiate(bytes(components.exitcode), { args: ["7"] });
    out.exit = await failure(exit.call(Object.keys(exit.exports)[0]));
    await exit.close();
    return out;
}"""


def _as_js(value: Any) -> Any:
    """A Program result as the page shows the JS API's (the mapping of api/js_values.py, written out)."""
    if isinstance(value, Ok | Err):
        return {"tag": "ok" if isinstance(value, Ok) else "err", "val": _as_js(value.value)}
    if isinstance(value, bytes):
        return {"bytes": list(value)}
    if isinstance(value, tuple | list):
        return [_as_js(item) for item in value]
    if isinstance(value, frozenset):
        return {name: name in value for name in ("read", "write", "exec")}
    if isinstance(value, dict):
        return {"x": value["x"], "y": value["y"], "labelText": value["label_text"]}
    return "undefined" if value is None else value


def _bytes(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def test_a_page_calls_a_components_exports_with_js_values(page: Any) -> None:
    shapes = Program(composed()).instantiate().exports["example:demo/shapes"]
    expected = [_as_js(shapes[name](*args)) for name, _, args in CALLS]
    for big in ("sum", "wide"):  # s64 and u64 results: BigInts
        index = next(i for i, call in enumerate(CALLS) if call[0] == big)
        expected[index] = f"{expected[index]}n"
    components = {name: _bytes(adapted(name)) for name in ("hello", "trap", "exitcode")}
    components["composed"] = _bytes(composed())
    components["provider"] = _bytes(native("provider", "provider", "demo"))
    out = page.evaluate(SESSION, [components, [call[:2] for call in CALLS]])
    assert out["exports"][SHAPES + "greet"] == "func" and len(out["exports"]) == 14
    for call, ours, theirs in zip(CALLS, out["calls"], expected, strict=True):
        assert ours == theirs, call[0]
    host = Program(native("provider", "provider", "demo")).instantiate().exports["example:demo/host"]
    expected_host = [host.checked_half(9), host.checked_half(10), host.config()]
    assert out["provider"] == [_as_js(value) for value in expected_host]
    assert out["bigint"] == "bigint"
    assert out["unknown"] == ["export", "the component exports no function 'example:demo/shapes#nope'"]
    assert out["arity"] == ["arity", "example:demo/shapes#greet: greet takes 1 argument, not 0"]
    assert out["type"] == ["type", "example:demo/shapes#greet: name: 3 is not a string"]
    assert out["range"] == ["type", f"{SHAPES}make-point: x: 2147483648 is out of range for s32"]
    assert out["tag"][0] == "type" and "the tag 'square' is none of circle, rect, nothing" in out["tag"][1]
    assert out["field"][0] == "type" and "'3' is not an integer (s32)" in out["field"][1]
    assert out["after"] == "Hello, again!"  # a refused call leaves the instance usable
    assert out["run"][0].startswith("wasi:cli/run@0.2.") and out["run"][1] == {"tag": "ok"}
    hello = Program(adapted("hello")).run(["from", "js"], argv0="main.wasm", capture_output=True)
    assert out["helloStdout"] == hello.stdout.decode()
    assert out["trap"][0] == "trap" and "unreachable" in out["trap"][1]
    assert out["exit"] == ["exit", "the guest exited with code 1"]  # the adapter makes exit(7) exit(err)


HTTP = """async ([component, authority, allow]) => {
    const bytes = Uint8Array.from(atob(component), (c) => c.charCodeAt(0));
    const inst = await window.pywasiRuntime.instantiate(bytes, { allow });
    try {
        return await inst.call("fetch", authority, "GET", "/examples/index.json", new Uint8Array());
    } finally {
        await inst.close();
    }
}"""


def test_a_components_wasi_http_reaches_allowed_origins_through_fetch(page: Any, server_url: str) -> None:
    """`allow` grants a component's wasi:http in the browser (fetch() in the worker) as run()'s
    `allow` does on CPython (http.client): the same lines against the same server."""
    origin = server_url.rstrip("/")
    authority = origin.removeprefix("http://")
    wasm = httpprobe()
    expected = list(
        Program(wasm).instantiate(allow=[origin]).exports.fetch(authority, "GET", "/examples/index.json", b"")
    )
    assert "status: 200" in expected
    ours = page.evaluate(HTTP, [_bytes(wasm), authority, [origin]])
    assert ours == expected
    for allow in ([], ["http://127.0.0.1:1"]):
        denied = page.evaluate(HTTP, [_bytes(wasm), authority, allow])
        assert denied[-1] == "handle: err 15"  # HTTP-request-denied, as on CPython


JS_IMPORTS = """async (demo) => {
    const rt = window.pywasiRuntime;
    const bytes = Uint8Array.from(atob(demo), (c) => c.charCodeAt(0));
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    const host = {
        log: (message) => { globalThis.logged = [...(globalThis.logged ?? []), message]; },
        config: () => [["mode", "test"], ["level", "3"]],
        "checked-half": (n) => (n % 2 ? { tag: "err", val: `${n} is odd` } : { tag: "ok", val: n / 2 }),
    };
    const out = {};
    const inst = await rt.instantiate(bytes, { imports: { "example:demo/host@0.1.0": host } });
    out.calls = [];
    for (const n of [10, 7, 0]) out.calls.push(await inst.call("example:demo/shapes#use-host", n));
    await inst.close();
    const { checkedHalf, ...partial } = { ...host, checkedHalf: host["checked-half"] };
    delete partial["checked-half"];
    out.missing = await failure(rt.instantiate(bytes, { imports: { "example:demo/host": partial } }));
    out.none = await failure(rt.instantiate(bytes));
    const throwing = await rt.instantiate(bytes, {
        imports: {
            "example:demo/host": { ...partial, checkedHalf, log: () => { throw new TypeError("boom"); } },
        },
    });
    out.threw = await failure(throwing.call("example:demo/shapes#use-host", 8));
    out.after = await failure(throwing.call("example:demo/shapes#greet", "again"));
    await throwing.close();
    const wrong = await rt.instantiate(bytes, {
        imports: { "example:demo/host": { ...partial, checkedHalf: (n) => n } },
    });
    out.unfit = await failure(wrong.call("example:demo/shapes#use-host", 8));
    await wrong.close();
    return out;
}"""


def test_a_page_gives_a_component_its_imports_as_js_functions(page: Any) -> None:
    """JS functions for example:demo/host (jco's values, by WIT or lowerCamelCase name) serve
    demo.wasm as the Python host object of tests/component/test_native.py does on CPython."""
    from tests.component.test_native import Host

    shapes = Program(native("demo")).instantiate(imports={"example:demo/host": Host()}).exports
    expected = [shapes["example:demo/shapes"].use_host(n) for n in (10, 7, 0)]
    out = page.evaluate(JS_IMPORTS, _bytes(native("demo")))
    assert out["calls"] == expected
    kind, message = out["missing"]
    assert kind == "module"
    assert "example:demo/host#checked-half, which imports['example:demo/host'] does not give" in message
    assert out["none"][0] == "module" and "imports example:demo/host, which the host" in out["none"][1]
    assert out["threw"][0] == "import"
    assert "example:demo/host#log (given in imports) threw TypeError: boom" in out["threw"][1]
    assert out["after"][0] == "trap" and "cannot be entered: it trapped before" in out["after"][1]
    assert out["unfit"][0] == "import"
    assert (
        "checked-half (given in imports) returned a value that does not fit: its result: 8" in out["unfit"][1]
    )


RESOURCES = """async (component) => {
    const bytes = Uint8Array.from(atob(component), (c) => c.charCodeAt(0));
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    const c = (name) => `example:res/counters#${name}`;
    const b = (name) => `example:res/blobs#${name}`;
    const inst = await window.pywasiRuntime.instantiate(bytes);
    const call = (name, ...args) => inst.call(name, ...args);
    const out = {};
    const a = await call(c("[constructor]counter"), 5);
    const other = await call(c("[constructor]counter"), 7);
    out.handle = a;
    await call(c("[method]counter.increment"), a, 3);
    const merged = await call(c("[static]counter.merge"), a, other);  // two borrows
    out.values = [await call(c("[method]counter.get"), a), await call(c("[method]counter.get"), merged),
                  await call(c("live-count")), await call(c("consume"), merged), await call(c("live-count"))];
    await inst.drop(a);
    out.values.push(await call(c("live-count")));
    const blob = await call(b("[constructor]blob"), new Uint8Array([104, 105, 0, 255]));
    out.blob = [await call(b("[method]blob.size"), blob), [...await call(b("[method]blob.read"), blob)],
                await call(c("inspect"), blob, true), await call(c("take-blob"), blob)];
    const made = await call(b("make-blob"), 3);
    out.made = await call(b("[method]blob.size"), made);
    out.afterDrop = await failure(call(c("[method]counter.get"), a));
    out.moved = await failure(call(c("[method]counter.get"), merged));
    out.movedBlob = await failure(call(b("[method]blob.size"), blob));
    out.wrongType = await failure(call(b("[method]blob.size"), other));
    out.unknown = await failure(call(c("[method]counter.get"), { resource: "counter", handle: 99 }));
    out.notHandle = await failure(inst.drop(7));
    out.usable = await call(c("[method]counter.get"), other);
    out.kept = await failure(call(c("inspect"), made, false));  // a borrow not dropped: a trap
    out.afterTrap = await failure(call(c("live-count")));
    await inst.close();
    out.closed = await failure(inst.drop(other));
    return out;
}"""


def _failure(name: str, call: Any) -> list[str]:
    """What the page's `failure` shows for a call Program refuses on CPython."""
    try:
        call()
    except TypeError as error:
        return ["type", f"{name}: {error}"]
    except GuestTrap as error:
        return ["trap", str(error)]
    raise AssertionError(f"{name} did not fail")


def test_a_page_uses_a_components_resources(page: Any) -> None:
    """Guest resources of two types through the JS API in Chromium, as Program uses them on
    CPython: constructed, methods called, lent as borrows, moved, dropped; every misuse rejects
    with a `kind` and the worker goes on."""
    process = Program(composed_resources()).instantiate()
    counters, blobs = process.exports["example:res/counters"], process.exports["example:res/blobs"]
    a, other = counters.Counter(5), counters.Counter(7)
    counters.Counter.increment(a, 3)
    merged = counters.Counter.merge(a, other)
    values = [counters.Counter.get(a), counters.Counter.get(merged), counters.live_count()]
    values += [counters.consume(merged), counters.live_count()]
    a.drop()
    values.append(counters.live_count())
    blob = blobs.Blob(bytes([104, 105, 0, 255]))
    blob_values = [blobs.Blob.size(blob), list(blobs.Blob.read(blob)), counters.inspect(blob, True)]
    blob_values.append(counters.take_blob(blob))
    made = blobs.make_blob(3)
    get, size = "example:res/counters#[method]counter.get", "example:res/blobs#[method]blob.size"
    expected_failures = {
        "afterDrop": _failure(get, lambda: counters.Counter.get(a)),
        "moved": _failure(get, lambda: counters.Counter.get(merged)),
        "movedBlob": _failure(size, lambda: blobs.Blob.size(blob)),
        "wrongType": _failure(size, lambda: blobs.Blob.size(other)),
    }
    usable = counters.Counter.get(other)
    kept = _failure("inspect", lambda: counters.inspect(made, False))
    after_trap = _failure("live-count", lambda: counters.live_count())

    out = page.evaluate(RESOURCES, _bytes(composed_resources()))
    assert out["handle"] == {"resource": "counter", "handle": 0}
    assert out["values"] == values == [8, 15, 3, 15, 2, 1]
    assert out["blob"] == blob_values and out["made"] == blobs.Blob.size(made) == 3
    for key, expected in expected_failures.items():
        assert out[key] == expected, key
    assert "already dropped" in out["afterDrop"][1] and "is not a blob" in out["wrongType"][1]
    assert out["unknown"] == [
        "type",
        f"{get}: self: {{'resource': 'counter', 'handle': 99}} is not a handle this instance gave",
    ]
    assert out["notHandle"] == ["type", "drop: the handle: 7 is not a resource handle {resource, handle}"]
    assert out["usable"] == usable == 7
    assert out["kept"] == kept and out["afterTrap"] == after_trap
    assert out["closed"] == ["closed", "the instance is closed"]


LINKED = """async ([provider, demo, blobs, res]) => {
    const rt = window.pywasiRuntime;
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    const out = {};
    const host = await rt.instantiate(bytes(provider));
    const app = await rt.instantiate(bytes(demo), { imports: { "example:demo/host": host } });
    out.calls = [];
    for (const [name, args] of calls) out.calls.push(await app.call(`example:demo/shapes#${name}`, ...args));
    out.direct = await host.call("example:demo/host#checked-half", 8);  // both stay callable
    out.early = await failure(host.close());  // app still imports it
    await app.close();
    await host.close();
    out.closedGiven = await failure(rt.instantiate(bytes(demo), { imports: { "example:demo/host": host } }));
    out.notExported = await failure((async () => {
        const other = await rt.instantiate(bytes(blobs));
        try {
            return await rt.instantiate(bytes(demo), { imports: { "example:demo/host": other } });
        } finally {
            await other.close();
        }
    })());
    const blobProvider = await rt.instantiate(bytes(blobs));
    const counters = await rt.instantiate(bytes(res), { imports: { "example:res/blobs": blobProvider } });
    out.resources = await counters.call("example:res/counters#blob-test", 0);
    out.misuse = await failure(counters.call("example:res/counters#blob-test", 4));
    await counters.close();
    await blobProvider.close();
    out.runAfter = (await rt.run("examples/hello.wasm", { args: ["after"] })).stdout;
    return out;
}"""


def test_a_page_links_components_at_run_time(page: Any) -> None:
    """An open instance given in another's `imports` satisfies them with its exports, as
    Program.instantiate(imports={...: other.exports[...]}) does on CPython, resources included."""
    from tests.component.test_composition import CALLS as LINKED_CALLS

    provider_wasm, blobs_wasm = (
        native("provider", "provider", "demo"),
        native("blobs", "blob-provider", "res"),
    )
    provider = Program(provider_wasm).instantiate()
    demo = Program(native("demo")).instantiate(
        imports={"example:demo/host": provider.exports["example:demo/host"]}
    )
    expected = [demo.exports["example:demo/shapes"][name](*args) for name, args in LINKED_CALLS]
    direct = provider.exports["example:demo/host"].checked_half(8)
    blobs = Program(blobs_wasm).instantiate().exports["example:res/blobs"]
    counters = (
        Program(native("res"))
        .instantiate(imports={"example:res/blobs": blobs})
        .exports["example:res/counters"]
    )
    resources = counters.blob_test(0)
    misuse = _failure("example:res/counters#blob-test", lambda: counters.blob_test(4))

    script = LINKED.replace("of calls)", f"of {json.dumps([[n, list(a)] for n, a in LINKED_CALLS])})")
    out = page.evaluate(
        script, [_bytes(p) for p in (provider_wasm, native("demo"), blobs_wasm, native("res"))]
    )
    assert out["calls"] == expected
    assert out["direct"] == _as_js(direct)
    assert out["early"] == ["linked", "1 open instance(s) import this one's exports: close them first"]
    assert out["closedGiven"][0] == "closed"
    assert out["notExported"] == [
        "module",
        "imports['example:demo/host'] is an instance that exports no example:demo/host",
    ]
    assert out["resources"] == resources == 135
    assert out["misuse"] == misuse and "is a counter, not a blob" in misuse[1]
    assert "after" in out["runAfter"]


STDIN = """async ([liner, echo]) => {
    const rt = window.pywasiRuntime;
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    const a = await rt.instantiate(bytes(liner), { interactive: true });
    const linked = { interactive: true, imports: { "example:liner/source": a } };
    const b = await rt.instantiate(bytes(echo), linked);
    const c = await rt.instantiate(bytes(echo), linked);
    const readA = () => a.call("example:liner/source#read-line");
    const readB = () => b.call("example:liner/sink#read-line");
    const out = { a: [], b: [] };
    c.closeStdin();
    out.c = await c.call("example:liner/sink#read-line");  // end of file: c's stdin only was closed
    b.write("to b\\n");
    a.write("to a\\n");
    out.b.push(await readB());
    out.a.push(await readA());
    const waiting = readA();  // a waits for input; the worker goes on taking messages
    b.write("second b\\n");
    a.write("second a\\n");
    out.a.push(await waiting);
    out.b.push(await readB());
    const bStopped = failure(readB());
    b.cancel("stop b");
    out.cancelledB = await bStopped;
    a.write("third a\\n");
    out.a.push(await readA());  // b's cancel did not reach a
    const aStopped = failure(readA());
    a.cancel("stop a");
    out.cancelledA = await aStopped;
    await c.close();
    await b.close();
    await a.close();
    a.write("ignored");  // a closed instance's input goes nowhere
    out.runAfter = (await rt.run("examples/hello.wasm", { args: ["after"] })).stdout;
    return out;
}"""


def test_linked_instances_each_have_their_own_stdin_and_cancel(page: Any) -> None:
    """With three open instances (two importing the first's export), inst.write, inst.closeStdin and
    inst.cancel reach that instance only, as each Process has its own stdin on CPython. (A cancelled
    call traps its instance, which the canonical ABI then refuses to enter: one cancel each.)"""
    liner, echo = native("liner", "liner", "liner"), native("echo", "echo", "liner")
    provider = Program(liner).instantiate(stdin=b"to a\nsecond a\nthird a\n")
    user = Program(echo).instantiate(
        stdin=b"to b\nsecond b\n", imports={"example:liner/source": provider.exports["example:liner/source"]}
    )
    lines_a = [provider.call("example:liner/source#read-line") for _ in range(3)]
    lines_b = [user.call("example:liner/sink#read-line") for _ in range(2)]
    assert lines_a == ["to a", "second a", "third a"] and lines_b == ["to b", "second b"]

    out = page.evaluate(STDIN, [_bytes(liner), _bytes(echo)])
    assert out["a"] == lines_a and out["b"] == lines_b and out["c"] == ""
    assert out["cancelledB"][0] == "timeout" and "stop b" in out["cancelledB"][1]
    assert out["cancelledA"][0] == "timeout" and "stop a" in out["cancelledA"][1]
    assert "after" in out["runAfter"]


JS_RESOURCES = """async (res) => {
    const rt = window.pywasiRuntime;
    const bytes = Uint8Array.from(atob(res), (c) => c.charCodeAt(0));
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    const c = (name) => `example:res/counters#${name}`;
    const blobs = {
        Blob: class Blob {
            constructor(data) { this.data = Uint8Array.from(data); }
            size() { return this.data.length; }
            read() { return this.data; }
            static merge(a, b) { return new Blob([...a.data, ...b.data]); }
            [Symbol.dispose]() { (globalThis.disposed ??= []).push([...this.data]); }
        },
        makeBlob: (n) => new Blob(new Uint8Array(n)),  // the Blob given beside it
    };
    const given = (replace) => ({ imports: { "example:res/blobs": { ...blobs, ...replace } } });
    const out = {};
    const inst = await rt.instantiate(bytes, given({}));
    out.test = await inst.call(c("blob-test"), 0);
    out.merged = [...await inst.call(c("merged"), 2)];
    const kept = await inst.call(c("new-blob"), new Uint8Array([1, 2, 3]));
    const moved = await inst.call(c("new-blob"), new Uint8Array([4, 5]));
    out.handles = [kept, moved];
    out.inspect = await inst.call(c("inspect"), kept, true);
    out.take = await inst.call(c("take-blob"), moved);
    out.movedAgain = await failure(inst.call(c("take-blob"), moved));
    out.notGiven = await failure(inst.call(c("take-blob"), { resource: "blob", handle: 99 }));
    await inst.drop(kept);
    out.twice = await failure(inst.call(c("blob-test"), 2));  // the guest drops a handle twice
    await inst.close();
    const fails = async (replace, name, ...args) => {
        const failing = await rt.instantiate(bytes, given(replace));
        try {
            return await failure(failing.call(c(name), ...args));
        } finally {
            await failing.close();
        }
    };
    const imposter = () => new (class Imposter { size() { return 0; } })();
    out.imposter = await fails({ makeBlob: imposter }, "blob-test", 0);
    out.plain = await fails({ makeBlob: (n) => ({ data: new Uint8Array(n) }) }, "blob-test", 0);
    // each class is sent as its source: it extends nothing of the page's
    const Failing = class Blob {
        constructor(data) { if (!data.length) throw new RangeError("no blob"); }
        size() { throw new Error("no size"); }
        read() { return new Uint8Array(); }
        static merge() { return new Blob([0]); }
    };
    out.constructorThrows = await fails({ Blob: Failing }, "new-blob", []);
    out.methodThrows = await fails({ Blob: Failing }, "blob-test", 0);
    const partial = class Blob { read() {} static merge() {} };
    out.missing = await failure(rt.instantiate(bytes, given({ Blob: partial })));
    // a method shorthand: its source is not an expression
    out.shorthand = await failure(rt.instantiate(bytes, given({ makeBlob(n) { return n; } })));
    return out;
}"""


class _Recorded(Blob):
    """blob_host.Blob recording the bytes of each blob dropped, as the page's class records each
    one disposed of."""

    dropped_data: ClassVar[list[list[int]]] = []

    def drop(self) -> None:
        super().drop()
        _Recorded.dropped_data.append(list(self.data))

    @staticmethod
    def merge(a: Blob, b: Blob) -> Blob:
        return _Recorded(a.data + b.data)


class _RecordedBlobs(Blobs):
    Blob = _Recorded

    def make_blob(self, n: int) -> Blob:
        return _Recorded(bytes(n))


def test_a_page_gives_a_component_a_resource_as_a_js_class(page: Any) -> None:
    """res.wasm with example:res/blobs given as a JS class (new, methods, a static given two
    borrows, Symbol.dispose) in Chromium gives what it gives with tests/component/blob_host.py's
    Python class on CPython, each blob disposed of once when dropped; a host blob reaches the page
    as a handle; a wrong or failing class rejects with kind "import", naming the function."""
    _Recorded.dropped_data = []
    process = Program(native("res")).instantiate(imports={"example:res/blobs": _RecordedBlobs()})
    counters = process.exports["example:res/counters"]
    kept = counters.new_blob(b"\x01\x02\x03")
    expected = {
        "test": counters.blob_test(0),
        "merged": list(counters.merged(2)),
        "inspect": counters.inspect(kept, True),
        "take": counters.take_blob(counters.new_blob(b"\x04\x05")),
    }
    kept.drop()
    twice = _failure("example:res/counters#blob-test", lambda: counters.blob_test(2))

    worker = next(worker for worker in page.workers if worker.url.endswith("/worker.js"))
    worker.evaluate("globalThis.disposed = []")
    out = page.evaluate(JS_RESOURCES, _bytes(native("res")))
    assert {key: out[key] for key in expected} == expected
    assert expected == {"test": 135, "merged": [0, 0, 120, 121, 122], "inspect": 3, "take": 2}
    assert worker.evaluate("globalThis.disposed") == _Recorded.dropped_data
    xyz = list(b"xyz")
    # blob-test's two, merged's three, take-blob's, the page's drop, blob-test(2)'s first drop (once)
    assert _Recorded.dropped_data == [[0] * 5, xyz, [0, 0], xyz, [0, 0, *xyz], [4, 5], [1, 2, 3], [0] * 5]
    assert out["handles"] == [{"resource": "blob", "handle": 0}, {"resource": "blob", "handle": 1}]
    take = "example:res/counters#take-blob"
    assert out["movedAgain"] == [
        "type",
        f"{take}: b: {{'resource': 'blob', 'handle': 1}} was already dropped or moved",
    ]
    assert out["notGiven"] == [
        "type",
        f"{take}: b: {{'resource': 'blob', 'handle': 99}} is not a handle this instance gave",
    ]
    assert out["twice"] == twice and "unknown handle" in twice[1]
    does_not_fit = (
        "example:res/blobs#make-blob (given in imports) returned a value that does not fit: its result: "
    )
    assert out["imposter"] == ["import", f"{does_not_fit}[object Object] is not a blob (an instance of Blob)"]
    assert out["plain"][0] == "import" and out["plain"][1].startswith(does_not_fit + "{'data': ")
    assert out["plain"][1].endswith("is not a blob (an instance of Blob)")
    assert out["constructorThrows"] == [
        "import",
        "example:res/blobs#[constructor]blob (given in imports) threw RangeError: no blob",
    ]
    assert out["methodThrows"] == [
        "import",
        "example:res/blobs#[method]blob.size (given in imports) threw Error: no size",
    ]
    assert out["missing"][0] == "module"
    assert "imports['example:res/blobs'].Blob does not give (a method 'size')" in out["missing"][1]
    assert out["shorthand"][0] == "module"
    assert out["shorthand"][1].startswith(
        "the import example:res/blobs.makeBlob is not a JS function: SyntaxError"
    )
