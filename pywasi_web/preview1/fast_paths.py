"""What preview1 lets an engine answer itself: the common case of a few calls, decided by the
same rules preview1 applies, so an engine that takes it gives exactly preview1's answer faster.

- clock_time_get: `ClockRule` is the whole rule, as data: which clock ids an engine may answer,
  with the kernel's reader for each, which argument holds the id and which the result pointer.
  With such an id and a result pointer whose 8 bytes lie in memory, the call only stores the
  reading there (u64, little-endian) and returns 0; any other case is preview1's, which decides
  the errno. Both engines generate their answer from the rule (the CPython engine a raw callback
  body, the browser the table its JS answer reads), so adding a clock or changing the rule is an
  edit here or in kernel/clocks.py, never in an engine.
- fd_write and fd_seek on a descriptor `files` has leased (kernel/hot.py): in-place writes and
  position moves on a leased file, and writes to a leased output stream, which go to the one
  gatherer its writes through Python reach too (`files.gather_streams`).

Offered only when preview1's own functions are linked untraced: a trace must see every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pywasi_web.abi.signatures import FUNCTIONS
from pywasi_web.kernel.hot import HotFiles

CLOCK_FUNCTION = "clock_time_get"
_CLOCK_PARAMS = [param.name for param in FUNCTIONS[CLOCK_FUNCTION]]


@dataclass(frozen=True)
class ClockRule:
    """clock_time_get's fast answer: `readers[id]()` stored as a u64 at the result pointer."""

    readers: Mapping[int, Callable[[], int]]  # the clock ids answered fast, and how each is read
    id_param: int = _CLOCK_PARAMS.index("id")  # where in the arguments the id and the result
    result_param: int = _CLOCK_PARAMS.index("result_ptr")  # pointer are


@dataclass(frozen=True)
class FastPaths:
    clock: ClockRule
    files: HotFiles
