"""Persistent trees in the browser: IndexedDBFS and OpfsFS, for Pyodide (worker or notebook).

Each Store backend is JavaScript shipped in the wheel next to this file (idb_store.js: one
IndexedDB transaction per write-back; opfs_store.js: a pack file and a superblock through
FileSystemSyncAccessHandle), both on store_common.js. Their calls return promises, awaited here
with `run_sync` (JSPI) where the call can wait.

Where it cannot (a guest import's synchronous try, see engines/js.py), a store operation raises
the kernel's WouldBlock before it starts anything: no request is sent, no record is copied into
JS. The caller waits as for any other kernel wait (preview1 re-runs the whole call; the engine's
waiter is what decides to suspend and re-run the import with stack switching,
kernel/waiting.py), and on the re-run the operation can wait for its promise. So no store code
knows about the engine, and the rule "nothing happens before the first wait" is the kernel's one
rule, not a special case here. That is also why the imports that may write back or read a lazily
stored file are in abi/signatures.py BLOCKING.

While a tree is open it holds its store's exclusive Web Lock, so a second tab (or run) mounting
the same store is refused at once with StoreError instead of waiting or interleaving.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, Protocol

from pywasi_web.abi.errno import Errno
from pywasi_web.errors import PywasiError, WasiError
from pywasi_web.kernel.waiting import WouldBlock
from pywasi_web.vfs.persistent import PersistentFS, Record, StoreConflict, StoreFull

_SOURCES = {"indexeddb": "idb_store.js", "opfs": "opfs_store.js"}  # backend -> its JS


class StoreError(PywasiError):
    """A persistent store cannot be used: in use by another tab, a bad name, no JSPI, the browser failed."""


class BackendFailure(Exception):
    """A backend's promise was rejected with a JS error of this name and message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


class Promises(Protocol):
    """What a store needs of its host: Pyodide (PYODIDE), or a fake in tests/persistent."""

    def can_wait(self) -> bool:
        """Whether this call can wait for a promise here (False in an import's synchronous try)."""
        ...

    def wait(self, start: Callable[[], Any]) -> Any:
        """The value of the promise `start()` returns; BackendFailure when `start` throws a JS
        error or the promise is rejected with one."""
        ...

    def to_js(self, value: Any) -> Any: ...

    def to_bytes(self, value: Any) -> bytes: ...


class _Pyodide:
    def can_wait(self) -> bool:
        from pyodide.ffi import can_run_sync

        return bool(can_run_sync())

    def wait(self, start: Callable[[], Any]) -> Any:
        from pyodide.ffi import JsException, run_sync

        try:
            return run_sync(start())
        except JsException as error:
            name, message = str(getattr(error, "name", "")), str(getattr(error, "message", error))
            raise BackendFailure(name, message) from None

    def to_js(self, value: Any) -> Any:
        from pyodide.ffi import to_js

        return to_js(value)

    def to_bytes(self, value: Any) -> bytes:
        return bytes(value.to_bytes())


PYODIDE: Promises = _Pyodide()


def _source(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text()


@cache
def _common() -> Any:
    from pyodide.code import run_js

    return run_js(_source("store_common.js"))


@cache
def _backend(kind: str) -> Any:
    from pyodide.code import run_js

    if kind not in _SOURCES:
        raise StoreError(f"unknown persistent store backend {kind!r}: use one of {', '.join(_SOURCES)}")
    return run_js(_source(_SOURCES[kind]))(_common())


def _wait(start: Callable[[], Any], *, in_import: bool, promises: Promises = PYODIDE) -> Any:
    """The value of the promise `start()` returns. Where this call cannot wait, `start` is not
    called: in a guest's import that is WouldBlock (the caller waits and re-runs the call),
    elsewhere a StoreError."""
    if not promises.can_wait():
        if in_import:
            raise WouldBlock()
        raise StoreError("persistent stores wait for the browser with JSPI, which is not available here")
    try:
        return promises.wait(start)
    except BackendFailure as failure:
        raise _translate(failure, in_import) from None


def _translate(failure: BackendFailure, in_import: bool) -> Exception:
    if failure.name == "StoreConflict":
        return StoreConflict(failure.message)
    if failure.name == "StoreFull":
        return StoreFull(failure.message)
    if in_import:
        return WasiError(Errno.IO, f"persistent store: {failure.message}")
    return StoreError(failure.message)


class BrowserStore:
    """The Store protocol (see persistent.Store) over `handle`, one opened store of a JS backend.
    Its operations may be reached from a guest's import, so each one that must wait for the
    browser reports WouldBlock where it cannot (see the module docstring)."""

    def __init__(self, handle: Any, kind: str, name: str, *, promises: Promises = PYODIDE) -> None:
        self.kind = kind
        self.name = name
        self._handle = handle
        self._promises = promises
        self._in_flight: Any = None  # the promise of a commit that has not finished

    @classmethod
    def open(cls, kind: str, name: str) -> BrowserStore:
        return cls(_wait(lambda: _backend(kind).openStore(name), in_import=False), kind, name)

    def _wait(self, start: Callable[[], Any]) -> Any:
        return _wait(start, in_import=True, promises=self._promises)

    def load(self, prefix: str) -> dict[str, bytes]:
        found = self._wait(lambda: self._handle.load(prefix))
        to_bytes = self._promises.to_bytes
        return {str(key): to_bytes(value) for key, value in zip(found.keys, found.values, strict=True)}

    def get(self, key: str) -> bytes | None:
        value = self._wait(lambda: self._handle.get(key))
        return None if value is None else self._promises.to_bytes(value)

    def generation(self) -> int:
        return int(self._wait(lambda: self._handle.generation()))

    def commit(self, puts: dict[str, Record], deletes: list[str], expected_generation: int) -> int:
        """The records are copied into JS only once the call can wait for the commit."""
        to_js = self._promises.to_js

        def start() -> Any:
            self._in_flight = self._handle.commit(
                to_js(list(puts)), to_js(list(puts.values())), to_js(deletes), expected_generation
            )
            return self._in_flight

        try:
            return int(self._wait(start))
        finally:
            self._in_flight = None

    def settle(self) -> None:
        """Wait until a commit started elsewhere (a guest suspended in its write-back) has finished,
        so that a write-back from outside the guest (rt.sync) does not race it."""
        if self._in_flight is not None:
            settled = self._in_flight.then(lambda _value: None, lambda _error: None)
            _wait(lambda: settled, in_import=False, promises=self._promises)

    def close(self) -> None:
        self._handle.close()

    def __repr__(self) -> str:
        return f"{self.kind} store {self.name!r}"


class BrowserStoreFS(PersistentFS):
    """A persistent tree in the store `name` of backend `kind`, holding its Web Lock until close()."""

    def __init__(
        self, kind: str, name: str, *, read_only: bool = False, max_bytes: int | None = None
    ) -> None:
        self._release = _wait(lambda: _common().lockStore(kind, name), in_import=False)
        try:
            store = BrowserStore.open(kind, name)
            try:
                super().__init__(store, read_only=read_only, max_bytes=max_bytes)
            except (ValueError, KeyError) as error:  # not a tree this version wrote
                store.close()
                raise StoreError(f"{store!r} cannot be read: {error}") from None
            except BaseException:
                store.close()
                raise
        except BaseException:
            self._release()
            raise
        self.browser_store = store

    def close(self) -> None:
        """Let go of the store and its lock (after the last write-back). Where this can wait (JSPI),
        until the browser has let the lock go: a store closed in a notebook cell reopens at once."""
        self.browser_store.close()
        released = self._release()
        if PYODIDE.can_wait():
            PYODIDE.wait(lambda: released)

    def __repr__(self) -> str:
        return repr(self.browser_store)


class IndexedDBFS(BrowserStoreFS):
    """A persistent tree in the IndexedDB store `name` (database "pywasi-store:<name>")."""

    def __init__(self, name: str, *, read_only: bool = False, max_bytes: int | None = None) -> None:
        super().__init__("indexeddb", name, read_only=read_only, max_bytes=max_bytes)


class OpfsFS(BrowserStoreFS):
    """A persistent tree in the OPFS store `name` (directory pywasi-stores/<name>; dedicated workers)."""

    def __init__(self, name: str, *, read_only: bool = False, max_bytes: int | None = None) -> None:
        super().__init__("opfs", name, read_only=read_only, max_bytes=max_bytes)


def list_stores(kind: str) -> list[str]:
    """The names of this origin's stores in backend `kind`."""
    return [str(name) for name in _wait(lambda: _backend(kind).listStores(), in_import=False)]


def delete_store(kind: str, name: str) -> None:
    """Delete a store (refused with StoreError while another tab or run has it mounted)."""
    _wait(lambda: _backend(kind).deleteStore(name), in_import=False)
