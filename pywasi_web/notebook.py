"""Notebook helpers: interactive stdin from a cell's input prompt, and where a notebook runs.

`pywasi_web.run(...)` needs nothing from here: in a notebook cell its output streams to the cell
(stdout/stderr default to `sys.stdout`/`sys.stderr`) and the returned `CompletedRun` renders as
HTML. In JupyterLite's Pyodide kernel a cell is entered with JSPI (`pyodide.ffi.can_run_sync()`
is true in Chromium), so guests that sleep or poll block correctly there too.

    from pywasi_web import run
    from pywasi_web.notebook import cell_input

    run("echo.wasm", stdin=cell_input())     # each read asks for a line; an empty line ends input
"""

from __future__ import annotations

import builtins
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from pywasi_web.errors import PywasiError

__all__ = ["StdinUnavailable", "can_block", "cell_input", "environment", "quiet_import_exceptions"]


class StdinUnavailable(PywasiError):
    """The notebook cannot ask for input (no stdin channel in this kernel or front end)."""


def environment() -> str:
    """Where this runs: jupyterlite (Pyodide kernel), pyodide (other Pyodide), ipython or python."""
    if sys.platform == "emscripten":
        return "jupyterlite" if "pyodide_kernel" in sys.modules else "pyodide"
    shell = sys.modules.get("IPython")
    if shell is not None and getattr(shell, "get_ipython", lambda: None)() is not None:
        return "ipython"
    return "python"


def can_block() -> bool:
    """Whether a guest may wait here (sleep, poll, QueueInput) without holding up the event loop:
    always on CPython; in Pyodide only where the caller was entered with JSPI stack switching (a
    JupyterLite cell in Chromium), where run() waits on a JS promise."""
    from pywasi_web.engines import default_waiter
    from pywasi_web.kernel.waiting import ThreadWaiter

    return sys.platform != "emscripten" or not isinstance(default_waiter(), ThreadWaiter)


def cell_input(prompt: str = "stdin> ", *, eof: str = "") -> Callable[[int], bytes]:
    """A `stdin` for run(): every time the guest reads with nothing buffered, the cell shows an
    input box (Python's `input()`); the line typed goes to the guest with a newline. Submitting
    `eof` (default: an empty line) ends the guest's input.

    Works wherever the kernel's `input()` works: classic Jupyter (ipykernel) and JupyterLite's
    Pyodide kernel (through its service worker; the page must be served over http(s) with the
    service worker allowed). Where the kernel has no input channel, the guest's first read raises
    StdinUnavailable with the reason.
    """
    ended = False

    def read(_size: int) -> bytes:
        nonlocal ended
        if ended:
            return b""
        try:
            line = builtins.input(prompt)
        except EOFError:
            line = None
        except Exception as error:  # ipykernel: StdinNotImplementedError when the front end has no stdin
            raise StdinUnavailable(f"this notebook cannot ask for input: {error}") from None
        if line is None:
            # JupyterLite's kernel returns None when its stdin request failed (no service worker)
            raise StdinUnavailable(
                "this notebook cannot ask for input: the JupyterLite kernel could not reach its "
                "service worker (reload the page, and serve the site over http(s)); pass stdin as "
                "bytes instead"
            )
        if line == eof:
            ended = True
            return b""
        return (line + "\n").encode()

    return read


def _from_pywasi_web(tb: TracebackType | None) -> bool:
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("pywasi_web."):
            return True
        tb = tb.tb_next
    return False


def quiet_import_exceptions() -> None:
    """Keep IPython from reporting exceptions that only pass through the guest (Pyodide only).

    When a WASI import raises (proc_exit with a non-zero code raises ProcExit, a waiting import
    raises MustSuspend), Pyodide turns the exception into a JS error for the guest to unwind,
    formatting its message through `sys.excepthook` (PyErr_Print). The engine catches it and
    re-raises the original, but IPython's excepthook has already shown a traceback and marked the
    cell as failed. This hook formats such exceptions (raised in pywasi_web frames) for Pyodide
    alone and leaves every other exception to the hook it replaces. Installed on import in Pyodide.
    """
    sys.excepthook = _quiet(sys.excepthook)
    # IPython installs its own `excepthook` method as sys.excepthook while a cell runs
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.excepthook = _quiet(shell.excepthook)


def _quiet(current: Any) -> Any:
    if getattr(current, "_pywasi_web_quiet", False):
        return current

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        # under JSPI the guest's rejection comes back as a JsException wrapping the PythonError
        wrapped = kind.__name__ == "JsException" and "/pywasi_web/" in str(value)
        if wrapped or _from_pywasi_web(tb):
            traceback.print_exception(kind, value, tb, file=sys.__stderr__)
        else:
            current(kind, value, tb)

    hook._pywasi_web_quiet = True  # type: ignore[attr-defined]
    return hook


if sys.platform == "emscripten":
    quiet_import_exceptions()
