"""`python -m bench.run`: run the benchmarks and print a Markdown table (median of --runs).

By default the CPython benchmarks (wasmtime-py's WASI as the baseline); with --components the same
for WASI 0.2 components (wasmtime-py's WASI 0.2 as the baseline); with --browser the browser
ones in Chromium (browser_wasi_shim as the baseline), see bench/browser/; with --browser --components
the components in Chromium (the same component transpiled by jco on preview2-shim as the baseline,
bench/browser/components.py); with --persistence the write-back throughput of persistent mounts (a
plain IndexedDB put loop as the baseline); with --mounts a run over a large mounted tree (copied
with each run as the baseline); with --guest-cache a large guest's first run after a page reload
(its URL revalidated, so compiled again, as the baseline; bench/browser/guest_cache.py).
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

from bench import cpython


def markdown(rows: list[dict[str, object]], runs: int, baseline: str = "wasmtime-py's built-in WASI") -> str:
    lines = [
        f"CPython {platform.python_version()}, median of {runs} runs, baseline: {baseline}.",
        "",
        "| benchmark | our mount | baseline | pywasi_web | ratio (ours / baseline) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        if row["unit"] == "GB/s":
            base, ours = f"{row['baseline_GBps']:.2f} GB/s", f"{row['ours_GBps']:.2f} GB/s"
        elif row["unit"] == "s":
            base, ours = f"{row['baseline_s']:.3f} s", f"{row['ours_s']:.3f} s"
        else:
            base, ours = (
                f"{row['baseline_us']:.2f} µs/{row['unit']}",
                f"{row['ours_us']:.2f} µs/{row['unit']}",
            )
        lines.append(f"| {row['benchmark']} | {row['mount']} | {base} | {ours} | {row['ratio']:.2f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a tenth of the work, for a smoke run")
    parser.add_argument("--browser", action="store_true", help="the browser benchmarks, in Chromium")
    parser.add_argument(
        "--startup",
        action="store_true",
        help="with --browser: only per-run overhead, the metadata cycle and navigation to first output",
    )
    parser.add_argument(
        "--components", action="store_true", help="WASI 0.2 components (with --browser: in Chromium)"
    )
    parser.add_argument(
        "--persistence", action="store_true", help="IndexedDB write-back throughput, in Chromium"
    )
    parser.add_argument("--mounts", action="store_true", help="a run over a large tree: kept and URL mounts")
    parser.add_argument(
        "--guest-cache",
        action="store_true",
        help="a large guest's first run after a page reload, with V8's kept code or without",
    )
    options = parser.parse_args()
    if options.browser and options.components:
        from bench.browser import components as browser_components

        results = browser_components.measure(options.runs, options.quick)
        _save("browser-components", results, browser_components.markdown(results, options.runs))
    elif options.browser:
        from bench.browser import driver, report

        results = driver.measure(options.runs, options.quick, startup=options.startup)
        _save("browser", results, report.markdown(results, options.runs))
    elif options.components:
        from bench import components

        rows = components.run_cases(options.runs, options.quick)
        _save("components", rows, markdown(rows, options.runs, "wasmtime-py's built-in WASI 0.2"))
    elif options.persistence:
        from bench.browser import persistence

        results = persistence.measure(options.runs, options.quick)
        _save("persistence", results, persistence.markdown(results, options.runs))
    elif options.mounts:
        from bench.browser import mounts

        results = mounts.measure(options.runs, options.quick)
        _save("mounts", results, mounts.markdown(results, options.runs))
    elif options.guest_cache:
        from bench.browser import guest_cache

        results = guest_cache.measure(options.runs, options.quick)
        _save("guest-cache", results, guest_cache.markdown(results, options.runs))
    else:
        rows = cpython.run_cases(options.runs, options.quick)
        _save("cpython", rows, markdown(rows, options.runs))


def _save(suite: str, results: object, table: str) -> None:
    """Keep the raw figures in build/bench-SUITE.json (for docs and comparisons) and print the table."""
    output = Path(f"build/bench-{suite}.json")
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    print(table)


if __name__ == "__main__":
    main()
