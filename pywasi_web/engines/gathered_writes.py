"""What a component's host may let an engine answer itself: writes to an output stream whose
bytes only go to the engine's output gatherer (a gathered stdout or stderr, kernel/hot.py).

In the browser every guest -> Python call through the canonical ABI costs microseconds (the
crossing, lifting a `list<u8>`, a handle lookup, storing the `result`), where the write itself
is a copy into the gatherer, which lives in JS. So Python decides everything once and writes it
down as data the engine executes:

- which handles qualify: `HandleLeases`, the engine's copy of "handle index -> gatherer key" for
  one resource type in one component instance's handle table, which that table keeps (granted
  when it hands the guest an own handle to a stream whose `gather_key()` says so, revoked when the
  handle leaves the table: dropped or moved), so a dropped or reused index is never answered;
- what a call may be answered with: `GatheredWrite`, one per lowered function of the shape
  `(borrow<stream>, list<u8>) -> result<_, E>` (core: handle, pointer, length, result pointer)
  that its host marked (preview2/io.py `gathered_write`), with the limit above which the host
  traps or decides otherwise, and the result's layout.

With a leased handle, contents of at most `max_length` bytes inside memory and a result pointer
aligned to `result_align` with `result_size` bytes inside memory, the engine hands a copy of the
contents to its gatherer under the handle's key and stores the u8 0 (ok) at the result pointer.
Every other case, error or not, is the Python function's, which then decides exactly as it would
have without the engine's answer (the checks have no side effect). Offered only when the store
gathers output, and never for a traced host (component/link.py): a trace must see every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pywasi_web.preview1.memory import GuestMemory


class HandleLeases(Protocol):
    """The engine's table of the handles it may write through, kept by a HandleTable."""

    def grant(self, index: int, key: int) -> None: ...

    def revoke(self, index: int) -> None: ...


@dataclass(frozen=True)
class GatheredWrite:
    memory: GuestMemory  # the canonical options' memory (the contents and the result are there)
    leases: HandleLeases
    max_length: int
    result_align: int
    result_size: int


class GatheredWrites(Protocol):
    """What a store that gathers output offers (CoreStore.gathered_writes)."""

    def leases(self) -> HandleLeases:
        """A new, empty table of leases."""
        ...

    def host_function(
        self, params: tuple[str, ...], function: Callable[..., Any], rule: GatheredWrite, *, blocking: bool
    ) -> object:
        """CoreStore.host_function for a function of no core results, answered by the engine
        itself where `rule` allows and by `function` otherwise."""
        ...
