"""An HTTP/1.1 connection bridged to fetch(): the guest speaks HTTP, the host makes the requests.

The guest writes requests on the descriptor (pipelining allowed); each one, in order, becomes
one call of the embedder's `Fetcher` against the single origin this socket was granted, and its
response is written back as an HTTP/1.1 stream, the body as it arrives:
- a request that keeps the connection (HTTP/1.1 without `Connection: close`) gets a
  `Transfer-Encoding: chunked` response, and the next request may follow;
- a request with `Connection: close` (or HTTP/1.0) gets a `Connection: close` response whose
  body ends where the stream ends (the guest reads end of file).
A request the bridge cannot make (malformed, another origin, chunked upload) gets a 4xx/5xx
answer from the bridge itself and the connection closes; a fetch that fails before its response
gets 502; one that fails in the middle of the body ends the stream with ECONNRESET.
"""

from __future__ import annotations

from collections import deque
from http import HTTPStatus
from typing import Protocol
from urllib.parse import urlsplit

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import WasiError
from pywasi_web.net.base import Socket
from pywasi_web.net.http1 import (
    LAST_CHUNK,
    HttpError,
    Request,
    RequestParser,
    chunk,
    error_response,
    has_body,
    response_head,
)

# Response bytes buffered for the guest before the bridge stops reading the body.
HIGH_WATER = 1 << 20
# Headers the bridge owns (connection management, framing): never forwarded either way.
_REQUEST_DROPPED = {
    "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
    "upgrade", "content-length", "expect",
}  # fmt: skip
_RESPONSE_DROPPED = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class Exchange(Protocol):
    """One fetch in progress."""

    def resume(self) -> None:
        """Deliver more of the body (after `response_body` returned False)."""

    def cancel(self) -> None:
        """Abort; no more calls reach the bridge."""


class Fetcher(Protocol):
    def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> Exchange:
        """Start the request; the outcome arrives through bridge.response_* calls, later."""
        ...

    def close(self) -> None:
        """The connection is gone: release what the fetcher holds."""


class FetchBridge(Socket):
    def __init__(self, origin: str, fetcher: Fetcher) -> None:
        parts = urlsplit(origin)
        self.origin = f"{parts.scheme}://{parts.netloc}".lower()
        self._fetcher = fetcher
        self._parser: RequestParser | None = RequestParser()
        self._queue: deque[Request | HttpError] = deque()
        self._active: Request | None = None
        self._exchange: Exchange | None = None
        self._framing: str | None = None  # of the active response, once its head is written
        self._paused = False
        self._out = bytearray()
        self._closing = False  # the bridge ends the stream once _out is read
        self._write_shut = False
        self._read_shut = False
        self._error: str | None = None

    # -- the guest's side -----------------------------------------------------------------------

    def send(self, data: bytes) -> int | None:
        if self._error is not None:
            raise WasiError(Errno.CONNRESET, self._error)
        if self._write_shut or self._closing:
            raise WasiError(Errno.PIPE, "the HTTP connection is closed for writing")
        if self._parser is not None:
            try:
                self._queue.extend(self._parser.feed(data))
            except HttpError as error:
                self._queue.append(error)
                self._parser = None  # what follows a bad request is ignored, as a server would
        self._advance()
        return len(data)

    def recv(self, size: int, *, peek: bool = False) -> bytes | None:
        if self._out:
            data = bytes(self._out[:size])
            if not peek:
                del self._out[:size]
                if self._paused and len(self._out) < HIGH_WATER and self._exchange is not None:
                    self._paused = False
                    self._exchange.resume()
            return data
        if self._error is not None:
            raise WasiError(Errno.CONNRESET, self._error)
        return b"" if self._finished() else None

    def shutdown(self, read: bool, write: bool) -> None:
        if read:
            self._read_shut = True
            self._out.clear()
        if write:
            self._write_shut = True
        self.on_ready()

    def readable(self) -> bool:
        return bool(self._out) or self._error is not None or self._finished()

    def close(self) -> None:
        self._queue.clear()
        if self._exchange is not None:
            self._exchange.cancel()
            self._exchange = None
        self._active = None
        self._fetcher.close()

    def _finished(self) -> bool:
        idle = self._active is None and not self._queue
        return self._read_shut or self._closing or (self._write_shut and idle)

    # -- requests, one at a time ----------------------------------------------------------------

    def _advance(self) -> None:
        while self._active is None and self._queue and not self._closing:
            item = self._queue.popleft()
            try:
                if isinstance(item, HttpError):
                    raise item
                url = self._url(item.target)
            except HttpError as error:
                self._reply_error(error.status, error.message)
                return
            self._active, self._framing, self._paused = item, None, False
            headers = [(name, value) for name, value in item.headers if name.lower() not in _REQUEST_DROPPED]
            self._exchange = self._fetcher.fetch(item.method, url, headers, item.body, self)

    def _url(self, target: str) -> str:
        if target.startswith("/"):
            return self.origin + target
        parts = urlsplit(target)
        if parts.scheme and parts.netloc:
            if f"{parts.scheme}://{parts.netloc}".lower() != self.origin:
                raise HttpError(HTTPStatus.FORBIDDEN, f"this connection reaches only {self.origin}")
            return target
        raise HttpError(HTTPStatus.BAD_REQUEST, f"unsupported request target {target[:80]!r}")

    def _reply_error(self, status: HTTPStatus, message: str) -> None:
        self._out += error_response(status, message)
        self._closing = True
        self._queue.clear()
        self.on_ready()

    # -- the fetcher's side ---------------------------------------------------------------------

    def response_head(self, status: int, reason: str, headers: list[tuple[str, str]]) -> None:
        request = self._active
        if request is None:
            return
        if not request.keep_alive:
            self._framing = "close"
        else:
            self._framing = "chunked" if has_body(request.method, status) else "none"
        kept = [(name, value) for name, value in headers if name.lower() not in _RESPONSE_DROPPED]
        self._deliver(response_head(status, reason, kept, self._framing))

    def response_body(self, data: bytes) -> bool:
        """Body bytes as they arrive; False asks the fetcher to wait for `resume()`."""
        if self._framing == "chunked" and data:
            self._deliver(chunk(data))
        elif self._framing == "close":
            self._deliver(data)
        self._paused = len(self._out) >= HIGH_WATER
        return not self._paused

    def response_end(self) -> None:
        if self._active is None:
            return
        if self._framing == "chunked":
            self._out += LAST_CHUNK
        if self._framing == "close":
            self._closing = True
        self._active, self._exchange = None, None
        self._advance()
        self.on_ready()

    def response_failed(self, message: str) -> None:
        request, self._active, self._exchange = self._active, None, None
        if request is None:
            return
        if self._framing is None:
            self._reply_error(
                HTTPStatus.BAD_GATEWAY, f"fetch {request.method} {request.target} failed: {message}"
            )
            return
        self._queue.clear()
        self._error = f"the response broke off: {message}"
        self.on_ready()

    def _deliver(self, data: bytes) -> None:
        if not self._read_shut:
            self._out += data
        self.on_ready()
