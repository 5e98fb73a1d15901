"""The CPython engine: wasmtime-py running the guest, with our imports (never wasmtime's WASI).

Host functions are bound through wasmtime's "unchecked" C callback, which hands over the raw
argument slots: wasmtime-py's generic trampoline boxes every value and costs ~7 µs a call, this
path ~0.2 µs before the function runs. A Python exception in a host function (ProcExit
included) is parked, the guest is unwound with a trap, and `call` re-raises the parked exception.

Timeouts use wasmtime's epoch interruption: a timer bumps the epoch and the guest traps at its
next check, wherever it is, so an infinite loop stops cleanly.
"""

from __future__ import annotations

import ctypes
import functools
import platform
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi

from pywasi_web.engines.base import CompiledModule, CoreStore, ExportSpec, HostFunction, ImportSpec
from pywasi_web.engines.module_cache import ModuleCache
from pywasi_web.engines.validation import check_header, check_imports
from pywasi_web.engines.values import (
    WASMTIME_ARGUMENT,
    WASMTIME_RESULT,
    ExportCall,
    compile_function,
    expressions,
    import_kinds,
    wasi_function,
)
from pywasi_web.engines.wasm_reader import read_module
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.preview1.fast_paths import CLOCK_FUNCTION, ClockRule, FastPaths
from pywasi_web.preview1.memory import BufferMemory, Fault, GuestMemory

# The raw callback: wasmtime_val_raw_t slots (16 bytes, read as pairs of u64) arrive as a bare
# address. A typed pointer argument would cost ctypes ~0.1 µs a call to build.
_RawCallback = ctypes.CFUNCTYPE(
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t
)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(0)
# The engine's settings: compiled code depends on them, so they are part of the module cache's key.
_CONFIG = {"epoch_interruption": True}


@functools.cache
def _engine_id() -> str:
    """What a compiled module depends on besides its bytes: wasmtime's version, the CPU, _CONFIG."""
    return f"wasmtime {_wasmtime_version()} {platform.machine()} {sorted(_CONFIG.items())}"


def _wasmtime_version() -> str:
    """From the name of wasmtime's .dist-info beside it: importlib.metadata would add ~30 ms to
    every run's start (it imports the email package), which is a tenth of a cached start."""
    site_packages = Path(wasmtime.__file__).parent.parent
    for info in site_packages.glob("wasmtime-*.dist-info"):
        return info.name.removeprefix("wasmtime-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("wasmtime")


def _invalid(message: str) -> str:
    """One line for a module wasmtime refuses: its last line, and a way out for legacy exceptions."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = lines[-1] if lines else message
    if "legacy_exceptions" in reason:
        return (
            f"the module uses legacy exception handling (try/catch), which wasmtime does not support: "
            f"{reason}; rebuild it with the standard exceptions (exnref), e.g. wasm-opt --translate-to-exnref"
        )
    if "feature required" in reason or "not enabled" in reason:
        return f"the module uses a WebAssembly feature wasmtime does not enable: {reason}"
    return f"invalid WebAssembly module: {reason}"


# One callback per signature, generated (as dataclasses generates methods) so that each argument
# is one explicit expression from engines/values.py: no loop, no argument tuple. The slots sit in
# the frame of wasmtime's trampoline, at the same address call after call, so the ctypes array
# over them is made once per address and reused.
_CALLBACK_TEMPLATE = """
def bind(function, host, Slots, readers):
    slots_address = slots = None

    def callback(_env, _caller, address, _count):
        nonlocal slots_address, slots
        try:
            if address != slots_address:
                slots = Slots.from_address(address)
                slots_address = address
{body}
            return 0
        except BaseException as error:
            return host.park(error)

    return callback
"""

# preview1's clock_time_get with its fast path, generated from the rule (preview1/fast_paths.py
# ClockRule: the ids it answers with their readers, where the id and the result pointer are): the
# call only stores the reading, so it is answered here (as the browser engine answers it in JS from
# the same rule), two Python frames shorter, about 0.1 µs of 0.7. Every other case goes to the
# function, which decides the errno.
_CLOCK_BODY = """\
            clock_id, pointer = {clock_id}, {pointer}
            reader = readers.get(clock_id)
            if reader is not None and host.memory is not None:
                try:
                    host.memory.set_u64(pointer, reader())
                    slots[0] = 0
                    return 0
                except Fault:
                    pass
            slots[0] = function({arguments}) or 0"""


def _clock_body(kinds: tuple[str, ...], rule: ClockRule) -> str:
    arguments = _arguments(kinds)
    clock_id, pointer = arguments[rule.id_param], arguments[rule.result_param]
    arguments[rule.id_param], arguments[rule.result_param] = "clock_id", "pointer"
    return _CLOCK_BODY.format(clock_id=clock_id, pointer=pointer, arguments=", ".join(arguments))


def _arguments(kinds: tuple[str, ...]) -> list[str]:
    return expressions(WASMTIME_ARGUMENT, kinds, lambda index: f"slots[{2 * index}]")


def _callback_body(kinds: tuple[str, ...], results: tuple[str, ...]) -> str:
    call = f"function({', '.join(_arguments(kinds))})"
    indent = " " * 12
    if not results:
        return f"{indent}{call}"
    if len(results) == 1:
        return f"{indent}slots[0] = {WASMTIME_RESULT[results[0]].format(f'{call} or 0')}"
    stores = [f"{indent}values = {call}"]
    stores += [
        f"{indent}slots[{2 * index}] = {WASMTIME_RESULT[kind].format(f'values[{index}]')}"
        for index, kind in enumerate(results)
    ]
    return "\n".join(stores)


@functools.cache
def _binder(body: str) -> Callable[..., Callable[..., int]]:
    bind: Callable[..., Callable[..., int]] = compile_function(
        _CALLBACK_TEMPLATE.format(body=body), "bind", Fault=Fault
    )
    return bind


class _HostCalls:
    """Keeps the ctypes callbacks alive, the guest's memory once it exists, and the exception a
    host function raised."""

    def __init__(self) -> None:
        self.callbacks: list[object] = []
        self.pending: BaseException | None = None
        self.memory: GuestMemory | None = None

    def adapt(self, function: HostFunction, spec: ImportSpec, fast: FastPaths | None) -> object:
        params, results = spec.params, spec.results
        kinds = import_kinds(spec.module, spec.name, params, results)
        readers = None
        clock = spec.name == CLOCK_FUNCTION and wasi_function(spec.module, spec.name, params, results)
        if fast is not None and clock:
            readers = fast.clock.readers
            body = _clock_body(kinds, fast.clock)
        else:
            body = _callback_body(kinds, results)
        slots = ctypes.c_uint64 * (2 * max(len(params), len(results), 1))
        raw_callback = _RawCallback(_binder(body)(function, self, slots, readers))
        self.callbacks.append(raw_callback)
        return ctypes.cast(raw_callback, ffi.wasmtime_func_unchecked_callback_t)

    def park(self, error: BaseException) -> int:
        """Keep the host function's exception for `call` and unwind the guest with a trap."""
        self.pending = error
        trap = ffi.wasmtime_trap_new(b"host function raised", 20)
        return ctypes.cast(trap, ctypes.c_void_p).value or 0

    def take(self) -> BaseException | None:
        error, self.pending = self.pending, None
        return error


class WasmtimeModule:
    """A compiled module with its imports and exports as the bytes declare them (wasm_reader:
    the same reading as the browser's, and wasmtime's C API aborts on some value types, v128)."""

    def __init__(self, module: wasmtime.Module, wasm: bytes, *, from_cache: bool = False) -> None:
        self.module = module
        self.from_cache = from_cache  # loaded from the compiled-module cache, not compiled now
        types = read_module(wasm)
        self._imports = types.imports
        self._exports = types.exports

    @property
    def imports(self) -> Sequence[ImportSpec]:
        return self._imports

    @property
    def exports(self) -> Sequence[ExportSpec]:
        return self._exports


class WasmtimeInstance:
    def __init__(
        self,
        engine: WasmtimeEngine,
        store: wasmtime.Store,
        instance: wasmtime.Instance,
        host: _HostCalls,
        exports: Sequence[ExportSpec],
    ) -> None:
        self._engine = engine
        self._specs = {spec.name: spec for spec in exports if spec.kind == "func"}
        self._store = store
        self._host = host
        self._exports = instance.exports(store)
        self._functions: dict[str, tuple[wasmtime.Func, ExportCall]] = {}
        memory = self._exports.get("memory")
        self._memory: GuestMemory | None = None
        if isinstance(memory, wasmtime.Memory):
            self._memory = host.memory = BufferMemory(lambda: self._view(memory))

    def _view(self, memory: wasmtime.Memory) -> memoryview:
        size = memory.data_len(self._store)
        address = ctypes.addressof(memory.data_ptr(self._store).contents)
        return memoryview((ctypes.c_ubyte * size).from_address(address)).cast("B")

    @property
    def memory(self) -> GuestMemory | None:
        return self._memory

    def _function(self, export: str) -> tuple[wasmtime.Func, ExportCall]:
        found = self._functions.get(export)
        if found is None:
            func, spec = self._exports.get(export), self._specs.get(export)
            if not isinstance(func, wasmtime.Func) or spec is None:
                raise ModuleError(f"the module has no exported function {export!r}")
            found = self._functions[export] = (func, ExportCall(export, spec.params, spec.results))
        return found

    def call(self, export: str, *args: Any) -> Any:
        func, signature = self._function(export)
        arguments = signature.arguments(args)
        try:
            result = func(self._store, *arguments)
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
        return tuple(result) if isinstance(result, list) else result

    def interrupt(self, reason: str) -> None:
        self._engine.interrupt(reason)

    def close(self) -> None:
        """Nothing to release: the store and instance go with their last reference."""


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
    `cache`: keep compiled modules in the on-disk ModuleCache (unless PYWASI_WEB_MODULE_CACHE=off).
    """

    name = "wasmtime"

    def __init__(self, *, max_memory: int | None = None, cache: bool = True) -> None:
        self.max_memory = max_memory
        config = wasmtime.Config()
        for setting, value in _CONFIG.items():
            setattr(config, setting, value)
        self._engine = wasmtime.Engine(config)
        self._cache = ModuleCache.from_environment(_engine_id()) if cache else None
        self.interrupt_reason: str | None = None

    def compile(self, wasm: bytes) -> CompiledModule:
        """Load the module's compiled form from the cache, or validate (a quick refusal of what
        wasmtime cannot run, before a compile that can take minutes), compile and store it."""
        check_header(wasm)
        cache = self._cache
        key = cache.key(wasm) if cache is not None else ""
        cached = self._deserialize(cache.load(key)) if cache is not None else None
        if cached is not None:
            return WasmtimeModule(cached, wasm, from_cache=True)
        try:
            wasmtime.Module.validate(self._engine, wasm)
            module = wasmtime.Module(self._engine, wasm)
        except wasmtime.WasmtimeError as error:
            raise ModuleError(_invalid(str(error))) from None
        if cache is not None:
            cache.store(key, module.serialize())
        return WasmtimeModule(module, wasm)

    def _deserialize(self, artifact: Path | None) -> wasmtime.Module | None:
        """A cached artifact as a module; None when there is none, or when this wasmtime refuses it
        (made by another version or for another CPU despite its key): it is compiled again."""
        if artifact is None:
            return None
        try:
            return wasmtime.Module.deserialize_file(self._engine, str(artifact))
        except wasmtime.WasmtimeError:
            return None

    def instantiate(
        self,
        module: CompiledModule,
        functions: Mapping[tuple[str, str], HostFunction],
        *,
        blocking: frozenset[tuple[str, str]] = frozenset(),
        fast: FastPaths | None = None,
    ) -> WasmtimeInstance:
        assert isinstance(module, WasmtimeModule)
        check_imports(module.imports, functions)
        store = wasmtime.Store(self._engine)
        store.set_epoch_deadline(1)
        if self.max_memory is not None:
            store.set_limits(memory_size=self.max_memory)
        host = _HostCalls()
        # The imports go in order, one host function per name: a name imported twice (as Go and
        # AssemblyScript emit; check_imports saw the same type) is linked once, to both entries.
        linked: dict[tuple[str, str], wasmtime.Func] = {}
        for spec, item in zip(module.imports, module.module.imports, strict=True):
            key = (spec.module, spec.name)
            if key not in linked:
                callback = host.adapt(functions[key], spec, fast)
                raw = ffi.wasmtime_func_t()
                ffi.wasmtime_func_new_unchecked(
                    store._context(), item.type.ptr(), callback, None, _NO_FINALIZER, ctypes.byref(raw)
                )
                linked[key] = wasmtime.Func._from_raw(raw)
        externs = [linked[(spec.module, spec.name)] for spec in module.imports]
        try:
            instance = wasmtime.Instance(store, module.module, externs)
        except wasmtime.Trap as trap:
            raise GuestTrap(f"the module's start function trapped: {_reason(trap.message)}") from None
        except wasmtime.WasmtimeError as error:
            raise ModuleError(f"cannot instantiate: {str(error).splitlines()[0]}") from None
        return WasmtimeInstance(self, store, instance, host, module.exports)

    def core_store(self) -> CoreStore:
        from pywasi_web.engines.wasmtime_core import WasmtimeCoreStore

        return WasmtimeCoreStore(self)

    def interrupt(self, reason: str) -> None:
        """Stop the running guest at its next epoch check (safe from any thread)."""
        self.interrupt_reason = reason
        self._engine.increment_epoch()
