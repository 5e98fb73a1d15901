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
Its size is bounded (PYWASI_WEB_MODULE_CACHE_MAX, 1 GiB by default): a load marks an entry used
(its mtime), and each store removes the least recently used entries beyond the bound. Removing the
digest first makes an entry absent at once for other processes; one that has already checked it
and then finds the artifact gone compiles again, as for any missing entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import tempfile
import warnings
from pathlib import Path

from pywasi_web.user_cache import user_cache_dir

_OFF = frozenset({"0", "off", "no", "false"})
DEFAULT_MAX_BYTES = 1 << 30
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str) -> int:
    """'1073741824', '512M', '2G' (binary units, optional 'iB'/'B') as bytes; ValueError otherwise."""
    number = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = number[-1:] if number[-1:] in _UNITS else ""
    value = int(number.removesuffix(unit)) if unit else int(number)
    if value < 0:
        raise ValueError(f"a size cannot be negative: {text!r}")
    return value * _UNITS[unit]


class ModuleCache:
    """Compiled artifacts of one engine configuration (`engine_id` says what they depend on)."""

    def __init__(self, directory: Path, engine_id: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self._engine_id = engine_id.encode()
        self.max_bytes = max_bytes

    @classmethod
    def from_environment(cls, engine_id: str) -> ModuleCache | None:
        """The cache under user_cache_dir(), or None when PYWASI_WEB_MODULE_CACHE turns it off;
        bounded by PYWASI_WEB_MODULE_CACHE_MAX (a value that is not a size is named in a warning
        and the default used: a cache only saves time, so a typo must not stop a run)."""
        if os.environ.get("PYWASI_WEB_MODULE_CACHE", "").strip().lower() in _OFF:
            return None
        setting = os.environ.get("PYWASI_WEB_MODULE_CACHE_MAX", "").strip()
        try:
            max_bytes = parse_size(setting) if setting else DEFAULT_MAX_BYTES
        except ValueError:
            warnings.warn(
                f"PYWASI_WEB_MODULE_CACHE_MAX={setting!r} is not a size (bytes, or e.g. 512M, 2G): "
                "the compiled-module cache keeps its default bound of 1G",
                stacklevel=2,
            )
            max_bytes = DEFAULT_MAX_BYTES
        return cls(user_cache_dir() / "modules", engine_id, max_bytes=max_bytes)

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
        if actual != expected:
            return None
        with contextlib.suppress(OSError):  # a read-only cache still serves, unordered
            os.utime(self.path(key))
        return self.path(key)

    def store(self, key: str, artifact: bytes | bytearray) -> None:
        """Write the entry, each file atomically. A cache that cannot be written (read-only, disk
        full) is skipped: it only saves time."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._replace(self.path(key), artifact)
            self._replace(self._digest_path(key), hashlib.sha256(artifact).hexdigest().encode())
            self._evict(keep=key)
        except OSError:
            pass

    def _evict(self, *, keep: str) -> None:
        """Remove the least recently used entries until the cache fits max_bytes again (never
        `keep`, the entry just stored, even when it alone is larger)."""
        entries = []
        for artifact in self.directory.glob("*.cwasm"):
            with contextlib.suppress(OSError):  # removed meanwhile by another process
                status = artifact.stat()
                entries.append((status.st_mtime_ns, status.st_size, artifact.stem))
        total = sum(size for _, size, _ in entries)
        for _, size, key in sorted(entries):
            if total <= self.max_bytes:
                break
            if key == keep:
                continue
            for path in (self._digest_path(key), self.path(key)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            total -= size

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
