"""Start-up on CPython: a large module run end to end (a fresh process, reading, compiling or
loading the compiled module, running it) by `pywasi-web run` with its compiled-module cache, and
by wasmtime-py's own WASI with wasmtime's own cache, each cache in a fresh directory. The first run
of each compiles and fills its cache; the median of the later runs is the warm figure."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.big_module import big_module

OURS = "import sys; from pywasi_web.cli.main import main; sys.exit(main(['run', sys.argv[1]]))"
# wasmtime-py with its built-in WASI and its own on-disk cache, configured by a TOML file
WASMTIME = """
import sys, wasmtime
config = wasmtime.Config()
config.cache = sys.argv[2]
engine = wasmtime.Engine(config)
store = wasmtime.Store(engine)
wasi = wasmtime.WasiConfig()
wasi.inherit_stdout()
store.set_wasi(wasi)
linker = wasmtime.Linker(engine)
linker.define_wasi()
module = wasmtime.Module.from_file(engine, sys.argv[1])
linker.instantiate(store, module).exports(store)["_start"](store)
"""


def _timed(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - began
    if completed.returncode != 0 or completed.stdout != b"hello\n":
        raise RuntimeError(f"{command[:2]} failed: {completed.returncode} {completed.stderr.decode()[-500:]}")
    return elapsed


def run_rows(runs: int, quick: bool) -> list[dict[str, object]]:
    megabytes = 6 if quick else 60
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        module = root / "big.wasm"
        module.write_bytes(big_module(megabytes * 1_000_000))
        settings = root / "wasmtime-cache.toml"
        settings.write_text(f'[cache]\ndirectory = "{root / "wasmtime-cache"}"\n')
        env = {**os.environ, "PYWASI_WEB_CACHE": str(root / "ours")}
        env.pop("PYWASI_WEB_MODULE_CACHE", None)
        ours = [sys.executable, "-c", OURS, str(module)]
        theirs = [sys.executable, "-c", WASMTIME, str(module), str(settings)]
        first_theirs, first_ours = _timed(theirs, env), _timed(ours, env)
        warm_theirs, warm_ours = [], []
        for _ in range(runs):
            warm_theirs.append(_timed(theirs, env))
            warm_ours.append(_timed(ours, env))
    label = f"{megabytes} MB module, hello world, end to end"
    return [
        _row(f"{label}: first run (compiles)", first_theirs, first_ours),
        _row(f"{label}: later runs (cached)", statistics.median(warm_theirs), statistics.median(warm_ours)),
    ]


def _row(name: str, baseline: float, ours: float) -> dict[str, object]:
    return {
        "benchmark": name,
        "mount": "none",
        "baseline_s": baseline,
        "ours_s": ours,
        "ratio": ours / baseline,
        "unit": "s",
    }
