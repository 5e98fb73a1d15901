"""The CPython engine: wasmtime-py running the guest, with our imports (never wasmtime's WASI).

Timeouts use wasmtime's epoch interruption: a timer bumps the epoch and the guest traps at its
next check, wherever it is, so an infinite loop stops cleanly.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from typing import Any

import wasmtime

from pywasi_web.engines.base import CompiledModule, ExportSpec, HostFunction, ImportSpec, Instance
from pywasi_web.engines.validation import check_header, check_imports
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.preview1.memory import BufferMemory, GuestMemory

_KINDS = {
    wasmtime.FuncType: "func",
    wasmtime.MemoryType: "memory",
    wasmtime.TableType: "table",
    wasmtime.GlobalType: "global",
}


def _valtype(value: wasmtime.ValType) -> str:
    return str(value)


def _spec_kind(extern_type: object) -> str:
    return _KINDS.get(type(extern_type), type(extern_type).__name__)


class WasmtimeModule:
    def __init__(self, module: wasmtime.Module) -> None:
        self.module = module
        imports: list[ImportSpec] = []
        for item in module.imports:
            ty = item.type
            if isinstance(ty, wasmtime.FuncType):
                params = tuple(_valtype(v) for v in ty.params)
                results = tuple(_valtype(v) for v in ty.results)
                imports.append(ImportSpec(item.module, item.name or "", "func", params, results))
            else:
                imports.append(ImportSpec(item.module, item.name or "", _spec_kind(ty)))
        self._imports = imports
        self._exports = [ExportSpec(item.name, _spec_kind(item.type)) for item in module.exports]

    @property
    def imports(self) -> Sequence[ImportSpec]:
        return self._imports

    @property
    def exports(self) -> Sequence[ExportSpec]:
        return self._exports


class WasmtimeInstance:
    def __init__(self, engine: WasmtimeEngine, store: wasmtime.Store, instance: wasmtime.Instance) -> None:
        self._engine = engine
        self._store = store
        self._exports = instance.exports(store)
        memory = self._exports.get("memory")
        self._memory: GuestMemory | None = None
        if isinstance(memory, wasmtime.Memory):
            self._memory = BufferMemory(lambda: self._view(memory))

    def _view(self, memory: wasmtime.Memory) -> memoryview:
        size = memory.data_len(self._store)
        address = ctypes.addressof(memory.data_ptr(self._store).contents)
        return memoryview((ctypes.c_ubyte * size).from_address(address)).cast("B")

    @property
    def memory(self) -> GuestMemory | None:
        return self._memory

    def call(self, export: str, *args: Any) -> Any:
        func = self._exports.get(export)
        if not isinstance(func, wasmtime.Func):
            raise ModuleError(f"the module has no exported function {export!r}")
        try:
            return func(self._store, *args)
        except wasmtime.Trap as trap:
            if trap.trap_code == wasmtime.TrapCode.INTERRUPT:
                raise GuestTimeout(self._engine.interrupt_reason or "the guest was interrupted") from None
            frames = "\n".join(_frame(frame) for frame in trap.frames or [])
            raise GuestTrap(f"the guest trapped: {_reason(trap.message)}", frames) from None
        except wasmtime.WasmtimeError as error:
            raise GuestTrap(f"the guest failed: {str(error).splitlines()[0]}") from None

    def interrupt(self, reason: str) -> None:
        self._engine.interrupt(reason)


def _reason(message: str) -> str:
    """The cause line of a wasmtime trap message ("wasm trap: integer divide by zero")."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    cause = lines[-1] if lines else "unknown trap"
    return cause.removeprefix("wasm trap: ")


def _frame(frame: wasmtime.Frame) -> str:
    name = frame.func_name or f"func[{frame.func_index}]"
    return f"  {frame.module_name or 'module'}!{name} +{frame.module_offset:#x}"


class WasmtimeEngine:
    """One wasmtime Engine; modules compiled by it can be instantiated many times."""

    name = "wasmtime"

    def __init__(self) -> None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        self._engine = wasmtime.Engine(config)
        self.interrupt_reason: str | None = None

    def compile(self, wasm: bytes) -> CompiledModule:
        check_header(wasm)
        try:
            return WasmtimeModule(wasmtime.Module(self._engine, wasm))
        except wasmtime.WasmtimeError as error:
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            raise ModuleError(f"invalid WebAssembly module: {lines[-1] if lines else error}") from None

    def instantiate(
        self,
        module: CompiledModule,
        functions: Mapping[tuple[str, str], HostFunction],
        *,
        blocking: frozenset[tuple[str, str]] = frozenset(),
    ) -> WasmtimeInstance:
        assert isinstance(module, WasmtimeModule)
        check_imports(module.imports, functions)
        store = wasmtime.Store(self._engine)
        store.set_epoch_deadline(1)
        linker = wasmtime.Linker(self._engine)
        for item in module.module.imports:
            linker.define_func(item.module, item.name or "", item.type, functions[(item.module, item.name or "")])
        try:
            instance = linker.instantiate(store, module.module)
        except wasmtime.Trap as trap:
            raise GuestTrap(f"the module's start function trapped: {_reason(trap.message)}") from None
        except wasmtime.WasmtimeError as error:
            raise ModuleError(f"cannot instantiate: {str(error).splitlines()[0]}") from None
        return WasmtimeInstance(self, store, instance)

    def interrupt(self, reason: str) -> None:
        """Stop the running guest at its next epoch check (safe from any thread)."""
        self.interrupt_reason = reason
        self._engine.increment_epoch()
