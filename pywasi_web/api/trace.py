"""strace-style tracing of every WASI call a guest makes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from pywasi_web.abi.errno import Errno

Tracer = Callable[[str, tuple[int, ...], int | None], None]


def strace(stream: TextIO | None = None) -> Tracer:
    """A tracer printing `name(args) = result` lines, errnos by name, like strace."""

    def write(name: str, args: tuple[int, ...], result: int | None) -> None:
        shown = "?" if result is None else "0" if result == 0 else f"{result} E{Errno(result).name}"
        print(f"{name}({', '.join(map(str, args))}) = {shown}", file=stream or sys.stderr)

    return write


def make_tracer(trace: bool | Tracer | None) -> Tracer | None:
    if trace is None or trace is False:
        return None
    if trace is True:
        return strace()
    return trace
