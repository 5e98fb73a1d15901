"""The records fd_fdstat_get and fd_filestat_get write, packed in one place for preview1's own
answers and for what it publishes to an engine (fast_paths.py `Described`)."""

from __future__ import annotations

from pywasi_web.abi.layout import FDSTAT, FILESTAT
from pywasi_web.kernel.descriptors import Descriptor
from pywasi_web.vfs.base import Stat


def fdstat_record(descriptor: Descriptor) -> bytes:
    d = descriptor
    return FDSTAT.pack(d.filetype, d.fdflags, d.rights_base, d.rights_inheriting)


def filestat_record(stat: Stat) -> bytes:
    return FILESTAT.pack(
        stat.dev, stat.ino, stat.filetype, stat.nlink, stat.size, stat.atim, stat.mtim, stat.ctim
    )
