"""Turn what the embedder passes as stdin/stdout/stderr into kernel streams."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any, BinaryIO, cast

from pywasi_web.kernel.streams import (
    BytesInput,
    CallbackInput,
    CallbackOutput,
    CaptureOutput,
    FdOutput,
    FileInput,
    FileOutput,
    InputStream,
    OutputStream,
    QueueInput,
)
from pywasi_web.kernel.waiting import Waiter


class _Inherit:
    def __repr__(self) -> str:
        return "INHERIT"


INHERIT: Any = _Inherit()
"""Use the host process's own descriptor (the CLI's choice)."""


def input_stream(stdin: object, waiter: Waiter) -> InputStream:
    if stdin is None:
        return BytesInput(b"")
    if isinstance(stdin, InputStream):
        return stdin
    if isinstance(stdin, bytes | bytearray | memoryview):
        return BytesInput(bytes(stdin))
    if isinstance(stdin, str):
        return BytesInput(stdin.encode())
    if stdin is INHERIT:
        queue = QueueInput(waiter)
        queue.pump_from_fd(sys.stdin.fileno())
        return queue
    if hasattr(stdin, "read"):
        binary = getattr(stdin, "buffer", stdin) if isinstance(stdin, io.TextIOBase) else stdin
        return FileInput(cast(BinaryIO, binary))
    if callable(stdin):
        return CallbackInput(stdin)
    raise TypeError(f"stdin must be bytes, str, a file, a callable or None, not {type(stdin).__name__}")


class _TextOutput(OutputStream):
    """Writes to a text stream such as sys.stdout in a notebook, as the bytes arrive."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: bytes | memoryview) -> int:
        self._stream.write(bytes(data).decode(errors="replace"))
        self._stream.flush()
        return len(data)


def output_stream(target: object, capture: bool, default_fd: int) -> OutputStream:
    on_data: Callable[[bytes], object] | None = None
    if callable(target) and not hasattr(target, "write"):
        on_data = target
    if capture:
        if target is not None and on_data is None:
            raise TypeError("with capture_output=True, stdout/stderr may only be a callback")
        return CaptureOutput(on_data)
    if on_data is not None:
        return CallbackOutput(on_data)
    if target is INHERIT:
        return FdOutput(default_fd)
    if target is None:
        stream = sys.stdout if default_fd == 1 else sys.stderr
        return _TextOutput(stream)
    if isinstance(target, OutputStream):
        return target
    if isinstance(target, io.TextIOBase):
        return _TextOutput(target)
    if hasattr(target, "write"):
        return FileOutput(target)  # type: ignore[arg-type]
    if isinstance(target, int):
        return FdOutput(target)
    raise TypeError(f"stdout/stderr must be a callable, a file or None, not {type(target).__name__}")
