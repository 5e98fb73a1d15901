"""CPython benchmarks: each guest under wasmtime's built-in WASI (the baseline) and under
pywasi_web in the same process; only the `_start` call is timed. Reports medians and ratios."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import wasmtime

from bench import startup
from pywasi_web import HostDir, MemoryFS, Program
from pywasi_web.cli.toolchain import build_c
from pywasi_web.vfs.base import FileSystem

GUESTS = Path(__file__).parent / "guests"


@dataclass
class Case:
    name: str
    guest: str
    args: list[str]
    unit: str  # what one "operation" is, for per-call figures
    operations: int


def wasi_store(name: str, args: list[str], workdir: Path) -> tuple[wasmtime.Engine, wasmtime.Store, Path]:
    """A fresh engine and a store with wasmtime's WASI as the baselines run a guest: argv
    `name` and `args`, `workdir` preopened as ".", stdout into a file there (returned)."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = [name, *args]
    config.preopen_dir(str(workdir), ".")
    stdout = workdir / "stdout.txt"
    config.stdout_file = str(stdout)
    store.set_wasi(config)
    return engine, store, stdout


def time_baseline(wasm: Path, args: list[str], workdir: Path) -> tuple[float, bytes]:
    """Seconds spent in `_start` under wasmtime's own WASI, and the guest's stdout."""
    engine, store, stdout = wasi_store(wasm.name, args, workdir)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(wasm)))
    start = instance.exports(store)["_start"]
    assert isinstance(start, wasmtime.Func), "_start is not a function"
    began = time.perf_counter()
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        assert exit_trap.code == 0, exit_trap
    elapsed = time.perf_counter() - began
    output = stdout.read_bytes()
    stdout.unlink()
    return elapsed, output


def time_ours(program: Program, args: list[str], mount: FileSystem) -> tuple[float, bytes]:
    process = program.instantiate(args, argv0="bench.wasm", mounts={".": mount}, capture_output=True)
    began = time.perf_counter()
    code = process.start()
    elapsed = time.perf_counter() - began
    assert code == 0, code
    return elapsed, process.result(code, elapsed).stdout


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def run_cases(runs: int, quick: bool) -> list[dict[str, object]]:
    scale = 10 if quick else 1
    cases = [
        Case(
            "16-byte appending writes", "writes", ["append", str(100000 // scale)], "write", 100000 // scale
        ),
        Case(
            "16-byte writes in place", "writes", ["inplace", str(100000 // scale)], "write", 100000 // scale
        ),
        Case("clock_gettime", "clock", [str(100000 // scale)], "call", 100000 // scale),
        # wasmtime's own fd_readdir re-reads the directory on every call (quadratic), so the
        # comparison stops at 10 000 entries; docs/benchmarks.md gives ours at 100 000 too.
        Case(
            "10 000-entry directory: create, list, stat, unlink",
            "bigdir",
            [str(10000 // scale)],
            "entry",
            10000 // scale,
        ),
        Case("compute-bound (about 1 s)", "compute", [str(700000000 // scale)], "run", 1),
    ]
    rows: list[dict[str, object]] = []
    for case in cases:
        wasm = build_c(GUESTS / f"{case.guest}.c")
        program = Program(wasm)
        for label, make_mount in (("MemoryFS", MemoryFS), ("HostDir", None)):
            if case.guest in ("clock", "compute", "bigdir") and label == "HostDir":
                continue
            baseline: list[float] = []
            ours: list[float] = []
            for _ in range(runs):
                with tempfile.TemporaryDirectory() as base_dir, tempfile.TemporaryDirectory() as our_dir:
                    baseline.append(time_baseline(wasm, case.args, Path(base_dir))[0])
                    mount = make_mount() if make_mount else HostDir(our_dir)
                    ours.append(time_ours(program, case.args, mount)[0])
            rows.append(timing_row(case.name, label, baseline, ours, case.unit, case.operations))
    rows += _bulk(runs, 4 if quick else 64)
    rows += _metadata(runs)
    rows += startup.run_rows(runs, quick)
    return rows


def _printed(wasm: Path, args: list[str], runs: int) -> dict[str, tuple[list[list[int]], list[list[int]]]]:
    """For a guest that times itself and prints the figures: per mount of ours, the numbers it
    printed in each run under wasmtime's WASI (a host directory) and under pywasi_web."""
    program = Program(wasm)
    figures: dict[str, tuple[list[list[int]], list[list[int]]]] = {}
    for label, make_mount in (("MemoryFS", MemoryFS), ("HostDir", None)):
        base, ours = figures[label] = ([], [])
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as base_dir, tempfile.TemporaryDirectory() as our_dir:
                base.append([int(n) for n in time_baseline(wasm, args, Path(base_dir))[1].split()])
                mount = make_mount() if make_mount else HostDir(our_dir)
                ours.append([int(n) for n in time_ours(program, args, mount)[1].split()])
    return figures


def _bulk(runs: int, mib: int) -> list[dict[str, object]]:
    """64 MiB written then read in 64 KiB chunks: throughput measured inside the guest."""
    rows: list[dict[str, object]] = []
    for label, (base, ours) in _printed(build_c(GUESTS / "bulk.c"), [str(mib)], runs).items():
        rows += throughput_rows(mib, label, base, ours)
    return rows


def timing_row(
    name: str, mount: str, baseline: list[float], ours: list[float], unit: str, operations: int
) -> dict[str, object]:
    """A row of seconds per run (the medians of `baseline` and `ours`) given per operation."""
    base_median, our_median = statistics.median(baseline), statistics.median(ours)
    return {
        "benchmark": name,
        "mount": mount,
        "baseline_us": base_median / operations * 1e6,
        "ours_us": our_median / operations * 1e6,
        "ratio": our_median / base_median,
        "unit": unit,
    }


def throughput_rows(
    mib: int, mount: str, base: list[list[int]], ours: list[list[int]]
) -> list[dict[str, object]]:
    """bulk.c's write and read rows: each run printed the nanoseconds of its `mib` MiB written,
    then read."""
    rows: list[dict[str, object]] = []
    for index, direction in enumerate(("write", "read")):
        base_median = statistics.median(mib / 1024 / (run[index] / 1e9) for run in base)
        our_median = statistics.median(mib / 1024 / (run[index] / 1e9) for run in ours)
        rows.append(
            {
                "benchmark": f"{mib} MiB {direction} in 64 KiB chunks",
                "mount": mount,
                "baseline_GBps": base_median,
                "ours_GBps": our_median,
                "ratio": our_median / base_median,
                "unit": "GB/s",
            }
        )
    return rows


METADATA_FILES, METADATA_ROUNDS = 1000, 10


def _metadata(runs: int) -> list[dict[str, object]]:
    """open, fstat, read, close of 1000 small files, and a listing of their directory, each
    repeated METADATA_ROUNDS times: the guest's own clock_gettime figures (bench/guests/metadata.c)."""
    args = [str(METADATA_FILES), str(METADATA_ROUNDS)]
    rows: list[dict[str, object]] = []
    for label, (base, ours) in _printed(build_c(GUESTS / "metadata.c"), args, runs).items():
        for index, (name, unit, operations) in enumerate(METADATA_ROWS):
            base_median = statistics.median(run[index] for run in base) / operations / 1e3
            our_median = statistics.median(run[index] for run in ours) / operations / 1e3
            rows.append(
                {
                    "benchmark": name,
                    "mount": label,
                    "baseline_us": base_median,
                    "ours_us": our_median,
                    "ratio": our_median / base_median,
                    "unit": unit,
                }
            )
    return rows


# (row name, unit, operations per printed figure) for metadata.c's two figures
METADATA_ROWS = (
    (f"open, fstat, read, close of {METADATA_FILES} small files", "cycle", METADATA_FILES * METADATA_ROUNDS),
    (f"listing a {METADATA_FILES}-entry directory", "listing", METADATA_ROUNDS),
)
