"""Binding a component's imports to what the embedder provides: Python host objects (by the
naming rules of values.py) or another component instance's exports, with semver-compatible
interface versions."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from pywasi_web.component.calls import ComponentFunction
from pywasi_web.component.resources import ResourceType
from pywasi_web.component.types import FuncType
from pywasi_web.component.values import Err, pascal, snake
from pywasi_web.errors import ModuleError


def split_version(name: str) -> tuple[str, str]:
    """`wasi:cli/stdout@0.2.8` -> (`wasi:cli/stdout`, `0.2.8`); no version -> (name, "")."""
    base, _, version = name.partition("@")
    return base, version


def _compatible(wanted: str, offered: str) -> bool:
    """Semver compatibility: same major, or for 0.x the same minor (0.2.0 ~ 0.2.8)."""
    if not wanted or not offered:
        return True
    a, b = wanted.split("."), offered.split(".")
    return a[0] == b[0] and (a[0] != "0" or a[1:2] == b[1:2])


def find(name: str, provided: Mapping[str, Any]) -> Any:
    """What `provided` offers for the import `name`: the exact name, the unversioned name, or a
    semver-compatible version of the same interface. None if nothing fits."""
    if name in provided:
        return provided[name]
    base, version = split_version(name)
    if base in provided:
        return provided[base]
    for key, value in provided.items():
        key_base, key_version = split_version(key)
        if key_base == base and _compatible(version, key_version):
            return value
    return None


class TypedHost(ABC):
    """A host interface that needs each function's WIT type to serve it: one whose functions
    take and give values of another convention (the JS API's imports, api/js_imports.py)."""

    @abstractmethod
    def function(self, name: str, ft: FuncType) -> Callable[..., Any]:
        """The callable over Python values for the function `name` of type `ft`; ModuleError
        when the host has none."""

    @abstractmethod
    def resource_type(self, name: str) -> ResourceType:
        """The type of its resource `name` (asked once per host and name): which objects may
        stand for one, and what dropping the last owning handle does."""


def host_function(interface: str, host: object, name: str, ft: FuncType) -> ComponentFunction:
    """The host callable for the function `name` of `interface`, by the values.py naming rules."""
    target: Callable[..., Any]
    if isinstance(host, TypedHost):
        return ComponentFunction(ft, host.function(name, ft))
    where = f"{interface} {name}"
    if name.startswith("[method]"):
        resource, _, method = name.removeprefix("[method]").partition(".")
        cls = _attribute(host, pascal(resource), where)
        _attribute(cls, snake(method), where)
        method_name = snake(method)

        def target(self_obj: Any, *args: Any) -> Any:
            return getattr(self_obj, method_name)(*args)

        method = getattr(cls, method_name)
        blocking = bool(getattr(method, "may_block", False))
        return ComponentFunction(ft, target, blocking, gathered_write=getattr(method, "gathered_write", None))
    if name.startswith("[constructor]"):
        target = _attribute(host, pascal(name.removeprefix("[constructor]")), where)
    elif name.startswith("[static]"):
        resource, _, function = name.removeprefix("[static]").partition(".")
        target = _attribute(_attribute(host, pascal(resource), where), snake(function), where)
    else:
        target = (
            host
            if callable(host) and not hasattr(host, snake(name))
            else _attribute(host, snake(name), where)
        )
    return ComponentFunction(ft, target, bool(getattr(target, "may_block", False)))


Observer = Callable[[str, tuple[Any, ...], Any, float], None]


def traced(function: ComponentFunction, name: str, observe: Observer) -> ComponentFunction:
    """`function` telling `observe(name, args, result, seconds)` of every call (a raised Err is the
    result), with the seconds the host took, as Preview 1's tracing does."""
    target = function.call

    def call(*args: Any) -> Any:
        began = time.perf_counter()
        try:
            result = target(*args)
        except Err as error:
            observe(name, args, error, time.perf_counter() - began)
            raise
        observe(name, args, result, time.perf_counter() - began)
        return result

    return ComponentFunction(function.type, call, function.blocking, function.name)


def _attribute(owner: object, attribute: str, where: str) -> Any:
    try:
        return getattr(owner, attribute)
    except AttributeError:
        raise ModuleError(f"the host's {where} is missing (no attribute {attribute!r})") from None
