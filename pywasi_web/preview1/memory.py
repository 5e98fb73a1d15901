"""Guest linear memory as preview1 sees it: bounds-checked reads and writes.

Each engine supplies an implementation (a memoryview on CPython, typed arrays in the browser).
An access out of bounds raises Fault, which preview1 turns into EFAULT: it never reaches the host.
"""

from collections.abc import Callable
from typing import Protocol

from pywasi_web.abi.layout import IOVEC, U32, U64

RefreshView = Callable[[], memoryview]


class Fault(Exception):
    """A guest pointer or length points outside linear memory."""


class GuestMemory(Protocol):
    def check(self, ptr: int, length: int) -> None:
        """Raise Fault unless [ptr, ptr + length) lies in memory: refuse before doing any work."""
        ...

    def read(self, ptr: int, length: int) -> bytes: ...

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None: ...

    def u32(self, ptr: int) -> int: ...

    def set_u32(self, ptr: int, value: int) -> None: ...

    def set_u64(self, ptr: int, value: int) -> None: ...

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        """The (buf, len) pairs of an iovec array; raises Fault if any lies outside memory."""
        ...

    def gather(self, iovs: list[tuple[int, int]]) -> bytes:
        """Concatenate the bytes the iovecs point at."""
        ...

    def scatter(self, iovs: list[tuple[int, int]], data: bytes | bytearray | memoryview) -> int:
        """Spread data across the iovecs in order; return the count written."""
        ...


class BufferMemory:
    """GuestMemory over any writable Python buffer; `refresh` gives the current one.

    The CPython engine hands a memoryview over wasmtime's linear memory; it is re-fetched when
    an access falls beyond the cached length (the memory may have grown).
    """

    __slots__ = ("_refresh", "_size", "_view")

    def __init__(self, refresh: RefreshView) -> None:
        self._refresh = refresh
        self._view = refresh()
        self._size = len(self._view)

    def _check(self, ptr: int, length: int) -> memoryview:
        end = ptr + length
        if ptr < 0 or length < 0 or end > self._size:
            self._view = self._refresh()
            self._size = len(self._view)
            if ptr < 0 or length < 0 or end > self._size:
                raise Fault(f"guest range {ptr}+{length} outside memory of {self._size} bytes")
        return self._view

    def check(self, ptr: int, length: int) -> None:
        self._check(ptr, length)

    def read(self, ptr: int, length: int) -> bytes:
        return bytes(self._check(ptr, length)[ptr : ptr + length])

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        length = len(data)
        self._check(ptr, length)[ptr : ptr + length] = data

    # The scalar accessors are on every syscall's path: test the cached bounds inline and
    # re-fetch the view (memory may have grown) only when that test fails.
    def u32(self, ptr: int) -> int:
        view = self._view if 0 <= ptr <= self._size - 4 else self._check(ptr, 4)
        return int(U32.unpack_from(view, ptr)[0])

    # A value is stored as the u32/u64 it stands for (as JsMemory does): a guest pointer an engine
    # passed signed, stored back by args_get, must not become a struct.error.
    def set_u32(self, ptr: int, value: int) -> None:
        view = self._view if 0 <= ptr <= self._size - 4 else self._check(ptr, 4)
        U32.pack_into(view, ptr, value & 0xFFFFFFFF)

    def set_u64(self, ptr: int, value: int) -> None:
        view = self._view if 0 <= ptr <= self._size - 8 else self._check(ptr, 8)
        U64.pack_into(view, ptr, value & 0xFFFFFFFFFFFFFFFF)

    def iovecs(self, ptr: int, count: int) -> list[tuple[int, int]]:
        view = self._check(ptr, count * 8)
        pairs = list(IOVEC.iter_unpack(view[ptr : ptr + count * 8]))
        for buf, length in pairs:
            self._check(buf, length)
        return pairs

    def gather(self, iovs: list[tuple[int, int]]) -> bytes:
        view = self._view
        if len(iovs) == 1:
            buf, length = iovs[0]
            return bytes(view[buf : buf + length])
        return b"".join([view[buf : buf + length] for buf, length in iovs])

    def scatter(self, iovs: list[tuple[int, int]], data: bytes | bytearray | memoryview) -> int:
        view = self._view
        src = memoryview(data)
        done = 0
        for buf, length in iovs:
            chunk = src[done : done + length]
            view[buf : buf + len(chunk)] = chunk
            done += len(chunk)
            if done >= len(src):
                break
        return done
