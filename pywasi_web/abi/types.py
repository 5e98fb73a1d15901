"""WASI Preview 1 enums and flag sets (wasi_snapshot_preview1.witx).

Flag sets are plain int constants, not enum.IntFlag: they are tested on every system call, and
IntFlag's `&` runs Python-level enum code (it was ~30% of fd_write's time in the browser).
"""

from enum import IntEnum


class Filetype(IntEnum):
    UNKNOWN = 0
    BLOCK_DEVICE = 1
    CHARACTER_DEVICE = 2
    DIRECTORY = 3
    REGULAR_FILE = 4
    SOCKET_DGRAM = 5
    SOCKET_STREAM = 6
    SYMBOLIC_LINK = 7


class Rights:
    FD_DATASYNC = 1 << 0
    FD_READ = 1 << 1
    FD_SEEK = 1 << 2
    FD_FDSTAT_SET_FLAGS = 1 << 3
    FD_SYNC = 1 << 4
    FD_TELL = 1 << 5
    FD_WRITE = 1 << 6
    FD_ADVISE = 1 << 7
    FD_ALLOCATE = 1 << 8
    PATH_CREATE_DIRECTORY = 1 << 9
    PATH_CREATE_FILE = 1 << 10
    PATH_LINK_SOURCE = 1 << 11
    PATH_LINK_TARGET = 1 << 12
    PATH_OPEN = 1 << 13
    FD_READDIR = 1 << 14
    PATH_READLINK = 1 << 15
    PATH_RENAME_SOURCE = 1 << 16
    PATH_RENAME_TARGET = 1 << 17
    PATH_FILESTAT_GET = 1 << 18
    PATH_FILESTAT_SET_SIZE = 1 << 19
    PATH_FILESTAT_SET_TIMES = 1 << 20
    FD_FILESTAT_GET = 1 << 21
    FD_FILESTAT_SET_SIZE = 1 << 22
    FD_FILESTAT_SET_TIMES = 1 << 23
    PATH_SYMLINK = 1 << 24
    PATH_REMOVE_DIRECTORY = 1 << 25
    PATH_UNLINK_FILE = 1 << 26
    POLL_FD_READWRITE = 1 << 27
    SOCK_SHUTDOWN = 1 << 28
    SOCK_ACCEPT = 1 << 29


ALL_RIGHTS = (1 << 30) - 1

# What each kind of descriptor can ever hold; a preopen or path_open never grants more.
FILE_RIGHTS = (
    Rights.FD_DATASYNC
    | Rights.FD_READ
    | Rights.FD_SEEK
    | Rights.FD_FDSTAT_SET_FLAGS
    | Rights.FD_SYNC
    | Rights.FD_TELL
    | Rights.FD_WRITE
    | Rights.FD_ADVISE
    | Rights.FD_ALLOCATE
    | Rights.FD_FILESTAT_GET
    | Rights.FD_FILESTAT_SET_SIZE
    | Rights.FD_FILESTAT_SET_TIMES
    | Rights.POLL_FD_READWRITE
)
DIRECTORY_RIGHTS = (
    Rights.FD_FDSTAT_SET_FLAGS
    | Rights.FD_SYNC
    | Rights.FD_ADVISE
    | Rights.PATH_CREATE_DIRECTORY
    | Rights.PATH_CREATE_FILE
    | Rights.PATH_LINK_SOURCE
    | Rights.PATH_LINK_TARGET
    | Rights.PATH_OPEN
    | Rights.FD_READDIR
    | Rights.PATH_READLINK
    | Rights.PATH_RENAME_SOURCE
    | Rights.PATH_RENAME_TARGET
    | Rights.PATH_FILESTAT_GET
    | Rights.PATH_FILESTAT_SET_SIZE
    | Rights.PATH_FILESTAT_SET_TIMES
    | Rights.FD_FILESTAT_GET
    | Rights.FD_FILESTAT_SET_TIMES
    | Rights.PATH_SYMLINK
    | Rights.PATH_REMOVE_DIRECTORY
    | Rights.PATH_UNLINK_FILE
)
# Rights that modify the file system: a read-only mount strips them.
WRITE_RIGHTS = (
    Rights.FD_DATASYNC
    | Rights.FD_WRITE
    | Rights.FD_ALLOCATE
    | Rights.FD_FILESTAT_SET_SIZE
    | Rights.FD_FILESTAT_SET_TIMES
    | Rights.PATH_CREATE_DIRECTORY
    | Rights.PATH_CREATE_FILE
    | Rights.PATH_LINK_SOURCE
    | Rights.PATH_LINK_TARGET
    | Rights.PATH_RENAME_SOURCE
    | Rights.PATH_RENAME_TARGET
    | Rights.PATH_FILESTAT_SET_SIZE
    | Rights.PATH_FILESTAT_SET_TIMES
    | Rights.PATH_SYMLINK
    | Rights.PATH_REMOVE_DIRECTORY
    | Rights.PATH_UNLINK_FILE
)
STREAM_RIGHTS = (
    Rights.FD_READ
    | Rights.FD_WRITE
    | Rights.FD_FDSTAT_SET_FLAGS
    | Rights.POLL_FD_READWRITE
    | Rights.FD_FILESTAT_GET
)
SOCKET_RIGHTS = STREAM_RIGHTS | Rights.SOCK_SHUTDOWN | Rights.SOCK_ACCEPT


class Fdflags:
    APPEND = 1
    DSYNC = 2
    NONBLOCK = 4
    RSYNC = 8
    SYNC = 16
    ALL = APPEND | DSYNC | NONBLOCK | RSYNC | SYNC


class Oflags:
    CREAT = 1
    DIRECTORY = 2
    EXCL = 4
    TRUNC = 8


class Lookupflags:
    SYMLINK_FOLLOW = 1


class Fstflags:
    ATIM = 1
    ATIM_NOW = 2
    MTIM = 4
    MTIM_NOW = 8


class Whence:
    SET = 0
    CUR = 1
    END = 2


class Clockid(IntEnum):
    REALTIME = 0
    MONOTONIC = 1
    PROCESS_CPUTIME_ID = 2
    THREAD_CPUTIME_ID = 3


class Eventtype(IntEnum):
    CLOCK = 0
    FD_READ = 1
    FD_WRITE = 2


class Subclockflags:
    SUBSCRIPTION_CLOCK_ABSTIME = 1


class Eventrwflags:
    FD_READWRITE_HANGUP = 1


class Riflags:
    RECV_PEEK = 1
    RECV_WAITALL = 2


class Roflags:
    RECV_DATA_TRUNCATED = 1


class Sdflags:
    RD = 1
    WR = 2


class Advice(IntEnum):
    NORMAL = 0
    SEQUENTIAL = 1
    RANDOM = 2
    WILLNEED = 3
    DONTNEED = 4
    NOREUSE = 5


PREOPENTYPE_DIR = 0
