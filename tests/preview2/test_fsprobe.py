"""wasi:filesystem called directly by a native component (guests/fsprobe.c, no preview1 adapter
in between), under wasmtime's own WASI 0.2 and under pywasi_web on the same tree: every answer,
escape routes included, and the tree left behind must be identical."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pywasi_web import HostDir, MemoryFS, Program, Symlink
from pywasi_web.cli.toolchain import build_c
from tests.component.build import REACTOR_ADAPTER, ROOT, _cached, _version, wasm_tools
from tests.component.oracle import call, component, store_with_wasi
from tests.oracle import Tree, host_tree
from tests.security.test_escapes import host_layout, memory_layout

GUESTS = Path(__file__).parent / "guests"
# The WASI 0.2 WIT the pinned jco package ships: the probe's world is embedded against it.
WASI_WIT = ROOT / "node_modules" / "@bytecodealliance" / "jco" / "lib" / "wit" / "builtin" / "0.2.12"


def fsprobe() -> Path:
    source, wit = GUESTS / "fsprobe.c", GUESTS / "fsprobe.wit"
    core = build_c(source, extra_flags=("-mexec-model=reactor",), depends=(wit,))

    def make(output: Path) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            package = Path(scratch)
            shutil.copy(wit, package / wit.name)
            (package / "deps").mkdir()
            for name in ("wasi-filesystem", "wasi-io", "wasi-clocks"):
                os.symlink(WASI_WIT / name, package / "deps" / name)
            embedded = package / "embedded.wasm"
            wasm_tools(
                "component", "embed", str(package), "--world", "fsprobe", str(core), "-o", str(embedded)
            )
            adapt = f"wasi_snapshot_preview1={REACTOR_ADAPTER}"
            wasm_tools("component", "new", str(embedded), "--adapt", adapt, "-o", str(output))

    inputs = [core.read_bytes(), wit.read_bytes(), REACTOR_ADAPTER.read_bytes(), _version()]
    return _cached("fsprobe-native", inputs, make)


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
