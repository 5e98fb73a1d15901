"""How the kernel blocks: one small interface, one implementation per host.

The kernel waits only through a Waiter (stdin with no data, poll_oneoff, sleep), so the same code
blocks on a threading.Condition on CPython and on JSPI or Atomics.wait in the browser. No busy loop.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from pywasi_web.errors import GuestTimeout

# Longest single wait for a deadline; a later deadline is waited for in several waits (a u64 of
# nanoseconds overflows the hosts' timers: threading's, and setTimeout past 2**31 ms).
MAX_WAIT = 86400.0


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
