from __future__ import annotations

import pathlib

import pytest

from pywasi_web.vfs import HostDir, MemoryFS
from pywasi_web.vfs.base import FileSystem


@pytest.fixture(params=["memory", "host"])
def empty_fs(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> FileSystem:
    """Each kernel test runs on both file systems: the semantics must not depend on the backend."""
    if request.param == "memory":
        return MemoryFS()
    root = tmp_path / "root"
    root.mkdir()
    return HostDir(root)
