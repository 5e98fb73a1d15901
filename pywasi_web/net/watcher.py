"""One background thread that tells the kernel when a host socket becomes ready.

A transport arms a one-shot watch only after an operation returned "would block"; the watch
fires once (calling the socket's on_ready) and is dropped, so nothing spins while data sits unread.
The wake-up socketpair is made at the first watch, not at import: Pyodide has no socketpair, and
modules importing this one (preview2's sockets) must load there.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable


class Watcher:
    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._wake_reader: socket.socket | None = None
        self._wake_writer: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def _waker(self) -> socket.socket:
        if self._wake_writer is None:
            self._wake_reader, self._wake_writer = socket.socketpair()
            self._wake_reader.setblocking(False)
            self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        return self._wake_writer

    def arm(self, sock: socket.socket, events: int, callback: Callable[[], None]) -> None:
        with self._lock:
            try:
                self._selector.register(sock, events, callback)
            except KeyError:
                self._selector.modify(sock, events, callback)
            waker = self._waker()
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="pywasi-net", daemon=True)
                self._thread.start()
        waker.send(b"\0")

    def forget(self, sock: socket.socket) -> None:
        with self._lock, contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(sock)

    def _loop(self) -> None:
        while True:
            for key, _events in self._selector.select():
                if key.data is None:
                    assert self._wake_reader is not None  # registered with the waker, before the loop
                    self._wake_reader.recv(4096)
                    continue
                self.forget(key.fileobj)  # type: ignore[arg-type]
                key.data()


WATCHER = Watcher()
