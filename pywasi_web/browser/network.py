"""A component's network in the browser: wasi:sockets TCP and wasi:http over the run's transports.

A browser opens no TCP of its own, so a component reaches host:port the way a Preview 1 guest's
preopened sockets do, through the run's `sockets` specs, which here are routes rather than
connections opened up front: a connect to the host:port of a `{websocket: url, host, port}`
spec opens a WebSocket to that relay (start-connect starts it, finish-connect answers
would-block until it is open), and one to the host:port of a `{fetch: origin}` spec gets an
HTTP/1.1 connection bridged to fetch(). Every address is checked against the same `allow` as
Preview 1's sockets first (access-denied; a fetch spec's host:port counts as allowed, its
origin being in `allow`); an allowed address no spec routes is access-denied too. A listen on the
port of a `{listen: port}` spec (at a loopback or unspecified address) takes the listener the run
registered with the page for it, as a Preview 1 guest's preopened one: the page's
`rt.connect(port)` reaches it (connections made before the component listens wait in it, as
in a backlog); any other listen is access-denied, a second one on the port address-in-use. A page
has no name lookup, so a route's host that is a name resolves to a synthetic address of its own
(in 198.18.0.0/15, reserved for benchmarks: never a real host), which a connect maps back to the
name's route; any other name is name-unresolvable (or, outside `allow`,
permanent-resolver-failure, as on CPython). What a page cannot do answers as a denied grant
would: UDP is not-supported (udp.py).
wasi:http goes through the transports' fetch(): the worker's own under JSPI, the page's under
Atomics (relay.PageRelay), its events read whenever the guest waits.

Importable on CPython: tests drive it with transport doubles.
"""

from __future__ import annotations

import ipaddress
import socket as socketlib
from urllib.parse import urlsplit

from pywasi_web.abi.errno import Errno
from pywasi_web.browser.transports import OpeningStream, Transports
from pywasi_web.errors import CapabilityError, WasiError
from pywasi_web.net.allowlist import Allowlist, host_key, url_port
from pywasi_web.net.base import Socket
from pywasi_web.net.fetch import FetchBridge
from pywasi_web.net.listener import Listener
from pywasi_web.net.page import PageConnections
from pywasi_web.net.spec import FetchSpec, ListenSpec, SocketSpec, WebSocketSpec
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
        self.synthetic = SyntheticNames(self.names())

    def fetch_entries(self) -> list[str]:
        """host:port allowlist entries of the fetch origins (`allow` names those as origins)."""
        return [
            f"{host}:{port}" for (host, port), spec in self._routes.items() if isinstance(spec, FetchSpec)
        ]

    def names(self) -> list[str]:
        """The route hosts that are names, not IP addresses."""
        return [host for host, _port in self._routes if not _is_address(host)]

    def connect(self, host: str, port: int) -> Socket:
        spec = self._routes.get((host_key(self.synthetic.name(host)), port))
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


# The addresses a component may listen at: the page's connections come from no real interface.
LOCAL_HOSTS = ("127.0.0.1", "0.0.0.0", "::1", "::")


class Listening:
    """The listeners of the run's `{listen: port}` specs, registered with the page when the run
    opens (so `rt.connect` is announced the ports), each handed to the component's first listen
    on its port."""

    def __init__(self, specs: list[SocketSpec], page: PageConnections) -> None:
        self._ports = [spec.port for spec in specs if isinstance(spec, ListenSpec)]
        self._free: dict[int, Listener] = {port: page.listen(port) for port in self._ports}

    def entries(self) -> list[str]:
        """host:port allowlist entries of the listen ports (the spec is their grant)."""
        return [f"{host}:{port}" for port in self._ports for host in LOCAL_HOSTS]

    def listen(self, host: str, port: int) -> Socket:
        if port not in self._ports or host_key(host) not in LOCAL_HOSTS:
            raise CapabilityError(f"no {{listen: {port}}} socket of this run is at {host}:{port}")
        listener = self._free.pop(port, None)
        if listener is None:
            raise WasiError(Errno.ADDRINUSE, f"port {port} already has a listening socket")
        return listener


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class SyntheticNames:
    """A page's stand-in for name lookup: each route host that is a name gets an address of its
    own, which a connect maps back to the name."""

    FIRST = ipaddress.IPv4Address("198.18.0.1")

    def __init__(self, names: list[str]) -> None:
        self._addresses = {name: str(self.FIRST + index) for index, name in enumerate(dict.fromkeys(names))}
        self._names = {address: name for name, address in self._addresses.items()}

    def resolve(self, name: str) -> list[str]:
        address = self._addresses.get(host_key(name))
        if address is None:
            raise socketlib.gaierror(socketlib.EAI_NONAME, f"{name}: no route of this run has that name")
        return [address]

    def name(self, host: str) -> str:
        """The name `host` stands for, or `host` itself."""
        return self._names.get(host, host)


class ComponentNetwork:
    """A component run's network: `grant` for its wasi:sockets and wasi:http, and `close()` for
    the end of the run, which closes the connections the guest left open and aborts its wasi:http
    requests still in flight (a WebSocket or fetch of the worker's or the page's would outlive the
    run otherwise)."""

    def __init__(
        self, specs: list[SocketSpec], allow: list[str], transports: Transports | None, page: PageConnections
    ) -> None:
        """`specs` checked (transports.checked_specs) and `allow`'s entries; nothing at all (as
        wasmtime's default context) without either or where the worker cannot block
        (`transports` None). `page` routes the page's `rt.connect` to the listen specs."""
        self.grant = NetworkGrant()
        self._routes: Routes | None = None
        if transports is None or not (allow or specs):
            return
        routes = self._routes = Routes(specs, transports)
        listening = Listening(specs, page)
        entries = [*allow, *routes.fetch_entries(), *listening.entries()]
        access = SocketAccess(Allowlist(entries), routes.connect, listening.listen, routes.synthetic.resolve)
        self.grant = NetworkGrant(access, HttpAccess(Allowlist(allow), transports.fetcher))

    def close(self) -> None:
        if self._routes is not None:
            for socket in self._routes.made:
                socket.close()
        self.grant.close()
