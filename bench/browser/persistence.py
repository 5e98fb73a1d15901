"""Write-back throughput of an IndexedDB mount against a plain IndexedDB put loop, in Chromium.

`python -m bench.run --persistence`. Each case is one write-back (a guest's fsync on a persistent
/home with every file still dirty): 1000 files of 4 KiB, and one file of 64 MiB (16 with --quick).
Measured for both backends (IndexedDB, OPFS). The baseline puts the same bytes with the same
durability in one IndexedDB transaction from the page itself, so for IndexedDB the difference is
what PersistentFS, Pyodide's copies and the worker add.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.browser.driver import serving
from tests.chromium import chromium


def cases(quick: bool) -> list[tuple[str, int, int]]:
    big = 16 if quick else 64
    return [("1000 files of 4 KiB", 1000, 4096), (f"one file of {big} MiB", 1, big << 20)]


KINDS = {
    "indexeddb": "([c, s]) => window.persistence.ours(c, s, 'indexeddb')",
    "opfs": "([c, s]) => window.persistence.ours(c, s, 'opfs')",
    "plain": "([c, s]) => window.persistence.plain(c, s)",
}


def measure(runs: int, quick: bool) -> dict[str, Any]:
    with serving() as url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url}/bench/persistence.html")
        page.wait_for_function("window.persistence !== undefined", timeout=120_000)
        rows = []
        for name, count, size in cases(quick):
            row: dict[str, Any] = {"benchmark": name}
            for kind, call in KINDS.items():
                timings = [float(page.evaluate(call, [count, size])) for _ in range(runs + 1)][1:]
                row[f"{kind}_ms"] = statistics.median(timings)  # the first run was a warm-up
                row[f"{kind}_MBps"] = count * size / 1e6 / (row[f"{kind}_ms"] / 1e3)
            rows.append(row)
        return {"chromium": browser.version, "rows": rows}


def markdown(results: dict[str, Any], runs: int) -> str:
    lines = [
        f"Chromium {results['chromium']}, median of {runs} runs; one write-back each, durability strict.",
        "",
        "| write-back | IndexedDB mount | OPFS mount | plain IndexedDB put loop | IndexedDB mount / plain |",
        "|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        figures = " | ".join(f"{row[f'{k}_MBps']:.0f} MB/s ({row[f'{k}_ms']:.0f} ms)" for k in KINDS)
        ratio = row["indexeddb_ms"] / row["plain_ms"]
        lines.append(f"| {row['benchmark']} | {figures} | {ratio:.2f}× time |")
    return "\n".join(lines)
