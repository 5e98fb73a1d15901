"""The browser engine: the page's own WebAssembly, driven from Pyodide through the `js` module.

Costs that shaped it (Chromium 156, Pyodide 314.0.7; see ARCHITECTURE.md):

- A guest -> Python import is a PyProxy (~0.3-0.5 us) behind a small JS function of the
  instance's `bridge` (js_bridge.js), which notes the guest memory size on entry and applies
  JsMemory's deferred stores on return. Imports are proxied once per instance and the proxies
  destroyed at teardown. An instance is linked, instantiated and its memory attached in one call
  (the bridge's `link`), and an export is fetched in one (`exported`): from Python, each lookup
  of a JS attribute (`js.Uint8Array`, `instance.exports.name`) costs 0.1-0.2 ms, which made up
  most of a small guest's per-run cost.
- Blocking (JSPI): each import that may wait is wrapped in `WebAssembly.Suspending`, and the guest is
  started with `WebAssembly.promising` and awaited with `run_sync` (so the caller must have been
  entered with `callPromising`). A blocking import is first tried as a plain synchronous call
  (~0.5 us); only when it reaches `JsWaiter.wait` does it raise `MustSuspend`, and the wrapper
  re-runs it with `callPromising` (stack switching), where the wait is a `run_sync` on a promise
  that `notify()` or a timer resolves. Calling every blocking import through `callPromising`
  would cost ~10 us a call even when nothing waits.
  Abandoning the synchronous try is safe because the kernel says so: an operation that must
  wait reports WouldBlock before any side effect (kernel/waiting.py), and preview1 waits only then.
  Without JSPI in a cross-origin isolated page, channel.AtomicsWaiter blocks the worker in Atomics.wait.
- Guest memory: each Python -> JS call costs ~0.7 us, so JsMemory makes as few as it can: result
  stores (u32/u64) are deferred to a log that JS applies when the import returns, an iovec table
  and the small buffers it points at come over in one call, bounds are checked against the size JS
  noted on entry. Copies go through a scratch bytearray in Pyodide's heap and one JS `set`, large
  ones through `subarray().to_bytes()` / `assign`.
- Values: each import gets an adapter generated for its signature from engines/values.py (an i32
  arrives as a signed number, an i64 as a BigInt; a pointer is made unsigned, a filedelta stays
  signed, as abi/signatures.py types them). Exports are called with i64 arguments made BigInts in
  JS and their results decoded the same way, so Python sees plain ints and floats.

Errors: a compile failure becomes ModuleError with the browser's message; WebAssembly.RuntimeError
(and stack exhaustion) becomes GuestTrap with the JS stack's wasm frames as backtrace; any Python
exception raised by an import (ProcExit included) is parked before it unwinds the guest as a JS
exception, and `call` re-raises the parked original.

Importable on CPython (for type checking); `js` and `pyodide` are imported only when used.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from pywasi_web.abi.signatures import MODULE, SIGNATURES
from pywasi_web.engines.base import CompiledModule, CoreStore, ExportSpec, HostFunction, ImportSpec
from pywasi_web.engines.memory_cap import cap_memory
from pywasi_web.engines.validation import check_header, check_imports
from pywasi_web.engines.values import (
    JS_VALUE,
    ExportCall,
    compile_function,
    converter,
    expressions,
    import_kinds,
    wasi_function,
)
from pywasi_web.engines.wasm_reader import read_module
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.preview1.fast_paths import (
    CLOCK_FUNCTION,
    KEEP_REUSABLE_OPENS,
    ClockRule,
    Described,
    FastPaths,
    Record,
)
from pywasi_web.preview1.memory import Fault

SCRATCH_SIZE = 1 << 16
PREFETCH_LIMIT = 4096  # iovec bytes copied along with their table: enough for small writes
LOG_CAPACITY = 64  # deferred u32 stores per import before they are written at once


class MustSuspend(BaseException):
    """A blocking import reached a wait during its synchronous try: re-run it with stack switching."""


@cache  # the lookup costs ~1.4 ms, and JsWaiter.wait asks on every wait that must suspend
def jspi_available() -> bool:
    import js

    return hasattr(js.WebAssembly, "Suspending") and hasattr(js.WebAssembly, "promising")


@cache
def bridge_source() -> str:
    """js_bridge.js's text. The worker reads it before its memory snapshot is taken
    (web/interpreter.js), so a warm boot's first run finds it in the heap: reading it from the
    wheel's zip parses the zip's directory first (~10-25 ms in the browser)."""
    return resources.files(__package__).joinpath("js_bridge.js").read_text()


_helpers_cache: list[Any] = []


def _helpers() -> Any:
    """js_bridge.js's helpers (`bridge` is per instance: every import is entered through it)."""
    if not _helpers_cache:
        from pyodide.code import run_js

        _helpers_cache.append(run_js(bridge_source()))
    return _helpers_cache[0]


class JsWaiter:
    """The browser's Waiter: a promise resolved by notify() or a timer, awaited with run_sync (JSPI).

    Inside a blocking import's synchronous try it raises MustSuspend so that the import is re-run
    where stack switching is possible. Without JSPI a wait that would block is an error, never a busy loop.
    """

    def __init__(self) -> None:
        self._resolve: Any = None
        self._generation = 0
        self._cancelled: str | None = None

    def wait(self, timeout: float | None) -> None:
        from pyodide.ffi import can_run_sync, create_once_callable, run_sync

        if self._cancelled is not None:
            raise GuestTimeout(self._cancelled)
        if timeout is not None and timeout <= 0:
            return
        if not can_run_sync():
            if jspi_available():
                raise MustSuspend()
            raise GuestTimeout("the guest waits for input, but this browser cannot block (no JSPI)")
        import js

        generation = self._generation
        timer = None

        def executor(resolve: Any, _reject: Any) -> None:
            nonlocal timer
            self._resolve = resolve
            if timeout is not None:
                timer = _helpers().timer(max(0, round(timeout * 1000)), resolve)

        executor_proxy = create_once_callable(executor)
        promise = js.Promise.new(executor_proxy)
        try:
            if generation == self._generation:
                run_sync(promise)
        finally:
            self._resolve = None
            if timer is not None:
                js.clearTimeout(timer)
        if self._cancelled is not None:
            raise GuestTimeout(self._cancelled)

    def notify(self) -> None:
        self._generation += 1
        resolve, self._resolve = self._resolve, None
        if resolve is not None:
            resolve()

    def cancel(self, reason: str) -> None:
        self._cancelled = reason
        self.notify()


class JsModule:
    def __init__(self, module: Any, imports: list[ImportSpec], exports: list[ExportSpec]) -> None:
        self.module = module
        self._imports = imports
        self._exports = exports
        self._functions = {spec.name: spec for spec in exports if spec.kind == "func"}
        self._signatures: dict[str, _ExportSignature] = {}

    def signature(self, name: str) -> _ExportSignature:
        """An exported function's signature, made on first use and kept with the compiled module
        (a run of a cached module generates no conversion code)."""
        signature = self._signatures.get(name)
        if signature is None:
            spec = self._functions.get(name)
            if spec is None:
                raise ModuleError(f"the module has no exported function {name!r}")
            signature = self._signatures[name] = _ExportSignature(name, spec.params, spec.results)
        return signature

    @property
    def imports(self) -> Sequence[ImportSpec]:
        return self._imports

    @property
    def exports(self) -> Sequence[ExportSpec]:
        return self._exports


class _Iovecs(list[tuple[int, int]]):
    """iovec pairs that remember where they came from and whether their bytes already sit in scratch."""

    __slots__ = ("epoch", "iov_count", "iov_ptr", "prefetched")
    iov_ptr: int
    iov_count: int
    prefetched: int  # bytes copied after the table in scratch, or -1
    epoch: int  # JsMemory's scratch epoch when they were copied


class JsMemory:
    """GuestMemory over a WebAssembly.Memory.

    Small copies go through the bridge's scratch buffer (one JS call each); aligned u32/u64 stores
    made inside an import are deferred to the bridge's log, which JS applies when the import
    returns (outside an import they are written at once). Bounds come from the page count JS puts
    in the log on entry to each import, so a check costs no JS call.
    """

    def __init__(self, bridge: _Bridge) -> None:
        """Over the memory `bridge.link` attached to the bridge, with bridge.scratch."""
        # the bridge's functions, looked up once: each attribute of a JS object read from Python
        # is a crossing of its own (the calls below are on every import's path)
        js = bridge.js
        self._views, self._flush_log, self._get, self._put = js.views, js.flush, js.get, js.put
        self._copy_iovecs, self._gather = js.iovecs, js.gather
        self._log = bridge.log
        self._scratch = bridge.scratch
        self._scratch_view = memoryview(self._scratch)
        self._scratch_words = self._scratch_view.cast("I")
        self._scratch_epoch = 0
        self._refresh(0)

    def _refresh(self, pages: int) -> None:
        # one call (an attribute of `js` such as js.Uint8Array costs ~0.1 ms to look up)
        self._u8, self._u32 = self._views()
        self._size = self._u8.length
        self._pages = pages

    def _check(self, ptr: int, length: int) -> None:
        pages = self._log[1]
        if pages != self._pages or (pages == 0 and self._u8.length != self._size):
            self._refresh(pages)
        if ptr < 0 or length < 0 or ptr + length > self._size:
            raise Fault(f"guest range {ptr}+{length} outside memory of {self._size} bytes")

    def _flush(self) -> None:
        """Apply deferred stores before touching guest memory through a typed array."""
        if self._log[0]:
            self._flush_log()

    def _store(self, ptr: int, value: int) -> None:
        """An aligned u32 store: deferred inside an import while the log has room."""
        log = self._log
        pending = log[0]
        if log[1] and pending < LOG_CAPACITY:
            at = 2 + 2 * pending
            log[at] = ptr
            log[at + 1] = value
            log[0] = pending + 1
        else:
            self._flush()
            self._u32[ptr >> 2] = value

    def check(self, ptr: int, length: int) -> None:
        self._check(ptr, length)

    def read(self, ptr: int, length: int) -> bytes:
        self._check(ptr, length)
        if length <= SCRATCH_SIZE:
            self._scratch_epoch += 1
            self._get(ptr, length)
            return bytes(self._scratch_view[:length])
        self._flush()
        return bytes(self._u8.subarray(ptr, ptr + length).to_bytes())

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        length = len(data)
        self._check(ptr, length)
        if length <= SCRATCH_SIZE:
            self._scratch_epoch += 1
            self._scratch_view[:length] = data
            self._put(ptr, length)
        else:
            self._flush()
            self._u8.subarray(ptr, ptr + length).assign(data)

    def u32(self, ptr: int) -> int:
        self._check(ptr, 4)
        if ptr & 3 == 0:
            self._flush()
            return int(self._u32[ptr >> 2])
        return int.from_bytes(self.read(ptr, 4), "little")

    def set_u32(self, ptr: int, value: int) -> None:
        self._check(ptr, 4)
        if ptr & 3 == 0:
            self._store(ptr, value & 0xFFFFFFFF)
        else:
            self.write(ptr, (value & 0xFFFFFFFF).to_bytes(4, "little"))

    def set_u64(self, ptr: int, value: int) -> None:
        self._check(ptr, 8)
        if ptr & 3 == 0:
            self._store(ptr, value & 0xFFFFFFFF)
            self._store(ptr + 4, (value >> 32) & 0xFFFFFFFF)
        else:
            self.write(ptr, (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"))

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        """One JS call copies the table and, when small, the bytes it points at (for gather)."""
        self._check(ptr, count * 8)
        self._scratch_epoch += 1
        prefetched = self._copy_iovecs(ptr, count, PREFETCH_LIMIT)
        if prefetched == -1:
            raise Fault("an iovec lies outside memory")
        if prefetched == -2:
            raw = self.read(ptr, count * 8)
            words = memoryview(raw).cast("I")
        else:
            words = self._scratch_words[: 2 * count]
        pairs = _Iovecs(zip(words[0::2], words[1::2], strict=True))
        pairs.iov_ptr, pairs.iov_count = ptr, count
        pairs.prefetched, pairs.epoch = prefetched, self._scratch_epoch
        return pairs

    def gather(self, iovs: list[tuple[int, int]]) -> bytes:
        if isinstance(iovs, _Iovecs):
            if iovs.prefetched >= 0 and iovs.epoch == self._scratch_epoch:
                table = 8 * iovs.iov_count
                return bytes(self._scratch_view[table : table + iovs.prefetched])
            self._scratch_epoch += 1
            total = self._gather(iovs.iov_ptr, iovs.iov_count)
            if total >= 0:
                return bytes(self._scratch_view[:total])
            if total == -1:
                raise Fault("an iovec lies outside memory")
        if len(iovs) == 1:
            buf, length = iovs[0]
            return self.read(buf, length)
        return b"".join([self.read(buf, length) for buf, length in iovs])

    def scatter(self, iovs: list[tuple[int, int]], data: bytes | bytearray | memoryview) -> int:
        if len(iovs) == 1 and len(data) <= iovs[0][1]:  # a read's usual case: one copy, no slicing
            if data:
                self.write(iovs[0][0], data)
            return len(data)
        src = memoryview(data)
        done = 0
        for buf, length in iovs:
            chunk = src[done : done + length]
            if len(chunk):
                self.write(buf, chunk)
            done += len(chunk)
            if done >= len(src):
                break
        return done


class JsInstance:
    """A WebAssembly.Instance with its import proxies; `close()` destroys them."""

    def __init__(
        self, module: JsModule, memory: Any, proxies: list[Any], bridge: _Bridge, suspending: bool
    ) -> None:
        self._module = module
        self._proxies = proxies
        self._bridge = bridge
        self._closed = False
        self._suspending = suspending
        self._functions: dict[tuple[str, bool], Any] = {}
        self.pending: BaseException | None = None
        self.interrupt_reason: str | None = None
        self._memory = JsMemory(bridge) if memory is not None else None

    @property
    def memory(self) -> JsMemory | None:
        return self._memory

    def _export(self, signature: _ExportSignature, promising: bool) -> Any:
        """The export as a JS function taking what `ExportCall.arguments` gives, looked up once
        in one crossing (`instance.exports.name` looked up from Python costs 70-170 µs)."""
        key = (signature.name, promising)
        function = self._functions.get(key)
        if function is None:
            function = self._bridge.js.exported(signature.name, signature.int64, promising)
            if function is None:
                raise ModuleError(f"the module has no exported function {signature.name!r}")
            self._functions[key] = function
        return function

    def call(self, export: str, *args: Any) -> Any:
        try:
            return self._call(export, *args)
        finally:
            self._bridge.settle()

    def _call(self, name: str, *args: Any) -> Any:
        from pyodide.ffi import JsException, can_run_sync, run_sync

        signature = self._module.signature(name)
        arguments = signature.arguments(args)
        self.pending = None
        try:
            if self._suspending and can_run_sync():
                result = run_sync(self._export(signature, True)(*arguments))
            else:
                result = self._export(signature, False)(*arguments)
        except MustSuspend:
            raise
        except BaseException as failure:
            parked, self.pending = self.pending, None
            if parked is not None:
                raise parked from None
            if isinstance(failure, JsException | Exception):
                raise self._translate(failure) from None
            raise
        parked, self.pending = self.pending, None
        if parked is not None:  # an import raised, but the guest went on (should not happen)
            raise parked
        return signature.result(result)

    def _translate(self, failure: BaseException) -> BaseException:
        from pyodide.ffi import JsException

        if not isinstance(failure, JsException):
            return failure
        return guest_failure(failure, self.interrupt_reason, "the guest trapped")

    def interrupt(self, reason: str) -> None:
        """Remembered; a guest waiting in an import is stopped by the waiter's cancel()."""
        self.interrupt_reason = reason

    def close(self) -> None:
        """Destroy the import proxies and the bridge's buffers (the instance is unusable afterwards)."""
        if self._closed:
            return
        self._closed = True
        self._bridge.release()  # the import adapters' proxies too
        self._memory = None
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()
        self._functions.clear()


class _ExportSignature(ExportCall):
    """An exported function's signature as the browser calls it: i64 arguments made BigInts in JS
    (a small Python int would arrive as a Number, which an i64 parameter refuses; `int64` has a
    "1" for each such parameter, else "0"), results decoded by kind. Made once per module and name."""

    def __init__(self, name: str, params: tuple[str, ...], results: tuple[str, ...]) -> None:
        super().__init__(name, params, results)
        self.int64 = "".join("1" if kind == "i64" else "0" for kind in params)
        self.result = converter(JS_VALUE, self.result_kinds, single=True)


def _wasm_frames(stack: str) -> str:
    frames = [
        line.strip() for line in stack.splitlines() if "wasm" in line and line.strip().startswith("at ")
    ]
    return "\n".join(f"  {frame.removeprefix('at ')}" for frame in frames)


def guest_failure(error: Any, interrupt_reason: str | None, trapped: str) -> Exception:
    """What a JS exception out of a call into the guest means for Python: the interruption's
    GuestTimeout for a trap after interrupt(), else a GuestTrap (`trapped` introduces a trap's
    message) with the guest's wasm frames."""
    kind, message, stack = _helpers().describe(error)
    if kind == "trap":
        if interrupt_reason is not None:
            return GuestTimeout(interrupt_reason)
        return GuestTrap(f"{trapped}: {message}", _wasm_frames(stack))
    if kind == "suspend":
        return GuestTrap(f"the guest tried to block outside WebAssembly.promising: {message}")
    return GuestTrap(f"the guest failed: {message}", stack)


# Compiled modules by (SHA-256 of the bytes, memory cap), most recently used last: a
# WebAssembly.Module can be instantiated any number of times.
_COMPILED: dict[tuple[bytes, int | None], JsModule] = {}
COMPILED_LIMIT = 16
# A WebAssembly.Module the worker compiled from a guest's HTTP response (compileStreaming, which V8
# may answer with the code it kept from an earlier page load), by the SHA-256 of its bytes: taken by
# the next compile() of those bytes, in place of compiling them (see offer_compiled).
_offered: list[tuple[bytes, Any]] = []


def wants_compiled(digest: str, max_memory: int | None = None) -> bool:
    """Whether the worker should compile the guest whose bytes have this SHA-256 (hex) itself and
    offer_compiled it: not when this runtime has it compiled already (the content-hash cache comes
    first), nor with a memory cap, which compiles other bytes (memory_cap)."""
    return max_memory is None and (bytes.fromhex(digest), None) not in _COMPILED


def offer_compiled(digest: str, module: Any) -> None:
    """Hand compile() the WebAssembly.Module the worker compiled from the bytes with this SHA-256
    (hex), so that they are not compiled twice. Only the next compile() takes it, and only if its
    bytes have that digest: the worker offers a module just before it runs the guest."""
    _offered[:] = [(bytes.fromhex(digest), module)]


class JsEngine:
    """The browser's WebAssembly engine, used from Pyodide."""

    name = "browser"

    def __init__(self, *, jspi: bool | None = None, max_memory: int | None = None) -> None:
        """jspi: wrap blocking imports for JSPI (default: when the browser has it and the instance is
        made where stack switching is possible, in code entered with callPromising).

        max_memory: cap each instance's linear memory in bytes, as WasmtimeEngine(max_memory=)
        does: past it `memory.grow` fails (the module's declared maximum is lowered; see memory_cap).
        """
        self._jspi = jspi
        self.max_memory = max_memory

    def compile(self, wasm: bytes) -> CompiledModule:
        """The compiled module, from the worker's cache when these bytes were compiled before (with
        the same memory cap): a run of a module already seen compiles and parses nothing."""
        key = (hashlib.sha256(wasm).digest(), self.max_memory)
        offered = _offered.pop() if _offered else (b"", None)  # only this compile may take it
        compiled = _COMPILED.pop(key, None)
        if compiled is None:
            taken = offered[0] == key[0] and self.max_memory is None
            compiled = self._compile(wasm, offered[1] if taken else None)
            while len(_COMPILED) >= COMPILED_LIMIT:
                del _COMPILED[next(iter(_COMPILED))]  # the least recently used
        _COMPILED[key] = compiled
        return compiled

    def _compile(self, wasm: bytes, module: Any = None) -> JsModule:
        """`module`: the one the worker compiled from these bytes (offer_compiled), else None."""
        import js
        from pyodide.ffi import JsException, to_js

        check_header(wasm)
        if self.max_memory is not None:
            wasm = cap_memory(wasm, self.max_memory)
        try:
            if module is None:
                module = js.WebAssembly.Module.new(to_js(wasm))
        except JsException as error:
            message = str(getattr(error, "message", error)).removeprefix("WebAssembly.Module(): ")
            raise ModuleError(f"invalid WebAssembly module: {message}") from None
        # The JS API lists imports and exports without their types; read them from the bytes instead.
        types = read_module(wasm)
        return JsModule(module, types.imports, types.exports)

    def instantiate(
        self,
        module: CompiledModule,
        functions: Mapping[tuple[str, str], HostFunction],
        *,
        blocking: frozenset[tuple[str, str]] = frozenset(),
        fast: FastPaths | None = None,
    ) -> JsInstance:
        from pyodide.ffi import JsException, to_js

        assert isinstance(module, JsModule)
        check_imports(module.imports, functions)
        jspi = self._jspi
        if jspi is None:  # JSPI needs a caller entered with callPromising (run_sync possible)
            from pyodide.ffi import can_run_sync

            jspi = jspi_available() and can_run_sync()
        bridge = _Bridge()
        link = _Link()
        proxies: list[Any] = []
        entries: list[list[Any]] = []
        linked: set[tuple[str, str]] = set()
        suspending = False
        hot = None
        if fast is not None:
            hot = _described(bridge, _hot_files(bridge, fast.files, proxies), fast.described, proxies)
        clock = _clock_table(fast.clock) if fast is not None else None
        for spec in module.imports:
            key = (spec.module, spec.name)
            if key in linked:
                continue  # imported twice (check_imports saw the same type): one function serves both
            linked.add(key)
            function = functions[key]
            if getattr(function, "typeof", None) == "function":  # a JS function: linked as it is
                entries.append([spec.module, spec.name, function, "js", None, None, False])
                continue
            suspends = jspi and key in blocking
            suspending = suspending or suspends
            kinds = import_kinds(spec.module, spec.name, spec.params, spec.results)
            adapter = _adapt(
                function, kinds, len(spec.results), link, suspends=suspends, closes=bridge.closes
            )
            clocked = clock is not None and key == (MODULE, CLOCK_FUNCTION)
            mode = "suspending" if suspends else "clock" if clocked else "wrap"
            answer = spec.name.removeprefix("fd_") if hot is not None and key in HOT_IMPORTS else None
            typed = spec.results and not wasi_function(spec.module, spec.name, spec.params, spec.results)
            keeps = hot is not None and spec.module == MODULE and spec.name in KEEP_REUSABLE_OPENS
            entries.append(
                [spec.module, spec.name, adapter, mode, answer, list(spec.results) if typed else None, keeps]
            )
        rule = None if clock is None else to_js(clock, dict_converter=_helpers().fromEntries)
        try:  # one crossing; to_js makes the adapters' proxies, which the bridge destroys at release
            memory = bridge.link(module.module, to_js(entries), hot, rule)
        except JsException as error:
            bridge.release()
            for proxy in proxies:
                proxy.destroy()
            kind, message, stack = _helpers().describe(error)
            if kind == "trap":
                raise GuestTrap(
                    f"the module's start function trapped: {message}", _wasm_frames(stack)
                ) from None
            raise ModuleError(f"cannot instantiate: {message}") from None
        wrapped = JsInstance(module, memory, proxies, bridge, suspending)
        link.instance = wrapped
        return wrapped

    def core_store(self) -> CoreStore:
        from pywasi_web.engines.js_core import JsCoreStore

        return JsCoreStore(self)


def _clock_table(rule: ClockRule) -> dict[str, Any] | None:
    """preview1's clock rule as the table js_bridge.js's `clock` answers from: the JS source of
    each clock id whose reader has one, and where the id and the result pointer are.

    Pyodide's CPython reads time.time_ns through emscripten's clock_time_get, which is Date.now(),
    and time.monotonic_ns through performance.now() (playwright/test_worker.py checks that poll
    deadlines, computed in Python, agree with these readings). The CPU-time clocks are not
    performance.now() there, so a reader not listed here keeps the call in Python.
    """
    import time

    native = {time.time_ns: 0, time.monotonic_ns: 1}
    sources: list[int | None] = [None] * (max(rule.readers, default=-1) + 1)
    for clock_id, reader in rule.readers.items():
        sources[clock_id] = native.get(reader)
    if all(source is None for source in sources):
        return None
    return {"sources": sources, "idArg": rule.id_param, "resultArg": rule.result_param}


_JS_SAFE_INTEGER = (1 << 53) - 1


HOT_IMPORTS = frozenset(
    (MODULE, name)
    for name in (
        "fd_write",
        "fd_seek",
        "fd_fdstat_get",
        "fd_filestat_get",
        "fd_read",
        "fd_close",
        "path_open",
    )
)
# The output gatherer's flush policy (js_bridge.js `gatherer`, the one gatherer of stdout and
# stderr): a write after this long without output is delivered at once, later ones when their
# batch is this old or this large.
OUTPUT_FLUSH_SECONDS = 0.03
OUTPUT_FLUSH_BYTES = 1 << 16


class _JsGatherer:
    """kernel/streams.py's Gatherer over the instance's JS gatherer: the writes Python answers."""

    def __init__(self, gatherer: Any) -> None:
        from pyodide.ffi import to_js

        self.js = gatherer
        self._to_js = to_js

    def write(self, stream: int, data: bytes) -> None:
        self.js.write(stream, self._to_js(data))

    def flush(self) -> None:
        self.js.flush()


# The gatherers of the instances alive in this worker, for flush_output.
_GATHERERS: dict[int, _JsGatherer] = {}


def flush_output() -> None:
    """Deliver the output every live instance has gathered: before the worker blocks in
    Atomics.wait, where neither the gatherer's timer nor anything else of its event loop runs."""
    for gatherer in list(_GATHERERS.values()):
        gatherer.flush()


def _hot_files(bridge: _Bridge, files: HotFiles, proxies: list[Any]) -> Any:
    """The JS answers to fd_write and fd_seek on descriptors `files` leases (kernel/hot.py), and
    the instance's output gatherer, through which every gathered stream's writes go."""
    from pyodide.ffi import create_proxy, to_js

    def lease(fd: int) -> Any:
        lease = files.lease(fd, _JS_SAFE_INTEGER)  # positions travel as JS numbers
        if lease is None:
            return files.lease_stream(fd)  # its gatherer key, or None
        return to_js([create_proxy(lease.view), lease.position])

    def settle(fd: int, position: int, written_at_ms: float | None) -> None:
        # Date.now() in ms, converted as Pyodide's time.time_ns() converts it (emscripten)
        files.settle(fd, position, None if written_at_ms is None else round(written_at_ms * 1e3 * 1e3))

    made = [create_proxy(lease), create_proxy(settle)]
    proxies.extend(made)
    gatherer = gather_output(files, proxies)
    bridge.gatherer = gatherer
    return bridge.js.hot(made[0], made[1], gatherer.js)


# the largest file whose bytes an open publishes for fd_read (js_bridge.js `described`), and the
# layout of the record it reads
DESCRIBED_FILE_LIMIT = 4096
_RECORD_LAYOUT = {name: value for name, value in vars(Record).items() if name.isupper()}


def _described(bridge: _Bridge, hot: Any, described: Described, proxies: list[Any]) -> Any:
    """fd_fdstat_get, and fd_filestat_get, fd_read and fd_close of a just-opened descriptor, and
    path_open of a reusable open, answered in JS from what preview1 publishes into a buffer JS
    reads (no crossing); added to `hot`. The bridge has Python apply the closes JS answered
    (`bridge.closes`)."""
    from pyodide.ffi import create_proxy, to_js

    record = bytearray(described.record_size(DESCRIBED_FILE_LIMIT))
    described.listen(record, DESCRIBED_FILE_LIMIT)
    bridge.closes = described
    made = [create_proxy(record), create_proxy(described.settle), create_proxy(described.reopen)]
    proxies.extend(made)
    layout = to_js(_RECORD_LAYOUT, dict_converter=_helpers().fromEntries)
    return bridge.js.described(hot, made[0], made[1], made[2], layout)


def gather_output(files: HotFiles, proxies: list[Any]) -> _JsGatherer:
    """A JS gatherer (the flush policy OUTPUT_FLUSH_*) through which the gatherable output
    streams of `files` deliver their writes, registered for flush_output; its proxy joins
    `proxies`. The one way output is batched in the worker, for core modules and components."""
    from pyodide.ffi import create_proxy

    def deliver(stream: int, data: Any) -> None:
        files.deliver(stream, data.to_bytes())

    proxies.append(deliver_proxy := create_proxy(deliver))
    flush_ms = OUTPUT_FLUSH_SECONDS * 1000
    gatherer = _JsGatherer(_helpers().gatherer(deliver_proxy, flush_ms, OUTPUT_FLUSH_BYTES))
    files.gather_streams(gatherer)
    _GATHERERS[id(gatherer)] = gatherer
    return gatherer


def release_gatherer(gatherer: _JsGatherer) -> None:
    """Deliver what `gatherer` holds and stop flushing it with the others (its instance is gone)."""
    gatherer.flush()
    del _GATHERERS[id(gatherer)]


class _Bridge:
    """The JS side of an instance's imports (`bridge` in js_bridge.js), with the log and the
    scratch buffer it shares with JsMemory."""

    def __init__(self) -> None:
        from pyodide.ffi import create_proxy

        self.log = array("I", bytes(4 * (2 + 2 * LOG_CAPACITY)))
        self.scratch = bytearray(SCRATCH_SIZE)
        self._log_proxy = create_proxy(self.log)
        self._scratch_proxy = create_proxy(self.scratch)
        self.js = _helpers().bridge(self._log_proxy, MUST_SUSPEND)
        self.gatherer: _JsGatherer | None = None
        self.closes: Described | None = None  # set by _described

    def link(self, module: Any, entries: Any, hot: Any, clock: Any) -> Any:
        """Instantiate with the imports `entries` describes (js_bridge.js `link`); the exported
        memory, attached to the bridge with the scratch buffer, or None. The instance stays in JS:
        Python reaches it through `js.exported`."""
        return self.js.link(module, entries, hot, clock, self._scratch_proxy)

    def settle(self) -> None:
        """The end of a call into the guest: leases back to the kernel (kernel/hot.py), output
        delivered, and the descriptor JS closed, if any, closed in the kernel."""
        self.js.settle()
        if self.closes is not None:
            self.closes.closes()

    def release(self) -> None:
        if self.gatherer is not None:
            release_gatherer(self.gatherer)
        self.js.release()
        self._log_proxy.destroy()
        self._scratch_proxy.destroy()


class _Link:
    """What an import adapter needs from the instance that does not exist yet when it is made."""

    __slots__ = ("instance",)

    def __init__(self) -> None:
        self.instance: JsInstance | None = None

    def park(self, error: BaseException) -> None:
        """Keep an import's exception for JsInstance.call, which re-raises the original."""
        if self.instance is not None:
            self.instance.pending = error


_ADAPTER = """
def make(function, park, slots, closes):
    def call({params}):
        try:
            if slots[CLOSED]:
                closes()
            return {result}
        except MustSuspend:
            {on_suspend}
        except BaseException as error:
            park(error)
            raise
    return call
"""
MUST_SUSPEND = -0x7FFFFFFF  # what a suspending import's adapter returns for MustSuspend; no errno


def _adapt(
    function: HostFunction,
    kinds: tuple[str, ...],
    results: int,
    link: _Link,
    *,
    suspends: bool = False,
    closes: Described | None = None,
) -> Callable[..., Any]:
    """An adapter made for the signature: each argument decoded by its kind (engines/values.py),
    several results handed back as a JS array, exceptions parked. Under the `suspending` wrapper
    a MustSuspend becomes the MUST_SUSPEND result (cheap to pass); elsewhere it propagates.
    Before anything else it closes the descriptor JS closed, if any (Described.closes)."""
    slots, apply = (_NOTHING_CLOSED, None) if closes is None else (closes.slots, closes.closes)
    adapter: Callable[..., Any] = _adapter_maker(kinds, results, suspends)(function, link.park, slots, apply)
    return adapter


_NOTHING_CLOSED = memoryview(bytearray(4 * (Record.CLOSED + 1))).cast("i")


def generate_adapters() -> None:
    """Generate the adapter code of every preview1 function imported with WASI's signature, both
    as a suspending import and not. The worker does so before its memory snapshot is taken
    (web/interpreter.js), so a warm boot's first run generates none (each is Python source
    compiled and executed: together ~10-15 ms of a first run of hello.wasm in Chromium)."""
    for name, (params, results) in SIGNATURES.items():
        kinds = import_kinds(MODULE, name, params, results)
        for suspends in (False, True):
            _adapter_maker(kinds, len(results), suspends)


@cache
def _adapter_maker(kinds: tuple[str, ...], results: int, suspends: bool) -> Callable[..., Any]:
    """The adapter's code, generated once per signature (not on every instantiation)."""
    from pyodide.ffi import to_js

    names = [f"a{index}" for index in range(len(kinds))]
    call = f"function({', '.join(expressions(JS_VALUE, kinds, names.__getitem__))})"
    source = _ADAPTER.format(
        params=", ".join(names),
        result=f"to_js(list({call}))" if results > 1 else call,
        on_suspend="return MUST_SUSPEND" if suspends else "raise",
    )
    maker: Callable[..., Any] = compile_function(
        source, "make", MustSuspend=MustSuspend, MUST_SUSPEND=MUST_SUSPEND, to_js=to_js, CLOSED=Record.CLOSED
    )
    return maker
