"""Generic core linking on wasmtime-py, for the component model (engines/base.py CoreStore).

Unlike the WASI path (raw callbacks of i32/i64 only), host functions here take any core
signature through wasmtime-py's generic trampoline, and instances import each other's exports.
wasmtime-py re-raises an exception a host function raised once the guest has unwound.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi
from wasmtime._func import enter_wasm

from pywasi_web.engines.base import CompiledModule
from pywasi_web.engines.wasmtime_engine import WasmtimeEngine, WasmtimeModule, _frame, _reason
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.preview1.memory import BufferMemory, GuestMemory

_VALTYPES = {
    "i32": wasmtime.ValType.i32(),
    "i64": wasmtime.ValType.i64(),
    "f32": wasmtime.ValType.f32(),
    "f64": wasmtime.ValType.f64(),
}
_SIGNED = {"i32": (1 << 32, 1 << 31), "i64": (1 << 64, 1 << 63)}


def _signed(kind: str, value: Any) -> Any:
    """wasmtime-py wants integers in the signed range of their width."""
    if kind in _SIGNED and isinstance(value, int):
        modulus, half = _SIGNED[kind]
        value %= modulus
        return value - modulus if value >= half else value
    return value


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

    def host_function(
        self,
        params: tuple[str, ...],
        results: tuple[str, ...],
        function: Callable[..., Any],
        *,
        blocking: bool = False,
    ) -> object:
        kinds = list(results)
        signature = wasmtime.FuncType([_VALTYPES[p] for p in params], [_VALTYPES[r] for r in results])

        def call(*args: Any) -> Any:
            values = function(*args)
            if not kinds:
                return None
            if len(kinds) == 1:
                return _signed(kinds[0], values[0] if isinstance(values, list | tuple) else values)
            return [_signed(kind, value) for kind, value in zip(kinds, values, strict=True)]

        return wasmtime.Func(self._store, signature, call)

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
        except wasmtime.Trap as trap:
            raise GuestTrap(f"a core module's start function trapped: {_reason(trap.message)}") from None
        except wasmtime.WasmtimeError as error:
            raise ModuleError(f"cannot instantiate a core module: {str(error).splitlines()[0]}") from None

    def call(
        self, function: object, params: tuple[str, ...], results: tuple[str, ...], *args: Any
    ) -> list[Any]:
        """Through wasmtime's unchecked call (raw 16-byte slots): wasmtime-py's checked call
        looks the function's type up and boxes every value, ~100 µs a call."""
        assert isinstance(function, wasmtime.Func)
        count = max(len(params), len(results), 1)
        slots = (ffi.wasmtime_val_raw_t * count)()
        for slot, kind, value in zip(slots, params, args, strict=False):
            setattr(slot, kind, value)  # ctypes wraps an integer to the field's width
        store = self._store
        try:
            with enter_wasm(store) as trap:
                error = ffi.wasmtime_func_call_unchecked(
                    store._context(),
                    ctypes.byref(function._func),
                    slots,
                    count,
                    trap,
                )
                if error:
                    raise wasmtime.WasmtimeError._from_ptr(error)
        except wasmtime.Trap as failure:
            if failure.trap_code == wasmtime.TrapCode.INTERRUPT:
                raise GuestTimeout(self._engine.interrupt_reason or "the guest was interrupted") from None
            frames = "\n".join(_frame(frame) for frame in failure.frames or [])
            raise GuestTrap(f"the guest trapped: {_reason(failure.message)}", frames) from None
        except wasmtime.WasmtimeError as failure:
            raise GuestTrap(f"the guest failed: {_reason(str(failure))}") from None
        return [getattr(slot, kind) for slot, kind in zip(slots, results, strict=False)]

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
