"""UrlFS (a read-only tree declared by a manifest, bytes fetched on first open or by range) over
the playground server's handler, which must answer Range requests; and its failures."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Oflags, Rights
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.vfs.http_fetch import UrllibFetcher
from pywasi_web.vfs.manifest import build_manifest, parse_manifest
from pywasi_web.vfs.url import BLOCK_SIZE, RANGE_THRESHOLD, UrlFS
from tests.served import served
from tests.unit.helpers import PREOPEN_FD, errno_of, make_kernel, open_file

BIG = bytes(range(256)) * ((RANGE_THRESHOLD + 3 * BLOCK_SIZE + 100) // 256)


class Counting(UrllibFetcher):
    """Records every fetch: (url path, span)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[int, int] | None]] = []

    def fetch(self, url: str, span: tuple[int, int] | None = None) -> tuple[int, bytes]:
        self.calls.append((url.split("/", 3)[3], span))
        return super().fetch(url, span)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    web = tmp_path / "web" / "tree"
    (web / "bin").mkdir(parents=True)
    (web / "bin" / "tool").write_bytes(b"#!tool\n")
    (web / "share" / "doc").mkdir(parents=True)
    (web / "share" / "doc" / "a b.txt").write_text("spaces\n")
    (web / "big.dat").write_bytes(BIG)
    (web / "empty").write_bytes(b"")
    (web / "link").symlink_to("bin/tool")
    (web / "manifest.json").write_text(json.dumps(build_manifest(web)))
    with served(tmp_path) as base:
        yield web, base + "tree/"


def _kernel(fs: UrlFS) -> Kernel:
    return make_kernel(fs)


def _open(kernel: Kernel, path: str) -> int:
    return kernel.path_open(PREOPEN_FD, 1, path, 0, Rights.FD_READ | Rights.FD_SEEK, 0, 0)


def _read_all(kernel: Kernel, path: str) -> bytes:
    fd = _open(kernel, path)
    try:
        return kernel.fds.get(fd).pread(1 << 24, 0)
    finally:
        kernel.fds.close(fd)


def test_structure_and_stat_come_from_the_manifest_alone(site: tuple[Path, str]) -> None:
    web, base = site
    fetcher = Counting()
    fs = UrlFS(build_manifest(web), base, fetcher)
    kernel = _kernel(fs)
    names = sorted(name for name, _ino, _type in fs.root().entries())
    assert names == ["big.dat", "bin", "empty", "link", "manifest.json", "share"]
    assert kernel.path_filestat_get(PREOPEN_FD, 0, "big.dat").stat().size == len(BIG)
    assert (
        kernel.path_filestat_get(PREOPEN_FD, 0, "bin/tool").stat().mtim
        == (web / "bin" / "tool").stat().st_mtime_ns
    )
    assert fetcher.calls == []


def test_a_file_is_fetched_once_on_first_open(site: tuple[Path, str]) -> None:
    web, base = site
    fetcher = Counting()
    kernel = _kernel(UrlFS(build_manifest(web), base, fetcher))
    assert _read_all(kernel, "bin/tool") == b"#!tool\n"
    assert _read_all(kernel, "link") == b"#!tool\n"
    assert _read_all(kernel, "share/doc/a b.txt") == b"spaces\n"
    assert _read_all(kernel, "empty") == b""
    assert fetcher.calls == [("tree/bin/tool", None), ("tree/share/doc/a%20b.txt", None)]


def test_a_large_file_is_read_by_ranges_of_what_is_read(site: tuple[Path, str]) -> None:
    web, base = site
    fetcher = Counting()
    kernel = _kernel(UrlFS(build_manifest(web), base, fetcher))
    file = kernel.fds.get(_open(kernel, "big.dat"))
    assert fetcher.calls == []
    offset = 2 * BLOCK_SIZE + 10
    assert file.pread(100, offset) == BIG[offset : offset + 100]
    assert file.pread(50, offset + 100) == BIG[offset + 100 : offset + 150]  # cached
    tail = len(BIG) - 30
    assert file.pread(100, tail) == BIG[tail:]
    last_block = (len(BIG) - 1) // BLOCK_SIZE * BLOCK_SIZE
    assert fetcher.calls == [
        ("tree/big.dat", (2 * BLOCK_SIZE, 3 * BLOCK_SIZE)),
        ("tree/big.dat", (last_block, len(BIG))),
    ]
    assert file.pread(len(BIG), 0) == BIG  # across cached and missing blocks


def test_writes_are_refused(site: tuple[Path, str]) -> None:
    web, base = site
    fetcher = Counting()
    kernel = _kernel(UrlFS(build_manifest(web), base, fetcher))
    assert errno_of(open_file, kernel, "new.txt", Oflags.CREAT) in (Errno.ROFS, Errno.PERM, Errno.ACCES)
    assert errno_of(kernel.path_create_directory, PREOPEN_FD, "d") in (Errno.ROFS, Errno.PERM)
    assert errno_of(kernel.path_unlink_file, PREOPEN_FD, "bin/tool") in (Errno.ROFS, Errno.PERM)
    rights = Rights.FD_WRITE
    assert errno_of(kernel.path_open, PREOPEN_FD, 0, "bin/tool", 0, rights, 0, 0) in (Errno.ROFS, Errno.PERM)
    assert fetcher.calls == []


def test_a_missing_file_gives_eio_and_says_why(site: tuple[Path, str]) -> None:
    web, base = site
    manifest = build_manifest(web)
    (web / "bin" / "tool").unlink()
    fs = UrlFS(manifest, base, UrllibFetcher())
    assert errno_of(_open, _kernel(fs), "bin/tool") == Errno.IO
    assert fs.failures == [f"cannot fetch {base}bin/tool: 404 Not Found"]


def test_a_file_of_another_size_than_declared_gives_eio(site: tuple[Path, str]) -> None:
    web, base = site
    manifest = build_manifest(web)
    (web / "bin" / "tool").write_bytes(b"longer than declared\n")
    fs = UrlFS(manifest, base, UrllibFetcher())
    assert errno_of(_open, _kernel(fs), "bin/tool") == Errno.IO
    assert "of a 7-byte file" in fs.failures[0]


def test_no_server_gives_eio() -> None:
    manifest = {"version": 1, "entries": {"a": {"size": 3}}}
    fs = UrlFS(manifest, "http://127.0.0.1:9/", UrllibFetcher())
    assert errno_of(_open, _kernel(fs), "a") == Errno.IO
    assert fs.failures[0].startswith("cannot fetch http://127.0.0.1:9/a: ")


@pytest.mark.parametrize(
    ("header", "status", "body"),
    [
        ("bytes=2-5", 206, b"2345"),
        ("bytes=7-", 206, b"789"),
        ("bytes=-2", 206, b"89"),
        ("bytes=8-100", 206, b"89"),
        ("bytes=10-", 416, b""),
        ("bytes=5-3", 200, b"0123456789"),
        ("bytes=1-2,4-5", 200, b"0123456789"),
        ("items=1-2", 200, b"0123456789"),
    ],
)
def test_the_server_answers_range_requests(tmp_path: Path, header: str, status: int, body: bytes) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "digits").write_bytes(b"0123456789")
    with served(tmp_path) as base:
        request = urllib.request.Request(base + "digits", headers={"Range": header})
        try:
            with urllib.request.urlopen(request) as response:
                got = (response.status, response.read(), response.headers.get("Content-Range"))
        except urllib.error.HTTPError as error:
            got = (error.code, b"", error.headers.get("Content-Range"))
    assert got[:2] == (status, body)
    if status == 206:
        assert (
            got[2]
            == f"bytes {header[6:].split('-')[0] or 10 - len(body)}-{9 if header != 'bytes=2-5' else 5}/10"
        )
    if status == 416:
        assert got[2] == "bytes */10"


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ([], "not a URL-mount manifest"),
        ({"version": 2, "entries": {}}, "not a URL-mount manifest"),
        ({"version": 1, "entries": []}, '"entries" must be an object'),
        ({"version": 1, "entries": {"../x": {"size": 1}}}, "must be relative and inside the tree"),
        ({"version": 1, "entries": {"a": {"size": -1}}}, "a file needs a size"),
        ({"version": 1, "entries": {"a": {"size": True}}}, "a file needs a size"),
        ({"version": 1, "entries": {"a": 5}}, "must be an object"),
        ({"version": 1, "entries": {"a": {"size": 1}, "a/b": {"size": 1}}}, "is inside the file 'a'"),
        ({"version": 1, "entries": {"a": {"symlink": ""}}}, "symlink must be a non-empty string"),
        ({"version": 1, "entries": {"a": {"size": 1, "mtime": "x"}}}, "mtime must be"),
    ],
)
def test_a_bad_manifest_is_refused_in_one_line(manifest: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_manifest(manifest)  # type: ignore[arg-type]


def test_a_manifest_names_parents_before_children_and_its_own_urls(tmp_path: Path) -> None:
    manifest = {
        "version": 1,
        "base": "files/",
        "entries": {"x/y/z": {"size": 1}, "w": {"size": 1, "url": "/o/w"}},
    }
    fetched: list[str] = []

    class Recording:
        def fetch(self, url: str, span: tuple[int, int] | None = None) -> tuple[int, bytes]:
            fetched.append(url)
            return 0, b"!"

    fs = UrlFS(manifest, "https://h.test/m/manifest.json", Recording())
    kernel = _kernel(fs)
    assert _read_all(kernel, "x/y/z") == _read_all(kernel, "w") == b"!"
    assert fetched == ["https://h.test/m/files/x/y/z", "https://h.test/o/w"]


def test_the_cli_prints_a_directory_manifest(
    site: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from pywasi_web.cli.main import main

    web, _base = site
    assert main(["manifest", str(web)]) == 0
    assert json.loads(capsys.readouterr().out) == build_manifest(web)
    assert main(["manifest", str(web / "nowhere")]) == 1
    assert capsys.readouterr().err == f"pywasi-web: error: {web / 'nowhere'} is not a directory\n"
