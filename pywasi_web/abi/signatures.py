"""The typed signature of every wasi_snapshot_preview1 import, as witx defines it.

Each parameter carries its WASI type (a pointer, a size, a filesize, a filedelta, an enum, a set of
flags...), and each WASI type its core value type and its value kind: how the bits an engine passes
are read as a Python int ("u32", "u64" unsigned, "s64" signed). Engines declare the core types and
decode the kinds (engines/values.py), so preview1 receives the same ints whatever the engine.
"""

from __future__ import annotations

from typing import NamedTuple

MODULE = "wasi_snapshot_preview1"

I32, I64 = "i32", "i64"


class WasiType(NamedTuple):
    name: str
    core: str  # the core value type it travels as
    kind: str  # how its bits read as a Python int: "u32", "u64" or "s64"


# witx's types, by what they travel as: every i32-sized WASI type is unsigned, every 64-bit one
# but filedelta too.
FD = WasiType("fd", I32, "u32")
POINTER = WasiType("pointer", I32, "u32")
SIZE = WasiType("size", I32, "u32")
U32 = WasiType("u32", I32, "u32")  # exitcode
ENUM = WasiType("enum", I32, "u32")  # clockid, whence, advice, signal
FLAGS = WasiType("flags", I32, "u32")  # fdflags, lookupflags, oflags, fstflags, riflags, siflags, sdflags
FILESIZE = WasiType("filesize", I64, "u64")
TIMESTAMP = WasiType("timestamp", I64, "u64")
RIGHTS = WasiType("rights", I64, "u64")
DIRCOOKIE = WasiType("dircookie", I64, "u64")
FILEDELTA = WasiType("filedelta", I64, "s64")


class Param(NamedTuple):
    name: str
    type: WasiType


def _params(*pairs: tuple[str, WasiType]) -> tuple[Param, ...]:
    return tuple(Param(name, wasi_type) for name, wasi_type in pairs)


_PATH = (("path", POINTER), ("path_len", SIZE))
_IOVS = (("iovs", POINTER), ("iovs_len", SIZE))
_TIMES = (("atim", TIMESTAMP), ("mtim", TIMESTAMP), ("fst_flags", FLAGS))

# name -> its parameters; every function but proc_exit returns an errno (i32).
FUNCTIONS: dict[str, tuple[Param, ...]] = {
    "args_get": _params(("argv", POINTER), ("argv_buf", POINTER)),
    "args_sizes_get": _params(("argc_ptr", POINTER), ("argv_buf_size_ptr", POINTER)),
    "environ_get": _params(("environ", POINTER), ("environ_buf", POINTER)),
    "environ_sizes_get": _params(("count_ptr", POINTER), ("buf_size_ptr", POINTER)),
    "clock_res_get": _params(("id", ENUM), ("result_ptr", POINTER)),
    "clock_time_get": _params(("id", ENUM), ("precision", TIMESTAMP), ("result_ptr", POINTER)),
    "fd_advise": _params(("fd", FD), ("offset", FILESIZE), ("len", FILESIZE), ("advice", ENUM)),
    "fd_allocate": _params(("fd", FD), ("offset", FILESIZE), ("len", FILESIZE)),
    "fd_close": _params(("fd", FD)),
    "fd_datasync": _params(("fd", FD)),
    "fd_fdstat_get": _params(("fd", FD), ("result_ptr", POINTER)),
    "fd_fdstat_set_flags": _params(("fd", FD), ("flags", FLAGS)),
    "fd_fdstat_set_rights": _params(("fd", FD), ("base", RIGHTS), ("inheriting", RIGHTS)),
    "fd_filestat_get": _params(("fd", FD), ("result_ptr", POINTER)),
    "fd_filestat_set_size": _params(("fd", FD), ("size", FILESIZE)),
    "fd_filestat_set_times": _params(("fd", FD), *_TIMES),
    "fd_pread": _params(("fd", FD), *_IOVS, ("offset", FILESIZE), ("result_ptr", POINTER)),
    "fd_prestat_get": _params(("fd", FD), ("result_ptr", POINTER)),
    "fd_prestat_dir_name": _params(("fd", FD), *_PATH),
    "fd_pwrite": _params(("fd", FD), *_IOVS, ("offset", FILESIZE), ("result_ptr", POINTER)),
    "fd_read": _params(("fd", FD), *_IOVS, ("result_ptr", POINTER)),
    "fd_readdir": _params(
        ("fd", FD), ("buf", POINTER), ("buf_len", SIZE), ("cookie", DIRCOOKIE), ("result_ptr", POINTER)
    ),
    "fd_renumber": _params(("fd", FD), ("to", FD)),
    "fd_seek": _params(("fd", FD), ("offset", FILEDELTA), ("whence", ENUM), ("result_ptr", POINTER)),
    "fd_sync": _params(("fd", FD)),
    "fd_tell": _params(("fd", FD), ("result_ptr", POINTER)),
    "fd_write": _params(("fd", FD), *_IOVS, ("result_ptr", POINTER)),
    "path_create_directory": _params(("fd", FD), *_PATH),
    "path_filestat_get": _params(("fd", FD), ("flags", FLAGS), *_PATH, ("result_ptr", POINTER)),
    "path_filestat_set_times": _params(("fd", FD), ("flags", FLAGS), *_PATH, *_TIMES),
    "path_link": _params(
        ("old_fd", FD),
        ("old_flags", FLAGS),
        ("old_path", POINTER),
        ("old_path_len", SIZE),
        ("new_fd", FD),
        ("new_path", POINTER),
        ("new_path_len", SIZE),
    ),
    "path_open": _params(
        ("fd", FD),
        ("dirflags", FLAGS),
        *_PATH,
        ("oflags", FLAGS),
        ("fs_rights_base", RIGHTS),
        ("fs_rights_inheriting", RIGHTS),
        ("fdflags", FLAGS),
        ("result_ptr", POINTER),
    ),
    "path_readlink": _params(
        ("fd", FD), *_PATH, ("buf", POINTER), ("buf_len", SIZE), ("result_ptr", POINTER)
    ),
    "path_remove_directory": _params(("fd", FD), *_PATH),
    "path_rename": _params(
        ("fd", FD),
        ("old_path", POINTER),
        ("old_path_len", SIZE),
        ("new_fd", FD),
        ("new_path", POINTER),
        ("new_path_len", SIZE),
    ),
    "path_symlink": _params(
        ("old_path", POINTER),
        ("old_path_len", SIZE),
        ("fd", FD),
        ("new_path", POINTER),
        ("new_path_len", SIZE),
    ),
    "path_unlink_file": _params(("fd", FD), *_PATH),
    "poll_oneoff": _params(
        ("in", POINTER), ("out", POINTER), ("nsubscriptions", SIZE), ("result_ptr", POINTER)
    ),
    "proc_exit": _params(("rval", U32)),
    "proc_raise": _params(("sig", ENUM)),
    "sched_yield": (),
    "random_get": _params(("buf", POINTER), ("buf_len", SIZE)),
    "sock_accept": _params(("fd", FD), ("flags", FLAGS), ("result_ptr", POINTER)),
    "sock_recv": _params(
        ("fd", FD),
        ("ri_data", POINTER),
        ("ri_data_len", SIZE),
        ("ri_flags", FLAGS),
        ("ro_datalen_ptr", POINTER),
        ("ro_flags_ptr", POINTER),
    ),
    "sock_send": _params(
        ("fd", FD), ("si_data", POINTER), ("si_data_len", SIZE), ("si_flags", FLAGS), ("result_ptr", POINTER)
    ),
    "sock_shutdown": _params(("fd", FD), ("how", FLAGS)),
}

# name -> (core params, core results), what a module must import each function as.
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    name: (tuple(param.type.core for param in params), () if name == "proc_exit" else (I32,))
    for name, params in FUNCTIONS.items()
}

# The imports that may have to wait: for input (stdin, sockets, poll, sleep), or for a persistent
# store (a write-back at sync or close, or reading a lazily stored file's bytes on first use).
# Only these need a suspending wrapper (JSPI) in the browser; each is first tried synchronously.
BLOCKING = frozenset(
    {"fd_read", "fd_pread", "fd_write", "poll_oneoff", "sock_accept", "sock_recv", "sock_send"}
    | {"fd_close", "fd_sync", "fd_datasync", "fd_renumber", "fd_pwrite", "fd_filestat_set_size", "path_open"}
)
