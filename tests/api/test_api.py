"""The Python API's promises: stdio in every form, results, tracing, extra imports, reactors,
timeouts and clear errors for modules that cannot run."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
import wasmtime

from pywasi_web import (
    CallLog,
    GuestTimeout,
    GuestTrap,
    ModuleError,
    NonZeroExit,
    Program,
    QueueInput,
    run,
)
from pywasi_web.cli.toolchain import build_c
from pywasi_web.kernel.waiting import ThreadWaiter
from tests.unit.helpers import ReportingWaiter, make_kernel

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def cat() -> Program:
    return Program(build_c(HERE / "cat.c"))


def wat(text: str) -> bytes:
    return wasmtime.wat2wasm(text)


def test_stdin_kinds_and_capture(cat: Program) -> None:
    assert cat.run(stdin=b"bytes in", capture_output=True).stdout == b"bytes in"
    assert cat.run(stdin="text in", capture_output=True).stdout == b"text in"
    assert cat.run(stdin=io.BytesIO(b"file in"), capture_output=True).stdout == b"file in"
    chunks = [b"call", b"back", b""]
    result = cat.run(stdin=lambda size: chunks.pop(0), capture_output=True)
    assert result.stdout == b"callback"
    assert result.stderr == b"read 8 bytes\n"
    assert result.exit_code == 0 and result.returncode == 0


def test_output_kinds(cat: Program) -> None:
    seen: list[bytes] = []
    result = cat.run(stdin=b"x" * 20, stdout=seen.append, capture_output=True)
    assert b"".join(seen) == result.stdout == b"x" * 20  # streamed as it came, and captured
    assert len(seen) == 3  # 7 + 7 + 6: no buffering in between
    binary, text = io.BytesIO(), io.StringIO()
    cat.run(stdin=b"to files", stdout=binary, stderr=text)
    assert binary.getvalue() == b"to files"
    assert text.getvalue() == "read 8 bytes\n"


def test_default_output_goes_to_python_streams(cat: Program, capsys: pytest.CaptureFixture[str]) -> None:
    cat.run(stdin=b"to sys.stdout")
    captured = capsys.readouterr()
    assert captured.out == "to sys.stdout" and captured.err == "read 13 bytes\n"


def test_interactive_stdin_blocks_until_fed(cat: Program) -> None:
    waiter = ReportingWaiter()
    queue = QueueInput(waiter)
    results = []
    thread = threading.Thread(
        target=lambda: results.append(cat.run(stdin=queue, waiter=waiter, capture_output=True, timeout=20))
    )
    thread.start()
    assert waiter.waiting.wait(20)  # blocked in fd_read, on the waiter (no busy loop)
    assert thread.is_alive() and not results
    queue.feed(b"typed ")
    queue.feed(b"later")
    queue.close()
    thread.join(10)
    assert results[0].stdout == b"typed later"


def test_timeout_while_blocked_on_input(cat: Program) -> None:
    waiter = ThreadWaiter()
    began = time.monotonic()
    with pytest.raises(GuestTimeout, match=r"longer than 0\.3 s") as caught:
        cat.run(stdin=QueueInput(waiter), waiter=waiter, capture_output=True, timeout=0.3)
    assert time.monotonic() - began < 5
    assert caught.value.result is not None


def test_timeout_of_an_infinite_loop() -> None:
    spin = wat('(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))')
    with pytest.raises(GuestTimeout):
        run(spin, timeout=0.2)


def test_trace_sees_every_call(cat: Program) -> None:
    calls: list[tuple[str, int | None]] = []
    cat.run(stdin=b"abc", capture_output=True, trace=lambda name, args, result: calls.append((name, result)))
    names = [name for name, _ in calls]
    assert "fd_read" in names and "fd_write" in names
    assert calls[-1] == ("fd_write", 0)  # the stderr summary; exit code 0 needs no proc_exit


def test_call_log_keeps_each_call_with_its_time_and_a_limit(cat: Program) -> None:
    plain: list[tuple[str, tuple[int, ...], int | None]] = []
    cat.run(stdin=b"abc", capture_output=True, trace=lambda *call: plain.append(call))
    log = CallLog()
    cat.run(stdin=b"abc", capture_output=True, trace=log)
    assert [call[:3] for call in log.calls] == plain  # the same calls, each with its seconds
    assert all(seconds >= 0 for *_, seconds in log.calls) and log.dropped == 0
    short = CallLog(limit=2)
    cat.run(stdin=b"abc", capture_output=True, trace=short)
    assert [call[:3] for call in short.calls] == plain[:2]
    assert short.dropped == len(plain) - 2


def test_extra_imports_and_reactor() -> None:
    module = wat(
        """(module
          (import "env" "twice" (func $twice (param i32) (result i32)))
          (memory (export "memory") 1)
          (global $base (mut i32) (i32.const 0))
          (func (export "_initialize") (global.set $base (i32.const 100)))
          (func (export "compute") (param i32) (result i32)
            (i32.add (global.get $base) (call $twice (local.get 0)))))"""
    )
    program = Program(module)
    with pytest.raises(ModuleError, match=r"env\.twice, which is not provided"):
        program.instantiate()
    with pytest.raises(ModuleError, match="reactor module"):
        program.run(imports={"env": {"twice": lambda x: 2 * x}})
    process = program.instantiate(imports={"env": {"twice": lambda x: 2 * x}})
    assert process.call("compute", 21) == 142


def test_exit_codes_and_check() -> None:
    exits = wat(
        """(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 42))))"""
    )
    result = run(exits, capture_output=True)
    assert result.exit_code == 42
    with pytest.raises(NonZeroExit, match="exited with code 42"):
        result.check_returncode()
    assert "exit 42" in result._repr_html_()


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (b"", "does not start with the \\\\0asm magic"),
        (b"garbage!", "does not start with the \\\\0asm magic"),
        (b"\0asm\x01\x00\x00\x00\x01", "unexpected end-of-file"),
        (b"\0asm\x0d\x00\x01\x00", "component"),
        (
            wat(
                '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))'
                ' (memory (export "memory") 1) (func (export "_start")))'
            ),
            "fd_write has type",
        ),
        (wat('(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))))'), "no memory"),
        (wat('(module (memory (export "memory") 1))'), "neither _start nor _initialize"),
        (wat('(module (import "env" "t" (table 1 funcref)) (func (export "_start")))'), r"a table env\.t"),
    ],
)
def test_modules_that_cannot_run(module: bytes, message: str) -> None:
    with pytest.raises(ModuleError, match=message):
        run(module)


def test_missing_file_and_trap(tmp_path: Path) -> None:
    with pytest.raises(ModuleError, match="cannot read"):
        run(tmp_path / "nope.wasm")
    trap = wat('(module (memory (export "memory") 1) (func (export "_start") unreachable))')
    with pytest.raises(GuestTrap, match="unreachable") as caught:
        run(trap)
    assert "_start" in caught.value.backtrace or "func" in caught.value.backtrace


def test_guest_memory_limit() -> None:
    from pywasi_web.engines.wasmtime_engine import WasmtimeEngine

    grower = wat(
        """(module (memory (export "memory") 1)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"""
    )
    limited = Program(grower, engine=WasmtimeEngine(max_memory=4 * 65536)).instantiate()
    assert limited.call("grow", 3) == 1  # 1 -> 4 pages: allowed
    assert limited.call("grow", 1) == -1  # a fifth page is refused: the guest sees out-of-memory
    unlimited = Program(grower).instantiate()
    assert unlimited.call("grow", 100) == 1


CLOCK_PROBE = wat(
    """(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $get (param i32 i64 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_initialize"))
      (func (export "now") (param i32 i32) (result i32) (call $get (local.get 0) (i64.const 0) (local.get 1)))
      (func (export "load") (param i32) (result i64) (i64.load (local.get 0)))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"""
)


@pytest.mark.parametrize("traced", [False, True], ids=["answered-by-the-engine", "traced"])
def test_clock_time_get_stores_the_reading_or_gives_the_errno(traced: bool) -> None:
    """Untraced, the CPython engine answers clock_time_get itself; traced, preview1 does: the same answers."""
    calls: list[str] = []
    process = Program(CLOCK_PROBE).instantiate(
        trace=(lambda name, args, result: calls.append(name)) if traced else None
    )
    before = time.monotonic_ns()
    assert process.call("now", 1, 65528) == 0  # the last 8 bytes of memory
    assert before <= process.call("load", 65528) <= time.monotonic_ns()
    before = time.time_ns()
    assert process.call("now", 0, 8) == 0
    assert before <= process.call("load", 8) <= time.time_ns()
    assert process.call("now", 1, 65532) == 21  # EFAULT: half of it outside memory
    assert process.call("now", 1, -8) == 21  # EFAULT: 0xFFFFFFF8
    assert process.call("now", 9, 16) == 28  # EINVAL: no clock 9
    assert process.call("load", 16) == 0
    assert process.call("grow", 1) == 1
    assert process.call("now", 1, 65536 + 8) == 0  # in the page just grown
    assert process.call("load", 65536 + 8) > 0
    assert calls == (["clock_time_get"] * 6 if traced else [])


def test_both_engines_answer_clock_time_get_from_preview1s_one_rule() -> None:
    """The rule is data (preview1/fast_paths.py ClockRule): the CPython engine answers exactly the
    ids it lists, with their readers, and the browser's JS table is made from the same rule."""
    from pywasi_web.abi.signatures import MODULE
    from pywasi_web.engines.js import _clock_table
    from pywasi_web.engines.wasmtime_engine import WasmtimeEngine
    from pywasi_web.kernel import clocks
    from pywasi_web.preview1.fast_paths import ClockRule, FastPaths
    from pywasi_web.preview1.functions import Preview1

    preview1 = Preview1(make_kernel())
    called: list[int] = []
    function = preview1.bind()["clock_time_get"]

    def clock_time_get(*args: int) -> int | None:
        called.append(args[0])
        return function(*args)

    rule = ClockRule({2: lambda: 1234})  # a clock the engine answers with its own reader
    given = preview1.fast_paths()
    engine = WasmtimeEngine(cache=False)
    instance = engine.instantiate(
        engine.compile(CLOCK_PROBE),
        {(MODULE, "clock_time_get"): clock_time_get},
        fast=FastPaths(rule, given.files, given.described),
    )
    assert instance.memory is not None
    preview1.memory = instance.memory
    assert instance.call("now", 2, 8) == 0 and instance.call("load", 8) == 1234 and called == []
    assert instance.call("now", 1, 16) == 0 and instance.call("load", 16) > 0  # not in the rule
    assert instance.call("now", 2, 65532) == 21  # EFAULT: the rule leaves a bad pointer to preview1
    assert called == [1, 2]

    assert _clock_table(ClockRule(clocks.READERS)) == {
        "sources": [0, 1, None, None],
        "idArg": 0,
        "resultArg": 2,
    }
    assert _clock_table(rule) is None  # no JS equivalent of that reader: Python answers
