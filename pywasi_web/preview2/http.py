"""wasi:http (types, outgoing-handler): outgoing requests behind the network allowlist.

A request goes out through a net Fetcher, the interface the fetch bridge already uses: in the
browser the worker's fetch() (browser/transports.JsFetcher), on CPython `HostFetcher`, a real
HTTP/1.1 client on a thread. The response arrives through the Fetcher's callbacks
(response_head, response_body, response_end, response_failed) into a `Call`, whose buffer the
guest reads through wasi:io streams and pollables: waiting is the kernel's Waiter, as everywhere.
Only origins the Allowlist names are reached; anything else is HTTP-request-denied. Redirects
are not followed (each hop would need its own grant).
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from pywasi_web.abi.errno import Errno
from pywasi_web.component.values import Err, Ok, Variant
from pywasi_web.errors import CapabilityError, WasiError
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.fetch import FetchBridge, Fetcher
from pywasi_web.preview2.io import Error, InputStream, OutputStream, Pollable

# Response bytes buffered for the guest before the Fetcher is asked to pause.
HIGH_WATER = 1 << 20
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# host[:port] as ASCII: a name, an IPv4 address or a bracketed IPv6 one (no user info)
_AUTHORITY = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%]+)(:[0-9]{1,5})?")
# Headers a guest may not set: the connection is the host's (wasmtime forbids the same).
FORBIDDEN = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "transfer-encoding", "upgrade", "host", "http2-settings",
    }
)  # fmt: skip


@dataclass
class HttpAccess:
    """The embedder's grant: which origins, and a new Fetcher for each request."""

    allow: Allowlist
    fetcher: Callable[[], Fetcher]
    calls: set[Call] = field(default_factory=set)  # sent and not yet closed

    def close(self) -> None:
        """The run is over (returned, exited, trapped, timed out, cancelled): every request still
        in flight is cancelled (the browser's fetch aborted, HostFetcher's connection shut) and
        every Fetcher released."""
        for call in list(self.calls):
            call.close()


def host_http(allow: Allowlist) -> HttpAccess:
    """Real HTTP on CPython within `allow`."""
    return HttpAccess(allow, HostFetcher)


def _header_error(case: str) -> Err:
    return Err(Variant(case))


def _check_value(value: bytes) -> bytes:
    value = bytes(value)
    if any(byte in value for byte in b"\r\n\0"):
        raise _header_error("invalid-syntax")
    return value


class Fields:
    """fields (headers, trailers): ordered (name, value) pairs, names compared case-insensitively."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, bytes]] = []
        self.immutable = False

    @classmethod
    def _of(cls, entries: Iterable[tuple[str, bytes]], *, immutable: bool = False) -> Fields:
        fields = cls()
        fields._entries = list(entries)
        fields.immutable = immutable
        return fields

    @staticmethod
    def from_list(entries: Iterable[tuple[str, bytes]]) -> Fields:
        fields = Fields()
        for name, value in entries:
            fields.append(name, value)
        return fields

    def _name(self, name: str) -> str:
        if self.immutable:
            raise _header_error("immutable")
        if not _TOKEN.fullmatch(name):
            raise _header_error("invalid-syntax")
        if name.lower() in FORBIDDEN:
            raise _header_error("forbidden")
        return name

    def get(self, name: str) -> list[bytes]:
        key = name.lower()
        return [value for entry, value in self._entries if entry.lower() == key]

    def has(self, name: str) -> bool:
        return bool(self.get(name))

    def set(self, name: str, value: Iterable[bytes]) -> None:
        values = [_check_value(item) for item in value]
        self.delete(name)
        self._entries += [(name, item) for item in values]

    def delete(self, name: str) -> None:
        key = self._name(name).lower()
        self._entries = [(entry, value) for entry, value in self._entries if entry.lower() != key]

    def append(self, name: str, value: bytes) -> None:
        self._entries.append((self._name(name), _check_value(value)))

    def entries(self) -> list[tuple[str, bytes]]:
        return list(self._entries)

    def clone(self) -> Fields:
        return Fields._of(self._entries)


class BodyStream(OutputStream):
    """An outgoing body's stream: collected in memory, sent when the body is finished."""

    def __init__(self, body: OutgoingBody, waiter: Waiter) -> None:
        super().__init__(waiter)
        self._body = body

    def _room(self) -> int:
        if self._body.finished:
            raise WasiError(Errno.PIPE, "the body is finished")
        return super()._room()

    def _put(self, data: bytes) -> None:
        self._room()
        self._body.data += data


class OutgoingBody:
    def __init__(self, request: OutgoingRequest) -> None:
        self._request = request
        self.data = bytearray()
        self.finished = False
        self.abandoned = False
        self._stream_taken = False

    def write(self) -> OutputStream:
        if self._stream_taken:
            raise Err(None)
        self._stream_taken = True
        return BodyStream(self, self._request.waiter)

    @staticmethod
    def finish(this: OutgoingBody, trailers: Fields | None) -> None:
        if trailers is not None and trailers.entries():
            raise Err(Variant("HTTP-request-trailer-section-size", None))  # fetch cannot send trailers
        this.finished = True
        this._request.body_finished()

    def drop(self) -> None:
        """Dropped without finish: the request is abandoned, so its response fails (it never
        goes out: a server would otherwise see a body cut short)."""
        if not self.finished:
            self.abandoned = True
            self._request.body_abandoned()


class OutgoingRequest:
    """outgoing-request; its `waiter` is bound per instance by HttpTypes."""

    waiter: Waiter

    def __init__(self, headers: Fields) -> None:
        self._headers = headers
        self._method: Variant = Variant("get")
        self._path: str | None = None
        self._scheme: Variant | None = None
        self._authority: str | None = None
        self._body: OutgoingBody | None = None
        self._call: Call | None = None

    def body(self) -> OutgoingBody:
        if self._body is not None:
            raise Err(None)
        self._body = OutgoingBody(self)
        return self._body

    def method(self) -> Variant:
        return self._method

    def set_method(self, method: Variant) -> None:
        if method.case == "other" and not _TOKEN.fullmatch(method.value):
            raise Err(None)
        self._method = method

    def path_with_query(self) -> str | None:
        return self._path

    def set_path_with_query(self, path_with_query: str | None) -> None:
        if path_with_query is not None and not re.fullmatch(r"/[\x21-\x7e]*", path_with_query):
            raise Err(None)
        self._path = path_with_query

    def scheme(self) -> Variant | None:
        return self._scheme

    def set_scheme(self, scheme: Variant | None) -> None:
        if (
            scheme is not None
            and scheme.case == "other"
            and not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*", scheme.value)
        ):
            raise Err(None)
        self._scheme = scheme

    def authority(self) -> str | None:
        return self._authority

    def set_authority(self, authority: str | None) -> None:
        if authority is not None and not _AUTHORITY.fullmatch(authority):
            raise Err(None)
        self._authority = authority

    def headers(self) -> Fields:
        return self._headers

    def url(self) -> str:
        scheme = self._scheme or Variant("HTTPS")
        name = scheme.value if scheme.case == "other" else scheme.case.lower()
        if not self._authority:
            raise Err(Variant("HTTP-request-URI-invalid"))
        return f"{name}://{self._authority}{self._path or '/'}"

    def body_finished(self) -> None:
        if self._call is not None:
            self._call.send(bytes(self._body.data) if self._body else b"")

    def body_abandoned(self) -> None:
        if self._call is not None:
            self._call.response_failed("the request body was dropped before it was finished")

    def sent(self, call: Call) -> None:
        """handle() took this request: it goes now, or when its body is finished."""
        self._call = call
        self._headers.immutable = True
        if self._body is not None and self._body.abandoned:
            self.body_abandoned()
        elif self._body is None or self._body.finished:
            self.body_finished()


class RequestOptions:
    """request-options: timeouts are kept and reported; fetch() has no per-phase timeouts."""

    def __init__(self) -> None:
        self._timeouts: dict[str, int | None] = {"connect": None, "first_byte": None, "between_bytes": None}

    def connect_timeout(self) -> int | None:
        return self._timeouts["connect"]

    def set_connect_timeout(self, duration: int | None) -> None:
        self._timeouts["connect"] = duration

    def first_byte_timeout(self) -> int | None:
        return self._timeouts["first_byte"]

    def set_first_byte_timeout(self, duration: int | None) -> None:
        self._timeouts["first_byte"] = duration

    def between_bytes_timeout(self) -> int | None:
        return self._timeouts["between_bytes"]

    def set_between_bytes_timeout(self, duration: int | None) -> None:
        self._timeouts["between_bytes"] = duration


class Call:
    """One request in flight: what the Fetcher reports (from any thread), what the guest reads."""

    def __init__(
        self, method: str, url: str, headers: list[tuple[str, str]], access: HttpAccess, waiter: Waiter
    ):
        self._start = (method, url, headers)
        self._access = access
        self._waiter = waiter
        self._lock = threading.Lock()
        self._exchange: Any = None
        self._fetcher: Fetcher | None = None
        self.head: tuple[int, list[tuple[str, str]]] | None = None
        self.failure: str | None = None
        self.buffer = bytearray()
        self.ended = False
        self._paused = False
        self._closed = False

    def send(self, body: bytes) -> None:
        if self._closed:  # the guest dropped the future before it finished the body: never sent
            return
        method, url, headers = self._start
        self._fetcher = self._access.fetcher()
        self._access.calls.add(self)
        # The Fetcher reports through the response_* methods a FetchBridge has; a Call has them too.
        self._exchange = self._fetcher.fetch(method, url, headers, body, cast(FetchBridge, self))

    # -- the Fetcher's side --------------------------------------------------------------------

    def response_head(self, status: int, reason: str, headers: list[tuple[str, str]]) -> None:
        with self._lock:
            self.head = (status, headers)
        self._waiter.notify()

    def response_body(self, data: bytes) -> bool:
        with self._lock:
            self.buffer += data
            self._paused = len(self.buffer) >= HIGH_WATER
        self._waiter.notify()
        return not self._paused

    def response_end(self) -> None:
        with self._lock:
            self.ended = True
        self._waiter.notify()

    def response_failed(self, message: str) -> None:
        with self._lock:
            self.failure = message
            self.ended = True
        self._waiter.notify()

    # -- the guest's side ----------------------------------------------------------------------

    def take(self, size: int) -> bytes | None:
        with self._lock:
            if self.buffer:
                data = bytes(self.buffer[:size])
                del self.buffer[:size]
                resume = self._paused and len(self.buffer) < HIGH_WATER
                self._paused = self._paused and not resume
            elif self.ended:
                return b""
            else:
                return None
        if resume and self._exchange is not None:
            self._exchange.resume()
        return data

    def close(self) -> None:
        """Cancel the request if it is still going (its connection closes) and release the Fetcher."""
        self._closed = True
        if self._exchange is not None and not self.ended:
            self._exchange.cancel()
        if self._fetcher is not None:
            self._fetcher.close()
        self._access.calls.discard(self)


def _failure_code(message: str) -> Variant:
    return Variant("internal-error", message)


class ResponseStream(InputStream):
    def __init__(self, call: Call, waiter: Waiter) -> None:
        super().__init__(waiter)
        self._call = call

    def _ready(self) -> bool:
        return bool(self._call.buffer) or self._call.ended

    def _take(self, size: int) -> bytes | None:
        data = self._call.take(size)
        if data == b"" and self._call.failure is not None:
            error = Error(self._call.failure, http_code=Variant("HTTP-response-incomplete"))
            raise Err(Variant("last-operation-failed", error))
        return data


class FutureTrailers:
    def __init__(self, call: Call, waiter: Waiter) -> None:
        self._call = call
        self._waiter = waiter
        self._taken = False

    def subscribe(self) -> Pollable:
        return Pollable(self._waiter, lambda: self._call.ended)

    def get(self) -> Any:
        if not self._call.ended:
            return None
        if self._taken:
            return Err(None)
        self._taken = True
        if self._call.failure is not None:
            return Ok(Err(Variant("HTTP-response-incomplete")))
        return Ok(Ok(None))

    def drop(self) -> None:
        self._call.close()


class IncomingBody:
    def __init__(self, call: Call, waiter: Waiter) -> None:
        self._call = call
        self._waiter = waiter
        self._stream_taken = False

    def stream(self) -> InputStream:
        if self._stream_taken:
            raise Err(None)
        self._stream_taken = True
        return ResponseStream(self._call, self._waiter)

    @staticmethod
    def finish(this: IncomingBody) -> FutureTrailers:
        return FutureTrailers(this._call, this._waiter)

    def drop(self) -> None:
        self._call.close()


class IncomingResponse:
    def __init__(self, call: Call, waiter: Waiter) -> None:
        assert call.head is not None
        self._call = call
        self._waiter = waiter
        self._status, headers = call.head
        self._headers = Fields._of(
            ((name, value.encode("latin-1")) for name, value in headers), immutable=True
        )
        self._consumed = False

    def status(self) -> int:
        return self._status

    def headers(self) -> Fields:
        return self._headers

    def consume(self) -> IncomingBody:
        if self._consumed:
            raise Err(None)
        self._consumed = True
        return IncomingBody(self._call, self._waiter)

    def drop(self) -> None:
        """Dropped unconsumed: nobody will read the body, so the request is cancelled."""
        if not self._consumed:
            self._call.close()


class FutureIncomingResponse:
    def __init__(self, call: Call, waiter: Waiter) -> None:
        self._call = call
        self._waiter = waiter
        self._taken = False

    def _ready(self) -> bool:
        return self._call.head is not None or self._call.failure is not None

    def subscribe(self) -> Pollable:
        return Pollable(self._waiter, self._ready)

    def get(self) -> Any:
        if not self._ready():
            return None
        if self._taken:
            return Err(None)
        self._taken = True
        if self._call.head is None:
            return Ok(Err(_failure_code(self._call.failure or "the request failed")))
        return Ok(Ok(IncomingResponse(self._call, self._waiter)))

    def drop(self) -> None:
        """Dropped before its response was taken: the request is cancelled (as wasmtime aborts
        its task), its connection closed; a body finished later sends nothing."""
        if not self._taken:
            self._call.close()


class ResponseOutparam:
    """response-outparam: only an incoming handler (a server world) receives one; none here."""

    def send_informational(self, status: int, headers: Fields) -> None:
        raise Err(Variant("HTTP-protocol-error"))

    @staticmethod
    def set(param: ResponseOutparam, response: object) -> None:
        """Nothing to answer: this host never calls an incoming handler."""


class OutgoingResponse:
    """outgoing-response: for incoming handlers, which this host never calls; kept for linking."""

    def __init__(self, headers: Fields) -> None:
        self._headers = headers
        self._status = 200

    def status_code(self) -> int:
        return self._status

    def set_status_code(self, status_code: int) -> None:
        if not 100 <= status_code <= 999:
            raise Err(None)
        self._status = status_code

    def headers(self) -> Fields:
        return self._headers


class IncomingRequest:
    """incoming-request: never created here (no incoming handler)."""


class HttpTypes:
    """wasi:http/types; resources the guest constructs get this instance's waiter."""

    Fields = Fields
    IncomingRequest = IncomingRequest
    RequestOptions = RequestOptions
    ResponseOutparam = ResponseOutparam
    IncomingResponse = IncomingResponse
    IncomingBody = IncomingBody
    FutureTrailers = FutureTrailers
    OutgoingResponse = OutgoingResponse
    OutgoingBody = OutgoingBody
    FutureIncomingResponse = FutureIncomingResponse

    def __init__(self, waiter: Waiter) -> None:
        self.OutgoingRequest = type("OutgoingRequest", (OutgoingRequest,), {"waiter": waiter})

    def http_error_code(self, err: Error) -> Variant | None:
        code = err.http_code
        return code if isinstance(code, Variant) else None


class OutgoingHandler:
    """wasi:http/outgoing-handler."""

    def __init__(self, access: HttpAccess | None, waiter: Waiter) -> None:
        self._access = access
        self._waiter = waiter

    def handle(self, request: OutgoingRequest, options: RequestOptions | None) -> FutureIncomingResponse:
        url = request.url()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Err(Variant("HTTP-protocol-error"))
        if self._access is None:
            raise Err(Variant("HTTP-request-denied"))
        try:
            self._access.allow.check_origin(url)
        except ValueError:  # a port past 65535
            raise Err(Variant("HTTP-request-URI-invalid")) from None
        except CapabilityError:
            raise Err(Variant("HTTP-request-denied")) from None
        method = request.method()
        name = method.value if method.case == "other" else method.case.upper()
        headers = [(key, value.decode("latin-1")) for key, value in request.headers().entries()]
        call = Call(name, url, headers, self._access, self._waiter)
        request.sent(call)
        return FutureIncomingResponse(call, self._waiter)


class HostFetcher:
    """A Fetcher for CPython: one HTTP/1.1 request on a thread with http.client. `cancel` shuts
    the connection's socket, which ends a read or connect the thread is blocked in at once."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._resume = threading.Event()
        self._connection: http.client.HTTPConnection | None = None

    def fetch(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> HostFetcher:
        threading.Thread(target=self._run, args=(method, url, headers, body, bridge), daemon=True).start()
        return self

    def _run(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes, bridge: FetchBridge
    ) -> None:
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = self._connection = kind(parts.netloc, timeout=60)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.connect()
            if self._cancelled.is_set():  # cancelled while connecting, before `cancel` saw a socket
                return
            connection.request(method, target or "/", body=body or None, headers=dict(headers))
            response = connection.getresponse()
            bridge.response_head(response.status, response.reason, response.getheaders())
            while not self._cancelled.is_set() and (data := response.read1(65536)):
                if not bridge.response_body(data):
                    self._resume.wait()
                    self._resume.clear()
            if self._cancelled.is_set():
                return
            if response.length:  # read1 ends quietly when the peer closes before Content-Length
                raise http.client.IncompleteRead(b"", response.length)
            bridge.response_end()
        except (OSError, ValueError, http.client.HTTPException) as error:  # ValueError: bad URL
            if not self._cancelled.is_set():  # a cancelled request reports nothing more
                bridge.response_failed(str(error) or type(error).__name__)
        finally:
            connection.close()

    def resume(self) -> None:
        self._resume.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._resume.set()
        connection = self._connection
        sock = connection.sock if connection is not None else None
        if sock is not None:  # the plain socket's shutdown, under any TLS layer (safe while the
            with contextlib.suppress(OSError):  # thread reads); OSError: closed already
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def close(self) -> None:
        self.cancel()
