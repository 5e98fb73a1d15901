"""`pywasi-web manifest DIR [-o FILE]`: the manifest of a URL mount, written from the files.

build-site writes its URL mounts' manifests with the same function, so a manifest kept in the
repository (docs/url-mount/manifest.json) and one a site ships are made alike, and a test can
check that a kept one still matches its files. Written to a file, the manifest leaves that file
out of the tree, and says where the files are relative to itself (`base`) when it is not in the
directory it describes: `pywasi-web manifest DIR > DIR/manifest.json` would list itself, as an
empty file, since the shell creates it before the command runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pywasi_web.vfs.manifest import build_manifest


def manifest_text(directory: str | Path, output: str | Path | None = None, *, mtimes: bool = True) -> str:
    """The manifest of `directory` as `output` (None: printed, so nothing is left out and no base
    is set) holds it: JSON, one entry per line."""
    root = Path(directory)
    manifest: dict[str, Any] = build_manifest(
        root, mtimes=mtimes, leave_out=None if output is None else Path(output)
    )
    if output is not None:
        where = os.path.relpath(root.absolute(), Path(output).absolute().parent)
        if where != ".":
            manifest["base"] = Path(where).as_posix() + "/"
    return json.dumps(manifest, indent=1) + "\n"


def write_manifest(directory: str | Path, output: str | Path, *, mtimes: bool = True) -> None:
    """Write the manifest of `directory` to `output` (see manifest_text)."""
    Path(output).write_text(manifest_text(directory, output, mtimes=mtimes))
