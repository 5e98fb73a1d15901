"""HostDir: a directory of the host, reached through `os` (the real disk, or Pyodide's own FS).

Containment is structural, not lexical: every operation walks from the mount root one component
at a time with O_DIRECTORY | O_NOFOLLOW directory descriptors and acts on the last name relative
to its parent's descriptor without following symlinks. A symlink planted or swapped on the host
therefore can never be followed out of the mount; the kernel follows guest symlinks itself.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Filetype
from pywasi_web.errors import CapabilityError, WasiError, errno_from_oserror
from pywasi_web.vfs.base import DirNode, FileNode, FileSystem, Node, OpenFile, Stat, SymlinkNode

HARD_LINKS = hasattr(os, "link")  # False on Pyodide: path_link on a HostDir gives ENOTSUP there
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _filetype(mode: int) -> Filetype:
    if stat_module.S_ISREG(mode):
        return Filetype.REGULAR_FILE
    if stat_module.S_ISDIR(mode):
        return Filetype.DIRECTORY
    if stat_module.S_ISLNK(mode):
        return Filetype.SYMBOLIC_LINK
    if stat_module.S_ISCHR(mode):
        return Filetype.CHARACTER_DEVICE
    if stat_module.S_ISBLK(mode):
        return Filetype.BLOCK_DEVICE
    if stat_module.S_ISSOCK(mode):
        return Filetype.SOCKET_STREAM
    return Filetype.UNKNOWN


def _to_stat(result: os.stat_result) -> Stat:
    """WASI's timestamps are unsigned: a host time before 1970 reads as 0."""
    return Stat(
        _filetype(result.st_mode),
        result.st_size,
        result.st_nlink,
        result.st_ino,
        result.st_dev,
        max(0, result.st_atime_ns),
        max(0, result.st_mtime_ns),
        max(0, result.st_ctime_ns),
    )


@contextmanager
def _host_errors() -> Iterator[None]:
    """Turn host OSErrors into WasiErrors carrying the matching errno (and no memory into ENOMEM)."""
    try:
        yield
    except OSError as exc:
        raise WasiError(errno_from_oserror(exc), str(exc)) from None
    except MemoryError:
        raise WasiError(Errno.NOMEM, "the host has no memory for this") from None


class HostDir(FileSystem):
    """Mount the host directory `path`; `read_only` strips every write right from the guest."""

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self.path = os.path.abspath(os.fspath(path))
        self.read_only = read_only
        if not os.path.isdir(self.path):
            raise CapabilityError(f"HostDir: {self.path} is not a directory")
        if os.open not in os.supports_dir_fd:
            raise CapabilityError("HostDir needs openat() (os.supports_dir_fd), which this Python lacks")

    def root(self) -> HostDirectory:
        return HostDirectory(self, ())

    @contextmanager
    def directory_fd(self, parts: tuple[str, ...]) -> Iterator[int]:
        """An fd of the directory at `parts`, reached without following any symlink."""
        with _host_errors():
            fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
            try:
                for part in parts:
                    next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                    os.close(fd)
                    fd = next_fd
            except BaseException:
                os.close(fd)
                raise
        try:
            with _host_errors():
                yield fd
        finally:
            os.close(fd)

    def __repr__(self) -> str:
        return f"HostDir({self.path!r}, read_only={self.read_only})"


class _HostNode(Node):
    def __init__(self, fs: HostDir, parts: tuple[str, ...], key: tuple[int, int]) -> None:
        self.fs = fs
        self.parts = parts
        self._key = key

    @property
    def key(self) -> object:
        return self._key

    @contextmanager
    def _parent(self) -> Iterator[tuple[int, str]]:
        with self.fs.directory_fd(self.parts[:-1]) as fd:
            yield fd, self.parts[-1]

    def stat(self) -> Stat:
        if not self.parts:
            with self.fs.directory_fd(()) as fd:
                return _to_stat(os.stat(fd))
        with self._parent() as (fd, name):
            return _to_stat(os.stat(name, dir_fd=fd, follow_symlinks=False))

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        current = self.stat()
        times = (current.atim if atim is None else atim, current.mtim if mtim is None else mtim)
        if not self.parts:
            with self.fs.directory_fd(()) as fd:
                os.utime(fd, ns=times)
            return
        with self._parent() as (fd, name):
            os.utime(name, ns=times, dir_fd=fd, follow_symlinks=False)


class HostOpenFile(OpenFile):
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def pread(self, offset: int, size: int) -> bytes:
        with _host_errors():
            return os.pread(self.fd, size, offset)

    def pwrite(self, offset: int, data: bytes | memoryview) -> int:
        with _host_errors():
            return os.pwrite(self.fd, data, offset)

    def size(self) -> int:
        with _host_errors():
            return os.fstat(self.fd).st_size

    def truncate(self, size: int) -> None:
        with _host_errors():
            os.ftruncate(self.fd, size)

    def stat(self) -> Stat:
        with _host_errors():
            return _to_stat(os.fstat(self.fd))

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        with _host_errors():
            current = os.fstat(self.fd)
            times = (
                current.st_atime_ns if atim is None else atim,
                current.st_mtime_ns if mtim is None else mtim,
            )
            os.utime(self.fd, ns=times)

    def sync(self) -> None:
        with _host_errors():
            os.fsync(self.fd)

    def close(self) -> None:
        with _host_errors():
            os.close(self.fd)


class HostFile(_HostNode, FileNode):
    def open(self, *, read: bool, write: bool) -> OpenFile:
        mode = os.O_RDWR if read and write else os.O_WRONLY if write else os.O_RDONLY
        with self._parent() as (fd, name):
            return HostOpenFile(os.open(name, mode | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=fd))


class HostSymlink(_HostNode, SymlinkNode):
    def target(self) -> str:
        with self._parent() as (fd, name):
            return os.readlink(name, dir_fd=fd)


class HostSpecial(_HostNode):
    """A device, FIFO or socket on the host: visible in listings, never opened for the guest."""

    def __init__(self, fs: HostDir, parts: tuple[str, ...], key: tuple[int, int], filetype: Filetype) -> None:
        super().__init__(fs, parts, key)
        self.filetype = filetype


class HostDirectory(_HostNode, DirNode):
    def __init__(self, fs: HostDir, parts: tuple[str, ...], key: tuple[int, int] = (0, 0)) -> None:
        super().__init__(fs, parts, key)

    @property
    def key(self) -> object:
        return self.parts if not self.parts else self._key

    def lookup(self, name: str) -> Node | None:
        with self.fs.directory_fd(self.parts) as fd:
            try:
                result = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                return None
        parts = (*self.parts, name)
        key = (result.st_dev, result.st_ino)
        filetype = _filetype(result.st_mode)
        if filetype is Filetype.DIRECTORY:
            return HostDirectory(self.fs, parts, key)
        if filetype is Filetype.REGULAR_FILE:
            return HostFile(self.fs, parts, key)
        if filetype is Filetype.SYMBOLIC_LINK:
            return HostSymlink(self.fs, parts, key)
        return HostSpecial(self.fs, parts, key, filetype)

    def entries(self) -> Iterable[tuple[str, int, Filetype]]:
        with self.fs.directory_fd(self.parts) as fd, os.scandir(fd) as listing:
            return [
                (entry.name, entry.inode(), _filetype(entry.stat(follow_symlinks=False).st_mode))
                for entry in listing
            ]

    def create_file(self, name: str) -> FileNode:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        with self.fs.directory_fd(self.parts) as fd:
            os.close(os.open(name, flags, 0o666, dir_fd=fd))
            result = os.stat(name, dir_fd=fd, follow_symlinks=False)
        return HostFile(self.fs, (*self.parts, name), (result.st_dev, result.st_ino))

    def mkdir(self, name: str) -> None:
        with self.fs.directory_fd(self.parts) as fd:
            os.mkdir(name, 0o777, dir_fd=fd)

    def symlink(self, name: str, target: str) -> None:
        with self.fs.directory_fd(self.parts) as fd:
            if os.symlink in os.supports_dir_fd:
                os.symlink(target, name, dir_fd=fd)
            else:
                # Pyodide's file system has no symlinkat. The walk above proved the path has no
                # symlink in it, and only this kernel changes that file system (one thread, no
                # other process), so nothing can swap a component before the path form runs.
                os.symlink(target, os.path.join(self.fs.path, *self.parts, name))

    def link(self, name: str, node: Node) -> None:
        if not isinstance(node, _HostNode) or node.fs is not self.fs or not node.parts:
            raise WasiError(Errno.XDEV, name)
        if not HARD_LINKS:
            raise WasiError(Errno.NOTSUP, "this host file system has no hard links (Pyodide's)")
        with node._parent() as (src_fd, src_name), self.fs.directory_fd(self.parts) as fd:
            os.link(src_name, name, src_dir_fd=src_fd, dst_dir_fd=fd, follow_symlinks=False)

    def unlink(self, name: str) -> None:
        with self.fs.directory_fd(self.parts) as fd:
            os.unlink(name, dir_fd=fd)

    def rmdir(self, name: str) -> None:
        with self.fs.directory_fd(self.parts) as fd:
            os.rmdir(name, dir_fd=fd)

    def rename(self, name: str, dst: DirNode, dst_name: str) -> None:
        if not isinstance(dst, HostDirectory) or dst.fs is not self.fs:
            raise WasiError(Errno.XDEV, dst_name)
        with self.fs.directory_fd(self.parts) as fd, self.fs.directory_fd(dst.parts) as dst_fd:
            os.rename(name, dst_name, src_dir_fd=fd, dst_dir_fd=dst_fd)
