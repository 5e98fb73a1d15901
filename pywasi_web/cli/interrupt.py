"""Ctrl-C for `pywasi-web run`: stop the guest at once, even while it computes.

Python runs a SIGINT handler only between bytecodes of the main thread, which never come while the
guest computes inside wasmtime, so a KeyboardInterrupt would wait for the guest to finish. But
CPython's C-level handler also writes the signal's number to the wakeup fd
(`signal.set_wakeup_fd`): a watcher thread reads it and stops the guest as a timeout does (the
`stop` callback: wasmtime's epoch interruption for a computing guest, the waiter's cancel for a
waiting one). A second Ctrl-C, should the first not be honoured (a host call stuck in the OS),
ends the process at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process that Ctrl-C ended
REASON = "interrupted (Ctrl-C)"


class StopOnSigint:
    """While entered (in the main thread), SIGINT calls `stop(REASON)` from a watcher thread."""

    def __init__(self, stop: Callable[[str], None]) -> None:
        self._stop = stop
        self.interrupted = False
        self._read = self._write = -1
        self._watcher: threading.Thread | None = None
        self._previous_handler: object = None
        self._previous_fd = -1

    def __enter__(self) -> StopOnSigint:
        if threading.current_thread() is not threading.main_thread():
            return self  # signals reach only the main thread's handlers: nothing to watch here
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)  # set_wakeup_fd requires it
        self._previous_handler = signal.signal(signal.SIGINT, self._on_signal)
        self._previous_fd = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        self._watcher = threading.Thread(target=self._watch, name="pywasi-sigint", daemon=True)
        self._watcher.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._watcher is None:
            return
        signal.set_wakeup_fd(self._previous_fd)
        signal.signal(signal.SIGINT, self._previous_handler)  # type: ignore[arg-type]
        os.close(self._write)  # the watcher reads end of file and returns
        self._watcher.join()
        os.close(self._read)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """The Python-level handler: the watcher thread has already acted on this signal."""

    def _watch(self) -> None:
        while numbers := os.read(self._read, 64):
            for _ in range(numbers.count(signal.SIGINT)):
                if self.interrupted:
                    print("pywasi-web: interrupted twice: exiting now", file=sys.stderr, flush=True)
                    os._exit(EXIT_INTERRUPTED)
                self.interrupted = True
                self._stop(REASON)
