"""A file tree as a .tar archive and back: how a persistent store is exported and imported.

The tree is MemoryFS's description ({relative path: bytes | Symlink | None for a directory}), so
any in-memory or persistent tree round-trips. Reading refuses what the tree cannot hold (absolute
paths, `..`, devices, hard links) with ValueError naming the member, never a traceback.
"""

from __future__ import annotations

import io
import tarfile
import time

from pywasi_web.vfs.memory import Symlink, TreeEntry


def to_tar(tree: dict[str, bytes | Symlink | None]) -> bytes:
    """An uncompressed POSIX tar of the tree (directories before what they contain)."""
    out = io.BytesIO()
    now = int(time.time())
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(tree):
            entry = tree[path]
            info = tarfile.TarInfo(path)
            info.mtime = now
            if entry is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            elif isinstance(entry, Symlink):
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, entry.target, 0o777
                archive.addfile(info)
            else:
                info.size, info.mode = len(entry), 0o644
                archive.addfile(info, io.BytesIO(entry))
    return out.getvalue()


def from_tar(data: bytes) -> dict[str, TreeEntry]:
    """The tree a tar (optionally gzip/bz2/xz-compressed) describes; ValueError if it is not one."""
    tree: dict[str, TreeEntry] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                path = _relative(member.name)
                if path is None:
                    continue  # "." or "./": the root itself
                if member.isdir():
                    tree[path] = None
                elif member.issym():
                    tree[path] = Symlink(member.linkname)
                elif member.isfile():
                    extracted = archive.extractfile(member)
                    tree[path] = extracted.read() if extracted is not None else b""
                else:
                    raise ValueError(f"{member.name!r}: only files, directories and symlinks can be imported")
    except (tarfile.TarError, EOFError) as error:
        reason = str(error).splitlines()[0].rstrip(":")
        raise ValueError(f"not a readable .tar archive ({reason})") from None
    return tree


def _relative(name: str) -> str | None:
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if name.startswith("/") or ".." in parts:
        raise ValueError(f"{name!r}: archive paths must be relative and stay inside the store")
    return "/".join(parts) or None
