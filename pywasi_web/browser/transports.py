"""The browser's network transports behind pywasi_web.net's interfaces: WebSocket and fetch().

pywasi_web/net holds the socket logic in plain Python (TransportStream, FetchBridge, Listener).
The transports are JavaScript (web/net_transports.js) that report to one "sink" per socket
(StreamSink, FetchSink here). Where they run depends on how the worker blocks:
- under JSPI the worker's event loop keeps running while the guest waits, so the worker runs them
  (JsTransports; each sink is a PyProxy, destroyed when its socket closes);
- under Atomics.wait the worker's event loop stops while the guest waits, so the page runs them
  and sends the sink calls back through the shared channel (relay.PageRelay);
- with neither, configuring a run with sockets fails with a CapabilityError that says so.

Importable on CPython (for type checking); `js` and `pyodide` are imported only when used.
"""

from __future__ import annotations

from typing import Any, Protocol

from pywasi_web.errors import CapabilityError
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.base import Socket
from pywasi_web.net.fetch import FetchBridge, Fetcher
from pywasi_web.net.page import PageConnections
from pywasi_web.net.spec import FetchSpec, ListenSpec, WebSocketSpec, parse_sockets
from pywasi_web.net.stream import Transport, TransportStream

OPEN_TIMEOUT_MS = 10_000
BACKLOG_POLL_MS = 2  # WebSocket has no "drained" event: a blocked send polls bufferedAmount
NO_TRANSPORTS = (
    "sockets need JSPI (WebAssembly.Suspending) or a cross-origin isolated page (Atomics.wait): "
    "without either the worker cannot receive network events while the guest waits"
)


class ConnectFailed(Exception):
    """A WebSocket relay that did not open (the message says why)."""


class Transports(Protocol):
    """Where a run's sockets get their WebSockets and fetches: the worker itself, or the page."""

    def websocket(self, url: str, sink: StreamSink) -> Transport:
        """An open WebSocket whose events go to `sink`; raises ConnectFailed."""
        ...

    def fetcher(self) -> Fetcher:
        """The Fetcher for one fetch-bridged socket."""
        ...


def open_sockets(
    specs: object, allow: object, page: PageConnections, transports: Transports | None
) -> list[Socket]:
    """The guest's sockets, in order: every target checked against `allow` before any is opened.

    `specs` and `allow` are the run's JS options as Python (lists of dicts and of strings).
    Listening sockets are registered with `page`, which routes the page's rt.connect() to them.
    `transports` is None where the worker cannot block (no JSPI, no Atomics). Raises
    CapabilityError for a denied target, a bad spec, a relay that does not open, or no transports.
    """
    if not isinstance(specs, list):
        raise CapabilityError("sockets must be a list of socket objects")
    if not isinstance(allow, list) or not all(isinstance(entry, str) for entry in allow):
        raise CapabilityError("allow must be a list of strings (origins and host:port pairs)")
    parsed = parse_sockets(specs, Allowlist(allow))
    if not parsed:
        return []
    if transports is None:
        raise CapabilityError(NO_TRANSPORTS)
    sockets: list[Socket] = []
    try:
        for spec in parsed:
            if isinstance(spec, WebSocketSpec):
                sockets.append(_websocket(spec, transports))
            elif isinstance(spec, FetchSpec):
                sockets.append(FetchBridge(spec.origin, transports.fetcher()))
            elif isinstance(spec, ListenSpec):
                sockets.append(page.listen(spec.port))
    except BaseException:
        for socket in sockets:
            socket.close()
        raise
    return sockets


def _websocket(spec: WebSocketSpec, transports: Transports) -> TransportStream:
    stream = TransportStream()
    try:
        stream.transport = transports.websocket(spec.url, StreamSink(stream))
    except ConnectFailed as error:
        raise CapabilityError(
            f"cannot connect to {spec.host}:{spec.port} through {spec.url}: {error}"
        ) from None
    return stream


def _bytes(data: Any) -> bytes:
    """Bytes a transport reported: a JS Uint8Array (JSPI) or bytes already (through the page)."""
    return data if isinstance(data, bytes) else bytes(data.to_bytes())


class StreamSink:
    """What a WebSocket transport reports: bytes in, end, failure, room to send again."""

    def __init__(self, stream: TransportStream) -> None:
        self._stream = stream

    def feed(self, data: Any) -> None:
        self._stream.feed(_bytes(data))

    def end(self) -> None:
        self._stream.feed_eof(closed=True)  # a WebSocket has no half-close

    def fail(self, reason: str) -> None:
        self._stream.fail(str(reason))

    def ready(self) -> None:
        self._stream.ready()


class FetchSink:
    """What a fetch transport reports, forwarded to the bridge as Python values."""

    def __init__(self, bridge: FetchBridge) -> None:
        self._bridge = bridge

    def head(self, status: int, reason: str, headers: Any) -> None:
        pairs = headers.to_py() if hasattr(headers, "to_py") else headers
        self._bridge.response_head(int(status), str(reason), [(str(k), str(v)) for k, v in pairs])

    def body(self, data: Any) -> bool:
        return self._bridge.response_body(_bytes(data))

    def end(self) -> None:
        self._bridge.response_end()

    def failed(self, message: str) -> None:
        self._bridge.response_failed(str(message))


class JsTransports:
    """The transports run by this worker (under JSPI, whose waits keep its event loop running)."""

    def __init__(self, transports: Any) -> None:
        self._js = transports  # web/net_transports.js `transports`

    def websocket(self, url: str, sink: StreamSink) -> Transport:
        from pyodide.ffi import JsException, create_proxy, run_sync

        proxy = create_proxy(sink)
        try:
            handle = run_sync(self._js.websocket(url, proxy, OPEN_TIMEOUT_MS, BACKLOG_POLL_MS))
        except JsException as error:
            proxy.destroy()
            raise ConnectFailed(getattr(error, "message", str(error))) from None
        return JsWebSocket(handle, proxy)

    def fetcher(self) -> Fetcher:
        return JsFetcher(self._js)


class JsWebSocket:
    """The Transport of a TransportStream over an open JS WebSocket (binary frames)."""

    def __init__(self, handle: Any, proxy: Any) -> None:
        self._handle = handle
        self._proxy = proxy

    def send(self, data: bytes) -> None:
        from pyodide.ffi import to_js

        self._handle.send(to_js(data))

    def backlog(self) -> int:
        return int(self._handle.backlog())

    def watch_backlog(self, limit: int) -> None:
        self._handle.watch(limit)

    def end(self) -> None:
        """No half-close in WebSocket: further sends fail here, the peer sees the end at close."""

    def close(self) -> None:
        self._handle.close()
        self._proxy.destroy()


class JsFetcher:
    """The Fetcher of one FetchBridge: requests through the worker's fetch(), without credentials,
    caching or redirects (a redirect could lead outside the granted origin: it fails the request)."""

    def __init__(self, transports: Any) -> None:
        self._js = transports
        self._proxy: Any = None

    def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> Any:
        from pyodide.ffi import create_proxy, to_js

        if self._proxy is None:
            self._proxy = create_proxy(FetchSink(bridge))
        return self._js.fetch(method, url, to_js([list(pair) for pair in headers]), to_js(body), self._proxy)

    def close(self) -> None:
        if self._proxy is not None:
            self._proxy.destroy()
            self._proxy = None
