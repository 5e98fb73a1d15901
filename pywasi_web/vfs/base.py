"""The node interface every file system implements.

File systems know nothing of paths: the kernel resolves a path one component at a time with
`DirNode.lookup`, following symlinks itself, so containment is decided in one place. A file system
never follows a symlink on the kernel's behalf. Failures raise WasiError with the errno to report.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import NamedTuple, TypeGuard

from pywasi_web.abi.types import Filetype


class Stat(NamedTuple):
    """A node's metadata. A named tuple: built on every fstat and stat, it costs a third of a
    frozen dataclass (which sets each field through object.__setattr__)."""

    filetype: Filetype
    size: int
    nlink: int
    ino: int
    dev: int
    atim: int  # nanoseconds since the epoch
    mtim: int
    ctim: int


class Node(ABC):
    """A file, directory or symlink; identity (`key`) is stable while the node exists."""

    filetype: Filetype

    @property
    @abstractmethod
    def key(self) -> object:
        """Identifies the underlying object: equal keys mean the same inode."""

    @abstractmethod
    def stat(self) -> Stat: ...

    @abstractmethod
    def set_times(self, atim: int | None, mtim: int | None) -> None:
        """Set access/modification time in ns; None leaves that time unchanged."""


class OpenFile(ABC):
    """An open regular file: positionless I/O (the descriptor keeps the offset)."""

    @abstractmethod
    def pread(self, offset: int, size: int) -> bytes: ...

    @abstractmethod
    def pwrite(self, offset: int, data: bytes | memoryview) -> int: ...

    @abstractmethod
    def size(self) -> int: ...

    @abstractmethod
    def truncate(self, size: int) -> None: ...

    @abstractmethod
    def stat(self) -> Stat: ...

    @abstractmethod
    def set_times(self, atim: int | None, mtim: int | None) -> None: ...

    def load(self) -> None:
        """Fetch now what later reads and writes need (a stored file's bytes), so that they never
        wait: WASI 0.2 streams read and write in calls that cannot. Most files hold it already."""

    def sync(self) -> None:
        """Make written data durable; in-memory files have nothing to do."""

    def close(self) -> None:
        """Release host resources; called once when the last descriptor closes."""


class FileNode(Node):
    filetype = Filetype.REGULAR_FILE

    @abstractmethod
    def open(self, *, read: bool, write: bool) -> OpenFile: ...


class SymlinkNode(Node):
    filetype = Filetype.SYMBOLIC_LINK

    @abstractmethod
    def target(self) -> str: ...


class DirNode(Node):
    filetype = Filetype.DIRECTORY

    @abstractmethod
    def lookup(self, name: str) -> Node | None:
        """The entry `name` (never '.', '..' or containing '/'), without following symlinks."""

    @abstractmethod
    def entries(self) -> Iterable[tuple[str, int, Filetype]]:
        """(name, inode, filetype) of each entry, '.' and '..' excluded."""

    @abstractmethod
    def create_file(self, name: str) -> FileNode:
        """Create an empty regular file; the caller has checked that `name` is free."""

    @abstractmethod
    def mkdir(self, name: str) -> None: ...

    @abstractmethod
    def symlink(self, name: str, target: str) -> None: ...

    @abstractmethod
    def link(self, name: str, node: Node) -> None:
        """Add a hard link `name` to `node`, which lives in the same file system."""

    @abstractmethod
    def unlink(self, name: str) -> None:
        """Remove a non-directory entry."""

    @abstractmethod
    def rmdir(self, name: str) -> None:
        """Remove an empty directory (ENOTEMPTY otherwise)."""

    @abstractmethod
    def rename(self, name: str, dst: DirNode, dst_name: str) -> None:
        """Move an entry, replacing `dst_name` with POSIX rules; `dst` is in the same file system."""


# isinstance() against these ABCs costs ~0.3 µs, and resolving a path asks several times per
# component: the kind a node is comes from the filetype each kind declares instead.
def is_directory(node: Node | None) -> TypeGuard[DirNode]:
    return node is not None and node.filetype is Filetype.DIRECTORY


def is_symlink(node: Node | None) -> TypeGuard[SymlinkNode]:
    return node is not None and node.filetype is Filetype.SYMBOLIC_LINK


def is_regular_file(node: Node | None) -> TypeGuard[FileNode]:
    return node is not None and node.filetype is Filetype.REGULAR_FILE


class FileSystem(ABC):
    """A mountable tree. `read_only` is enforced by the kernel through rights."""

    read_only: bool = False

    @abstractmethod
    def root(self) -> DirNode: ...

    def sync(self) -> None:
        """Write everything back (persistent stores); a no-op for live trees."""
