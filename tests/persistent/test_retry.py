"""What the browser relies on to re-run a close that must wait for its store: a close that did not
happen leaves the descriptor open, and dropping a stored file never loads its bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import Descriptor
from pywasi_web.kernel.fdtable import FdTable
from pywasi_web.vfs import PersistentFS, SqliteStore


class NotYet(BaseException):
    """Stands for the kernel's WouldBlock from a store that must wait: the close is re-run later."""


class Closing(Descriptor):
    def __init__(self, outcome: BaseException | None) -> None:
        super().__init__(0, 0)
        self.outcome = outcome

    def close(self) -> None:
        if self.outcome is not None:
            raise self.outcome


def test_a_close_that_did_not_happen_keeps_the_descriptor() -> None:
    table = FdTable()
    descriptor = Closing(NotYet())
    fd = table.add(descriptor)
    with pytest.raises(NotYet):
        table.close(fd)
    assert table.get(fd) is descriptor
    descriptor.outcome = None
    table.close(fd)
    with pytest.raises(WasiError):
        table.get(fd)


def test_a_close_that_failed_still_closes() -> None:
    table = FdTable()
    fd = table.add(Closing(WasiError(Errno.NOSPC, "full")))
    with pytest.raises(WasiError):
        table.close(fd)
    with pytest.raises(WasiError, match="not open"):
        table.get(fd)


def test_unlinking_a_stored_file_does_not_load_it(tmp_path: Path) -> None:
    fs = PersistentFS(SqliteStore(tmp_path / "s.sqlite"))
    fs._install("big", b"B" * 4096)
    fs.sync()
    store = SqliteStore(tmp_path / "s.sqlite")
    reads: list[str] = []
    original = store.get
    store.get = lambda key: reads.append(key) or original(key)  # type: ignore[method-assign]
    again = PersistentFS(store)
    again.root().unlink("big")
    again.sync()
    assert not [key for key in reads if key.startswith("data:")]
    assert again.used_bytes == 0
    assert PersistentFS(SqliteStore(tmp_path / "s.sqlite")).snapshot() == {}
