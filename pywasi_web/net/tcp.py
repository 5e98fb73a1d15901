"""Real TCP sockets for the guest on CPython, connected or listening, created by the embedder.

The embedder opens them (the guest cannot: Preview 1 has no connect), so what a guest can reach
is exactly what was handed over; `connect` and `listen` check the allowlist first.
"""

from __future__ import annotations

import selectors
import socket

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import CapabilityError, WasiError, errno_from_oserror
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.base import Socket
from pywasi_web.net.watcher import WATCHER


class TcpSocket(Socket):
    def __init__(self, sock: socket.socket, *, listening: bool = False) -> None:
        sock.setblocking(False)
        self._sock = sock
        self.listening = listening

    @classmethod
    def connect(cls, host: str, port: int, allow: Allowlist) -> TcpSocket:
        """A connected stream to host:port, if the allowlist grants it."""
        allow.check_host(host, port)
        try:
            return cls(socket.create_connection((host, port), timeout=10))
        except OSError as error:
            raise CapabilityError(f"cannot connect to {host}:{port}: {error.strerror or error}") from None

    @classmethod
    def listen(cls, host: str, port: int, allow: Allowlist, backlog: int = 16) -> TcpSocket:
        """A listening socket on host:port (port 0 picks a free one: see `.port`)."""
        allow.check_host(host, port)
        try:
            return cls(socket.create_server((host, port), backlog=backlog), listening=True)
        except OSError as error:
            raise CapabilityError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def _would_block(self, events: int) -> None:
        WATCHER.arm(self._sock, events, self.on_ready)

    def recv(self, size: int, *, peek: bool = False) -> bytes | None:
        try:
            return self._sock.recv(size, socket.MSG_PEEK if peek else 0)
        except BlockingIOError:
            self._would_block(selectors.EVENT_READ)
            return None
        except OSError as error:
            raise WasiError(errno_from_oserror(error), str(error)) from None

    def send(self, data: bytes) -> int | None:
        try:
            return self._sock.send(data)
        except BlockingIOError:
            self._would_block(selectors.EVENT_WRITE)
            return None
        except OSError as error:
            raise WasiError(errno_from_oserror(error), str(error)) from None

    def accept(self) -> Socket | None:
        try:
            connection, _address = self._sock.accept()
        except BlockingIOError:
            self._would_block(selectors.EVENT_READ)
            return None
        return TcpSocket(connection)

    def shutdown(self, read: bool, write: bool) -> None:
        how = socket.SHUT_RDWR if read and write else socket.SHUT_RD if read else socket.SHUT_WR
        try:
            self._sock.shutdown(how)
        except OSError as error:
            raise WasiError(Errno.NOTCONN if error.errno == 107 else errno_from_oserror(error)) from None

    def readable(self) -> bool:
        ready = selectors.DefaultSelector()
        with ready:
            ready.register(self._sock, selectors.EVENT_READ)
            if ready.select(0):
                return True
        self._would_block(selectors.EVENT_READ)
        return False

    def close(self) -> None:
        WATCHER.forget(self._sock)
        self._sock.close()
