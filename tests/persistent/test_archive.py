"""Export and import of a persistent store: a tree round-trips through .tar, a bad archive is one
clear ValueError, and an import replaces the store in one commit (a failed one changes nothing)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from pywasi_web.errors import WasiError
from pywasi_web.vfs import PersistentFS, SqliteStore, Symlink
from pywasi_web.vfs.archive import from_tar, to_tar
from pywasi_web.vfs.persistent import Record, StoreFull

TREE = {"a.txt": b"alpha", "d": None, "d/e": None, "d/e/b.bin": bytes(range(256)), "l": Symlink("a.txt")}


def tar_of(*members: tarfile.TarInfo) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    return out.getvalue()


def test_tree_round_trips_through_tar() -> None:
    assert from_tar(to_tar(TREE)) == TREE


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (tarfile.TarInfo("/etc/passwd"), "must be relative"),
        (tarfile.TarInfo("../up"), "must be relative"),
        (tarfile.TarInfo("a/../../up"), "must be relative"),
    ],
)
def test_escaping_paths_are_refused(member: tarfile.TarInfo, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_tar(tar_of(member))


@pytest.mark.parametrize("kind", [tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE])
def test_special_members_are_refused(kind: bytes) -> None:
    member = tarfile.TarInfo("special")
    member.type = kind
    with pytest.raises(ValueError, match="only files, directories and symlinks"):
        from_tar(tar_of(member))


def test_garbage_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"^not a readable \.tar archive \(.*\)$"):
        from_tar(b"not a tar at all")


def test_replace_is_one_commit(tmp_path: Path) -> None:
    fs = PersistentFS(SqliteStore(tmp_path / "s.sqlite"))
    fs._install("old/x.txt", b"old")
    fs.sync()
    generation = fs.store.generation()
    again = PersistentFS(SqliteStore(tmp_path / "s.sqlite"))
    again.replace(TREE)
    again.sync()
    assert again.store.generation() == generation + 1
    assert PersistentFS(SqliteStore(tmp_path / "s.sqlite")).snapshot() == TREE
    keys = SqliteStore(tmp_path / "s.sqlite").load("inode:")
    assert len(keys) == len(TREE) + 1  # the root; nothing of the old tree is left


class FullStore(SqliteStore):
    def commit(self, puts: dict[str, Record], deletes: list[str], expected_generation: int) -> int:
        raise StoreFull("QuotaExceededError")


def test_a_failed_import_changes_nothing(tmp_path: Path) -> None:
    fs = PersistentFS(SqliteStore(tmp_path / "s.sqlite"))
    fs._install("kept.txt", b"kept")
    fs.sync()
    importing = PersistentFS(FullStore(tmp_path / "s.sqlite"))
    importing.replace(TREE)
    with pytest.raises(WasiError, match="persistent store is full"):
        importing.sync()
    assert PersistentFS(SqliteStore(tmp_path / "s.sqlite")).snapshot() == {"kept.txt": b"kept"}
