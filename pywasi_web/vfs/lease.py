"""A memory file lent to an engine, which then overwrites its bytes in place and moves a position.

The file system owns what a lease may touch and what taking it back means: the engine sees the
file's own bytes (`view`, no copy), may overwrite bytes that already exist (never grow the file:
that changes its size and the file system's quota, which are Python's) and keeps the position;
`settle` records the position the engine ended at and, when it wrote, the time of its last write
as the file's modification and change times, and tells the file system the file changed (so a
persistent mount writes it back). The kernel decides which descriptor qualifies (kernel/hot.py)
and keeps the descriptor away from Python while the lease is out (kernel/fdtable.py).
"""

from __future__ import annotations

from pywasi_web.vfs.memory import MemoryFile


class Lease:
    __slots__ = ("file", "position")

    def __init__(self, file: MemoryFile, position: int) -> None:
        self.file = file
        self.position = position

    @property
    def view(self) -> bytearray:
        """The file's bytes, which the engine overwrites in place (their length never changes)."""
        return self.file.data

    def settle(self, position: int, written_at_ns: int | None) -> int:
        """The lease taken back: the engine's final position (returned), and the time of its last
        write if it wrote."""
        self.position = position
        if written_at_ns is not None:
            file = self.file
            file.mtim = file.ctim = written_at_ns
            file.fs.changed(file)
        return position
