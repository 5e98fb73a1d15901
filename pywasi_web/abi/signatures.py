"""Parameter and result types of every wasi_snapshot_preview1 import, for engines that must declare them."""

MODULE = "wasi_snapshot_preview1"

I, L = "i32", "i64"

# name -> (params, results); every function but proc_exit returns an errno (i32).
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "args_get": ((I, I), (I,)),
    "args_sizes_get": ((I, I), (I,)),
    "environ_get": ((I, I), (I,)),
    "environ_sizes_get": ((I, I), (I,)),
    "clock_res_get": ((I, I), (I,)),
    "clock_time_get": ((I, L, I), (I,)),
    "fd_advise": ((I, L, L, I), (I,)),
    "fd_allocate": ((I, L, L), (I,)),
    "fd_close": ((I,), (I,)),
    "fd_datasync": ((I,), (I,)),
    "fd_fdstat_get": ((I, I), (I,)),
    "fd_fdstat_set_flags": ((I, I), (I,)),
    "fd_fdstat_set_rights": ((I, L, L), (I,)),
    "fd_filestat_get": ((I, I), (I,)),
    "fd_filestat_set_size": ((I, L), (I,)),
    "fd_filestat_set_times": ((I, L, L, I), (I,)),
    "fd_pread": ((I, I, I, L, I), (I,)),
    "fd_prestat_get": ((I, I), (I,)),
    "fd_prestat_dir_name": ((I, I, I), (I,)),
    "fd_pwrite": ((I, I, I, L, I), (I,)),
    "fd_read": ((I, I, I, I), (I,)),
    "fd_readdir": ((I, I, I, L, I), (I,)),
    "fd_renumber": ((I, I), (I,)),
    "fd_seek": ((I, L, I, I), (I,)),
    "fd_sync": ((I,), (I,)),
    "fd_tell": ((I, I), (I,)),
    "fd_write": ((I, I, I, I), (I,)),
    "path_create_directory": ((I, I, I), (I,)),
    "path_filestat_get": ((I, I, I, I, I), (I,)),
    "path_filestat_set_times": ((I, I, I, I, L, L, I), (I,)),
    "path_link": ((I, I, I, I, I, I, I), (I,)),
    "path_open": ((I, I, I, I, I, L, L, I, I), (I,)),
    "path_readlink": ((I, I, I, I, I, I), (I,)),
    "path_remove_directory": ((I, I, I), (I,)),
    "path_rename": ((I, I, I, I, I, I), (I,)),
    "path_symlink": ((I, I, I, I, I), (I,)),
    "path_unlink_file": ((I, I, I), (I,)),
    "poll_oneoff": ((I, I, I, I), (I,)),
    "proc_exit": ((I,), ()),
    "proc_raise": ((I,), (I,)),
    "sched_yield": ((), (I,)),
    "random_get": ((I, I), (I,)),
    "sock_accept": ((I, I, I), (I,)),
    "sock_recv": ((I, I, I, I, I, I), (I,)),
    "sock_send": ((I, I, I, I, I), (I,)),
    "sock_shutdown": ((I, I), (I,)),
}

# The imports that may have to wait (stdin, sockets, poll, sleep): only these need
# a suspending wrapper (JSPI) in the browser.
BLOCKING = frozenset({"fd_read", "fd_pread", "fd_write", "poll_oneoff", "sock_accept", "sock_recv", "sock_send"})
