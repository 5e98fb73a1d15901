"""Run a case under wasmtime's built-in WASI (the oracle) or under pywasi_web, and describe the
outcome the same way: exit code (or "trap"), stdout, stderr and every mount's resulting tree."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from pywasi_web import GuestTrap, HostDir, MemoryFS, Program, Symlink
from pywasi_web.cli.toolchain import build_c
from tests.differential.cases import Case, mounts

GUESTS = Path(__file__).parent / "guests"
Tree = dict[str, Any]


@dataclass
class Outcome:
    exit_code: int | str
    stdout: bytes
    stderr: bytes
    trees: list[Tree] = field(default_factory=list)


def guest_path(case: Case) -> Path:
    return build_c(GUESTS / f"{case['guest']}.c")


def argv(case: Case) -> list[str]:
    return [f"{case['guest']}.wasm", *case.get("args", [])]


def materialise(files: dict[str, str | None], root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = root / name
        if content is None:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)


def host_tree(root: Path) -> Tree:
    tree: Tree = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                tree[key] = ("symlink", os.readlink(path))
            elif path.is_dir():
                tree[key] = None
            else:
                tree[key] = path.read_bytes()
    return tree


def memory_tree(fs: MemoryFS) -> Tree:
    return {
        key: ("symlink", value.target) if isinstance(value, Symlink) else value
        for key, value in fs.snapshot().items()
    }


def run_oracle(case: Case, workdir: Path) -> Outcome:
    config = wasmtime.WasiConfig()
    config.argv = argv(case)
    config.env = list(case.get("env", {}).items())
    roots = []
    for index, mount in enumerate(mounts(case)):
        root = workdir / f"mount{index}"
        materialise(mount["files"], root)
        config.preopen_dir(str(root), mount["guest"], not mount.get("read_only", False))
        roots.append(root)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "stdin").write_text(case.get("stdin", ""))
    config.stdin_file = str(workdir / "stdin")
    config.stdout_file = str(workdir / "stdout")
    config.stderr_file = str(workdir / "stderr")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(guest_path(case))))
    code: int | str = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code
    except wasmtime.Trap:
        code = "trap"
    return Outcome(
        code,
        (workdir / "stdout").read_bytes(),
        (workdir / "stderr").read_bytes(),
        [host_tree(r) for r in roots],
    )


def run_ours(case: Case, workdir: Path, backend: str) -> Outcome:
    filesystems: list[HostDir | MemoryFS] = []
    for index, mount in enumerate(mounts(case)):
        read_only = mount.get("read_only", False)
        if backend == "host":
            root = workdir / f"mount{index}"
            materialise(mount["files"], root)
            filesystems.append(HostDir(root, read_only=read_only))
        else:
            files = {name: (None if text is None else text.encode()) for name, text in mount["files"].items()}
            filesystems.append(MemoryFS(files, read_only=read_only))
    program = Program(guest_path(case))
    try:
        result = program.run(
            case.get("args", []),
            argv0=argv(case)[0],
            env=case.get("env", {}),
            mounts={m["guest"]: fs for m, fs in zip(mounts(case), filesystems, strict=True)},
            stdin=case.get("stdin", "").encode(),
            capture_output=True,
            timeout=60,
        )
        code: int | str = result.exit_code
        stdout, stderr = result.stdout, result.stderr
    except GuestTrap as trap:
        code = "trap"
        stdout, stderr = trap.result.stdout, trap.result.stderr  # type: ignore[attr-defined]
    trees = [host_tree(Path(fs.path)) if isinstance(fs, HostDir) else memory_tree(fs) for fs in filesystems]
    return Outcome(code, stdout, stderr, trees)
