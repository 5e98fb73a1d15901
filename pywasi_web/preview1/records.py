"""The records fd_fdstat_get and fd_filestat_get write, packed in one place for preview1's own
answers and for what it publishes to an engine (fast_paths.py `Described`, which packs them in
place into the buffer the engine reads)."""

from __future__ import annotations

from pywasi_web.abi.layout import FDSTAT, FILESTAT
from pywasi_web.kernel.descriptors import Descriptor
from pywasi_web.vfs.base import Stat


def pack_fdstat(buffer: bytearray, offset: int, descriptor: Descriptor) -> None:
    d = descriptor
    FDSTAT.pack_into(buffer, offset, d.filetype, d.fdflags, d.rights_base, d.rights_inheriting)


def pack_filestat(buffer: bytearray, offset: int, stat: Stat) -> None:
    s = stat
    FILESTAT.pack_into(buffer, offset, s.dev, s.ino, s.filetype, s.nlink, s.size, s.atim, s.mtim, s.ctim)


def fdstat_record(descriptor: Descriptor) -> bytearray:
    record = bytearray(FDSTAT.size)
    pack_fdstat(record, 0, descriptor)
    return record


def filestat_record(stat: Stat) -> bytearray:
    record = bytearray(FILESTAT.size)
    pack_filestat(record, 0, stat)
    return record
