"""wasi:http called directly by a native component (guests/httpprobe.c) against a local server,
under wasmtime's own wasi:http (add_wasi_http) and under pywasi_web's: every line the guest
reports (status, a response header, body, the header rules) must be the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywasi_web import Program
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.preview2.host import wasi_imports
from pywasi_web.preview2.http import host_http
from tests.component.oracle import call, component, store_with_wasi
from tests.preview2.probes import probe
from tests.preview2.test_http import BIG, origin
from tests.unit.helpers import make_kernel

__all__ = ["origin"]  # the local server fixture

REQUESTS = [
    ("GET", "/hello?q=1", b""),
    ("GET", "/missing", b""),
    ("GET", "/big", b""),
    ("POST", "/echo", b"abcdef"),
    ("GET", "/cut", b""),
]


def httpprobe() -> Path:
    return probe(
        "httpprobe",
        ("wasi-http", "wasi-io", "wasi-clocks", "wasi-cli", "wasi-random", "wasi-filesystem", "wasi-sockets"),
    )


def wasmtime_fetch(wasm: Path, authority: str, method: str, path: str, body: bytes) -> list[str]:
    import wasmtime.component as wc

    store = store_with_wasi()
    store.set_wasi_http()
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    linker.add_wasi_http()
    instance = linker.instantiate(store, component(wasm))
    return list(call(store, instance, "fetch", authority, method, path, body))


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS)
def test_requests_same_as_wasmtime(origin: str, method: str, path: str, body: bytes) -> None:
    wasm = httpprobe()
    authority = origin.removeprefix("http://")
    expected = wasmtime_fetch(wasm, authority, method, path, body)
    program = Program(wasm)
    process = program.instantiate(imports=_http_grant(origin))
    ours = list(process.exports.fetch(authority, method, path, body))
    assert "handle: ok" in ours and any(line.startswith("status: ") for line in ours)
    assert ours == expected
    if path == "/big":
        assert f"body bytes: {len(BIG)}" in ours


def _http_grant(origin: str) -> dict[str, object]:
    """The wasi:http interfaces with a grant for `origin` (Program's own have none)."""
    host = wasi_imports(make_kernel(), http_access=host_http(Allowlist([origin])))
    return {name: host[name] for name in ("wasi:http/types", "wasi:http/outgoing-handler")}


def test_an_origin_outside_the_grant_is_denied(origin: str) -> None:
    process = Program(httpprobe()).instantiate(imports=_http_grant("http://127.0.0.1:1"))
    lines = list(process.exports.fetch(origin.removeprefix("http://"), "GET", "/hello", b""))
    assert lines[-1] == "handle: err 15"  # HTTP-request-denied, case 15 of error-code
