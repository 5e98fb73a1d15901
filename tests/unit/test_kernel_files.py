"""File and directory semantics of the kernel, on MemoryFS and HostDir alike."""

from __future__ import annotations

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Fdflags, Oflags, Rights, Whence
from pywasi_web.kernel.descriptors import DirectoryDescriptor
from pywasi_web.vfs.base import FileSystem
from tests.unit.helpers import PREOPEN_FD, errno_of, has_hard_links, make_kernel, open_file


def test_create_write_read_seek(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    fd = open_file(kernel, "a.txt", Oflags.CREAT)
    file = kernel.fds.get(fd)
    assert file.write(b"hello world") == 11
    assert file.seek(0, Whence.SET) == 0
    assert file.read(5) == b"hello"
    assert file.seek(-5, Whence.END) == 6
    assert file.read(100) == b"world"
    assert file.read(100) == b""
    assert file.pread(4, 2) == b"llo "
    file.pwrite(b"J", 0)
    assert file.pread(11, 0) == b"Jello world"
    assert errno_of(file.seek, -1, Whence.SET) == Errno.INVAL


def test_append_flag_writes_at_end(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    fd = open_file(kernel, "log", Oflags.CREAT, fdflags=Fdflags.APPEND)
    file = kernel.fds.get(fd)
    file.write(b"one ")
    file.seek(0, Whence.SET)
    file.write(b"two")
    assert file.pread(100, 0) == b"one two"


def test_open_flags(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    fd = open_file(kernel, "f", Oflags.CREAT)
    kernel.fds.get(fd).write(b"data")
    assert errno_of(open_file, kernel, "f", Oflags.CREAT | Oflags.EXCL) == Errno.EXIST
    assert errno_of(open_file, kernel, "missing") == Errno.NOENT
    assert errno_of(open_file, kernel, "f", Oflags.DIRECTORY) == Errno.NOTDIR
    truncated = open_file(kernel, "f", Oflags.TRUNC)
    assert kernel.fds.get(truncated).stat().size == 0
    kernel.path_create_directory(PREOPEN_FD, "d")
    directory = kernel.path_open(PREOPEN_FD, 0, "d", Oflags.DIRECTORY, Rights.FD_READDIR, 0, 0)
    assert isinstance(kernel.fds.get(directory), DirectoryDescriptor)
    assert errno_of(open_file, kernel, "d") == Errno.ISDIR  # asks for FD_WRITE
    assert errno_of(open_file, kernel, "d", Oflags.TRUNC) == Errno.ISDIR
    assert errno_of(open_file, kernel, "new/", Oflags.CREAT) == Errno.ISDIR


def test_directories(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    kernel.path_create_directory(PREOPEN_FD, "d")
    assert errno_of(kernel.path_create_directory, PREOPEN_FD, "d") == Errno.EXIST
    open_file(kernel, "d/inner", Oflags.CREAT)
    assert errno_of(kernel.path_remove_directory, PREOPEN_FD, "d") == Errno.NOTEMPTY
    assert errno_of(kernel.path_unlink_file, PREOPEN_FD, "d") == Errno.ISDIR
    assert errno_of(kernel.path_remove_directory, PREOPEN_FD, "d/inner") == Errno.NOTDIR
    assert errno_of(kernel.path_unlink_file, PREOPEN_FD, "d/inner/") == Errno.NOTDIR
    kernel.path_unlink_file(PREOPEN_FD, "d/inner")
    kernel.path_remove_directory(PREOPEN_FD, "d")
    assert errno_of(kernel.path_filestat_get, PREOPEN_FD, 0, "d") == Errno.NOENT


def test_readdir_cookies_are_stable(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    for index in range(50):
        open_file(kernel, f"file{index:02}", Oflags.CREAT)
    directory = kernel.fds.get(PREOPEN_FD, Rights.FD_READDIR, DirectoryDescriptor)
    first = directory.entries_from(0)
    assert [name for name, _, _ in first[:2]] == [b".", b".."]
    resumed = directory.entries_from(20)
    assert resumed == first[20:]
    assert sorted(name for name, _, _ in first[2:]) == [f"file{index:02}".encode() for index in range(50)]


def test_rename_and_link(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    fd = open_file(kernel, "a", Oflags.CREAT)
    kernel.fds.get(fd).write(b"A")
    if has_hard_links(empty_fs):
        kernel.path_link(PREOPEN_FD, 0, "a", PREOPEN_FD, "b")
        assert kernel.path_filestat_get(PREOPEN_FD, 0, "a").stat().nlink == 2
    else:
        assert errno_of(kernel.path_link, PREOPEN_FD, 0, "a", PREOPEN_FD, "b") == Errno.NOTSUP
        kernel.path_rename(PREOPEN_FD, "a", PREOPEN_FD, "b")
        kernel.fds.get(open_file(kernel, "a", Oflags.CREAT)).write(b"A")
    kernel.path_rename(PREOPEN_FD, "b", PREOPEN_FD, "c")
    assert errno_of(kernel.path_filestat_get, PREOPEN_FD, 0, "b") == Errno.NOENT
    reopened = kernel.fds.get(open_file(kernel, "c"))
    assert reopened.read(10) == b"A"
    kernel.path_create_directory(PREOPEN_FD, "d")
    assert errno_of(kernel.path_link, PREOPEN_FD, 0, "d", PREOPEN_FD, "e") == Errno.PERM
    assert errno_of(kernel.path_rename, PREOPEN_FD, "c", PREOPEN_FD, "d") == Errno.ISDIR
    assert errno_of(kernel.path_link, PREOPEN_FD, 0, "c", PREOPEN_FD, "a") == Errno.EXIST


def test_symlinks(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    kernel.path_create_directory(PREOPEN_FD, "d")
    kernel.fds.get(open_file(kernel, "d/target", Oflags.CREAT)).write(b"T")
    kernel.path_symlink("d/target", PREOPEN_FD, "link")
    kernel.path_symlink("d", PREOPEN_FD, "dirlink")
    assert kernel.path_readlink(PREOPEN_FD, "link") == b"d/target"
    assert kernel.fds.get(open_file(kernel, "dirlink/target")).read(5) == b"T"
    assert errno_of(kernel.path_readlink, PREOPEN_FD, "d") == Errno.INVAL
    kernel.path_symlink("loop2", PREOPEN_FD, "loop1")
    kernel.path_symlink("loop1", PREOPEN_FD, "loop2")
    assert errno_of(kernel.path_open, PREOPEN_FD, 1, "loop1", 0, 0, 0, 0) == Errno.LOOP
    assert errno_of(kernel.path_symlink, "x", PREOPEN_FD, "link") == Errno.EXIST


def test_read_only_mount_refuses_changes(empty_fs: FileSystem) -> None:
    empty_fs.read_only = True
    kernel = make_kernel(empty_fs)
    assert errno_of(open_file, kernel, "f", Oflags.CREAT) == Errno.PERM
    assert errno_of(kernel.path_create_directory, PREOPEN_FD, "d") == Errno.PERM
    assert errno_of(kernel.path_symlink, "x", PREOPEN_FD, "l") == Errno.PERM


def test_descriptor_limit_and_renumber(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs, max_open=5)
    first = open_file(kernel, "a", Oflags.CREAT)
    assert errno_of(open_file, kernel, "b", Oflags.CREAT) == Errno.MFILE
    kernel.fds.renumber(first, 0)
    assert errno_of(kernel.fds.get, first) == Errno.BADF
    assert errno_of(kernel.fds.renumber, 99, 0) == Errno.BADF


def test_rights_can_only_shrink(empty_fs: FileSystem) -> None:
    kernel = make_kernel(empty_fs)
    fd = open_file(kernel, "a", Oflags.CREAT)
    kernel.fd_fdstat_set_rights(fd, Rights.FD_READ, 0)
    assert errno_of(kernel.fds.get, fd, Rights.FD_WRITE) == Errno.BADF
    assert errno_of(kernel.fd_fdstat_set_rights, fd, Rights.FD_READ | Rights.FD_WRITE, 0) == Errno.NOTCAPABLE


def test_memory_quota_gives_enospc() -> None:
    from pywasi_web.vfs import MemoryFS

    kernel = make_kernel(MemoryFS(max_bytes=10))
    file = kernel.fds.get(open_file(kernel, "a", Oflags.CREAT))
    file.write(b"0123456789")
    assert errno_of(file.write, b"x") == Errno.NOSPC
    assert file.pread(100, 0) == b"0123456789"
