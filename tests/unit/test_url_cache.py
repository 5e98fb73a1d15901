"""A URL mount's fetch cache is bounded in bytes: a tree larger than the bound still reads every
file correctly, in any order and again, while what the cache holds never exceeds the bound."""

from __future__ import annotations

import doctest
import json
from collections.abc import Iterator

import pytest

from pywasi_web.abi.types import Rights
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.vfs import fetch_cache
from pywasi_web.vfs.fetch_cache import FetchCache
from pywasi_web.vfs.http_fetch import UrllibFetcher
from pywasi_web.vfs.manifest import build_manifest
from pywasi_web.vfs.url import BLOCK_SIZE, RANGE_THRESHOLD, UrlFS
from tests.served import served
from tests.unit.helpers import PREOPEN_FD, make_kernel

BOUND = 3 * BLOCK_SIZE  # 768 KiB: less than one large file
SMALL = 20
BIG_SIZE = RANGE_THRESHOLD + 2 * BLOCK_SIZE + 123


def _content(index: int, size: int) -> bytes:
    return bytes((index * 7 + offset) % 251 for offset in range(size))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, bytes], str]]:
    root = tmp_path_factory.mktemp("cache")
    web = root / "web" / "tree"
    (web / "small").mkdir(parents=True)
    files = {f"small/{index}.txt": _content(index, 40_000 + index) for index in range(SMALL)}
    files |= {f"big{index}.bin": _content(100 + index, BIG_SIZE) for index in range(2)}
    for path, data in files.items():
        (web / path).write_bytes(data)
    (web / "manifest.json").write_text(json.dumps(build_manifest(web)))
    assert sum(map(len, files.values())) > 4 * BOUND
    with served(root) as base:
        yield files, base + "tree/manifest.json"


class Fetches(UrllibFetcher):
    def __init__(self) -> None:
        self.count = 0

    def fetch(self, url: str, span: tuple[int, int] | None = None) -> tuple[int, bytes]:
        self.count += 1
        return super().fetch(url, span)


def _mount(manifest_url: str, bound: int) -> tuple[UrlFS, Kernel, Fetches]:
    fetcher = Fetches()
    _offset, manifest = fetcher.fetch(manifest_url)
    fs = UrlFS(json.loads(manifest), manifest_url, fetcher, cache_bytes=bound)
    return fs, make_kernel(fs), fetcher


def _read(kernel: Kernel, path: str, offset: int = 0, size: int = 1 << 24) -> bytes:
    fd = kernel.path_open(PREOPEN_FD, 1, path, 0, Rights.FD_READ | Rights.FD_SEEK, 0, 0)
    try:
        return kernel.fds.get(fd).pread(size, offset)
    finally:
        kernel.fds.close(fd)


def test_a_tree_larger_than_the_bound_reads_correctly_within_it(tree: tuple[dict[str, bytes], str]) -> None:
    files, manifest_url = tree
    fs, kernel, fetcher = _mount(manifest_url, BOUND)
    held = []
    for round_ in range(2):  # the second round finds most of the first one's pieces dropped
        for path in sorted(files, reverse=bool(round_)):
            assert _read(kernel, path) == files[path], path
            held.append(fs.cache.held_bytes)
    assert max(held) <= BOUND
    assert fs.cache.evictions > 0
    first_round = fetcher.count
    # A range read of a large file, block by block: each block fetched once while it stays cached.
    big = files["big0.bin"]
    for offset in range(0, BIG_SIZE, BLOCK_SIZE // 2):
        assert _read(kernel, "big0.bin", offset, 1000) == big[offset : offset + 1000]
        assert fs.cache.held_bytes <= BOUND
    assert fetcher.count - first_round == BIG_SIZE // BLOCK_SIZE + 1


def test_recently_read_files_stay_and_are_not_fetched_again(tree: tuple[dict[str, bytes], str]) -> None:
    files, manifest_url = tree
    fs, kernel, fetcher = _mount(manifest_url, BOUND)
    recent = sorted(path for path in files if path.startswith("small/"))[:5]
    for path in recent:
        _read(kernel, path)
    before = fetcher.count
    for path in recent * 3:
        assert _read(kernel, path) == files[path]
    assert fetcher.count == before
    assert fs.cache.held_bytes == sum(len(files[path]) for path in recent)


def test_a_bound_of_zero_keeps_nothing_and_still_reads(tree: tuple[dict[str, bytes], str]) -> None:
    files, manifest_url = tree
    fs, kernel, _fetcher = _mount(manifest_url, 0)
    for path in ("small/3.txt", "big1.bin"):
        assert _read(kernel, path) == files[path]
    assert fs.cache.held_bytes == 0


def test_a_negative_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more bytes"):
        FetchCache(-1)


def test_the_cache_examples_hold() -> None:
    assert doctest.testmod(fetch_cache).failed == 0
