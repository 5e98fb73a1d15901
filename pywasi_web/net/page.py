"""Connections from the embedding page to the guest's listening sockets (`rt.connect(port)`).

The page and the worker talk in messages, so both ends are event-driven: `connect`, `write` and
`end` come in from the page, and what the guest sends goes out through `post` as
{"action": "data" | "end" | "refused", "conn": id, ...}. Plain Python: the worker glue wires it.
"""

from __future__ import annotations

from collections.abc import Callable

from pywasi_web.errors import CapabilityError
from pywasi_web.net.listener import Listener
from pywasi_web.net.stream import TransportStream

Post = Callable[[dict[str, object]], None]


class _PageTransport:
    """The guest's sends become messages; postMessage has no backlog to wait for."""

    def __init__(self, connections: PageConnections, conn: int) -> None:
        self._connections = connections
        self._conn = conn
        self._ended = False

    def send(self, data: bytes) -> None:
        self._connections.post({"action": "data", "conn": self._conn, "data": data})

    def backlog(self) -> int:
        return 0

    def watch_backlog(self, limit: int) -> None:
        """Never needed: the backlog is always empty."""

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._connections.post({"action": "end", "conn": self._conn})

    def close(self) -> None:
        self.end()
        self._connections.forget(self._conn)


class PageConnections:
    def __init__(self, post: Post) -> None:
        self.post = post
        self._listeners: dict[int, Listener] = {}
        self._streams: dict[int, TransportStream] = {}

    def listen(self, port: int) -> Listener:
        if port in self._listeners:
            raise CapabilityError(f"port {port} already has a listening socket")
        listener = self._listeners[port] = Listener()
        return listener

    @property
    def ports(self) -> list[int]:
        return sorted(self._listeners)

    def connect(self, conn: int, port: int) -> None:
        listener = self._listeners.get(port)
        if listener is None or listener.closed:
            self.post({"action": "refused", "conn": conn, "message": f"no guest listens on port {port}"})
            return
        stream = self._streams[conn] = TransportStream(_PageTransport(self, conn))
        listener.offer(stream)

    def write(self, conn: int, data: bytes) -> None:
        stream = self._streams.get(conn)
        if stream is not None:
            stream.feed(data)

    def end(self, conn: int) -> None:
        """The page closed its side: the guest reads end of file (it may still answer)."""
        stream = self._streams.get(conn)
        if stream is not None:
            stream.feed_eof()

    def forget(self, conn: int) -> None:
        self._streams.pop(conn, None)

    def close(self) -> None:
        """The run is over: every connection ends and later connects are refused."""
        for listener in self._listeners.values():
            listener.close()
        for stream in list(self._streams.values()):
            stream.close()
