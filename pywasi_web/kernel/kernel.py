"""The Kernel: one guest process's view of the system, and the path operations.

Descriptor-level operations live on the descriptors (descriptors.py); what needs the table, path
resolution and rights together lives here. Every method takes and returns Python values: guest
memory is preview1's business.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import (
    DIRECTORY_RIGHTS,
    FILE_RIGHTS,
    SOCKET_RIGHTS,
    STREAM_RIGHTS,
    WRITE_RIGHTS,
    Fdflags,
    Fstflags,
    Lookupflags,
    Oflags,
    Rights,
)
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import (
    Descriptor,
    DirectoryDescriptor,
    FileDescriptor,
    SocketDescriptor,
    StreamDescriptor,
)
from pywasi_web.kernel.fdtable import D, FdTable
from pywasi_web.kernel.paths import ESCAPE, Resolved, resolve
from pywasi_web.kernel.streams import InputStream, OutputStream
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.net.base import Socket
from pywasi_web.vfs.base import (
    DirNode,
    FileSystem,
    Node,
    SymlinkNode,
    is_directory,
    is_regular_file,
    is_symlink,
)

# Errno for a change attempted on a read-only mount (wasmtime's answer).
READ_ONLY = Errno.PERM
MAX_TIMESTAMP = (1 << 64) - 1


@dataclass(frozen=True)
class Preopen:
    guest_path: str
    fs: FileSystem


class Kernel:
    def __init__(
        self,
        *,
        args: Sequence[bytes],
        env: Sequence[bytes],
        stdin: InputStream,
        stdout: OutputStream,
        stderr: OutputStream,
        waiter: Waiter,
        preopens: Sequence[Preopen] = (),
        sockets: Sequence[Socket] = (),
        max_open: int = 1024,
    ) -> None:
        self.args = list(args)
        self.env = list(env)
        self.waiter = waiter
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.fds = FdTable(max_open)
        self.fds.add(StreamDescriptor(STREAM_RIGHTS & ~Rights.FD_WRITE, 0, source=stdin))
        self.fds.add(StreamDescriptor(STREAM_RIGHTS & ~Rights.FD_READ, 0, sink=stdout))
        self.fds.add(StreamDescriptor(STREAM_RIGHTS & ~Rights.FD_READ, 0, sink=stderr))
        self.mounts = [preopen.fs for preopen in preopens]
        for preopen in preopens:
            rights = DIRECTORY_RIGHTS & ~WRITE_RIGHTS if preopen.fs.read_only else DIRECTORY_RIGHTS
            inheriting = DIRECTORY_RIGHTS | FILE_RIGHTS
            if preopen.fs.read_only:
                inheriting &= ~WRITE_RIGHTS
            self.fds.add(
                DirectoryDescriptor(
                    rights,
                    inheriting,
                    node=preopen.fs.root(),
                    fs=preopen.fs,
                    preopen_name=preopen.guest_path,
                    read_only=preopen.fs.read_only,
                )
            )
        for socket in sockets:
            socket.on_ready = waiter.notify
            self.fds.add(SocketDescriptor(SOCKET_RIGHTS, SOCKET_RIGHTS, socket=socket))

    # -- helpers -------------------------------------------------------------------------------

    def output_sink(self, fd: int) -> OutputStream:
        """Where writes to the output stream `fd` (1 or 2) go now: its sink, or the engine's
        gatherer in front of it (kernel/hot.py). Preview 2's stdout and stderr write there, so a
        component's output is batched as a core module's; once `fd` is closed, the sink itself."""
        try:
            sink = self.fds.get(fd, Rights.FD_WRITE, StreamDescriptor).sink
        except WasiError:
            sink = None
        return sink if sink is not None else self.stdout if fd == 1 else self.stderr

    def directory(self, fd: int, rights: int) -> DirectoryDescriptor:
        return self.fds.get(fd, rights, DirectoryDescriptor)

    def mutable(self, fd: int, rights: int, kind: type[D] = Descriptor) -> D:  # type: ignore[assignment]
        """A descriptor that may be changed: one on a read-only mount refuses first, with EPERM."""
        if self.fds.get(fd).read_only:
            raise WasiError(READ_ONLY, "read-only mount")
        return self.fds.get(fd, rights, kind)

    def _mutable(self, fd: int, rights: int) -> DirectoryDescriptor:
        return self.mutable(fd, rights, DirectoryDescriptor)

    @staticmethod
    def _resolve(directory: DirectoryDescriptor, path: str, follow: bool) -> Resolved:
        return resolve(directory.node, path, follow=follow)

    # -- paths ---------------------------------------------------------------------------------

    def path_open(
        self,
        fd: int,
        lookupflags: int,
        path: str,
        oflags: int,
        rights_base: int,
        rights_inheriting: int,
        fdflags: int,
    ) -> int:
        directory = self.directory(fd, Rights.PATH_OPEN)
        _check_fdflags(fdflags)
        if oflags & Oflags.CREAT and oflags & Oflags.DIRECTORY:
            raise WasiError(Errno.INVAL, "CREAT with DIRECTORY")
        if fdflags & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC):
            raise WasiError(Errno.NOTSUP, "synchronous-I/O fdflags are not supported (as in wasmtime)")
        wants_write = bool(rights_base & Rights.FD_WRITE or oflags & (Oflags.CREAT | Oflags.TRUNC))
        if wants_write and directory.fs.read_only:
            raise WasiError(READ_ONLY, f"{path}: read-only mount")
        if oflags & Oflags.CREAT:
            self.directory(fd, Rights.PATH_CREATE_FILE)
        if oflags & Oflags.TRUNC:
            self.directory(fd, Rights.PATH_FILESTAT_SET_SIZE)
        exclusive = bool(oflags & Oflags.CREAT and oflags & Oflags.EXCL)
        # O_CREAT|O_EXCL never follows a final symlink: a link, dangling or not, already exists.
        follow = bool(lookupflags & Lookupflags.SYMLINK_FOLLOW) and not exclusive
        resolved = self._resolve(directory, path, follow)
        node = resolved.node
        if node is not None and exclusive:
            raise WasiError(Errno.EXIST, path)
        if node is None:
            if not oflags & Oflags.CREAT:
                raise WasiError(Errno.NOENT, path)
            if oflags & Oflags.DIRECTORY or resolved.trailing_slash:
                raise WasiError(Errno.ISDIR if resolved.trailing_slash else Errno.NOENT, path)
            parent, name = resolved.entry()
            node = parent.create_file(name)
        base = rights_base & directory.rights_inheriting
        inheriting = rights_inheriting & directory.rights_inheriting
        if is_symlink(node):
            raise WasiError(Errno.LOOP, f"{path} is a symlink and SYMLINK_FOLLOW is not set")
        if is_directory(node):
            if rights_base & Rights.FD_WRITE or oflags & (Oflags.TRUNC | Oflags.CREAT):
                raise WasiError(Errno.ISDIR, path)
            opened: Descriptor = DirectoryDescriptor(
                base & DIRECTORY_RIGHTS,
                inheriting,
                fdflags,
                node=node,
                fs=directory.fs,
                read_only=directory.read_only,
            )
        elif oflags & Oflags.DIRECTORY:
            raise WasiError(Errno.NOTDIR, path)
        elif is_regular_file(node):
            base &= FILE_RIGHTS
            write = bool(base & Rights.FD_WRITE)
            truncate = bool(oflags & Oflags.TRUNC)
            handle = node.open(read=bool(base & Rights.FD_READ) or not write, write=write or truncate)
            if truncate:
                handle.truncate(0)
            opened = FileDescriptor(
                base, inheriting & FILE_RIGHTS, fdflags, handle=handle, read_only=directory.read_only
            )
        else:
            raise WasiError(Errno.NOTSUP, f"{path}: cannot open this kind of file")
        try:
            return self.fds.add(opened)
        except WasiError:
            opened.close()
            raise

    def path_create_directory(self, fd: int, path: str) -> None:
        directory = self._mutable(fd, Rights.PATH_CREATE_DIRECTORY)
        resolved = self._resolve(directory, path, False)
        if resolved.node is not None:
            raise WasiError(Errno.EXIST, path)
        parent, name = resolved.entry()
        parent.mkdir(name)

    def path_filestat_get(self, fd: int, lookupflags: int, path: str) -> Node:
        directory = self.directory(fd, Rights.PATH_FILESTAT_GET)
        return self._resolve(directory, path, bool(lookupflags & Lookupflags.SYMLINK_FOLLOW)).existing()

    def path_filestat_set_times(
        self, fd: int, lookupflags: int, path: str, atim: int, mtim: int, fstflags: int
    ) -> None:
        directory = self._mutable(fd, Rights.PATH_FILESTAT_SET_TIMES)
        times = new_times(atim, mtim, fstflags)
        node = self._resolve(directory, path, bool(lookupflags & Lookupflags.SYMLINK_FOLLOW)).existing()
        node.set_times(*times)

    def path_link(self, old_fd: int, lookupflags: int, old_path: str, new_fd: int, new_path: str) -> None:
        if lookupflags & Lookupflags.SYMLINK_FOLLOW:
            raise WasiError(Errno.INVAL, "path_link does not follow symlinks (as in wasmtime)")
        source_dir = self._mutable(old_fd, Rights.PATH_LINK_SOURCE)
        target_dir = self._mutable(new_fd, Rights.PATH_LINK_TARGET)
        source = self._resolve(source_dir, old_path, bool(lookupflags & Lookupflags.SYMLINK_FOLLOW))
        node = source.existing()
        if isinstance(node, DirNode):
            raise WasiError(Errno.PERM, f"{old_path}: hard link to a directory")
        if source.trailing_slash:
            raise WasiError(Errno.NOTDIR, old_path)
        target = self._resolve(target_dir, new_path, False)
        if target.node is not None:
            raise WasiError(Errno.EXIST, new_path)
        if target.trailing_slash:
            raise WasiError(Errno.NOENT, new_path)
        if source_dir.fs is not target_dir.fs:
            raise WasiError(Errno.XDEV, f"{old_path} -> {new_path}: different mounts")
        parent, name = target.entry()
        parent.link(name, node)

    def path_readlink(self, fd: int, path: str) -> bytes:
        directory = self.directory(fd, Rights.PATH_READLINK)
        node = self._resolve(directory, path, False).existing()
        if not isinstance(node, SymlinkNode):
            raise WasiError(Errno.INVAL, f"{path}: not a symlink")
        return node.target().encode()

    def path_remove_directory(self, fd: int, path: str) -> None:
        directory = self._mutable(fd, Rights.PATH_REMOVE_DIRECTORY)
        resolved = self._resolve(directory, path, False)
        node = resolved.existing()
        if resolved.parent is None:
            raise WasiError(Errno.INVAL if path.rstrip("/").endswith(".") else Errno.BUSY, path)
        if not isinstance(node, DirNode):
            raise WasiError(Errno.NOTDIR, path)
        if resolved.trailing_slash:
            raise WasiError(Errno.INVAL, f"{path}: trailing slash (wasmtime's answer)")
        parent, name = resolved.entry()
        parent.rmdir(name)

    def path_rename(self, fd: int, old_path: str, new_fd: int, new_path: str) -> None:
        source_dir = self._mutable(fd, Rights.PATH_RENAME_SOURCE)
        target_dir = self._mutable(new_fd, Rights.PATH_RENAME_TARGET)
        source = self._resolve(source_dir, old_path, False)
        node = source.existing()
        target = self._resolve(target_dir, new_path, False)
        if source.parent is None or target.parent is None:
            raise WasiError(Errno.BUSY, f"{old_path} -> {new_path}: '.' and '..' cannot be renamed")
        if (source.trailing_slash or target.trailing_slash) and not isinstance(node, DirNode):
            raise WasiError(Errno.NOTDIR, f"{old_path} -> {new_path}")
        if source_dir.fs is not target_dir.fs:
            raise WasiError(Errno.XDEV, f"{old_path} -> {new_path}: different mounts")
        parent, name = source.entry()
        new_parent, new_name = target.entry()
        parent.rename(name, new_parent, new_name)

    def path_symlink(self, target: str, fd: int, path: str) -> None:
        directory = self._mutable(fd, Rights.PATH_SYMLINK)
        if not target:
            raise WasiError(Errno.NOENT, "empty symlink target")
        if "\0" in target:
            raise WasiError(Errno.INVAL, "NUL in symlink target")
        if target.startswith("/"):
            raise WasiError(ESCAPE, f"symlink target {target!r} is absolute")
        resolved = self._resolve(directory, path, False)
        if resolved.node is not None:
            raise WasiError(Errno.EXIST, path)
        if resolved.trailing_slash:
            raise WasiError(Errno.NOENT, path)
        parent, name = resolved.entry()
        parent.symlink(name, target)

    def path_unlink_file(self, fd: int, path: str) -> None:
        directory = self._mutable(fd, Rights.PATH_UNLINK_FILE)
        resolved = self._resolve(directory, path, False)
        node = resolved.existing()
        if isinstance(node, DirNode):
            raise WasiError(Errno.ISDIR, path)
        if resolved.trailing_slash:
            raise WasiError(Errno.NOTDIR, path)
        parent, name = resolved.entry()
        parent.unlink(name)

    # -- descriptors ---------------------------------------------------------------------------

    def fd_fdstat_set_rights(self, fd: int, base: int, inheriting: int) -> None:
        descriptor = self.fds.get(fd)
        if base & ~descriptor.rights_base or inheriting & ~descriptor.rights_inheriting:
            raise WasiError(Errno.NOTCAPABLE, "rights can only be dropped")
        descriptor.rights_base = base
        descriptor.rights_inheriting = inheriting
        self.fds.changed(fd)

    def fd_filestat_set_size(self, fd: int, size: int) -> None:
        descriptor: Descriptor = self.mutable(fd, 0)
        if isinstance(descriptor, FileDescriptor) and not descriptor.rights_base & Rights.FD_WRITE:
            raise WasiError(Errno.INVAL, "the file is not open for writing")  # ftruncate's answer
        self.fds.get(fd, Rights.FD_FILESTAT_SET_SIZE).set_size(size)

    def sock_accept(self, fd: int, fdflags: int) -> int:
        listener = self.fds.get(fd, Rights.SOCK_ACCEPT, SocketDescriptor)
        _check_fdflags(fdflags)
        connection = listener.accept()
        connection.on_ready = self.waiter.notify
        return self.fds.add(
            SocketDescriptor(STREAM_RIGHTS | Rights.SOCK_SHUTDOWN, 0, fdflags, socket=connection)
        )

    def sync_mounts(self) -> list[str]:
        """Write every mount back (persistent stores); return a message for each that failed."""
        return write_back(self.mounts)

    @staticmethod
    def random(size: int) -> bytes:
        return os.urandom(size)


def write_back(filesystems: Iterable[FileSystem]) -> list[str]:
    """Sync each file system (a persistent store writes back); a message for each that failed."""
    failures = []
    for fs in filesystems:
        try:
            fs.sync()
        except WasiError as error:
            failures.append(f"write-back of {fs!r} failed: {error.message}")
    return failures


def new_times(atim: int, mtim: int, fstflags: int) -> tuple[int | None, int | None]:
    """The (atime, mtime) to set from fd/path_filestat_set_times arguments (None: unchanged)."""
    if fstflags & Fstflags.ATIM and fstflags & Fstflags.ATIM_NOW:
        raise WasiError(Errno.INVAL, "ATIM with ATIM_NOW")
    if fstflags & Fstflags.MTIM and fstflags & Fstflags.MTIM_NOW:
        raise WasiError(Errno.INVAL, "MTIM with MTIM_NOW")
    if fstflags & ~0xF:
        raise WasiError(Errno.INVAL, f"unknown fstflags {fstflags:#x}")
    for name, value, flag in (("atim", atim, Fstflags.ATIM), ("mtim", mtim, Fstflags.MTIM)):
        if fstflags & flag and not 0 <= value <= MAX_TIMESTAMP:
            raise WasiError(Errno.INVAL, f"{name} {value} is not a u64 timestamp")
    now = time.time_ns()
    new_atim = atim if fstflags & Fstflags.ATIM else now if fstflags & Fstflags.ATIM_NOW else None
    new_mtim = mtim if fstflags & Fstflags.MTIM else now if fstflags & Fstflags.MTIM_NOW else None
    return new_atim, new_mtim


def _check_fdflags(fdflags: int) -> None:
    """A descriptor keeps only flags WASI defines: fd_fdstat_get reports them in a u16 (wasmtime
    traps the guest on unknown bits; an errno is kinder and keeps the descriptor table sane)."""
    if fdflags & ~Fdflags.ALL:
        raise WasiError(Errno.INVAL, f"unknown fdflags bits {fdflags & ~Fdflags.ALL:#x}")
