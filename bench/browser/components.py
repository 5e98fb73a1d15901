"""WASI 0.2 components in Chromium: pywasi_web's component model in its worker (rt.run) against
the same component transpiled by jco and run on @bytecodealliance/preview2-shim's browser build,
both in module workers of one page (bench/browser/components.html).

The components are bench/components.py's (the bench/guests C programs made components by the
preview1 adapter). `jco transpile --instantiation async` writes each one's JS and core modules into
build/bench-components/<stem>-<hash>/ (the hash of the component and jco's version, so a cached
output is reused and a changed one never is); the component's own bytes sit beside them.
Only the wasi:cli/run call is timed, in each worker, except start-up (the page's call to the
result of a hello world, compile and instantiate included) and 64 MiB (the guest's own clock).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.browser import report
from bench.browser.driver import serving
from bench.components import GUESTS, HELLO, component_of
from pywasi_web.cli.serve import REPO_ROOT
from tests.chromium import chromium

TRANSPILED = REPO_ROOT / "build" / "bench-components"
JCO = REPO_ROOT / "node_modules" / ".bin" / "jco"
SHIM = REPO_ROOT / "node_modules" / "@bytecodealliance" / "preview2-shim"


def _version(package: Path) -> str:
    return str(json.loads((package / "package.json").read_text())["version"])


def transpiled(component: Path, name: str) -> Path:
    """build/bench-components/<name>-<hash>/: <name>.js, its core modules, <name>.component.wasm."""
    wasm = component.read_bytes()
    jco = _version(REPO_ROOT / "node_modules" / "@bytecodealliance" / "jco").encode()
    digest = hashlib.sha256(hashlib.sha256(wasm).digest() + jco).hexdigest()[:16]
    output = TRANSPILED / f"{name}-{digest}"
    if output.is_dir():
        return output
    TRANSPILED.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=TRANSPILED))
    try:
        command = [str(JCO), "transpile", str(component), "-o", str(staging), "--name", name]
        subprocess.run([*command, "--instantiation", "async", "--no-typescript", "-q"], check=True)
        (staging / f"{name}.component.wasm").write_bytes(wasm)
        os.replace(staging, output)  # atomic: a concurrent run never serves a partial directory
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output


def _guest(source: Path) -> dict[str, Any]:
    """What the page needs to run `source`'s component under both runtimes: URLs."""
    directory = transpiled(component_of(source), source.stem)
    base = f"/bench/components/{directory.name}/"
    return {
        "component": f"{base}{source.stem}.component.wasm",
        "module": f"{base}{source.stem}.js",
        "base": base,
        "cores": sorted(path.name for path in directory.glob(f"{source.stem}.core*.wasm")),
    }


def _run(page: Any, runtime: str, guest: dict[str, Any], args: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        "([runtime, guest, args]) => window.bench[runtime](guest, args)", [runtime, guest, args]
    )
    if result["exitCode"] != 0:
        raise RuntimeError(f"{guest['module']} {args} exited with {result['exitCode']} under {runtime}")
    return result


def _medians(page: Any, guest: dict[str, Any], args: list[str], runs: int, key: str) -> dict[str, float]:
    """Median of `key` per runtime, after one warm-up run (JIT tiers, the module's first import)."""
    medians = {}
    for runtime in ("ours", "shim"):
        _run(page, runtime, guest, args)
        medians[runtime] = statistics.median(_run(page, runtime, guest, args)[key] for _ in range(runs))
    return medians


def _row(name: str, unit: str, ours: float, shim: float) -> dict[str, Any]:
    return {"benchmark": name, "unit": unit, "ours": ours, "shim": shim, "ratio": ours / shim}


def guest_rows(page: Any, runs: int, quick: bool) -> list[dict[str, Any]]:
    scale = 10 if quick else 1
    count = 100_000 // scale
    label = f"{count:,}".replace(",", " ")
    startup = _medians(page, _guest(HELLO), ["world"], runs, "callMs")
    rows = [_row("start-up to first output (hello, call to result)", "ms", startup["ours"], startup["shim"])]
    for name, source, args, unit, operations in (
        (f"{label} 16-byte stdout writes", "writes", ["stdout", str(count)], "write", count),
        (f"{label} clock reads", "clock", [str(count)], "call", count),
        ("compute-bound (about 1 s)", "compute", [str(700_000_000 // scale)], "run", 1),
    ):
        medians = _medians(page, _guest(GUESTS / f"{source}.c"), args, runs, "runMs")
        per_op = 1e-3 if unit == "run" else 1e3 / operations  # seconds per run, or µs per operation
        rows.append(_row(name, unit, medians["ours"] * per_op, medians["shim"] * per_op))
    return rows + bulk_rows(page, runs, 64 // (16 if quick else 1))


def bulk_rows(page: Any, runs: int, mib: int) -> list[dict[str, Any]]:
    """Throughput in GB/s as the guest measures it (monotonic clock), write then read, 64 KiB chunks."""
    guest = _guest(GUESTS / "bulk.c")
    rates: dict[str, list[tuple[float, float]]] = {}
    for runtime in ("ours", "shim"):
        printed = [_run(page, runtime, guest, [str(mib)])["stdout"].split() for _ in range(runs)]
        rates[runtime] = [(mib / 1024 / (int(w) / 1e9), mib / 1024 / (int(r) / 1e9)) for w, r in printed]
    return [
        _row(
            f"{mib} MiB {direction} in 64 KiB chunks",
            "GB/s",
            statistics.median(rate[index] for rate in rates["ours"]),
            statistics.median(rate[index] for rate in rates["shim"]),
        )
        for index, direction in enumerate(("write", "read"))
    ]


def measure(runs: int, quick: bool) -> dict[str, Any]:
    routes = (("/bench/components/", TRANSPILED), ("/bench/preview2-shim/", SHIM / "dist" / "browser"))
    TRANSPILED.mkdir(parents=True, exist_ok=True)
    with serving(routes) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url}/bench/components.html")
        page.wait_for_function("window.bench !== undefined", timeout=120_000)
        return {
            "chromium": browser.version,
            "info": page.evaluate("window.bench.info"),
            "jco": _version(REPO_ROOT / "node_modules" / "@bytecodealliance" / "jco"),
            "preview2_shim": _version(SHIM),
            "rows": guest_rows(page, runs, quick),
        }


def _target(row: dict[str, Any]) -> tuple[str, bool | None]:
    """(target text, met) for a row; met is None where the issue sets no target."""
    name = row["benchmark"]
    if row["unit"] == "GB/s":
        return "≥ 0.5× throughput", row["ratio"] >= 0.5
    if "compute" in name:
        return "≤ 1.05×", row["ratio"] <= 1.05
    if row["unit"] in ("write", "call"):
        return "≤ 2×", row["ratio"] <= 2
    return "", None


def markdown(results: dict[str, Any], runs: int) -> str:
    baseline = f"jco {results['jco']} transpile on preview2-shim {results['preview2_shim']} (browser build)"
    return "\n".join(report.table(results, runs, (baseline, "jco + preview2-shim"), _target))
