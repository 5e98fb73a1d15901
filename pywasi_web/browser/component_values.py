"""A component's values between Python and JS functions in the worker (Pyodide): api/js_values.py's
plain data made JS values with BigInts (component_values.js), and JS values read back as
js_values.py reads what the page sends. Used by web/pywasi_worker.py for `inst.call` results and
for the functions and classes a page gives in `imports` (api/js_imports.py, through WORKER_CALLS)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any


@cache
def _helpers() -> Any:
    from pyodide.code import run_js

    return run_js(resources.files(__package__).joinpath("component_values.js").read_text())


def to_js_value(data: Any) -> Any:
    """js_values.py's plain data as a JS value: objects, Uint8Arrays, BigInts."""
    import js
    from pyodide.ffi import to_js

    return _helpers().revive(to_js(data, dict_converter=js.Object.fromEntries))


def _from_js(result: Any) -> Any:
    """A JS result as Python data (objects as dicts, arrays as lists, typed arrays as memoryviews,
    BigInts as ints); Pyodide leaves an instance of a class as itself."""
    from pyodide.ffi import JsProxy

    return result.to_py() if isinstance(result, JsProxy) else result


class WorkerCalls:
    """api/js_imports.py's JsCalls on the worker's JS (component_values.js)."""

    def apply(self, function: Any, args: list[Any]) -> Any:
        return _from_js(_helpers().apply(function, to_js_value(args)))

    def construct(self, cls: Any, args: list[Any]) -> Any:
        return _helpers().construct(cls, to_js_value(args))

    def method(self, target: Any, name: str, args: list[Any]) -> Any:
        return _from_js(_helpers().method(target, name, to_js_value(args)))

    def has_method(self, cls: Any, name: str, static: bool) -> bool:
        return bool(_helpers().hasMethod(cls, name, static))

    def is_instance(self, value: Any, cls: Any) -> bool:
        from pyodide.ffi import JsProxy

        return isinstance(value, JsProxy) and bool(_helpers().isInstance(value, cls))

    def dispose(self, instance: Any) -> None:
        _helpers().dispose(instance)


WORKER_CALLS = WorkerCalls()
