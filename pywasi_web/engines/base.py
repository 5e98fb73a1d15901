"""The contract every engine fulfils, so api/ and preview1/ never depend on a specific engine."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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
