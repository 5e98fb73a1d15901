"""HostDir: a directory of the host, reached through `os` (the real disk, or Pyodide's own FS).

Containment is structural, not lexical, in the style of cap-std: each directory node holds an
O_DIRECTORY | O_NOFOLLOW descriptor of the directory itself, opened relative to its parent's, and
every operation acts on one name relative to that descriptor without following symlinks. A guest
descriptor therefore keeps its directory when the directory is renamed (as in wasmtime), no call
walks from the mount root, and a symlink planted or swapped on the host is never followed out of
the mount; the kernel follows guest symlinks itself and never lets `..` rise above a descriptor.

Emscripten (Pyodide) resolves a directory descriptor by the path it was opened with, so there a
directory node keeps its path below the mount instead, walks it with O_NOFOLLOW on each use, and
the renames and removals made through this HostDir move the paths of the nodes they affect. That is
exact because nothing but the kernel changes Pyodide's file system (one thread, no other process).
"""

from __future__ import annotations

import os
import stat as stat_module
import sys
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Filetype
from pywasi_web.errors import CapabilityError, WasiError, errno_from_oserror
from pywasi_web.vfs.base import DirNode, FileNode, FileSystem, Node, OpenFile, Stat, SymlinkNode

HARD_LINKS = hasattr(os, "link")  # False on Pyodide: path_link on a HostDir gives ENOTSUP there
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_ROOT_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
HOLDS_DIRECTORIES = sys.platform != "emscripten"
"""Whether a descriptor opened on a directory goes on naming that directory after a rename."""


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
        if not {os.open, os.stat, os.mkdir, os.rename, os.unlink, os.rmdir} <= os.supports_dir_fd:
            raise CapabilityError(
                "HostDir needs openat() and its kin (os.supports_dir_fd), which this Python lacks"
            )
        self.holds_directories = HOLDS_DIRECTORIES
        # Without held directories: the live directory nodes, whose paths renames move.
        self._walked: weakref.WeakSet[HostDirectory] = weakref.WeakSet()

    def root(self) -> HostDirectory:
        if self.holds_directories:
            with _host_errors():
                return HostDirectory(self, held=os.open(self.path, _ROOT_FLAGS))
        return self.walked(())

    def walked(self, parts: tuple[str, ...]) -> HostDirectory:
        """A directory node that keeps its path below the mount (where descriptors cannot hold one)."""
        node = HostDirectory(self, parts=parts)
        self._walked.add(node)
        return node

    @contextmanager
    def directory_fd(self, parts: tuple[str, ...]) -> Iterator[int]:
        """An fd of the directory at `parts`, reached from the mount without following any symlink."""
        with _host_errors():
            fd = os.open(self.path, _ROOT_FLAGS)
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

    def moved(self, old: tuple[str, ...], new: tuple[str, ...] | None) -> None:
        """Walked nodes at or below `old` are now at `new` (None: removed)."""
        for node in list(self._walked):
            parts = node.parts
            if parts is not None and parts[: len(old)] == old:
                node.parts = None if new is None else new + parts[len(old) :]

    def __repr__(self) -> str:
        return f"HostDir({self.path!r}, read_only={self.read_only})"


class _HostNode(Node):
    """An entry named `name` in the directory `parent` (which it keeps open)."""

    def __init__(self, parent: HostDirectory, name: str, key: tuple[int, int]) -> None:
        self.parent = parent
        self.name = name
        self._key = key

    @property
    def key(self) -> object:
        return self._key

    def stat(self) -> Stat:
        with self.parent.fd() as fd:
            return _to_stat(os.stat(self.name, dir_fd=fd, follow_symlinks=False))

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        current = self.stat()
        times = (current.atim if atim is None else atim, current.mtim if mtim is None else mtim)
        with self.parent.fd() as fd:
            if os.utime in os.supports_follow_symlinks:
                os.utime(self.name, ns=times, dir_fd=fd, follow_symlinks=False)
            elif self.filetype is Filetype.SYMBOLIC_LINK:
                raise WasiError(Errno.NOTSUP, "this host cannot set a symlink's own times (Pyodide's)")
            else:
                # Pyodide has no lutimes; the entry is no symlink, and nothing but the kernel changes
                # that file system, so following it cannot lead anywhere else.
                os.utime(self.name, ns=times, dir_fd=fd)


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
        with self.parent.fd() as fd:
            return HostOpenFile(
                os.open(self.name, mode | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=fd)
            )


class HostSymlink(_HostNode, SymlinkNode):
    def target(self) -> str:
        with self.parent.fd() as fd:
            return os.readlink(self.name, dir_fd=fd)


class HostSpecial(_HostNode):
    """A device, FIFO or socket on the host: visible in listings, never opened for the guest."""

    def __init__(self, parent: HostDirectory, name: str, key: tuple[int, int], filetype: Filetype) -> None:
        super().__init__(parent, name, key)
        self.filetype = filetype


class HostDirectory(DirNode):
    """A directory: `held` is a descriptor of the directory itself (closed when the node goes),
    or else `parts` is its path below the mount (None once it was removed)."""

    def __init__(self, fs: HostDir, *, held: int | None = None, parts: tuple[str, ...] | None = None) -> None:
        self.fs = fs
        self.held = held
        self.parts = parts
        if held is not None:
            weakref.finalize(self, os.close, held)

    @property
    def key(self) -> object:
        stat = self.stat()
        return (stat.dev, stat.ino)

    @contextmanager
    def fd(self) -> Iterator[int]:
        """A descriptor of this directory, for one operation."""
        if self.held is not None:
            with _host_errors():
                yield self.held
            return
        if self.parts is None:
            raise WasiError(Errno.NOENT, "the directory was removed")
        with self.fs.directory_fd(self.parts) as fd:
            yield fd

    def stat(self) -> Stat:
        with self.fd() as fd:
            return _to_stat(os.stat(fd))

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        current = self.stat()
        times = (current.atim if atim is None else atim, current.mtim if mtim is None else mtim)
        with self.fd() as fd:
            os.utime(fd, ns=times)

    def lookup(self, name: str) -> Node | None:
        with self.fd() as fd:
            try:
                result = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                return None
            key = (result.st_dev, result.st_ino)
            filetype = _filetype(result.st_mode)
            if filetype is Filetype.DIRECTORY:
                return self._child(fd, name)
        if filetype is Filetype.REGULAR_FILE:
            return HostFile(self, name, key)
        if filetype is Filetype.SYMBOLIC_LINK:
            return HostSymlink(self, name, key)
        return HostSpecial(self, name, key, filetype)

    def _child(self, fd: int, name: str) -> HostDirectory:
        if self.held is not None:
            return HostDirectory(self.fs, held=os.open(name, _DIR_FLAGS, dir_fd=fd))
        assert self.parts is not None  # fd() has refused a removed directory
        return self.fs.walked((*self.parts, name))

    def entries(self) -> Iterable[tuple[str, int, Filetype]]:
        with self.fd() as fd, os.scandir(fd) as listing:
            return [
                (entry.name, entry.inode(), _filetype(entry.stat(follow_symlinks=False).st_mode))
                for entry in listing
            ]

    def create_file(self, name: str) -> FileNode:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        with self.fd() as fd:
            os.close(os.open(name, flags, 0o666, dir_fd=fd))
            result = os.stat(name, dir_fd=fd, follow_symlinks=False)
        return HostFile(self, name, (result.st_dev, result.st_ino))

    def mkdir(self, name: str) -> None:
        with self.fd() as fd:
            os.mkdir(name, 0o777, dir_fd=fd)

    def symlink(self, name: str, target: str) -> None:
        with self.fd() as fd:
            if os.symlink in os.supports_dir_fd:
                os.symlink(target, name, dir_fd=fd)
            else:
                # Pyodide's file system has no symlinkat; there directories keep their paths
                # (walked with O_NOFOLLOW just now), and nothing but the kernel changes that file
                # system, so nothing can swap a component before the path form runs.
                assert self.parts is not None
                os.symlink(target, os.path.join(self.fs.path, *self.parts, name))

    def link(self, name: str, node: Node) -> None:
        if not isinstance(node, _HostNode) or node.parent.fs is not self.fs:
            raise WasiError(Errno.XDEV, name)
        if not HARD_LINKS:
            raise WasiError(Errno.NOTSUP, "this host file system has no hard links (Pyodide's)")
        with node.parent.fd() as src_fd, self.fd() as fd:
            os.link(node.name, name, src_dir_fd=src_fd, dst_dir_fd=fd, follow_symlinks=False)

    def unlink(self, name: str) -> None:
        with self.fd() as fd:
            os.unlink(name, dir_fd=fd)

    def rmdir(self, name: str) -> None:
        with self.fd() as fd:
            os.rmdir(name, dir_fd=fd)
        if self.parts is not None:
            self.fs.moved((*self.parts, name), None)

    def rename(self, name: str, dst: DirNode, dst_name: str) -> None:
        if not isinstance(dst, HostDirectory) or dst.fs is not self.fs:
            raise WasiError(Errno.XDEV, dst_name)
        with self.fd() as fd, dst.fd() as dst_fd:
            os.rename(name, dst_name, src_dir_fd=fd, dst_dir_fd=dst_fd)
        if self.parts is not None and dst.parts is not None:
            self.fs.moved((*dst.parts, dst_name), None)  # an empty directory replaced there is gone
            self.fs.moved((*self.parts, name), (*dst.parts, dst_name))
