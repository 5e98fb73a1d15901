"""Socket capabilities described as data (the browser's `sockets` option), checked before any run.

An embedder passes plain dicts (from JS); `parse_sockets` turns them into typed specs and
refuses, with a CapabilityError naming it, every target the allowlist does not grant. Nothing
is opened here: the browser engine opens the transports (pywasi_web/browser/transports.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pywasi_web.errors import CapabilityError
from pywasi_web.net.allowlist import Allowlist


@dataclass(frozen=True)
class WebSocketSpec:
    """A stream to host:port through a WebSocket relay (websockify) at `url`."""

    url: str
    host: str
    port: int


@dataclass(frozen=True)
class FetchSpec:
    """An HTTP/1.1 connection bridged to fetch() against `origin`."""

    origin: str


@dataclass(frozen=True)
class ListenSpec:
    """A listening socket whose connections the page opens with `rt.connect(port)`."""

    port: int


SocketSpec = WebSocketSpec | FetchSpec | ListenSpec
SHAPES = "{websocket: url, host, port}, {fetch: origin} or {listen: port}"


def parse_sockets(specs: Sequence[Mapping[str, object]], allow: Allowlist) -> list[SocketSpec]:
    """Typed specs in order; the relay URL, the host:port and the fetch origin must all be allowed."""
    parsed = [_parse(index, spec, allow) for index, spec in enumerate(specs)]
    ports = [spec.port for spec in parsed if isinstance(spec, ListenSpec)]
    if len(ports) != len(set(ports)):
        raise CapabilityError("two listening sockets on the same port")
    return parsed


def _parse(index: int, spec: Mapping[str, object], allow: Allowlist) -> SocketSpec:
    if not isinstance(spec, Mapping):
        raise CapabilityError(f"sockets[{index}] is not an object: use {SHAPES}")
    if "websocket" in spec:
        url = _text(index, spec, "websocket")
        if urlsplit(url).scheme not in ("ws", "wss"):
            raise CapabilityError(f"sockets[{index}]: {url!r} is not a ws:// or wss:// URL")
        host, port = _text(index, spec, "host"), _port(index, spec, "port")
        allow.check_origin(url)
        allow.check_host(host, port)
        return WebSocketSpec(url, host, port)
    if "fetch" in spec:
        origin = _text(index, spec, "fetch")
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise CapabilityError(f"sockets[{index}]: {origin!r} is not an http(s) origin")
        allow.check_origin(origin)
        return FetchSpec(f"{parts.scheme}://{parts.netloc}")
    if "listen" in spec:
        return ListenSpec(_port(index, spec, "listen"))
    raise CapabilityError(f"sockets[{index}] is none of {SHAPES}")


def _text(index: int, spec: Mapping[str, object], key: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise CapabilityError(f"sockets[{index}].{key} must be a non-empty string")
    return value


def _port(index: int, spec: Mapping[str, object], key: str) -> int:
    value = spec.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a JS number
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        raise CapabilityError(f"sockets[{index}].{key} must be a port number (1-65535)")
    return value
