"""Property tests for path resolution: it agrees with the OS where the OS stays inside the
mount, and it never yields a node outside the directory it started from."""

from __future__ import annotations

import os
import pathlib
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from pywasi_web.errors import WasiError
from pywasi_web.kernel.paths import resolve
from pywasi_web.vfs import HostDir, MemoryFS, Symlink
from pywasi_web.vfs.memory import MemoryDir

COMPONENTS = ["a", "b", "f", "..", ".", "", "up", "loop", "abs", "deep", "missing", "ok"]
TREE = {
    "jail/a/b/f": b"file",
    "jail/a/f": b"other",
    "jail/f": b"top",
    "jail/a/up": Symlink("../.."),  # leaves the jail from a/
    "jail/loop": Symlink("loop"),
    "jail/abs": Symlink("/etc"),
    "jail/deep": Symlink("a/b"),
    "jail/ok": Symlink("a/../f"),
    "secret/f": b"secret",
}

paths = st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=8).map("/".join)


def _all_nodes(directory: MemoryDir) -> set[int]:
    found = {id(directory)}
    for child in directory.children.values():
        found |= _all_nodes(child) if isinstance(child, MemoryDir) else {id(child)}
    return found


@settings(max_examples=400, deadline=None)
@given(path=paths, follow=st.booleans())
def test_memory_resolution_stays_inside(path: str, follow: bool) -> None:
    fs = MemoryFS(TREE)
    jail = fs.root().children["jail"]
    assert isinstance(jail, MemoryDir)
    inside = _all_nodes(jail)
    try:
        resolved = resolve(jail, path, follow=follow)
    except WasiError:
        return
    if resolved.node is not None:
        assert id(resolved.node) in inside, f"{path!r} escaped to {resolved.node!r}"


_HOST_ROOT = pathlib.Path(tempfile.mkdtemp(prefix="pywasi-paths-"))


def _materialise() -> pathlib.Path:
    jail = _HOST_ROOT / "jail"
    if jail.exists():
        return jail
    for name, content in TREE.items():
        target = _HOST_ROOT / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, target)
        else:
            target.write_bytes(content)
    return jail


@settings(max_examples=400, deadline=None)
@given(path=paths)
def test_host_resolution_agrees_with_the_os(path: str) -> None:
    jail = _materialise()
    fs = HostDir(jail)
    try:
        resolved = resolve(fs.root(), path, follow=True)
    except WasiError:
        return
    if resolved.node is None:
        assert not os.path.lexists(jail / path) or not os.path.exists(jail / path)
        return
    # Where we resolve, the OS (which may not stay inside) reaches the very same inode...
    ours = resolved.node.stat()
    theirs = os.stat(jail / path) if path.strip("/") else os.stat(jail)
    assert (ours.dev, ours.ino) == (theirs.st_dev, theirs.st_ino)
    # ...and that inode is inside the jail.
    real = pathlib.Path(os.path.realpath(jail / path))
    assert real == jail.resolve() or jail.resolve() in real.parents
