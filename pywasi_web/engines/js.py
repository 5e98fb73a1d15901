"""The browser engine: the page's own WebAssembly, driven from Pyodide through the `js` module.

Costs that shaped it (Chromium 156, Pyodide 314.0.7; see ARCHITECTURE.md):

- A guest -> Python import is a PyProxy called directly by WebAssembly: ~0.3-0.5 us. Imports are
  proxied once per instance and the proxies destroyed at teardown.
- Blocking (JSPI): each import that may wait is wrapped in `WebAssembly.Suspending`, and the guest is
  started with `WebAssembly.promising` and awaited with `run_sync` (so the caller must have been
  entered with `callPromising`). A blocking import is first tried as a plain synchronous call
  (~0.5 us); only when it reaches `JsWaiter.wait` does it raise `MustSuspend`, and the wrapper
  re-runs it with `callPromising` (stack switching), where the wait is a `run_sync` on a promise
  that `notify()` or a timer resolves. Calling every blocking import through `callPromising`
  would cost ~10 us a call even when nothing waits.
  Contract this relies on: a blocking import does nothing observable before its first wait (true of
  the kernel's stdin, poll_oneoff and socket reads), because the synchronous try is abandoned.
- Guest memory: typed-array views over `memory.buffer`, checked once per import call (views go to
  length 0 when memory grows); small copies go through a scratch bytearray in Pyodide's heap and
  one JS `set`, larger ones through `subarray().to_bytes()` / `assign`.
- i64 parameters arrive as JS BigInt (JsBigInt in Python): converted with int() only for the
  parameters the signature declares i64.

Errors: a compile failure becomes ModuleError with the browser's message; WebAssembly.RuntimeError
(and stack exhaustion) becomes GuestTrap with the JS stack's wasm frames as backtrace; any Python
exception raised by an import (ProcExit included) is parked before it unwinds the guest as a JS
exception, and `call` re-raises the parked original.

Importable on CPython (for type checking); `js` and `pyodide` are imported only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pywasi_web.engines.base import CompiledModule, ExportSpec, HostFunction, ImportSpec
from pywasi_web.engines.validation import check_header, check_imports, read_imports
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.preview1.memory import Fault

SCRATCH_SIZE = 1 << 16

# Small JS helpers, evaluated once per engine. `memoryHelper` copies between guest memory and a
# scratch buffer that lives in Pyodide's heap; `suspendingImport` is the try-sync-then-suspend wrapper.
_JS_HELPERS = r"""
({
  memoryHelper(memory, scratchProxy) {
    let guest = new Uint8Array(memory.buffer);
    let view = new DataView(memory.buffer);
    let pybuf = scratchProxy.getBuffer("u8");
    let scratch = pybuf.data;
    const fresh = () => {
      if (guest.byteLength === 0) {
        guest = new Uint8Array(memory.buffer);
        view = new DataView(memory.buffer);
      }
      if (scratch.byteLength === 0) {
        pybuf.release();
        pybuf = scratchProxy.getBuffer("u8");
        scratch = pybuf.data;
      }
    };
    return {
      // guest[ptr, ptr+n) -> scratch[0, n)
      get(ptr, n) { fresh(); scratch.set(guest.subarray(ptr, ptr + n)); },
      // scratch[0, n) -> guest[ptr, ptr+n)
      put(ptr, n) { fresh(); guest.set(scratch.subarray(0, n), ptr); },
      // concatenate the iovecs at iovs[0..count) into scratch; the total, or -1 if one lies outside
      // memory, or -2 if they do not fit in the scratch buffer
      gather(iovs, count) {
        fresh();
        const size = guest.byteLength;
        if (iovs + count * 8 > size) return -1;
        let total = 0;
        for (let i = 0; i < count; i++) {
          const buf = view.getUint32(iovs + i * 8, true), len = view.getUint32(iovs + i * 8 + 4, true);
          if (buf + len > size) return -1;
          if (total + len > scratch.byteLength) return -2;
          scratch.set(guest.subarray(buf, buf + len), total);
          total += len;
        }
        return total;
      },
      release() { pybuf.release(); },
    };
  },
  suspendingImport(pyfn) {
    return new WebAssembly.Suspending((...args) => {
      try {
        return pyfn(...args);
      } catch (error) {
        if (error && error.type === "MustSuspend") return pyfn.callPromising(...args);
        throw error;
      }
    });
  },
  describe(error) {
    if (error instanceof WebAssembly.RuntimeError) return ["trap", error.message, String(error.stack || "")];
    if (error instanceof RangeError) return ["trap", error.message, String(error.stack || "")];
    if (error && error.name === "SuspendError") return ["suspend", error.message, String(error.stack || "")];
    if (error && error.type) return ["python", String(error.type), String(error.message || "")];
    return ["other", String(error && error.message || error), String(error && error.stack || "")];
  },
  timer(ms, resolve) { return setTimeout(resolve, ms); },
})
"""


class MustSuspend(BaseException):
    """A blocking import reached a wait during its synchronous try: re-run it with stack switching."""


def jspi_available() -> bool:
    import js

    return hasattr(js.WebAssembly, "Suspending") and hasattr(js.WebAssembly, "promising")


_helpers_cache: list[Any] = []


def _helpers() -> Any:
    if not _helpers_cache:
        from pyodide.code import run_js

        _helpers_cache.append(run_js(_JS_HELPERS))
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

    @property
    def imports(self) -> Sequence[ImportSpec]:
        return self._imports

    @property
    def exports(self) -> Sequence[ExportSpec]:
        return self._exports


class _Iovecs(list[tuple[int, int]]):
    """iovec pairs that remember where they came from, so gather can copy them in one JS call."""

    __slots__ = ("iov_count", "iov_ptr")
    iov_ptr: int
    iov_count: int


class JsMemory:
    """GuestMemory over a WebAssembly.Memory, through cached typed arrays (rebuilt after growth)."""

    def __init__(self, memory: Any) -> None:
        import js
        from pyodide.ffi import create_proxy

        self._memory = memory
        self._scratch = bytearray(SCRATCH_SIZE)
        self._scratch_view = memoryview(self._scratch)
        self._scratch_proxy = create_proxy(self._scratch)
        self._helper = _helpers().memoryHelper(memory, self._scratch_proxy)
        self._uint8 = js.Uint8Array
        self._uint32 = js.Uint32Array
        self._fresh = False
        self._refresh()

    def stale(self) -> None:
        """Called on entry to every import: the guest may have grown memory since the last one."""
        self._fresh = False

    def _refresh(self) -> None:
        buffer = self._memory.buffer
        self._u8 = self._uint8.new(buffer)
        self._u32 = self._uint32.new(buffer)
        self._size = buffer.byteLength
        self._fresh = True

    def _check(self, ptr: int, length: int) -> None:
        if not self._fresh:
            if self._u8.length != self._size or self._size == 0:
                self._refresh()
            self._fresh = True
        if ptr < 0 or length < 0 or ptr + length > self._size:
            self._refresh()
            if ptr < 0 or length < 0 or ptr + length > self._size:
                raise Fault(f"guest range {ptr}+{length} outside memory of {self._size} bytes")

    def check(self, ptr: int, length: int) -> None:
        self._check(ptr, length)

    def read(self, ptr: int, length: int) -> bytes:
        self._check(ptr, length)
        if length <= SCRATCH_SIZE:
            self._helper.get(ptr, length)
            return bytes(self._scratch_view[:length])
        return bytes(self._u8.subarray(ptr, ptr + length).to_bytes())

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        length = len(data)
        self._check(ptr, length)
        if length <= SCRATCH_SIZE:
            self._scratch_view[:length] = data
            self._helper.put(ptr, length)
        else:
            self._u8.subarray(ptr, ptr + length).assign(data)

    def u32(self, ptr: int) -> int:
        self._check(ptr, 4)
        if ptr & 3 == 0:
            return int(self._u32[ptr >> 2])
        return int.from_bytes(self.read(ptr, 4), "little")

    def set_u32(self, ptr: int, value: int) -> None:
        self._check(ptr, 4)
        if ptr & 3 == 0:
            self._u32[ptr >> 2] = value & 0xFFFFFFFF
        else:
            self.write(ptr, (value & 0xFFFFFFFF).to_bytes(4, "little"))

    def set_u64(self, ptr: int, value: int) -> None:
        self._check(ptr, 8)
        if ptr & 3 == 0:
            index = ptr >> 2
            self._u32[index] = value & 0xFFFFFFFF
            self._u32[index + 1] = (value >> 32) & 0xFFFFFFFF
        else:
            self.write(ptr, (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"))

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        self._check(ptr, count * 8)
        pairs = _Iovecs()
        pairs.iov_ptr, pairs.iov_count = ptr, count
        if ptr & 3 == 0:
            u32 = self._u32
            base = ptr >> 2
            for index in range(base, base + 2 * count, 2):
                pairs.append((int(u32[index]), int(u32[index + 1])))
        else:
            raw = self.read(ptr, count * 8)
            for offset in range(0, count * 8, 8):
                pairs.append(
                    (
                        int.from_bytes(raw[offset : offset + 4], "little"),
                        int.from_bytes(raw[offset + 4 : offset + 8], "little"),
                    )
                )
        for buf, length in pairs:
            if buf + length > self._size:
                raise Fault(f"iovec {buf}+{length} outside memory of {self._size} bytes")
        return pairs

    def gather(self, iovs: list[tuple[int, int]]) -> bytes:
        if isinstance(iovs, _Iovecs):
            total = self._helper.gather(iovs.iov_ptr, iovs.iov_count)
            if total >= 0:
                return bytes(self._scratch_view[:total])
            if total == -1:
                raise Fault("an iovec lies outside memory")
        if len(iovs) == 1:
            buf, length = iovs[0]
            return self.read(buf, length)
        return b"".join([self.read(buf, length) for buf, length in iovs])

    def scatter(self, iovs: list[tuple[int, int]], data: bytes | bytearray | memoryview) -> int:
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

    def release(self) -> None:
        self._helper.release()
        self._scratch_proxy.destroy()


class JsInstance:
    """A WebAssembly.Instance with its import proxies; `close()` destroys them."""

    def __init__(self, engine: JsEngine, instance: Any, proxies: list[Any], suspending: bool) -> None:
        self._engine = engine
        self._instance = instance
        self._proxies = proxies
        self._suspending = suspending
        self._exports_js = instance.exports
        self._functions: dict[str, Any] = {}
        self._promising: dict[str, Any] = {}
        self.pending: BaseException | None = None
        self.interrupt_reason: str | None = None
        memory = self._exports_js.memory if hasattr(self._exports_js, "memory") else None
        self._memory: JsMemory | None = JsMemory(memory) if memory is not None else None

    @property
    def memory(self) -> JsMemory | None:
        return self._memory

    def _export(self, name: str) -> Any:
        function = self._functions.get(name)
        if function is None:
            function = getattr(self._exports_js, name, None)
            if function is None or not callable(function):
                raise ModuleError(f"the module has no exported function {name!r}")
            self._functions[name] = function
        return function

    def call(self, export: str, *args: Any) -> Any:
        from pyodide.ffi import JsException, can_run_sync, run_sync

        function = self._export(export)
        self.pending = None
        try:
            if self._suspending and can_run_sync():
                promising = self._promising.get(export)
                if promising is None:
                    import js

                    promising = self._promising[export] = js.WebAssembly.promising(function)
                result = run_sync(promising(*args))
            else:
                result = function(*args)
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
        return result

    def _translate(self, failure: BaseException) -> BaseException:
        from pyodide.ffi import JsException

        if not isinstance(failure, JsException):
            return failure
        kind, message, stack = _helpers().describe(failure)
        if kind == "trap":
            if self.interrupt_reason is not None:
                return GuestTimeout(self.interrupt_reason)
            return GuestTrap(f"the guest trapped: {message}", _wasm_frames(stack))
        if kind == "suspend":
            return GuestTrap(f"the guest tried to block outside WebAssembly.promising: {message}")
        return GuestTrap(f"the guest failed: {message}", stack)

    def interrupt(self, reason: str) -> None:
        """Remembered; a guest waiting in an import is stopped by the waiter's cancel()."""
        self.interrupt_reason = reason

    def close(self) -> None:
        """Destroy the import proxies and the scratch buffer (the instance is unusable afterwards)."""
        if self._memory is not None:
            self._memory.release()
            self._memory = None
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()


def _wasm_frames(stack: str) -> str:
    frames = [
        line.strip() for line in stack.splitlines() if "wasm" in line and line.strip().startswith("at ")
    ]
    return "\n".join(f"  {frame.removeprefix('at ')}" for frame in frames)


class JsEngine:
    """The browser's WebAssembly engine, used from Pyodide."""

    name = "browser"

    def __init__(self, *, jspi: bool | None = None) -> None:
        """jspi: wrap blocking imports for JSPI (default: when the browser has it)."""
        self._jspi = jspi

    def compile(self, wasm: bytes) -> CompiledModule:
        import js
        from pyodide.ffi import JsException, to_js

        check_header(wasm)
        try:
            module = js.WebAssembly.Module.new(to_js(wasm))
        except JsException as error:
            message = str(getattr(error, "message", error)).removeprefix("WebAssembly.Module(): ")
            raise ModuleError(f"invalid WebAssembly module: {message}") from None
        # The JS API lists imports without their types; read them from the bytes instead.
        imports = read_imports(wasm)
        if imports is None:
            raise ModuleError("the module uses type encodings this runtime cannot read (GC proposal)")
        exports = []
        for item in js.WebAssembly.Module.exports(module):
            kind = str(item.kind)
            exports.append(ExportSpec(str(item.name), "func" if kind == "function" else kind))
        return JsModule(module, imports, exports)

    def instantiate(
        self,
        module: CompiledModule,
        functions: Mapping[tuple[str, str], HostFunction],
        *,
        blocking: frozenset[tuple[str, str]] = frozenset(),
    ) -> JsInstance:
        import js
        from pyodide.ffi import JsException, create_proxy, to_js

        assert isinstance(module, JsModule)
        check_imports(module.imports, functions)
        jspi = jspi_available() if self._jspi is None else self._jspi
        link = _Link()
        proxies: list[Any] = []
        namespaces: dict[str, dict[str, Any]] = {}
        suspending = False
        for spec in module.imports:
            key = (spec.module, spec.name)
            function = _adapt(functions[key], spec.params, link)
            proxy = create_proxy(function)
            proxies.append(proxy)
            entry: Any = proxy
            if jspi and key in blocking:
                entry = _helpers().suspendingImport(proxy)
                suspending = True
            namespaces.setdefault(spec.module, {})[spec.name] = entry
        import_object = to_js(namespaces, dict_converter=js.Object.fromEntries, create_pyproxies=False)
        try:
            instance = js.WebAssembly.Instance.new(module.module, import_object)
        except JsException as error:
            for proxy in proxies:
                proxy.destroy()
            kind, message, stack = _helpers().describe(error)
            if kind == "trap":
                raise GuestTrap(
                    f"the module's start function trapped: {message}", _wasm_frames(stack)
                ) from None
            raise ModuleError(f"cannot instantiate: {message}") from None
        wrapped = JsInstance(self, instance, proxies, suspending)
        link.instance, link.memory = wrapped, wrapped.memory
        return wrapped


class _Link:
    """What an import adapter needs from the instance that does not exist yet when it is made."""

    __slots__ = ("instance", "memory")

    def __init__(self) -> None:
        self.instance: JsInstance | None = None
        self.memory: JsMemory | None = None


def _adapt(function: HostFunction, params: tuple[str, ...], link: _Link) -> Callable[..., Any]:
    """Park any exception for JsInstance.call, mark memory stale, and turn BigInt i64s into ints."""
    wide = frozenset(index for index, kind in enumerate(params) if kind == "i64")

    def call(*args: Any) -> Any:
        memory = link.memory
        if memory is not None:
            memory._fresh = False
        if wide:
            args = tuple(int(value) if index in wide else value for index, value in enumerate(args))
        try:
            return function(*args)
        except MustSuspend:
            raise
        except BaseException as error:
            if link.instance is not None:
                link.instance.pending = error
            raise

    return call
