"""The browser's store (browser/stores.py BrowserStore) over a fake backend, with no browser: where
a call cannot wait (a guest import's synchronous try), a store operation reports the kernel's
WouldBlock before it sends or copies anything; the generic retry path (kernel/waiting.until_ready,
as preview1's loop) waits and re-runs the call, which then waits for its promise and finishes."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Oflags
from pywasi_web.browser.stores import BackendFailure, BrowserStore, StoreError, _wait
from pywasi_web.errors import WasiError
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.kernel.waiting import WouldBlock, until_ready
from pywasi_web.vfs import PersistentFS
from tests.unit.helpers import make_kernel, open_file


class Settled:
    """A promise that has settled (the fake backend answers at once)."""

    def __init__(self, value: Any = None, failure: BackendFailure | None = None) -> None:
        self.value, self.failure = value, failure


class FakeHost:
    """Stands for Pyodide: `can` is False in an import's synchronous try, True where the call can
    wait (a JSPI re-run, the worker's own handlers)."""

    def __init__(self) -> None:
        self.can = True

    def can_wait(self) -> bool:
        return self.can

    def wait(self, start: Callable[[], Settled]) -> Any:
        promise = start()
        if promise.failure is not None:
            raise promise.failure
        return promise.value

    def to_js(self, value: Any) -> Any:
        return list(value)

    def to_bytes(self, value: Any) -> bytes:
        return bytes(value)


class FakeBackend:
    """One store's records in a dict, with the generation check of idb_store.js; every call noted."""

    def __init__(self) -> None:
        self.records: dict[str, bytes] = {}
        self.stored_generation = 0
        self.calls: list[str] = []
        self.full = False

    def load(self, prefix: str) -> Settled:
        self.calls.append("load")
        found = {key: value for key, value in self.records.items() if key.startswith(prefix)}
        return Settled(SimpleNamespace(keys=list(found), values=list(found.values())))

    def get(self, key: str) -> Settled:
        self.calls.append(f"get {key}")
        return Settled(self.records.get(key))

    def generation(self) -> Settled:
        self.calls.append("generation")
        return Settled(self.stored_generation)

    def commit(self, keys: list[str], values: list[Any], deletes: list[str], expected: int) -> Settled:
        self.calls.append("commit")
        if expected != self.stored_generation:
            return Settled(failure=BackendFailure("StoreConflict", "moved on"))
        if self.full:
            return Settled(failure=BackendFailure("StoreFull", "the quota is exhausted"))
        for key in deletes:
            self.records.pop(key, None)
        self.records.update({key: bytes(value) for key, value in zip(keys, values, strict=True)})
        self.stored_generation += 1
        return Settled(self.stored_generation)

    def close(self) -> None:
        pass


class SynchronousTry:
    """The engine's waiter under JSPI: a wait in an import's synchronous try is where the import is
    suspended and re-run with stack switching, after which the host can wait."""

    def __init__(self, host: FakeHost) -> None:
        self.host = host
        self.waits = 0

    def wait(self, timeout: float | None) -> None:
        self.waits += 1
        self.host.can = True

    def notify(self) -> None:
        pass

    def cancel(self, reason: str) -> None:
        pass


def mounted(backend: FakeBackend, host: FakeHost) -> tuple[PersistentFS, Kernel]:
    fs = PersistentFS(BrowserStore(backend, "fake", "test", promises=host))
    return fs, make_kernel(fs)


def written(backend: FakeBackend, host: FakeHost, data: bytes) -> tuple[PersistentFS, Kernel, int]:
    """A mount with f.txt open and `data` written to it, not yet written back."""
    fs, kernel = mounted(backend, host)
    fd = open_file(kernel, "f.txt", Oflags.CREAT)
    kernel.fds.get(fd).pwrite(data, 0)
    return fs, kernel, fd


def test_a_close_that_must_write_back_would_block_before_anything_is_sent() -> None:
    host, backend = FakeHost(), FakeBackend()
    fs, kernel, fd = written(backend, host, b"kept")
    backend.calls.clear()
    host.can = False  # the guest's fd_close, tried synchronously
    with pytest.raises(WouldBlock) as blocked:
        kernel.fds.close(fd)
    assert blocked.value.timeout is None
    assert backend.calls == []  # no request started, no record copied
    assert kernel.fds.get(fd) is not None and fs.pending  # the close did not happen
    waiter = SynchronousTry(host)
    until_ready(waiter, lambda: kernel.fds.close(fd))
    assert (waiter.waits, backend.calls, fs.pending) == (1, ["commit"], False)
    with pytest.raises(WasiError):
        kernel.fds.get(fd)
    assert mounted(backend, FakeHost())[0].snapshot() == {"f.txt": b"kept"}


def test_reading_a_lazily_stored_file_would_block_then_reads_it() -> None:
    host, backend = FakeHost(), FakeBackend()
    _fs, kernel, fd = written(backend, host, b"stored bytes")
    kernel.fds.close(fd)
    _fs, kernel = mounted(backend, host)
    fd = open_file(kernel, "f.txt")
    backend.calls.clear()
    host.can = False
    waiter = SynchronousTry(host)
    assert until_ready(waiter, lambda: kernel.fds.get(fd).pread(100, 0)) == b"stored bytes"
    assert waiter.waits == 1
    assert [call.split(":")[0] for call in backend.calls] == ["get data"]  # the file's bytes, once


def test_a_full_store_after_the_wait_is_enospc_and_keeps_what_was_stored() -> None:
    host, backend = FakeHost(), FakeBackend()
    _fs, kernel, fd = written(backend, host, b"first")
    kernel.fds.close(fd)
    fs, kernel, fd = written(backend, host, b"second, too big")
    backend.full, host.can = True, False
    with pytest.raises(WasiError) as failed:
        until_ready(SynchronousTry(host), lambda: kernel.fds.close(fd))
    assert failed.value.errno == Errno.NOSPC
    assert fs.pending  # still unwritten: a later write-back may succeed
    assert mounted(backend, FakeHost())[0].snapshot() == {"f.txt": b"first"}


def test_outside_an_import_a_store_that_cannot_wait_is_a_clear_error() -> None:
    host = FakeHost()
    host.can = False
    started: list[bool] = []
    with pytest.raises(StoreError, match="wait for the browser with JSPI"):
        _wait(lambda: started.append(True), in_import=False, promises=host)
    assert started == []
