"""Every route out of a preopen, tried against the kernel on MemoryFS and HostDir.

The layout is: a `secret` file beside the mount, and inside it a few files and planted links.
Each test asserts both the errno and that nothing outside was read, created or changed.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import ALL_RIGHTS, DIRECTORY_RIGHTS, Lookupflags, Oflags, Rights
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import FileDescriptor
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.kernel.paths import ESCAPE
from pywasi_web.vfs import HostDir, MemoryFS, Symlink
from pywasi_web.vfs.base import FileSystem
from tests.unit.helpers import PREOPEN_FD, errno_of, has_hard_links, make_kernel, walked_host_dir

FOLLOW = Lookupflags.SYMLINK_FOLLOW
INSIDE = {
    "data.txt": b"inside",
    "sub/nested.txt": b"nested",
    "up": Symlink(".."),
    "out_rel": Symlink("../secret"),
    "out_abs": Symlink("/etc/passwd"),
    "chain1": Symlink("chain2"),
    "chain2": Symlink("sub/../../secret"),
    "loop_a": Symlink("loop_b"),
    "loop_b": Symlink("loop_a"),
}


class Layout:
    def __init__(self, fs: FileSystem, secret: Callable[[], bytes], outside: Callable[[], list[str]]) -> None:
        self.fs = fs
        self.secret = secret
        self.outside = outside


def memory_layout() -> tuple[MemoryFS, MemoryFS]:
    """The layout in memory: (the whole tree, a MemoryFS mounting its `mount` subtree)."""
    tree = MemoryFS({"secret": b"SECRET", **{f"mount/{k}": v for k, v in INSIDE.items()}})
    fs = MemoryFS()
    fs._root = tree.root().children["mount"]  # type: ignore[assignment]  # its parent holds the secret
    return tree, fs


def host_layout(root: pathlib.Path) -> pathlib.Path:
    """The layout on disk under `root` (created): the secret, and the mount directory returned."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "secret").write_bytes(b"SECRET")
    mount_dir = root / "mount"
    for name, content in INSIDE.items():
        target = mount_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, target)
        else:
            target.write_bytes(content)
    return mount_dir


@pytest.fixture(params=["memory", "host", "host-walked"])
def layout(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Layout:
    if request.param == "memory":
        tree, fs = memory_layout()
        return Layout(fs, lambda: b"SECRET", lambda: sorted(tree.root().children))
    mount_dir = host_layout(tmp_path)
    fs = HostDir(mount_dir) if request.param == "host" else walked_host_dir(mount_dir)
    return Layout(fs, lambda: (tmp_path / "secret").read_bytes(), lambda: sorted(os.listdir(tmp_path)))


def open_read(kernel: Kernel, path: str, follow: bool = True) -> int:
    return kernel.path_open(PREOPEN_FD, FOLLOW if follow else 0, path, 0, Rights.FD_READ, 0, 0)


@pytest.mark.parametrize(
    "path", ["..", "../secret", "sub/../../secret", "/secret", "/etc/passwd", "sub/../..", "./../secret"]
)
def test_dotdot_and_absolute_paths(layout: Layout, path: str) -> None:
    kernel = make_kernel(layout.fs)
    assert errno_of(open_read, kernel, path) == ESCAPE
    assert errno_of(kernel.path_filestat_get, PREOPEN_FD, FOLLOW, path) == ESCAPE
    assert errno_of(kernel.path_open, PREOPEN_FD, 0, path, Oflags.CREAT, ALL_RIGHTS, 0, 0) == ESCAPE


@pytest.mark.parametrize("link", ["out_rel", "out_abs", "chain1", "up/secret", "up"])
def test_symlinks_pointing_outside(layout: Layout, link: str) -> None:
    kernel = make_kernel(layout.fs)
    assert errno_of(open_read, kernel, link) == ESCAPE
    assert errno_of(kernel.path_filestat_get, PREOPEN_FD, FOLLOW, link) == ESCAPE
    # Creating through an escaping link is refused too, and nothing appears outside.
    before = layout.outside()
    with pytest.raises(WasiError):
        kernel.path_open(PREOPEN_FD, FOLLOW, f"{link}/new", Oflags.CREAT, ALL_RIGHTS, 0, 0)
    assert layout.outside() == before


def test_symlink_loops(layout: Layout) -> None:
    kernel = make_kernel(layout.fs)
    assert errno_of(open_read, kernel, "loop_a") == Errno.LOOP
    assert errno_of(open_read, kernel, "loop_a/x") == Errno.LOOP


def test_symlink_not_followed_is_not_an_escape(layout: Layout) -> None:
    kernel = make_kernel(layout.fs)
    # lstat of the link itself is fine: it is inside; only following it is refused.
    assert kernel.path_filestat_get(PREOPEN_FD, 0, "out_rel").stat().filetype == 7
    assert errno_of(open_read, kernel, "out_rel", False) == Errno.LOOP


def test_hard_links_cannot_reach_outside(layout: Layout) -> None:
    kernel = make_kernel(layout.fs)
    assert errno_of(kernel.path_link, PREOPEN_FD, 0, "../secret", PREOPEN_FD, "stolen") == ESCAPE
    assert errno_of(kernel.path_link, PREOPEN_FD, FOLLOW, "out_rel", PREOPEN_FD, "stolen") == Errno.INVAL
    assert errno_of(kernel.path_link, PREOPEN_FD, 0, "data.txt", PREOPEN_FD, "../stolen") == ESCAPE
    # A guest cannot make an absolute symlink at all (wasmtime's answer too).
    assert errno_of(kernel.path_symlink, "/etc/passwd", PREOPEN_FD, "abs") == ESCAPE
    # Linking the symlink itself copies a link that still cannot be followed out.
    if has_hard_links(layout.fs):
        kernel.path_link(PREOPEN_FD, 0, "out_rel", PREOPEN_FD, "copy")
        assert errno_of(open_read, kernel, "copy") == ESCAPE
    else:
        assert errno_of(kernel.path_link, PREOPEN_FD, 0, "out_rel", PREOPEN_FD, "copy") == Errno.NOTSUP
    assert layout.secret() == b"SECRET"


def test_rename_out_of_or_across_mounts(layout: Layout) -> None:
    other = MemoryFS({"x": b"x"})
    kernel = make_kernel(layout.fs, other)
    assert errno_of(kernel.path_rename, PREOPEN_FD, "data.txt", PREOPEN_FD, "../moved") == ESCAPE
    assert errno_of(kernel.path_rename, PREOPEN_FD, "../secret", PREOPEN_FD, "mine") == ESCAPE
    assert errno_of(kernel.path_rename, PREOPEN_FD, "data.txt", PREOPEN_FD + 1, "moved") == Errno.XDEV
    assert errno_of(kernel.path_link, PREOPEN_FD, 0, "data.txt", PREOPEN_FD + 1, "linked") == Errno.XDEV
    assert "moved" not in layout.outside()


def test_fd_renumber_onto_a_preopen_replaces_it(layout: Layout) -> None:
    kernel = make_kernel(layout.fs)
    file_fd = open_read(kernel, "data.txt")
    kernel.fds.renumber(file_fd, PREOPEN_FD)
    assert isinstance(kernel.fds.get(PREOPEN_FD), FileDescriptor)
    # The directory capability is gone, not widened: path calls on it fail.
    assert errno_of(open_read, kernel, "data.txt") == Errno.NOTDIR


def test_rights_cannot_be_escalated_through_inheriting(layout: Layout) -> None:
    kernel = make_kernel(layout.fs)
    narrow = kernel.path_open(PREOPEN_FD, 0, "sub", Oflags.DIRECTORY, Rights.PATH_OPEN, Rights.FD_READ, 0)
    # A file opened below it asking for every right gets at most FD_READ.
    child = kernel.path_open(narrow, 0, "nested.txt", 0, ALL_RIGHTS, ALL_RIGHTS, 0)
    descriptor = kernel.fds.get(child)
    assert descriptor.rights_base & ~Rights.FD_READ == 0
    assert errno_of(kernel.fds.get, child, Rights.FD_WRITE) == Errno.BADF
    # Without PATH_CREATE_FILE the directory cannot create, whatever is asked.
    assert errno_of(kernel.path_open, narrow, 0, "new", Oflags.CREAT, ALL_RIGHTS, 0, 0) == Errno.NOTCAPABLE
    # And a dropped right does not come back.
    kernel.fd_fdstat_set_rights(child, 0, 0)
    assert errno_of(kernel.fd_fdstat_set_rights, child, Rights.FD_READ, 0) == Errno.NOTCAPABLE


def test_read_only_mount_refuses_every_change(layout: Layout) -> None:
    layout.fs.read_only = True
    kernel = make_kernel(layout.fs)
    calls: list[tuple[Callable[..., object], tuple[object, ...]]] = [
        (kernel.path_open, (PREOPEN_FD, 0, "data.txt", 0, Rights.FD_WRITE, 0, 0)),
        (kernel.path_open, (PREOPEN_FD, 0, "new", Oflags.CREAT, Rights.FD_READ, 0, 0)),
        (kernel.path_open, (PREOPEN_FD, 0, "data.txt", Oflags.TRUNC, Rights.FD_READ, 0, 0)),
        (kernel.path_create_directory, (PREOPEN_FD, "d")),
        (kernel.path_unlink_file, (PREOPEN_FD, "data.txt")),
        (kernel.path_remove_directory, (PREOPEN_FD, "sub")),
        (kernel.path_rename, (PREOPEN_FD, "data.txt", PREOPEN_FD, "x")),
        (kernel.path_symlink, ("data.txt", PREOPEN_FD, "l")),
        (kernel.path_link, (PREOPEN_FD, 0, "data.txt", PREOPEN_FD, "l")),
        (kernel.path_filestat_set_times, (PREOPEN_FD, 0, "data.txt", 0, 0, 2)),
    ]
    for call, args in calls:
        assert errno_of(call, *args) == Errno.PERM, call.__name__
    reader = kernel.fds.get(open_read(kernel, "data.txt"))
    assert reader.read(10) == b"inside"
    assert errno_of(kernel.fds.get, open_read(kernel, "data.txt"), Rights.FD_WRITE) == Errno.BADF


def test_directory_renamed_while_held(layout: Layout) -> None:
    """A directory descriptor holds its directory: after a rename it still reaches it, never the
    new entry at the old name, and `..` from it still cannot rise above it."""
    kernel = make_kernel(layout.fs)
    held = kernel.path_open(PREOPEN_FD, 0, "sub", Oflags.DIRECTORY, DIRECTORY_RIGHTS, ALL_RIGHTS, 0)
    kernel.path_rename(PREOPEN_FD, "sub", PREOPEN_FD, "moved")
    assert (
        kernel.fds.get(kernel.path_open(held, 0, "nested.txt", 0, Rights.FD_READ, 0, 0)).read(10) == b"nested"
    )
    kernel.path_create_directory(PREOPEN_FD, "sub")
    kernel.path_open(held, 0, "made", Oflags.CREAT, ALL_RIGHTS, 0, 0)
    assert kernel.path_filestat_get(PREOPEN_FD, 0, "moved/made").stat().size == 0
    assert errno_of(kernel.path_filestat_get, PREOPEN_FD, 0, "sub/made") == Errno.NOENT
    kernel.path_rename(PREOPEN_FD, "moved", PREOPEN_FD, "sub/deeper")  # a second move, below
    assert kernel.path_filestat_get(held, 0, "made").stat().size == 0
    for path in ("..", "../secret", "../../secret", "./../data.txt"):
        assert errno_of(kernel.path_open, held, 0, path, 0, Rights.FD_READ, 0, 0) == ESCAPE
    assert errno_of(kernel.path_rename, held, "made", PREOPEN_FD, "../made") == ESCAPE
    assert layout.secret() == b"SECRET"
    assert "made" not in layout.outside()


def test_host_symlink_swapped_between_check_and_use(tmp_path: pathlib.Path) -> None:
    """The kernel resolves sub/nested.txt; then the host swaps `sub` for a link to outside. A
    held directory still names the real `sub` (now sub-moved, inside); a walked one walks again
    with O_NOFOLLOW and fails. Neither reads outside."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "nested.txt").write_bytes(b"OUTSIDE")
    mount = tmp_path / "mount"
    (mount / "sub").mkdir(parents=True)
    (mount / "sub" / "nested.txt").write_bytes(b"inside")
    for fs in (HostDir(mount), walked_host_dir(mount)):
        sub = fs.root().lookup("sub")
        assert sub is not None
        node = sub.lookup("nested.txt")  # type: ignore[attr-defined]
        os.rename(mount / "sub", mount / "sub-moved")
        os.symlink(tmp_path / "outside", mount / "sub")
        if fs.holds_directories:
            assert node.open(read=True, write=False).pread(0, 100) == b"inside"
        else:
            with pytest.raises(WasiError) as caught:
                node.open(read=True, write=False).pread(0, 100)
            assert caught.value.errno in (Errno.LOOP, Errno.NOTDIR)
        # And path resolution itself now refuses the (absolute, host-planted) link.
        kernel = make_kernel(fs)
        assert errno_of(open_read, kernel, "sub/nested.txt") == ESCAPE
        os.unlink(mount / "sub")
        os.rename(mount / "sub-moved", mount / "sub")
