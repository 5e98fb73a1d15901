"""A component's imports given from JavaScript (the JS API's `imports` of rt.instantiate and rt.run):
`{"my:pkg/iface@1.0.0": {"fn-name" or fnName: (...args) => result}}`.

Each function is called with the arguments as jco gives them (api/js_values.py: BigInt for
64-bit integers, Uint8Array for list<u8>, {tag, val} for variants and results, lowerCamelCase
record keys) and its result is read with the same conventions. A function that throws, or
returns a value that does not fit its WIT type, stops the guest in the middle of its call
(HostFunctionError, a trap: the instance cannot be entered again), with a message naming it.

How a JS function is called is the worker's business (`invoke`), so this is plain Python,
tested on CPython with Python callables standing in for JS functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pywasi_web.api.js_values import JsValues, camel
from pywasi_web.component.link import TypedHost
from pywasi_web.component.types import FuncType
from pywasi_web.errors import HostFunctionError, ModuleError

Invoke = Callable[[Any, list[Any]], Any]
"""invoke(js_function, arguments as api/js_values.py plain data) -> its result as Pyodide gives it."""


class JsInterface(TypedHost):
    """One interface of `imports`: its functions by WIT name or jco's lowerCamelCase name."""

    def __init__(self, interface: str, members: Mapping[str, Any], values: JsValues, invoke: Invoke) -> None:
        self.interface = interface
        self.members = members
        self.values = values
        self.invoke = invoke

    def function(self, name: str, ft: FuncType) -> Callable[..., Any]:
        where = f"{self.interface}#{name}"
        if name.startswith("["):
            raise ModuleError(
                f"the component imports the resource function {where}: resources cannot be given from JS yet"
            )
        given = self.members.get(name, self.members.get(camel(name)))
        if given is None:
            spelled = " or ".join(dict.fromkeys((repr(name), repr(camel(name)))))
            raise ModuleError(
                f"the component imports {where}, which imports[{self.interface!r}] does not give ({spelled})"
            )
        values, invoke = self.values, self.invoke

        def call(*args: Any) -> Any:
            data = [values.to_js(t, arg) for (_, t), arg in zip(ft.params, args, strict=True)]
            try:
                returned = invoke(given, data)
            except Exception as error:  # the embedder's function threw: any JS exception
                raise HostFunctionError(f"{where} (given in imports) threw {error}") from None
            if ft.result is None:
                return None
            try:
                return values.from_js(ft.result, returned, "its result")
            except TypeError as error:
                raise HostFunctionError(
                    f"{where} (given in imports) returned a value that does not fit: {error}"
                ) from None

        return call


def js_interfaces(
    imports: Mapping[str, Mapping[str, Any]], values: JsValues, invoke: Invoke
) -> dict[str, JsInterface]:
    """`imports` ({interface: {name: JS function}}) as host objects for Program.instantiate."""
    return {
        interface: JsInterface(interface, members, values, invoke) for interface, members in imports.items()
    }
