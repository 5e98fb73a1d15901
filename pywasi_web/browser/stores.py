"""Persistent trees in the browser: IndexedDBFS and OpfsFS, for Pyodide (worker or notebook).

Each Store backend is JavaScript shipped in the wheel next to this file (idb_store.js: one
IndexedDB transaction per write-back; opfs_store.js: a pack file and a superblock through
FileSystemSyncAccessHandle), both on store_common.js. Their calls return promises, awaited here
with `run_sync` (JSPI). During a guest import's synchronous try (see js.py) `can_run_sync()` is
False: the call raises MustSuspend before it asks the browser anything, and the import is re-run
with stack switching. That is why the imports that may write back or read a lazily stored file
are in abi/signatures.py BLOCKING.

While a tree is open it holds its store's exclusive Web Lock, so a second tab (or run) mounting
the same store is refused at once with StoreError instead of waiting or interleaving.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from pywasi_web.abi.errno import Errno
from pywasi_web.engines.js import MustSuspend, jspi_available
from pywasi_web.errors import PywasiError, WasiError
from pywasi_web.vfs.persistent import PersistentFS, Record, StoreConflict, StoreFull

_SOURCES = {"indexeddb": "idb_store.js", "opfs": "opfs_store.js"}  # backend -> its JS


class StoreError(PywasiError):
    """A persistent store cannot be used: in use by another tab, a bad name, no JSPI, the browser failed."""


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


def _check_can_wait(*, in_import: bool) -> None:
    """In an import's synchronous try, raise MustSuspend (the import is re-run where it can wait)."""
    from pyodide.ffi import can_run_sync

    if not can_run_sync():
        if in_import and jspi_available():
            raise MustSuspend()
        raise StoreError("persistent stores wait for the browser with JSPI, which is not available here")


def _wait(start: Callable[[], Any], *, in_import: bool) -> Any:
    """Await the promise `start()` returns (see _check_can_wait)."""
    from pyodide.ffi import JsException, run_sync

    _check_can_wait(in_import=in_import)
    try:
        return run_sync(start())
    except JsException as error:
        raise _translate(error, in_import) from None


def _translate(error: Any, in_import: bool) -> Exception:
    name, message = str(getattr(error, "name", "")), str(getattr(error, "message", error))
    if name == "StoreConflict":
        return StoreConflict(message)
    if name == "StoreFull":
        return StoreFull(message)
    if in_import:
        return WasiError(Errno.IO, f"persistent store: {message}")
    return StoreError(message)


class BrowserStore:
    """The Store protocol (see persistent.Store) over one store of a JS backend."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        self._handle = _wait(lambda: _backend(kind).openStore(name), in_import=False)
        self._in_flight: Any = None  # the promise of a commit that has not finished

    def load(self, prefix: str) -> dict[str, bytes]:
        found = _wait(lambda: self._handle.load(prefix), in_import=True)
        return {
            str(key): bytes(value.to_bytes()) for key, value in zip(found.keys, found.values, strict=True)
        }

    def get(self, key: str) -> bytes | None:
        value = _wait(lambda: self._handle.get(key), in_import=True)
        return None if value is None else bytes(value.to_bytes())

    def generation(self) -> int:
        return int(_wait(lambda: self._handle.generation(), in_import=True))

    def before_commit(self) -> None:
        """In an import's synchronous try: MustSuspend before the records are copied, not after."""
        _check_can_wait(in_import=True)

    def commit(self, puts: dict[str, Record], deletes: list[str], expected_generation: int) -> int:
        from pyodide.ffi import to_js

        def start() -> Any:
            self._in_flight = self._handle.commit(
                to_js(list(puts)), to_js(list(puts.values())), to_js(deletes), expected_generation
            )
            return self._in_flight

        try:
            return int(_wait(start, in_import=True))
        finally:
            self._in_flight = None

    def settle(self) -> None:
        """Wait until a commit started elsewhere (a guest suspended in its write-back) has finished,
        so that a write-back from outside the guest (rt.sync) does not race it."""
        if self._in_flight is not None:
            _wait(lambda: self._in_flight.then(lambda _value: None, lambda _error: None), in_import=False)

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
            store = BrowserStore(kind, name)
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
        from pyodide.ffi import can_run_sync, run_sync

        self.browser_store.close()
        released = self._release()
        if can_run_sync():
            run_sync(released)

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
