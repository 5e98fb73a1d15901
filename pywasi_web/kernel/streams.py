"""Byte streams behind stdio descriptors: where guest input comes from and output goes.

An InputStream says whether a read would block (`ready`), so poll_oneoff and O_NONBLOCK work
without guessing; interactive sources push data in and notify the kernel's Waiter.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import BinaryIO, Protocol

from pywasi_web.kernel.waiting import Waiter


class InputStream(ABC):
    @abstractmethod
    def ready(self) -> bool:
        """True when read() would return at once (data or end of input)."""

    @abstractmethod
    def read(self, size: int) -> bytes:
        """Up to `size` bytes, b"" at end of input; called only when ready(), or when ready() is
        always True (a source that blocks in its own way: a host file, a callback)."""

    def available(self) -> int:
        """Bytes readable without blocking, for poll_oneoff's nbytes."""
        return 0


class OutputStream(ABC):
    @abstractmethod
    def write(self, data: bytes | memoryview) -> int: ...

    def flush(self) -> None:
        """Push buffered output to its destination."""


class BytesInput(InputStream):
    """Input given up front; never blocks."""

    def __init__(self, data: bytes = b"") -> None:
        self._data = memoryview(bytes(data))
        self._pos = 0

    def ready(self) -> bool:
        return True

    def available(self) -> int:
        return len(self._data) - self._pos

    def read(self, size: int) -> bytes:
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return bytes(chunk)


class CallbackInput(InputStream):
    """Input from a function returning the next chunk (b"" at end); it may block."""

    def __init__(self, source: Callable[[int], bytes]) -> None:
        self._source = source
        self._pending = b""
        self._ended = False

    def ready(self) -> bool:
        return True

    def read(self, size: int) -> bytes:
        if not self._pending and not self._ended:
            self._pending = bytes(self._source(size))
            self._ended = not self._pending
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk


class FileInput(CallbackInput):
    """Input read from a binary file object."""

    def __init__(self, file: BinaryIO) -> None:
        read1 = getattr(file, "read1", None)
        super().__init__(read1 if read1 is not None else file.read)


class QueueInput(InputStream):
    """Interactive input pushed by the embedder (feed/close), which wakes the kernel's Waiter."""

    def __init__(self, waiter: Waiter) -> None:
        self._waiter = waiter
        self._buffer = bytearray()
        self._closed = False
        self._lock = threading.Lock()

    def feed(self, data: bytes) -> None:
        with self._lock:
            self._buffer += data
        self._waiter.notify()

    def close(self) -> None:
        self._closed = True
        self._waiter.notify()

    def ready(self) -> bool:
        return bool(self._buffer) or self._closed

    def available(self) -> int:
        return len(self._buffer)

    def read(self, size: int) -> bytes:
        """Only when ready(): the kernel reports WouldBlock instead of reading (kernel/waiting.py)."""
        with self._lock:
            chunk = bytes(self._buffer[:size])
            del self._buffer[:size]
        return chunk

    def pump_from_fd(self, fd: int) -> None:
        """Feed from a host descriptor on a daemon thread (the CLI's inherited stdin)."""

        def pump() -> None:
            while chunk := os.read(fd, 65536):
                self.feed(chunk)
            self.close()

        threading.Thread(target=pump, name="pywasi-stdin", daemon=True).start()


class CaptureOutput(OutputStream):
    """Collects output in memory, optionally also passing each chunk to a callback."""

    def __init__(self, on_data: Callable[[bytes], object] | None = None) -> None:
        self.buffer = bytearray()
        self._on_data = on_data

    def write(self, data: bytes | memoryview) -> int:
        self.buffer += data
        if self._on_data is not None:
            self._on_data(bytes(data))
        return len(data)


class CallbackOutput(OutputStream):
    def __init__(self, on_data: Callable[[bytes], object]) -> None:
        self._on_data = on_data

    def write(self, data: bytes | memoryview) -> int:
        self._on_data(bytes(data))
        return len(data)


class FileOutput(OutputStream):
    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def write(self, data: bytes | memoryview) -> int:
        self._file.write(data)
        return len(data)

    def flush(self) -> None:
        self._file.flush()


class FdOutput(OutputStream):
    """Writes straight to a host descriptor: the CLI's inherited stdout and stderr."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        return len(data)


class NullOutput(OutputStream):
    def write(self, data: bytes | memoryview) -> int:
        return len(data)


class Gatherer(Protocol):
    """An engine's output gatherer (the browser's, engines/js.py): keeps writes to several streams
    in order and delivers them in batches, by its own flush policy."""

    def write(self, stream: int, data: bytes) -> None: ...

    def flush(self) -> None: ...


class GatheredOutput(OutputStream):
    """A stream's sink while an engine gathers its output (kernel/hot.py): every write goes to the
    gatherer, in order with the writes the engine answers itself, which delivers them to `sink`.
    Only a sink that passes bytes on is gathered, so no write error is reported late."""

    def __init__(self, gatherer: Gatherer, key: int, sink: OutputStream) -> None:
        self.gatherer = gatherer
        self.key = key
        self.sink = sink

    def write(self, data: bytes | memoryview) -> int:
        self.gatherer.write(self.key, bytes(data))
        return len(data)

    def flush(self) -> None:
        self.gatherer.flush()
