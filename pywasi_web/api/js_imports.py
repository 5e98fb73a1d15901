"""A component's imports given from JavaScript (the JS API's `imports` of rt.instantiate and rt.run):
`{"my:pkg/iface@1.0.0": {"fn-name" or fnName: (...args) => result, Resource: class {...}}}`.

Each function is called with the arguments as jco gives them (api/js_values.py: BigInt for
64-bit integers, Uint8Array for list<u8>, {tag, val} for variants and results, lowerCamelCase
record keys) and its result is read with the same conventions. A function that throws, or
returns a value that does not fit its WIT type, stops the guest in the middle of its call
(HostFunctionError, a trap: the instance cannot be entered again), with a message naming it.

A resource is a class under its PascalCase name, as jco takes one: `[constructor]blob` is
`new Blob(...)`, `[method]blob.read-all` is `blob.readAll(...)` on the instance the handle
stands for, `[static]blob.merge` is `Blob.merge(...)`, and dropping the last owning handle calls
the instance's `[Symbol.dispose]()` if it has one. An own or borrow of it crosses as the instance
itself; one that is not an instance of that class does not fit.

How JS is called is the worker's business (JsCalls, browser/component_values.py), so this is plain
Python, tested on CPython with Python callables and classes standing in for JS ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pywasi_web.api.js_values import JsValues, camel
from pywasi_web.component.link import TypedHost
from pywasi_web.component.resources import ResourceType
from pywasi_web.component.types import FuncType
from pywasi_web.component.values import pascal
from pywasi_web.errors import HostFunctionError, ModuleError


class JsCalls(Protocol):
    """The JS operations `imports` needs; arguments are api/js_values.py plain data, results come
    back as Pyodide gives them (objects as dicts, arrays as lists, instances as themselves)."""

    def apply(self, function: Any, args: list[Any]) -> Any:
        """`function(...args)`."""

    def construct(self, cls: Any, args: list[Any]) -> Any:
        """`new cls(...args)`."""

    def method(self, target: Any, name: str, args: list[Any]) -> Any:
        """`target[name](...args)`: a method of an instance, or a static of a class."""

    def has_method(self, cls: Any, name: str, static: bool) -> bool:
        """Whether `cls` has the function `name`: a static, or a method of its instances."""

    def is_instance(self, value: Any, cls: Any) -> bool:
        """`value instanceof cls`."""

    def dispose(self, instance: Any) -> None:
        """`instance[Symbol.dispose]()`, if it has one."""


class JsResource(ResourceType):
    """A resource given as a JS class: its instances stand for it, and dropping the last owning
    handle disposes of one."""

    def __init__(self, name: str, cls: Any, calls: JsCalls, where: str) -> None:
        super().__init__(name, destructor=self._dispose)
        self.cls = cls
        self.calls = calls
        self.where = where

    def admits(self, value: Any) -> bool:
        return self.cls is not None and self.calls.is_instance(value, self.cls)

    def described(self) -> str:
        return f"{self.name} (an instance of {pascal(self.name)})"

    def _dispose(self, instance: Any) -> None:
        try:
            self.calls.dispose(instance)
        except Exception as error:  # the embedder's dispose threw: any JS exception
            raise HostFunctionError(f"{self.where} (given in imports) threw {error}") from None


class JsInterface(TypedHost):
    """One interface of `imports`: its functions by WIT name or jco's lowerCamelCase name, its
    resources as classes by PascalCase name."""

    def __init__(self, interface: str, members: Mapping[str, Any], values: JsValues, calls: JsCalls) -> None:
        self.interface = interface
        self.members = members
        self.values = values
        self.calls = calls

    def resource_type(self, name: str) -> ResourceType:
        where = f"{self.interface}#{pascal(name)}[Symbol.dispose]"
        return JsResource(name, self.members.get(pascal(name)), self.calls, where)

    def function(self, name: str, ft: FuncType) -> Callable[..., Any]:
        where = f"{self.interface}#{name}"
        values, target = self.values, self._target(name, where)

        def call(*args: Any) -> Any:
            data = [values.to_js(t, arg) for (_, t), arg in zip(ft.params, args, strict=True)]
            try:
                returned = target(data)
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

    def _target(self, name: str, where: str) -> Callable[[list[Any]], Any]:
        """What calls the JS behind `name` with its arguments (the instance first, for a method)."""
        calls = self.calls
        if not name.startswith("["):
            function = self._member(name, where)
            return lambda data: calls.apply(function, data)
        kind, _, qualified = name[1:].partition("]")
        resource, _, member = qualified.partition(".")
        cls = self._member(pascal(resource), where, "a class")
        if kind == "constructor":
            return lambda data: calls.construct(cls, data)
        static = kind == "static"
        spelled = list(dict.fromkeys((member, camel(member))))
        key = next((key for key in spelled if calls.has_method(cls, key, static)), None)
        if key is None:
            what = "static function" if static else "method"
            names = " or ".join(map(repr, spelled))
            raise ModuleError(
                f"the component imports {where}, which imports[{self.interface!r}].{pascal(resource)} "
                f"does not give (a {what} {names})"
            )
        if static:
            return lambda data: calls.method(cls, key, data)
        return lambda data: calls.method(data[0], key, data[1:])

    def _member(self, name: str, where: str, what: str = "") -> Any:
        given = self.members.get(name, self.members.get(camel(name)))
        if given is None:
            spelled = " or ".join(dict.fromkeys((repr(name), repr(camel(name)))))
            raise ModuleError(
                f"the component imports {where}, which imports[{self.interface!r}] does not give "
                f"({what + ' ' if what else ''}{spelled})"
            )
        return given


def js_interfaces(
    imports: Mapping[str, Mapping[str, Any]], values: JsValues, calls: JsCalls
) -> dict[str, JsInterface]:
    """`imports` ({interface: {name: JS function or class}}) as host objects for
    Program.instantiate; their functions get and give host resources as JS objects."""
    near = values.in_worker()
    return {interface: JsInterface(interface, members, near, calls) for interface, members in imports.items()}
