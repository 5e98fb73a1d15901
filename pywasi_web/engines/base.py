"""The contract every engine fulfils, so api/ and preview1/ never depend on a specific engine."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pywasi_web.engines.gathered_writes import GatheredWrites
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.preview1.fast_paths import FastPaths
from pywasi_web.preview1.memory import GuestMemory

HostFunction = Callable[..., int | None]


@dataclass(frozen=True)
class ImportSpec:
    module: str
    name: str
    kind: str  # "func", "memory", "table", "global", "tag"
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportSpec:
    name: str
    kind: str  # "func", "memory", "table", "global", "tag"
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()


class CompiledModule(Protocol):
    """A validated module, ready to instantiate any number of times."""

    @property
    def imports(self) -> Sequence[ImportSpec]: ...

    @property
    def exports(self) -> Sequence[ExportSpec]: ...


class Instance(Protocol):
    """A running instance. `call` raises ProcExit, GuestTrap or GuestTimeout."""

    @property
    def memory(self) -> GuestMemory | None: ...

    def call(self, export: str, *args: Any) -> Any:
        """Call an exported function with ints or floats (ints of either sign, wrapped to the
        parameter's width); returns None, a plain int or float, or a tuple of them for several results."""
        ...

    def interrupt(self, reason: str) -> None:
        """Stop the running guest from another thread; `call` then raises GuestTimeout(reason)."""
        ...

    def close(self) -> None:
        """Release what the engine holds for the instance; it cannot be called afterwards.

        In the browser the guest's imports (Python proxies held by JS) and the instance (a JS
        object held by Python) keep each other alive across the two heaps: without this every
        run would keep its guest memory until the worker runs out of memory.
        """
        ...


class Engine(Protocol):
    name: str

    def compile(self, wasm: bytes) -> CompiledModule:
        """Validate and compile; raise ModuleError with a one-line reason."""
        ...

    def instantiate(
        self,
        module: CompiledModule,
        functions: Mapping[tuple[str, str], HostFunction],
        *,
        blocking: frozenset[tuple[str, str]] = frozenset(),
        fast: FastPaths | None = None,
    ) -> Instance:
        """Link `functions` (keyed by (module, name)) and instantiate.

        `blocking` names imports that may wait (the browser wraps only those for JSPI). `fast`:
        what the engine may answer itself for preview1's functions (preview1/fast_paths.py).
        Raise ModuleError naming the first import that `functions` does not provide.
        """
        ...

    def core_store(self) -> "CoreStore":
        """A new store for linking core instances generically (components)."""
        ...


class CoreExports(Protocol):
    def export(self, name: str) -> object:
        """The export's extern; KeyError if there is none."""
        ...


class CoreStore(Protocol):
    """Generic core linking, for the component model: in one store, instantiate core modules
    whose imports are host functions of any core signature or other instances' exports
    (functions, memories, tables, globals).

    Externs are opaque engine objects. Integers cross in either convention (signed or
    unsigned): callers mask them to the width they need.
    """

    def host_function(
        self,
        params: tuple[str, ...],
        results: tuple[str, ...],
        function: Callable[..., Any],
        *,
        blocking: bool = False,
    ) -> object:
        """A core function calling `function`; it returns None (no results), the value (one
        result) or a sequence of them (several).

        `blocking` marks a function that may wait (the browser wraps those for JSPI)."""
        ...

    def instantiate(self, module: CompiledModule, imports: Mapping[tuple[str, str], object]) -> CoreExports:
        """Raise ModuleError naming an import that `imports` lacks; GuestTrap if `start` traps."""
        ...

    def call(
        self, function: object, params: tuple[str, ...], results: tuple[str, ...], *args: Any
    ) -> list[Any]:
        """Call a core function of core type `params` -> `results` (engines pass values by
        type: the browser i64 as BigInt, wasmtime raw slots); raise GuestTrap, GuestTimeout, or
        what a host function raised."""
        ...

    def memory(self, memory: object) -> GuestMemory: ...

    def interrupt(self, reason: str) -> None: ...

    def gather_output(self, files: HotFiles) -> None:
        """Batch the gatherable output streams of `files` (kernel/hot.py) as this engine batches a
        core module's, delivered at the end of each call into the guest and at `release`."""
        ...

    def gathered_writes(self) -> GatheredWrites | None:
        """Writes to gathered streams this store may answer itself (engines/gathered_writes.py),
        or None: it gathers nothing, or a write costs as little through its host functions."""
        ...

    def release(self) -> None:
        """Deliver what is gathered and free what the store holds for its host functions; its
        instances cannot be called afterwards."""
        ...
