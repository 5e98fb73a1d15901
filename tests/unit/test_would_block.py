"""Kernel operations that must wait report WouldBlock before any side effect (no engine here):
what the guest could observe (its input, the peer's output, the descriptor table, the events
and deadlines of a poll) is the same after the report as before, and the call made again once
the condition changed completes. preview1 turns the report into a wait and a retry."""

from __future__ import annotations

import threading

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Eventtype, Fdflags
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import SocketDescriptor
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.kernel.poll import PollRequest, Subscription
from pywasi_web.kernel.streams import BytesInput, CaptureOutput, QueueInput
from pywasi_web.kernel.waiting import ThreadWaiter, WouldBlock, until_ready
from pywasi_web.net.listener import Listener
from pywasi_web.net.stream import HIGH_WATER, TransportStream
from pywasi_web.preview1.functions import Preview1
from pywasi_web.preview1.memory import BufferMemory
from tests.net.test_bridges import FakeTransport
from tests.unit.helpers import ReportingWaiter, make_kernel

SECOND = 1_000_000_000


def test_a_stdin_read_with_no_input_reports_would_block_and_reads_nothing() -> None:
    stdin = QueueInput(ThreadWaiter())
    kernel = make_kernel(stdin=stdin)
    descriptor = kernel.fds.get(0)
    with pytest.raises(WouldBlock) as report:
        descriptor.read(4)
    assert report.value.timeout is None  # until input arrives
    stdin.feed(b"typed")
    assert descriptor.read(4) == b"type" and descriptor.read(4) == b"d"
    descriptor.fdflags = Fdflags.NONBLOCK
    with pytest.raises(WasiError) as again:
        descriptor.read(4)
    assert again.value.errno == Errno.AGAIN  # O_NONBLOCK: the guest hears it instead


def test_socket_recv_and_send_report_would_block_before_touching_anything() -> None:
    transport = FakeTransport()
    stream = TransportStream(transport)
    descriptor = SocketDescriptor(0, 0, socket=stream)
    with pytest.raises(WouldBlock):
        descriptor.recv(8)
    stream.feed(b"abc")
    with pytest.raises(WouldBlock):  # WAITALL: three of the six bytes are there
        descriptor.recv(6, waitall=True)
    assert descriptor.recv(8, peek=True) == b"abc"  # still the guest's, in order
    stream.feed(b"def")
    assert descriptor.recv(6, waitall=True) == b"abcdef"

    transport.queued = HIGH_WATER  # the transport is full
    with pytest.raises(WouldBlock):
        descriptor.write(b"later")
    assert transport.sent == b""
    transport.queued = 0
    assert descriptor.write(b"later") == 5 and transport.sent == b"later"


def test_accept_with_no_connection_reports_would_block_and_opens_nothing() -> None:
    listener = Listener()
    kernel = Kernel(
        args=[],
        env=[],
        stdin=BytesInput(),
        stdout=CaptureOutput(),
        stderr=CaptureOutput(),
        waiter=ThreadWaiter(),
        sockets=[listener],
    )
    listening = max(fd for fd, _ in kernel.fds)
    table = list(kernel.fds)
    with pytest.raises(WouldBlock):
        kernel.sock_accept(listening, 0)
    assert list(kernel.fds) == table
    listener.offer(TransportStream(FakeTransport()))
    with pytest.raises(WasiError) as unknown_flags:  # wasmtime traps; ours: EINVAL, nothing taken
        kernel.sock_accept(listening, 1 << 5)
    assert unknown_flags.value.errno == Errno.INVAL and list(kernel.fds) == table
    assert kernel.sock_accept(listening, 0) == listening + 1


def test_poll_and_sleep_report_would_block_with_a_deadline_that_stays_put() -> None:
    stdin = QueueInput(ThreadWaiter())
    kernel = make_kernel(stdin=stdin)
    sleep = PollRequest(kernel.fds, [Subscription(1, Eventtype.CLOCK, clock_id=1, timeout=60 * SECOND)])
    with pytest.raises(WouldBlock) as first:
        sleep.events()
    with pytest.raises(WouldBlock) as second:
        sleep.events()
    assert first.value.timeout is not None and second.value.timeout is not None
    assert 0 < second.value.timeout <= first.value.timeout <= 60  # asked again, it does not restart

    read = PollRequest(kernel.fds, [Subscription(7, Eventtype.FD_READ, fd=0)])
    with pytest.raises(WouldBlock) as forever:
        read.events()
    assert forever.value.timeout is None
    stdin.feed(b"x")
    (event,) = read.events()
    assert (event.userdata, event.kind, event.nbytes) == (7, Eventtype.FD_READ, 1)
    assert kernel.fds.get(0).read(1) == b"x"  # polling consumed nothing


def test_preview1_waits_and_runs_the_call_again() -> None:
    """fd_read on empty interactive stdin: WouldBlock, a wait, then the same call completes."""
    waiter = ReportingWaiter()
    stdin = QueueInput(waiter)
    kernel = make_kernel(stdin=stdin)
    kernel.waiter = waiter
    preview1 = Preview1(kernel)
    memory = bytearray(64)
    preview1.memory = BufferMemory(lambda: memoryview(memory))
    memory[0:8] = (16).to_bytes(4, "little") + (8).to_bytes(4, "little")  # one iovec {16, 8}
    fd_read = preview1.bind()["fd_read"]
    results: list[int | None] = []
    reader = threading.Thread(target=lambda: results.append(fd_read(0, 0, 1, 32)))
    reader.start()
    assert waiter.waiting.wait(5)
    stdin.feed(b"hello")
    reader.join(5)
    assert results == [0]
    assert memory[16:21] == b"hello" and int.from_bytes(memory[32:36], "little") == 5


def test_until_ready_waits_as_told_between_attempts() -> None:
    waits: list[float | None] = []

    class Recording(ThreadWaiter):
        def wait(self, timeout: float | None) -> None:
            waits.append(timeout)

    answers = iter([WouldBlock(0.5), WouldBlock(), "done"])

    def attempt() -> str:
        answer = next(answers)
        if isinstance(answer, WouldBlock):
            raise answer
        return answer

    assert until_ready(Recording(), attempt) == "done"
    assert waits == [0.5, None]
