"""wasi:http outgoing requests against a local HTTP server, through CPython's HostFetcher."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pywasi_web.component.values import Err, Ok, Variant
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.preview2.host import wasi_imports
from pywasi_web.preview2.http import host_http
from tests.preview2.helpers import error_of
from tests.unit.helpers import make_kernel

BIG = bytes(range(256)) * 8192  # 2 MiB: past the response buffer's high-water mark


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        if self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.close_connection = True
            return
        body = BIG if self.path == "/big" else f"GET {self.path} x-test={self.headers['x-test']}".encode()
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Reply", "yes")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[::-1])


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def interfaces(*allowed: str) -> tuple[Any, Any]:
    host = wasi_imports(make_kernel(), http_access=host_http(Allowlist(allowed)))
    return host["wasi:http/types"], host["wasi:http/outgoing-handler"]


def request(types: Any, origin: str, path: str, method: str = "get") -> Any:
    headers = types.Fields.from_list([("x-test", b"42")])
    outgoing = types.OutgoingRequest(headers)
    outgoing.set_method(Variant(method))
    outgoing.set_scheme(Variant("HTTP"))
    outgoing.set_authority(origin.removeprefix("http://"))
    outgoing.set_path_with_query(path)
    return outgoing


def response_of(future: Any) -> Any:
    future.subscribe().block()
    result = future.get()
    assert isinstance(result, Ok) and isinstance(result.value, Ok)
    assert future.get() == Err(None)  # taken once
    return result.value.value


def read_all(body: Any) -> bytes:
    stream = body.stream()
    data = bytearray()
    while True:
        try:
            data += stream.blocking_read(1 << 16)
        except Err as error:
            assert error.value.case == "closed"
            return bytes(data)


def test_get_with_headers_and_status(origin: str) -> None:
    types, handler = interfaces(origin)
    future = handler.handle(request(types, origin, "/hello?q=1"), None)
    response = response_of(future)
    assert response.status() == 200
    assert response.headers().get("x-reply") == [b"yes"]
    assert error_of(response.headers().append, "x-more", b"1") == Variant("immutable")
    body = response.consume()
    assert error_of(response.consume) is None
    assert read_all(body) == b"GET /hello?q=1 x-test=42"
    trailers = types.IncomingBody.finish(body)
    trailers.subscribe().block()
    assert trailers.get() == Ok(Ok(None))


def test_post_a_body_written_before_and_after_handle(origin: str) -> None:
    types, handler = interfaces(origin)
    outgoing = request(types, origin, "/echo", "post")
    outgoing.headers().append("content-length", b"6")
    body = outgoing.body()
    future = handler.handle(outgoing, types.RequestOptions())
    stream = body.write()
    stream.blocking_write_and_flush(b"abc")
    assert future.get() is None  # not sent until the body is finished
    stream.write(b"def")
    types.OutgoingBody.finish(body, None)
    response = response_of(future)
    assert response.status() == 201
    assert read_all(response.consume()) == b"fedcba"


@pytest.mark.parametrize("drop_before_handle", [True, False])
def test_a_body_dropped_before_finish_fails_the_request(origin: str, drop_before_handle: bool) -> None:
    types, handler = interfaces(origin)
    outgoing = request(types, origin, "/echo", "post")
    body = outgoing.body()
    body.write().write(b"partial")
    if drop_before_handle:
        body.drop()
    future = handler.handle(outgoing, None)
    if not drop_before_handle:
        body.drop()
    future.subscribe().block()
    result = future.get()
    assert isinstance(result, Ok) and isinstance(result.value, Err)
    assert result.value.value == Variant(
        "internal-error", "the request body was dropped before it was finished"
    )


def test_a_large_body_streams_through_backpressure(origin: str) -> None:
    types, handler = interfaces(origin)
    response = response_of(handler.handle(request(types, origin, "/big"), None))
    assert read_all(response.consume()) == BIG


def test_a_404_is_a_response(origin: str) -> None:
    types, handler = interfaces(origin)
    response = response_of(handler.handle(request(types, origin, "/missing"), None))
    assert response.status() == 404


def test_origins_outside_the_allowlist_are_denied(origin: str) -> None:
    types, handler = interfaces("http://127.0.0.1:1")
    assert error_of(handler.handle, request(types, origin, "/"), None) == Variant("HTTP-request-denied")
    denied = wasi_imports(make_kernel())["wasi:http/outgoing-handler"]
    assert error_of(denied.handle, request(types, origin, "/"), None) == Variant("HTTP-request-denied")


def test_a_refused_connection_fails_the_future() -> None:
    types, handler = interfaces("http://127.0.0.1:1")
    future = handler.handle(request(types, "http://127.0.0.1:1", "/"), None)
    future.subscribe().block()
    result = future.get()
    assert isinstance(result, Ok) and isinstance(result.value, Err)
    assert result.value.value.case == "internal-error"


def test_fields_rules() -> None:
    types, _ = interfaces()
    fields = types.Fields()
    fields.append("Accept", b"a")
    fields.append("accept", b"b")
    assert fields.get("ACCEPT") == [b"a", b"b"] and fields.has("accept")
    fields.set("accept", [b"c"])
    assert fields.entries() == [("accept", b"c")]
    clone = fields.clone()
    fields.delete("accept")
    assert not fields.has("accept") and clone.get("accept") == [b"c"]
    assert error_of(fields.append, "bad name", b"x") == Variant("invalid-syntax")
    assert error_of(fields.append, "x", b"a\r\nb") == Variant("invalid-syntax")
    assert error_of(fields.append, "Host", b"evil") == Variant("forbidden")
    assert error_of(types.Fields.from_list, [("connection", b"close")]) == Variant("forbidden")


def test_request_setters_validate() -> None:
    types, handler = interfaces()
    outgoing = types.OutgoingRequest(types.Fields())
    assert outgoing.method() == Variant("get") and outgoing.path_with_query() is None
    for bad in ("no-slash", "/a b", "/a\r\nHost: evil", "/é"):
        assert error_of(outgoing.set_path_with_query, bad) is None, bad
    outgoing.set_path_with_query("/a/b?c=d&e=%20")
    for bad in ("a/b", "user@host", "", "hé.example", "host:port", "a b", "[::1"):
        assert error_of(outgoing.set_authority, bad) is None, bad
    for good in ("example.org", "example.org:8080", "127.0.0.1:80", "[::1]:443"):
        outgoing.set_authority(good)
    outgoing.set_authority(None)
    assert error_of(outgoing.set_method, Variant("other", "BAD METHOD")) is None
    assert error_of(handler.handle, outgoing, None) == Variant("HTTP-request-URI-invalid")
    body = outgoing.body()
    assert error_of(outgoing.body) is None  # one body per request
    body.write()
    assert error_of(body.write) is None  # one stream per body


def test_a_response_cut_short_is_a_stream_error_with_an_http_code(origin: str) -> None:
    types, handler = interfaces(origin)
    response = response_of(handler.handle(request(types, origin, "/cut"), None))
    stream = response.consume().stream()
    received = bytearray()
    with pytest.raises(Err) as raised:
        while True:
            received += stream.blocking_read(1 << 16)
    assert received == b"0123456789"
    failure = raised.value.value
    assert failure.case == "last-operation-failed"
    assert types.http_error_code(failure.value) == Variant("HTTP-response-incomplete")


def test_a_port_past_65535_is_an_invalid_uri_not_a_host_error() -> None:
    types, handler = interfaces("http://127.0.0.1:80")
    outgoing = request(types, "http://127.0.0.1:99999", "/")
    assert error_of(handler.handle, outgoing, None) == Variant("HTTP-request-URI-invalid")
