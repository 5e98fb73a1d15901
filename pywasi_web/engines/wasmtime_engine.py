"""The CPython engine: wasmtime-py running the guest, with our imports (never wasmtime's WASI).

Host functions are bound through wasmtime's "unchecked" C callback, which hands over the raw
argument slots: wasmtime-py's generic trampoline boxes every value and costs ~7 µs a call, this
path ~0.5 µs. A Python exception in a host function (ProcExit included) is parked, the guest is
unwound with a trap, and `call` re-raises the parked exception.

Timeouts use wasmtime's epoch interruption: a timer bumps the epoch and the guest traps at its
next check, wherever it is, so an infinite loop stops cleanly.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi

from pywasi_web.engines.base import CompiledModule, ExportSpec, HostFunction, ImportSpec
from pywasi_web.engines.validation import check_header, check_imports
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.preview1.memory import BufferMemory, GuestMemory

_KINDS = {
    wasmtime.FuncType: "func",
    wasmtime.MemoryType: "memory",
    wasmtime.TableType: "table",
    wasmtime.GlobalType: "global",
}


# The raw callback's view of wasmtime_val_raw_t: 16-byte slots, read as pairs of u64.
_RawCallback = ctypes.CFUNCTYPE(
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64), ctypes.c_size_t
)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(0)
_MASKS = {"i32": 0xFFFFFFFF, "i64": 0xFFFFFFFFFFFFFFFF}


def _argument_reader(params: tuple[str, ...]) -> Callable[[Any], tuple[int, ...]]:
    """A function reading one call's arguments out of the raw value slots, as unsigned ints.

    Generated per signature (as dataclasses generates methods): one explicit expression per
    argument is ~0.2 µs a call cheaper than a loop, which matters for clock_time_get.
    """
    unsupported = sorted(set(params) - set(_MASKS))
    if unsupported:
        raise ModuleError(f"host functions take i32/i64 parameters, not {', '.join(unsupported)}")
    items = ", ".join(f"raw[{2 * index}] & {_MASKS[kind]}" for index, kind in enumerate(params))
    reader: Callable[[Any], tuple[int, ...]] = eval(f"lambda raw: ({items}{',' if params else ''})")
    return reader


class _HostCalls:
    """Keeps the ctypes callbacks alive and the exception a host function raised."""

    def __init__(self) -> None:
        self.callbacks: list[object] = []
        self.pending: BaseException | None = None

    def adapt(self, function: HostFunction, params: tuple[str, ...], results: tuple[str, ...]) -> object:
        arguments = _argument_reader(params)
        returns = bool(results)

        def callback(_env: object, _caller: object, raw: Any, _count: int) -> int:
            try:
                result = function(*arguments(raw))
                if returns:
                    raw[0] = (result or 0) & 0xFFFFFFFFFFFFFFFF
                return 0
            except BaseException as error:
                self.pending = error
                trap = ffi.wasmtime_trap_new(b"host function raised", 20)
                return ctypes.cast(trap, ctypes.c_void_p).value or 0

        raw_callback = _RawCallback(callback)
        self.callbacks.append(raw_callback)
        return ctypes.cast(raw_callback, ffi.wasmtime_func_unchecked_callback_t)

    def take(self) -> BaseException | None:
        error, self.pending = self.pending, None
        return error


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
    def __init__(
        self, engine: WasmtimeEngine, store: wasmtime.Store, instance: wasmtime.Instance, host: _HostCalls
    ) -> None:
        self._engine = engine
        self._store = store
        self._host = host
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
        except (wasmtime.Trap, wasmtime.WasmtimeError) as failure:
            parked = self._host.take()
            if parked is not None:
                raise parked from None
            if isinstance(failure, wasmtime.WasmtimeError):
                raise GuestTrap(f"the guest failed: {_reason(str(failure))}") from None
            if failure.trap_code == wasmtime.TrapCode.INTERRUPT:
                raise GuestTimeout(self._engine.interrupt_reason or "the guest was interrupted") from None
            frames = "\n".join(_frame(frame) for frame in failure.frames or [])
            raise GuestTrap(f"the guest trapped: {_reason(failure.message)}", frames) from None

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
    """One wasmtime Engine; modules compiled by it can be instantiated many times.

    `max_memory` caps each instance's linear memory in bytes: past it `memory.grow` fails, so the
    guest's allocator sees an out-of-memory condition instead of exhausting the host.
    """

    name = "wasmtime"

    def __init__(self, *, max_memory: int | None = None) -> None:
        self.max_memory = max_memory
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
        if self.max_memory is not None:
            store.set_limits(memory_size=self.max_memory)
        linker = wasmtime.Linker(self._engine)
        host = _HostCalls()
        for spec, item in zip(module.imports, module.module.imports, strict=True):
            callback = host.adapt(functions[(spec.module, spec.name)], spec.params, spec.results)
            module_name, name = spec.module.encode(), spec.name.encode()
            error = ffi.wasmtime_linker_define_func_unchecked(
                linker.ptr(),
                module_name,
                len(module_name),
                name,
                len(name),
                item.type.ptr(),
                callback,
                None,
                _NO_FINALIZER,
            )
            if error:
                raise ModuleError(
                    f"cannot link {spec.module}.{spec.name}: {wasmtime.WasmtimeError._from_ptr(error)}"
                )
        try:
            instance = linker.instantiate(store, module.module)
        except wasmtime.Trap as trap:
            raise GuestTrap(f"the module's start function trapped: {_reason(trap.message)}") from None
        except wasmtime.WasmtimeError as error:
            raise ModuleError(f"cannot instantiate: {str(error).splitlines()[0]}") from None
        return WasmtimeInstance(self, store, instance, host)

    def interrupt(self, reason: str) -> None:
        """Stop the running guest at its next epoch check (safe from any thread)."""
        self.interrupt_reason = reason
        self._engine.increment_epoch()
