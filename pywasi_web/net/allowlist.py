"""Deny by default: the origins and host:port pairs an embedder lets a guest reach."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

from pywasi_web.errors import CapabilityError


class Allowlist:
    """Entries are "host:port", "host:*" or origins ("https://example.org"); nothing else passes."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.hosts: set[tuple[str, str]] = set()
        self.origins: set[str] = set()
        for entry in entries:
            if "://" in entry:
                self.origins.add(_origin(entry))
            else:
                host, separator, port = entry.rpartition(":")
                if not separator or not host or not (port == "*" or port.isdigit()):
                    raise CapabilityError(f"allowlist entry {entry!r} is not host:port, host:* or an origin")
                self.hosts.add((host_key(host), port))

    def check_host(self, host: str, port: int) -> None:
        key = host_key(host)
        if (key, str(port)) not in self.hosts and (key, "*") not in self.hosts:
            raise CapabilityError(f"{host}:{port} is not in the network allowlist")

    def check_origin(self, url: str) -> None:
        if _origin(url) not in self.origins:
            raise CapabilityError(f"{_origin(url)} is not in the network allowlist")


DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def host_key(host: str) -> str:
    """A host as allowlist entries and routes compare it: lower case, an IPv6 address unbracketed."""
    return host.strip("[]").lower()


def url_port(parts: SplitResult) -> int | None:
    """The port a URL reaches: its own, else its scheme's default (None for another scheme)."""
    return parts.port or DEFAULT_PORTS.get(parts.scheme)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise CapabilityError(f"{url!r} is not an absolute URL")
    return f"{parts.scheme}://{parts.hostname.lower()}:{url_port(parts)}"
