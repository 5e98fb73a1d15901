"""poll_oneoff: wait for any of several clock and descriptor events, through the Waiter."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Clockid, Eventrwflags, Eventtype, Rights, Subclockflags
from pywasi_web.errors import WasiError
from pywasi_web.kernel import clocks
from pywasi_web.kernel.fdtable import FdTable
from pywasi_web.kernel.waiting import MAX_WAIT, Waiter, WouldBlock, until_ready


@dataclass(frozen=True, slots=True)
class Subscription:
    userdata: int
    kind: int  # Eventtype
    fd: int = 0
    clock_id: int = 0
    timeout: int = 0
    flags: int = 0


@dataclass(frozen=True, slots=True)
class Event:
    userdata: int
    error: int
    kind: int
    nbytes: int = 0
    flags: int = 0


def _deadline(sub: Subscription) -> int:
    """The subscription's deadline on the monotonic clock, in ns."""
    if sub.clock_id not in (Clockid.REALTIME, Clockid.MONOTONIC):
        # wasmtime fails the whole call for a clock it cannot wait on (the CPU-time clocks)
        raise WasiError(Errno.INVAL, f"poll on clock {sub.clock_id}")
    if not sub.flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME:
        return time.monotonic_ns() + sub.timeout
    return time.monotonic_ns() + sub.timeout - clocks.now(sub.clock_id)


class PollRequest:
    """One poll_oneoff: checked and its deadlines fixed when made, so `events` can be asked again
    after each wait (the earliest deadline does not move)."""

    def __init__(self, fds: FdTable, subscriptions: list[Subscription]) -> None:
        if not subscriptions:
            raise WasiError(Errno.INVAL, "poll_oneoff with no subscriptions")
        for sub in subscriptions:  # a descriptor that cannot be polled fails the whole call, as in wasmtime
            if sub.kind in (Eventtype.FD_READ, Eventtype.FD_WRITE):
                fds.get(sub.fd, Rights.POLL_FD_READWRITE)
        self._fds = fds
        self._subscriptions = subscriptions
        self._deadlines = [(_deadline(sub), sub) for sub in subscriptions if sub.kind == Eventtype.CLOCK]

    def events(self) -> list[Event]:
        """The events that have happened; WouldBlock (with the time to the earliest deadline) if none."""
        events: list[Event] = []
        for sub in self._subscriptions:
            if sub.kind in (Eventtype.FD_READ, Eventtype.FD_WRITE):
                event = _fd_event(self._fds, sub)
                if event is not None:
                    events.append(event)
        current = time.monotonic_ns()
        events += [Event(sub.userdata, 0, Eventtype.CLOCK) for due, sub in self._deadlines if due <= current]
        if events:
            return events
        earliest = min((due for due, _ in self._deadlines), default=None)
        raise WouldBlock(None if earliest is None else min((earliest - current) / 1e9, MAX_WAIT))


def poll(fds: FdTable, waiter: Waiter, subscriptions: list[Subscription]) -> list[Event]:
    """Wait for the first events of `subscriptions`."""
    return until_ready(waiter, PollRequest(fds, subscriptions).events)


def _fd_event(fds: FdTable, sub: Subscription) -> Event | None:
    try:
        descriptor = fds.get(sub.fd, Rights.POLL_FD_READWRITE)
    except WasiError as error:
        return Event(sub.userdata, error.errno, sub.kind)
    if sub.kind == Eventtype.FD_READ:
        ready, nbytes, hangup = descriptor.readable_now()
    else:
        ready, nbytes, hangup = descriptor.writable_now()
    if not ready and not hangup:
        return None
    return Event(sub.userdata, 0, sub.kind, nbytes, Eventrwflags.FD_READWRITE_HANGUP if hangup else 0)
