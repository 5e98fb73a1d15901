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

from collections.abc import Callable
from typing import Any, Protocol

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import CapabilityError, WasiError
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.base import Socket
from pywasi_web.net.fetch import FetchBridge, Fetcher
from pywasi_web.net.page import PageConnections
from pywasi_web.net.spec import FetchSpec, ListenSpec, SocketSpec, WebSocketSpec, parse_sockets
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

    def start_websocket(self, url: str, stream: OpeningStream) -> None:
        """Begin opening a WebSocket for `stream` without waiting for it: `stream.opened` or
        `stream.refused` follows, from the event loop or the channel, while the guest waits."""

    def fetcher(self) -> Fetcher:
        """The Fetcher for one fetch-bridged socket."""
        ...


def checked_specs(specs: object, allow: object, transports: Transports | None) -> list[SocketSpec]:
    """The run's socket specs, every target checked against `allow` (CapabilityError for a denied
    target, a bad spec, or specs where the worker cannot block: `transports` is None).

    `specs` and `allow` are the run's JS options as Python (lists of dicts and of strings)."""
    if not isinstance(specs, list):
        raise CapabilityError("sockets must be a list of socket objects")
    if not isinstance(allow, list) or not all(isinstance(entry, str) for entry in allow):
        raise CapabilityError("allow must be a list of strings (origins and host:port pairs)")
    parsed = parse_sockets(specs, Allowlist(allow))
    if parsed and transports is None:
        raise CapabilityError(NO_TRANSPORTS)
    return parsed


def open_sockets(
    specs: object, allow: object, page: PageConnections, transports: Transports | None
) -> list[Socket]:
    """A Preview 1 guest's sockets, in order, opened once all are checked (`checked_specs`).

    Listening sockets are registered with `page`, which routes the page's rt.connect() to them.
    `transports` is None where the worker cannot block (no JSPI, no Atomics). Raises
    CapabilityError for a denied target, a bad spec, a relay that does not open, or no transports.
    """
    parsed = checked_specs(specs, allow, transports)
    if transports is None:
        return []
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


class OpeningStream(TransportStream):
    """A TransportStream whose WebSocket is still opening (a component's start-connect): the
    guest's finish-connect asks `connected()`, which is False until the transport reports."""

    def __init__(self) -> None:
        super().__init__()
        self._refusal: str | None = None
        self._dropped = False
        # gives up the WebSocket while it is opening: the page relay's close (under Atomics the
        # worker may not read the page's "open" before the run ends); under JSPI `opened` does
        self.cancel_opening: Callable[[], None] = lambda: None

    def opened(self, transport: Transport) -> None:
        if self._dropped:  # the guest gave the socket up while it was opening
            transport.close()
            return
        self.transport = transport
        self.on_ready()

    def refused(self, reason: str) -> None:
        self._refusal = str(reason)
        self.on_ready()

    def connected(self) -> bool:
        if self._refusal is not None:
            raise WasiError(Errno.CONNREFUSED, self._refusal)
        return self.transport is not None

    def close(self) -> None:
        if self.transport is None and self._refusal is None and not self._dropped:
            self.cancel_opening()
        self._dropped = True
        super().close()


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

    def start_websocket(self, url: str, stream: OpeningStream) -> None:
        from pyodide.ffi import create_once_callable, create_proxy

        sink = create_proxy(StreamSink(stream))

        def opened(handle: Any) -> None:
            on_refused.destroy()
            stream.opened(JsWebSocket(handle, sink))

        def refused(error: Any) -> None:
            on_opened.destroy()
            sink.destroy()
            stream.refused(getattr(error, "message", None) or str(error))

        on_opened, on_refused = create_once_callable(opened), create_once_callable(refused)
        self._js.websocket(url, sink, OPEN_TIMEOUT_MS, BACKLOG_POLL_MS).then(on_opened, on_refused)

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
