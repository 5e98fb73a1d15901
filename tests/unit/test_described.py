"""preview1/fast_paths.py Described without an engine: what preview1 publishes about descriptors is
byte for byte what its own fd_fdstat_get, fd_filestat_get and fd_read give, only for the files an
engine may read itself, and every change of a descriptor's fdstat is heard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Fdflags, Oflags, Rights
from pywasi_web.errors import WasiError
from pywasi_web.preview1.fast_paths import Described, Record
from pywasi_web.preview1.functions import Preview1
from pywasi_web.preview1.memory import BufferMemory
from pywasi_web.vfs import HostDir, MemoryFS
from pywasi_web.vfs.memory import MemoryFile
from pywasi_web.vfs.persistent import PersistentFS
from tests.unit.helpers import ALL_RIGHTS, PREOPEN_FD, make_kernel

LIMIT = 64


class Engine:
    """What an engine reads from the record `Described` fills, as js_bridge.js reads it: the
    publication since it last looked (`take`), the descriptors whose fdstat changed."""

    def __init__(self, described: Described) -> None:
        self.record = bytearray(described.record_size(LIMIT))
        self.slots = memoryview(self.record).cast("i")
        described.listen(self.record, LIMIT)

    def take(self) -> tuple[int, bytes, bytes | None, bytes | None, int] | None:
        """(fd, fdstat, filestat or None, bytes or None, flags) published since the last take."""
        slots, record = self.slots, self.record
        fd = slots[Record.OPENED] - 1
        if fd < 0:
            return None
        slots[Record.OPENED] = 0
        flags, length = slots[Record.FLAGS], slots[Record.LENGTH]
        fdstat = bytes(record[Record.FDSTAT_AT : Record.FILESTAT_AT])
        stat = bytes(record[Record.FILESTAT_AT : Record.DATA_AT]) if flags & Record.HAS_STAT else None
        data = None if length < 0 else bytes(record[Record.DATA_AT : Record.DATA_AT + length])
        return fd, fdstat, stat, data, flags

    def changed(self) -> list[int]:
        count = self.slots[Record.CHANGED_COUNT]
        self.slots[Record.CHANGED_COUNT] = 0
        return list(self.slots[Record.CHANGED : Record.CHANGED + min(count, Record.CHANGED_SLOTS)])


def _preview1(*filesystems: Any) -> tuple[Preview1, bytearray, Engine]:
    preview1 = Preview1(make_kernel(*filesystems))
    memory = bytearray(65536)
    preview1.memory = BufferMemory(lambda: memoryview(memory))
    return preview1, memory, Engine(preview1.fast_paths().described)


def _open(
    preview1: Preview1, memory: bytearray, path: str, rights: int = ALL_RIGHTS, fd: int = PREOPEN_FD
) -> int:
    memory[1000 : 1000 + len(path)] = path.encode()
    assert preview1.path_open(fd, 0, 1000, len(path), 0, rights, rights, 0, 2000) is None
    return int.from_bytes(memory[2000:2004], "little")


def test_an_open_publishes_what_preview1_answers() -> None:
    preview1, memory, engine = _preview1(MemoryFS({"small": b"hello", "big": b"x" * (LIMIT + 1)}))
    fd = _open(preview1, memory, "small")
    published = engine.take()
    assert published is not None
    seen_fd, fdstat, filestat, data, flags = published
    preview1.fd_fdstat_get(fd, 100)
    preview1.fd_filestat_get(fd, 200)
    memory[300:308] = (400).to_bytes(4, "little") + (16).to_bytes(4, "little")
    preview1.fd_read(fd, 300, 1, 500)
    assert seen_fd == fd
    assert fdstat == memory[100:124] and filestat == memory[200:264]
    assert data == b"hello" == memory[400 : 400 + int.from_bytes(memory[500:504], "little")]
    assert flags == Record.HAS_STAT | Record.QUIET_CLOSE | Record.REUSABLE

    opens = []
    for path, rights in (
        ("big", ALL_RIGHTS),
        ("small", Rights.FD_WRITE | Rights.FD_FILESTAT_GET),
        ("small", Rights.FD_READ),
    ):
        opened = _open(preview1, memory, path, rights)
        published = engine.take()
        assert published is not None and published[0] == opened
        opens.append(published)
    assert [(data, stat is None, flags) for _, _, stat, data, flags in opens] == [
        (None, False, Record.HAS_STAT | Record.QUIET_CLOSE),  # too big to publish: not reusable
        (None, False, Record.HAS_STAT | Record.QUIET_CLOSE),  # not readable
        (b"hello", True, Record.QUIET_CLOSE | Record.REUSABLE),
    ]
    preview1.fd_fdstat_get(PREOPEN_FD, 100)  # an answer of fd_fdstat_get is published too
    assert engine.take() == (PREOPEN_FD, bytes(memory[100:124]), None, None, 0)


def test_opens_that_create_or_truncate_are_not_reusable() -> None:
    """Opening the same path again would not give the same answer: the first open changed it."""
    preview1, memory, engine = _preview1(MemoryFS({"small": b"hello"}))
    for oflags in (Oflags.CREAT, Oflags.TRUNC, Oflags.CREAT | Oflags.EXCL):
        path = "new" if oflags & Oflags.EXCL else "small"
        memory[1000 : 1000 + len(path)] = path.encode()
        preview1.path_open(PREOPEN_FD, 0, 1000, len(path), oflags, ALL_RIGHTS, ALL_RIGHTS, 0, 2000)
        published = engine.take()
        assert published is not None and not published[4] & Record.REUSABLE


def test_a_tree_that_writes_back_on_close_is_not_closed_quietly() -> None:
    class WritesBack(MemoryFS):
        def file_closed(self, file: MemoryFile) -> None:
            pass

    assert MemoryFS.quiet_close and not WritesBack.quiet_close and not PersistentFS.quiet_close
    preview1, memory, engine = _preview1(WritesBack({"small": b"hello"}))
    _open(preview1, memory, "small")
    published = engine.take()
    assert published is not None and published[4] == Record.HAS_STAT


def test_host_files_publish_their_fdstat_only(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"on the host")
    preview1, memory, engine = _preview1(HostDir(tmp_path))
    fd = _open(preview1, memory, "f")
    opened = engine.take()
    preview1.fd_fdstat_get(fd, 100)
    assert opened == engine.take() == (fd, bytes(memory[100:124]), None, None, 0)


def test_every_fdstat_change_is_heard() -> None:
    preview1, memory, engine = _preview1(MemoryFS({"a": b"a", "b": b"b"}))
    a, b = _open(preview1, memory, "a"), _open(preview1, memory, "b")
    preview1.fd_fdstat_set_flags(a, Fdflags.APPEND)
    preview1.fd_fdstat_set_rights(a, Rights.FD_READ, 0)
    preview1.fd_renumber(a, b)
    preview1.fd_close(b)
    assert engine.changed() == [a, a, a, b, b]


def test_the_engine_hands_the_position_back() -> None:
    preview1, memory, _ = _preview1(MemoryFS({"small": b"hello"}))
    fd = _open(preview1, memory, "small")
    assert preview1.described is not None
    preview1.described.settle(fd, 3)
    memory[300:308] = (400).to_bytes(4, "little") + (16).to_bytes(4, "little")
    preview1.fd_read(fd, 300, 1, 500)
    assert memory[400:402] == b"lo" and memory[500:504] == (2).to_bytes(4, "little")


def test_a_close_the_engine_answered_is_applied_first() -> None:
    """The engine notes the number in Record.CLOSED; Python closes it before the next open, which
    gets that number again."""
    preview1, memory, engine = _preview1(MemoryFS({"a": b"a", "b": b"b"}))
    assert preview1.described is not None
    fd = _open(preview1, memory, "a")
    engine.slots[Record.CLOSED] = fd + 1
    preview1.described.closes()
    assert engine.slots[Record.CLOSED] == 0 and fd not in dict(preview1.fds)
    assert _open(preview1, memory, "b") == fd
    assert engine.changed() == [fd]


def test_a_reused_open_is_opened_for_real_with_its_position() -> None:
    preview1, memory, engine = _preview1(MemoryFS({"dir/small": b"hello"}))
    described = preview1.described
    assert described is not None
    fd = _open(preview1, memory, "dir/small", Rights.FD_READ | Rights.FD_TELL)
    engine.slots[Record.CLOSED] = fd + 1  # the engine closed it, then opened the same again
    path = b"dir/small".decode("latin-1")
    described.reopen(fd, 2, PREOPEN_FD, 0, path, 0, Rights.FD_READ | Rights.FD_TELL, 0, 0)
    preview1.fd_tell(fd, 100)
    assert memory[100:108] == (2).to_bytes(8, "little")
    assert preview1.fds.get(fd).rights_base == Rights.FD_READ | Rights.FD_TELL


def test_a_reopen_giving_another_number_is_refused_loudly() -> None:
    """Only a bug in the engine's forgetting could cause it; the guest must not go on with a
    descriptor the kernel does not have."""
    preview1, memory, _ = _preview1(MemoryFS({"small": b"hello"}))
    described = preview1.described
    assert described is not None
    fd = _open(preview1, memory, "small")  # still open: opening again gives the next number
    table = list(preview1.fds)
    with pytest.raises(RuntimeError, match="gives fd"):
        described.reopen(fd, 0, PREOPEN_FD, 0, "small", 0, ALL_RIGHTS, ALL_RIGHTS, 0)
    assert list(preview1.fds) == table


def test_fdflags_wasi_does_not_define_are_refused_before_anything_is_opened() -> None:
    """wasmtime traps the guest on such bits; ours is EINVAL, and no descriptor is opened or
    published (fd_fdstat_get reports fdflags in a u16, which could not hold them)."""
    preview1, memory, engine = _preview1(MemoryFS({"small": b"hello"}))
    memory[1000:1005] = b"small"
    table = list(preview1.fds)
    for flags in (1 << 5, 1 << 20, 1 << 31):
        with pytest.raises(WasiError) as refused:
            preview1.path_open(PREOPEN_FD, 0, 1000, 5, 0, ALL_RIGHTS, ALL_RIGHTS, flags, 2000)
        assert refused.value.errno == Errno.INVAL
    assert engine.take() is None and list(preview1.fds) == table
