"""A guest memory limit behaves as wasmtime's store limit: `memory.grow` fails past it.

The browser has no store limit, so JsEngine lowers the module's declared maximum instead
(engines/memory_cap.py); these tests check that rewrite against wasmtime's own WASI with a store
limit, the oracle. playwright/test_worker.py runs the same guest in Chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from pywasi_web import ModuleError, Program
from pywasi_web.cli.toolchain import build_c
from pywasi_web.engines.memory_cap import PAGE, cap_memory
from pywasi_web.engines.wasmtime_engine import WasmtimeEngine
from tests.oracle import run_oracle

HOG = Path(__file__).parents[2] / "playwright" / "guests" / "hog.c"
LIMIT = 32 << 20


@pytest.fixture(scope="module")
def hog() -> Path:
    return build_c(HOG)


def test_limits_agree_with_wasmtimes_store_limit(hog: Path, tmp_path: Path) -> None:
    expected = run_oracle(hog, {"name": "hog", "guest": "hog"}, tmp_path, max_memory=LIMIT)
    assert expected.stdout.startswith(b"allocated ") and expected.stdout != b"allocated 4096 MiB\n"

    by_store = Program(hog, engine=WasmtimeEngine(max_memory=LIMIT)).run(capture_output=True)
    by_rewrite = Program(cap_memory(hog.read_bytes(), LIMIT)).run(capture_output=True)
    for result in (by_store, by_rewrite):
        assert (result.exit_code, result.stdout, result.stderr) == (0, expected.stdout, expected.stderr)


def test_capped_module_declares_the_maximum(hog: Path) -> None:
    engine = wasmtime.Engine()
    capped = wasmtime.Module(engine, cap_memory(hog.read_bytes(), LIMIT))
    (memory,) = [item.type for item in capped.exports if isinstance(item.type, wasmtime.MemoryType)]
    assert memory.limits.max == LIMIT // PAGE
    # a lower maximum the module already declares is kept
    again = wasmtime.Module(engine, cap_memory(cap_memory(hog.read_bytes(), LIMIT), 1 << 30))
    (memory,) = [item.type for item in again.exports if isinstance(item.type, wasmtime.MemoryType)]
    assert memory.limits.max == LIMIT // PAGE


def test_a_module_larger_than_the_limit_at_start_is_refused(hog: Path) -> None:
    with pytest.raises(ModuleError, match=r"needs \d+ bytes of memory at start; the limit is 65536"):
        cap_memory(hog.read_bytes(), PAGE)


def test_malformed_bytes_are_left_to_the_compiler(hog: Path) -> None:
    truncated = hog.read_bytes()[:200]
    assert cap_memory(truncated, LIMIT) == truncated
