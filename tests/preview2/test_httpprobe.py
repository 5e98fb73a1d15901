"""wasi:http called directly by a native component (guests/httpprobe.c) against a local server,
under wasmtime's own wasi:http (add_wasi_http) and under pywasi_web's, granted through Program's
`allow` as `run()` and `pywasi-web run --allow` grant it: every line the guest reports (status, a
response header, body, the header rules) must be the same; an origin outside `allow` is denied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import wasmtime

from pywasi_web import Program
from pywasi_web.net.allowlist import Allowlist
from tests.component.oracle import call, component, store_with_wasi
from tests.preview2.probes import probe
from tests.preview2.test_http import BIG, origin

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


def wasmtime_http(wasm: Path, config: wasmtime.WasiConfig | None = None) -> tuple[wasmtime.Store, Any]:
    """The component instantiated by wasmtime with its WASI 0.2 and its wasi:http."""
    import wasmtime.component as wc

    store = store_with_wasi(config)
    store.set_wasi_http()
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    linker.add_wasi_http()
    return store, linker.instantiate(store, component(wasm))


def wasmtime_fetch(wasm: Path, authority: str, method: str, path: str, body: bytes) -> list[str]:
    store, instance = wasmtime_http(wasm)
    return list(call(store, instance, "fetch", authority, method, path, body))


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS)
def test_requests_same_as_wasmtime(origin: str, method: str, path: str, body: bytes) -> None:
    wasm = httpprobe()
    authority = origin.removeprefix("http://")
    expected = wasmtime_fetch(wasm, authority, method, path, body)
    program = Program(wasm)
    process = program.instantiate(allow=[origin])
    ours = list(process.exports.fetch(authority, method, path, body))
    assert "handle: ok" in ours and any(line.startswith("status: ") for line in ours)
    assert ours == expected
    if path == "/big":
        assert f"body bytes: {len(BIG)}" in ours


@pytest.mark.parametrize("allow", [None, ["http://127.0.0.1:1"], Allowlist(["127.0.0.1:*"])])
def test_an_origin_outside_the_grant_is_denied(origin: str, allow: object) -> None:
    """No grant, another origin, or host:port entries (those are for wasi:sockets) all deny."""
    process = Program(httpprobe()).instantiate(allow=allow)  # type: ignore[arg-type]
    lines = list(process.exports.fetch(origin.removeprefix("http://"), "GET", "/hello", b""))
    assert lines[-1] == "handle: err 15"  # HTTP-request-denied, case 15 of error-code
