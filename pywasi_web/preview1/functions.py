"""The wasi_snapshot_preview1 functions: decode arguments from guest memory, call the kernel,
encode the results back. Each method returns nothing or raises; `bind` turns WasiError into its
errno and Fault into EFAULT, so the 46 functions carry no error plumbing of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.layout import (
    DIRENT,
    EVENT,
    PRESTAT,
    SUBSCRIPTION_CLOCK,
    SUBSCRIPTION_FD,
    SUBSCRIPTION_HEAD,
    SUBSCRIPTION_SIZE,
)
from pywasi_web.abi.signatures import SIGNATURES
from pywasi_web.abi.types import PREOPENTYPE_DIR, Advice, Eventtype, Fdflags, Riflags, Rights, Sdflags, Whence
from pywasi_web.errors import ProcExit, WasiError
from pywasi_web.kernel import clocks
from pywasi_web.kernel.descriptors import (
    Descriptor,
    DirectoryDescriptor,
    SocketDescriptor,
    StreamDescriptor,
)
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.kernel.kernel import Kernel, new_times
from pywasi_web.kernel.poll import Subscription, poll
from pywasi_web.kernel.waiting import Waiter, WouldBlock
from pywasi_web.preview1.fast_paths import ClockRule, Described, FastPaths
from pywasi_web.preview1.memory import Fault, GuestMemory
from pywasi_web.preview1.records import fdstat_record, filestat_record

# called after each call with its name, arguments, result (None: proc_exit) and seconds taken
TimedTracer = Callable[[str, tuple[int, ...], int | None, float], None]


class Preview1:
    """The guest-facing ABI over one Kernel; `memory` is attached once the instance exists."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.fds = kernel.fds
        self.memory: GuestMemory = _NoMemory()
        self.described: Described | None = None  # set by fast_paths

    # -- binding -------------------------------------------------------------------------------

    def bind(self, tracer: TimedTracer | None = None) -> dict[str, Callable[..., int | None]]:
        """One host callable per import name: errors become errnos, optionally traced."""
        waiter = self.kernel.waiter
        return {name: self._bind_one(name, getattr(self, name), tracer, waiter) for name in SIGNATURES}

    def fast_paths(self) -> FastPaths:
        """What an engine may answer itself (see fast_paths.py), for the untraced functions of `bind`."""
        files = HotFiles(self.fds)
        self.described = Described(self.fds, files, self.kernel.path_open)
        return FastPaths(ClockRule(clocks.READERS), files, self.described)

    @staticmethod
    def _bind_one(
        name: str, method: Callable[..., None], tracer: TimedTracer | None, waiter: Waiter
    ) -> Callable[..., int | None]:
        """The host callable. A kernel operation that must wait reports WouldBlock before any
        side effect, and every function calls the kernel before it writes guest memory, so the
        whole call is run again after the wait (as JSPI re-runs an import that must suspend)."""
        if name == "proc_exit":

            def exit_call(*args: int) -> None:
                if tracer is not None:
                    tracer(name, args, None, 0.0)
                method(*args)

            return exit_call

        def call(*args: int) -> int:
            started = time.perf_counter() if tracer is not None else 0.0
            while True:
                try:
                    method(*args)
                    result = 0
                except WasiError as error:
                    result = error.errno
                except Fault:
                    result = Errno.FAULT
                except WouldBlock as block:
                    waiter.wait(block.timeout)
                    continue
                break
            if tracer is not None:
                tracer(name, args, result, time.perf_counter() - started)
            return result

        call.__name__ = name
        return call

    def _path(self, ptr: int, length: int) -> str:
        try:
            return self.memory.read(ptr, length).decode()
        except UnicodeDecodeError:
            raise WasiError(Errno.ILSEQ, "path is not UTF-8") from None

    # -- args, environment, clocks, random -----------------------------------------------------

    def _put_strings(self, strings: list[bytes], pointers: int, buffer: int) -> None:
        memory = self.memory
        for value in strings:
            memory.set_u32(pointers, buffer)
            memory.write(buffer, value + b"\0")
            pointers += 4
            buffer += len(value) + 1

    def args_get(self, argv: int, argv_buf: int) -> None:
        self._put_strings(self.kernel.args, argv, argv_buf)

    def args_sizes_get(self, count_ptr: int, size_ptr: int) -> None:
        self.memory.set_u32(count_ptr, len(self.kernel.args))
        self.memory.set_u32(size_ptr, sum(len(arg) + 1 for arg in self.kernel.args))

    def environ_get(self, environ: int, environ_buf: int) -> None:
        self._put_strings(self.kernel.env, environ, environ_buf)

    def environ_sizes_get(self, count_ptr: int, size_ptr: int) -> None:
        self.memory.set_u32(count_ptr, len(self.kernel.env))
        self.memory.set_u32(size_ptr, sum(len(item) + 1 for item in self.kernel.env))

    def clock_res_get(self, clock_id: int, result_ptr: int) -> None:
        self.memory.set_u64(result_ptr, clocks.resolution(clock_id))

    def clock_time_get(self, clock_id: int, precision: int, result_ptr: int) -> None:
        self.memory.set_u64(result_ptr, clocks.now(clock_id))

    def random_get(self, buf: int, length: int) -> None:
        self.memory.check(buf, length)
        self.memory.write(buf, self.kernel.random(length))

    # -- process -------------------------------------------------------------------------------

    def proc_exit(self, code: int) -> None:
        raise ProcExit(code)

    def proc_raise(self, signal: int) -> None:
        raise WasiError(Errno.NOTSUP, "signals are not supported")

    def sched_yield(self) -> None:
        """A single-threaded guest has nothing to yield to."""

    # -- descriptors ---------------------------------------------------------------------------

    def fd_advise(self, fd: int, offset: int, length: int, advice: int) -> None:
        if isinstance(self.fds.get(fd, Rights.FD_ADVISE), DirectoryDescriptor):
            raise WasiError(Errno.BADF, "cannot advise on a directory")
        if advice > Advice.NOREUSE:
            raise WasiError(Errno.INVAL, f"unknown advice {advice}")
        if length >= 1 << 63:
            raise WasiError(Errno.INVAL, "a negative length (as off_t)")  # posix_fadvise's answer

    def fd_allocate(self, fd: int, offset: int, length: int) -> None:
        self._not_directory(fd)
        raise WasiError(Errno.NOTSUP, "fd_allocate is deprecated; wasmtime does not support it either")

    def fd_close(self, fd: int) -> None:
        self.fds.close(fd)

    def fd_datasync(self, fd: int) -> None:
        self._not_directory(fd).sync()

    def fd_sync(self, fd: int) -> None:
        self._not_directory(fd).sync()

    def _not_directory(self, fd: int) -> Descriptor:
        """For data calls on any open file (read-only ones included) that a directory refuses with
        EBADF, whatever the rights: wasmtime's answers for fd_sync, fd_datasync and fd_allocate."""
        descriptor = self.fds.get(fd)
        if isinstance(descriptor, DirectoryDescriptor):
            raise WasiError(Errno.BADF, "not for a directory")
        return descriptor

    def fd_fdstat_get(self, fd: int, result_ptr: int) -> None:
        record = fdstat_record(self.fds.get(fd))
        self.memory.write(result_ptr, record)
        if self.described is not None:
            self.described.asked(fd, record)

    def fd_fdstat_set_flags(self, fd: int, flags: int) -> None:
        descriptor = self.fds.get(fd, Rights.FD_FDSTAT_SET_FLAGS)
        if flags & ~(Fdflags.APPEND | Fdflags.NONBLOCK):
            raise WasiError(Errno.INVAL, "only APPEND and NONBLOCK can be changed")  # as wasmtime
        descriptor.fdflags = flags
        self.fds.changed(fd)

    def fd_fdstat_set_rights(self, fd: int, base: int, inheriting: int) -> None:
        self.kernel.fd_fdstat_set_rights(fd, base, inheriting)

    def fd_filestat_get(self, fd: int, result_ptr: int) -> None:
        self.memory.write(result_ptr, filestat_record(self.fds.get(fd, Rights.FD_FILESTAT_GET).stat()))

    def fd_filestat_set_size(self, fd: int, size: int) -> None:
        self.kernel.fd_filestat_set_size(fd, size)

    def fd_filestat_set_times(self, fd: int, atim: int, mtim: int, fstflags: int) -> None:
        self.kernel.mutable(fd, Rights.FD_FILESTAT_SET_TIMES).set_times(*new_times(atim, mtim, fstflags))

    def fd_pread(self, fd: int, iovs: int, iovs_len: int, offset: int, result_ptr: int) -> None:
        descriptor = self.fds.get(fd, Rights.FD_READ | Rights.FD_SEEK)
        vectors = self.memory.iovecs(iovs, iovs_len)
        data = descriptor.pread(sum([length for _, length in vectors]), offset)
        self.memory.set_u32(result_ptr, self.memory.scatter(vectors, data))

    def fd_pwrite(self, fd: int, iovs: int, iovs_len: int, offset: int, result_ptr: int) -> None:
        descriptor = self.fds.get(fd, Rights.FD_WRITE | Rights.FD_SEEK)
        data = self.memory.gather(self.memory.iovecs(iovs, iovs_len))
        self.memory.set_u32(result_ptr, descriptor.pwrite(data, offset))

    def fd_read(self, fd: int, iovs: int, iovs_len: int, result_ptr: int) -> None:
        descriptor = self.fds.get(fd, Rights.FD_READ)
        vectors = self.memory.iovecs(iovs, iovs_len)
        data = descriptor.read(sum([length for _, length in vectors]))
        self.memory.set_u32(result_ptr, self.memory.scatter(vectors, data))

    def fd_write(self, fd: int, iovs: int, iovs_len: int, result_ptr: int) -> None:
        descriptor = self.fds.get(fd, Rights.FD_WRITE)
        memory = self.memory
        memory.set_u32(result_ptr, descriptor.write(memory.gather(memory.iovecs(iovs, iovs_len))))

    def fd_prestat_get(self, fd: int, result_ptr: int) -> None:
        name = self._preopen_name(fd)
        self.memory.check(result_ptr, PRESTAT.size)
        # the tag and the length, not the padding between them (as wasmtime writes it)
        self.memory.write(result_ptr, bytes([PREOPENTYPE_DIR]))
        self.memory.set_u32(result_ptr + 4, len(name))

    def fd_prestat_dir_name(self, fd: int, path: int, path_len: int) -> None:
        name = self._preopen_name(fd)
        if path_len < len(name):
            raise WasiError(Errno.NAMETOOLONG, "buffer shorter than the preopen name")
        self.memory.write(path, name)

    def _preopen_name(self, fd: int) -> bytes:
        descriptor = self.fds.get(fd)
        if not isinstance(descriptor, DirectoryDescriptor) or descriptor.preopen_name is None:
            raise WasiError(Errno.BADF, f"fd {fd} is not a preopen")
        return descriptor.preopen_name.encode()

    def fd_readdir(self, fd: int, buf: int, buf_len: int, cookie: int, result_ptr: int) -> None:
        self.fds.get(fd, Rights.FD_READDIR)  # a file lacks the right: EBADF, as wasmtime answers
        directory = self.fds.get(fd, Rights.FD_READDIR, DirectoryDescriptor)
        out = bytearray()
        for index, (name, ino, filetype) in enumerate(directory.entries_from(cookie), start=cookie + 1):
            if len(out) >= buf_len:
                break
            out += DIRENT.pack(index, ino, len(name), filetype)
            out += name
        del out[buf_len:]
        self.memory.write(buf, out)
        self.memory.set_u32(result_ptr, len(out))

    def fd_renumber(self, fd: int, to: int) -> None:
        self.fds.renumber(fd, to)

    def fd_seek(self, fd: int, offset: int, whence: int, result_ptr: int) -> None:
        tell_only = offset == 0 and whence == Whence.CUR
        descriptor = self._seekable(fd, Rights.FD_TELL if tell_only else Rights.FD_SEEK)
        self.memory.set_u64(result_ptr, descriptor.seek(offset, whence))

    def fd_tell(self, fd: int, result_ptr: int) -> None:
        self.memory.set_u64(result_ptr, self._seekable(fd, Rights.FD_TELL).seek(0, Whence.CUR))

    def _seekable(self, fd: int, rights: int) -> Descriptor:
        """stdin, stdout and stderr give ESPIPE whatever their rights, as in wasmtime and POSIX
        (their rights never include seeking, which would otherwise make it ENOTCAPABLE). Looked at
        only when the rights check fails, so a file's seek pays one lookup."""
        try:
            return self.fds.get(fd, rights)
        except WasiError:
            if isinstance(self.fds.get(fd), StreamDescriptor):
                raise WasiError(Errno.SPIPE, f"fd {fd} is a stream") from None
            raise

    # -- paths ---------------------------------------------------------------------------------

    def path_create_directory(self, fd: int, path: int, path_len: int) -> None:
        self.kernel.path_create_directory(fd, self._path(path, path_len))

    def path_filestat_get(self, fd: int, flags: int, path: int, path_len: int, result_ptr: int) -> None:
        node = self.kernel.path_filestat_get(fd, flags, self._path(path, path_len))
        self.memory.write(result_ptr, filestat_record(node.stat()))

    def path_filestat_set_times(
        self, fd: int, flags: int, path: int, path_len: int, atim: int, mtim: int, fstflags: int
    ) -> None:
        self.kernel.path_filestat_set_times(fd, flags, self._path(path, path_len), atim, mtim, fstflags)

    def path_link(
        self,
        old_fd: int,
        old_flags: int,
        old_path: int,
        old_len: int,
        new_fd: int,
        new_path: int,
        new_len: int,
    ) -> None:
        self.kernel.path_link(
            old_fd, old_flags, self._path(old_path, old_len), new_fd, self._path(new_path, new_len)
        )

    def path_open(
        self,
        fd: int,
        dirflags: int,
        path: int,
        path_len: int,
        oflags: int,
        base: int,
        inheriting: int,
        fdflags: int,
        result_ptr: int,
    ) -> None:
        self.memory.check(result_ptr, 4)  # EFAULT before opening anything
        opened = self.kernel.path_open(
            fd, dirflags, self._path(path, path_len), oflags, base, inheriting, fdflags
        )
        self.memory.set_u32(result_ptr, opened)
        if self.described is not None:
            self.described.opened(opened, oflags)

    def path_readlink(
        self, fd: int, path: int, path_len: int, buf: int, buf_len: int, result_ptr: int
    ) -> None:
        target = self.kernel.path_readlink(fd, self._path(path, path_len))[:buf_len]
        self.memory.write(buf, target)
        self.memory.set_u32(result_ptr, len(target))

    def path_remove_directory(self, fd: int, path: int, path_len: int) -> None:
        self.kernel.path_remove_directory(fd, self._path(path, path_len))

    def path_rename(
        self, fd: int, old_path: int, old_len: int, new_fd: int, new_path: int, new_len: int
    ) -> None:
        self.kernel.path_rename(fd, self._path(old_path, old_len), new_fd, self._path(new_path, new_len))

    def path_symlink(self, old_path: int, old_len: int, fd: int, new_path: int, new_len: int) -> None:
        self.kernel.path_symlink(self._path(old_path, old_len), fd, self._path(new_path, new_len))

    def path_unlink_file(self, fd: int, path: int, path_len: int) -> None:
        self.kernel.path_unlink_file(fd, self._path(path, path_len))

    # -- poll ----------------------------------------------------------------------------------

    def poll_oneoff(self, in_ptr: int, out_ptr: int, count: int, result_ptr: int) -> None:
        raw = self.memory.read(in_ptr, count * SUBSCRIPTION_SIZE)
        self.memory.check(out_ptr, count * EVENT.size)  # EFAULT before waiting, not after
        subscriptions = []
        for offset in range(0, len(raw), SUBSCRIPTION_SIZE):
            userdata, kind = SUBSCRIPTION_HEAD.unpack_from(raw, offset)
            if kind == Eventtype.CLOCK:
                clock_id, timeout, _precision, flags = SUBSCRIPTION_CLOCK.unpack_from(raw, offset + 16)
                subscriptions.append(
                    Subscription(userdata, kind, clock_id=clock_id, timeout=timeout, flags=flags)
                )
            elif kind in (Eventtype.FD_READ, Eventtype.FD_WRITE):
                (fd,) = SUBSCRIPTION_FD.unpack_from(raw, offset + 16)
                subscriptions.append(Subscription(userdata, kind, fd=fd))
            else:
                raise WasiError(Errno.INVAL, f"unknown subscription type {kind}")
        events = poll(self.fds, self.kernel.waiter, subscriptions)  # waits itself: deadlines stay put
        out = b"".join(EVENT.pack(e.userdata, e.error, e.kind, e.nbytes, e.flags) for e in events)
        self.memory.write(out_ptr, out)
        self.memory.set_u32(result_ptr, len(events))

    # -- sockets -------------------------------------------------------------------------------

    def sock_accept(self, fd: int, flags: int, result_ptr: int) -> None:
        self.memory.check(result_ptr, 4)
        self.memory.set_u32(result_ptr, self.kernel.sock_accept(fd, flags))

    def sock_recv(
        self, fd: int, ri_data: int, ri_data_len: int, ri_flags: int, datalen_ptr: int, roflags_ptr: int
    ) -> None:
        descriptor = self.fds.get(fd, Rights.FD_READ, SocketDescriptor)
        vectors = self.memory.iovecs(ri_data, ri_data_len)
        data = descriptor.recv(
            sum([length for _, length in vectors]),
            peek=bool(ri_flags & Riflags.RECV_PEEK),
            waitall=bool(ri_flags & Riflags.RECV_WAITALL),
        )
        self.memory.set_u32(datalen_ptr, self.memory.scatter(vectors, data))
        self.memory.write(roflags_ptr, b"\0\0")

    def sock_send(self, fd: int, si_data: int, si_data_len: int, si_flags: int, result_ptr: int) -> None:
        descriptor = self.fds.get(fd, Rights.FD_WRITE, SocketDescriptor)
        data = self.memory.gather(self.memory.iovecs(si_data, si_data_len))
        self.memory.set_u32(result_ptr, descriptor.write(data))

    def sock_shutdown(self, fd: int, how: int) -> None:
        descriptor = self.fds.get(fd, Rights.SOCK_SHUTDOWN, SocketDescriptor)
        if not how or how & ~(Sdflags.RD | Sdflags.WR):
            raise WasiError(Errno.INVAL, f"bad shutdown flags {how}")
        descriptor.socket.shutdown(bool(how & Sdflags.RD), bool(how & Sdflags.WR))


class _NoMemory:
    """Stands in until the instance's memory is attached: every access is a fault."""

    def __getattr__(self, name: str) -> Any:
        def fault(*_args: object) -> Any:
            raise Fault("the module exports no memory")

        return fault
