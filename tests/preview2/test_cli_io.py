"""wasi:cli and wasi:io driven directly against a Kernel: environment, exit, stdio streams, poll."""

from __future__ import annotations

import threading

import pytest

from pywasi_web.component.values import Err, Ok
from pywasi_web.errors import GuestTrap, ProcExit
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.kernel.streams import BytesInput, CaptureOutput, QueueInput
from pywasi_web.kernel.waiting import ThreadWaiter
from pywasi_web.preview2.io import Error, Pollable
from tests.preview2.helpers import imports, stream_error
from tests.unit.helpers import ReportingWaiter, make_kernel


def kernel_with(stdin_data: bytes = b"", env: list[bytes] | None = None) -> Kernel:
    return Kernel(
        args=[b"prog", b"a b", "é".encode()],
        env=env or [],
        stdin=BytesInput(stdin_data),
        stdout=CaptureOutput(),
        stderr=CaptureOutput(),
        waiter=ThreadWaiter(),
        preopens=[],
    )


def test_environment_and_arguments_come_from_the_kernel() -> None:
    host = imports(kernel_with(env=[b"A=1", b"EMPTY=", b"B=x=y"]))["wasi:cli/environment"]
    assert host.get_arguments() == ["prog", "a b", "é"]
    assert host.get_environment() == [("A", "1"), ("EMPTY", ""), ("B", "x=y")]
    assert host.initial_cwd() is None


@pytest.mark.parametrize(("status", "code"), [(Ok(None), 0), (Err(None), 1)])
def test_exit_unwinds_with_the_status(status: object, code: int) -> None:
    with pytest.raises(ProcExit) as raised:
        imports(kernel_with())["wasi:cli/exit"].exit(status)
    assert raised.value.code == code


def test_exit_with_code() -> None:
    with pytest.raises(ProcExit) as raised:
        imports(kernel_with())["wasi:cli/exit"].exit_with_code(42)
    assert raised.value.code == 42


def test_stdout_and_stderr_reach_the_kernels_sinks() -> None:
    kernel = kernel_with()
    host = imports(kernel)
    out = host["wasi:cli/stdout"].get_stdout()
    assert out.check_write() > 0
    out.write(b"hello ")
    out.blocking_write_and_flush(b"world\n")
    out.write_zeroes(2)
    out.flush()
    host["wasi:cli/stderr"].get_stderr().blocking_write_and_flush(b"oops")
    assert isinstance(kernel.stdout, CaptureOutput) and isinstance(kernel.stderr, CaptureOutput)
    assert bytes(kernel.stdout.buffer) == b"hello world\n\0\0"
    assert bytes(kernel.stderr.buffer) == b"oops"
    assert out.subscribe().ready()


def test_splice_and_skip_move_bytes_between_streams() -> None:
    kernel = kernel_with(b"0123456789abcdef")
    host = imports(kernel)
    stdin = host["wasi:cli/stdin"].get_stdin()
    out = host["wasi:cli/stdout"].get_stdout()
    assert out.splice(stdin, 4) == 4
    assert stdin.blocking_skip(2) == 2
    assert out.blocking_splice(stdin, 100) == 10
    out.blocking_write_zeroes_and_flush(1)
    assert stream_error(out.blocking_splice, stdin, 1).case == "closed"
    assert isinstance(kernel.stdout, CaptureOutput)
    assert bytes(kernel.stdout.buffer) == b"0123" + b"6789abcdef" + b"\0"


def test_stdin_reads_then_reports_closed() -> None:
    stdin = imports(kernel_with(b"abcdef"))["wasi:cli/stdin"].get_stdin()
    assert stdin.read(0) == b""
    assert stdin.read(2) == b"ab"
    assert stdin.skip(1) == 1
    assert stdin.blocking_read(10) == b"def"
    assert stream_error(stdin.read, 1).case == "closed"
    assert stream_error(stdin.blocking_read, 1).case == "closed"


def test_interactive_stdin_blocks_until_fed() -> None:
    waiter = ReportingWaiter()
    source = QueueInput(waiter)
    kernel = Kernel(
        args=[], env=[], stdin=source, stdout=CaptureOutput(), stderr=CaptureOutput(), waiter=waiter
    )
    stdin = imports(kernel)["wasi:cli/stdin"].get_stdin()
    assert stdin.read(5) == b""  # nothing yet: an empty read, not an error
    pollable = stdin.subscribe()
    assert not pollable.ready()
    feeder = threading.Thread(target=lambda: (waiter.waiting.wait(), source.feed(b"typed")))
    feeder.start()
    assert stdin.blocking_read(100) == b"typed"  # fed only once the read waited
    feeder.join()
    source.close()
    assert pollable.ready()
    assert stream_error(stdin.blocking_read, 1).case == "closed"


def test_poll_returns_the_ready_indexes_and_waits_for_a_deadline() -> None:
    kernel = make_kernel()
    host = imports(kernel)
    clock = host["wasi:clocks/monotonic-clock"]
    poll = host["wasi:io/poll"]
    never = clock.subscribe_instant(clock.now() + 3600 * 10**9)
    soon = clock.subscribe_duration(1_000_000)  # 1 ms
    ready_now = clock.subscribe_duration(0)
    assert poll.poll([never, ready_now]) == [1]
    start = clock.now()
    assert poll.poll([never, soon]) == [1]
    assert clock.now() - start >= 1_000_000
    soon.block()  # already ready: returns at once
    assert not never.ready()


def test_a_deadline_beyond_the_hosts_timers_still_waits_for_events() -> None:
    """2**64 - 1 ns overflows threading's timeout: the wait is cut into day-long ones."""
    waiter = ReportingWaiter()
    flag = threading.Event()
    pollable = Pollable(waiter, flag.is_set, deadline=2**64 - 1)
    setter = threading.Thread(target=lambda: (waiter.waiting.wait(), flag.set(), waiter.notify()))
    setter.start()
    pollable.block()
    setter.join()
    assert pollable.ready()


def test_poll_with_no_pollables_traps() -> None:
    with pytest.raises(GuestTrap):
        imports(make_kernel())["wasi:io/poll"].poll([])


def test_poll_wakes_on_notify_not_on_a_timer() -> None:
    waiter = ReportingWaiter()
    flag = threading.Event()
    pollable = Pollable(waiter, flag.is_set)
    setter = threading.Thread(target=lambda: (waiter.waiting.wait(), flag.set(), waiter.notify()))
    setter.start()
    pollable.block()
    setter.join()
    assert pollable.ready()


def test_blocking_functions_are_marked() -> None:
    host = imports(make_kernel())
    streams = host["wasi:io/streams"]
    marked = {
        name
        for cls in (streams.InputStream, streams.OutputStream, Pollable)
        for name in dir(cls)
        if getattr(getattr(cls, name), "may_block", False)
    }
    assert marked == {
        "blocking_read",
        "blocking_skip",
        "blocking_flush",
        "blocking_write_and_flush",
        "blocking_write_zeroes_and_flush",
        "blocking_splice",
        "block",
    }
    assert getattr(host["wasi:io/poll"].poll, "may_block", False)
    assert not getattr(streams.InputStream.read, "may_block", False)


def test_error_debug_string() -> None:
    assert Error("broken pipe").to_debug_string() == "broken pipe"


def test_terminals_are_absent() -> None:
    host = imports(make_kernel())
    assert host["wasi:cli/terminal-stdin"].get_terminal_stdin() is None
    assert host["wasi:cli/terminal-stdout"].get_terminal_stdout() is None
    assert host["wasi:cli/terminal-stderr"].get_terminal_stderr() is None


def test_every_interface_of_the_command_world_is_provided() -> None:
    names = set(imports(make_kernel()))
    for name in (
        "wasi:cli/environment", "wasi:cli/exit", "wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr",
        "wasi:cli/terminal-input", "wasi:cli/terminal-output", "wasi:cli/terminal-stdin",
        "wasi:cli/terminal-stdout", "wasi:cli/terminal-stderr", "wasi:io/error", "wasi:io/poll",
        "wasi:io/streams", "wasi:clocks/monotonic-clock", "wasi:clocks/wall-clock", "wasi:random/random",
        "wasi:random/insecure", "wasi:random/insecure-seed", "wasi:filesystem/types",
        "wasi:filesystem/preopens",
    ):  # fmt: skip
        assert name in names
