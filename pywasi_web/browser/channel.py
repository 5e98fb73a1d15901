"""The shared channel of a worker that blocks in Atomics.wait (no JSPI, a cross-origin isolated page).

While the guest waits, this worker's thread sleeps in Atomics.wait and its event loop does not run:
no message from the page arrives. So the page's runtime (web/pywasi.js, `Channel`) writes what the
guest may be waiting for into a SharedArrayBuffer, in two byte rings, and wakes the worker:
- stdin: the bytes typed or sent with rt.write(), then CLOSED at rt.closeStdin();
- events: framed records for the run's sockets (sink calls of the transports the page runs for
  them, web/net_transports.js, and the page's own connections to listening sockets), each
  `u32 header length, JSON header, u32 payload length, payload` (lengths little-endian).

Layout (shared with web/pywasi.js): an Int32 control block of HEADER_BYTES, then the stdin ring of
STDIN_BYTES, then the events ring up to the end. Every write bumps SEQ and notifies it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pywasi_web.errors import GuestTimeout

SEQ, STDIN_WRITTEN, STDIN_READ, STDIN_CLOSED, EVENTS_WRITTEN, EVENTS_READ = range(6)
HEADER_BYTES = 32
STDIN_BYTES = 1 << 16

EventHandler = Callable[[dict[str, Any], bytes], object]


class _Ring:
    """The worker's (reading) end of one byte ring."""

    def __init__(self, atomics: Any, control: Any, bytes_view: Any, written: int, read: int) -> None:
        self._atomics, self._control, self._bytes = atomics, control, bytes_view
        self._written_slot, self._read_slot = written, read

    def take(self) -> bytes:
        """Everything written since the last take (b"" when nothing is)."""
        atomics, control = self._atomics, self._control
        read, written = atomics.load(control, self._read_slot), atomics.load(control, self._written_slot)
        if written == read:
            return b""
        size = self._bytes.length
        start, end = read % size, written % size
        if start < end:
            data = self._bytes.subarray(start, end).to_bytes()
        else:
            data = self._bytes.subarray(start).to_bytes() + self._bytes.subarray(0, end).to_bytes()
        atomics.store(control, self._read_slot, written)
        atomics.notify(control, self._read_slot)  # the page may wait for room in the ring
        return bytes(data)


def split_records(buffer: bytearray) -> list[tuple[dict[str, Any], bytes]]:
    """The complete event records at the start of `buffer`, removed from it."""
    records = []
    while len(buffer) >= 4:
        header_end = 4 + int.from_bytes(buffer[:4], "little")
        if len(buffer) < header_end + 4:
            break
        end = header_end + 4 + int.from_bytes(buffer[header_end : header_end + 4], "little")
        if len(buffer) < end:
            break
        records.append((json.loads(bytes(buffer[4:header_end])), bytes(buffer[header_end + 4 : end])))
        del buffer[:end]
    return records


class AtomicsWaiter:
    """The kernel's Waiter on this channel: a wait blocks this thread on SEQ (with the timeout), so
    a sleep also ends early when input or an event arrives, which the kernel treats as a spurious
    wake-up. `before_block` runs first (flush output to the page, which this loop cannot do later)."""

    def __init__(self, channel: Any, before_block: Callable[[], object]) -> None:
        import js

        self._atomics = js.Atomics
        self._control = js.Int32Array.new(channel, 0, HEADER_BYTES // 4)
        stdin_view = js.Uint8Array.new(channel, HEADER_BYTES, STDIN_BYTES)
        events_view = js.Uint8Array.new(channel, HEADER_BYTES + STDIN_BYTES)
        self._stdin_ring = _Ring(self._atomics, self._control, stdin_view, STDIN_WRITTEN, STDIN_READ)
        self._events_ring = _Ring(self._atomics, self._control, events_view, EVENTS_WRITTEN, EVENTS_READ)
        self._events = bytearray()
        self._before_block = before_block
        self._stdin: Any = None
        self._on_event: EventHandler | None = None
        self._cancelled: str | None = None

    def attach_stdin(self, stdin: Any) -> None:
        """The QueueInput that bytes from the stdin ring are fed into."""
        self._stdin = stdin

    def attach_events(self, on_event: EventHandler) -> None:
        """Where the events ring's records go: `on_event(header, payload)`, in order."""
        self._on_event = on_event

    def wait(self, timeout: float | None) -> None:
        if self._cancelled is not None:
            raise GuestTimeout(self._cancelled)
        if timeout is not None and timeout <= 0:
            return
        seen = self._atomics.load(self._control, SEQ)
        if self._drain():
            return
        self._before_block()
        milliseconds = float("inf") if timeout is None else timeout * 1000
        self._atomics.wait(self._control, SEQ, seen, milliseconds)
        self._drain()

    def _drain(self) -> bool:
        """Move what the page wrote to stdin and to the event handler; True when anything changed."""
        changed = False
        if self._on_event is not None:
            self._events += self._events_ring.take()
            for header, payload in split_records(self._events):
                self._on_event(header, payload)
                changed = True
        if self._stdin is None:
            return changed
        data = self._stdin_ring.take()
        if data:
            self._stdin.feed(data)
            return True
        if self._atomics.load(self._control, STDIN_CLOSED) and not self._stdin.ready():
            self._stdin.close()
            return True
        return changed

    def notify(self) -> None:
        """Nothing to wake: on this thread nobody waits while Python runs."""

    def cancel(self, reason: str) -> None:
        self._cancelled = reason
