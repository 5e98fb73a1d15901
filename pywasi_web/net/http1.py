"""HTTP/1.1 on the guest's side of the fetch bridge, with no I/O (in the spirit of h11).

`RequestParser` turns the bytes a guest writes into requests (request line, headers, a
Content-Length body); the `*_head` and `chunk` helpers write the response stream the guest reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(rb"HTTP/1\.[01]")
LAST_CHUNK = b"0\r\n\r\n"


class HttpError(Exception):
    """A request the bridge cannot take: answered with `status` and the connection closed."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def keep_alive(self) -> bool:
        """HTTP/1.1 keeps the connection unless it says `close`; 1.0 closes unless it says keep-alive."""
        tokens = {token.strip().lower() for token in (self.header("connection") or "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


class RequestParser:
    """Feed bytes, get the complete requests they finish (pipelining works)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._head: tuple[str, str, str, list[tuple[str, str]]] | None = None
        self._length = 0

    def feed(self, data: bytes) -> list[Request]:
        self._buffer += data
        requests = []
        while (request := self._next()) is not None:
            requests.append(request)
        return requests

    def _next(self) -> Request | None:
        if self._head is None:
            while self._buffer.startswith(b"\r\n") or self._buffer.startswith(b"\n"):
                del self._buffer[: 2 if self._buffer.startswith(b"\r\n") else 1]  # RFC 9112 2.2
            end = _head_end(self._buffer)
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    raise HttpError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request head too large")
                return None
            head = bytes(self._buffer[:end])
            del self._buffer[:end]
            self._head = _parse_head(head)
            self._length = _body_length(self._head[3])
        if len(self._buffer) < self._length:
            return None
        method, target, version, headers = self._head
        body = bytes(self._buffer[: self._length])
        del self._buffer[: self._length]
        self._head = None
        return Request(method, target, version, headers, body)


def _head_end(buffer: bytearray) -> int:
    """Where the head ends (after its blank line), or -1; bare LF line ends are accepted too."""
    ends = [at + len(mark) for mark in (b"\r\n\r\n", b"\n\n") if (at := buffer.find(mark)) >= 0]
    return min(ends, default=-1)


def _parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not parts[1]:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"malformed request line {lines[0][:80]!r}")
    if not _VERSION.fullmatch(parts[2]):
        raise HttpError(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, f"unsupported version {parts[2][:20]!r}")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HttpError(HTTPStatus.BAD_REQUEST, f"malformed header line {line[:80]!r}")
        try:
            headers.append((name.decode("ascii"), value.strip().decode("latin-1")))
        except UnicodeDecodeError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "a header name is not ASCII") from None
    target = parts[1].decode("latin-1")
    return parts[0].decode("ascii"), target, parts[2].decode("ascii"), headers


def _body_length(headers: list[tuple[str, str]]) -> int:
    names = {name.lower() for name, _ in headers}
    if "transfer-encoding" in names:
        raise HttpError(
            HTTPStatus.NOT_IMPLEMENTED, "chunked request bodies are not supported: send Content-Length"
        )
    lengths = {value for name, value in headers if name.lower() == "content-length"}
    if not lengths:
        return 0
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        raise HttpError(HTTPStatus.BAD_REQUEST, "invalid Content-Length")
    length = int(next(iter(lengths)))
    if length > MAX_BODY:
        raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY} bytes")
    return length


def response_head(status: int, reason: str, headers: list[tuple[str, str]], framing: str) -> bytes:
    """Status line and headers; `framing` is "chunked", "close" (the body ends with the stream)
    or "none" (no body: HEAD, 1xx, 204, 304)."""
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
    elif framing == "close":
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def error_response(status: HTTPStatus, message: str) -> bytes:
    """A complete response the bridge writes itself (the request never left), then it closes."""
    body = (message + "\n").encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    return response_head(status.value, status.phrase, headers, "close") + body


def has_body(method: str, status: int) -> bool:
    return method != "HEAD" and status >= 200 and status not in (204, 304)
