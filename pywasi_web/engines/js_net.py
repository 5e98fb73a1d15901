"""The browser's network transports behind pywasi_web.net's interfaces: WebSocket and fetch().

pywasi_web/net holds the socket logic in plain Python (TransportStream, FetchBridge, Listener);
this module is the only place that touches the JS objects. A small JS helper owns each
WebSocket or fetch and calls back into one Python "sink" per socket (a PyProxy, destroyed when
the socket closes; the JS side drops its handlers first, so no call reaches a destroyed proxy).

Events arrive only while the worker's event loop runs, that is while the guest waits under JSPI;
so sockets need JSPI: without it (Atomics.wait, or no blocking at all) configuring a run with
sockets fails with a CapabilityError that says so.

Importable on CPython (for type checking); `js` and `pyodide` are imported only when used.
"""

from __future__ import annotations

from typing import Any

from pywasi_web.errors import CapabilityError
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.base import Socket
from pywasi_web.net.fetch import FetchBridge
from pywasi_web.net.page import PageConnections
from pywasi_web.net.spec import FetchSpec, ListenSpec, WebSocketSpec, parse_sockets
from pywasi_web.net.stream import TransportStream

OPEN_TIMEOUT_MS = 10_000
BACKLOG_POLL_MS = 2  # WebSocket has no "drained" event: a blocked send polls bufferedAmount

_JS_NET = r"""
({
  // Resolves with a handle once the WebSocket is open; rejects with a message if it never opens.
  websocket(url, sink, timeoutMs, pollMs) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(url, ["binary"]);
      } catch (error) {
        reject(new Error(String(error && error.message || error)));
        return;
      }
      ws.binaryType = "arraybuffer";
      let open = false, live = true, poll = null;
      const opening = setTimeout(() => {
        if (open) return;
        detach();
        reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const detach = () => {
        live = false;
        clearTimeout(poll);
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        ws.close();
      };
      const handle = {
        send(data) { ws.send(data); },
        backlog() { return ws.bufferedAmount; },
        watch(limit) {
          if (poll !== null) return;
          const check = () => {
            poll = null;
            if (!live) return;
            if (ws.bufferedAmount < limit || ws.readyState !== WebSocket.OPEN) sink.ready();
            else poll = setTimeout(check, pollMs);
          };
          poll = setTimeout(check, pollMs);
        },
        close: detach,
      };
      ws.onopen = () => {
        open = true;
        clearTimeout(opening);
        resolve(handle);
      };
      ws.onmessage = (event) => {
        if (typeof event.data !== "string") {
          sink.feed(new Uint8Array(event.data));
          return;
        }
        detach();  // not a byte stream relay: the connection is dropped
        sink.fail("the relay sent a text frame");
      };
      ws.onclose = (event) => {
        live = false;
        clearTimeout(poll);
        if (!open) {
          clearTimeout(opening);
          reject(new Error(`the relay refused the connection or is unreachable (close code ${event.code})`));
        } else if (event.code === 1000) {
          sink.end();
        } else {
          const reason = event.reason ? `: ${event.reason}` : "";
          sink.fail(`the relay closed the connection (code ${event.code}${reason})`);
        }
      };
    });
  },
  // One request; the outcome goes to sink.head/body/end/failed. body() returning false pauses the
  // body until resume(). cancel() aborts and silences the sink.
  fetch(method, url, headers, body, sink) {
    const controller = new AbortController();
    let live = true, resume = null;
    const wake = () => {
      const pending = resume;
      resume = null;
      if (pending) pending();
    };
    const init = { method, headers, credentials: "omit", redirect: "error", cache: "no-store",
                   signal: controller.signal };
    if (body.length) init.body = body;
    const describe = (error) => String(error && error.message || error);
    (async () => {
      let response;
      try {
        response = await fetch(url, init);
      } catch (error) {
        if (live) sink.failed(describe(error));
        return;
      }
      if (!live) return;
      sink.head(response.status, response.statusText, Array.from(response.headers));
      try {
        if (response.body) {
          const reader = response.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (!live) return;
            if (done) break;
            if (!sink.body(value)) await new Promise((resolve) => (resume = resolve));
            if (!live) return;
          }
        }
      } catch (error) {
        if (live) sink.failed(describe(error));
        return;
      }
      if (live) sink.end();
    })();
    return {
      resume: wake,
      cancel() {
        live = false;
        controller.abort();
        wake();
      },
    };
  },
})
"""

_helpers_cache: list[Any] = []


def _helpers() -> Any:
    if not _helpers_cache:
        from pyodide.code import run_js

        _helpers_cache.append(run_js(_JS_NET))
    return _helpers_cache[0]


def open_sockets(specs: object, allow: object, page: PageConnections) -> list[Socket]:
    """The guest's sockets, in order: every target checked against `allow` before any is opened.

    `specs` and `allow` are the run's JS options as Python (lists of dicts and of strings).
    Listening sockets are registered with `page`, which routes the page's rt.connect() to them.
    Raises CapabilityError for a denied target, a bad spec, a relay that does not open, or a
    browser without JSPI.
    """
    if not isinstance(specs, list):
        raise CapabilityError("sockets must be a list of socket objects")
    if not isinstance(allow, list) or not all(isinstance(entry, str) for entry in allow):
        raise CapabilityError("allow must be a list of strings (origins and host:port pairs)")
    parsed = parse_sockets(specs, Allowlist(allow))
    if not parsed:
        return []
    from pyodide.ffi import can_run_sync

    if not can_run_sync():
        raise CapabilityError(
            "sockets need JSPI (WebAssembly.Suspending): without it the worker cannot receive "
            "network events while the guest waits"
        )
    sockets: list[Socket] = []
    try:
        for spec in parsed:
            if isinstance(spec, WebSocketSpec):
                sockets.append(_websocket(spec))
            elif isinstance(spec, FetchSpec):
                sockets.append(FetchBridge(spec.origin, JsFetcher()))
            elif isinstance(spec, ListenSpec):
                sockets.append(page.listen(spec.port))
    except BaseException:
        for socket in sockets:
            socket.close()
        raise
    return sockets


class _StreamSink:
    """What the JS WebSocket helper calls: bytes in, end, failure, room to send again."""

    def __init__(self, stream: TransportStream) -> None:
        self._stream = stream

    def feed(self, data: Any) -> None:
        self._stream.feed(data.to_bytes())

    def end(self) -> None:
        self._stream.feed_eof(closed=True)  # a WebSocket has no half-close

    def fail(self, reason: str) -> None:
        self._stream.fail(str(reason))

    def ready(self) -> None:
        self._stream.ready()


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


def _websocket(spec: WebSocketSpec) -> TransportStream:
    from pyodide.ffi import JsException, create_proxy, run_sync

    stream = TransportStream()
    proxy = create_proxy(_StreamSink(stream))
    try:
        handle = run_sync(_helpers().websocket(spec.url, proxy, OPEN_TIMEOUT_MS, BACKLOG_POLL_MS))
    except JsException as error:
        proxy.destroy()
        message = getattr(error, "message", str(error))
        raise CapabilityError(
            f"cannot connect to {spec.host}:{spec.port} through {spec.url}: {message}"
        ) from None
    stream.transport = JsWebSocket(handle, proxy)
    return stream


class _FetchSink:
    """What the JS fetch helper calls, forwarded to the bridge with JS values made Python."""

    def __init__(self, bridge: FetchBridge) -> None:
        self._bridge = bridge

    def head(self, status: int, reason: str, headers: Any) -> None:
        self._bridge.response_head(int(status), str(reason), [(str(k), str(v)) for k, v in headers.to_py()])

    def body(self, data: Any) -> bool:
        return self._bridge.response_body(data.to_bytes())

    def end(self) -> None:
        self._bridge.response_end()

    def failed(self, message: str) -> None:
        self._bridge.response_failed(str(message))


class JsFetcher:
    """The Fetcher of one FetchBridge: requests through the worker's fetch(), without credentials,
    caching or redirects (a redirect could lead outside the granted origin: it fails the request)."""

    def __init__(self) -> None:
        self._proxy: Any = None

    def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> Any:
        from pyodide.ffi import create_proxy, to_js

        if self._proxy is None:
            self._proxy = create_proxy(_FetchSink(bridge))
        return _helpers().fetch(
            method, url, to_js([list(pair) for pair in headers]), to_js(body), self._proxy
        )

    def close(self) -> None:
        if self._proxy is not None:
            self._proxy.destroy()
            self._proxy = None
