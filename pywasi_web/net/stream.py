"""A guest stream socket fed by events: the shape of every browser transport (WebSocket, page).

The transport (the JS side, or a test double) pushes what arrives with `feed`, `feed_eof` and
`fail`; the guest's sends go out through the small `Transport` interface. Buffering, end of
stream, errors and backpressure live here once, in plain Python, so they are tested without a
browser.
"""

from __future__ import annotations

from typing import Protocol

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import WasiError
from pywasi_web.net.base import Socket

# Bytes a transport may hold unsent before send() would block (WebSocket.bufferedAmount).
HIGH_WATER = 1 << 20


class Transport(Protocol):
    def send(self, data: bytes) -> None:
        """Queue bytes for the peer (never blocks; `backlog` says how much is still queued)."""

    def backlog(self) -> int:
        """Bytes queued but not yet handed to the network."""
        ...

    def watch_backlog(self, limit: int) -> None:
        """Call the stream's `ready()` once, when `backlog()` has dropped below `limit`."""

    def end(self) -> None:
        """No more data from this side (a half-close where the transport has one)."""

    def close(self) -> None:
        """Drop the connection; no event reaches the stream afterwards."""


class TransportStream(Socket):
    """Incoming bytes wait in a buffer for the guest; sends go straight to the transport."""

    def __init__(self, transport: Transport | None = None) -> None:
        self.transport = transport
        self._incoming = bytearray()
        self._eof = False
        self._peer_gone = False
        self._error: str | None = None
        self._read_shut = False
        self._write_shut = False

    # -- events from the transport --------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if not self._read_shut:
            self._incoming += data
        self.on_ready()

    def feed_eof(self, *, closed: bool = False) -> None:
        """The peer sends no more; `closed`: it is gone altogether (no half-close), so sends get EPIPE."""
        self._eof = True
        self._peer_gone = self._peer_gone or closed
        self.on_ready()

    def fail(self, reason: str) -> None:
        """The connection broke: reads give what had arrived, then ECONNRESET; sends ECONNRESET."""
        self._error = reason
        self.on_ready()

    def ready(self) -> None:
        """The transport can take more data."""
        self.on_ready()

    # -- the Socket interface -------------------------------------------------------------------

    def recv(self, size: int, *, peek: bool = False) -> bytes | None:
        if self._incoming:
            chunk = bytes(self._incoming[:size])
            if not peek:
                del self._incoming[:size]
            return chunk
        if self._read_shut or self._eof:
            return b""
        if self._error is not None:
            raise WasiError(Errno.CONNRESET, self._error)
        return None

    def send(self, data: bytes) -> int | None:
        if self._write_shut:
            raise WasiError(Errno.PIPE, "the socket was shut down for writing")
        if self._error is not None:
            raise WasiError(Errno.CONNRESET, self._error)
        if self._peer_gone or self.transport is None:
            raise WasiError(Errno.PIPE, "the peer closed the connection")
        room = HIGH_WATER - self.transport.backlog()
        if room <= 0:
            self.transport.watch_backlog(HIGH_WATER)
            return None
        accepted = data[:room]
        self.transport.send(accepted)
        return len(accepted)

    def shutdown(self, read: bool, write: bool) -> None:
        if read:
            self._read_shut = True
            self._incoming.clear()
        if write and not self._write_shut:
            self._write_shut = True
            if self.transport is not None and self._error is None:
                self.transport.end()

    def readable(self) -> bool:
        return bool(self._incoming) or self._eof or self._read_shut or self._error is not None

    def writable(self) -> bool:
        if self._write_shut or self._peer_gone or self._error is not None or self.transport is None:
            return True  # send answers at once (with an error)
        if self.transport.backlog() < HIGH_WATER:
            return True
        self.transport.watch_backlog(HIGH_WATER)
        return False

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None
