"""What preview1 lets an engine answer itself: the common case of a few calls, decided by the
same rules preview1 applies, so an engine that takes it gives exactly preview1's answer faster.

- clock_time_get(id, precision, ptr): with a clock in `clock_readers` and a valid pointer, the
  call only stores `clock_readers[id]()` at ptr and returns 0 (the CPython engine does this in its
  callback, the browser in JS with the JS equivalent of the reader); anything else is preview1's.
- fd_write and fd_seek on a descriptor `files` has leased (kernel/hot.py): in-place writes and
  position moves on a leased file, and writes to a leased output stream (gathered, then settled).

Offered only when preview1's own functions are linked untraced: a trace must see every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pywasi_web.kernel.hot import HotFiles


@dataclass(frozen=True)
class FastPaths:
    clock_readers: Mapping[int, Callable[[], int]]
    files: HotFiles
