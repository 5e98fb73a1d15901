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
- fd_fdstat_get of any descriptor, and fd_filestat_get, fd_read and fd_close of the descriptor
  path_open has just returned (`Described`).

Offered only when preview1's own functions are linked untraced: a trace must see every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pywasi_web.abi.signatures import FUNCTIONS
from pywasi_web.abi.types import Oflags, Rights
from pywasi_web.kernel.fdtable import FdTable
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.preview1.records import pack_fdstat, pack_filestat

# kernel.path_open: (dirfd, lookupflags, path, oflags, rights_base, rights_inheriting, fdflags) -> fd
PathOpen = Callable[[int, int, str, int, int, int, int], int]

CLOCK_FUNCTION = "clock_time_get"
_CLOCK_PARAMS = [param.name for param in FUNCTIONS[CLOCK_FUNCTION]]


@dataclass(frozen=True)
class ClockRule:
    """clock_time_get's fast answer: `readers[id]()` stored as a u64 at the result pointer."""

    readers: Mapping[int, Callable[[], int]]  # the clock ids answered fast, and how each is read
    id_param: int = _CLOCK_PARAMS.index("id")  # where in the arguments the id and the result
    result_param: int = _CLOCK_PARAMS.index("result_ptr")  # pointer are


class Record:
    """The buffer `Described` fills and an engine reads without calling Python: i32 slots, then
    the records. Python writes every slot but CLOSED, which only the engine writes."""

    OPENED = 0  # fd + 1 of the descriptor published last (0: nothing since Python last ran)
    FLAGS = 1  # HAS_STAT | QUIET_CLOSE | REUSABLE, of that descriptor
    LENGTH = 2  # how many of the file's bytes are at DATA_AT (-1: fd_read is preview1's)
    CHANGED_COUNT = 3  # how many descriptors' fdstat changed since the engine last looked
    CHANGED = 4  # the first CHANGED_SLOTS of them (past that count, the engine forgets them all)
    CHANGED_SLOTS = 8
    CLOSED = CHANGED + CHANGED_SLOTS  # fd + 1 of a descriptor the engine closed (`closes`)
    FDSTAT_AT = 4 * (CLOSED + 1)  # fd_fdstat_get's record (24 bytes)
    FILESTAT_AT = FDSTAT_AT + 24  # fd_filestat_get's record (64 bytes)
    DATA_AT = FILESTAT_AT + 64  # the file's bytes

    HAS_STAT = 1  # fd_filestat_get's record is there
    QUIET_CLOSE = 2  # closing the descriptor has no effect but freeing its number
    REUSABLE = 4  # the same open may be answered again from these records (Described, last part)


# The preview1 functions that change nothing a reusable open depends on (the namespace, files'
# contents and metadata, descriptors' rights, which numbers are free) when Python answers them;
# after any other call into Python the engine forgets every reusable open. path_open is decided
# per call (Record.REUSABLE).
KEEP_REUSABLE_OPENS = frozenset(
    {
        "args_get",
        "args_sizes_get",
        "clock_res_get",
        "clock_time_get",
        "environ_get",
        "environ_sizes_get",
        "fd_fdstat_get",
        "fd_filestat_get",
        "fd_prestat_dir_name",
        "fd_prestat_get",
        "fd_read",
        "fd_readdir",
        "fd_seek",
        "fd_tell",
        "path_filestat_get",
        "path_open",
        "random_get",
    }
)


class Described:
    """Answers preview1 publishes for an engine to give: fd_fdstat_get of any descriptor until
    the descriptor table changes, and fd_filestat_get, fd_read and fd_close of the descriptor
    path_open has just returned until Python runs again.

    wasi-libc's open() asks fd_fdstat_get of the directory it opens in, every time, and a program
    that opens a small file usually fstat's, reads and closes it next. A descriptor's fdstat
    changes only with the table (FdTable.changed: close, renumber, new flags or rights), which
    tells the engine at once. Until Python runs again nothing can change a just-opened
    descriptor, its file or its position but those calls themselves: only Python changes them
    (an engine holds no lease then, since taking one needs a Python call). So each
    fd_fdstat_get Python answers and each open publishes its records (the open also the file's
    bytes) into `Record`, packed in place, and the engine answers from them, forgetting the
    open's when it next enters Python. Python decides every value; the engine only copies. A
    read moves the position, which the engine hands back (`settle`) before Python runs, unless
    that is fd_close of the descriptor (the position then goes with it).

    Closing a descriptor of a plain memory file has no effect but freeing its number (the
    file's data stays in its inode), so the engine answers that close itself and notes the
    number in Record.CLOSED; Python closes it (`closes`) before anything else it does, so the
    next open gets that number again (FdTable hands out the highest freed number first, and the
    one it handed out last is that). Any case the engine does not recognise as exactly this
    (another descriptor, a pointer outside memory, a file not published) is preview1's, which
    gives the errno.

    An open that creates and truncates nothing changes only the descriptor table, so opening the
    same path again the same way gives the same records, and the number the closed descriptor
    had (given next, as above), until something else changes: such an open is
    marked Record.REUSABLE, and the engine may answer the same open again itself, keyed by all of
    path_open's arguments, once the first descriptor is closed. It forgets every such answer
    after any call into Python not in KEEP_REUSABLE_OPENS, any open not reusable, a file write it
    answers itself, a wait, and the end of each call into the guest (the embedder may change the
    tree between calls). A descriptor it opened this way exists only in the engine; if the guest
    does anything with it that Python must answer, the engine first has Python open it for real
    (`reopen`), which gives that same number."""

    def __init__(self, fds: FdTable, files: HotFiles, path_open: PathOpen) -> None:
        self._fds = fds
        self._files = files
        self._path_open = path_open
        self._record: bytearray | None = None
        self.slots = memoryview(bytearray(4)).cast("i")  # the Record's i32 slots, once listening
        self._limit = 0

    @staticmethod
    def record_size(limit: int) -> int:
        """The bytes of a Record publishing files of up to `limit` bytes."""
        return Record.DATA_AT + limit

    def listen(self, record: bytearray, limit: int) -> None:
        """Publish into `record` (of `record_size(limit)` bytes), with the bytes of files of at
        most `limit` bytes."""
        self._record = record
        self.slots = memoryview(record).cast("i")
        self._limit = limit
        self._fds.on_change = self._changed

    def _changed(self, fd: int) -> None:
        slots = self.slots
        count = slots[Record.CHANGED_COUNT]
        if count < Record.CHANGED_SLOTS:
            slots[Record.CHANGED + count] = fd
        slots[Record.CHANGED_COUNT] = min(count + 1, Record.CHANGED_SLOTS + 1)

    def asked(self, fd: int, fdstat: bytes | bytearray) -> None:
        """fd_fdstat_get answered `fdstat` for `fd`."""
        record = self._record
        if record is not None:
            record[Record.FDSTAT_AT : Record.FILESTAT_AT] = fdstat
            slots = self.slots
            slots[Record.OPENED], slots[Record.FLAGS], slots[Record.LENGTH] = fd + 1, 0, -1

    def opened(self, fd: int, oflags: int) -> None:
        """path_open, given `oflags`, returned `fd`."""
        record = self._record
        if record is None:
            return
        descriptor = self._fds.get(fd)
        pack_fdstat(record, Record.FDSTAT_AT, descriptor)
        flags, length = 0, -1
        found = self._files.memory_file(descriptor)  # other files' stat may wait or fail: preview1's
        if found is not None:
            file = found[1]
            if descriptor.rights_base & Rights.FD_FILESTAT_GET:
                pack_filestat(record, Record.FILESTAT_AT, file.stat())
                flags = Record.HAS_STAT
            data = self._files.small_file(*found, self._limit)
            if data is not None:
                length = len(data)
                record[Record.DATA_AT : Record.DATA_AT + length] = data
            if file.fs.quiet_close:
                flags |= Record.QUIET_CLOSE
                if data is not None and not oflags & (Oflags.CREAT | Oflags.TRUNC):
                    flags |= Record.REUSABLE
        slots = self.slots
        slots[Record.OPENED], slots[Record.FLAGS], slots[Record.LENGTH] = fd + 1, flags, length

    def closes(self) -> None:
        """Close the descriptor the engine closed, if it did: first thing whenever Python runs."""
        slots = self.slots
        fd = slots[Record.CLOSED] - 1
        if fd >= 0:
            slots[Record.CLOSED] = 0
            self._fds.close(fd)

    def settle(self, fd: int, position: int) -> None:
        """Where the engine's reads left `fd`."""
        self._files.set_position(fd, position)

    def reopen(self, fd: int, position: int, dirfd: int, lookupflags: int, path: str, *flags: int) -> None:
        """Open for real the descriptor `fd` the engine opened again itself (a REUSABLE open),
        with the position its reads left, and path_open's arguments (`path` as the engine keys
        it: its UTF-8 bytes, one character each; `flags`: oflags, both rights and fdflags)."""
        self.closes()
        opened = self._path_open(dirfd, lookupflags, path.encode("latin-1").decode(), *flags)
        if opened != fd:  # the engine forgot the answer too late: a bug, never the guest's doing
            self._fds.close(opened)
            raise RuntimeError(f"a reused open gave fd {fd}, but opening it again gives fd {opened}")
        self._files.set_position(fd, position)


@dataclass(frozen=True)
class FastPaths:
    clock: ClockRule
    files: HotFiles
    described: Described
