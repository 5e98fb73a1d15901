"""The browser results as Markdown, with the issue's targets and whether each is met."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.browser import net
from bench.browser.driver import STEPS

APPEND_LIMIT_US = 10.0
CYCLE_LIMIT_US = 20.0
PER_RUN_LIMIT_MS = 5.0
WARM_LIMIT_MS, COLD_LIMIT_MS = 500, 3000  # navigation to first output (issue #13)


def _target(row: dict[str, Any]) -> tuple[str, bool | None]:
    """(target text, met) for a guest row; met is None where the issue sets no target."""
    name = row["benchmark"]
    if "in place" in name or "to stdout" in name:
        return "≤ 5× shim", row["ratio"] <= 5
    if "appending" in name:
        return f"≤ {APPEND_LIMIT_US:g} µs/write, constant", row["ours"] <= APPEND_LIMIT_US
    if "clock_gettime" in name:
        return "≤ 5× shim", row["ratio"] <= 5
    if "compute" in name:
        return "≤ 1.05× shim", row["ratio"] <= 1.05
    if "MiB" in name:
        return "≥ 1 GB/s", row["ours"] >= 1.0
    if row["unit"] == "cycle":
        return f"≤ {CYCLE_LIMIT_US:g} µs/cycle", row["ours"] <= CYCLE_LIMIT_US
    return "", None


def figure(row: dict[str, Any], key: str) -> str:
    if row["unit"] == "GB/s":
        return f"{row[key]:.2f} GB/s"
    if row["unit"] == "run":
        return f"{row[key]:.3f} s"
    if row["unit"] == "ms":
        return f"{row[key]:.1f} ms"
    return f"{row[key]:.2f} µs/{row['unit']}"


def met(reached: bool | None) -> str:
    return "" if reached is None else ("yes" if reached else "**no**")


def table(
    results: dict[str, Any],
    runs: int,
    baseline: tuple[str, str],
    target: Callable[[dict[str, Any]], tuple[str, bool | None]],
) -> list[str]:
    """The heading line and one table line per row of `results`; baseline is (its description,
    its column's name); target gives each row's (target text, met)."""
    info = results["info"]
    lines = [
        f"Chromium {results['chromium']}, Pyodide {info['pyodideVersion']}, blocking: {info['blocking']}; "
        f"median of {runs} runs after one warm-up; baseline: {baseline[0]}, in a worker too.",
        "",
        f"| benchmark | {baseline[1]} | pywasi_web | ratio (ours / shim) | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        goal, reached = target(row)
        ratio = f"{row['ratio']:.2f}×" + (" throughput" if row["unit"] == "GB/s" else "")
        figures = f"{figure(row, 'shim')} | {figure(row, 'ours')}"
        lines.append(f"| {row['benchmark']} | {figures} | {ratio} | {goal} | {met(reached)} |")
    return lines


def markdown(results: dict[str, Any], runs: int) -> str:
    shim = ("browser_wasi_shim 0.4.2", "browser_wasi_shim")
    lines = table(results, runs, shim, _target)
    if "append_scaling" in results:
        lines.append(_append_scaling(results["append_scaling"]))
    overhead = results["per_run_ms"]
    lines.append(
        f"| one run of hello.wasm in a warm runtime (call to result) | {overhead['shim']:.2f} ms | "
        f"{overhead['ours']:.2f} ms | {overhead['ours'] / overhead['shim']:.2f}× | "
        f"≤ {PER_RUN_LIMIT_MS:g} ms | {met(overhead['ours'] <= PER_RUN_LIMIT_MS)} |"
    )
    navigation = results["first_output_ms"]
    for kind, limit in (("warm", WARM_LIMIT_MS), ("cold", COLD_LIMIT_MS)):
        lines.append(
            f"| navigation to first guest output, {kind} | | {navigation[kind]:.0f} ms | | "
            f"≤ {limit / 1000:g} s | {met(navigation[kind] <= limit)} |"
        )
    back_to_back = navigation["back-to-back"]
    lines.append(f"| navigation to first guest output, back-to-back | | {back_to_back:.0f} ms | | | |")
    lines += ["", *_navigation_steps(navigation)]
    if "network" in results:
        lines += ["", net.markdown(results["network"])]
    if "load_average" in results:
        before, after = results["load_average"]
        lines += ["", f"Load average (1 minute): {before:.1f} before, {after:.1f} after."]
    return "\n".join(lines)


def _navigation_steps(navigation: dict[str, Any]) -> list[str]:
    """When each step of a page load ended (ms since navigation start, medians), per kind of load."""
    kinds = list(navigation["steps"])
    lines = [
        f"| step ended (ms since navigation start) | {' | '.join(kinds)} |",
        "|---|" + "---|" * len(kinds),
    ]
    for name in STEPS:
        if not any(name in navigation["steps"][kind] for kind in kinds):
            continue
        cells = [
            f"{navigation['steps'][kind][name]:.0f}" if name in navigation["steps"][kind] else ""
            for kind in kinds
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return lines


def _append_scaling(scaling: dict[int, float]) -> str:
    constant = max(scaling.values()) <= APPEND_LIMIT_US and max(scaling.values()) <= 1.5 * min(
        scaling.values()
    )
    steps = ", ".join(f"{us:.2f} µs at {count:,}".replace(",", " ") for count, us in scaling.items())
    target = f"≤ {APPEND_LIMIT_US:g} µs, flat"
    return f"| appending writes by file size | | {steps} | | {target} | {met(constant)} |"
