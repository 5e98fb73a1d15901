"""File systems a guest can be given: in memory, a host directory, persistent stores, URLs."""

from pywasi_web.vfs.base import DirNode, FileNode, FileSystem, Node, OpenFile, Stat, SymlinkNode
from pywasi_web.vfs.changes import TrackedMemoryFS
from pywasi_web.vfs.host import HostDir
from pywasi_web.vfs.memory import MemoryFS, Symlink
from pywasi_web.vfs.persistent import PersistentFS, Store
from pywasi_web.vfs.sqlite_store import SqliteStore
from pywasi_web.vfs.url import Fetcher, FetchError, UrlFS

__all__ = [
    "DirNode",
    "FetchError",
    "Fetcher",
    "FileNode",
    "FileSystem",
    "HostDir",
    "MemoryFS",
    "Node",
    "OpenFile",
    "PersistentFS",
    "SqliteStore",
    "Stat",
    "Store",
    "Symlink",
    "SymlinkNode",
    "TrackedMemoryFS",
    "UrlFS",
]
