"""wasi:filesystem over the kernel on MemoryFS and HostDir: operations, error codes, every escape."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web.component.values import Variant
from pywasi_web.preview2.filesystem import ERROR_CODES
from pywasi_web.vfs import MemoryFS
from pywasi_web.vfs.base import FileSystem
from tests.preview2.helpers import error_of, imports, stream_error
from tests.security.test_escapes import Layout
from tests.unit.helpers import has_hard_links, make_kernel

RW = ["read", "write"]
DIR = ["read", "mutate-directory"]
FOLLOW = ["symlink-follow"]
NO_CHANGE = Variant("no-change")


def preopen(fs: FileSystem) -> tuple[dict[str, Any], Any]:
    host = imports(make_kernel(fs))
    [(root, name)] = host["wasi:filesystem/preopens"].get_directories()
    assert name == "/m0"
    return host, root


def stream_failure(types: Any, call: Any, *args: Any) -> str:
    """The filesystem error-code of the last-operation-failed that a stream call raises."""
    failure = stream_error(call, *args)
    assert failure.case == "last-operation-failed"
    code: str = types.filesystem_error_code(failure.value)
    return code


def test_preopens_name_each_mount_with_its_flags() -> None:
    host = imports(make_kernel(MemoryFS(), MemoryFS(read_only=True)))
    found = host["wasi:filesystem/preopens"].get_directories()
    assert [name for _, name in found] == ["/m0", "/m1"]
    assert found[0][0].get_flags() == {"read", "mutate-directory"}
    assert found[1][0].get_flags() == {"read"}
    assert found[0][0].get_type() == "directory"
    found[0][0].drop()  # a preopen stays usable for the next get-directories
    again = host["wasi:filesystem/preopens"].get_directories()
    assert again[0][0].stat()["type"] == "directory"


def test_create_write_read_through_streams_and_offsets(empty_fs: FileSystem) -> None:
    _, root = preopen(empty_fs)
    file = root.open_at([], "f.txt", ["create", "exclusive"], RW)
    out = file.write_via_stream(0)
    out.blocking_write_and_flush(b"hello world")
    out.drop()
    assert file.write(b"HELLO", 0) == 5
    appender = file.append_via_stream()
    appender.write(b"!")
    appender.blocking_flush()
    appender.drop()
    assert file.read(100, 6) == (b"world!", False)
    assert file.read(10, 12) == (b"", True)
    source = file.read_via_stream(6)
    assert source.blocking_read(3) == b"wor"
    assert source.read(100) == b"ld!"
    assert stream_error(source.read, 1).case == "closed"
    stat = file.stat()
    assert stat["type"] == "regular-file" and stat["size"] == 12 and stat["link_count"] == 1
    assert set(stat["data_modification_timestamp"]) == {"seconds", "nanoseconds"}
    assert root.stat_at([], "f.txt")["size"] == 12
    assert error_of(root.open_at, [], "f.txt", ["create", "exclusive"], RW) == "exist"
    file.set_size(2)
    assert file.read(10, 0) == (b"HE", False)


def test_a_stream_keeps_its_file_open_after_the_descriptor_is_dropped(empty_fs: FileSystem) -> None:
    _, root = preopen(empty_fs)
    file = root.open_at([], "f", ["create"], RW)
    file.write(b"kept", 0)
    source = file.read_via_stream(0)
    file.drop()
    assert source.read(10) == b"kept"
    source.drop()


def test_directories_listing_and_changes(empty_fs: FileSystem) -> None:
    _, root = preopen(empty_fs)
    root.create_directory_at("d")
    assert error_of(root.create_directory_at, "d") == "exist"
    root.open_at([], "d/a", ["create"], RW).drop()
    root.symlink_at("a", "d/link")
    d = root.open_at([], "d", ["directory"], DIR)
    entries = d.read_directory()
    listed = []
    while (entry := entries.read_directory_entry()) is not None:
        listed.append((entry["name"], entry["type"]))
    assert sorted(listed) == [("a", "regular-file"), ("link", "symbolic-link")]
    assert root.readlink_at("d/link") == "a"
    assert error_of(root.readlink_at, "d/a") == "invalid"
    assert root.stat_at(FOLLOW, "d/link")["type"] == "regular-file"
    assert root.stat_at([], "d/link")["type"] == "symbolic-link"
    d.rename_at("a", root, "moved")
    assert error_of(root.stat_at, [], "d/a") == "no-entry"
    assert error_of(root.remove_directory_at, "d") == "not-empty"
    assert error_of(root.unlink_file_at, "d") == "is-directory"
    d.unlink_file_at("link")
    root.remove_directory_at("d")
    entries = root.read_directory()
    assert entries.read_directory_entry() == {"type": "regular-file", "name": "moved"}
    assert entries.read_directory_entry() is None
    assert error_of(root.open_at, [], "moved", ["directory"], DIR) == "not-directory"
    moved = root.open_at([], "moved", [], ["read"])
    assert error_of(moved.read_directory) == "not-directory"
    assert error_of(moved.create_directory_at, "x") == "not-directory"


def test_hard_links_and_same_object(empty_fs: FileSystem) -> None:
    _, root = preopen(empty_fs)
    root.open_at([], "a", ["create"], RW).drop()
    if not has_hard_links(empty_fs):
        assert error_of(root.link_at, [], "a", root, "b") == "unsupported"
        return
    root.link_at([], "a", root, "b")
    a = root.open_at([], "a", [], ["read"])
    b = root.open_at([], "b", [], ["read"])
    assert a.is_same_object(b)
    assert not a.is_same_object(root)
    assert a.metadata_hash() == b.metadata_hash() == root.metadata_hash_at([], "b")
    assert a.metadata_hash() != root.metadata_hash()
    assert root.stat_at([], "a")["link_count"] == 2


def test_set_times(empty_fs: FileSystem) -> None:
    _, root = preopen(empty_fs)
    file = root.open_at([], "t", ["create"], RW)
    stamp = Variant("timestamp", {"seconds": 1_000_000, "nanoseconds": 500})
    file.set_times(NO_CHANGE, stamp)
    assert file.stat()["data_modification_timestamp"]["seconds"] == 1_000_000
    root.set_times_at([], "t", stamp, Variant("now"))
    stat = root.stat_at([], "t")
    assert stat["data_access_timestamp"]["seconds"] == 1_000_000
    assert stat["data_modification_timestamp"]["seconds"] > 1_000_000


def test_descriptor_flags_limit_what_a_file_descriptor_does(empty_fs: FileSystem) -> None:
    host, root = preopen(empty_fs)
    types = host["wasi:filesystem/types"]
    root.open_at([], "f", ["create"], RW).write(b"data", 0)
    reader = root.open_at([], "f", [], ["read"])
    assert reader.get_flags() == {"read"}
    assert error_of(reader.write, b"x", 0) == "bad-descriptor"
    assert (
        stream_failure(types, reader.write_via_stream(0).blocking_write_and_flush, b"x") == "bad-descriptor"
    )
    assert error_of(reader.set_size, 0) == "invalid"  # ftruncate's answer, as in wasmtime
    writer = root.open_at([], "f", [], ["write"])
    assert writer.get_flags() == {"write"}
    assert error_of(writer.read, 1, 0) == "bad-descriptor"
    assert stream_failure(types, writer.read_via_stream(0).blocking_read, 1) == "bad-descriptor"
    assert error_of(root.read_via_stream, 0) == "is-directory"
    assert error_of(root.write_via_stream, 0) == "bad-descriptor"  # wasmtime's asymmetry


def test_a_directory_is_as_mutable_as_its_mount_whatever_its_flags(empty_fs: FileSystem) -> None:
    """wasmtime ignores mutate-directory when opening (the P1 adapter never asks for it)."""
    _, root = preopen(empty_fs)
    root.create_directory_at("d")
    d = root.open_at([], "d", ["directory"], ["read"])
    assert d.get_flags() == {"read", "mutate-directory"}
    made = d.open_at([], "new", ["create"], RW)  # writable though `d` was opened for reading
    made.write(b"written", 0)
    made.drop()
    d.create_directory_at("sub")
    assert root.stat_at([], "d/new")["type"] == "regular-file"
    assert error_of(root.open_at, [], "d", ["directory"], RW) == "is-directory"


def test_read_only_mount_refuses_every_change() -> None:
    host, root = preopen(MemoryFS({"f": b"x", "d": None}, read_only=True))
    types = host["wasi:filesystem/types"]
    assert root.open_at([], "d", ["directory"], DIR).get_flags() == {"read"}
    reader = root.open_at([], "f", [], ["read"])
    # the mount's refusal comes first: not-permitted where a writable mount says bad-descriptor
    assert stream_failure(types, reader.write_via_stream(0).write, b"y") == "not-permitted"
    assert error_of(reader.write, b"y", 0) == "not-permitted"
    assert error_of(reader.set_size, 0) == "not-permitted"
    assert error_of(root.open_at, [], "f", [], RW) == "not-permitted"
    assert error_of(root.open_at, [], "g", ["create"], ["read"]) == "not-permitted"
    assert error_of(root.unlink_file_at, "f") == "not-permitted"
    assert error_of(root.create_directory_at, "d") == "not-permitted"
    assert root.open_at([], "f", [], ["read"]).read(1, 0) == (b"x", False)


@pytest.mark.parametrize(
    "path", ["..", "../secret", "sub/../../secret", "/secret", "/etc/passwd", "sub/../..", "./../secret"]
)
def test_dotdot_and_absolute_paths_are_not_permitted(layout: Layout, path: str) -> None:
    _, root = preopen(layout.fs)
    before = layout.outside()
    assert error_of(root.open_at, FOLLOW, path, [], ["read"]) == "not-permitted"
    assert error_of(root.stat_at, FOLLOW, path) == "not-permitted"
    assert error_of(root.open_at, [], path, ["create"], RW) == "not-permitted"
    assert error_of(root.create_directory_at, path + "/x") == "not-permitted"
    assert layout.outside() == before


@pytest.mark.parametrize("link", ["out_rel", "out_abs", "chain1", "up/secret", "up"])
def test_symlinks_out_of_a_preopen_are_not_permitted(layout: Layout, link: str) -> None:
    _, root = preopen(layout.fs)
    before = layout.outside()
    assert error_of(root.open_at, FOLLOW, link, [], ["read"]) == "not-permitted"
    assert error_of(root.stat_at, FOLLOW, link) == "not-permitted"
    assert error_of(root.open_at, FOLLOW, f"{link}/new", ["create"], RW) in ("not-permitted", "not-directory")
    assert layout.outside() == before
    assert layout.secret() == b"SECRET"


def test_symlink_loops_and_absolute_symlink_targets(layout: Layout) -> None:
    _, root = preopen(layout.fs)
    assert error_of(root.open_at, FOLLOW, "loop_a", [], ["read"]) == "loop"
    assert error_of(root.symlink_at, "/etc/passwd", "abs") == "not-permitted"
    # not following the final link: the link itself, no escape
    assert root.stat_at([], "out_abs")["type"] == "symbolic-link"


def test_rename_and_link_out_of_the_preopen_are_not_permitted(layout: Layout) -> None:
    _, root = preopen(layout.fs)
    before = layout.outside()
    assert error_of(root.rename_at, "data.txt", root, "../stolen") == "not-permitted"
    assert error_of(root.link_at, [], "../secret", root, "mine") == "not-permitted"
    assert layout.outside() == before


def test_write_failure_reaches_the_guest_as_a_stream_error() -> None:
    host, root = preopen(MemoryFS(max_bytes=4))
    out = root.open_at([], "f", ["create"], RW).write_via_stream(0)
    error = stream_error(out.blocking_write_and_flush, b"too long")
    assert error.case == "last-operation-failed"
    assert host["wasi:filesystem/types"].filesystem_error_code(error.value) == "insufficient-space"
    assert "quota" in error.value.to_debug_string()


def test_every_error_code_is_a_wit_case() -> None:
    cases = {
        "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
        "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
        "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device", "no-entry",
        "no-lock", "insufficient-memory", "insufficient-space", "not-directory", "not-empty",
        "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow", "not-permitted", "pipe",
        "read-only", "invalid-seek", "text-file-busy", "cross-device",
    }  # fmt: skip
    assert set(ERROR_CODES.values()) <= cases


def test_out_of_range_offsets_and_timestamps_are_invalid(empty_fs: FileSystem) -> None:
    _, root = preopen(empty_fs)
    file = root.open_at([], "f", ["create"], RW)
    assert error_of(file.read, 10, 2**64 - 1) == "invalid"
    failure = stream_error(file.read_via_stream(2**64 - 1).read, 5)
    assert failure.case == "last-operation-failed"
    assert error_of(file.write, b"x", 2**63) == "invalid"  # past off_t: the kernel's answer
    too_late = Variant("timestamp", {"seconds": 2**64 - 1, "nanoseconds": 0})
    bad_nanoseconds = Variant("timestamp", {"seconds": 1, "nanoseconds": 10**9})
    assert error_of(file.set_times, too_late, NO_CHANGE) == "invalid"
    assert error_of(root.set_times_at, [], "f", NO_CHANGE, bad_nanoseconds) == "invalid"
    far = Variant("timestamp", {"seconds": 4_000_000_000, "nanoseconds": 0})  # year 2096
    file.set_times(NO_CHANGE, far)
    assert file.stat()["data_modification_timestamp"]["seconds"] == 4_000_000_000
