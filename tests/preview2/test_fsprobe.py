"""wasi:filesystem called directly by a native component (guests/fsprobe.c, no preview1 adapter
in between), under wasmtime's own WASI 0.2 and under pywasi_web on the same tree: every answer,
escape routes included, and the tree left behind must be identical."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pywasi_web import HostDir, MemoryFS, Program, Symlink
from tests.component.oracle import call, component, store_with_wasi
from tests.oracle import Tree, host_tree
from tests.preview2.probes import probe
from tests.security.test_escapes import host_layout, memory_layout


def fsprobe() -> Path:
    return probe("fsprobe", ("wasi-filesystem", "wasi-io", "wasi-clocks"))


def wasmtime_probe(wasm: Path, mount: Path) -> list[str]:
    import wasmtime
    import wasmtime.component as wc

    config = wasmtime.WasiConfig()
    config.preopen_dir(str(mount), "/sandbox")
    store = store_with_wasi(config)
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    instance = linker.instantiate(store, component(wasm))
    return list(call(store, instance, "probe"))


def memory_tree(tree: MemoryFS) -> Tree:
    """The `mount` subtree in host_tree's shape."""
    return {
        path.removeprefix("mount/"): ("symlink", entry.target) if isinstance(entry, Symlink) else entry
        for path, entry in tree.snapshot().items()
        if path.startswith("mount/")
    }


@pytest.mark.parametrize("backend", ["host", "memory"])
def test_direct_filesystem_calls_same_as_wasmtime(backend: str, tmp_path: Path) -> None:
    wasm = fsprobe()
    theirs = host_layout(tmp_path / "theirs")
    expected = wasmtime_probe(wasm, theirs)
    if backend == "host":
        mount = host_layout(tmp_path / "ours")
        ours = list(Program(wasm).instantiate(mounts={"/sandbox": HostDir(mount)}).exports.probe())
        assert host_tree(mount) == host_tree(theirs)
        assert sorted(os.listdir(tmp_path / "ours")) == ["mount", "secret"]
        assert (tmp_path / "ours" / "secret").read_bytes() == b"SECRET"
    else:
        tree, mounted = memory_layout()
        ours = list(Program(wasm).instantiate(mounts={"/sandbox": mounted}).exports.probe())
        assert memory_tree(tree) == host_tree(theirs)
        assert sorted(name for name in tree.snapshot() if "/" not in name) == ["mount", "secret"]
    assert len(ours) > 60 and "preopen name: /sandbox" in ours
    assert ours == expected
