"""The JS API's twin of Program.instantiate and extra imports (web/pywasi.js): a page instantiates
a reactor (its `_initialize` runs), calls exports with numbers and BigInts, reads and writes its
memory, gives it imports as JS functions, and closes it for its output and files."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import wasmtime

pytestmark = pytest.mark.browser

REACTOR = wasmtime.wat2wasm(
    """(module
      (import "env" "twice" (func $twice (param i32) (result i32)))
      (import "env" "next" (func $next (param i64) (result i64)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (global $base (mut i32) (i32.const 0))
      (func (export "_initialize") (global.set $base (i32.const 100)))
      (func (export "compute") (param i32) (result i32)
        (i32.add (global.get $base) (call $twice (local.get 0))))
      (func (export "next") (param i64) (result i64) (call $next (local.get 0)))
      (func (export "pair") (param f64) (result f64 i64) (f64.mul (local.get 0) (f64.const 2)) (i64.const -1))
      (func (export "say") (param i32 i32) (result i32)
        (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1))
        (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (func (export "quit") (call $exit (i32.const 3))))"""
)

SESSION = """async (wasmBase64) => {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    const rt = window.pywasiRuntime;
    const seen = [];
    const inst = await rt.instantiate(bytes, {
        imports: { env: { twice: (x) => 2 * x, next: (x) => x + 1n } },
        onStdout: (data) => seen.push(new TextDecoder().decode(data)),
    });
    const out = { exports: inst.exports };
    out.compute = await inst.call("compute", 21);
    const next = await inst.call("next", 2n ** 63n - 1n);
    out.next = [typeof next, String(next)];
    out.nextFromNumber = String(await inst.call("next", 5));
    out.pair = (await inst.call("pair", 1.25)).map(String);
    await inst.memory.write(64, new TextEncoder().encode("hello from the page\\n"));
    out.read = new TextDecoder().decode(await inst.memory.read(64, 5));
    out.said = await inst.call("say", 64, 20);
    const failure = (promise) =>
        promise.then(() => "resolved", (error) => [error.kind ?? null, error.message]);
    out.missing = await failure(inst.call("missing"));
    out.arity = await failure(inst.call("compute"));
    out.type = await failure(inst.call("compute", "x"));
    out.exited = await failure(inst.call("quit"));
    try { await inst.memory.read(65530, 100); } catch (error) { out.outside = error.message; }
    const closed = await inst.close();
    out.stdout = closed.stdout;
    out.streamed = seen.join("");
    out.afterClose = await failure(inst.call("compute", 1));
    const run = await rt.run("examples/hello.wasm", { args: ["after"] });
    out.runAfter = run.stdout;
    return out;
}"""


def test_a_page_drives_a_reactor_with_js_imports(page: Any) -> None:
    out = page.evaluate(SESSION, base64.b64encode(REACTOR).decode())
    assert out["exports"]["compute"] == "func" and out["exports"]["memory"] == "memory"
    assert out["compute"] == 142  # _initialize ran, then the JS import
    assert out["next"] == ["bigint", str(-(1 << 63))]  # i64 in and out as BigInts, wrapped
    assert out["nextFromNumber"] == "6"
    assert out["pair"] == ["2.5", "-1"]
    assert out["read"] == "hello"
    assert out["said"] == 0
    # a failed call rejects with an Error whose `kind` says why, as a component's calls do
    assert out["missing"] == ["export", "the module has no exported function 'missing'"]
    assert out["arity"] == ["arity", "compute takes 1 argument, not 0"]
    assert out["type"] == ["type", "compute: invalid literal for int() with base 10: 'x'"]
    assert out["exited"] == ["exit", "the guest exited with code 3"]
    assert "outside memory" in out["outside"]
    assert out["stdout"] == out["streamed"] == "hello from the page\n"
    assert out["afterClose"] == ["closed", "the instance is closed"]
    assert "after" in out["runAfter"]


RUN_WITH_IMPORT = """async ([wasmBase64, code]) => {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    const r = await window.pywasiRuntime.run(bytes, { imports: { env: { code: code ?? (() => 7) } } });
    return [r.exitCode, r.error ?? null];
}"""

COMMAND = wasmtime.wat2wasm(
    """(module
      (import "env" "code" (func $code (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (call $code))))"""
)


def test_a_run_with_a_js_import(page: Any) -> None:
    wasm = base64.b64encode(COMMAND).decode()
    assert page.evaluate(RUN_WITH_IMPORT, [wasm, None]) == [7, None]
    code, error = page.evaluate(RUN_WITH_IMPORT, [wasm, "42"])
    # refused on the page before anything reaches the worker (web/run_options.js)
    assert error == {"kind": "options", "message": 'imports["env"]["code"] must be a function, not "42"'}
    assert code is None


KILL = """async (wasmBase64) => {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    const rt = window.pywasiRuntime;
    const inst = await rt.instantiate(bytes, { imports: { env: { twice: (x) => x, next: (x) => x } } });
    rt.kill("stopped by the test");
    let after = null;
    try { await inst.call("compute", 1); } catch (error) { after = error.message; }
    const run = await rt.run("examples/hello.wasm", { args: ["again"] });
    return [after, run.stdout];
}"""


def test_a_kill_ends_an_open_instance_and_runs_go_on(page: Any) -> None:
    after, stdout = page.evaluate(KILL, base64.b64encode(REACTOR).decode())
    assert after == "the instance is closed"
    assert "again" in stdout
