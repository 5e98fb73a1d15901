"""kernel/hot.py without an engine: which descriptors an engine may answer for, and taking them back."""

from __future__ import annotations

import pytest

from pywasi_web.abi.types import Fdflags, Oflags, Rights
from pywasi_web.kernel.hot import HotFiles
from pywasi_web.vfs import HostDir, MemoryFS
from pywasi_web.vfs.memory import MemoryFile
from tests.unit.helpers import PREOPEN_FD, make_kernel, open_file

ANY = 1 << 63  # no limit on the position the engine can represent


def test_only_plain_writable_seekable_memory_files_are_leased(tmp_path: object) -> None:
    kernel = make_kernel(MemoryFS({"f": b"0123456789"}), MemoryFS({"g": b"x"}, read_only=True))
    hot = HotFiles(kernel.fds)
    fd = open_file(kernel, "f")
    kernel.fds.get(fd).seek(3, 0)
    file = kernel.fds.get(fd).handle  # type: ignore[attr-defined]
    lease = hot.lease(fd, ANY)
    assert lease is not None
    assert bytes(lease.view) == b"0123456789" and lease.position == 3
    assert lease.view is file.data  # the file's own bytes, so in-place writes need no copy back
    hot.settle(fd, 3, None)
    kernel.fds.get(fd).seek(4, 0)
    assert hot.lease(fd, 3) is None  # past what the engine can represent

    appending = open_file(kernel, "f", fdflags=Fdflags.APPEND)
    read_only_rights = kernel.path_open(PREOPEN_FD, 0, "f", 0, Rights.FD_READ | Rights.FD_SEEK, 0, 0)
    on_read_only_mount = kernel.path_open(PREOPEN_FD + 1, 0, "g", 0, Rights.FD_READ | Rights.FD_SEEK, 0, 0)
    for refused in (appending, read_only_rights, on_read_only_mount, PREOPEN_FD, 0, 1, 99):
        assert hot.lease(refused, ANY) is None, refused


def test_host_files_are_not_leased(tmp_path: pytest.TempPathFactory) -> None:
    root = tmp_path / "root"  # type: ignore[operator]
    root.mkdir()
    kernel = make_kernel(HostDir(root))
    assert HotFiles(kernel.fds).lease(open_file(kernel, "new", Oflags.CREAT), ANY) is None


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
    hot.lease(fd, ANY)
    hot.settle(fd, 4, None)  # only seeks happened
    assert kernel.fds.get(fd).seek(0, 1) == 4 and changed == []
    hot.lease(fd, ANY)
    hot.settle(fd, 5, 1_234_000_000)
    assert kernel.fds.get(fd).seek(0, 1) == 5
    assert (file.mtim, file.ctim) == (1_234_000_000, 1_234_000_000) and changed == [file]


class RecordingGatherer:
    """Keeps writes in order and delivers them when flushed, as the browser's JS gatherer does."""

    def __init__(self) -> None:
        self.pending: list[tuple[int, bytes]] = []
        self.hot: HotFiles | None = None

    def write(self, stream: int, data: bytes) -> None:
        self.pending.append((stream, data))

    def flush(self) -> None:
        assert self.hot is not None
        for stream, data in self.pending:
            self.hot.deliver(stream, data)
        self.pending.clear()


def test_gathered_streams_go_through_one_gatherer_in_order_and_can_be_leased() -> None:
    kernel = make_kernel(MemoryFS({"f": b""}))
    hot = HotFiles(kernel.fds)
    assert hot.lease_stream(1) is None  # not gathered yet
    gatherer = RecordingGatherer()
    gatherer.hot = hot
    hot.gather_streams(gatherer)
    stdout_key, stderr_key = hot.lease_stream(1), hot.lease_stream(2)
    assert stdout_key is not None and stderr_key is not None and stdout_key != stderr_key
    assert hot.lease(1, ANY) is None
    assert hot.lease_stream(0) is None  # stdin is not an output
    assert hot.lease_stream(open_file(kernel, "f")) is None  # a file is leased as a file, or not at all
    kernel.fds.get(1).write(b"python ")  # a write Python answers
    gatherer.write(stdout_key, b"engine ")  # one the engine answers itself, through the same gatherer
    kernel.fds.get(2).write(b"error ")
    kernel.fds.get(1).write(b"python")
    assert bytes(kernel.stdout.buffer) == b""  # type: ignore[attr-defined]  # still gathered
    kernel.fds.get(1).sync()  # the stream's flush is the gatherer's
    assert bytes(kernel.stdout.buffer) == b"python engine python"  # type: ignore[attr-defined]
    assert bytes(kernel.stderr.buffer) == b"error "  # type: ignore[attr-defined]


def test_streams_with_a_sink_that_can_fail_are_not_gathered(tmp_path: pytest.TempPathFactory) -> None:
    from pywasi_web.kernel.streams import FileOutput

    kernel = make_kernel()
    with open(tmp_path / "out", "wb") as file:  # type: ignore[operator]
        kernel.fds.get(1).sink = FileOutput(file)  # type: ignore[attr-defined]
        hot = HotFiles(kernel.fds)
        hot.gather_streams(RecordingGatherer())
        assert hot.lease_stream(1) is None and hot.lease_stream(2) is not None


def test_a_lent_descriptor_is_refused_to_python_until_settled() -> None:
    """A missing settle is caught: every way Python reaches a descriptor (a call's lookup, close,
    renumber, exit's close_all) asserts that it is not out on a lease."""
    kernel = make_kernel(MemoryFS({"f": b"abcdef"}))
    hot = HotFiles(kernel.fds)
    fd = open_file(kernel, "f")
    other = open_file(kernel, "f")
    assert hot.lease(fd, ANY) is not None
    for use in (
        lambda: kernel.fd_filestat_set_size(fd, 1),
        lambda: kernel.fds.get(fd),
        lambda: kernel.fds.close(fd),
        lambda: kernel.fds.renumber(other, fd),
        kernel.fds.close_all,
    ):
        with pytest.raises(AssertionError, match=f"fd {fd} is lent"):
            use()
    assert kernel.fds.get(other) is not None  # only the lent descriptor is refused
    hot.settle(fd, 2, None)
    assert kernel.fds.get(fd).seek(0, 1) == 2
