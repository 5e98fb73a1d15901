"""The socket interface the kernel drives; each transport (TCP, WebSocket, fetch, pair) implements it.

Calls never block: they return None when they would, and the transport calls `on_ready` (the
kernel's Waiter.notify) when that may have changed, so blocking lives in one place, the kernel.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable


class Socket(ABC):
    listening: bool = False
    on_ready: Callable[[], None] = staticmethod(lambda: None)

    @abstractmethod
    def recv(self, size: int, *, peek: bool = False) -> bytes | None:
        """Up to `size` bytes; b"" once the peer closed; None if it would block."""

    @abstractmethod
    def send(self, data: bytes) -> int | None:
        """Bytes accepted; None if it would block. Raises WasiError(PIPE/CONNRESET) when closed."""

    @abstractmethod
    def shutdown(self, read: bool, write: bool) -> None: ...

    def accept(self) -> Socket | None:
        """A new connection of a listening socket; None if none is waiting."""
        return None

    @abstractmethod
    def readable(self) -> bool:
        """recv would not block (data, end of stream, or for a listener a pending connection)."""

    def writable(self) -> bool:
        return True

    def connected(self) -> bool:
        """False while a connection started without waiting is still being made (its `on_ready`
        fires when that changes); raises WasiError or OSError once it failed. True for the rest."""
        return True

    def close(self) -> None:
        """Release the transport."""
