"""The expectation of every differential case: the guest run under wasmtime's own WASI.

wasmtime-py's built-in WASI (WasiConfig) is never pywasi_web's implementation, only its oracle.
Besides run_oracle this module holds the host-side helpers both sides share (materialising a
case's files, snapshotting a directory, decoding stdin), so the comparison sees one tree shape:
{relative path: bytes (file) | None (directory) | ("symlink", target)}.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import wasmtime

from tests.cases import Case

Tree = dict[str, Any]
TRAP = "trap"
"""Outcome.exit_code when the guest trapped instead of exiting."""


@dataclass
class Outcome:
    """What a run left behind: exit code (or TRAP), captured output and the preopen's tree."""

    exit_code: int | str
    stdout: bytes
    stderr: bytes
    tree: Tree | None = field(default=None)


def argv(case: Case) -> list[str]:
    """The full argv: argv[0] is the same string on every host (the case's or `<guest>.wasm`)."""
    return [case.get("argv0", f"{case['guest']}.wasm"), *case.get("args", [])]


def decode(value: str | dict[str, str]) -> bytes:
    """A case's text (UTF-8) or {"base64": ...} value as bytes."""
    if isinstance(value, dict):
        return base64.b64decode(value["base64"])
    return value.encode()


def stdin_bytes(case: Case) -> bytes:
    return decode(case.get("stdin", ""))


def materialise(files: dict[str, Any], root: Path) -> None:
    """Create a case's initial tree under `root` (which is created, empty, if missing)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, entry in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(entry, dict) and entry.get("dir"):
            target.mkdir(exist_ok=True)
        elif isinstance(entry, dict) and "symlink" in entry:
            os.symlink(entry["symlink"], target)
        else:
            target.write_bytes(decode(entry))


def memory_entries(files: dict[str, Any]) -> dict[str, Any]:
    """A case's initial tree in MemoryFS's shape ({path: bytes | None | Symlink-ready tuple})."""
    entries: dict[str, Any] = {}
    for name, entry in files.items():
        if isinstance(entry, dict) and entry.get("dir"):
            entries[name] = None
        elif isinstance(entry, dict) and "symlink" in entry:
            entries[name] = ("symlink", entry["symlink"])
        else:
            entries[name] = decode(entry)
    return entries


def host_tree(root: Path) -> Tree:
    """Snapshot of a host directory; symlinks are recorded, never followed."""
    tree: Tree = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                tree[key] = ("symlink", os.readlink(path))
            elif path.is_dir():
                tree[key] = None
            else:
                tree[key] = path.read_bytes()
    return tree


def expected_of_ours(case: Case, wasmtime_outcome: Outcome) -> Outcome:
    """What pywasi_web must give for `case`: wasmtime's outcome, with the case's documented
    difference (`differs`, see tests/cases.py) applied. Each part of the difference must really
    be there in wasmtime's outcome, so a change on either side that closes or moves it is noticed."""
    differs = case.get("differs")
    if differs is None:
        return wasmtime_outcome
    lines = wasmtime_outcome.stdout.decode().splitlines()
    replace: dict[str, str] = differs.get("replace", {})
    gone = [line for line in replace if line not in lines]
    assert not gone, f"wasmtime no longer prints {gone}: the documented difference moved"
    stdout = [replace.get(line, line) for line in lines] + differs.get("append", [])
    ours = Outcome(
        differs.get("exit_code", wasmtime_outcome.exit_code),
        "".join(f"{line}\n" for line in stdout).encode(),
        wasmtime_outcome.stderr,
        wasmtime_outcome.tree,
    )
    assert ours != wasmtime_outcome, f"the documented difference ({differs['why']}) is no difference"
    return ours


_modules: dict[tuple[str, float], wasmtime.Module] = {}


@cache
def _engine() -> wasmtime.Engine:
    """One engine with epoch interruption, so a runaway guest is stopped instead of hanging pytest."""
    config = wasmtime.Config()
    config.epoch_interruption = True
    return wasmtime.Engine(config)


def _module(wasm_path: Path) -> wasmtime.Module:
    key = (str(wasm_path), wasm_path.stat().st_mtime)
    if key not in _modules:
        _modules[key] = wasmtime.Module.from_file(_engine(), str(wasm_path))
    return _modules[key]


def wasi_config(case: Case, workdir: Path) -> tuple[wasmtime.WasiConfig, Path | None]:
    """wasmtime's WASI set up for `case`: argv, env, stdio as files in `workdir`, and the case's
    files materialised in `workdir/root` and preopened (that root, or None without a mount)."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = wasmtime.WasiConfig()
    config.argv = argv(case)
    config.env = [[key, value] for key, value in case.get("env", {}).items()]
    (workdir / "stdin").write_bytes(stdin_bytes(case))
    config.stdin_file = str(workdir / "stdin")
    config.stdout_file = str(workdir / "stdout")
    config.stderr_file = str(workdir / "stderr")
    root: Path | None = None
    if case.get("mount") is not None:
        root = workdir / "root"
        materialise(case.get("files", {}), root)
        config.preopen_dir(str(root), case["mount"], not case.get("read_only", False))
    return config, root


def run_oracle(
    wasm_path: Path, case: Case, workdir: Path, timeout: float = 60.0, max_memory: int | None = None
) -> Outcome:
    """Run `case` under wasmtime's WASI with its files materialised in `workdir/root`;
    `max_memory` caps the guest's linear memory through the store's limits."""
    config, root = wasi_config(case, workdir)
    engine = _engine()
    store = wasmtime.Store(engine)
    store.set_epoch_deadline(1)
    if max_memory is not None:
        store.set_limits(memory_size=max_memory)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, _module(wasm_path))
    start = instance.exports(store)["_start"]
    assert isinstance(start, wasmtime.Func)

    def run() -> int:
        start(store)
        return 0

    return timed_outcome(run, workdir, root, timeout)


def timed_outcome(run: Callable[[], int], workdir: Path, root: Path | None, timeout: float) -> Outcome:
    """What `run` (the guest's entry, giving its exit code) leaves in `workdir` (the stdio files of
    wasi_config) and `root`, its exit by proc_exit or a trap included; stopped after `timeout`
    seconds through the shared engine's epoch (the store's deadline is 1)."""
    timer = threading.Timer(timeout, _engine().increment_epoch)
    timer.start()
    code: int | str
    try:
        code = run()
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code
    except (wasmtime.Trap, wasmtime.WasmtimeError):
        # wasmtime ends the guest with a host error (not a Trap) for an out-of-range enum argument
        code = TRAP
    finally:
        timer.cancel()
    return Outcome(
        code,
        (workdir / "stdout").read_bytes(),
        (workdir / "stderr").read_bytes(),
        host_tree(root) if root is not None else None,
    )
