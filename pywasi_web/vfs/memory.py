"""MemoryFS: a file system held in Python objects, with real inodes.

Files are bytearrays (appends are amortised O(1)), directories are dicts (100 000 entries stay
fast), hard links share one inode object, and an optional byte quota gives the guest ENOSPC.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Filetype
from pywasi_web.errors import WasiError
from pywasi_web.vfs.base import DirNode, FileNode, FileSystem, Node, OpenFile, Stat, SymlinkNode

_devices = itertools.count(1)
# Stat's own constructor without the Python frame NamedTuple's __new__ adds: a third of building
# one, which every fstat and every published open does
_new_stat = tuple.__new__


@dataclass(frozen=True)
class Symlink:
    """A symlink in a MemoryFS tree description (see MemoryFS and MemoryFS.snapshot)."""

    target: str


TreeEntry = bytes | bytearray | str | Symlink | None
"""bytes or str: a regular file (str is UTF-8 encoded); None: a directory; Symlink: a symlink."""


class _Inode:
    __slots__ = ("atim", "ctim", "fs", "ino", "mtim", "nlink")

    def __init__(self, fs: MemoryFS) -> None:
        self.fs = fs
        self.ino = fs.next_ino
        fs.next_ino += 1
        now = time.time_ns()
        self.atim = self.mtim = self.ctim = now
        self.nlink = 1

    @property
    def key(self) -> object:
        return self

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        if atim is not None:
            self.atim = atim
        if mtim is not None:
            self.mtim = mtim
        self.ctim = time.time_ns()
        self.fs.changed(self)

    def _stat(self, filetype: Filetype, size: int) -> Stat:
        fields = (filetype, size, self.nlink, self.ino, self.fs.dev, self.atim, self.mtim, self.ctim)
        return _new_stat(Stat, fields)


class MemoryFile(_Inode, FileNode, OpenFile):
    """A regular file; it is its own open handle, since all state lives in the inode."""

    __slots__ = ("data",)

    def __init__(self, fs: MemoryFS, data: bytes = b"") -> None:
        super().__init__(fs)
        fs.charge(len(data))
        self.data = bytearray(data)

    def stat(self) -> Stat:
        return self._stat(Filetype.REGULAR_FILE, self.size())

    def open(self, *, read: bool, write: bool) -> OpenFile:
        return self

    def pread(self, offset: int, size: int) -> bytes:
        # One copy through a view (released at once): slicing the bytearray first would copy twice.
        return bytes(memoryview(self.data)[offset : offset + size])

    def pwrite(self, offset: int, data: bytes | memoryview) -> int:
        length = len(data)
        if not length:  # POSIX: writing nothing to a regular file has no other result
            return 0
        current = len(self.data)
        end = offset + length
        if end > current:
            self.fs.grow(end, end - current)
            if offset > current:
                self._zeros(offset - current, charged=end - current)
        self.data[offset:end] = data
        self.mtim = self.ctim = time.time_ns()
        self.fs.changed(self)
        return length

    def size(self) -> int:
        return len(self.data)

    def truncate(self, size: int) -> None:
        current = len(self.data)
        if size > current:
            self.fs.grow(size, size - current)
            self._zeros(size - current, charged=size - current)
        else:
            self.fs.charge(size - current)
            del self.data[size:]
        self.mtim = self.ctim = time.time_ns()
        self.fs.changed(self)

    def _zeros(self, count: int, *, charged: int) -> None:
        """Append `count` zero bytes; a host with no memory for them (or, on a 32-bit host such as
        Pyodide, no index that large) gives back the `charged` bytes and ENOSPC."""
        try:
            self.data += bytes(count)
        except (MemoryError, OverflowError):
            self.fs.charge(-charged)
            raise WasiError(Errno.NOSPC, f"no memory for {count} more bytes") from None

    def sync(self) -> None:
        self.fs.sync()

    def close(self) -> None:
        self.fs.file_closed(self)

    def release(self) -> None:
        self.fs.charge(-self.size())  # size(): a lazily stored file is not loaded just to be dropped


class MemorySymlink(_Inode, SymlinkNode):
    __slots__ = ("_target",)

    def __init__(self, fs: MemoryFS, target: str) -> None:
        super().__init__(fs)
        self._target = target

    def target(self) -> str:
        return self._target

    def stat(self) -> Stat:
        return self._stat(Filetype.SYMBOLIC_LINK, len(self._target.encode()))


class MemoryDir(_Inode, DirNode):
    __slots__ = ("children",)

    def __init__(self, fs: MemoryFS) -> None:
        super().__init__(fs)
        self.nlink = 2
        self.children: dict[str, MemoryFile | MemoryDir | MemorySymlink] = {}

    def stat(self) -> Stat:
        return self._stat(Filetype.DIRECTORY, 4096)

    def lookup(self, name: str) -> Node | None:
        return self.children.get(name)

    def entries(self) -> Iterable[tuple[str, int, Filetype]]:
        return [(name, node.ino, node.filetype) for name, node in self.children.items()]

    def _add(self, name: str, node: MemoryFile | MemoryDir | MemorySymlink) -> None:
        if name in self.children:
            raise WasiError(Errno.EXIST, name)
        self.children[name] = node
        self.mtim = self.ctim = time.time_ns()
        self.fs.changed(self, node)

    def create_file(self, name: str) -> FileNode:
        node = MemoryFile(self.fs)
        self._add(name, node)
        return node

    def mkdir(self, name: str) -> None:
        self._add(name, MemoryDir(self.fs))
        self.nlink += 1

    def symlink(self, name: str, target: str) -> None:
        self._add(name, MemorySymlink(self.fs, target))

    def link(self, name: str, node: Node) -> None:
        if not isinstance(node, MemoryFile | MemorySymlink) or node.fs is not self.fs:
            raise WasiError(Errno.XDEV, name)
        self._add(name, node)
        node.nlink += 1
        node.ctim = time.time_ns()
        self.fs.changed(node)

    def _detach(self, name: str) -> None:
        node = self.children.pop(name)
        node.nlink -= 1 if not isinstance(node, MemoryDir) else 2
        if isinstance(node, MemoryDir):
            self.nlink -= 1
        elif node.nlink == 0 and isinstance(node, MemoryFile):
            node.release()
        self.mtim = self.ctim = node.ctim = time.time_ns()
        self.fs.changed(self)
        if node.nlink <= 0 or isinstance(node, MemoryDir):
            self.fs.released(node)
        else:
            self.fs.changed(node)

    def unlink(self, name: str) -> None:
        node = self.children.get(name)
        if node is None:
            raise WasiError(Errno.NOENT, name)
        if isinstance(node, MemoryDir):
            raise WasiError(Errno.ISDIR, name)
        self._detach(name)

    def rmdir(self, name: str) -> None:
        node = self.children.get(name)
        if node is None:
            raise WasiError(Errno.NOENT, name)
        if not isinstance(node, MemoryDir):
            raise WasiError(Errno.NOTDIR, name)
        if node.children:
            raise WasiError(Errno.NOTEMPTY, name)
        self._detach(name)

    def rename(self, name: str, dst: DirNode, dst_name: str) -> None:
        node = self.children.get(name)
        if node is None:
            raise WasiError(Errno.NOENT, name)
        if not isinstance(dst, MemoryDir) or dst.fs is not self.fs:
            raise WasiError(Errno.XDEV, dst_name)
        if isinstance(node, MemoryDir) and dst.is_within(node):
            raise WasiError(Errno.INVAL, f"cannot move {name} into itself")
        existing = dst.children.get(dst_name)
        if existing is node:
            return
        if existing is not None:
            if isinstance(node, MemoryDir):
                if not isinstance(existing, MemoryDir):
                    raise WasiError(Errno.NOTDIR, dst_name)
                if existing.children:
                    raise WasiError(Errno.NOTEMPTY, dst_name)
            elif isinstance(existing, MemoryDir):
                raise WasiError(Errno.ISDIR, dst_name)
            dst._detach(dst_name)
        del self.children[name]
        dst.children[dst_name] = node
        if isinstance(node, MemoryDir):
            self.nlink -= 1
            dst.nlink += 1
        now = time.time_ns()
        self.mtim = self.ctim = dst.mtim = dst.ctim = node.ctim = now
        self.fs.changed(self, dst, node)

    def is_within(self, ancestor: MemoryDir) -> bool:
        """Whether self is `ancestor` or below it (a rename must not make a cycle)."""
        stack: list[MemoryDir] = [ancestor]
        while stack:
            current = stack.pop()
            if current is self:
                return True
            stack.extend(child for child in current.children.values() if isinstance(child, MemoryDir))
        return False


class MemoryFS(FileSystem):
    """An in-memory tree, optionally built from {path: content} and capped at `max_bytes`.

    Files are real bytes (not sparse), so `max_file_size` (4 GiB) bounds what a guest can make
    the host allocate with one truncate or seek-and-write.

    >>> fs = MemoryFS({"docs/a.txt": "hello", "empty": None, "link": Symlink("docs/a.txt")})
    >>> sorted(fs.snapshot())
    ['docs', 'docs/a.txt', 'empty', 'link']
    """

    # Closing a descriptor of one of its files has no effect (its data stays in the inode), so an
    # engine may answer that close itself (preview1/fast_paths.py Described); false for a tree
    # that writes back when a file closes (it overrides file_closed).
    quiet_close: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.quiet_close = cls.file_closed is MemoryFS.file_closed

    def __init__(
        self,
        files: Mapping[str, TreeEntry] | None = None,
        *,
        read_only: bool = False,
        max_bytes: int | None = None,
        max_file_size: int = 1 << 32,
    ) -> None:
        self.read_only = read_only
        self.max_bytes = max_bytes
        self.max_file_size = max_file_size
        self.used_bytes = 0
        self.dev = next(_devices)
        self.next_ino = 1
        self._root = MemoryDir(self)
        for path, entry in (files or {}).items():
            self._install(path, entry)

    def root(self) -> MemoryDir:
        return self._root

    def changed(self, *inodes: _Inode) -> None:
        """Called after each change to these inodes; a persistent subclass records them."""

    def released(self, inode: _Inode) -> None:
        """Called when an inode leaves the tree (last link gone, directory removed)."""

    def file_closed(self, file: MemoryFile) -> None:
        """Called when a descriptor on `file` closes (a write-back point for persistent trees)."""

    def grow(self, new_size: int, delta: int) -> None:
        """Account for a file growing to `new_size`: EFBIG past max_file_size, ENOSPC past the quota."""
        if new_size > self.max_file_size:
            raise WasiError(Errno.FBIG, f"memory files are limited to {self.max_file_size} bytes")
        self.charge(delta)

    def charge(self, delta: int) -> None:
        """Account for `delta` bytes of file data; ENOSPC past the quota."""
        if delta > 0 and self.max_bytes is not None and self.used_bytes + delta > self.max_bytes:
            raise WasiError(Errno.NOSPC, f"memory file system quota of {self.max_bytes} bytes is full")
        self.used_bytes += delta

    def _install(self, path: str, entry: TreeEntry) -> None:
        parts = [part for part in path.split("/") if part not in ("", ".")]
        if not parts or ".." in parts:
            raise ValueError(f"MemoryFS path must be relative and inside the tree: {path!r}")
        directory = self._root
        for part in parts[:-1]:
            child = directory.children.get(part)
            if child is None:
                directory.mkdir(part)
                child = directory.children[part]
            if not isinstance(child, MemoryDir):
                raise ValueError(f"MemoryFS path {path!r} goes through a non-directory {part!r}")
            directory = child
        name = parts[-1]
        existing = directory.children.get(name)
        if entry is None:
            if existing is None:
                directory.mkdir(name)
            elif not isinstance(existing, MemoryDir):
                raise ValueError(f"MemoryFS path {path!r} is given twice")
        elif existing is not None:
            raise ValueError(f"MemoryFS path {path!r} is given twice")
        elif isinstance(entry, Symlink):
            directory.symlink(name, entry.target)
        else:
            data = entry.encode() if isinstance(entry, str) else bytes(entry)
            directory._add(name, MemoryFile(self, data))

    def snapshot(self) -> dict[str, bytes | Symlink | None]:
        """The whole tree as {relative path: bytes | Symlink | None (a directory)}."""
        return dict(self._walk(self._root, ""))

    def _walk(self, directory: MemoryDir, prefix: str) -> Iterator[tuple[str, bytes | Symlink | None]]:
        for name, node in directory.children.items():
            path = prefix + name
            if isinstance(node, MemoryDir):
                yield path, None
                yield from self._walk(node, path + "/")
            elif isinstance(node, MemorySymlink):
                yield path, Symlink(node.target())
            else:
                yield path, bytes(node.data)
