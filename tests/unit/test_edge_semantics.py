"""Edge semantics of issue 11, on MemoryFS and HostDir alike (wasmtime's answers; the same calls
run against wasmtime in tests/guests/check_edges.c through the differential suite)."""

from __future__ import annotations

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import ALL_RIGHTS, DIRECTORY_RIGHTS, Lookupflags, Oflags, Rights, Whence
from pywasi_web.errors import WasiError
from pywasi_web.vfs.base import FileSystem
from tests.unit.helpers import PREOPEN_FD, make_kernel, open_file

FOLLOW = Lookupflags.SYMLINK_FOLLOW


def errno_of(call, *args) -> int:  # type: ignore[no-untyped-def]
    with pytest.raises(WasiError) as caught:
        call(*args)
    return caught.value.errno


def test_create_exclusive_on_a_dangling_symlink_is_eexist(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    kernel.path_symlink("target", PREOPEN_FD, "dangling")
    for lookup in (FOLLOW, 0):
        assert (
            errno_of(
                kernel.path_open, PREOPEN_FD, lookup, "dangling", Oflags.CREAT | Oflags.EXCL, ALL_RIGHTS, 0, 0
            )
            == Errno.EXIST
        )
    assert errno_of(kernel.path_filestat_get, PREOPEN_FD, 0, "target") == Errno.NOENT
    # Without EXCL, O_CREAT still follows the link and creates its target (POSIX, wasmtime).
    kernel.path_open(PREOPEN_FD, FOLLOW, "dangling", Oflags.CREAT, Rights.FD_READ, 0, 0)
    assert kernel.path_filestat_get(PREOPEN_FD, 0, "target").stat().size == 0


@pytest.mark.parametrize("path", [".", "d", "d/", "d/..", "link-to-d"])
def test_create_on_an_existing_directory_is_eisdir(empty_fs: FileSystem, path: str) -> None:
    kernel = make_kernel(empty_fs)
    kernel.path_create_directory(PREOPEN_FD, "d")
    kernel.path_symlink("d", PREOPEN_FD, "link-to-d")
    for rights in (Rights.FD_READ, DIRECTORY_RIGHTS):
        assert errno_of(kernel.path_open, PREOPEN_FD, FOLLOW, path, Oflags.CREAT, rights, 0, 0) == Errno.ISDIR
    assert errno_of(kernel.path_open, PREOPEN_FD, 0, ".", Oflags.CREAT | Oflags.EXCL, 0, 0, 0) == Errno.EXIST


def test_writing_nothing_past_the_end_changes_nothing(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    file = kernel.fds.get(open_file(kernel, "f", Oflags.CREAT))
    file.write(b"0123456789")
    before = file.stat()
    file.seek(100, Whence.SET)
    assert file.write(b"") == 0
    assert file.pwrite(b"", 50) == 0
    after = file.stat()
    assert (after.size, after.mtim) == (10, before.mtim)
    assert file.pread(100, 0) == b"0123456789"
