"""The four WASI clocks, read from the host's clocks in nanoseconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Clockid
from pywasi_web.errors import WasiError

# thread_time is missing on some platforms (Pyodide); a single-threaded guest's CPU time is the process's.
_thread_time_ns = getattr(time, "thread_time_ns", time.process_time_ns)

READERS: dict[int, Callable[[], int]] = {
    Clockid.REALTIME: time.time_ns,
    Clockid.MONOTONIC: time.monotonic_ns,
    Clockid.PROCESS_CPUTIME_ID: time.process_time_ns,
    Clockid.THREAD_CPUTIME_ID: _thread_time_ns,
}
_INFO_NAMES: dict[int, Literal["time", "monotonic", "process_time", "thread_time"]] = {
    Clockid.REALTIME: "time",
    Clockid.MONOTONIC: "monotonic",
    Clockid.PROCESS_CPUTIME_ID: "process_time",
    Clockid.THREAD_CPUTIME_ID: "thread_time" if hasattr(time, "thread_time_ns") else "process_time",
}


def now(clock_id: int) -> int:
    reader = READERS.get(clock_id)
    if reader is None:
        raise WasiError(Errno.INVAL, f"unknown clock {clock_id}")
    return reader()


def resolution(clock_id: int) -> int:
    name = _INFO_NAMES.get(clock_id)
    if name is None:
        raise WasiError(Errno.INVAL, f"unknown clock {clock_id}")
    return max(1, round(time.get_clock_info(name).resolution * 1e9))
