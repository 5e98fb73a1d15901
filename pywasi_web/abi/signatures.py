"""Parameter and result types of every wasi_snapshot_preview1 import, for engines that must declare them."""

MODULE = "wasi_snapshot_preview1"

I32, I64 = "i32", "i64"

# name -> (params, results); every function but proc_exit returns an errno (i32).
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "args_get": ((I32, I32), (I32,)),
    "args_sizes_get": ((I32, I32), (I32,)),
    "environ_get": ((I32, I32), (I32,)),
    "environ_sizes_get": ((I32, I32), (I32,)),
    "clock_res_get": ((I32, I32), (I32,)),
    "clock_time_get": ((I32, I64, I32), (I32,)),
    "fd_advise": ((I32, I64, I64, I32), (I32,)),
    "fd_allocate": ((I32, I64, I64), (I32,)),
    "fd_close": ((I32,), (I32,)),
    "fd_datasync": ((I32,), (I32,)),
    "fd_fdstat_get": ((I32, I32), (I32,)),
    "fd_fdstat_set_flags": ((I32, I32), (I32,)),
    "fd_fdstat_set_rights": ((I32, I64, I64), (I32,)),
    "fd_filestat_get": ((I32, I32), (I32,)),
    "fd_filestat_set_size": ((I32, I64), (I32,)),
    "fd_filestat_set_times": ((I32, I64, I64, I32), (I32,)),
    "fd_pread": ((I32, I32, I32, I64, I32), (I32,)),
    "fd_prestat_get": ((I32, I32), (I32,)),
    "fd_prestat_dir_name": ((I32, I32, I32), (I32,)),
    "fd_pwrite": ((I32, I32, I32, I64, I32), (I32,)),
    "fd_read": ((I32, I32, I32, I32), (I32,)),
    "fd_readdir": ((I32, I32, I32, I64, I32), (I32,)),
    "fd_renumber": ((I32, I32), (I32,)),
    "fd_seek": ((I32, I64, I32, I32), (I32,)),
    "fd_sync": ((I32,), (I32,)),
    "fd_tell": ((I32, I32), (I32,)),
    "fd_write": ((I32, I32, I32, I32), (I32,)),
    "path_create_directory": ((I32, I32, I32), (I32,)),
    "path_filestat_get": ((I32, I32, I32, I32, I32), (I32,)),
    "path_filestat_set_times": ((I32, I32, I32, I32, I64, I64, I32), (I32,)),
    "path_link": ((I32, I32, I32, I32, I32, I32, I32), (I32,)),
    "path_open": ((I32, I32, I32, I32, I32, I64, I64, I32, I32), (I32,)),
    "path_readlink": ((I32, I32, I32, I32, I32, I32), (I32,)),
    "path_remove_directory": ((I32, I32, I32), (I32,)),
    "path_rename": ((I32, I32, I32, I32, I32, I32), (I32,)),
    "path_symlink": ((I32, I32, I32, I32, I32), (I32,)),
    "path_unlink_file": ((I32, I32, I32), (I32,)),
    "poll_oneoff": ((I32, I32, I32, I32), (I32,)),
    "proc_exit": ((I32,), ()),
    "proc_raise": ((I32,), (I32,)),
    "sched_yield": ((), (I32,)),
    "random_get": ((I32, I32), (I32,)),
    "sock_accept": ((I32, I32, I32), (I32,)),
    "sock_recv": ((I32, I32, I32, I32, I32, I32), (I32,)),
    "sock_send": ((I32, I32, I32, I32, I32), (I32,)),
    "sock_shutdown": ((I32, I32), (I32,)),
}

# The imports that may have to wait: for input (stdin, sockets, poll, sleep), or for a persistent
# store (a write-back at sync or close, or reading a lazily stored file's bytes on first use).
# Only these need a suspending wrapper (JSPI) in the browser; each is first tried synchronously.
BLOCKING = frozenset(
    {"fd_read", "fd_pread", "fd_write", "poll_oneoff", "sock_accept", "sock_recv", "sock_send"}
    | {"fd_close", "fd_sync", "fd_datasync", "fd_renumber", "fd_pwrite", "fd_filestat_set_size", "path_open"}
)
