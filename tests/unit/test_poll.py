"""poll_oneoff semantics, driven on the kernel: clocks (relative, absolute), descriptor readiness,
errors per subscription, and waiting that really waits without spinning."""

from __future__ import annotations

import threading
import time

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Clockid, Eventtype, Subclockflags
from pywasi_web.errors import WasiError
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.kernel.poll import MAX_WAIT, Subscription, poll
from pywasi_web.kernel.streams import BytesInput, CaptureOutput, QueueInput
from pywasi_web.kernel.waiting import ThreadWaiter
from pywasi_web.vfs import MemoryFS
from tests.unit.helpers import ReportingWaiter, make_kernel, open_file


def clock(userdata: int, ns: int, clock_id: int = Clockid.MONOTONIC, absolute: bool = False) -> Subscription:
    flags = Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME if absolute else 0
    return Subscription(userdata, Eventtype.CLOCK, clock_id=clock_id, timeout=ns, flags=flags)


def test_relative_sleep_really_sleeps() -> None:
    kernel = make_kernel()
    began = time.monotonic()
    cpu_began = time.process_time()
    events = poll(kernel.fds, kernel.waiter, [clock(7, 200_000_000)])
    assert time.monotonic() - began >= 0.2
    assert time.process_time() - cpu_began < 0.1  # no busy loop
    assert [(e.userdata, e.error, e.kind) for e in events] == [(7, 0, Eventtype.CLOCK)]


def test_absolute_deadlines_on_both_clocks() -> None:
    kernel = make_kernel()
    for clock_id, read_clock in ((Clockid.MONOTONIC, time.monotonic_ns), (Clockid.REALTIME, time.time_ns)):
        now = read_clock()
        began = time.monotonic()
        poll(kernel.fds, kernel.waiter, [clock(1, now + 100_000_000, clock_id, absolute=True)])
        assert 0.05 <= time.monotonic() - began < 2
        past = poll(kernel.fds, kernel.waiter, [clock(2, now - 1, clock_id, absolute=True)])
        assert past[0].userdata == 2


def test_ready_descriptors_return_at_once_with_nbytes() -> None:
    kernel = make_kernel(MemoryFS({"f": b"12345"}), stdin=BytesInput(b"abc"))
    file_fd = open_file(kernel, "f")
    subscriptions = [
        Subscription(1, Eventtype.FD_READ, fd=0),
        Subscription(2, Eventtype.FD_WRITE, fd=1),
        Subscription(3, Eventtype.FD_READ, fd=file_fd),
        clock(4, 10_000_000_000),
    ]
    began = time.monotonic()
    events = {e.userdata: e for e in poll(kernel.fds, kernel.waiter, subscriptions)}
    assert time.monotonic() - began < 1
    assert set(events) == {1, 2, 3}
    assert events[1].nbytes == 3 and events[3].nbytes == 5


def test_bad_descriptors_clocks_and_empty_lists_fail_the_whole_call() -> None:
    kernel = make_kernel()
    for clock_id in (Clockid.PROCESS_CPUTIME_ID, Clockid.THREAD_CPUTIME_ID, 9):  # wasmtime: EINVAL
        with pytest.raises(WasiError) as bad_clock:
            poll(kernel.fds, kernel.waiter, [clock(1, 0), clock(2, 0, clock_id=clock_id)])
        assert bad_clock.value.errno == Errno.INVAL
    with pytest.raises(WasiError) as bad_fd:  # a descriptor that is not open fails the whole call
        poll(kernel.fds, kernel.waiter, [Subscription(1, Eventtype.FD_READ, fd=99), clock(2, 0)])
    assert bad_fd.value.errno == Errno.BADF
    with pytest.raises(WasiError) as caught:
        poll(kernel.fds, kernel.waiter, [])
    assert caught.value.errno == Errno.INVAL


def test_waits_for_interactive_input_then_wakes() -> None:
    waiter = ThreadWaiter()
    stdin = QueueInput(waiter)
    kernel = make_kernel(stdin=stdin)
    kernel.waiter = waiter
    threading.Timer(0.15, stdin.feed, (b"late",)).start()
    began = time.monotonic()
    events = poll(kernel.fds, waiter, [Subscription(1, Eventtype.FD_READ, fd=0), clock(2, 5_000_000_000)])
    assert 0.1 < time.monotonic() - began < 4
    assert [(e.userdata, e.nbytes) for e in events] == [(1, 4)]


def test_a_timeout_beyond_the_hosts_timers_still_waits_for_input() -> None:
    """A u64 timeout (~584 years) overflows threading's wait: it is waited for in day-long waits."""
    waiter = ReportingWaiter()
    stdin = QueueInput(waiter)
    kernel = make_kernel(stdin=stdin)
    feeder = threading.Thread(target=lambda: (waiter.waiting.wait(), stdin.feed(b"x")))
    feeder.start()
    events = poll(kernel.fds, waiter, [Subscription(1, Eventtype.FD_READ, fd=0), clock(2, 2**64 - 1)])
    feeder.join()
    assert [e.userdata for e in events] == [1]


def test_timeout_wins_when_input_never_comes_and_hangup_on_close() -> None:
    waiter = ThreadWaiter()
    stdin = QueueInput(waiter)
    kernel = make_kernel(stdin=stdin)
    events = poll(kernel.fds, waiter, [Subscription(1, Eventtype.FD_READ, fd=0), clock(2, 50_000_000)])
    assert [e.userdata for e in events] == [2]
    stdin.close()
    events = poll(kernel.fds, waiter, [Subscription(1, Eventtype.FD_READ, fd=0)])
    assert events[0].userdata == 1 and events[0].error == 0
    closed_stdout = make_kernel()
    closed_stdout.fds.close(0)
    with pytest.raises(WasiError) as closed:
        poll(closed_stdout.fds, closed_stdout.waiter, [Subscription(5, Eventtype.FD_READ, fd=0)])
    assert closed.value.errno == Errno.BADF


def test_cpu_time_clocks_advance() -> None:
    """wasmtime answers EBADF for these; pywasi_web implements them (docs/api.md)."""
    from pywasi_web.kernel import clocks

    for clock_id in (Clockid.PROCESS_CPUTIME_ID, Clockid.THREAD_CPUTIME_ID):
        before = clocks.now(clock_id)
        sum(range(200_000))
        assert clocks.now(clock_id) > before
        assert clocks.resolution(clock_id) >= 1
    with pytest.raises(WasiError):
        clocks.now(9)


class RecordingWaiter(ThreadWaiter):
    """Records each timeout it is asked to wait, and feeds stdin on the first wait."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[float | None] = []
        self.stdin: QueueInput | None = None

    def wait(self, timeout: float | None) -> None:
        self.timeouts.append(timeout)
        assert self.stdin is not None
        self.stdin.feed(b"x")
        super().wait(timeout)


def test_the_longest_timeout_waits_in_pieces_a_host_timer_takes() -> None:
    waiter = RecordingWaiter()
    stdin = waiter.stdin = QueueInput(waiter)
    kernel = Kernel(
        args=[], env=[], stdin=stdin, stdout=CaptureOutput(), stderr=CaptureOutput(), waiter=waiter
    )
    events = poll(kernel.fds, waiter, [clock(1, (1 << 64) - 1), Subscription(2, Eventtype.FD_READ, fd=0)])
    assert [e.userdata for e in events] == [2]
    assert waiter.timeouts == [MAX_WAIT]
    assert MAX_WAIT <= threading.TIMEOUT_MAX
