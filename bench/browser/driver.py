"""Drive the browser benchmarks: serve the page, run each guest under both runtimes, take medians.

The page (bench/browser/index.html) is served by the playground server with two extra routes,
/bench/ (this directory) and /bench/guests/ (the guests built from bench/guests/*.c). Both runtimes
run in module workers and report only the `_start` call's duration, or, for bulk.c, the guest's
own clock_gettime figures. Navigation to first output is measured from the navigation start to the
first stdout chunk of hello.wasm: cold in a fresh browser profile, warm on later loads of it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.browser import net
from pywasi_web.cli.serve import REPO_ROOT, PlaygroundHandler, make_server, prepare_assets
from pywasi_web.cli.toolchain import build_c
from tests.chromium import CODE_CACHE_WARMED, chromium, persistent_chromium

HERE = Path(__file__).parent
GUESTS = HERE.parent / "guests"
BUILT = REPO_ROOT / "build" / "bench-guests"
HELLO = REPO_ROOT / "playwright" / "guests" / "hello.c"
NETCLIENT = REPO_ROOT / "playwright" / "guests" / "netclient.c"  # for bench/browser/net.py
MOUNTOPS = REPO_ROOT / "playwright" / "guests" / "mountops.c"  # for bench/browser/mounts.py


@dataclass
class Case:
    name: str
    guest: str
    args: list[str]
    operations: int
    unit: str  # what one operation is: "write", "call", "run"


def cases(quick: bool) -> list[Case]:
    count = 10_000 if quick else 100_000
    label = f"{count:,}".replace(",", " ")
    return [
        Case(f"{label} 16-byte writes in place", "writes", ["inplace", str(count)], count, "write"),
        Case(f"{label} appending 16-byte writes", "writes", ["append", str(count)], count, "write"),
        Case(f"{label} 16-byte writes to stdout", "writes", ["stdout", str(count)], count, "write"),
        Case(f"{label} clock_gettime", "clock", [str(count)], count, "call"),
        Case("compute-bound (about 1 s)", "compute", [str(70_000_000 if quick else 700_000_000)], 1, "run"),
    ]


def _build_guests() -> None:
    BUILT.mkdir(parents=True, exist_ok=True)
    for source in [*GUESTS.glob("*.c"), HELLO, NETCLIENT, MOUNTOPS]:
        shutil.copyfile(build_c(source), BUILT / f"{source.stem}.wasm")


@contextmanager
def serving(routes: tuple[tuple[str, Path], ...] = ()) -> Iterator[str]:
    """The playground server plus the bench routes (and `routes`, (URL prefix, directory) pairs
    looked up first), on a free port."""
    prepare_assets(log=lambda _message: None)
    _build_guests()
    extra = [*routes, ("/bench/guests/", BUILT), ("/bench/", HERE)]

    class BenchHandler(PlaygroundHandler):
        def _resolve(self, path: str) -> Path | None:
            for prefix, directory in extra:
                if path.startswith(prefix):
                    candidate = (directory / path[len(prefix) :]).resolve()
                    return candidate if candidate.is_relative_to(directory) and candidate.is_file() else None
            return super()._resolve(path)

    server = make_server(0, quiet=True, base=BenchHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(page: Any, runtime: str, guest: str, args: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        "([runtime, guest, args]) => window.bench[runtime](guest, args)", [runtime, guest, args]
    )
    if result["exitCode"] != 0:
        raise RuntimeError(f"{guest} {args} exited with {result['exitCode']} under {runtime}")
    return result


def guest_rows(page: Any, runs: int, quick: bool) -> list[dict[str, Any]]:
    rows = []
    for case in cases(quick):
        medians = {}
        for runtime in ("ours", "shim"):
            _run(page, runtime, case.guest, case.args)  # warm-up: JIT tiers, first allocations
            medians[runtime] = statistics.median(
                _run(page, runtime, case.guest, case.args)["startMs"] for _ in range(runs)
            )
        per_op = 1e3 if case.unit != "run" else 1e-3  # µs per operation, or seconds per run
        rows.append(
            {
                "benchmark": case.name,
                "unit": case.unit,
                "ours": medians["ours"] / case.operations * per_op,
                "shim": medians["shim"] / case.operations * per_op,
                "ratio": medians["ours"] / medians["shim"],
            }
        )
    return rows + bulk_rows(page, runs, 4 if quick else 64) + metadata_rows(page, runs)


def append_scaling(page: Any, runs: int, counts: tuple[int, ...]) -> dict[int, float]:
    """Our µs per appending write at several file sizes: constant cost means flat numbers."""
    return {
        count: statistics.median(
            _run(page, "ours", "writes", ["append", str(count)])["startMs"] for _ in range(runs)
        )
        / count
        * 1e3
        for count in counts
    }


def bulk_rows(page: Any, runs: int, mib: int) -> list[dict[str, Any]]:
    """Throughput in GB/s as the guest measures it, write then read, 64 KiB chunks."""
    figures: dict[str, dict[str, list[float]]] = {
        runtime: {"write": [], "read": []} for runtime in ("ours", "shim")
    }
    for runtime in ("ours", "shim"):
        for _ in range(runs):
            write_ns, read_ns = map(int, _run(page, runtime, "bulk", [str(mib)])["stdout"].split())
            figures[runtime]["write"].append(mib / 1024 / (write_ns / 1e9))
            figures[runtime]["read"].append(mib / 1024 / (read_ns / 1e9))
    rows = []
    for direction in ("write", "read"):
        ours = statistics.median(figures["ours"][direction])
        shim = statistics.median(figures["shim"][direction])
        rows.append(
            {
                "benchmark": f"{mib} MiB {direction} in 64 KiB chunks",
                "unit": "GB/s",
                "ours": ours,
                "shim": shim,
                "ratio": ours / shim,
            }
        )
    return rows


PER_RUN_COUNT = 20  # runs timed per sample; the sample is their median


def per_run(page: Any, runs: int) -> dict[str, float]:
    """Median ms for one run of hello.wasm in a warm runtime, from the call to its result
    (compiling, instantiating, messages and the run), for each runtime."""
    return {
        runtime: statistics.median(
            page.evaluate(
                "([which, count]) => window.bench.perRun(which, 'hello', count)", [runtime, PER_RUN_COUNT]
            )
            for _ in range(runs)
        )
        for runtime in ("ours", "shim")
    }


def metadata_rows(page: Any, runs: int) -> list[dict[str, Any]]:
    """bench/guests/metadata.c: open, fstat, read and close of small files, and listings of their
    directory, as the guest times them (the same figures as the CPython rows)."""
    from bench.cpython import METADATA_FILES, METADATA_ROUNDS, METADATA_ROWS

    args = [str(METADATA_FILES), str(METADATA_ROUNDS)]
    printed = {
        runtime: [
            [int(n) for n in _run(page, runtime, "metadata", args)["stdout"].split()] for _ in range(runs)
        ]
        for runtime in ("ours", "shim")
    }
    rows = []
    for index, (name, unit, operations) in enumerate(METADATA_ROWS):
        ours = statistics.median(run[index] for run in printed["ours"]) / operations / 1e3
        shim = statistics.median(run[index] for run in printed["shim"]) / operations / 1e3
        rows.append({"benchmark": name, "unit": unit, "ours": ours, "shim": shim, "ratio": ours / shim})
    return rows


FIRST_OUTPUT_LOADS = ("cold", "warm", "back-to-back")
STEPS = (  # the timeline entries (worker marks, page marks) that the breakdown lists, in order
    "html",
    "page-module",
    "worker-start",
    "pyodide-loader",
    "wheels-fetched",
    "snapshot-read",
    "snapshot-fetched",
    "pyodide-compiled",
    "pyodide-loaded",
    "wheels-installed",
    "imported",
    "ready",
    "ready-received",
    "first-output",
)


def first_output(browser: Any, url: str, runs: int) -> dict[str, Any]:
    """Median ms from navigation start to hello.wasm's first output, per load of a fresh profile:
    cold (the first load), warm (the next one) and back-to-back (the one after, begun at warm's
    first output); and, under "steps", each load's median time at which each step of STEPS ended.

    The cold visit lasts until its worker has got V8 to keep its compiled code for Pyodide (about
    a second after the first run, web/code_cache.js), as a visitor's who reads the output would:
    warm is a returning visitor's load. Back-to-back shares the machine with what the load before
    it still does (V8 optimises Pyodide's interpreter loop in the background, ~0.4 s of a core).
    Each run is a new persistent profile (a user's ordinary window): a private context
    (browser.new_context()) keeps no compiled code across loads."""
    samples: dict[str, list[dict[str, Any]]] = {kind: [] for kind in FIRST_OUTPUT_LOADS}
    for _ in range(runs):
        with (
            tempfile.TemporaryDirectory() as profile,
            persistent_chromium(Path(profile), browser.browser_type) as context,
        ):
            page = context.new_page()
            for kind in FIRST_OUTPUT_LOADS:
                samples[kind].append(
                    _first_output(page, f"{url}/bench/index.html?first-output", kind == "cold")
                )
                if kind == "cold":
                    page.evaluate(CODE_CACHE_WARMED)
    figures: dict[str, Any] = {kind: statistics.median(s["ms"] for s in samples[kind]) for kind in samples}
    figures["steps"] = {kind: _step_medians(samples[kind]) for kind in samples}
    return figures


def _step_medians(loads: list[dict[str, Any]]) -> dict[str, float]:
    ends: dict[str, list[float]] = {}
    for load in loads:
        for name, _start, end in load["timeline"]:
            if name in STEPS:
                ends.setdefault(name, []).append(end)
    return {name: statistics.median(ends[name]) for name in STEPS if name in ends}


def _first_output(page: Any, url: str, navigate: bool) -> dict[str, Any]:
    if navigate:
        page.goto(url)
    else:
        page.reload()
    page.wait_for_function("window.firstOutput !== undefined", timeout=120_000)
    result: dict[str, Any] = page.evaluate("window.firstOutput")
    if "error" in result:
        raise RuntimeError(f"the page failed: {result['error']}")
    if "hello" not in result["stdout"]:
        raise RuntimeError(f"hello.wasm printed {result['stdout']!r}")
    return result


def measure(runs: int, quick: bool, *, startup: bool = False) -> dict[str, Any]:
    """Every browser row, or with `startup` only the start-up ones (per-run overhead, the metadata
    cycle, navigation to first output), which a loaded machine measures in minutes, not an hour.
    The load average (1 minute) before and after goes with them: absolute figures depend on it."""
    load_before = os.getloadavg()[0]
    with serving() as url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url}/bench/index.html")
        page.wait_for_function("window.bench !== undefined", timeout=120_000)
        results: dict[str, Any] = {"chromium": browser.version, "info": page.evaluate("window.bench.info")}
        if startup:
            results["rows"] = metadata_rows(page, runs)
        else:
            results["rows"] = guest_rows(page, runs, quick)
            results["append_scaling"] = append_scaling(
                page, runs, (10_000, 100_000) if not quick else (1_000, 10_000)
            )
        results["per_run_ms"] = per_run(page, runs)
        results["first_output_ms"] = first_output(browser, url, runs)
        if not startup:
            results["network"] = net.measure(page, runs)
    results["load_average"] = [load_before, os.getloadavg()[0]]
    return results
