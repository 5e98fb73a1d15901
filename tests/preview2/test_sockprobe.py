"""wasi:sockets called directly by a native component (guests/sockprobe.c) with no network
granted, under wasmtime's own WASI 0.2 (whose default context grants none, and wasmtime-py cannot
grant any) and under pywasi_web with no SocketAccess: creating sockets and looking names up must
be refused with the same codes. The granted paths are tested in test_sockets.py."""

from __future__ import annotations

from pathlib import Path

from pywasi_web import Program
from tests.component.oracle import call, component, store_with_wasi
from tests.preview2.probes import probe


def sockprobe() -> Path:
    return probe("sockprobe", ("wasi-sockets", "wasi-io", "wasi-clocks"))


def test_sockets_without_a_grant_same_as_wasmtime() -> None:
    import wasmtime.component as wc

    wasm = sockprobe()
    store = store_with_wasi()
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    expected = list(call(store, linker.instantiate(store, component(wasm)), "probe"))
    ours = list(Program(wasm).instantiate().exports.probe())
    assert len(ours) == 10  # four creations, six names
    assert ours == expected


def test_an_allow_grant_reaches_wasi_sockets() -> None:
    """Program's `allow` (what run() and `pywasi-web run --allow` pass) becomes the component's
    network: the names it grants resolve, the others stay denied (connects: test_sockets.py)."""
    ours = list(Program(sockprobe()).instantiate(allow=["localhost:*", "127.0.0.1:*"]).exports.probe())
    denied = list(Program(sockprobe()).instantiate().exports.probe())
    assert all(line.endswith(": err 1") for line in denied[:4])  # access-denied without a grant
    assert all(line.endswith(": ok") for line in ours[:4])
    assert ours[4] == 'resolve "localhost": ok' and ours[6] == 'resolve "127.0.0.1": ok'
    assert ours[5] == denied[5] == 'resolve "example.com": err 20'  # not granted: as without one
