"""WebAssembly engines: compile a module, link host functions, run it. One per host platform."""

import sys
import threading
from collections.abc import Callable

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


def start_timer(seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after `seconds`; returns a function that cancels it.

    A thread on CPython; a JS timer in Pyodide (no threads there), which fires while the guest
    waits (JSPI yields to the event loop) but not during pure computation: the page's runtime
    then stops the guest by restarting its worker.
    """
    if sys.platform == "emscripten":
        import js
        from pyodide.ffi import create_once_callable

        handle = js.setTimeout(create_once_callable(callback), seconds * 1000)
        return lambda: js.clearTimeout(handle)
    timer = threading.Timer(seconds, callback)
    timer.daemon = True
    timer.start()
    return timer.cancel
