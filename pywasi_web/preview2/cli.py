"""wasi:cli: environment, exit, stdin/stdout/stderr and the terminal interfaces, from the Kernel."""

from __future__ import annotations

from pywasi_web.component.values import Ok
from pywasi_web.errors import ProcExit
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.kernel.streams import GatheredOutput
from pywasi_web.kernel.streams import InputStream as Source
from pywasi_web.kernel.streams import OutputStream as Sink
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.preview2.io import DirectOutputStream, InputStream, OutputStream


def _text(value: bytes) -> str:
    """Arguments and environment are bytes in the kernel and strings in WASI 0.2."""
    return value.decode("utf-8", "replace")


class Environment:
    """wasi:cli/environment."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def get_environment(self) -> list[tuple[str, str]]:
        pairs = []
        for item in self._kernel.env:
            name, _, value = _text(item).partition("=")
            pairs.append((name, value))
        return pairs

    def get_arguments(self) -> list[str]:
        return [_text(arg) for arg in self._kernel.args]

    def initial_cwd(self) -> str | None:
        return None


class Exit:
    """wasi:cli/exit: unwinds the guest with ProcExit, as Preview 1's proc_exit does."""

    def exit(self, status: object) -> None:
        raise ProcExit(0 if isinstance(status, Ok) else 1)

    def exit_with_code(self, status_code: int) -> None:
        raise ProcExit(status_code)


class StdinStream(InputStream):
    def __init__(self, source: Source, waiter: Waiter) -> None:
        super().__init__(waiter)
        self._source = source

    def _ready(self) -> bool:
        return self._source.ready()

    def _take(self, size: int) -> bytes | None:
        return self._source.read(size) if self._source.ready() else None


class SinkStream(DirectOutputStream):
    """stdout or stderr: never full, so writes go straight to the kernel's sink."""

    def __init__(self, sink: Sink, waiter: Waiter) -> None:
        super().__init__(waiter)
        self._sink = sink

    def _put(self, data: bytes) -> None:
        self._sink.write(data)

    def gather_key(self) -> int | None:
        # A gathered sink only passes bytes on (kernel/hot.py), so a write is the gatherer's alone.
        return self._sink.key if isinstance(self._sink, GatheredOutput) else None

    def _push(self) -> None:
        # A gathered stream is delivered by the engine's policy (at the end of the call into the
        # guest, before it waits, on a timer), as a core module's writes are: a flush per
        # blocking-write-and-flush would post every write to the page on its own.
        if not isinstance(self._sink, GatheredOutput):
            self._sink.flush()


class Stdin:
    """wasi:cli/stdin."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def get_stdin(self) -> InputStream:
        return StdinStream(self._kernel.stdin, self._kernel.waiter)


class Stdout:
    """wasi:cli/stdout."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def get_stdout(self) -> OutputStream:
        return SinkStream(self._kernel.output_sink(1), self._kernel.waiter)


class Stderr:
    """wasi:cli/stderr."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def get_stderr(self) -> OutputStream:
        return SinkStream(self._kernel.output_sink(2), self._kernel.waiter)


class TerminalInput:
    """A terminal-input resource: no methods in 0.2."""


class TerminalOutput:
    """A terminal-output resource: no methods in 0.2."""


class TerminalInputInterface:
    """wasi:cli/terminal-input."""

    TerminalInput = TerminalInput


class TerminalOutputInterface:
    """wasi:cli/terminal-output."""

    TerminalOutput = TerminalOutput


class TerminalStdio:
    """wasi:cli/terminal-stdin, -stdout and -stderr: the guest's stdio is never a terminal here
    (its streams are pipes into the embedder), which is what wasmtime answers for piped stdio."""

    def get_terminal_stdin(self) -> TerminalInput | None:
        return None

    def get_terminal_stdout(self) -> TerminalOutput | None:
        return None

    def get_terminal_stderr(self) -> TerminalOutput | None:
        return None
