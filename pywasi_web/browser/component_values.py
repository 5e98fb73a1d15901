"""A component's values between Python and JS functions in the worker (Pyodide): api/js_values.py's
plain data made JS values with BigInts (component_values.js), and JS values read back as
js_values.py reads what the page sends. Used by web/pywasi_worker.py for `inst.call` results and
for the functions a page gives in `imports` (api/js_imports.py)."""

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


def invoke(function: Any, args: list[Any]) -> Any:
    """Call a JS function with a component's arguments (plain data); its result as Python data
    (objects as dicts, arrays as lists, typed arrays as memoryviews, BigInts as ints)."""
    from pyodide.ffi import JsProxy

    result = _helpers().apply(function, to_js_value(args))
    return result.to_py() if isinstance(result, JsProxy) else result
