"""The manifest of a URL mount (vfs/url.py): a JSON object that declares a tree without its bytes.

    {"version": 1, "base": "files/",            (optional: where the files are, relative to the manifest)
     "entries": {"bin/cc": {"size": 1234, "mtime": 1700000000000000000},
                 "lib": {"directory": true},
                 "lib/libc.so": {"symlink": "libc.so.6"},
                 "share/big.dat": {"size": 9, "url": "https://elsewhere.test/big.dat"}}}

A file's bytes are at base + its path unless it names its own `url`; `mtime` (nanoseconds) is
optional; parent directories need not be listed. `build_manifest` writes one for a directory
(`pywasi-web manifest DIR`), so the files can be served as they are, beside it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeGuard

MANIFEST_VERSION = 1


class Entry(NamedTuple):
    kind: str  # "file", "directory" or "symlink"
    size: int = 0
    mtime: int = 0
    target: str = ""
    url: str = ""


def parse_manifest(manifest: Mapping[str, Any]) -> dict[str, Entry]:
    """The entries by normalised relative path, parents before children; ValueError (one line
    naming the entry) for anything else than the format above."""
    if not isinstance(manifest, Mapping) or manifest.get("version") != MANIFEST_VERSION:
        raise ValueError(f'not a URL-mount manifest: it needs "version": {MANIFEST_VERSION} and "entries"')
    entries = manifest.get("entries")
    if not isinstance(entries, Mapping):
        raise ValueError('the manifest\'s "entries" must be an object of paths to entries')
    parsed: dict[str, Entry] = {}
    for path, value in entries.items():
        parts = [part for part in str(path).split("/") if part not in ("", ".")]
        if not parts or ".." in parts or any("\0" in part for part in parts):
            raise ValueError(f"manifest entry {path!r}: a path must be relative and inside the tree")
        parsed["/".join(parts)] = _entry(str(path), value)
    for path in parsed:
        for depth in range(1, path.count("/") + 1):
            above = path.rsplit("/", depth)[0]
            parent = parsed.get(above)
            if parent is not None and parent.kind != "directory":
                raise ValueError(f"manifest entry {path!r} is inside the {parent.kind} {above!r}")
    return dict(sorted(parsed.items(), key=lambda item: item[0].count("/")))


def _entry(path: str, value: Any) -> Entry:
    if not isinstance(value, Mapping):
        raise ValueError(f"manifest entry {path!r} must be an object, not {type(value).__name__}")
    mtime = value.get("mtime", 0)
    if not _natural(mtime):
        raise ValueError(f"manifest entry {path!r}: mtime must be a non-negative integer (nanoseconds)")
    if value.get("directory") is True:
        return Entry("directory", mtime=mtime)
    if "symlink" in value:
        if not isinstance(value["symlink"], str) or not value["symlink"]:
            raise ValueError(f"manifest entry {path!r}: symlink must be a non-empty string")
        return Entry("symlink", mtime=mtime, target=value["symlink"])
    size, url = value.get("size"), value.get("url", "")
    if not _natural(size) or not isinstance(url, str):
        raise ValueError(
            f"manifest entry {path!r}: a file needs a size (a non-negative integer), a url is a string"
        )
    return Entry("file", size=size, mtime=mtime, url=url)


def _natural(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def build_manifest(
    directory: str | os.PathLike[str], *, mtimes: bool = True, leave_out: Path | None = None
) -> dict[str, Any]:
    """The manifest of a directory's tree (files, directories, symlinks, without following them),
    its files to be served beside it. `mtimes=False` leaves the files' times out: a manifest kept
    in git must not change with each checkout, whose files all get the checkout's time.
    `leave_out`: a file of the tree not to list (the manifest itself, written inside it)."""
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"{directory} is not a directory")
    skipped = None if leave_out is None else Path(leave_out).absolute()
    entries: dict[str, dict[str, Any]] = {}
    for current, dirs, files in os.walk(root):
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            path = Path(current) / name
            if path.absolute() == skipped:
                continue
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            if path.is_symlink():
                entries[relative] = {"symlink": os.readlink(path)}
            elif path.is_dir():
                entries[relative] = {"directory": True}
            elif path.is_file():
                entries[relative] = {"size": info.st_size, **({"mtime": info.st_mtime_ns} if mtimes else {})}
    return {"version": MANIFEST_VERSION, "entries": entries}
