"""wasi:sockets (network, instance-network, tcp, tcp-create-socket, ip-name-lookup; udp is in
udp.py) over the socket capabilities of pywasi_web/net.

The guest reaches only what a `SocketAccess` grants: every address it connects to or listens
on is checked against the embedder's Allowlist (a name the guest resolved counts as the name),
and the connections themselves are net's Sockets (host TCP on CPython, in-process pairs and
listeners, the browser's transports), so their streams wait through the kernel's Waiter like
Preview 1's sockets. Without a SocketAccess no socket is created and no name looked up, as in
wasmtime's default context.
"""

from __future__ import annotations

import errno as errno_module
import ipaddress
import os
import selectors
import socket as socketlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pywasi_web.abi.errno import Errno
from pywasi_web.component.values import Err, Variant
from pywasi_web.errors import CapabilityError, WasiError, errno_from_oserror
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.base import Socket
from pywasi_web.net.tcp import TcpSocket
from pywasi_web.preview2.io import Error, InputStream, OutputStream, Pollable

# Bytes an output stream buffers for a socket that is not taking more before check-write says 0.
SEND_BUFFER = 1 << 20
_SEND_CHUNK = 1 << 16

# The kernel's errnos by their wasi:sockets error-code; others are `unknown`.
NETWORK_CODES: dict[int, str] = {
    Errno.ACCES: "access-denied",
    Errno.PERM: "access-denied",
    Errno.NOTCAPABLE: "access-denied",
    Errno.NOTSUP: "not-supported",
    Errno.INVAL: "invalid-argument",
    Errno.NOMEM: "out-of-memory",
    Errno.NOBUFS: "out-of-memory",
    Errno.TIMEDOUT: "timeout",
    Errno.AGAIN: "would-block",
    Errno.MFILE: "new-socket-limit",
    Errno.NFILE: "new-socket-limit",
    Errno.ADDRNOTAVAIL: "address-not-bindable",
    Errno.ADDRINUSE: "address-in-use",
    Errno.HOSTUNREACH: "remote-unreachable",
    Errno.NETUNREACH: "remote-unreachable",
    Errno.NETDOWN: "remote-unreachable",
    Errno.CONNREFUSED: "connection-refused",
    Errno.CONNRESET: "connection-reset",
    Errno.PIPE: "connection-reset",
    Errno.CONNABORTED: "connection-aborted",
    Errno.MSGSIZE: "datagram-too-large",
    Errno.NOTCONN: "invalid-state",
    Errno.ISCONN: "invalid-state",
}


def network_code(errno: int) -> str:
    return NETWORK_CODES.get(errno, "unknown")


@dataclass
class SocketAccess:
    """The embedder's grant: an allowlist and how to open what it allows.

    `connect(host, port)` and `listen(host, port)` return a net Socket (or raise OSError,
    WasiError or CapabilityError); `resolve(name)` returns IP address strings;
    `datagram(host, port)` returns a bound UDP socket of the host (None: no UDP, as in a browser).
    """

    allow: Allowlist
    connect: Callable[[str, int], Socket]
    listen: Callable[[str, int], Socket]
    resolve: Callable[[str], list[str]]
    datagram: Callable[[str, int], socketlib.socket] | None = None
    # names the guest resolved, by address: an address is allowed when its name is
    resolved: dict[str, set[str]] = field(default_factory=dict)

    def check(self, host: str, port: int) -> None:
        for name in {host, *self.resolved.get(host, ())}:
            try:
                self.allow.check_host(name, port)
                return
            except CapabilityError:
                continue
        raise Err("access-denied")

    def names(self) -> set[str]:
        return {host for host, _port in self.allow.hosts}


class ConnectingTcpSocket(TcpSocket):
    """A host TCP socket whose connect was started without waiting: finish-connect asks
    `connected()`, which arms the socket watcher while the handshake is still going."""

    _outcome: int | None = None  # SO_ERROR once the handshake ended (reading it clears it)

    def connected(self) -> bool:
        """True once connected; False while connecting; OSError if the connect failed."""
        if self._outcome is None:
            with selectors.DefaultSelector() as selector:
                selector.register(self._sock, selectors.EVENT_WRITE)
                if not selector.select(0):
                    self._would_block(selectors.EVENT_WRITE)
                    return False
            self._outcome = self._sock.getsockopt(socketlib.SOL_SOCKET, socketlib.SO_ERROR)
        if self._outcome:
            raise OSError(self._outcome, os.strerror(self._outcome))
        return True


def host_sockets(allow: Allowlist) -> SocketAccess:
    """Real TCP (net.tcp.TcpSocket) and UDP on CPython, and the host's resolver, within `allow`."""

    def connect(host: str, port: int) -> Socket:
        sock = socketlib.socket(socketlib.AF_INET6 if ":" in host else socketlib.AF_INET)
        sock.setblocking(False)
        code = sock.connect_ex((host, port))
        if code not in (0, errno_module.EINPROGRESS):
            sock.close()
            raise OSError(code, os.strerror(code))
        return ConnectingTcpSocket(sock)

    def listen(host: str, port: int) -> Socket:
        return TcpSocket(socketlib.create_server((host, port)), listening=True)

    def resolve(name: str) -> list[str]:
        found = socketlib.getaddrinfo(name, None, proto=socketlib.IPPROTO_TCP)
        return list(dict.fromkeys(str(info[4][0]) for info in found))

    def datagram(host: str, port: int) -> socketlib.socket:
        family = socketlib.AF_INET6 if ":" in host else socketlib.AF_INET
        sock = socketlib.socket(family, socketlib.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        return sock

    return SocketAccess(allow, connect, listen, resolve, datagram)


def failure(error: Exception) -> Err:
    """The error-code for what opening a connection raised."""
    if isinstance(error, CapabilityError):
        return Err("access-denied")
    if isinstance(error, WasiError):
        return Err(network_code(error.errno))
    if isinstance(error, socketlib.gaierror):
        return Err("name-unresolvable")
    assert isinstance(error, OSError)
    return Err(network_code(errno_from_oserror(error)))


# -- addresses --------------------------------------------------------------------------------


def to_host(address: Variant) -> tuple[str, int, str]:
    """(host, port, family) of an ip-socket-address."""
    value = address.value
    if address.case == "ipv4":
        return ".".join(str(part) for part in value["address"]), value["port"], "ipv4"
    host = str(ipaddress.IPv6Address(b"".join(part.to_bytes(2, "big") for part in value["address"])))
    return host, value["port"], "ipv6"


def ip_address(host: str) -> Variant:
    parsed = ipaddress.ip_address(host)
    if parsed.version == 4:
        return Variant("ipv4", tuple(parsed.packed))
    packed = parsed.packed
    return Variant("ipv6", tuple(int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2)))


def socket_address(host: str, port: int) -> Variant:
    ip = ip_address(host)
    if ip.case == "ipv4":
        return Variant("ipv4", {"port": port, "address": ip.value})
    return Variant("ipv6", {"port": port, "flow_info": 0, "address": ip.value, "scope_id": 0})


def _unspecified(family: str, port: int = 0) -> Variant:
    return socket_address("0.0.0.0" if family == "ipv4" else "::", port)


# -- resources --------------------------------------------------------------------------------


class Network:
    """The network resource: what instance-network hands out; it carries the grant."""

    def __init__(self, access: SocketAccess | None) -> None:
        self.access = access

    def granted(self) -> SocketAccess:
        if self.access is None:
            raise Err("access-denied")
        return self.access


class SocketInputStream(InputStream):
    def __init__(self, socket: Socket, waiter: Waiter) -> None:
        super().__init__(waiter)
        self._socket = socket

    def _take(self, size: int) -> bytes | None:
        return self._socket.recv(size)

    def _ready(self) -> bool:
        return self._socket.readable()


class SocketOutputStream(OutputStream):
    """Writes are buffered (up to SEND_BUFFER) and pushed to the socket as it takes them."""

    def __init__(self, socket: Socket, waiter: Waiter) -> None:
        super().__init__(waiter)
        self._socket = socket
        self._buffer = bytearray()

    def _room(self) -> int:
        return max(0, SEND_BUFFER - len(self._buffer))

    def _put(self, data: bytes) -> None:
        self._buffer += data
        self._push()

    def _push(self) -> None:
        while self._buffer:
            sent = self._socket.send(bytes(self._buffer[:_SEND_CHUNK]))
            if sent is None:
                return
            del self._buffer[:sent]

    def _flushed(self) -> bool:
        return not self._buffer


_DEFAULT_OPTIONS: dict[str, Any] = {
    "keep_alive_enabled": False,
    "keep_alive_idle_time": 7200 * 10**9,
    "keep_alive_interval": 75 * 10**9,
    "keep_alive_count": 9,
    "hop_limit": 64,
    "receive_buffer_size": 1 << 16,
    "send_buffer_size": 1 << 16,
}


def option(name: str) -> tuple[Callable[[Any], Any], Callable[[Any, Any], None]]:
    """The getter and setter methods of one socket option kept in `self._options` (0 is refused
    except for a flag)."""

    def get(self: Any) -> Any:
        return self._options[name]

    def put(self: Any, value: Any) -> None:
        if value == 0 and not isinstance(self._options[name], bool):
            raise Err("invalid-argument")
        self._options[name] = value

    return get, put


class BindableSocket:
    """What tcp-socket and udp-socket share: an address family, and a bind in two steps."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._state = "unbound"

    def endpoint(self, address: Variant, *, remote: bool = False) -> tuple[str, int]:
        """(host, port) of an address of this socket's family; a remote one names a real peer."""
        host, port, family = to_host(address)
        if family != self.family:
            raise Err("invalid-argument")
        if remote and (port == 0 or ipaddress.ip_address(host).is_unspecified):
            raise Err("invalid-argument")
        return host, port

    def finish_bind(self) -> None:
        if self._state != "bind-started":
            raise Err("not-in-progress")
        self._state = "bound"

    def address_family(self) -> str:
        return self.family


class GuestTcpSocket(BindableSocket):
    """A tcp-socket: unbound, bound, listening or connected, as the WIT describes.

    bind only records the address (the socket is opened by listen or connect, through the
    grant); listen finishes at once; a connect finishes when the net Socket says it is connected
    (a host TCP handshake, a browser relay's WebSocket opening): finish-connect answers
    would-block until then, and subscribe() is ready then.
    """

    def __init__(self, family: str, waiter: Waiter, network: Network | None = None) -> None:
        super().__init__(family)
        self._waiter = waiter
        self._network = network
        self._local: tuple[str, int] | None = None
        self._remote: tuple[str, int] | None = None
        self._socket: Socket | None = None
        self._options = dict(_DEFAULT_OPTIONS)

    def _attach(self, socket: Socket) -> Socket:
        socket.on_ready = self._waiter.notify
        self._socket = socket
        return socket

    def start_bind(self, network: Network, local_address: Variant) -> None:
        if self._state != "unbound":
            raise Err("invalid-state")
        self._local = self.endpoint(local_address)
        self._network = network
        self._state = "bind-started"

    def start_connect(self, network: Network, remote_address: Variant) -> None:
        if self._state not in ("unbound", "bound"):
            raise Err("invalid-state")
        host, port = self.endpoint(remote_address, remote=True)
        access = network.granted()
        access.check(host, port)
        try:
            self._attach(access.connect(host, port))
        except (OSError, WasiError, CapabilityError) as error:
            self._state = "closed"
            raise failure(error) from None
        self._remote = (host, port)
        self._state = "connect-started"

    def finish_connect(self) -> tuple[InputStream, OutputStream]:
        if self._state != "connect-started" or self._socket is None:
            raise Err("not-in-progress")
        try:
            if not self._socket.connected():
                raise Err("would-block")
        except (OSError, WasiError) as error:
            self._state = "closed"
            raise failure(error) from None
        self._state = "connected"
        return self._streams(self._socket)

    def _streams(self, socket: Socket) -> tuple[InputStream, OutputStream]:
        return SocketInputStream(socket, self._waiter), SocketOutputStream(socket, self._waiter)

    def start_listen(self) -> None:
        if self._state != "bound" or self._local is None or self._network is None:
            raise Err("invalid-state")
        access = self._network.granted()
        host, port = self._local
        access.check(host, port)
        try:
            listener = self._attach(access.listen(host, port))
        except (OSError, WasiError, CapabilityError) as error:
            raise failure(error) from None
        if isinstance(listener, TcpSocket):
            self._local = (host, listener.port)
        self._state = "listen-started"

    def finish_listen(self) -> None:
        if self._state != "listen-started":
            raise Err("not-in-progress")
        self._state = "listening"

    def accept(self) -> tuple[GuestTcpSocket, InputStream, OutputStream]:
        if self._state != "listening" or self._socket is None:
            raise Err("invalid-state")
        connection = self._socket.accept()
        if connection is None:
            raise Err("would-block")
        accepted = GuestTcpSocket(self.family, self._waiter, self._network)
        accepted._attach(connection)
        accepted._local = self._local
        accepted._state = "connected"
        return (accepted, *accepted._streams(connection))

    def local_address(self) -> Variant:
        if self._local is None:
            if self._state in ("connected", "connect-started"):
                return _unspecified(self.family)
            raise Err("invalid-state")
        return socket_address(*self._local)

    def remote_address(self) -> Variant:
        if self._remote is None or self._state != "connected":
            raise Err("invalid-state")
        return socket_address(*self._remote)

    def is_listening(self) -> bool:
        return self._state == "listening"

    def set_listen_backlog_size(self, value: int) -> None:
        if value == 0:
            raise Err("invalid-argument")
        if self._state in ("connected", "connect-started"):
            raise Err("invalid-state")

    def subscribe(self) -> Pollable:
        def ready() -> bool:
            socket = self._socket
            if socket is None:
                return True
            if self._state == "listening":
                return socket.readable()
            if self._state == "connect-started":
                try:
                    return socket.connected()
                except (OSError, WasiError):
                    return True  # finish-connect reports it
            return True

        return Pollable(self._waiter, ready)

    def shutdown(self, shutdown_type: str) -> None:
        if self._state != "connected" or self._socket is None:
            raise Err("invalid-state")
        try:
            self._socket.shutdown(shutdown_type in ("receive", "both"), shutdown_type in ("send", "both"))
        except WasiError as error:
            raise Err(network_code(error.errno)) from None

    def drop(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._state = "closed"

    # The socket options: kept and checked, not applied to the transport, which may not have
    # them (an in-process pair, a browser stream).
    keep_alive_enabled, set_keep_alive_enabled = option("keep_alive_enabled")
    keep_alive_idle_time, set_keep_alive_idle_time = option("keep_alive_idle_time")
    keep_alive_interval, set_keep_alive_interval = option("keep_alive_interval")
    keep_alive_count, set_keep_alive_count = option("keep_alive_count")
    hop_limit, set_hop_limit = option("hop_limit")
    receive_buffer_size, set_receive_buffer_size = option("receive_buffer_size")
    send_buffer_size, set_send_buffer_size = option("send_buffer_size")


class NetworkInterface:
    """wasi:sockets/network."""

    Network = Network

    def network_error_code(self, err: Error) -> str | None:
        return None if err.errno is None else network_code(err.errno)


class InstanceNetwork:
    """wasi:sockets/instance-network."""

    def __init__(self, access: SocketAccess | None) -> None:
        self._access = access

    def instance_network(self) -> Network:
        return Network(self._access)


class Tcp:
    """wasi:sockets/tcp and tcp-create-socket; with no grant, no socket is created at all (as in
    wasmtime, whose default context grants no network)."""

    TcpSocket = GuestTcpSocket

    def __init__(self, waiter: Waiter, access: SocketAccess | None) -> None:
        self._waiter = waiter
        self._access = access

    def create_tcp_socket(self, address_family: str) -> GuestTcpSocket:
        if self._access is None:
            raise Err("access-denied")
        return GuestTcpSocket(address_family, self._waiter)


class AddressStream:
    """A resolve-address-stream: the addresses found, one per call."""

    def __init__(self, addresses: list[str], waiter: Waiter) -> None:
        self._addresses = iter(addresses)
        self._waiter = waiter

    def resolve_next_address(self) -> Variant | None:
        address = next(self._addresses, None)
        return None if address is None else ip_address(address)

    def subscribe(self) -> Pollable:
        return Pollable(self._waiter, lambda: True)


class IpNameLookup:
    """wasi:sockets/ip-name-lookup: only names the allowlist mentions resolve (deny by default:
    permanent-resolver-failure, what wasmtime answers when lookups are not allowed); IP literals
    resolve to themselves. Resolution happens in the call (the host's resolver)."""

    ResolveAddressStream = AddressStream

    def __init__(self, waiter: Waiter) -> None:
        self._waiter = waiter

    def resolve_addresses(self, network: Network, name: str) -> AddressStream:
        access = network.access
        if access is None:
            raise Err("permanent-resolver-failure")  # no lookups at all: wasmtime's answer
        try:
            return AddressStream([str(ipaddress.ip_address(name.strip("[]")))], self._waiter)
        except ValueError:
            pass
        if not name or len(name) > 253 or any(part == "" for part in name.rstrip(".").split(".")):
            raise Err("invalid-argument")
        if name.lower() not in access.names():
            raise Err("permanent-resolver-failure")  # this name may not be looked up
        try:
            addresses = access.resolve(name)
        except OSError as error:
            raise failure(error) from None
        for address in addresses:
            access.resolved.setdefault(address, set()).add(name.lower())
        return AddressStream(addresses, self._waiter)
