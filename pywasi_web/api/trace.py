"""strace-style tracing of every WASI call a guest makes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from pywasi_web.abi.errno import Errno
from pywasi_web.preview1.functions import TimedTracer

Tracer = Callable[[str, tuple[int, ...], int | None], None]


def strace(stream: TextIO | None = None) -> Tracer:
    """A tracer printing `name(args) = result` lines, errnos by name, like strace."""

    def write(name: str, args: tuple[int, ...], result: int | None) -> None:
        print(f"{name}({', '.join(map(str, args))}) = {shown(result)}", file=stream or sys.stderr)

    return write


def brief(value: object) -> str:
    """A traced WIT value (a component's call) as short text: its repr, cut at 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def shown(result: int | None) -> str:
    """A call's result as strace shows it: 0, an errno's number and name, or ? (no return)."""
    return "?" if result is None else "0" if result == 0 else f"{result} E{Errno(result).name}"


class CallLog:
    """Every call with the seconds it took in the host, for a trace view and an `strace -c`
    summary; past `limit` calls only `dropped` counts, so a long run cannot exhaust memory."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.calls: list[tuple[str, tuple[int, ...], int | None, float]] = []
        self.dropped = 0

    def __call__(self, name: str, args: tuple[int, ...], result: int | None, seconds: float) -> None:
        if len(self.calls) < self.limit:
            self.calls.append((name, args, result, seconds))
        else:
            self.dropped += 1


def make_tracer(trace: bool | Tracer | CallLog | None) -> TimedTracer | None:
    """What preview1 calls: a CallLog takes the time too, a plain tracer just the call."""
    if trace is None or trace is False:
        return None
    if isinstance(trace, CallLog):
        return trace
    untimed = strace() if trace is True else trace

    def call(name: str, args: tuple[int, ...], result: int | None, _seconds: float) -> None:
        untimed(name, args, result)

    return call
