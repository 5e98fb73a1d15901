"""wasi:sockets/udp and udp-create-socket: datagrams through a host UDP socket the grant opens.

Every address is checked against the allowlist, as for TCP: the bind address, a stream's remote
address and each datagram's destination. Readiness comes from net's socket watcher (one-shot
watches armed after "would block"), so waiting for a datagram goes through the kernel's Waiter.
A grant without datagrams (the browser has no UDP) answers `not-supported` at bind.
"""

from __future__ import annotations

import ipaddress
import selectors
import socket as socketlib
from typing import Any

from pywasi_web.component.values import Err, Variant
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.net.watcher import WATCHER
from pywasi_web.preview2.io import Pollable
from pywasi_web.preview2.sockets import BindableSocket, Network, SocketAccess, failure, option, socket_address

# Datagrams one send may take (check-send's permit), and the largest UDP payload over IPv4.
SEND_PERMIT = 64
MAX_DATAGRAM = 65507


class GuestUdpSocket(BindableSocket):
    """A udp-socket: opened by bind (through the grant); `%stream` gives its datagram streams."""

    def __init__(self, family: str, waiter: Waiter) -> None:
        super().__init__(family)
        self.waiter = waiter
        self.network: Network | None = None
        self.sock: socketlib.socket | None = None
        self.remote: tuple[str, int] | None = None
        self._options: dict[str, Any] = {
            "unicast_hop_limit": 64,
            "receive_buffer_size": 1 << 16,
            "send_buffer_size": 1 << 16,
        }

    def start_bind(self, network: Network, local_address: Variant) -> None:
        if self._state != "unbound":
            raise Err("invalid-state")
        host, port = self.endpoint(local_address)
        access = network.granted()
        access.check(host, port)
        if access.datagram is None:
            raise Err("not-supported")
        try:
            self.sock = access.datagram(host, port)
        except OSError as error:
            raise failure(error) from None
        self.sock.setblocking(False)
        self.network = network
        self._state = "bind-started"

    def stream(self, remote_address: Variant | None) -> tuple[IncomingDatagramStream, OutgoingDatagramStream]:
        """The datagram streams; with `remote_address` they only send to and receive from it."""
        if self._state != "bound" or self.network is None:
            raise Err("invalid-state")
        self.remote = None
        if remote_address is not None:
            host, port = self.endpoint(remote_address, remote=True)
            self.network.granted().check(host, port)
            self.remote = (host, port)
        return IncomingDatagramStream(self), OutgoingDatagramStream(self)

    def local_address(self) -> Variant:
        if self.sock is None:
            raise Err("invalid-state")
        host, port = self.sock.getsockname()[:2]
        return socket_address(host, port)

    def remote_address(self) -> Variant:
        if self.remote is None:
            raise Err("invalid-state")
        return socket_address(*self.remote)

    def subscribe(self) -> Pollable:
        return Pollable(self.waiter, lambda: True)  # bind finishes at once

    def drop(self) -> None:
        if self.sock is not None:
            WATCHER.forget(self.sock)
            self.sock.close()
            self.sock = None
        self._state = "closed"

    unicast_hop_limit, set_unicast_hop_limit = option("unicast_hop_limit")
    receive_buffer_size, set_receive_buffer_size = option("receive_buffer_size")
    send_buffer_size, set_send_buffer_size = option("send_buffer_size")


def _ready(owner: GuestUdpSocket, events: int) -> bool:
    """Whether the socket is ready for `events` now; if not, the watcher wakes the guest later."""
    sock = owner.sock
    if sock is None:
        return True  # the next call reports the closed socket
    with selectors.DefaultSelector() as selector:
        selector.register(sock, events)
        if selector.select(0):
            return True
    WATCHER.arm(sock, events, owner.waiter.notify)
    return False


def _same(address: tuple[Any, ...], remote: tuple[str, int]) -> bool:
    return ipaddress.ip_address(address[0]) == ipaddress.ip_address(remote[0]) and address[1] == remote[1]


class IncomingDatagramStream:
    def __init__(self, owner: GuestUdpSocket) -> None:
        self._owner = owner

    def receive(self, max_results: int) -> list[dict[str, Any]]:
        owner = self._owner
        received: list[dict[str, Any]] = []
        while owner.sock is not None and len(received) < max_results:
            try:
                data, sender = owner.sock.recvfrom(1 << 16)
            except BlockingIOError:
                WATCHER.arm(owner.sock, selectors.EVENT_READ, owner.waiter.notify)
                break
            except OSError as error:
                if received:
                    break
                raise failure(error) from None
            if owner.remote is not None and not _same(sender, owner.remote):
                continue
            received.append({"data": data, "remote_address": socket_address(sender[0], sender[1])})
        return received

    def subscribe(self) -> Pollable:
        return Pollable(self._owner.waiter, lambda: _ready(self._owner, selectors.EVENT_READ))


class OutgoingDatagramStream:
    def __init__(self, owner: GuestUdpSocket) -> None:
        self._owner = owner

    def check_send(self) -> int:
        return SEND_PERMIT

    def _destination(self, datagram: dict[str, Any]) -> tuple[str, int]:
        owner = self._owner
        target = datagram.get("remote_address")
        if target is None:
            if owner.remote is None:
                raise Err("invalid-argument")
            return owner.remote
        host, port = owner.endpoint(target, remote=True)
        if owner.remote is not None and not _same((host, port), owner.remote):
            raise Err("invalid-argument")
        assert owner.network is not None
        owner.network.granted().check(host, port)
        return host, port

    def send(self, datagrams: list[dict[str, Any]]) -> int:
        """Sends in order until one would block; each destination is checked before it goes."""
        owner = self._owner
        sent = 0
        for datagram in datagrams:
            destination = self._destination(datagram)
            data = bytes(datagram["data"])
            if len(data) > MAX_DATAGRAM:
                raise Err("datagram-too-large")
            if owner.sock is None:
                raise Err("invalid-state")
            try:
                owner.sock.sendto(data, destination)
            except BlockingIOError:
                WATCHER.arm(owner.sock, selectors.EVENT_WRITE, owner.waiter.notify)
                break
            except OSError as error:
                if sent:
                    break
                raise failure(error) from None
            sent += 1
        return sent

    def subscribe(self) -> Pollable:
        return Pollable(self._owner.waiter, lambda: _ready(self._owner, selectors.EVENT_WRITE))


class Udp:
    """wasi:sockets/udp and udp-create-socket."""

    UdpSocket = GuestUdpSocket
    IncomingDatagramStream = IncomingDatagramStream
    OutgoingDatagramStream = OutgoingDatagramStream

    def __init__(self, waiter: Waiter, access: SocketAccess | None) -> None:
        self._waiter = waiter
        self._access = access

    def create_udp_socket(self, address_family: str) -> GuestUdpSocket:
        if self._access is None:
            raise Err("access-denied")  # no grant: no socket, as for TCP
        return GuestUdpSocket(address_family, self._waiter)
