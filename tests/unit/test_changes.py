"""TrackedMemoryFS reports what changed since its mark: written, created, replaced and deleted
entries, through the kernel (and the engine's hot-file lease), not what was only read."""

from __future__ import annotations

from pywasi_web.abi.types import Oflags, Rights, Whence
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.vfs import Symlink, TrackedMemoryFS
from tests.unit.helpers import PREOPEN_FD, make_kernel, open_file


def _fs() -> TrackedMemoryFS:
    return TrackedMemoryFS(
        {
            "keep.txt": "same",
            "edit.txt": "old",
            "gone.txt": "x",
            "dir/inner": "y",
            "link": Symlink("keep.txt"),
        }
    )


def test_nothing_changed_reports_nothing() -> None:
    fs = _fs()
    kernel = make_kernel(fs)
    fd = kernel.path_open(PREOPEN_FD, 0, "keep.txt", 0, Rights.FD_READ, 0, 0)
    assert kernel.fds.get(fd).read(10) == b"same"
    assert fs.changes() == ({}, [])


def test_writes_creations_deletions_and_renames_are_reported() -> None:
    fs = _fs()
    kernel = make_kernel(fs)
    kernel.fds.get(open_file(kernel, "edit.txt")).write(b"NEW")
    kernel.fds.get(open_file(kernel, "new.txt", Oflags.CREAT)).write(b"n")
    kernel.path_create_directory(PREOPEN_FD, "made")
    kernel.path_unlink_file(PREOPEN_FD, "gone.txt")
    kernel.path_rename(PREOPEN_FD, "dir/inner", PREOPEN_FD, "moved")
    kernel.path_symlink("edit.txt", PREOPEN_FD, "link2")
    entries, deleted = fs.changes()
    assert entries == {
        "edit.txt": b"NEW",
        "new.txt": b"n",
        "made": None,
        "moved": b"y",
        "link2": Symlink("edit.txt"),
    }
    assert deleted == ["gone.txt", "dir/inner"]


def test_a_mark_starts_a_new_record() -> None:
    fs = _fs()
    kernel = make_kernel(fs)
    kernel.fds.get(open_file(kernel, "edit.txt")).write(b"NEW")
    fs.mark()
    assert fs.changes() == ({}, [])
    kernel.path_unlink_file(PREOPEN_FD, "edit.txt")
    kernel.fds.get(open_file(kernel, "edit.txt", Oflags.CREAT)).write(b"again")
    assert fs.changes() == ({"edit.txt": b"again"}, [])


def test_a_write_through_the_hot_lease_is_reported() -> None:
    fs = _fs()
    kernel = make_kernel(fs)
    fd = open_file(kernel, "edit.txt")
    hot = HotFiles(kernel.fds)
    lease = hot.lease(fd, max_position=2**53)
    assert lease is not None
    lease.view[0:1] = b"O"  # what the engine does in place
    hot.settle(fd, lease.position + 1, 123)
    assert kernel.fds.get(fd).seek(0, Whence.CUR) == 1
    assert fs.changes() == ({"edit.txt": b"Old"}, [])
