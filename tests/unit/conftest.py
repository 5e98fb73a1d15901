from __future__ import annotations

import pathlib

import pytest

from pywasi_web.vfs import HostDir, MemoryFS
from pywasi_web.vfs.base import FileSystem
from tests.unit.helpers import walked_host_dir


@pytest.fixture(params=["memory", "host", "host-walked"])
def empty_fs(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> FileSystem:
    """Each kernel test runs on every file system (and HostDir both ways it can hold a directory):
    the semantics must not depend on the backend."""
    if request.param == "memory":
        return MemoryFS()
    root = tmp_path / "root"
    root.mkdir()
    return HostDir(root) if request.param == "host" else walked_host_dir(root)
