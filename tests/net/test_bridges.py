"""The browser's socket logic without a browser: TransportStream, FetchBridge, the HTTP/1.1 parser,
socket specs and page connections, driven by test doubles for the JS transports, and the same C
guest as the Playwright tests (playwright/guests/netclient.c) on wasmtime."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pywasi_web import CapabilityError, Program
from pywasi_web.abi.errno import Errno
from pywasi_web.cli.toolchain import build_c
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import SocketDescriptor
from pywasi_web.kernel.waiting import WouldBlock
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.fetch import HIGH_WATER as FETCH_HIGH_WATER
from pywasi_web.net.fetch import FetchBridge
from pywasi_web.net.http1 import HttpError, RequestParser
from pywasi_web.net.page import PageConnections
from pywasi_web.net.spec import FetchSpec, ListenSpec, WebSocketSpec, parse_sockets
from pywasi_web.net.stream import HIGH_WATER, TransportStream

NETCLIENT = Path(__file__).parents[2] / "playwright" / "guests" / "netclient.c"


class FakeTransport:
    def __init__(self) -> None:
        self.sent = bytearray()
        self.queued = 0
        self.watching: int | None = None
        self.ended = False
        self.closed = False

    def send(self, data: bytes) -> None:
        self.sent += data
        self.queued += len(data)

    def backlog(self) -> int:
        return self.queued

    def watch_backlog(self, limit: int) -> None:
        self.watching = limit

    def end(self) -> None:
        self.ended = True

    def close(self) -> None:
        self.closed = True


def test_transport_stream_buffers_ends_and_fails() -> None:
    transport = FakeTransport()
    stream = TransportStream(transport)
    wakes: list[int] = []
    stream.on_ready = lambda: wakes.append(1)
    assert stream.recv(10) is None and not stream.readable()
    stream.feed(b"hello world")
    assert wakes and stream.readable()
    assert stream.recv(5, peek=True) == b"hello"
    assert stream.recv(5) == b"hello" and stream.recv(100) == b" world"
    stream.feed_eof()
    assert stream.recv(10) == b"" and stream.send(b"still") == 5  # a half-close: the guest may answer
    stream.fail("relay gone")
    with pytest.raises(WasiError) as error:
        stream.send(b"x")
    assert error.value.errno == Errno.CONNRESET
    stream.close()
    assert transport.closed and stream.transport is None


def test_transport_stream_error_after_buffered_data_and_closed_peer() -> None:
    stream = TransportStream(FakeTransport())
    stream.feed(b"last words")
    stream.fail("code 1011")
    assert stream.recv(100) == b"last words"
    with pytest.raises(WasiError) as error:
        stream.recv(100)
    assert error.value.errno == Errno.CONNRESET
    gone = TransportStream(FakeTransport())
    gone.feed_eof(closed=True)
    with pytest.raises(WasiError) as error:
        gone.send(b"x")
    assert error.value.errno == Errno.PIPE


def test_transport_stream_backpressure_and_shutdown() -> None:
    transport = FakeTransport()
    stream = TransportStream(transport)
    assert stream.send(bytes(HIGH_WATER + 10)) == HIGH_WATER  # a partial send, as on a real socket
    assert stream.send(b"more") is None and transport.watching == HIGH_WATER
    assert not stream.writable()
    transport.queued = 0
    assert stream.writable() and stream.send(b"more") == 4
    stream.feed(b"unread")
    stream.shutdown(read=True, write=True)
    assert transport.ended and stream.recv(10) == b""
    with pytest.raises(WasiError) as error:
        stream.send(b"x")
    assert error.value.errno == Errno.PIPE


class FakeExchange:
    def __init__(self) -> None:
        self.resumed = 0
        self.cancelled = False

    def resume(self) -> None:
        self.resumed += 1

    def cancel(self) -> None:
        self.cancelled = True


class FakeFetcher:
    """Records requests; `respond` (if set) answers each one synchronously."""

    def __init__(self, respond: Callable[[FetchBridge, str, str], None] | None = None) -> None:
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        self.exchanges: list[FakeExchange] = []
        self.respond = respond
        self.closed = False

    def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> FakeExchange:
        self.requests.append((method, url, headers, body))
        self.exchanges.append(FakeExchange())
        if self.respond is not None:
            self.respond(bridge, method, url)
        return self.exchanges[-1]

    def close(self) -> None:
        self.closed = True


def read_all(bridge: FetchBridge) -> bytes:
    out = b""
    while (chunk := bridge.recv(1 << 20)) is not None and chunk:
        out += chunk
    return out


def test_fetch_bridge_one_request_at_a_time_and_framing() -> None:
    fetcher = FakeFetcher()
    bridge = FetchBridge("HTTP://Example.org:8080/", fetcher)
    sent = b"GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.0\r\n\r\n"
    assert bridge.send(sent) == len(sent)
    assert fetcher.requests == [("GET", "http://example.org:8080/a", [("Accept", "*/*")], b"")]
    assert bridge.recv(10) is None
    bridge.response_head(200, "", [("Content-Length", "2"), ("content-encoding", "gzip"), ("X-A", "1")])
    assert bridge.response_body(b"hi") is True
    bridge.response_end()
    assert [url for _, url, _, _ in fetcher.requests][1:] == ["http://example.org:8080/b"]
    bridge.response_head(200, "OK", [("Content-Length", "99")])
    bridge.response_end()
    bridge.response_head(404, "Not Found", [])
    bridge.response_body(b"gone")
    bridge.response_end()
    assert read_all(bridge) == (
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
        b"HTTP/1.1 200 OK\r\n\r\n"
        b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\ngone"
    )
    assert bridge.recv(10) == b""  # HTTP/1.0: the stream ends with the body
    with pytest.raises(WasiError) as error:
        bridge.send(b"GET / HTTP/1.1\r\n\r\n")
    assert error.value.errno == Errno.PIPE
    bridge.close()
    assert fetcher.closed


def test_fetch_bridge_pauses_a_body_the_guest_does_not_read() -> None:
    fetcher = FakeFetcher()
    bridge = FetchBridge("http://h", fetcher)
    bridge.send(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    bridge.response_head(200, "OK", [])
    assert bridge.response_body(bytes(FETCH_HIGH_WATER)) is False
    bridge.recv(FETCH_HIGH_WATER)
    assert fetcher.exchanges[0].resumed == 1


def test_fetch_bridge_failures() -> None:
    early = FetchBridge("http://h", FakeFetcher(lambda bridge, *_: bridge.response_failed("Failed to fetch")))
    early.send(b"GET /x HTTP/1.1\r\n\r\n")
    answer = read_all(early)
    assert (
        answer.startswith(b"HTTP/1.1 502 Bad Gateway\r\n")
        and b"fetch GET /x failed: Failed to fetch" in answer
    )

    late = FetchBridge("http://h", FakeFetcher())
    late.send(b"GET / HTTP/1.1\r\n\r\n")
    late.response_head(200, "OK", [])
    late.response_body(b"part")
    late.response_failed("network error")
    assert late.recv(100) is not None
    with pytest.raises(WasiError) as error:
        late.recv(100)
    assert error.value.errno == Errno.CONNRESET

    shut = FetchBridge("http://h", FakeFetcher())
    shut.shutdown(read=False, write=True)
    assert shut.recv(10) == b"" and shut.readable()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET\r\n\r\n", 400),
        (b"GET / HTTP/3\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        (b"GET " + b"a" * 70000, 431),
    ],
)
def test_request_parser_rejects(request_bytes: bytes, status: int) -> None:
    with pytest.raises(HttpError) as error:
        RequestParser().feed(request_bytes)
    assert error.value.status == status


def test_request_parser_pieces_bare_lf_and_keep_alive() -> None:
    parser = RequestParser()
    assert parser.feed(b"\r\nPOST /p HTTP/1.1\nContent-Length: 3\nConnection: Close\n\nab") == []
    request, second = parser.feed(b"cGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert (request.method, request.target, request.body, request.keep_alive) == ("POST", "/p", b"abc", False)
    assert parser.feed(b"") == []
    assert second.keep_alive and second.header("CONNECTION") == "keep-alive"


def test_socket_specs_are_checked_against_the_allowlist() -> None:
    allow = Allowlist(["ws://relay:6080", "db:5432", "https://api.example"])
    specs: list[dict[str, object]] = [
        {"websocket": "ws://relay:6080/x", "host": "db", "port": 5432.0},
        {"fetch": "https://api.example/"},
        {"listen": 80},
    ]
    assert parse_sockets(specs, allow) == [
        WebSocketSpec("ws://relay:6080/x", "db", 5432),
        FetchSpec("https://api.example"),
        ListenSpec(80),
    ]
    denied: dict[str, dict[str, object]] = {
        "db:5433 is not in the network allowlist": {
            "websocket": "ws://relay:6080",
            "host": "db",
            "port": 5433,
        },
        "ws://other:80 is not in the network allowlist": {
            "websocket": "ws://other",
            "host": "db",
            "port": 5432,
        },
        "https://evil:443 is not in": {"fetch": "https://evil"},
        "is not a ws:// or wss:// URL": {"websocket": "http://relay:6080", "host": "db", "port": 5432},
        "is not an http(s) origin": {"fetch": "https://api.example/path"},
        "must be a port number": {"listen": 70000},
        "must be a non-empty string": {"websocket": "ws://relay:6080", "port": 1},
        "is none of": {"connect": "db:5432"},
    }
    for message, spec in denied.items():
        with pytest.raises(CapabilityError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_sockets([spec], allow)
    with pytest.raises(CapabilityError, match="same port"):
        parse_sockets([{"listen": 1}, {"listen": 1}], allow)


def test_page_connections() -> None:
    posted: list[dict[str, object]] = []
    page = PageConnections(posted.append)
    listener = page.listen(8080)
    page.connect(1, 9)
    assert posted[-1] == {"action": "refused", "conn": 1, "message": "no guest listens on port 9"}
    page.connect(2, 8080)
    page.write(2, b"hi")
    page.end(2)
    stream = listener.accept()
    assert stream is not None and stream.recv(10) == b"hi" and stream.recv(10) == b""
    assert stream.send(b"HI") == 2
    stream.close()
    assert posted[-2:] == [{"action": "data", "conn": 2, "data": b"HI"}, {"action": "end", "conn": 2}]
    page.connect(3, 8080)
    page.close()
    assert posted[-1] == {"action": "end", "conn": 3}
    page.connect(4, 8080)
    assert posted[-1]["action"] == "refused"


def test_waitall_reports_would_block_and_keeps_what_it_read() -> None:
    stream = TransportStream(FakeTransport())
    descriptor = SocketDescriptor(0, 0, socket=stream)
    stream.feed(b"abc")
    with pytest.raises(WouldBlock):  # the call is abandoned here and re-run after the wait
        descriptor.recv(6, waitall=True)
    assert descriptor.readable_now() == (True, 3, False)
    stream.feed(b"def")
    assert descriptor.recv(6, waitall=True) == b"abcdef"


def test_the_browser_guest_speaks_http_through_the_bridge_on_wasmtime() -> None:
    def respond(bridge: FetchBridge, method: str, url: str) -> None:
        bridge.response_head(200, "OK", [("Content-Type", "text/plain")])
        bridge.response_body(f"{method} {url}".encode())
        bridge.response_end()

    guest = Program(build_c(NETCLIENT))
    result = guest.run(
        ["pipe"],
        sockets=[FetchBridge("http://h:1", FakeFetcher(respond))],
        stdin=b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        capture_output=True,
        timeout=30,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"10\r\nGET http://h:1/a\r\n0\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nGET http://h:1/b"
    )


def test_net_stays_plain_python() -> None:
    """The layering rule: pywasi_web/net imports neither js nor pyodide (browser/transports.py does)."""
    import ast

    import pywasi_web.net

    for source in Path(pywasi_web.net.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] in ("js", "pyodide") for name in names), source
