"""wasi:cli, wasi:io, wasi:clocks and wasi:random called directly by a native component
(guests/ioprobe.c), under wasmtime's own WASI 0.2 and under pywasi_web with the same arguments,
environment and stdin: every reported line, and what reached stdout, must be the same."""

from __future__ import annotations

from pathlib import Path

from pywasi_web import Program
from tests.component.oracle import call, component, store_with_wasi
from tests.preview2.probes import probe

ARGS = ["ioprobe", "two words", "ünï"]
ENV = {"GREETING": "hi", "EMPTY": "", "B": "x=y"}
STDIN = b"abcdefghijklmnop"


def ioprobe() -> Path:
    return probe(
        "ioprobe", ("wasi-cli", "wasi-io", "wasi-clocks", "wasi-random", "wasi-filesystem", "wasi-sockets")
    )


def test_stdio_clocks_and_random_same_as_wasmtime(tmp_path: Path) -> None:
    import wasmtime
    import wasmtime.component as wc

    wasm = ioprobe()
    config = wasmtime.WasiConfig()
    config.argv = ARGS
    config.env = [[name, value] for name, value in ENV.items()]
    (tmp_path / "stdin").write_bytes(STDIN)
    config.stdin_file = str(tmp_path / "stdin")
    config.stdout_file = str(tmp_path / "stdout")
    store = store_with_wasi(config)
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    expected = list(call(store, linker.instantiate(store, component(wasm)), "probe"))
    written: list[bytes] = []
    process = Program(wasm).instantiate(ARGS[1:], argv0=ARGS[0], env=ENV, stdin=STDIN, stdout=written.append)
    ours = list(process.exports.probe())
    assert any(line.startswith("stdin rest") for line in ours)
    assert ours == expected
    assert b"".join(written) == (tmp_path / "stdout").read_bytes() == b"out:fghi\0\0|end\n"
