"""`allow=` for Python inside Pyodide (a JupyterLite cell calling `run(component, allow=[...])`).

The http(s) origins listed grant the component's wasi:http, through the browser's fetch() and the
very transports the worker uses under JSPI (web/net_transports.js, which the wheel carries beside
this file): their events come in on the event loop, which runs while the guest waits because the
waiter is a JsWaiter (JSPI stack switching). What needs more than fetch() stays refused, with a
CapabilityError saying what to use instead: `host:port` entries (wasi:sockets: a page opens no
TCP, and a relay route is the JS API's `sockets`) and ws(s) origins (a WebSocket relay is such a
route too). Without a way to wait (no JSPI, or code not entered where it can suspend, as
pyodide.runPython) it is refused too, since a response could never reach the guest.

Importable on CPython (tests/net/test_notebook_network.py checks the refusals there); `js` and
`pyodide` are imported only when used.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from pywasi_web.browser.transports import JsTransports
from pywasi_web.errors import CapabilityError
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.preview2.host import NetworkGrant
from pywasi_web.preview2.http import HttpAccess

FETCH_SCHEMES = ("http://", "https://")
ONLY_FETCH = (
    "allow= inside Pyodide grants a component's wasi:http to http:// and https:// origins (through "
    "the browser's fetch()); {refused} would need sockets, which Python in a page cannot open: give "
    "the component its sockets through the JS API (rt.run or rt.instantiate with allow and sockets, "
    "docs/browser.md#sockets), or run it on CPython"
)
NO_JSPI = (
    "allow= inside Pyodide needs JSPI and code entered where it can suspend (a JupyterLite cell in "
    "Chromium, pyodide.runPythonAsync), with the default waiter: otherwise no fetch() response could "
    "reach a waiting guest. Run it there, through the JS API (rt.run with allow), or on CPython"
)


def notebook_grant(allow: Allowlist | Iterable[str], waiter: Waiter) -> NetworkGrant:
    """wasi:http through fetch() to the origins in `allow`; CapabilityError for anything else, or
    where `waiter` cannot wait for fetch()'s events (see the module's docstring)."""
    allowlist = allow if isinstance(allow, Allowlist) else Allowlist(allow)
    refused = [f"{host}:{port}" for host, port in sorted(allowlist.hosts)]
    refused += sorted(origin for origin in allowlist.origins if not origin.startswith(FETCH_SCHEMES))
    if refused:
        raise CapabilityError(ONLY_FETCH.format(refused=", ".join(refused)))
    if not _can_wait(waiter):
        raise CapabilityError(NO_JSPI)
    return NetworkGrant(http_access=HttpAccess(allowlist, JsTransports(_transports()).fetcher))


def _can_wait(waiter: Waiter) -> bool:
    from pywasi_web.engines.js import JsWaiter, jspi_available

    if not isinstance(waiter, JsWaiter) or not jspi_available():
        return False
    from pyodide.ffi import can_run_sync

    return bool(can_run_sync())


@cache
def _transports() -> Any:
    """net_transports.js's `transports`, imported once (an ES module: through es_module.js)."""
    from pyodide.code import run_js
    from pyodide.ffi import run_sync

    files = resources.files(__package__)
    load = run_js(files.joinpath("es_module.js").read_text())
    return run_sync(load(files.joinpath("net_transports.js").read_text())).transports
