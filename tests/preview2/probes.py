"""Native probe components (tests/preview2/guests): C reactors calling WASI 0.2 interfaces
directly, embedded against the WASI WIT the pinned jco package ships, and cached like every
test component (tests/component/build.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from pywasi_web.cli.toolchain import REACTOR_ADAPTER, build_c, cached, wasm_tools
from tests.component.build import CABI, ROOT, _version

GUESTS = Path(__file__).parent / "guests"
WASI_WIT = ROOT / "node_modules" / "@bytecodealliance" / "jco" / "lib" / "wit" / "builtin" / "0.2.12"


def probe(name: str, packages: tuple[str, ...]) -> Path:
    """The component for guests/<name>.c and <name>.wit, whose world uses these WASI packages."""
    source, wit = GUESTS / f"{name}.c", GUESTS / f"{name}.wit"
    core = build_c(source, extra_flags=("-mexec-model=reactor",), depends=(wit, GUESTS / "probe.h", CABI))

    def make(output: Path) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            package = Path(scratch)
            shutil.copy(wit, package / wit.name)
            (package / "deps").mkdir()
            for dependency in packages:
                os.symlink(WASI_WIT / dependency, package / "deps" / dependency)
            embedded = package / "embedded.wasm"
            wasm_tools("component", "embed", str(package), "--world", name, str(core), "-o", str(embedded))
            adapt = f"wasi_snapshot_preview1={REACTOR_ADAPTER}"
            wasm_tools("component", "new", str(embedded), "--adapt", adapt, "-o", str(output))

    inputs = [core.read_bytes(), wit.read_bytes(), REACTOR_ADAPTER.read_bytes(), _version()]
    return cached(f"{name}-native", inputs, make)
