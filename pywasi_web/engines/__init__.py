"""WebAssembly engines: compile a module, link host functions, run it. One per host platform."""

import sys
import threading
from collections.abc import Callable

from pywasi_web.engines.base import Engine
from pywasi_web.kernel.waiting import ThreadWaiter, Waiter


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


def default_waiter() -> Waiter:
    """How a guest waits (sleep, poll_oneoff, QueueInput) when the embedder names no waiter.

    In Pyodide entered with JSPI stack switching (a JupyterLite cell in Chromium), on a JS promise:
    the event loop runs meanwhile, so `timeout=`'s timer fires and stops a sleeping or waiting
    guest. Elsewhere on a condition variable (without JSPI in Pyodide that wait cannot yield to the
    event loop: a sleep still sleeps, but no timer fires during it).
    """
    if sys.platform == "emscripten":
        from pyodide.ffi import can_run_sync

        from pywasi_web.engines.js import JsWaiter, jspi_available

        if jspi_available() and can_run_sync():
            return JsWaiter()
    return ThreadWaiter()


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
