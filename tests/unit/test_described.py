"""preview1/fast_paths.py Described without an engine: what preview1 publishes about descriptors is
byte for byte what its own fd_fdstat_get, fd_filestat_get and fd_read give, only for the files an
engine may read itself, and every change of a descriptor's fdstat is heard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Fdflags, Rights
from pywasi_web.errors import WasiError
from pywasi_web.preview1.functions import Preview1
from pywasi_web.preview1.memory import BufferMemory
from pywasi_web.vfs import HostDir, MemoryFS
from tests.unit.helpers import ALL_RIGHTS, PREOPEN_FD, make_kernel

LIMIT = 64


def _preview1(*filesystems: Any) -> tuple[Preview1, bytearray, list[Any], list[int]]:
    preview1 = Preview1(make_kernel(*filesystems))
    memory = bytearray(65536)
    preview1.memory = BufferMemory(lambda: memoryview(memory))
    published: list[Any] = []
    changed: list[int] = []
    preview1.fast_paths().described.listen(lambda *record: published.append(record), changed.append, LIMIT)
    return preview1, memory, published, changed


def _open(
    preview1: Preview1, memory: bytearray, path: str, rights: int = ALL_RIGHTS, fd: int = PREOPEN_FD
) -> int:
    memory[1000 : 1000 + len(path)] = path.encode()
    assert preview1.path_open(fd, 0, 1000, len(path), 0, rights, rights, 0, 2000) is None
    return int.from_bytes(memory[2000:2004], "little")


def test_an_open_publishes_what_preview1_answers() -> None:
    preview1, memory, published, _ = _preview1(MemoryFS({"small": b"hello", "big": b"x" * (LIMIT + 1)}))
    fd = _open(preview1, memory, "small")
    ((seen_fd, fdstat, filestat, data),) = published
    preview1.fd_fdstat_get(fd, 100)
    preview1.fd_filestat_get(fd, 200)
    memory[300:308] = (400).to_bytes(4, "little") + (16).to_bytes(4, "little")
    preview1.fd_read(fd, 300, 1, 500)
    assert seen_fd == fd
    assert fdstat == memory[100:124] and filestat == memory[200:264]
    assert data == b"hello" == memory[400 : 400 + int.from_bytes(memory[500:504], "little")]

    published.clear()
    big = _open(preview1, memory, "big")
    write_only = _open(preview1, memory, "small", Rights.FD_WRITE | Rights.FD_FILESTAT_GET)
    no_stat = _open(preview1, memory, "small", Rights.FD_READ)
    assert [(fd, data) for fd, _, _, data in published] == [
        (big, None),
        (write_only, None),
        (no_stat, b"hello"),
    ]
    assert [stat is None for _, _, stat, _ in published] == [False, False, True]
    preview1.fd_fdstat_get(PREOPEN_FD, 100)  # an answer of fd_fdstat_get is published too
    assert published[-1] == (PREOPEN_FD, bytes(memory[100:124]), None, None)


def test_host_files_publish_their_fdstat_only(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"on the host")
    preview1, memory, published, _ = _preview1(HostDir(tmp_path))
    fd = _open(preview1, memory, "f")
    preview1.fd_fdstat_get(fd, 100)
    assert published == [(fd, bytes(memory[100:124]), None, None)] * 2


def test_every_fdstat_change_is_heard() -> None:
    preview1, memory, _, changed = _preview1(MemoryFS({"a": b"a", "b": b"b"}))
    a, b = _open(preview1, memory, "a"), _open(preview1, memory, "b")
    preview1.fd_fdstat_set_flags(a, Fdflags.APPEND)
    preview1.fd_fdstat_set_rights(a, Rights.FD_READ, 0)
    preview1.fd_renumber(a, b)
    preview1.fd_close(b)
    assert changed == [a, a, a, b, b]


def test_the_engine_hands_the_position_back() -> None:
    preview1, memory, _, _ = _preview1(MemoryFS({"small": b"hello"}))
    fd = _open(preview1, memory, "small")
    assert preview1.described is not None
    preview1.described.settle(fd, 3)
    memory[300:308] = (400).to_bytes(4, "little") + (16).to_bytes(4, "little")
    preview1.fd_read(fd, 300, 1, 500)
    assert memory[400:402] == b"lo" and memory[500:504] == (2).to_bytes(4, "little")


def test_fdflags_wasi_does_not_define_are_refused_before_anything_is_opened() -> None:
    """wasmtime traps the guest on such bits; ours is EINVAL, and no descriptor is opened or
    published (fd_fdstat_get reports fdflags in a u16, which could not hold them)."""
    preview1, memory, published, _ = _preview1(MemoryFS({"small": b"hello"}))
    memory[1000:1005] = b"small"
    table = list(preview1.fds)
    for flags in (1 << 5, 1 << 20, 1 << 31):
        with pytest.raises(WasiError) as refused:
            preview1.path_open(PREOPEN_FD, 0, 1000, 5, 0, ALL_RIGHTS, ALL_RIGHTS, flags, 2000)
        assert refused.value.errno == Errno.INVAL
    assert published == [] and list(preview1.fds) == table
