"""Components behind Program: compile a component once, instantiate it over a Kernel with the WASI
0.2 host (and any embedder interfaces), run its wasi:cli/run or call any export with Python values.

>>> process = Program("greeter.wasm").instantiate()        # doctest: +SKIP
>>> process.exports.greet("world")                          # doctest: +SKIP
'Hello, world!'
>>> counters = process.exports["example:counter/counters"]  # doctest: +SKIP
>>> counter = counters.Counter(5); counters.Counter.get(counter)   # doctest: +SKIP
5
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pywasi_web.api.trace import brief
from pywasi_web.component.calls import ComponentFunction
from pywasi_web.component.instantiate import InstanceValue, Instantiator, compile_modules
from pywasi_web.component.link import Observer, find
from pywasi_web.component.parse import Export, Import, parse
from pywasi_web.component.values import Err, pascal, snake
from pywasi_web.engines.base import CoreStore, Engine
from pywasi_web.errors import ModuleError, ProcExit
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.kernel.kernel import Kernel

if TYPE_CHECKING:
    from pywasi_web.preview2.host import NetworkGrant

RUN_INTERFACE = "wasi:cli/run"


class LoadedComponent:
    """A parsed component with every core module compiled, ready to instantiate many times."""

    def __init__(self, wasm: bytes, engine: Engine) -> None:
        self.engine = engine
        self.component = parse(wasm)
        self.modules = compile_modules(engine.compile, self.component)
        self.exports = {
            item.name: item.sort for item in self.component.definitions if isinstance(item, Export)
        }
        self.imports_wasi = any(
            isinstance(item, Import) and item.name.startswith("wasi:") for item in self.component.definitions
        )

    @property
    def is_command(self) -> bool:
        return find(RUN_INTERFACE, self.exports) is not None

    def instantiate(
        self,
        kernel: Kernel,
        host: Mapping[str, Any],
        trace: bool | Observer | None = None,
        grant: NetworkGrant | None = None,
    ) -> tuple[InstanceValue, CoreStore]:
        """Instantiate with `host` (interface -> object or another instance's Interface), over the
        WASI 0.2 host on `kernel` when the component imports any wasi: interface. `trace`: True
        prints each host call to stderr, a callable(name, args, result, seconds) receives them.
        `grant`: what wasi:sockets and wasi:http may reach (None: nothing)."""
        store = self.engine.core_store()
        given = {
            name: value._value if isinstance(value, Interface) else value for name, value in host.items()
        }
        provided = given
        if self.imports_wasi:
            from pywasi_web.preview2.host import NetworkGrant, wasi_imports

            grant = grant or NetworkGrant()
            wasi = wasi_imports(kernel, network=grant.network, http_access=grant.http_access)
            provided = {**wasi, **given}
        observe = _print_call if trace is True else trace or None
        if observe is None:  # a traced run's output stays in step with its calls, as Preview 1's
            store.gather_output(HotFiles(kernel.fds))
        return Instantiator(store, self.modules, observe).root(self.component, provided), store


def _print_call(name: str, args: tuple[Any, ...], result: Any, _seconds: float) -> None:
    shown = ", ".join(brief(arg) for arg in args)
    print(f"{name}({shown}) = {brief(result)}", file=sys.stderr)


class Interface:
    """An exported instance seen from Python: functions as snake_case attributes, resources as
    PascalCase attributes (call it to construct; its attributes are static functions and
    methods, which take the resource as their first argument)."""

    def __init__(self, name: str, value: InstanceValue) -> None:
        self._name = name
        self._value = value

    def __getitem__(self, name: str) -> Any:
        found = find(name, self._value.exports)
        if found is None:
            raise KeyError(f"{self._name} exports no {name!r}")
        sort, item = found
        return Interface(name, item) if sort == "instance" else item

    def __getattr__(self, attribute: str) -> Any:
        exports = self._value.exports
        for name, (sort, item) in exports.items():
            if sort == "func" and snake(name) == attribute:
                return item
            if sort == "instance" and snake(name) == attribute:
                return Interface(name, item)
            if sort == "type" and pascal(name) == attribute:
                return Resource(name, exports)
        raise AttributeError(f"{self._name} exports no {attribute!r}")

    def __dir__(self) -> list[str]:
        return [
            snake(name) if sort != "type" else pascal(name) for name, (sort, _) in self._value.exports.items()
        ]


class Resource:
    """An exported resource's functions: `R(...)` constructs, `R.f(...)` calls static or method f."""

    def __init__(self, name: str, exports: dict[str, tuple[str, Any]]) -> None:
        self._name = name
        self._exports = exports

    def _function(self, export: str) -> ComponentFunction:
        sort, item = self._exports.get(export, ("", None))
        if sort != "func":
            raise AttributeError(f"resource {self._name} has no {export}")
        function: ComponentFunction = item
        return function

    def __call__(self, *args: Any) -> Any:
        return self._function(f"[constructor]{self._name}")(*args)

    def __getattr__(self, attribute: str) -> Any:
        for prefix in ("[method]", "[static]"):
            for name in self._exports:
                if name.startswith(f"{prefix}{self._name}.") and snake(name.partition(".")[2]) == attribute:
                    return self._function(name)
        raise AttributeError(f"resource {self._name} has no {attribute!r}")


def _function_names(value: InstanceValue, interface: str) -> list[str]:
    names: list[str] = []
    for name, (sort, item) in value.exports.items():
        if sort == "func":
            names.append(f"{interface}#{name}" if interface else name)
        elif sort == "instance":
            names.extend(_function_names(item, f"{interface}/{name}" if interface else name))
    return names


class ComponentInstanceProcess:
    """The component half of a Process: its exports, and running wasi:cli/run."""

    def __init__(self, value: InstanceValue, store: CoreStore) -> None:
        self.exports = Interface("the component", value)
        self._value = value
        self._store = store

    def call(self, export: str, *args: Any) -> Any:
        """Call a function export by name: "greet", or "pkg:ns/iface#func" (any compatible version)."""
        return self.function(export)(*args)

    def function(self, export: str) -> ComponentFunction:
        """The function export `call` calls; KeyError or ModuleError when there is none."""
        interface, _, function = export.rpartition("#")
        target: Any = self.exports[interface][function] if interface else self.exports[function]
        if not isinstance(target, ComponentFunction):
            raise ModuleError(f"the component's export {export!r} is not a function")
        return target

    def functions(self) -> list[str]:
        """Every function export by the name `call` takes ("iface@version#fn" or "fn")."""
        return _function_names(self._value, "")

    def start(self) -> int:
        """Run wasi:cli/run; its result gives 0 or 1, wasi:cli/exit any code."""
        try:
            run = self.exports[RUN_INTERFACE]["run"]
        except KeyError:
            raise ModuleError(
                f"the component exports no {RUN_INTERFACE}: use Program.instantiate()"
            ) from None
        try:
            outcome = run()
        except ProcExit as exit_request:
            return exit_request.code
        return 1 if isinstance(outcome, Err) else 0

    def interrupt(self, reason: str) -> None:
        self._store.interrupt(reason)

    def close(self) -> None:
        """Deliver gathered output and free the host functions' callbacks (the browser's)."""
        self._store.release()
