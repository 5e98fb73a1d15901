"""Compiled modules kept on disk, so a module is compiled once per content and engine configuration.

Compiling a large module takes minutes; loading its compiled form takes a fraction of a second.
An entry is named by the SHA-256 of the engine's identity and the module's bytes: KEY.cwasm holds
the compiled artifact as the engine wrote it (so the engine maps the file instead of copying it),
KEY.sha256 the artifact's SHA-256. Native code loaded from a damaged file could do anything, so the
digest is checked before the engine sees the file; an entry that fails (truncated by a crash,
overwritten, half replaced) counts as absent and the next compile replaces it. Both files are
written to temporary files and renamed into place, so concurrent runs only ever read whole files
(at worst two compile the same module and the last renames win, with the same content).

The directory is user_cache_dir()/modules; PYWASI_WEB_MODULE_CACHE=off turns the cache off.
Entries are never evicted: delete the directory to reclaim the space.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import tempfile
from pathlib import Path

from pywasi_web.user_cache import user_cache_dir

_OFF = frozenset({"0", "off", "no", "false"})


class ModuleCache:
    """Compiled artifacts of one engine configuration (`engine_id` says what they depend on)."""

    def __init__(self, directory: Path, engine_id: str) -> None:
        self.directory = directory
        self._engine_id = engine_id.encode()

    @classmethod
    def from_environment(cls, engine_id: str) -> ModuleCache | None:
        """The cache under user_cache_dir(), or None when PYWASI_WEB_MODULE_CACHE turns it off."""
        if os.environ.get("PYWASI_WEB_MODULE_CACHE", "").strip().lower() in _OFF:
            return None
        return cls(user_cache_dir() / "modules", engine_id)

    def key(self, wasm: bytes) -> str:
        digest = hashlib.sha256(self._engine_id)
        digest.update(b"\0")
        digest.update(wasm)
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.cwasm"

    def _digest_path(self, key: str) -> Path:
        return self.directory / f"{key}.sha256"

    def load(self, key: str) -> Path | None:
        """The artifact file stored under `key`, once it matches its digest; None otherwise."""
        try:
            expected = self._digest_path(key).read_text()
            with (
                open(self.path(key), "rb") as entry,
                mmap.mmap(entry.fileno(), 0, access=mmap.ACCESS_READ) as data,
            ):
                actual = hashlib.sha256(data).hexdigest()
        except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
            return None
        return self.path(key) if actual == expected else None

    def store(self, key: str, artifact: bytes | bytearray) -> None:
        """Write the entry, each file atomically. A cache that cannot be written (read-only, disk
        full) is skipped: it only saves time."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._replace(self.path(key), artifact)
            self._replace(self._digest_path(key), hashlib.sha256(artifact).hexdigest().encode())
        except OSError:
            pass

    def _replace(self, path: Path, content: bytes | bytearray) -> None:
        handle, temporary = tempfile.mkstemp(prefix=".partial-", dir=self.directory)
        try:
            with os.fdopen(handle, "wb") as partial:
                partial.write(content)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
