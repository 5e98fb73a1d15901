"""kernel/hot.py without an engine: which descriptors an engine may answer for, and taking them back."""

from __future__ import annotations

import pytest

from pywasi_web.abi.types import Fdflags, Oflags, Rights
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.vfs import HostDir, MemoryFS
from pywasi_web.vfs.memory import MemoryFile
from tests.unit.helpers import PREOPEN_FD, make_kernel, open_file


def test_only_plain_writable_seekable_memory_files_are_leased(tmp_path: object) -> None:
    kernel = make_kernel(MemoryFS({"f": b"0123456789"}), MemoryFS({"g": b"x"}, read_only=True))
    hot = HotFiles(kernel.fds)
    fd = open_file(kernel, "f")
    kernel.fds.get(fd).seek(3, 0)
    granted = hot.lease(fd)
    assert granted is not None
    data, position = granted
    assert bytes(data) == b"0123456789" and position == 3
    file = kernel.fds.get(fd).handle  # type: ignore[attr-defined]
    assert data is file.data  # the file's own bytes, so in-place writes need no copy back

    appending = open_file(kernel, "f", fdflags=Fdflags.APPEND)
    read_only_rights = kernel.path_open(PREOPEN_FD, 0, "f", 0, Rights.FD_READ | Rights.FD_SEEK, 0, 0)
    on_read_only_mount = kernel.path_open(PREOPEN_FD + 1, 0, "g", 0, Rights.FD_READ | Rights.FD_SEEK, 0, 0)
    for refused in (appending, read_only_rights, on_read_only_mount, PREOPEN_FD, 0, 1, 99):
        assert hot.lease(refused) is None, refused


def test_host_files_are_not_leased(tmp_path: pytest.TempPathFactory) -> None:
    root = tmp_path / "root"  # type: ignore[operator]
    root.mkdir()
    kernel = make_kernel(HostDir(root))
    assert HotFiles(kernel.fds).lease(open_file(kernel, "new", Oflags.CREAT)) is None


def test_settle_restores_position_and_times_and_reports_the_change() -> None:
    changed: list[object] = []

    class Watched(MemoryFS):
        def changed(self, *inodes: object) -> None:
            changed.extend(inodes)

    kernel = make_kernel(Watched({"f": b"abcdef"}))
    hot = HotFiles(kernel.fds)
    fd = open_file(kernel, "f")
    file = kernel.fds.get(fd).handle  # type: ignore[attr-defined]
    assert isinstance(file, MemoryFile)
    changed.clear()
    hot.settle(fd, 4, None)  # only seeks happened
    assert kernel.fds.get(fd).seek(0, 1) == 4 and changed == []
    hot.settle(fd, 5, 1_234_000_000)
    assert kernel.fds.get(fd).seek(0, 1) == 5
    assert (file.mtim, file.ctim) == (1_234_000_000, 1_234_000_000) and changed == [file]


def test_output_streams_whose_sink_passes_bytes_on_are_leased_and_settled_in_order() -> None:
    kernel = make_kernel(MemoryFS({"f": b""}))
    hot = HotFiles(kernel.fds)
    assert hot.lease(1) is None and hot.lease_stream(1) and hot.lease_stream(2)
    assert not hot.lease_stream(0)  # stdin is not an output
    assert not hot.lease_stream(open_file(kernel, "f"))  # a file is leased as a file, or not at all
    hot.settle_stream(1, b"gathered ")
    hot.settle_stream(1, b"writes")
    stdout = kernel.fds.get(1).sink  # type: ignore[attr-defined]
    assert bytes(stdout.buffer) == b"gathered writes"


def test_streams_with_a_sink_that_can_fail_are_not_leased(tmp_path: pytest.TempPathFactory) -> None:
    from pywasi_web.kernel.streams import FileOutput

    kernel = make_kernel()
    with open(tmp_path / "out", "wb") as file:  # type: ignore[operator]
        kernel.fds.get(1).sink = FileOutput(file)  # type: ignore[attr-defined]
        assert not HotFiles(kernel.fds).lease_stream(1)
