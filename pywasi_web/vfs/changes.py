"""TrackedMemoryFS: a MemoryFS that knows what changed since a mark, so a run's result can carry
only the files the guest wrote, created or deleted instead of the whole tree (a toolchain mount of
tens of MB would otherwise come back on every run).

Tracking is exact rather than a comparison of times: every change to a MemoryFS already reports
its inodes through `changed` (the hot-file lease too, when it is settled), so the changed set is
those inodes; a path is reported when it is new, names another inode than at the mark, or names
a changed inode; a path present at the mark and gone now is reported deleted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from pywasi_web.vfs.memory import MemoryDir, MemoryFile, MemoryFS, MemorySymlink, Symlink, TreeEntry, _Inode


class Changes(NamedTuple):
    """What changed since the mark: {path: bytes | Symlink | None (a new directory)} and the
    deleted paths, each relative to the mount, in tree order."""

    entries: dict[str, bytes | Symlink | None]
    deleted: list[str]


class TrackedMemoryFS(MemoryFS):
    def __init__(
        self,
        files: Mapping[str, TreeEntry] | None = None,
        *,
        read_only: bool = False,
        max_bytes: int | None = None,
    ) -> None:
        self._changed: set[_Inode] = set()
        super().__init__(files, read_only=read_only, max_bytes=max_bytes)
        self._marked: dict[str, MemoryFile | MemoryDir | MemorySymlink] = {}
        self.mark()

    def changed(self, *inodes: _Inode) -> None:
        self._changed.update(inodes)

    def mark(self) -> None:
        """Forget what changed so far: `changes()` reports what happens from now on."""
        self._changed = set()
        self._marked = dict(self._nodes(self.root(), ""))

    def changes(self) -> Changes:
        entries: dict[str, bytes | Symlink | None] = {}
        present: set[str] = set()
        for path, node in self._nodes(self.root(), ""):
            present.add(path)
            new = self._marked.get(path) is not node
            if isinstance(node, MemoryDir):
                if new:
                    entries[path] = None
            elif new or node in self._changed:
                entries[path] = (
                    Symlink(node.target()) if isinstance(node, MemorySymlink) else bytes(node.data)
                )
        deleted = [path for path in self._marked if path not in present]
        return Changes(entries, deleted)

    def _nodes(
        self, directory: MemoryDir, prefix: str
    ) -> Iterator[tuple[str, MemoryFile | MemoryDir | MemorySymlink]]:
        for name, node in directory.children.items():
            path = prefix + name
            yield path, node
            if isinstance(node, MemoryDir):
                yield from self._nodes(node, path + "/")
