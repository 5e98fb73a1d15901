"""Build a Kernel with no engine, so tests drive the system calls directly."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from pywasi_web.abi.types import ALL_RIGHTS
from pywasi_web.errors import WasiError
from pywasi_web.kernel.kernel import Kernel, Preopen
from pywasi_web.kernel.streams import BytesInput, CaptureOutput, InputStream
from pywasi_web.kernel.waiting import ThreadWaiter
from pywasi_web.vfs import HostDir
from pywasi_web.vfs.base import FileSystem
from pywasi_web.vfs.host import HARD_LINKS

PREOPEN_FD = 3


def make_kernel(*filesystems: FileSystem, stdin: InputStream | None = None, max_open: int = 1024) -> Kernel:
    waiter = ThreadWaiter()
    return Kernel(
        args=[b"prog"],
        env=[],
        stdin=stdin or BytesInput(b""),
        stdout=CaptureOutput(),
        stderr=CaptureOutput(),
        waiter=waiter,
        preopens=[Preopen(f"/m{index}", fs) for index, fs in enumerate(filesystems)],
        max_open=max_open,
    )


def open_file(kernel: Kernel, path: str, oflags: int = 0, fd: int = PREOPEN_FD, fdflags: int = 0) -> int:
    return kernel.path_open(fd, 0, path, oflags, ALL_RIGHTS, ALL_RIGHTS, fdflags)


def errno_of(call: Callable[..., object], *args: object) -> int:
    """The errno of the WasiError `call(*args)` must raise."""
    with pytest.raises(WasiError) as caught:
        call(*args)
    return caught.value.errno


def walked_host_dir(path: str | os.PathLike[str]) -> HostDir:
    """A HostDir whose directory nodes keep their paths, as on Pyodide (where a descriptor of a
    directory follows the path it was opened with), so CPython tests that way too."""
    fs = HostDir(path)
    fs.holds_directories = False
    return fs


def has_hard_links(fs: FileSystem) -> bool:
    """Every FS but a HostDir on a host without link(2) (Pyodide), where path_link gives ENOTSUP."""
    return HARD_LINKS or not isinstance(fs, HostDir)


class ReportingWaiter(ThreadWaiter):
    """A ThreadWaiter that sets `waiting` on entering wait(), so a test acts once the guest waits."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def wait(self, timeout: float | None) -> None:
        self.waiting.set()
        super().wait(timeout)
