"""The descriptor table: numbering, rights checks, renumbering and the open-descriptor limit."""

from __future__ import annotations

import contextlib
import functools
import heapq
import operator
from collections.abc import Callable, Iterator
from typing import TypeVar, overload

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Rights
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import Descriptor
from pywasi_web.vfs.lease import Lease

D = TypeVar("D", bound=Descriptor)

# Errno for an operation the descriptor's rights do not allow: wasmtime answers EBADF for a
# descriptor not opened for the operation (fd_read on a directory, fd_write on a read-only file).
MISSING_RIGHTS = Errno.BADF
# A directory without a path right (dropped by fd_fdstat_set_rights, or not inherited) is a
# capability the guest lacks, not a bad descriptor: ENOTCAPABLE, as programs expect.
PATH_RIGHTS = functools.reduce(operator.or_, (v for k, v in vars(Rights).items() if k.startswith("PATH_")))
LENT = "fd {} is lent to the engine: it must be settled before Python uses it"


class FdTable:
    """The open descriptors. One may be lent to the engine (kernel/hot.py): until it is taken
    back, handing it to any Python call is a bug (the engine's position and writes would be lost
    or overwritten), so the table asserts it never does.

    Numbers are handed out as wasmtime does, which a guest can see: the highest number freed
    (by a close or a renumber) and not yet reused, else one past the highest ever used. So a
    number handed out and closed again, with nothing else freed meanwhile, is the next one given,
    and a guest that closes 6 then 5 gets 6 first (POSIX's lowest free would give 5)."""

    def __init__(self, max_open: int = 1024) -> None:
        self.max_open = max_open
        self._table: dict[int, Descriptor] = {}
        self._freed: list[int] = []  # a heap of the freed numbers, negated (the highest first)
        self._next = 0  # one past the highest number ever used
        self._lent: dict[int, Lease] = {}
        # told of every change to an open descriptor's fdstat (an engine answering fd_fdstat_get
        # from what preview1 published forgets it: preview1/fast_paths.py Described)
        self.on_change: Callable[[int], None] | None = None

    def changed(self, fd: int) -> None:
        """Descriptor `fd` closed or moved, or its flags or rights changed."""
        if self.on_change is not None:
            self.on_change(fd)

    def lend(self, fd: int, lease: Lease) -> None:
        """Lend `fd` (open, checked by the caller) to the engine until `take_back`."""
        assert fd not in self._lent, f"fd {fd} is lent twice"
        self._lent[fd] = lease

    def take_back(self, fd: int) -> tuple[Descriptor, Lease]:
        lease = self._lent.pop(fd)
        return self._table[fd], lease

    def _not_lent(self, fd: int) -> None:
        assert fd not in self._lent, (
            f"fd {fd} is lent to the engine: it must be settled before Python uses it"
        )

    def add(self, descriptor: Descriptor) -> int:
        if len(self._table) >= self.max_open:
            raise WasiError(Errno.MFILE, f"more than {self.max_open} open descriptors")
        fd = -heapq.heappop(self._freed) if self._freed else self._next
        self._next = max(self._next, fd + 1)
        self._table[fd] = descriptor
        return fd

    @overload
    def get(self, fd: int, rights: int = 0) -> Descriptor: ...

    @overload
    def get(self, fd: int, rights: int, kind: type[D]) -> D: ...

    def get(self, fd: int, rights: int = 0, kind: type[Descriptor] = Descriptor) -> Descriptor:
        """The open descriptor `fd` if it is a `kind` holding `rights` (EBADF, ENOTDIR, ENOTCAPABLE)."""
        assert fd not in self._lent, LENT.format(fd)  # inline: every call passes here
        descriptor = self._table.get(fd)
        if descriptor is None:
            raise WasiError(Errno.BADF, f"fd {fd} is not open")
        if not isinstance(descriptor, kind):
            raise WasiError(_WRONG_KIND.get(kind.__name__, Errno.BADF), f"fd {fd} is not a {kind.__name__}")
        missing = rights & ~descriptor.rights_base
        if missing:
            errno = Errno.NOTCAPABLE if missing & PATH_RIGHTS else MISSING_RIGHTS
            raise WasiError(errno, f"fd {fd} lacks rights {missing:#x}")
        return descriptor

    def close(self, fd: int) -> None:
        """Close `fd`; it is gone even when the close reports an error (as in POSIX), but not when
        the close did not happen at all (the browser re-runs a close that must wait for a store)."""
        self._not_lent(fd)
        descriptor = self._table.get(fd)
        if descriptor is None:
            raise WasiError(Errno.BADF, f"fd {fd} is not open")
        try:
            descriptor.close()
        except WasiError:
            self._free(fd)
            raise
        self._free(fd)

    def _free(self, fd: int) -> None:
        del self._table[fd]
        heapq.heappush(self._freed, -fd)
        self.changed(fd)

    def renumber(self, fd: int, to: int) -> None:
        self._not_lent(fd)
        self._not_lent(to)
        if fd not in self._table or to not in self._table:
            raise WasiError(Errno.BADF, f"fd_renumber({fd}, {to}): not open")
        if fd == to:
            return
        self._table[to].close()
        self._table[to] = self._table[fd]
        self._free(fd)
        self.changed(to)

    def __iter__(self) -> Iterator[tuple[int, Descriptor]]:
        return iter(sorted(self._table.items()))

    def __len__(self) -> int:
        return len(self._table)

    def close_all(self) -> None:
        """Release every descriptor at guest exit.

        A close that fails (a write-back with no room) does not stop the others; the mounts'
        final write-back reports it to the embedder.
        """
        for fd in list(self._table):
            with contextlib.suppress(WasiError):
                self.close(fd)


_WRONG_KIND = {"DirectoryDescriptor": Errno.NOTDIR, "SocketDescriptor": Errno.NOTSOCK}
