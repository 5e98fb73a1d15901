"""PersistentFS: a MemoryFS whose inodes live in a Store and are written back atomically.

Each inode is one record ("inode:<n>", JSON) and each file's bytes another ("data:<n>", loaded
lazily on first use). Changes only mark inodes dirty; a write-back (fd_sync/fd_datasync, closing a
file that was written, guest exit, or an explicit `sync()`) commits every dirty and deleted record
in ONE store transaction, so a crash loses at most the writes since the last write-back and the
store always holds either the old or the new state, never a mix.

A generation number in the store detects a second writer (another tab or process): its write-back
fails with a clear error instead of interleaving records. A write-back that fails for lack of
space gives the guest ENOSPC and keeps everything already stored.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import WasiError
from pywasi_web.vfs.memory import MemoryDir, MemoryFile, MemoryFS, MemorySymlink, TreeEntry, _Inode

FORMAT_VERSION = 1
META = "meta"


class StoreConflict(Exception):
    """Another writer committed to the store since this tree was loaded."""


class StoreFull(Exception):
    """The store has no room for the write-back (quota exceeded)."""


Record = bytes | bytearray
"""A value to store: a file's own bytearray is passed as it is (copying 64 MiB twice costs); a
store must not keep it past commit()."""


class Store(Protocol):
    """Key -> bytes records with atomic multi-record commits (IndexedDB, SQLite, ...)."""

    def load(self, prefix: str) -> dict[str, bytes]:
        """Every record whose key starts with `prefix`."""
        ...

    def get(self, key: str) -> bytes | None: ...

    def commit(self, puts: dict[str, Record], deletes: list[str], expected_generation: int) -> int:
        """Apply all puts and deletes atomically if the stored generation is `expected_generation`;
        return the new generation. Raise StoreConflict or StoreFull (nothing applied) otherwise.
        A store that cannot wait where it is called (the browser's, in an import's synchronous
        try) raises the kernel's WouldBlock before it copies anything, as every operation may."""
        ...

    def generation(self) -> int: ...


class _LazyFile(MemoryFile):
    """A stored file whose bytes are read from the store the first time they are needed."""

    __slots__ = ("_store_key", "_stored_size")
    _store_key: str
    _stored_size: int

    def size(self) -> int:
        return len(self.data) if _has_data(self) else self._stored_size

    def __getattr__(self, name: str) -> Any:
        if name != "data":
            raise AttributeError(name)
        self.load()
        return self.data

    def load(self) -> None:
        if not _has_data(self):
            fs = self.fs
            assert isinstance(fs, PersistentFS)
            self.data = bytearray(fs.store.get(self._store_key) or b"")


class PersistentFS(MemoryFS):
    """A tree kept in `store`; see the module docstring for when it is written back."""

    def __init__(self, store: Store, *, read_only: bool = False, max_bytes: int | None = None) -> None:
        self.store = store
        self._dirty: dict[int, _Inode] = {}
        self._deleted: set[int] = set()
        self._loading = True
        super().__init__(read_only=read_only, max_bytes=max_bytes)
        self._generation = store.generation()
        records = store.load("inode:")
        if records:
            self._restore(records)
        else:
            self._dirty[self._root.ino] = self._root
        self._loading = False

    # -- change tracking -----------------------------------------------------------------------

    def changed(self, *inodes: _Inode) -> None:
        if not self._loading:
            for inode in inodes:
                self._dirty[inode.ino] = inode
                self._deleted.discard(inode.ino)

    def released(self, inode: _Inode) -> None:
        if not self._loading:
            self._dirty.pop(inode.ino, None)
            self._deleted.add(inode.ino)

    def file_closed(self, file: MemoryFile) -> None:
        if file.ino in self._dirty:
            self.sync()

    def __repr__(self) -> str:
        return f"PersistentFS({self.store!r})"

    @property
    def pending(self) -> bool:
        """Whether there are changes not yet written back."""
        return bool(self._dirty or self._deleted)

    # -- write-back ----------------------------------------------------------------------------

    def sync(self) -> None:
        if not self.pending:
            return
        puts: dict[str, Record] = {}
        for ino, inode in self._dirty.items():
            puts[f"inode:{ino}"] = json.dumps(_record(inode)).encode()
            if isinstance(inode, MemoryFile) and _has_data(inode):
                puts[f"data:{ino}"] = inode.data
        deletes = [key for ino in self._deleted for key in (f"inode:{ino}", f"data:{ino}")]
        meta = {"version": FORMAT_VERSION, "root": self._root.ino, "next": self.next_ino}
        puts[META] = json.dumps(meta).encode()
        try:
            self._generation = self.store.commit(puts, deletes, self._generation)
        except StoreFull as error:
            raise WasiError(Errno.NOSPC, f"persistent store is full: {error}") from None
        except StoreConflict as error:
            raise WasiError(Errno.BUSY, f"persistent store was changed by another writer: {error}") from None
        self._dirty.clear()
        self._deleted.clear()

    def replace(self, tree: dict[str, TreeEntry]) -> None:
        """Make the tree exactly `tree` (an import); the next sync writes it and deletes every old
        record in one commit, so a failed import leaves the store as it was."""
        old = self._reachable()
        self._root = MemoryDir(self)
        self.used_bytes = 0
        self._dirty.clear()
        self._deleted |= old
        self.changed(self._root)
        for path, entry in tree.items():
            self._install(path, entry)

    def _reachable(self) -> set[int]:
        """The inode numbers of the current tree."""
        seen: set[int] = set()
        stack: list[_Inode] = [self._root]
        while stack:
            node = stack.pop()
            if node.ino not in seen:
                seen.add(node.ino)
                if isinstance(node, MemoryDir):
                    stack.extend(node.children.values())
        return seen

    # -- loading -------------------------------------------------------------------------------

    def _restore(self, records: dict[str, bytes]) -> None:
        meta = json.loads(self.store.get(META) or b"{}")
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"persistent store has format {meta.get('version')}, expected {FORMAT_VERSION}")
        decoded = {int(key.split(":", 1)[1]): json.loads(value) for key, value in records.items()}
        nodes: dict[int, _Inode] = {}
        for ino, record in decoded.items():
            nodes[ino] = self._make(ino, record)
        for ino, record in decoded.items():
            node = nodes[ino]
            if isinstance(node, MemoryDir):
                node.children = {name: nodes[child] for name, child in record["children"].items()}  # type: ignore[misc]
        root = nodes[meta["root"]]
        assert isinstance(root, MemoryDir)
        self._root = root
        self.next_ino = meta["next"]

    def _make(self, ino: int, record: dict[str, Any]) -> _Inode:
        kind = record["type"]
        node: _Inode
        if kind == "dir":
            node = MemoryDir(self)
        elif kind == "symlink":
            node = MemorySymlink(self, record["target"])
        else:
            node = _LazyFile.__new__(_LazyFile)
            _Inode.__init__(node, self)
            node._store_key = f"data:{ino}"
            node._stored_size = record["size"]
            self.used_bytes += record["size"]
        node.ino = ino
        node.nlink = record["nlink"]
        node.atim, node.mtim, node.ctim = record["atim"], record["mtim"], record["ctim"]
        return node


def _has_data(file: MemoryFile) -> bool:
    """Whether the file's bytes are in memory: an unread lazy file has nothing to write back."""
    try:
        object.__getattribute__(file, "data")
    except AttributeError:
        return False
    return True


def _record(inode: _Inode) -> dict[str, Any]:
    record: dict[str, Any] = {
        "nlink": inode.nlink,
        "atim": inode.atim,
        "mtim": inode.mtim,
        "ctim": inode.ctim,
    }
    if isinstance(inode, MemoryDir):
        record.update(type="dir", children={name: child.ino for name, child in inode.children.items()})
    elif isinstance(inode, MemorySymlink):
        record.update(type="symlink", target=inode.target())
    else:
        assert isinstance(inode, MemoryFile)
        record.update(type="file", size=inode.size())
    return record
