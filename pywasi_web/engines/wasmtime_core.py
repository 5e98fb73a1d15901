"""Generic core linking on wasmtime-py, for the component model (engines/base.py CoreStore).

Host functions take any core signature, through the same raw callbacks as the WASI path
(wasmtime_raw.py), and instances import each other's exports. An exception a host function
raised is parked while the guest unwinds, and `call` re-raises it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi

from pywasi_web.engines.base import CompiledModule
from pywasi_web.engines.wasmtime_engine import WasmtimeEngine, WasmtimeModule, _reason, call_failure
from pywasi_web.engines.wasmtime_raw import RawHost, callback_body, caller
from pywasi_web.errors import GuestTrap, ModuleError
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.preview1.memory import BufferMemory, GuestMemory

_VALTYPES = {
    "i32": wasmtime.ValType.i32(),
    "i64": wasmtime.ValType.i64(),
    "f32": wasmtime.ValType.f32(),
    "f64": wasmtime.ValType.f64(),
}
# How a host function's arguments reach Python (engines/values.py): integers unsigned, which the
# CoreStore contract allows (callers mask them to the width they need).
_KINDS = {"i32": "u32", "i64": "u64", "f32": "f32", "f64": "f64"}


class _Exports:
    def __init__(self, store: wasmtime.Store, instance: wasmtime.Instance) -> None:
        self._exports = instance.exports(store)

    def export(self, name: str) -> object:
        return self._exports[name]


class WasmtimeCoreStore:
    def __init__(self, engine: WasmtimeEngine) -> None:
        self._engine = engine
        self._store = wasmtime.Store(engine._engine)
        self._store.set_epoch_deadline(1)
        if engine.max_memory is not None:
            self._store.set_limits(memory_size=engine.max_memory)
        self._host = RawHost()

    def host_function(
        self,
        params: tuple[str, ...],
        results: tuple[str, ...],
        function: Callable[..., Any],
        *,
        blocking: bool = False,
    ) -> object:
        signature = wasmtime.FuncType([_VALTYPES[p] for p in params], [_VALTYPES[r] for r in results])
        body = callback_body(tuple(_KINDS[p] for p in params), results)
        func = self._host.function(
            self._store, signature.ptr(), body, function, max(len(params), len(results))
        )
        self._host.callbacks.append(signature)
        return func

    def instantiate(self, module: CompiledModule, imports: Mapping[tuple[str, str], object]) -> _Exports:
        assert isinstance(module, WasmtimeModule)
        externs: list[Any] = []
        for spec in module.imports:
            extern = imports.get((spec.module, spec.name))
            if extern is None:
                raise ModuleError(f"the core module's import {spec.module}.{spec.name} is not provided")
            externs.append(extern)
        try:
            return _Exports(self._store, wasmtime.Instance(self._store, module.module, externs))
        except (wasmtime.Trap, wasmtime.WasmtimeError) as error:
            parked = self._host.take()
            if parked is not None:
                raise parked from None
            if isinstance(error, wasmtime.Trap):
                raise GuestTrap(f"a core module's start function trapped: {_reason(error.message)}") from None
            raise ModuleError(f"cannot instantiate a core module: {str(error).splitlines()[0]}") from None

    def call(
        self, function: object, params: tuple[str, ...], results: tuple[str, ...], *args: Any
    ) -> list[Any]:
        """Through wasmtime's unchecked call (raw 16-byte slots, wasmtime_raw.caller):
        wasmtime-py's checked call looks the function's type up and boxes every value, ~100 µs a
        call (its context manager for traps, a few µs, is not needed either: no wasmtime-py
        trampoline of its own runs in this store)."""
        assert isinstance(function, wasmtime.Func)
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        error, values = caller(params, results)(
            self._store._context(), ctypes.byref(function._func), ctypes.byref(trap), *args
        )
        if error or trap:
            failure = (
                wasmtime.WasmtimeError._from_ptr(ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t)))
                if error
                else wasmtime.Trap._from_ptr(trap)
            )
            raise call_failure(self._engine, self._host, failure) from None
        return values

    def memory(self, memory: object) -> GuestMemory:
        assert isinstance(memory, wasmtime.Memory)
        store = self._store

        def view() -> memoryview:
            size = memory.data_len(store)
            address = ctypes.addressof(memory.data_ptr(store).contents)
            return memoryview((ctypes.c_ubyte * size).from_address(address)).cast("B")

        return BufferMemory(view)

    def interrupt(self, reason: str) -> None:
        self._engine.interrupt(reason)

    def gather_output(self, files: HotFiles) -> None:
        """Nothing to batch: a write reaches its sink directly here (no page to post it to)."""

    def gathered_writes(self) -> None:
        """None: nothing is gathered here (gather_output)."""
        return None

    def release(self) -> None:
        """Nothing to free early: wasmtime's store, and the callbacks it holds, go with this."""
