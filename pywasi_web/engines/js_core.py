"""Generic core linking on the page's WebAssembly, for the component model (base.py CoreStore).

The component layer hands over Python functions of any core signature and links instances to
each other's exports; js_core.js turns them into JS functions (BigInt for i64 results,
WebAssembly.Suspending around the ones that may block: tried as a plain call first, and re-run
with callPromising only when the synchronous try reached a wait and raised MustSuspend, which
WASI 0.2's blocking functions do before anything the guest could observe, see preview2/io.py) and
instantiates from an import object of externs. Calls go through WebAssembly.promising and
run_sync when the caller can wait (JSPI), as JsInstance.call does. An exception a host function
raises is parked before it unwinds the guest as a JS error, and `call` re-raises the original.

Importable on CPython (for type checking); `js` and `pyodide` are imported only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from pywasi_web.engines.base import CompiledModule
from pywasi_web.engines.gathered_writes import GatheredWrite
from pywasi_web.engines.js import (
    SCRATCH_SIZE,
    JsEngine,
    JsModule,
    MustSuspend,
    _helpers,
    _JsGatherer,
    gather_output,
    guest_failure,
    jspi_available,
    release_gatherer,
)
from pywasi_web.errors import ModuleError
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.preview1.memory import Fault


@cache
def _core() -> Any:
    from pyodide.code import run_js

    return run_js(resources.files(__package__).joinpath("js_core.js").read_text())


class _Exports:
    def __init__(self, instance: Any) -> None:
        self._instance = instance

    def export(self, name: str) -> object:
        extern = _core().exportOf(self._instance, name)
        if extern is None:
            raise KeyError(name)
        return extern


class JsCoreStore:
    def __init__(self, engine: JsEngine) -> None:
        self._engine = engine
        self._jspi = jspi_available() if engine._jspi is None else engine._jspi
        self._proxies: list[Any] = []
        self._pending: BaseException | None = None
        self._promising: dict[int, Any] = {}
        self._copier: Any = None  # js_core.js's copier over one scratch bytearray, made on first use
        self._scratch = memoryview(b"")
        self._gatherer: _JsGatherer | None = None
        self._depth = 0  # calls into the guest under way (a host function may call realloc)
        self.interrupt_reason: str | None = None

    def host_function(
        self,
        params: tuple[str, ...],
        results: tuple[str, ...],
        function: Callable[..., Any],
        *,
        blocking: bool = False,
        fast: Any = None,
    ) -> object:
        """(`fast`: a JS function that may answer calls first, js_core.js `hostFunction`.)"""
        from pyodide.ffi import create_proxy, to_js

        must_suspend = _core().mustSuspend if blocking and self._jspi else None

        def adapter(*args: Any) -> Any:
            # Pyodide hands an i64 (a BigInt) over as a Python int already: no per-call conversion.
            try:
                values = function(*args)
            except BaseException as error:
                if must_suspend is not None and isinstance(error, MustSuspend):
                    return must_suspend  # js_core.js re-runs the call with stack switching
                self._pending = error
                raise
            if type(values) is list or type(values) is tuple:
                return values[0] if values else None
            return values

        proxy = create_proxy(adapter)
        self._proxies.append(proxy)
        return _core().hostFunction(proxy, to_js(list(results)), blocking, self._jspi, fast)

    def instantiate(self, module: CompiledModule, imports: Mapping[tuple[str, str], object]) -> _Exports:
        from pyodide.ffi import JsException, to_js

        assert isinstance(module, JsModule)
        entries = []
        for spec in module.imports:
            extern = imports.get((spec.module, spec.name))
            if extern is None:
                raise ModuleError(f"the core module's import {spec.module}.{spec.name} is not provided")
            entries.append([spec.module, spec.name, extern])
        try:
            instance = _core().instantiate(module.module, to_js(entries, create_pyproxies=False))
        except JsException as error:
            kind, message, _stack = _helpers().describe(error)
            if kind == "trap":
                raise self._failure(error, "a core module's start function trapped") from None
            raise ModuleError(f"cannot instantiate a core module: {message}") from None
        return _Exports(instance)

    def call(
        self, function: object, params: tuple[str, ...], results: tuple[str, ...], *args: Any
    ) -> list[Any]:
        from pyodide.ffi import JsException, JsProxy, can_run_sync, run_sync, to_js

        # Only i64 arguments need converting (to BigInt); the rest go over as they are.
        js_args = _core().args(to_js(list(params)), to_js(list(args))) if "i64" in params else args
        self._pending = None
        self._depth += 1
        try:
            if self._jspi and can_run_sync():
                promising = self._promising.get(id(function))
                if promising is None:
                    import js

                    promising = self._promising[id(function)] = js.WebAssembly.promising(function)
                result = run_sync(promising(*js_args))
            else:
                result = function(*js_args)  # type: ignore[operator]
        except BaseException as failure:
            parked, self._pending = self._pending, None
            if parked is not None:
                raise parked from None
            if isinstance(failure, JsException):
                raise self._failure(failure, "the guest trapped") from None
            raise
        finally:
            self._depth -= 1
            if self._depth == 0 and self._gatherer is not None:
                self._gatherer.flush()  # the guest stopped: what it wrote reaches the sinks
        if result is None:  # undefined: no results
            return []
        return list(result) if isinstance(result, JsProxy) else [result]  # several: a JS array

    def _failure(self, error: Any, trapped: str) -> Exception:
        return guest_failure(error, self.interrupt_reason, trapped)

    def memory(self, memory: object) -> JsCoreMemory:
        if self._copier is None:
            from pyodide.ffi import create_proxy

            scratch = bytearray(SCRATCH_SIZE)
            self._scratch = memoryview(scratch)
            self._proxies.append(proxy := create_proxy(scratch))
            self._copier = _core().copier(proxy)
        return JsCoreMemory(memory, self._copier, self._scratch)

    def interrupt(self, reason: str) -> None:
        """Remembered; a guest waiting in a host function is stopped by the waiter's cancel()."""
        self.interrupt_reason = reason

    def gathered_writes(self) -> _JsGatheredWrites | None:
        """Writes to a gathered stdout or stderr answered in JS, straight into the gatherer."""
        return None if self._gatherer is None else _JsGatheredWrites(self, self._gatherer)

    def gather_output(self, files: HotFiles) -> None:
        """Batch output as a core module's is batched (engines/js.py gather_output): a
        component writing line by line would otherwise post one message to the page per write."""
        self._gatherer = gather_output(files, self._proxies)

    def release(self) -> None:
        if self._gatherer is not None:
            release_gatherer(self._gatherer)
            self._gatherer = None
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()
        self._promising.clear()


class _JsLeases:
    """HandleLeases over the JS Map that js_core.js `gatheredWrite` reads."""

    def __init__(self) -> None:
        self.map = _core().leases()
        self.grant, self.revoke = self.map.set, self.map.delete


class _JsGatheredWrites:
    """engines/gathered_writes.py's GatheredWrites over the store's JS gatherer."""

    def __init__(self, store: JsCoreStore, gatherer: _JsGatherer) -> None:
        self._store = store
        self._gatherer = gatherer

    def leases(self) -> _JsLeases:
        return _JsLeases()

    def host_function(
        self, params: tuple[str, ...], function: Callable[..., Any], rule: GatheredWrite, *, blocking: bool
    ) -> object:
        memory, leases = rule.memory, rule.leases
        assert isinstance(memory, JsCoreMemory) and isinstance(leases, _JsLeases)
        fast = _core().gatheredWrite(
            memory.extern, leases.map, self._gatherer.js, rule.max_length, rule.result_align, rule.result_size
        )
        return self._store.host_function(params, (), function, blocking=blocking, fast=fast)


class JsCoreMemory:
    """GuestMemory over a WebAssembly.Memory (the component layer reads and writes whole values;
    preview2 never touches guest memory). Up to SCRATCH_SIZE bytes go through the store's scratch
    bytearray and one JS copy; larger ranges through one typed-array view each way."""

    def __init__(self, memory: Any, copier: Any, scratch: memoryview) -> None:
        self.extern = memory  # the WebAssembly.Memory
        self._copier = copier
        self._scratch = scratch
        # Bound once: each attribute read on a JsProxy makes a new proxy.
        self._get, self._put, self._range = copier.get, copier.put, copier.range

    def check(self, ptr: int, length: int) -> None:
        if ptr < 0 or length < 0 or ptr + length > self._copier.size(self.extern):
            raise Fault(f"guest range {ptr}+{length} outside memory")

    def read(self, ptr: int, length: int) -> bytes:
        if ptr >= 0 and 0 <= length <= SCRATCH_SIZE:
            if self._get(self.extern, ptr, length):
                return bytes(self._scratch[:length])
        elif ptr >= 0 and length >= 0:
            view = self._range(self.extern, ptr, length)
            if view is not None:
                return bytes(view.to_bytes())
        raise Fault(f"guest range {ptr}+{length} outside memory")

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        length = len(data)
        if ptr >= 0 and length <= SCRATCH_SIZE:
            self._scratch[:length] = data
            if self._put(self.extern, ptr, length):
                return
        elif ptr >= 0:
            view = self._range(self.extern, ptr, length)
            if view is not None:
                view.assign(data)
                return
        raise Fault(f"guest range {ptr}+{length} outside memory")

    def u32(self, ptr: int) -> int:
        return int.from_bytes(self.read(ptr, 4), "little")

    def set_u32(self, ptr: int, value: int) -> None:
        self.write(ptr, value.to_bytes(4, "little"))

    def set_u64(self, ptr: int, value: int) -> None:
        self.write(ptr, value.to_bytes(8, "little"))

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        raw = self.read(ptr, 8 * count)
        pairs = [
            (int.from_bytes(raw[i : i + 4], "little"), int.from_bytes(raw[i + 4 : i + 8], "little"))
            for i in range(0, len(raw), 8)
        ]
        for buf, length in pairs:
            self.check(buf, length)
        return pairs

    def gather(self, iovs: list[tuple[int, int]]) -> bytes:
        return b"".join(self.read(buf, length) for buf, length in iovs)

    def scatter(self, iovs: list[tuple[int, int]], data: bytes | bytearray | memoryview) -> int:
        done = 0
        for buf, length in iovs:
            chunk = bytes(data[done : done + length])
            self.write(buf, chunk)
            done += len(chunk)
        return done
