"""Sockets for a worker that blocks in Atomics.wait: the page runs the transports for it.

A worker asleep in Atomics.wait runs no event loop, so a WebSocket or fetch() of its own would never
deliver anything while the guest waits. The page's runtime runs them instead (SocketRelay in
web/pywasi.js, over the same web/net_transports.js): each operation goes to the page as a message
(which a blocked worker can still send), and each sink call comes back as a record in the shared
channel's events ring (browser/channel.py), read whenever the guest waits.

Messages to the page: {action: "relay", op, sid, ...}, op one of websocket, send, watch, close,
fetch, resume, cancel. Records from the page: {sid, call, args, bytes?, backlog?}: a sink call
(with the Uint8Array argument as the payload when `bytes`), or the relay's own "open", "refused" and
"sent" (the page handed n bytes to its WebSocket), each with the WebSocket's bufferedAmount.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from pywasi_web.browser.channel import AtomicsWaiter
from pywasi_web.browser.transports import (
    BACKLOG_POLL_MS,
    OPEN_TIMEOUT_MS,
    ConnectFailed,
    FetchSink,
    OpeningStream,
    StreamSink,
)
from pywasi_web.net.fetch import FetchBridge
from pywasi_web.net.stream import Transport

Post = Callable[[dict[str, Any]], object]


class PageRelay:
    """The Transports of a run whose worker blocks in Atomics.wait."""

    def __init__(self, post: Post, waiter: AtomicsWaiter) -> None:
        self._post = post
        self._waiter = waiter
        self._endpoints: dict[int, _RelayWebSocket | _RelayExchange] = {}
        self._ids = itertools.count(1)

    def deliver(self, header: dict[str, Any], payload: bytes) -> None:
        """One record from the events ring; late ones for a closed socket are dropped."""
        endpoint = self._endpoints.get(int(header["sid"]))
        if endpoint is None:
            return
        args = ([payload] if header.get("bytes") else []) + list(header.get("args") or [])
        endpoint.event(str(header["call"]), args, int(header.get("backlog") or 0))

    def post(self, op: str, sid: int, **fields: Any) -> None:
        self._post({"action": "relay", "op": op, "sid": sid, **fields})

    def forget(self, sid: int) -> None:
        self._endpoints.pop(sid, None)

    # -- Transports ---------------------------------------------------------------------------

    def websocket(self, url: str, sink: StreamSink) -> Transport:
        sid, socket = self._open(url, sink)
        deadline = time.monotonic() + OPEN_TIMEOUT_MS / 1000 + 5  # the page's own timeout comes first
        while socket.state == "opening" and time.monotonic() < deadline:
            self._waiter.wait(deadline - time.monotonic())
        if socket.state != "open":
            self.forget(sid)
            raise ConnectFailed(socket.refusal or "the page did not open the WebSocket")
        return socket

    def start_websocket(self, url: str, stream: OpeningStream) -> None:
        _sid, socket = self._open(url, StreamSink(stream))
        socket.opening = stream
        stream.cancel_opening = socket.close

    def _open(self, url: str, sink: StreamSink) -> tuple[int, _RelayWebSocket]:
        sid = next(self._ids)
        socket = self._endpoints[sid] = _RelayWebSocket(self, sid, sink)
        self.post("websocket", sid, url=url, timeoutMs=OPEN_TIMEOUT_MS, pollMs=BACKLOG_POLL_MS)
        return sid, socket

    def fetcher(self) -> _RelayFetcher:
        return _RelayFetcher(self)

    def exchange(self, sink: FetchSink) -> tuple[int, _RelayExchange]:
        sid = next(self._ids)
        exchange = self._endpoints[sid] = _RelayExchange(self, sid, sink)
        return sid, exchange


class _RelayWebSocket:
    """A TransportStream's Transport over a WebSocket the page holds. Its backlog counts what was
    sent but not yet acknowledged by the page, plus the page's last bufferedAmount."""

    def __init__(self, relay: PageRelay, sid: int, sink: StreamSink) -> None:
        self._relay, self._sid, self._sink = relay, sid, sink
        self.state = "opening"
        self.refusal: str | None = None
        self.opening: OpeningStream | None = None  # told how the opening ends (start_websocket)
        self._unacknowledged = 0
        self._buffered = 0

    def event(self, call: str, args: list[Any], backlog: int) -> None:
        self._buffered = backlog
        if call == "open":
            self.state = "open"
            if self.opening is not None:
                self.opening.opened(self)
        elif call == "refused":
            self.state, self.refusal = "refused", str(args[0])
            if self.opening is not None:
                self._relay.forget(self._sid)
                self.opening.refused(self.refusal)
        elif call == "sent":
            self._unacknowledged -= int(args[0])
        elif call in ("feed", "end", "fail", "ready"):
            getattr(self._sink, call)(*args)

    def send(self, data: bytes) -> None:
        self._unacknowledged += len(data)
        self._relay.post("send", self._sid, data=data)

    def backlog(self) -> int:
        return self._unacknowledged + self._buffered

    def watch_backlog(self, limit: int) -> None:
        self._relay.post("watch", self._sid, limit=limit)

    def end(self) -> None:
        """No half-close in WebSocket (as JsWebSocket)."""

    def close(self) -> None:
        self._relay.forget(self._sid)
        self._relay.post("close", self._sid)


class _RelayFetcher:
    """A FetchBridge's Fetcher through the page's fetch()."""

    def __init__(self, relay: PageRelay) -> None:
        self._relay = relay

    def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> _RelayExchange:
        sid, exchange = self._relay.exchange(FetchSink(bridge))
        pairs = [list(pair) for pair in headers]
        self._relay.post("fetch", sid, method=method, url=url, headers=pairs, body=body)
        return exchange

    def close(self) -> None:
        """Nothing of its own to free: the bridge cancels its exchange in progress."""


class _RelayExchange:
    """One fetch the page makes. The page pauses after every body chunk; this side resumes it at
    once when the bridge takes more, else when the bridge asks (Exchange.resume)."""

    def __init__(self, relay: PageRelay, sid: int, sink: FetchSink) -> None:
        self._relay, self._sid, self._sink = relay, sid, sink

    def event(self, call: str, args: list[Any], backlog: int) -> None:
        if call == "body":
            if self._sink.body(*args):
                self.resume()
        elif call in ("head", "end", "failed"):
            if call != "head":
                self._relay.forget(self._sid)
            getattr(self._sink, call)(*args)

    def resume(self) -> None:
        self._relay.post("resume", self._sid)

    def cancel(self) -> None:
        self._relay.forget(self._sid)
        self._relay.post("cancel", self._sid)
