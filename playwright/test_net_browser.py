"""Sockets in the browser: a C guest (playwright/guests/netclient.c) using wasi-libc's
send/recv/read/write/poll on its preopened socket, through a real websockify to a local TCP
server, through the fetch bridge to a local HTTP server, and from the page (rt.connect).

Every run has a timeoutMs; the servers are local and started here, websockify as a subprocess.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.net.servers import echo, free_port, tcp_server, websockify

pytestmark = pytest.mark.browser

MIB10 = 10 * 1024 * 1024
BIG = bytes((i * 7 + (i >> 10)) & 0xFF for i in range(MIB10))
TIMEOUT_MS = 60_000

# Runs a guest and returns what a test needs: stdout as text when short, its first 64 KiB as
# latin-1 (bytes intact) and its SHA-256 (10 MiB stay in the page).
RUN = """async ([runtime, name, options]) => {
    const r = await window[runtime].run(`examples/${name}`, options);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", r.stdoutBytes));
    return {exitCode: r.exitCode, stderr: r.stderr, error: r.error ?? null,
            stdoutLength: r.stdoutBytes.length,
            stdout: r.stdoutBytes.length < 65536 ? r.stdout : null,
            stdoutLatin1: Array.from(r.stdoutBytes.subarray(0, 65536), (b) => String.fromCharCode(b))
                .join(""),
            sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")};
}"""


def run_net(page: Any, name: str, runtime: str = "pywasiRuntime", **options: Any) -> dict[str, Any]:
    options.setdefault("timeoutMs", TIMEOUT_MS)
    result: dict[str, Any] = page.evaluate(RUN, [runtime, name, options])
    return result


# The playground's runtime blocks through JSPI; a second one on the same (cross-origin isolated)
# page is forced onto Atomics.wait, where the page runs the sockets' transports for the worker.
RUNTIME = """async ([key, blocking]) => {
    const { Runtime } = await import("/pywasi.js");
    window[key] ??= new Runtime({ blocking });
    return (await window[key].ready).blocking;
}"""


@pytest.fixture(params=["jspi", "atomics"])
def runtime(page: Any, request: pytest.FixtureRequest) -> str:
    """The window property of a runtime that blocks with JSPI, or with Atomics.wait."""
    key = "pywasiRuntime" if request.param == "jspi" else "atomicsRuntime"
    assert page.evaluate(RUNTIME, [key, request.param]) == request.param
    return key


def half_then_close(connection: socket.socket) -> None:
    """Sends a little and closes at once: the guest must see the data, then end of stream."""
    with connection:
        connection.sendall(b"partial data from the server")


@pytest.fixture(scope="module")
def echo_relay() -> Iterator[tuple[str, int]]:
    with tcp_server(echo) as port, websockify(port) as url:
        yield url, port


def relay_options(url: str, port: int) -> dict[str, Any]:
    return {
        "sockets": [{"websocket": url, "host": "127.0.0.1", "port": port}],
        "allow": [url, f"127.0.0.1:{port}"],
    }


class Handler(BaseHTTPRequestHandler):
    """CORS-enabled test routes (the worker fetches cross-origin): /hello, /big (10 MiB),
    /broken (promises 1 MB, sends 1000 bytes and closes), POST /echo."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _head(self, status: int, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-Test")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("X-Test", "yes")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, HEAD")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        if self.path == "/hello":
            body = b"hello from http\n"
            self._head(200, len(body))
            self.wfile.write(body)
        elif self.path == "/big":
            self._head(200, len(BIG))
            self.wfile.write(BIG)
        elif self.path == "/broken":
            self._head(200, 1_000_000)
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._head(404, 0)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        reply = b"got " + body + b" as " + self.headers.get("X-Kind", "?").encode()
        self._head(201, len(reply))
        self.wfile.write(reply)


@pytest.fixture(scope="module")
def http_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch_options(origin: str) -> dict[str, Any]:
    return {"sockets": [{"fetch": origin}], "allow": [origin]}


def dechunk(data: bytes) -> tuple[bytes, bytes]:
    """A chunked body from the start of `data`: (body, what follows the last chunk)."""
    body = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        body, data = body + data[:size], data[size + 2 :]
        if size == 0:
            return body, data


def split_response(data: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, rest


# -- a stream through websockify ---------------------------------------------------------------


def test_echo_through_websockify_with_peek_waitall_nonblock_and_10_mib(
    page: Any, runtime: str, echo_relay: tuple[str, int]
) -> None:
    url, port = echo_relay
    result = run_net(page, "netclient.wasm", runtime, args=["echo", str(MIB10)], **relay_options(url, port))
    assert result["error"] is None and result["exitCode"] == 0, result
    lines = result["stdout"].splitlines()
    assert lines[:3] == ["nonblock -1 EAGAIN", "peek 4 hell", "waitall 12 hello world!"]
    assert lines[3].startswith(f"bulk sent {MIB10} received {MIB10} in ")


def test_peer_closing_mid_stream_reads_as_end_of_stream(page: Any, runtime: str) -> None:
    with tcp_server(half_then_close) as port, websockify(port) as url:
        result = run_net(page, "netclient.wasm", runtime, args=["pipe"], stdin="", **relay_options(url, port))
    assert result["exitCode"] == 0, result
    assert result["stdout"] == "partial data from the server"
    assert "end of stream" in result["stderr"]


def test_a_guest_blocked_on_a_socket_stops_at_its_timeout(
    page: Any, runtime: str, echo_relay: tuple[str, int]
) -> None:
    url, port = echo_relay  # the echo server never closes: the guest's read waits until the timeout
    options = relay_options(url, port)
    result = run_net(page, "netclient.wasm", runtime, args=["pipe"], stdin="ping", timeoutMs=1500, **options)
    assert result["exitCode"] == 124 and result["error"]["kind"] == "timeout", result
    assert result["stdout"] == "ping"  # what the echo sent back before the timeout
    again = run_net(page, "netclient.wasm", runtime, args=["echo", "1000"], **options)  # the worker is fine
    assert again["exitCode"] == 0, again


def test_relay_error_is_econnreset(page: Any, runtime: str) -> None:
    dead = free_port()  # nothing listens there: websockify opens, then closes with 1011
    with websockify(dead) as url:
        result = run_net(
            page, "netclient.wasm", runtime, args=["pipe"], stdin="hi", **relay_options(url, dead)
        )
    assert result["exitCode"] in (3, 4), result
    assert "Connection reset by peer" in result["stderr"]


# the page runs the transports of an Atomics.wait worker: the browser logs their failures there
@pytest.mark.expected_console_errors("net::ERR_CONNECTION_REFUSED")
def test_unreachable_relay_is_a_clear_configuration_error(page: Any, runtime: str) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/"
    result = run_net(page, "netclient.wasm", runtime, args=["pipe"], **relay_options(url, 7))
    assert result["exitCode"] is None and result["stdoutLength"] == 0
    assert result["error"]["kind"] == "CapabilityError"
    assert f"cannot connect to 127.0.0.1:7 through {url}" in result["error"]["message"]


# -- deny by default ---------------------------------------------------------------------------


def test_targets_outside_the_allowlist_are_refused_before_the_guest_runs(
    page: Any, echo_relay: tuple[str, int], http_origin: str
) -> None:
    url, port = echo_relay
    denied: list[tuple[dict[str, Any], str]] = [
        (
            {"sockets": [{"websocket": url, "host": "127.0.0.1", "port": port}], "allow": [url]},
            f"127.0.0.1:{port}",
        ),
        ({"sockets": [{"websocket": url, "host": "127.0.0.1", "port": port}]}, url.rstrip("/")),
        ({"sockets": [{"fetch": http_origin}], "allow": ["http://127.0.0.1:1"]}, http_origin),
        ({"sockets": [{"fetch": "http://10.0.0.1"}], "allow": [http_origin]}, "http://10.0.0.1:80"),
    ]
    for options, target in denied:
        result = run_net(page, "netclient.wasm", args=["pipe"], **options)
        assert result["exitCode"] is None and result["stdoutLength"] == 0, result
        assert result["error"]["kind"] == "CapabilityError"
        assert f"{target} is not in the network allowlist" in result["error"]["message"], result
    bad = run_net(page, "netclient.wasm", args=["pipe"], sockets=[{"tcp": "example"}])
    assert "sockets[0] is none of" in bad["error"]["message"]
    bad = run_net(page, "netclient.wasm", args=["pipe"], sockets=[{"fetch": http_origin}], allow=http_origin)
    assert bad["error"]["message"] == "allow must be a list of strings (origins and host:port pairs)"


# -- HTTP through fetch() ----------------------------------------------------------------------


def test_fetch_bridge_keep_alive_then_close(page: Any, runtime: str, http_origin: str) -> None:
    requests = (
        "GET /hello HTTP/1.1\r\nHost: ignored\r\n\r\n"
        "POST /echo HTTP/1.1\r\nX-Kind: test\r\nContent-Length: 4\r\n\r\nbody"
        "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n"
    )
    result = run_net(
        page, "netclient.wasm", runtime, args=["pipe"], stdin=requests, **fetch_options(http_origin)
    )
    assert result["exitCode"] == 0, result
    data = result["stdoutLatin1"].encode("latin-1")
    status, headers, rest = split_response(data)
    assert status == "HTTP/1.1 200 OK"
    assert headers["transfer-encoding"] == "chunked" and headers["x-test"] == "yes"
    assert "content-length" not in headers
    body, rest = dechunk(rest)
    assert body == b"hello from http\n"
    status, headers, rest = split_response(rest)
    assert status == "HTTP/1.1 201 Created"
    body, rest = dechunk(rest)
    assert body == b"got body as test"
    status, headers, rest = split_response(rest)
    assert status == "HTTP/1.1 200 OK" and headers["connection"] == "close"
    assert rest == b"hello from http\n"


def test_fetch_bridge_streams_10_mib_intact(page: Any, runtime: str, http_origin: str) -> None:
    request = "GET /big HTTP/1.1\r\nConnection: close\r\n\r\n"
    result = run_net(
        page, "netclient.wasm", runtime, args=["pipe"], stdin=request, **fetch_options(http_origin)
    )
    assert result["exitCode"] == 0, result
    head = result["stdoutLatin1"].partition("\r\n\r\n")[0] + "\r\n\r\n"
    status, headers, _ = split_response(head.encode())
    assert status == "HTTP/1.1 200 OK" and headers["connection"] == "close" and headers["x-test"] == "yes"
    assert result["stdoutLength"] == len(head) + MIB10
    assert result["sha256"] == hashlib.sha256(head.encode("latin-1") + BIG).hexdigest()


# the page runs the transports of an Atomics.wait worker: the browser logs their failures there
@pytest.mark.expected_console_errors("net::ERR_CONTENT_LENGTH_MISMATCH")
def test_fetch_server_closing_mid_body_is_econnreset(page: Any, runtime: str, http_origin: str) -> None:
    request = "GET /broken HTTP/1.1\r\nConnection: close\r\n\r\n"
    result = run_net(
        page, "netclient.wasm", runtime, args=["pipe"], stdin=request, **fetch_options(http_origin)
    )
    assert result["exitCode"] == 4, result
    assert "read: Connection reset by peer" in result["stderr"]
    status, _, body = split_response(result["stdoutLatin1"].encode("latin-1"))
    assert status == "HTTP/1.1 200 OK" and body == b"x" * len(body) and len(body) <= 1000


def test_fetch_bridge_answers_bad_requests_itself(page: Any, http_origin: str) -> None:
    cases = {
        "NONSENSE\r\n\r\n": "HTTP/1.1 400 Bad Request",
        "GET http://10.0.0.1/ HTTP/1.1\r\n\r\n": "HTTP/1.1 403 Forbidden",
        "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n": "HTTP/1.1 501 Not Implemented",
        "GET /hello HTTP/2.0\r\n\r\n": "HTTP/1.1 505 HTTP Version Not Supported",
    }
    for request, status in cases.items():
        result = run_net(page, "netclient.wasm", args=["pipe"], stdin=request, **fetch_options(http_origin))
        assert result["exitCode"] == 0, result
        assert result["stdout"].startswith(status + "\r\n"), result["stdout"]
        assert "Connection: close" in result["stdout"]


def test_fetch_of_an_unreachable_origin_is_502(page: Any) -> None:
    origin = f"http://127.0.0.1:{free_port()}"
    result = run_net(
        page, "netclient.wasm", args=["pipe"], stdin="GET / HTTP/1.1\r\n\r\n", **fetch_options(origin)
    )
    assert result["exitCode"] == 0, result
    assert result["stdout"].startswith("HTTP/1.1 502 Bad Gateway\r\n")
    assert "fetch GET / failed" in result["stdout"]


# -- connections from the page -----------------------------------------------------------------

CONNECT = """async ([runtime, port, text]) => {
    const rt = window[runtime];
    const run = rt.run("examples/netclient.wasm",
                       {args: ["serve"], sockets: [{listen: port}], timeoutMs: 60000});
    const wrong = rt.connect(port + 1);
    const connection = rt.connect(port);
    connection.write(text);
    connection.close();
    const refused = await wrong.read().then(() => null, (error) => error.message);
    const reply = new TextDecoder().decode(await connection.readAll());
    const r = await run;
    return {reply, refused, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, error: r.error ?? null};
}"""


def test_page_connects_to_a_listening_guest(page: Any, runtime: str) -> None:
    result = page.evaluate(CONNECT, [runtime, 8080, "hello from the page"])
    assert result["error"] is None and result["exitCode"] == 0, result
    assert result["reply"] == "HELLO FROM THE PAGE"
    assert result["stdout"] == "accepted\nserved 19\n"
    assert result["refused"] == "connection refused: no guest listens on port 8081"


# -- with no way to block ----------------------------------------------------------------------

NO_BLOCKING = """async (options) => {
    const { Runtime } = await import("/pywasi.js");
    window.noBlockingRuntime ??= new Runtime({ blocking: "none" });  // as test_atomics_blocking
    const info = await window.noBlockingRuntime.ready;
    const r = await window.noBlockingRuntime.run("examples/netclient.wasm", options);
    return {blocking: info.blocking, exitCode: r.exitCode, error: r.error ?? null};
}"""


def test_sockets_where_the_worker_cannot_block_are_a_clear_error(page: Any, http_origin: str) -> None:
    options = {"args": ["pipe"], "timeoutMs": TIMEOUT_MS, **fetch_options(http_origin)}
    result = page.evaluate(NO_BLOCKING, options)
    assert result["blocking"] == "none" and result["exitCode"] is None
    assert result["error"]["kind"] == "CapabilityError"
    assert result["error"]["message"].startswith(
        "sockets need JSPI (WebAssembly.Suspending) or a cross-origin isolated page (Atomics.wait)"
    )
