"""FetchCache: what a URL mount (vfs/url.py) has fetched, kept up to a number of bytes.

A URL mount kept across runs (rt.mount in the browser) would otherwise keep every file a guest
ever read in the worker's memory: a toolchain of hundreds of MB, read once, would stay there. The
cache holds whole files and aligned blocks of large ones, and drops the least recently used when a
new piece would go past `max_bytes`. Everything in it is a clean copy of read-only data on a
server, so dropping it loses nothing: the next read fetches it again.

A piece larger than the whole bound is handed to its reader but never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

DEFAULT_CACHE_BYTES = 64 << 20
"""The default bound: a few large files or many small ones, far below a worker's memory."""


class FetchCache:
    """A least-recently-used map of pieces of fetched files, bounded by the bytes it holds.

    >>> cache = FetchCache(10)
    >>> cache.put("a", b"123456")
    >>> cache.put("b", b"7890")
    >>> cache.get("a") is not None  # "a" is now the most recently used
    True
    >>> cache.put("c", b"xy")        # 12 bytes: "b" goes
    >>> (cache.get("b"), cache.held_bytes)
    (None, 8)
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"a URL mount's cache bound must be 0 or more bytes, not {max_bytes}")
        self.max_bytes = max_bytes
        self.held_bytes = 0
        self.evictions = 0
        self._pieces: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        data = self._pieces.get(key)
        if data is not None:
            self._pieces.move_to_end(key)
        return data

    def put(self, key: Hashable, data: bytes) -> None:
        """Keep `data` under `key` (unless it alone is over the bound), dropping the least recently
        used pieces until what is held fits."""
        old = self._pieces.pop(key, None)
        if old is not None:
            self.held_bytes -= len(old)
        if len(data) > self.max_bytes:
            return
        self._pieces[key] = data
        self.held_bytes += len(data)
        while self.held_bytes > self.max_bytes:
            _key, dropped = self._pieces.popitem(last=False)
            self.held_bytes -= len(dropped)
            self.evictions += 1
