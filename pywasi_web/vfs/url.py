"""UrlFS: a read-only tree declared by a manifest, whose bytes are fetched from URLs when read.

A toolchain of tens of MB of which a run reads a few files should not be copied anywhere up
front. The manifest (see vfs/manifest.py) gives the directory structure and each file's size and
time, so listing and stat fetch nothing; a small file is fetched whole when it is first opened,
a large one in aligned blocks, with HTTP range requests, as the guest reads it; what was fetched
is kept for later opens (and later runs, when the mount is kept) in a cache bounded in bytes
(vfs/fetch_cache.py), which drops the least recently used files and blocks and fetches them again
when they are read again.

How bytes are fetched is a `Fetcher` (urllib on CPython, a synchronous XMLHttpRequest in the
browser's worker), so this module does no I/O of its own and tests drive it with any fetcher. A
fetch that fails gives the guest EIO and is remembered in `failures`, which the embedder reports.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import quote, urljoin

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Filetype
from pywasi_web.errors import PywasiError, WasiError
from pywasi_web.vfs.base import DirNode, FileNode, FileSystem, Node, OpenFile, Stat, SymlinkNode
from pywasi_web.vfs.fetch_cache import DEFAULT_CACHE_BYTES, FetchCache
from pywasi_web.vfs.manifest import Entry, parse_manifest

RANGE_THRESHOLD = 1 << 20
"""Files larger than this are fetched in blocks as they are read, smaller ones whole at open."""
BLOCK_SIZE = 1 << 18
WHOLE = -1
"""The cache key index of a whole file (blocks are keyed by their index, from 0)."""

_devices = itertools.count(1 << 20)  # apart from MemoryFS's device numbers


class FetchError(Exception):
    """A fetch that failed; the message names the URL and the reason."""


class Fetcher(Protocol):
    def fetch(self, url: str, span: tuple[int, int] | None = None) -> tuple[int, bytes]:
        """The bytes at `url`, or those in [start, end) with a range request: (the offset the
        returned bytes start at, the bytes). A server that ignores the range answers with the
        whole resource, offset 0. Raise FetchError when there is no answer or not a 2xx one."""
        ...


def answered_offset(status: int, content_range: str | None) -> int:
    """Where the bytes of an HTTP answer start in the file: a 206's Content-Range ("bytes
    100-199/1000") says; any other status carries the whole file."""
    if status != 206:
        return 0
    try:
        return int((content_range or "").split()[1].split("-")[0])
    except (IndexError, ValueError):
        raise FetchError(f"a 206 answer with Content-Range {content_range!r}") from None


def load_url_mount(manifest_url: str, fetcher: Fetcher, *, cache_bytes: int = DEFAULT_CACHE_BYTES) -> UrlFS:
    """The URL mount a manifest at `manifest_url` declares (its files relative to it); a
    PywasiError of one line when the manifest cannot be fetched or read."""
    try:
        _offset, data = fetcher.fetch(manifest_url)
        return UrlFS(json.loads(data), manifest_url, fetcher, cache_bytes=cache_bytes)
    except FetchError as error:
        raise PywasiError(f"cannot fetch the manifest {manifest_url}: {error}") from None
    except ValueError as error:  # not JSON, not UTF-8, not a manifest
        raise PywasiError(f"the manifest {manifest_url}: {error}") from None


def _read_only(what: str) -> WasiError:
    return WasiError(Errno.ROFS, f"{what}: a URL mount is read-only")


class _UrlNode:
    def __init__(self, fs: UrlFS, mtim: int) -> None:
        self.fs = fs
        self.ino = next(fs.inodes)
        self.mtim = mtim

    @property
    def key(self) -> object:
        return self

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        raise _read_only("setting times")

    def _stat(self, filetype: Filetype, size: int, nlink: int = 1) -> Stat:
        return Stat(filetype, size, nlink, self.ino, self.fs.dev, self.mtim, self.mtim, self.mtim)


class UrlFile(_UrlNode, FileNode, OpenFile):
    """A file of the manifest; it is its own open handle (what it fetched is in its mount's
    FetchCache, under (file, WHOLE) or (file, block index), and may be dropped there at any time)."""

    def __init__(self, fs: UrlFS, url: str, size: int, mtim: int) -> None:
        super().__init__(fs, mtim)
        self.url = url
        self._size = size

    def stat(self) -> Stat:
        return self._stat(Filetype.REGULAR_FILE, self._size)

    def open(self, *, read: bool, write: bool) -> OpenFile:
        if write:
            raise _read_only(self.url)
        if self._size <= RANGE_THRESHOLD and self._cached_whole() is None:
            self._fetch(None)  # a small file is fetched at open: a missing one fails there
        return self

    def pread(self, offset: int, size: int) -> bytes:
        end = min(offset + size, self._size)
        if offset >= end:
            return b""
        whole = self._cached_whole()
        if whole is None and self._size <= RANGE_THRESHOLD:  # fetched at open, dropped since
            whole = self._fetch(None)[WHOLE]
        if whole is not None:
            return whole[offset:end]
        first, last = offset // BLOCK_SIZE, (end - 1) // BLOCK_SIZE
        cache = self.fs.cache
        blocks = {index: cache.get((self, index)) for index in range(first, last + 1)}
        missing = [index for index, block in blocks.items() if block is None]
        if missing:
            span = (missing[0] * BLOCK_SIZE, min((missing[-1] + 1) * BLOCK_SIZE, self._size))
            fetched = self._fetch(span)
            if WHOLE in fetched:
                return fetched[WHOLE][offset:end]
            if any(index not in fetched for index in missing):
                raise self.fs.failed(
                    self.url, f"the answer to a range request lacks bytes {span[0]}-{span[1] - 1}"
                )
            blocks.update(fetched)  # in hand, whatever the cache has dropped meanwhile
        joined = b"".join(blocks[index] or b"" for index in range(first, last + 1))
        return joined[offset - first * BLOCK_SIZE : end - first * BLOCK_SIZE]

    def _cached_whole(self) -> bytes | None:
        return b"" if self._size == 0 else self.fs.cache.get((self, WHOLE))

    def _fetch(self, span: tuple[int, int] | None) -> dict[int, bytes]:
        """Fetch the file or `span` of it; the pieces the answer holds (see _pieces), also put
        in the mount's cache."""
        pieces = self._pieces(*self.fs.fetch(self.url, span))
        for index, piece in pieces.items():
            self.fs.cache.put((self, index), piece)
        return pieces

    def _pieces(self, start: int, data: bytes) -> dict[int, bytes]:
        """What a fetch returned: the whole file ({WHOLE: data}), or the whole blocks of a range
        (and the file's last, short block) by index."""
        if start == 0 and len(data) == self._size:
            return {WHOLE: data}
        if (
            start % BLOCK_SIZE
            or start + len(data) > self._size
            or (start == 0 and self._size <= RANGE_THRESHOLD)
        ):
            raise self.fs.failed(
                self.url,
                f"the server answered bytes {start}-{start + len(data) - 1} of a {self._size}-byte file",
            )
        pieces = {}
        for at in range(0, len(data), BLOCK_SIZE):
            block = data[at : at + BLOCK_SIZE]
            if len(block) == BLOCK_SIZE or start + at + len(block) == self._size:
                pieces[(start + at) // BLOCK_SIZE] = block
        return pieces

    def pwrite(self, offset: int, data: bytes | memoryview) -> int:
        raise _read_only(self.url)

    def size(self) -> int:
        return self._size

    def truncate(self, size: int) -> None:
        raise _read_only(self.url)


class UrlSymlink(_UrlNode, SymlinkNode):
    def __init__(self, fs: UrlFS, target: str, mtim: int) -> None:
        super().__init__(fs, mtim)
        self._target = target

    def target(self) -> str:
        return self._target

    def stat(self) -> Stat:
        return self._stat(Filetype.SYMBOLIC_LINK, len(self._target.encode()))


class UrlDir(_UrlNode, DirNode):
    def __init__(self, fs: UrlFS, mtim: int) -> None:
        super().__init__(fs, mtim)
        self.children: dict[str, UrlFile | UrlDir | UrlSymlink] = {}

    def stat(self) -> Stat:
        return self._stat(Filetype.DIRECTORY, 4096, 2)

    def lookup(self, name: str) -> Node | None:
        return self.children.get(name)

    def entries(self) -> Iterable[tuple[str, int, Filetype]]:
        return [(name, node.ino, node.filetype) for name, node in self.children.items()]

    def create_file(self, name: str) -> FileNode:
        raise _read_only(name)

    def mkdir(self, name: str) -> None:
        raise _read_only(name)

    def symlink(self, name: str, target: str) -> None:
        raise _read_only(name)

    def link(self, name: str, node: Node) -> None:
        raise _read_only(name)

    def unlink(self, name: str) -> None:
        raise _read_only(name)

    def rmdir(self, name: str) -> None:
        raise _read_only(name)

    def rename(self, name: str, dst: DirNode, dst_name: str) -> None:
        raise _read_only(name)


class UrlFS(FileSystem):
    """The tree a manifest declares, its files at `base_url` + their path (or each entry's own
    `url`), relative URLs resolved against `base_url`; what was fetched is kept in `cache`, up to
    `cache_bytes` (vfs/fetch_cache.py).

    >>> class Files:
    ...     def fetch(self, url, span=None):
    ...         return 0, b"hello"
    >>> fs = UrlFS({"version": 1, "entries": {"a/b.txt": {"size": 5}}}, "https://example.test/t/", Files())
    >>> fs.root().lookup("a").lookup("b.txt").open(read=True, write=False).pread(0, 5)
    b'hello'
    """

    read_only = True

    def __init__(
        self,
        manifest: Mapping[str, Any],
        base_url: str,
        fetcher: Fetcher,
        *,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        entries = parse_manifest(manifest)
        self.fetcher = fetcher
        self.cache = FetchCache(cache_bytes)
        self.base_url = urljoin(base_url, str(manifest.get("base", "")))
        self.dev = next(_devices)
        self.inodes = itertools.count(1)
        self.failures: list[str] = []
        self.fetches = 0
        self._root = UrlDir(self, 0)
        for path, entry in entries.items():
            self._install(path, entry)

    def root(self) -> UrlDir:
        return self._root

    def fetch(self, url: str, span: tuple[int, int] | None) -> tuple[int, bytes]:
        self.fetches += 1
        try:
            return self.fetcher.fetch(url, span)
        except FetchError as error:
            raise self.failed(url, str(error)) from None

    def failed(self, url: str, reason: str) -> WasiError:
        """EIO for the guest; the reason is kept for the embedder."""
        message = f"cannot fetch {url}: {reason}"
        self.failures.append(message)
        return WasiError(Errno.IO, message)

    def _install(self, path: str, entry: Entry) -> None:
        *parents, name = path.split("/")
        directory = self._root
        for part in parents:
            child = directory.children.get(part)
            if child is None:
                child = directory.children[part] = UrlDir(self, entry.mtime)
            assert isinstance(child, UrlDir)  # parse_manifest refused a path through a non-directory
            directory = child
        if entry.kind == "directory":
            if not isinstance(directory.children.get(name), UrlDir):
                directory.children[name] = UrlDir(self, entry.mtime)
        elif entry.kind == "symlink":
            directory.children[name] = UrlSymlink(self, entry.target, entry.mtime)
        else:
            url = urljoin(self.base_url, entry.url or quote(path))
            directory.children[name] = UrlFile(self, url, entry.size, entry.mtime)
