"""Path resolution under a directory descriptor: one component at a time, never leaving it.

The walk keeps the stack of directories it went through, so `..` pops a frame and can never rise
above the directory it started from; absolute paths and absolute symlink targets are refused.
Symlinks are followed here (not by the file system) with a limit that gives ELOOP.
"""

from __future__ import annotations

from typing import NamedTuple

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Filetype
from pywasi_web.errors import WasiError
from pywasi_web.vfs.base import DirNode, Node

MAX_SYMLINKS = 40
MAX_PATH = 4096
# Errno for a path that would leave its directory (wasmtime's answer).
ESCAPE = Errno.PERM


class Resolved(NamedTuple):
    """Where a path leads (a named tuple: one is made on every path lookup).

    `parent` and `name` name the final entry, or are None when the path ends in '.' or '..'
    (then `node` is that directory). `node` is the entry (followed if asked), or None if absent.
    """

    parent: DirNode | None
    name: str | None
    node: Node | None
    trailing_slash: bool

    def entry(self) -> tuple[DirNode, str]:
        """The (parent, name) an operation on an entry needs; '.'/'..' are not entries."""
        if self.parent is None or self.name is None:
            raise WasiError(Errno.INVAL if self.node is not None else Errno.NOENT, "path names no entry")
        return self.parent, self.name

    def existing(self) -> Node:
        if self.node is None:
            raise WasiError(Errno.NOENT, self.name or "")
        return self.node


def _split(path: str) -> list[str]:
    if not path:
        raise WasiError(Errno.NOENT, "empty path")
    if "\0" in path:
        raise WasiError(Errno.INVAL, "NUL in path")
    if len(path) > MAX_PATH:
        raise WasiError(Errno.NAMETOOLONG)
    if path.startswith("/"):
        raise WasiError(ESCAPE, f"absolute path {path!r}")
    return path.split("/")


def resolve(start: DirNode, path: str, *, follow: bool) -> Resolved:
    """Resolve `path` relative to `start`; `follow` says whether a final symlink is followed.

    Every open and stat passes here, so the loop is kept lean: the components wait reversed in a
    list (pop() takes the next one), a node's kind is its filetype compared in place (no call),
    a trailing slash is looked for only before the last component, and a name's UTF-8 length is
    computed only when it could exceed 255 bytes (more than 63 characters)."""
    pending = _split(path)
    pending.reverse()
    stack: list[DirNode] = [start]
    links = 0
    while True:
        component = pending.pop()
        if component in _DOTS:
            if component == "..":
                if len(stack) == 1:
                    raise WasiError(ESCAPE, f"{path!r} leaves its directory")
                stack.pop()
                if not pending:
                    return Resolved(None, None, stack[-1], False)
            elif not pending:
                return Resolved(None, None, stack[-1], path.endswith("/"))
            continue
        if len(component) > 63 and len(component.encode()) > 255:
            raise WasiError(Errno.NAMETOOLONG, component)
        directory = stack[-1]
        node = directory.lookup(component)
        kind = None if node is None else node.filetype
        # a symlink is followed unless it is the last component and `follow` is not asked ("name/"
        # is not last: its symlink is followed)
        if kind is _SYMLINK and (follow or pending):
            links += 1
            if links > MAX_SYMLINKS:
                raise WasiError(Errno.LOOP, f"too many symlinks in {path!r}")
            target = node.target()  # type: ignore[union-attr]
            if target.startswith("/"):
                raise WasiError(ESCAPE, f"symlink {component!r} points to an absolute path")
            if not target:
                raise WasiError(Errno.NOENT, f"symlink {component!r} is empty")
            pending.extend(reversed(target.split("/")))
            continue
        if not pending:
            return Resolved(directory, component, node, False)
        if len(pending) == 1 and pending[0] == "":  # "name/" refers to a directory
            if node is not None and kind is not _DIRECTORY:
                raise WasiError(Errno.NOTDIR, component)
            return Resolved(directory, component, node, True)
        if kind is not _DIRECTORY:
            raise WasiError(Errno.NOENT if node is None else Errno.NOTDIR, component)
        stack.append(node)  # type: ignore[arg-type]


_DOTS = frozenset({"", ".", ".."})
_SYMLINK = Filetype.SYMBOLIC_LINK
_DIRECTORY = Filetype.DIRECTORY
