"""How the kernel blocks: one small interface, one implementation per host, and one rule.

The rule: a kernel operation that cannot finish now (stdin with no data, a socket with nothing
to read, no room to send or no connection to accept, poll_oneoff or a sleep before its
deadline) raises WouldBlock before it has done anything the guest could see. Its caller waits
on the Waiter and calls it again (`until_ready`; preview1 re-runs the whole call). So a wait can
be abandoned and the call re-run from the start, as the browser's JSPI wrapper does when a
synchronous try must suspend, without each operation keeping "nothing happened before the
first wait" by hand.

The Waiter blocks on a threading.Condition on CPython and on JSPI or Atomics.wait in the
browser. No busy loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from pywasi_web.errors import GuestTimeout

# Longest single wait for a deadline; a later deadline is waited for in several waits (a u64 of
# nanoseconds overflows the hosts' timers: threading's, and setTimeout past 2**31 ms).
MAX_WAIT = 86400.0

_T = TypeVar("_T")


class WouldBlock(Exception):
    """The operation cannot finish now and has done nothing: wait up to `timeout` seconds (None:
    until notified) and call it again."""

    def __init__(self, timeout: float | None = None) -> None:
        super().__init__(timeout)
        self.timeout = timeout


def until_ready(waiter: Waiter, attempt: Callable[[], _T]) -> _T:
    """`attempt()`'s result, waiting on `waiter` each time it reports WouldBlock."""
    while True:
        try:
            return attempt()
        except WouldBlock as block:
            waiter.wait(block.timeout)


class Waiter(Protocol):
    def wait(self, timeout: float | None) -> None:
        """Block until notify() or until `timeout` seconds pass; raise GuestTimeout once cancelled.

        Callers re-check their condition after every return (a wake-up may be spurious), and a
        notify() that lands between that check and wait() must not be lost: the wait returns at once.
        """
        ...

    def notify(self) -> None:
        """Wake a waiting guest: input arrived, a socket became ready."""
        ...

    def cancel(self, reason: str) -> None:
        """Stop the guest: the current and every later wait raises GuestTimeout(reason)."""
        ...


class ThreadWaiter:
    """The CPython waiter: a condition variable that other threads notify.

    A notify() sets a flag that the next wait() consumes, so a socket watcher or stdin pump
    thread that fires after the guest's "would block" check but before it waits still wakes it.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._notified = False
        self._cancelled: str | None = None

    def wait(self, timeout: float | None) -> None:
        with self._condition:
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self._notified and self._cancelled is None:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return
                self._condition.wait(remaining)
            self._notified = False
            if self._cancelled is not None:
                raise GuestTimeout(self._cancelled)

    def notify(self) -> None:
        with self._condition:
            self._notified = True
            self._condition.notify_all()

    def cancel(self, reason: str) -> None:
        with self._condition:
            self._cancelled = reason
            self._condition.notify_all()
