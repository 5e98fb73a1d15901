"""`python -m bench.run`: run the benchmarks and print a Markdown table (median of --runs).

By default the CPython benchmarks (wasmtime-py's WASI as the baseline); with --browser the browser
ones in Chromium (browser_wasi_shim as the baseline), see bench/browser/.
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

from bench import cpython


def markdown(rows: list[dict[str, object]], runs: int) -> str:
    lines = [
        f"CPython {platform.python_version()}, median of {runs} runs, baseline: wasmtime-py's built-in WASI.",
        "",
        "| benchmark | our mount | baseline | pywasi_web | ratio (ours / baseline) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        if row["unit"] == "GB/s":
            base, ours = f"{row['baseline_GBps']:.2f} GB/s", f"{row['ours_GBps']:.2f} GB/s"
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
    options = parser.parse_args()
    if options.browser:
        run_browser(options.runs, options.quick)
        return
    rows = cpython.run_cases(options.runs, options.quick)
    output = Path("build/bench-cpython.json")
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(rows, indent=2))
    print(markdown(rows, options.runs))


def run_browser(runs: int, quick: bool) -> None:
    from bench.browser import driver, report

    results = driver.measure(runs, quick)
    output = Path("build/bench-browser.json")
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    print(report.markdown(results, runs))


if __name__ == "__main__":
    main()
