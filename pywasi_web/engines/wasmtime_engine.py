"""The CPython engine: wasmtime-py running the guest, with our imports (never wasmtime's WASI).

Host functions are bound through wasmtime's "unchecked" C callback (wasmtime_raw.py): ~0.2 µs
before the function runs, where wasmtime-py's generic trampoline costs ~7 µs. A Python exception
in a host function (ProcExit included) is parked, the guest is unwound with a trap, and `call`
re-raises the parked exception.

Timeouts use wasmtime's epoch interruption: a timer bumps the epoch and the guest traps at its
next check, wherever it is, so an infinite loop stops cleanly.
"""

from __future__ import annotations

import ctypes
import functools
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import wasmtime

from pywasi_web.engines.base import CompiledModule, CoreStore, ExportSpec, HostFunction, ImportSpec
from pywasi_web.engines.module_cache import ModuleCache
from pywasi_web.engines.validation import check_header, check_imports
from pywasi_web.engines.values import ExportCall, import_kinds, wasi_function
from pywasi_web.engines.wasm_reader import read_module
from pywasi_web.engines.wasmtime_raw import RawHost, arguments, callback_body
from pywasi_web.errors import GuestTimeout, GuestTrap, ModuleError
from pywasi_web.preview1.fast_paths import CLOCK_FUNCTION, ClockRule, FastPaths
from pywasi_web.preview1.memory import BufferMemory, GuestMemory

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
    expressions = arguments(kinds)
    clock_id, pointer = expressions[rule.id_param], expressions[rule.result_param]
    expressions[rule.id_param], expressions[rule.result_param] = "clock_id", "pointer"
    return _CLOCK_BODY.format(clock_id=clock_id, pointer=pointer, arguments=", ".join(expressions))


class _HostCalls(RawHost):
    """The WASI instance's raw host functions, with preview1's fast paths."""

    def adapt(
        self,
        store: wasmtime.Store,
        functype: object,
        function: HostFunction,
        spec: ImportSpec,
        fast: FastPaths | None,
    ) -> wasmtime.Func:
        params, results = spec.params, spec.results
        kinds = import_kinds(spec.module, spec.name, params, results)
        readers = None
        clock = spec.name == CLOCK_FUNCTION and wasi_function(spec.module, spec.name, params, results)
        if fast is not None and clock:
            readers = fast.clock.readers
            body = _clock_body(kinds, fast.clock)
        else:
            body = callback_body(kinds, results)
        return self.function(store, functype, body, function, max(len(params), len(results)), readers)


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
            raise call_failure(self._engine, self._host, failure) from None
        return tuple(result) if isinstance(result, list) else result

    def interrupt(self, reason: str) -> None:
        self._engine.interrupt(reason)

    def close(self) -> None:
        """Nothing to release: the store and instance go with their last reference."""


def call_failure(
    engine: WasmtimeEngine, host: RawHost, failure: wasmtime.Trap | wasmtime.WasmtimeError
) -> BaseException:
    """What a call into the guest that ended in `failure` raises: the exception a host function
    parked, else GuestTimeout for an interrupt, else GuestTrap with the guest's frames."""
    parked = host.take()
    if parked is not None:
        return parked
    if isinstance(failure, wasmtime.WasmtimeError):
        return GuestTrap(f"the guest failed: {_reason(str(failure))}")
    if failure.trap_code == wasmtime.TrapCode.INTERRUPT:
        return GuestTimeout(engine.interrupt_reason or "the guest was interrupted")
    frames = "\n".join(_frame(frame) for frame in failure.frames or [])
    return GuestTrap(f"the guest trapped: {_reason(failure.message)}", frames)


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
                linked[key] = host.adapt(store, item.type.ptr(), functions[key], spec, fast)
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
