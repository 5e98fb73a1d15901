"""An in-process byte stream between the embedder and the guest (no network at all).

`socket_pair()` gives the guest end (a Socket) and the embedder end (a Duplex with send/recv/close);
a listening `PairListener` hands the guest every Duplex the embedder `connect()`s.
"""

from __future__ import annotations

import threading

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import WasiError
from pywasi_web.net.base import Socket
from pywasi_web.net.listener import Listener


class _Channel:
    """One direction: a buffer, and whether its writer has closed."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.closed = False
        self.condition = threading.Condition()


class Duplex:
    """The embedder's end: blocking send/recv from any thread."""

    def __init__(self, incoming: _Channel, outgoing: _Channel, guest: PairSocket) -> None:
        self._incoming = incoming
        self._outgoing = outgoing
        self._guest = guest

    def send(self, data: bytes) -> None:
        if self._outgoing.closed:
            raise BrokenPipeError("the stream is closed")
        with self._outgoing.condition:
            self._outgoing.buffer += data
        self._guest.on_ready()

    def recv(self, size: int = 65536, timeout: float | None = None) -> bytes:
        """Up to `size` bytes from the guest, b"" once it closed; waits up to `timeout`."""
        channel = self._incoming
        with channel.condition:
            channel.condition.wait_for(lambda: channel.buffer or channel.closed, timeout)
            chunk = bytes(channel.buffer[:size])
            del channel.buffer[:size]
            return chunk

    def close(self) -> None:
        self._outgoing.closed = True
        self._guest.on_ready()


class PairSocket(Socket):
    def __init__(self, incoming: _Channel, outgoing: _Channel) -> None:
        self._incoming = incoming
        self._outgoing = outgoing

    def recv(self, size: int, *, peek: bool = False) -> bytes | None:
        channel = self._incoming
        with channel.condition:
            if not channel.buffer:
                return b"" if channel.closed else None
            chunk = bytes(channel.buffer[:size])
            if not peek:
                del channel.buffer[:size]
            return chunk

    def send(self, data: bytes) -> int | None:
        channel = self._outgoing
        if channel.closed:
            raise WasiError(Errno.PIPE, "the stream is closed")
        with channel.condition:
            channel.buffer += data
            channel.condition.notify_all()
        return len(data)

    def shutdown(self, read: bool, write: bool) -> None:
        if write:
            self.close()

    def readable(self) -> bool:
        return bool(self._incoming.buffer) or self._incoming.closed

    def close(self) -> None:
        with self._outgoing.condition:
            self._outgoing.closed = True
            self._outgoing.condition.notify_all()


def socket_pair() -> tuple[PairSocket, Duplex]:
    to_guest, from_guest = _Channel(), _Channel()
    guest = PairSocket(to_guest, from_guest)
    return guest, Duplex(from_guest, to_guest, guest)


class PairListener(Listener):
    """A listening socket whose connections come from the embedder's connect()."""

    def connect(self) -> Duplex:
        guest, host = socket_pair()
        self.offer(guest)
        return host
