"""A component's network in the browser: wasi:sockets TCP and wasi:http over the run's transports.

A browser opens no TCP of its own, so a component reaches host:port the way a Preview 1 guest's
preopened sockets do, through the run's `sockets` specs, which here are routes rather than
connections opened up front: a connect to the host:port of a `{websocket: url, host, port}`
spec opens a WebSocket to that relay (start-connect starts it, finish-connect answers
would-block until it is open), and one to the host:port of a `{fetch: origin}` spec gets an
HTTP/1.1 connection bridged to fetch(). Every address is checked against the same `allow` as
Preview 1's sockets first (access-denied; a fetch spec's host:port counts as allowed, its
origin being in `allow`); an allowed address no spec routes is access-denied too. What a page
cannot do answers as a denied grant would: listen is access-denied, UDP not-supported (udp.py),
and a name resolves only when it is an IP address (no DNS in a page: name-unresolvable).
wasi:http goes through the transports' fetch(): the worker's own under JSPI, the page's under
Atomics (relay.PageRelay), its events read whenever the guest waits.

Importable on CPython: tests drive it with transport doubles.
"""

from __future__ import annotations

import socket as socketlib
from urllib.parse import urlsplit

from pywasi_web.browser.transports import OpeningStream, Transports
from pywasi_web.errors import CapabilityError
from pywasi_web.net.allowlist import Allowlist, host_key, url_port
from pywasi_web.net.base import Socket
from pywasi_web.net.fetch import FetchBridge
from pywasi_web.net.spec import FetchSpec, SocketSpec, WebSocketSpec
from pywasi_web.preview2.host import NetworkGrant
from pywasi_web.preview2.http import HttpAccess
from pywasi_web.preview2.sockets import SocketAccess


class Routes:
    """Which relay reaches which host:port, from the run's specs."""

    def __init__(self, specs: list[SocketSpec], transports: Transports) -> None:
        self._transports = transports
        self._routes: dict[tuple[str, int], SocketSpec] = {}
        self.made: list[Socket] = []  # every connection handed out, closed with the run
        for spec in specs:
            if isinstance(spec, WebSocketSpec):
                self._routes.setdefault((host_key(spec.host), spec.port), spec)
            elif isinstance(spec, FetchSpec):
                parts = urlsplit(spec.origin)
                port = url_port(parts)
                assert port is not None, "a fetch spec's origin is http or https (net/spec.py)"
                self._routes.setdefault((host_key(parts.hostname or ""), port), spec)

    def fetch_entries(self) -> list[str]:
        """host:port allowlist entries of the fetch origins (`allow` names those as origins)."""
        return [
            f"{host}:{port}" for (host, port), spec in self._routes.items() if isinstance(spec, FetchSpec)
        ]

    def connect(self, host: str, port: int) -> Socket:
        spec = self._routes.get((host_key(host), port))
        socket: Socket
        if isinstance(spec, WebSocketSpec):
            socket = OpeningStream()
            self._transports.start_websocket(spec.url, socket)
        elif isinstance(spec, FetchSpec):
            socket = FetchBridge(spec.origin, self._transports.fetcher())
        else:
            raise CapabilityError(f"no relay in this run's sockets reaches {host}:{port}")
        self.made.append(socket)
        return socket


def _no_listen(host: str, port: int) -> Socket:
    raise CapabilityError("a component cannot listen in the browser")


def _no_lookup(name: str) -> list[str]:
    raise socketlib.gaierror(socketlib.EAI_NONAME, f"{name}: a page has no name lookup")


class ComponentNetwork:
    """A component run's network: `grant` for its wasi:sockets and wasi:http, and `close()` for
    the end of the run, which closes the connections the guest left open (a WebSocket of the
    worker's would outlive the run otherwise)."""

    def __init__(self, specs: list[SocketSpec], allow: list[str], transports: Transports | None) -> None:
        """`specs` checked (transports.checked_specs) and `allow`'s entries; nothing at all (as
        wasmtime's default context) without entries or where the worker cannot block
        (`transports` None)."""
        self.grant = NetworkGrant()
        self._routes: Routes | None = None
        if transports is None or not allow:
            return
        routes = self._routes = Routes(specs, transports)
        access = SocketAccess(
            Allowlist([*allow, *routes.fetch_entries()]), routes.connect, _no_listen, _no_lookup
        )
        self.grant = NetworkGrant(access, HttpAccess(Allowlist(allow), transports.fetcher))

    def close(self) -> None:
        if self._routes is not None:
            for socket in self._routes.made:
                socket.close()
