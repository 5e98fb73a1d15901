"""A component's files on a persistent mount in Chromium. Its WASI 0.2 filesystem calls wait for
the store as Preview 1's do (a write-back on close or sync, a stored file's bytes on first use),
so a sequence of runs on one IndexedDB store gives what wasmtime's own WASI 0.2 gives on one host
directory, step by step, and leaves the same files. The core module (Preview 1) runs the same
steps on a second store as a check on the steps themselves."""

from __future__ import annotations

import base64
import io
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from pywasi_web.cli.toolchain import build_c, componentize
from tests.component.oracle import call as call_export
from tests.component.oracle import instantiate, run_export, store_with_wasi
from tests.oracle import timed_outcome, wasi_config

pytestmark = pytest.mark.browser

GUEST = Path(__file__).resolve().parent / "guests" / "store.c"

# store.c's modes: each step is one run, in a fresh mount of the same store
STEPS = [
    ["write", "/home/notes", "first"],  # fsync, then close
    ["read", "/home/notes"],  # a stored file read back in a later run (fetched on first use)
    ["append", "/home/notes", "+second"],  # no fsync: the close writes it back
    ["read", "/home/notes"],
    ["fill", "/home/big", "1", "x"],  # 1 MiB in 64 KiB writes, one write-back at close
    ["check", "/home/big"],
    ["write", "/home/notes", "third"],  # truncates a stored file
    ["read", "/home/notes"],
    ["read", "/home/missing"],
]

RUN = """async ([wasm, store, args]) => {
    const bytes = wasm === null ? "examples/store.wasm" : Uint8Array.from(atob(wasm), (c) => c.charCodeAt(0));
    const r = await window.pywasiRuntime.run(bytes,
        {args, mounts: {"/home": {persistent: store}}, timeoutMs: 120000});
    return {exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, error: r.error ?? null};
}"""


def _wasmtime_steps(component: Path, root: Path, workdir: Path) -> list[dict[str, Any]]:
    """The steps under wasmtime's WASI 0.2, each a fresh instance on the host directory `root`."""
    root.mkdir()
    export = run_export(component.read_bytes())
    results = []
    for number, args in enumerate(STEPS):
        steps_dir = workdir / f"step{number}"
        config, _ = wasi_config({"name": "store", "guest": "store", "args": args}, steps_dir)
        config.preopen_dir(str(root), "/home")
        store = store_with_wasi(config)
        instance = instantiate(component, store)

        def run(store: Any = store, instance: Any = instance) -> int:
            outcome = call_export(store, instance, export)
            return 0 if outcome.tag == "ok" else 1

        outcome = timed_outcome(run, steps_dir, None, 60.0)
        output = {"stdout": outcome.stdout.decode(), "stderr": outcome.stderr.decode()}
        results.append({"exitCode": outcome.exit_code, **output})
    return results


def _in_page(page: Any, wasm: str | None, store: str) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The steps in the page on the persistent `store`, then the store's files (its export)."""
    results = []
    for args in STEPS:
        result = page.evaluate(RUN, [wasm, store, args])
        assert result.pop("error") is None, (args, result)
        results.append(result)
    export = "(name) => window.pywasiRuntime.exportStore(name).then(Array.from)"
    exported = bytes(page.evaluate(export, store))
    page.evaluate("(name) => window.pywasiRuntime.clearStore(name)", store)
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        files = {
            member.name: extracted.read()
            for member in archive.getmembers()
            if (extracted := archive.extractfile(member)) is not None
        }
    return results, files


def test_component_on_a_persistent_mount_matches_wasmtime(page: Any, tmp_path: Path) -> None:
    component = componentize(build_c(GUEST), "store")
    expected = _wasmtime_steps(component, tmp_path / "root", tmp_path)
    expected_files = {path.name: path.read_bytes() for path in (tmp_path / "root").iterdir()}
    assert [step["exitCode"] for step in expected] == [0] * (len(STEPS) - 1) + [1]  # the steps do work

    name = f"component-{time.time_ns()}"
    results, files = _in_page(page, base64.b64encode(component.read_bytes()).decode(), name)
    assert results == expected
    assert files == expected_files

    core_results, core_files = _in_page(page, None, f"core-{time.time_ns()}")
    assert core_results == expected
    assert core_files == expected_files
