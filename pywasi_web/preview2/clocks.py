"""wasi:clocks: the monotonic clock with its pollables, and the wall clock, from the kernel's clocks."""

from __future__ import annotations

from collections.abc import Callable

from pywasi_web.abi.types import Clockid
from pywasi_web.kernel import clocks
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.preview2.io import Pollable

_NS = 1_000_000_000


def datetime(ns: int) -> dict[str, int]:
    """A wall-clock datetime record from nanoseconds since the epoch (before it: clamped to 0)."""
    seconds, nanoseconds = divmod(max(0, ns), _NS)
    return {"seconds": seconds, "nanoseconds": nanoseconds}


class MonotonicClock:
    """wasi:clocks/monotonic-clock: instants are the kernel's monotonic nanoseconds."""

    def __init__(self, waiter: Waiter) -> None:
        self._waiter = waiter
        # `now` is the kernel's reader itself: a guest may read the clock in a tight loop, and
        # every Python frame between the guest and the reading costs ~0.1 µs of ~1.
        self.now: Callable[[], int] = clocks.READERS[Clockid.MONOTONIC]

    def resolution(self) -> int:
        return clocks.resolution(Clockid.MONOTONIC)

    def subscribe_instant(self, when: int) -> Pollable:
        return Pollable(self._waiter, deadline=when)

    def subscribe_duration(self, when: int) -> Pollable:
        return Pollable(self._waiter, deadline=clocks.now(Clockid.MONOTONIC) + when)


class WallClock:
    """wasi:clocks/wall-clock."""

    def now(self) -> dict[str, int]:
        return datetime(clocks.now(Clockid.REALTIME))

    def resolution(self) -> dict[str, int]:
        return datetime(clocks.resolution(Clockid.REALTIME))
