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
    digest = hashlib.sha256(source.read_bytes())
    for header in depends:
        digest.update(header.read_bytes())
    digest.update(repr(flags).encode() + _zig_version().encode())
    key = digest.hexdigest()
    output = cache_dir() / f"{source.stem}-{key[:16]}.wasm"
    if output.exists():
        return output
    if importlib.util.find_spec("ziglang") is None:
        raise SetupError(
            f"cannot compile {source.name}: the C compiler (the ziglang package) is not installed; "
            "pip install -e '.[dev]' (or make setup) installs it"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".wasm", dir=output.parent)
    os.close(handle)
    command = [sys.executable, "-m", "ziglang", "cc", *flags, str(source), "-o", temporary]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        os.unlink(temporary)
        raise SetupError(f"compiling {source} failed:\n{completed.stderr}")
    os.replace(temporary, output)  # atomic: concurrent builders never see a partial file
    return output
