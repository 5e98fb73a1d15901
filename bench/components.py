"""WASI 0.2 benchmarks on CPython: the same component (a bench/guests C program made a component by
the preview1 adapter, as tests/component/build.py makes them) run by wasmtime-py's own WASI 0.2
(`wasmtime.component.Linker` with `add_wasip2()`, the baseline) and by pywasi_web's component model
over its Python WASI 0.2 host, in the same process.

Only the call of `wasi:cli/run` is timed, except for start-up, which is timed from the component's
bytes to its exit (compile, instantiate, run a hello world), as a user's first run sees it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import wasmtime
import wasmtime.component as wc

from bench.cpython import throughput_rows, time_ours, timing_row, wasi_store
from pywasi_web import MemoryFS, Program
from pywasi_web.cli.toolchain import build_c, componentize
from tests.component.oracle import export_function, run_export

GUESTS = Path(__file__).parent / "guests"
HELLO = Path(__file__).parents[1] / "examples" / "hello.c"


@dataclass
class Case:
    name: str
    guest: Path
    args: list[str]
    unit: str
    operations: int


def component_of(source: Path) -> Path:
    return componentize(build_c(source), f"bench-{source.stem}")


def time_baseline(component: Path, args: list[str], workdir: Path) -> tuple[float, bytes]:
    """Seconds in wasi:cli/run under wasmtime's WASI 0.2, and the guest's stdout."""
    engine, store, stdout = wasi_store(component.name, args, workdir)
    linker = wc.Linker(engine)
    linker.add_wasip2()
    wasm = component.read_bytes()
    run = export_function(store, linker.instantiate(store, wc.Component(engine, wasm)), run_export(wasm))
    began = time.perf_counter()
    outcome = run()
    elapsed = time.perf_counter() - began
    assert not (isinstance(outcome, wc.Variant) and outcome.tag == "err"), outcome
    return elapsed, stdout.read_bytes()


def _startup(runs: int) -> dict[str, object]:
    """Compile, instantiate and run hello (argv: one word) until it exits; its first output is
    its only output, so this is start-up to first output plus the exit."""
    component = component_of(HELLO)
    wasm = component.read_bytes()
    run = run_export(wasm)

    def baseline() -> float:
        began = time.perf_counter()
        engine = wasmtime.Engine()
        store = wasmtime.Store(engine)
        config = wasmtime.WasiConfig()
        config.argv = ["hello", "world"]
        store.set_wasi(config)
        linker = wc.Linker(engine)
        linker.add_wasip2()
        export_function(store, linker.instantiate(store, wc.Component(engine, wasm)), run)()
        return time.perf_counter() - began

    def ours() -> float:
        began = time.perf_counter()
        Program(wasm).run(["world"], capture_output=True)
        return time.perf_counter() - began

    base = [baseline() for _ in range(runs)]
    mine = [ours() for _ in range(runs)]
    return timing_row("start-up to first output (hello)", "MemoryFS", base, mine, "run", 1)


def _bulk(runs: int, mib: int) -> list[dict[str, object]]:
    """64 MiB written then read in 64 KiB chunks, timed inside the guest (bulk.c prints ns)."""
    component = component_of(GUESTS / "bulk.c")
    program = Program(component)
    base: list[list[int]] = []
    ours: list[list[int]] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as workdir:
            base.append([int(n) for n in time_baseline(component, [str(mib)], Path(workdir))[1].split()])
        ours.append([int(n) for n in time_ours(program, [str(mib)], MemoryFS())[1].split()])
    return throughput_rows(mib, "MemoryFS", base, ours)


def run_cases(runs: int, quick: bool) -> list[dict[str, object]]:
    scale = 10 if quick else 1
    count = 100000 // scale
    cases = [
        Case("100 000 16-byte stdout writes", GUESTS / "writes.c", ["stdout", str(count)], "write", count),
        Case("100 000 clock reads", GUESTS / "clock.c", [str(count)], "call", count),
        Case("compute-bound (about 1 s)", GUESTS / "compute.c", [str(700000000 // scale)], "run", 1),
    ]
    rows = [_startup(runs)]
    for case in cases:
        component = component_of(case.guest)
        program = Program(component)
        baseline: list[float] = []
        ours: list[float] = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as workdir:
                baseline.append(time_baseline(component, case.args, Path(workdir))[0])
            ours.append(time_ours(program, case.args, MemoryFS())[0])
        rows.append(timing_row(case.name, "MemoryFS", baseline, ours, case.unit, case.operations))
    rows += _bulk(runs, 4 if quick else 64)
    return rows
