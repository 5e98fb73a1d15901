"""WebAssembly engines: compile a module, link host functions, run it. One per host platform."""

import sys

from pywasi_web.engines.base import Engine


def default_engine() -> Engine:
    """The browser's WebAssembly inside Pyodide, wasmtime elsewhere."""
    if sys.platform == "emscripten":
        from pywasi_web.engines.js import JsEngine

        return JsEngine()
    try:
        from pywasi_web.engines.wasmtime_engine import WasmtimeEngine
    except ImportError as error:
        raise ImportError(
            "pywasi_web needs wasmtime on CPython: pip install 'pywasi_web[wasmtime]'"
        ) from error
    return WasmtimeEngine()
