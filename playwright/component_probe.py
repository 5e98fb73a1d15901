"""Runs the test components through pywasi_web and reports what came back, as plain JSON-able
values. The same file runs on CPython (wasmtime engine) and inside Pyodide in Chromium (the page's
WebAssembly), so the browser test compares the two hosts line for line (with the same host
classes: PROBE_FILES, the files it needs there).

`commands(paths, waiter)` runs adapted commands ("hello", "cat": they need the WASI 0.2 host);
`natives(paths, waiter)` the native components ("demo", "res", "composed": no WASI at all).
"""

from __future__ import annotations

import hashlib
from typing import Any

from pywasi_web import GuestTrap, Program
from pywasi_web.component.values import Err, Variant
from tests.component.blob_host import Blob, Blobs  # in Pyodide: shipped beside this file

PROBE_FILES = ["tests/__init__.py", "tests/component/__init__.py", "tests/component/blob_host.py"]

DEMO_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("greet", ("wörld ✓",)),
    ("sum", ([1, -2, 3, 2**31 - 1, -(2**31)],)),
    ("reverse", (b"abc\x00\xff",)),
    ("swap", ((7, "seven"),)),
    ("classify", (-5,)),
    ("maybe-double", (21,)),
    ("next-color", ("blue",)),
    ("toggle", ({"read"},)),
    ("describe", (Variant("rect", {"x": -1, "y": 2, "label_text": "box"}),)),
    ("describe", (Variant("circle", 1.5),)),
    ("make-point", (3, -4)),
    ("many", (255, -128, 65535, -32768, 2**32 - 1, -(2**31), 2**64 - 1, -(2**63), 1.5, 2.25, "é", True)),
    ("wide", tuple(range(1, 18))),
    ("split-words", ("  the quick  brown fox ",)),
    ("use-host", (10,)),
    ("use-host", (7,)),
]


class DemoHost:
    """example:demo/host. `config` waits a little through the kernel's waiter first, as a host
    function that blocks does: in the browser it runs under JSPI (WebAssembly.Suspending)."""

    def __init__(self, waiter: Any) -> None:
        self.logged: list[str] = []
        self.waiter = waiter

    def log(self, message: str) -> None:
        self.logged.append(message)

    def config(self) -> list[tuple[str, str]]:
        self.waiter.wait(0.01)
        return [("mode", "test"), ("level", "3")]

    config.may_block = True  # type: ignore[attr-defined]

    def checked_half(self, n: int) -> int:
        if n % 2:
            raise Err(f"{n} is odd")
        return n // 2


def _shown(value: Any) -> str:
    """repr, with a set's names sorted (their order differs between processes)."""
    return f"frozenset({sorted(value)!r})" if isinstance(value, frozenset) else repr(value)


def _trap(call: Any) -> str:
    try:
        return f"returned {call()!r}"
    except GuestTrap as trap:
        return str(trap)


def commands(paths: dict[str, str], waiter: Any) -> dict[str, Any]:
    report: dict[str, Any] = {}
    hello = Program(paths["hello"]).run(
        ["a", "b c"], argv0="hello.wasm", env={"K": "v"}, capture_output=True, waiter=waiter()
    )
    report["hello"] = [hello.exit_code, hello.stdout.decode(), hello.stderr.decode()]
    cat = Program(paths["cat"]).run(
        [], argv0="cat.wasm", stdin=b"piped\nlines\n", capture_output=True, waiter=waiter()
    )
    report["cat"] = [cat.exit_code, cat.stdout.decode(), cat.stderr.decode()]
    return report


def natives(paths: dict[str, str], waiter: Any) -> dict[str, Any]:
    report: dict[str, Any] = {}

    host = DemoHost(waiter())
    shapes = Program(paths["demo"]).instantiate(imports={"example:demo/host": host}, waiter=waiter())
    report["demo"] = [_shown(shapes.exports["example:demo/shapes"][name](*args)) for name, args in DEMO_CALLS]
    report["demo-logged"] = host.logged

    program = Program(paths["res"])

    def counters() -> Any:
        return program.instantiate(imports={"example:res/blobs": Blobs()}, waiter=waiter()).exports[
            "example:res/counters"
        ]

    live = counters()
    a, b = live.Counter(5), live.Counter(7)
    live.Counter.increment(a, 3)
    merged = live.Counter.merge(a, b)
    report["res"] = [live.Counter.get(a), live.Counter.get(merged), live.consume(merged), live.blob_test(0)]
    report["res-traps"] = [_trap(lambda mode=mode: counters().blob_test(mode)) for mode in range(1, 6)]
    report["res-borrow"] = _trap(lambda: counters().inspect(Blob(b"x"), False))

    composed = Program(paths["composed"]).instantiate(waiter=waiter()).exports["example:demo/shapes"]
    report["composed"] = [composed.use_host(6), composed.use_host(7), composed.greet("browser")]
    return report


OUTPROBE_SCENARIOS = range(8)  # tests/preview2/guests/outprobe.c


def shown_output(chunks: list[bytes]) -> str:
    """What a stream received: its text, or its length and digest when long (16 MiB, scenario 6)."""
    data = b"".join(chunks)
    return (
        data.decode()
        if len(data) < 65536
        else f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}"
    )


def outprobe(paths: dict[str, str], waiter: Any, scenarios: Any = OUTPROBE_SCENARIOS) -> dict[str, Any]:
    """Each outprobe scenario (of `scenarios`) in a fresh instance, as it runs (in the browser: its stdout and
    stderr writes answered in JS, engines/gathered_writes.py) and traced (every call through
    Python): per run the lines it reported or its trap, its stdout and stderr, and how many
    writes reached Python's stdout/stderr stream (preview2/cli.py SinkStream._put)."""
    from pywasi_web.preview2.cli import SinkStream

    program = Program(paths["outprobe"])
    put = SinkStream._put
    reached = [0]

    def counted(stream: SinkStream, data: bytes) -> None:
        reached[0] += 1
        put(stream, data)

    def scenario(number: int, trace: Any) -> dict[str, Any]:
        out: list[bytes] = []
        err: list[bytes] = []
        reached[0] = 0
        process = program.instantiate(stdout=out.append, stderr=err.append, trace=trace, waiter=waiter())
        lines = _trap(lambda: process.exports.probe(number))
        return {
            "lines": lines,
            "stdout": shown_output(out),
            "stderr": shown_output(err),
            "python": reached[0],
        }

    SinkStream._put = counted  # type: ignore[method-assign]
    try:
        return {
            mode: [scenario(number, trace) for number in scenarios]
            for mode, trace in (("run", None), ("traced", lambda *_: None))
        }
    finally:
        SinkStream._put = put  # type: ignore[method-assign]
