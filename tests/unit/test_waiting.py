"""The CPython waiter: wake-ups from other threads are never lost, cancellation always wins."""

from __future__ import annotations

import threading
import time

import pytest

from pywasi_web.errors import GuestTimeout
from pywasi_web.kernel.waiting import ThreadWaiter


def _wait_in_thread(waiter: ThreadWaiter, timeout: float | None) -> list[BaseException | None]:
    outcome: list[BaseException | None] = []

    def body() -> None:
        try:
            waiter.wait(timeout)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(5)
    return outcome


def test_notify_before_wait_is_not_lost() -> None:
    """The race behind a hung sock_recv: the watcher fires between "would block" and wait()."""
    waiter = ThreadWaiter()
    waiter.notify()
    assert _wait_in_thread(waiter, None) == [None]
    # consumed: the next wait blocks until its timeout
    started = time.monotonic()
    assert _wait_in_thread(waiter, 0.2) == [None]
    assert time.monotonic() - started >= 0.19


def test_cancel_before_wait_raises() -> None:
    waiter = ThreadWaiter()
    waiter.notify()
    waiter.cancel("stopped")
    outcome = _wait_in_thread(waiter, None)
    assert len(outcome) == 1 and isinstance(outcome[0], GuestTimeout)
    with pytest.raises(GuestTimeout, match="stopped"):
        waiter.wait(0)
