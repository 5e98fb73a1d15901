"""wasi:io (error, poll, streams): pollables and byte streams over the kernel's waiter.

A stream is one small class per source or destination (stdin, a file, a socket) under two
bases that hold the WASI 0.2 rules once: what `read` answers when nothing is there yet, when a
stream is closed, how blocking calls wait. Blocking goes through the kernel's Waiter only, and a
blocking call waits before it does anything the guest could observe (the browser re-runs a call
whose synchronous try had to wait; see engines/js.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from pywasi_web.component.values import Err, Variant
from pywasi_web.errors import GuestTrap, WasiError
from pywasi_web.kernel.waiting import MAX_WAIT, Waiter

F = TypeVar("F", bound=Callable[..., object])

# Largest read one call returns (a guest may ask for 2**64 - 1 bytes).
MAX_READ = 1 << 24
# Largest write check-write allows on a destination that never fills up (stdout, files).
MAX_WRITE = 1 << 24
# Largest contents blocking-write-and-flush takes (WASI 0.2: "up to 4096 bytes"; more traps, as
# in wasmtime).
MAX_BLOCKING_WRITE = 4096


def may_block(function: F) -> F:
    """Mark a host function that can wait: the component layer links it as a blocking import
    (`may_block` attribute), which the browser wraps for JSPI."""
    function.may_block = True  # type: ignore[attr-defined]
    return function


def gathered_write(limit: int) -> Callable[[F], F]:
    """Mark an output-stream method `(contents)` whose whole effect, on a stream whose
    `gather_key()` is not None and with at most `limit` bytes, is to hand the contents to that
    gatherer stream: an engine may answer such calls itself (engines/gathered_writes.py)."""

    def mark(function: F) -> F:
        function.gathered_write = limit  # type: ignore[attr-defined]
        return function

    return mark


class Error:
    """wasi:io/error's `error`: why a stream operation failed; interfaces read the code back
    (filesystem-error-code and network-error-code from `errno`, http-error-code from `http_code`)."""

    def __init__(self, message: str, *, errno: int | None = None, http_code: object = None) -> None:
        self.message = message
        self.errno = errno  # filesystem and sockets: the kernel's errno
        self.http_code = http_code  # wasi:http: its error-code value

    @classmethod
    def of(cls, error: WasiError) -> Error:
        return cls(error.message, errno=error.errno)

    def to_debug_string(self) -> str:
        return self.message


class ErrorInterface:
    """wasi:io/error."""

    Error = Error


def closed() -> Err:
    """A stream-error `closed`, raised as the result's error."""
    return Err(Variant("closed", None))


def failed(error: WasiError) -> Err:
    """A stream-error `last-operation-failed` carrying the kernel's errno."""
    return Err(Variant("last-operation-failed", Error.of(error)))


class Pollable:
    """Ready once `check()` is true or the monotonic clock reaches `deadline` (ns)."""

    def __init__(self, waiter: Waiter, check: Callable[[], bool] | None = None, deadline: int | None = None):
        self.waiter = waiter
        self.check = check
        self.deadline = deadline

    def ready(self) -> bool:
        if self.deadline is not None and time.monotonic_ns() >= self.deadline:
            return True
        return self.check is not None and self.check()

    @may_block
    def block(self) -> None:
        wait_for_any(self.waiter, (self,))


def wait_for_any(waiter: Waiter, pollables: Sequence[Pollable]) -> list[int]:
    """Indexes of the ready pollables, waiting (never spinning) until there is at least one."""
    while True:
        ready = [index for index, pollable in enumerate(pollables) if pollable.ready()]
        if ready:
            return ready
        deadlines = [p.deadline for p in pollables if p.deadline is not None]
        timeout = None if not deadlines else max(0, min(deadlines) - time.monotonic_ns()) / 1e9
        waiter.wait(None if timeout is None else min(timeout, MAX_WAIT))


def _check_blocking_write(length: int) -> None:
    if length > MAX_BLOCKING_WRITE:
        raise GuestTrap(f"a blocking write of {length} bytes: at most {MAX_BLOCKING_WRITE} are allowed")


def wait_until(waiter: Waiter, condition: Callable[[], bool]) -> None:
    while not condition():
        waiter.wait(None)


AnyPollable = Pollable  # for annotations inside PollInterface, whose `Pollable` is the resource


class PollInterface:
    """wasi:io/poll."""

    Pollable = Pollable

    def __init__(self, waiter: Waiter) -> None:
        self._waiter = waiter

    @may_block
    def poll(self, pollables: Iterable[AnyPollable]) -> list[int]:
        listed = list(pollables)
        if not listed:
            raise GuestTrap("wasi:io/poll.poll called with no pollables")
        return wait_for_any(self._waiter, listed)


class InputStream:
    """wasi:io/streams input-stream; a source implements `_take` and `_ready`."""

    def __init__(self, waiter: Waiter) -> None:
        self.waiter = waiter

    def _take(self, size: int) -> bytes | None:
        """Up to `size` (> 0) bytes; b"" at the end; None when none are there yet."""
        raise NotImplementedError

    def _ready(self) -> bool:
        """`_take` would not answer None."""
        return True

    def read(self, length: int) -> bytes:
        if length == 0:
            return b""
        try:
            data = self._take(min(length, MAX_READ))
        except WasiError as error:
            raise failed(error) from None
        if data is None:
            return b""
        if not data:
            raise closed()
        return data

    @may_block
    def blocking_read(self, length: int) -> bytes:
        wait_until(self.waiter, self._ready)
        return self.read(length)

    def skip(self, length: int) -> int:
        return len(self.read(length))

    @may_block
    def blocking_skip(self, length: int) -> int:
        return len(self.blocking_read(length))

    def subscribe(self) -> Pollable:
        return Pollable(self.waiter, self._ready)


class OutputStream:
    """wasi:io/streams output-stream; a destination implements `_room`, `_put` and, when it
    buffers, `_push` and `_flushed`."""

    def __init__(self, waiter: Waiter) -> None:
        self.waiter = waiter
        # The contents of a blocking-write-and-flush that wrote and then had to wait: the
        # browser's stack-switching retry of that same call must not write them twice.
        self._written_before_wait: bytes | None = None

    def _room(self) -> int:
        """Bytes `_put` takes now (0: it would block); raise WasiError once the destination broke."""
        return MAX_WRITE

    def _put(self, data: bytes) -> None:
        raise NotImplementedError

    def _push(self) -> None:
        """Deliver buffered bytes that can go without waiting."""

    def _flushed(self) -> bool:
        return True

    def gather_key(self) -> int | None:
        """The engine gatherer's key of this stream when a write to it only hands the bytes to
        that gatherer (no wait, no error, nothing kept here), for the stream's whole life."""
        return None

    def check_write(self) -> int:
        try:
            self._push()
            return self._room()
        except WasiError as error:
            raise failed(error) from None

    @gathered_write(MAX_WRITE)
    def write(self, contents: bytes) -> None:
        try:
            self._put(bytes(contents))
        except WasiError as error:
            raise failed(error) from None

    def flush(self) -> None:
        try:
            self._push()
        except WasiError as error:
            raise failed(error) from None

    @may_block
    def blocking_flush(self) -> None:
        self._wait_flushed()

    def _wait_flushed(self) -> None:
        self.flush()
        while not self._flushed():
            self.waiter.wait(None)
            self.flush()

    @may_block
    @gathered_write(MAX_BLOCKING_WRITE)
    def blocking_write_and_flush(self, contents: bytes) -> None:
        _check_blocking_write(len(contents))
        contents = bytes(contents)
        if self._written_before_wait == contents:
            self._written_before_wait = None
        else:
            wait_until(self.waiter, lambda: self.check_write() > 0)
            self.write(contents)
        try:
            self._wait_flushed()
        except BaseException:
            self._written_before_wait = contents
            raise

    def write_zeroes(self, length: int) -> None:
        self.write(bytes(length))

    @may_block
    def blocking_write_zeroes_and_flush(self, length: int) -> None:
        _check_blocking_write(length)
        self.blocking_write_and_flush(bytes(length))

    def splice(self, source: InputStream, length: int) -> int:
        data = source.read(min(length, self.check_write()))
        self.write(data)
        return len(data)

    @may_block
    def blocking_splice(self, source: InputStream, length: int) -> int:
        wait_until(self.waiter, lambda: source._ready() and self.check_write() > 0)
        return self.splice(source, length)

    def subscribe(self) -> Pollable:
        return Pollable(self.waiter, lambda: self._ready_to_write())

    def _ready_to_write(self) -> bool:
        try:
            self._push()
            return self._room() > 0
        except WasiError:
            return True  # the next call reports the failure


class DirectOutputStream(OutputStream):
    """A destination that takes every write at once and buffers nothing here (stdout, a file):
    blocking-write-and-flush has nothing to wait for, so it is one write and one flush (the
    adapter's fd_write calls it for every chunk)."""

    def blocking_write_and_flush(self, contents: bytes) -> None:
        _check_blocking_write(len(contents))
        try:
            self._put(contents)
            self._push()
        except WasiError as error:
            raise failed(error) from None


class StreamsInterface:
    """wasi:io/streams."""

    InputStream = InputStream
    OutputStream = OutputStream
