"""A listening socket whose connections are handed to it by the embedder (no network of its own).

`offer()` queues a connected Socket; the guest takes it with sock_accept. The in-process
PairListener and the browser's page connections (`rt.connect(port)`) both build on it.
"""

from __future__ import annotations

from collections import deque

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import WasiError
from pywasi_web.net.base import Socket


class Listener(Socket):
    listening = True

    def __init__(self) -> None:
        self._pending: deque[Socket] = deque()
        self.closed = False

    def offer(self, connection: Socket) -> None:
        """Queue a connection for the guest's next sock_accept."""
        self._pending.append(connection)
        self.on_ready()

    def accept(self) -> Socket | None:
        return self._pending.popleft() if self._pending else None

    def recv(self, size: int, *, peek: bool = False) -> bytes | None:
        raise WasiError(Errno.NOTCONN)

    def send(self, data: bytes) -> int | None:
        raise WasiError(Errno.NOTCONN)

    def shutdown(self, read: bool, write: bool) -> None:
        raise WasiError(Errno.NOTCONN)

    def readable(self) -> bool:
        return bool(self._pending)

    def close(self) -> None:
        """Connections never accepted are closed with it."""
        self.closed = True
        while self._pending:
            self._pending.popleft().close()
