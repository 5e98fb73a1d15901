"""Edge semantics of issue 11, on MemoryFS and HostDir alike (wasmtime's answers; the same calls
run against wasmtime in tests/guests/check_edges.c through the differential suite)."""

from __future__ import annotations

import os
import pathlib

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import ALL_RIGHTS, DIRECTORY_RIGHTS, Fstflags, Lookupflags, Oflags, Rights, Whence
from pywasi_web.kernel.descriptors import DirectoryDescriptor
from pywasi_web.vfs import HostDir, MemoryFS
from pywasi_web.vfs.base import FileSystem
from tests.unit.helpers import PREOPEN_FD, errno_of, make_kernel, open_file, walked_host_dir

FOLLOW = Lookupflags.SYMLINK_FOLLOW


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


# u64 values past off_t, and what an engine passing signed numbers would hand over instead.
PAST_OFF_T = [1 << 63, (1 << 64) - 2, (1 << 64) - 1, -1, -(1 << 63)]


def test_offsets_and_sizes_past_off_t_are_einval(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    file = kernel.fds.get(open_file(kernel, "f", Oflags.CREAT))
    file.write(b"0123456789")
    for offset in [*PAST_OFF_T, (1 << 63) - 1]:  # 2**63-1 too: the range ends past it (Linux, wasmtime)
        assert errno_of(file.pread, 8, offset) == Errno.INVAL, offset
        assert errno_of(file.pwrite, b"x", offset) == Errno.INVAL, offset
    for size in PAST_OFF_T:
        assert errno_of(file.set_size, size) == Errno.INVAL, size
    assert file.pread(1 << 40, 0) == b"0123456789"  # a huge request is a short read, not an allocation
    assert file.stat().size == 10


def test_seek_anywhere_a_u64_holds_then_io_there_is_einval(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    file = kernel.fds.get(open_file(kernel, "f", Oflags.CREAT))
    file.write(b"0123456789")
    assert file.seek((1 << 63) - 1, Whence.SET) == (1 << 63) - 1
    assert errno_of(file.read, 8) == Errno.INVAL
    assert file.seek(1, Whence.CUR) == 1 << 63  # wasmtime's answer: positions are u64
    assert errno_of(file.read, 8) == Errno.INVAL
    assert errno_of(file.write, b"x") == Errno.INVAL
    assert file.seek((1 << 64) - 11, Whence.END) == (1 << 64) - 1
    assert errno_of(file.seek, 1, Whence.CUR) == Errno.INVAL
    assert errno_of(file.seek, -1, Whence.SET) == Errno.INVAL
    assert file.stat().size == 10


def test_cookies_past_the_listing_give_nothing(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    directory = kernel.fds.get(PREOPEN_FD, Rights.FD_READDIR, DirectoryDescriptor)
    assert len(directory.entries_from(0)) == 2
    for cookie in PAST_OFF_T:
        assert directory.entries_from(cookie) == []


def test_timestamps_outside_u64_are_einval(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    open_file(kernel, "f", Oflags.CREAT)
    for value in (-1, 1 << 64):
        for flag in (Fstflags.ATIM, Fstflags.MTIM):
            call = kernel.path_filestat_set_times
            assert errno_of(call, PREOPEN_FD, 0, "f", value, value, flag) == Errno.INVAL
    kernel.path_filestat_set_times(PREOPEN_FD, 0, "f", 0, (1 << 64) - 1, Fstflags.MTIM)
    assert kernel.path_filestat_get(PREOPEN_FD, 0, "f").stat().mtim > 1 << 63  # a host may clamp it


def test_memory_file_the_host_cannot_hold_is_enospc() -> None:
    fs = MemoryFS(max_file_size=1 << 62)
    kernel = make_kernel(fs)
    file = kernel.fds.get(open_file(kernel, "f", Oflags.CREAT))
    file.write(b"abc")
    assert errno_of(file.pwrite, b"x", 1 << 50) == Errno.NOSPC
    assert errno_of(file.set_size, 1 << 50) == Errno.NOSPC
    assert (file.stat().size, fs.used_bytes) == (3, 3)


def test_host_times_before_1970_read_as_zero(tmp_path: pathlib.Path) -> None:
    (tmp_path / "old").write_bytes(b"")
    os.utime(tmp_path / "old", ns=(-(10**18), -(10**18)))
    fs = HostDir(tmp_path)
    kernel = make_kernel(fs)
    stat = kernel.path_filestat_get(PREOPEN_FD, 0, "old").stat()
    assert (stat.atim, stat.mtim) == (0, 0)


def test_a_missing_path_right_is_enotcapable(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    open_file(kernel, "f", Oflags.CREAT)
    rights, inheriting = kernel.fds.get(PREOPEN_FD).rights_base, kernel.fds.get(PREOPEN_FD).rights_inheriting
    kernel.fd_fdstat_set_rights(PREOPEN_FD, rights & ~Rights.PATH_FILESTAT_SET_SIZE, inheriting)
    assert errno_of(open_file, kernel, "f", Oflags.TRUNC) == Errno.NOTCAPABLE
    kernel.fd_fdstat_set_rights(PREOPEN_FD, rights & ~(Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_OPEN), 0)
    assert errno_of(open_file, kernel, "f") == Errno.NOTCAPABLE
    assert errno_of(kernel.fds.get, PREOPEN_FD, Rights.FD_READ) == Errno.BADF  # not opened for it: EBADF


@pytest.mark.parametrize("walked", [False, True])
def test_a_held_directory_is_not_walked_again_from_the_mount(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, walked: bool
) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    fs = walked_host_dir(tmp_path) if walked else HostDir(tmp_path)
    kernel = make_kernel(fs)
    held = kernel.path_open(PREOPEN_FD, 0, "a/b/c", Oflags.DIRECTORY, DIRECTORY_RIGHTS, ALL_RIGHTS, 0)
    opened: list[object] = []
    real_open = os.open
    monkeypatch.setattr(
        os, "open", lambda path, *args, **kw: opened.append(path) or real_open(path, *args, **kw)
    )
    open_file(kernel, "new.txt", Oflags.CREAT, fd=held)
    kernel.path_create_directory(held, "d")
    kernel.path_filestat_get(held, 0, "d")
    if fs.holds_directories:
        # each relative to the held directory: the file created then opened, the directory looked up
        assert opened == ["new.txt", "new.txt", "d"]
    else:  # Pyodide: each use walks from the mount, without following symlinks
        assert opened.count(str(tmp_path)) == 6 and opened.count("c") == 6
