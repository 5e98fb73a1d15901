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
- fd_fdstat_get of any descriptor, and fd_filestat_get and fd_read of the descriptor path_open has
  just returned (`Described`).

Offered only when preview1's own functions are linked untraced: a trace must see every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pywasi_web.abi.signatures import FUNCTIONS
from pywasi_web.abi.types import Rights
from pywasi_web.kernel.fdtable import FdTable
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.preview1.records import fdstat_record, filestat_record

CLOCK_FUNCTION = "clock_time_get"
_CLOCK_PARAMS = [param.name for param in FUNCTIONS[CLOCK_FUNCTION]]


@dataclass(frozen=True)
class ClockRule:
    """clock_time_get's fast answer: `readers[id]()` stored as a u64 at the result pointer."""

    readers: Mapping[int, Callable[[], int]]  # the clock ids answered fast, and how each is read
    id_param: int = _CLOCK_PARAMS.index("id")  # where in the arguments the id and the result
    result_param: int = _CLOCK_PARAMS.index("result_ptr")  # pointer are


# What preview1 publishes about a descriptor: the descriptor, fd_fdstat_get's record,
# fd_filestat_get's record (None: the call is preview1's) and the bytes fd_read reads from position
# 0 (None: the read is preview1's, see HotFiles.small_file)
Publish = Callable[[int, bytes, bytes | None, bytearray | None], None]


class Described:
    """Answers preview1 publishes for an engine to give: fd_fdstat_get of any descriptor until
    the descriptor table changes, and fd_filestat_get and fd_read of the descriptor path_open
    has just returned until Python runs again.

    wasi-libc's open() asks fd_fdstat_get of the directory it opens in, every time, and a program
    that opens a small file usually fstat's and reads it next. A descriptor's fdstat changes only
    with the table (FdTable.changed: close, renumber, new flags or rights), which tells the engine
    at once. Until Python runs again nothing can change a just-opened descriptor, its file or its
    position but those calls themselves: only Python changes them (an engine holds no lease then,
    since taking one needs a Python call). So each fd_fdstat_get Python answers and each open
    publishes its records (the open also the file's bytes), and the engine answers from them,
    forgetting the open's when it next enters Python. Python decides every value; the engine
    only copies. A read moves the position, which the engine hands back (`settle`) before Python
    runs, unless that is fd_close of the descriptor (the position then goes with it). Any case
    the engine does not recognise as exactly this (another descriptor, a pointer outside memory,
    a file not published) is preview1's, which gives the errno."""

    def __init__(self, fds: FdTable, files: HotFiles) -> None:
        self._fds = fds
        self._files = files
        self._publish: Publish | None = None
        self._limit = 0

    def listen(self, publish: Publish, changed: Callable[[int], None], limit: int) -> None:
        """Publish to `publish`, with the bytes of files of at most `limit` bytes; `changed` hears
        of every descriptor whose fdstat changes."""
        self._publish = publish
        self._limit = limit
        self._fds.on_change = changed

    def asked(self, fd: int, fdstat: bytes) -> None:
        """fd_fdstat_get answered `fdstat` for `fd`."""
        if self._publish is not None:
            self._publish(fd, fdstat, None, None)

    def opened(self, fd: int) -> None:
        publish = self._publish
        if publish is None:
            return
        descriptor = self._fds.get(fd)
        fdstat = fdstat_record(descriptor)
        found = self._files.memory_file(descriptor)  # other files' stat may wait or fail: preview1's
        if found is None:
            publish(fd, fdstat, None, None)
            return
        file = found[1]
        stat = filestat_record(file.stat()) if descriptor.rights_base & Rights.FD_FILESTAT_GET else None
        publish(fd, fdstat, stat, self._files.small_file(*found, self._limit))

    def settle(self, fd: int, position: int) -> None:
        """Where the engine's reads left `fd`."""
        self._files.set_position(fd, position)


@dataclass(frozen=True)
class FastPaths:
    clock: ClockRule
    files: HotFiles
    described: Described
