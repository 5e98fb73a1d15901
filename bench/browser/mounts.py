"""A guest reading a few files of a large tree (a toolchain: 56 MB in 224 files), per rt.run, in
Chromium: copying the tree with each run (before: every file back in the result too) against a
kept mount and a URL mount.

`python -m bench.run --mounts`. Each figure is the page's wall time of one rt.run (sending the
options, building the mounts, the guest's reads, the result), median of --runs after a warm-up
round, the kinds taking turns;
the ratio is against copying with every file returned, what a page did before kept and URL
mounts and changed-files-only results existed.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from bench.browser.driver import BUILT, serving
from pywasi_web.cli.manifest import write_manifest
from tests.chromium import chromium

TREE = BUILT / "mount-tree"
KINDS = {
    "copy-all": "copied with each run, every file returned",
    "copy": "copied with each run, changed files returned",
    "kept": "kept mount (rt.mount once)",
    "url": "URL mount, fetched in the run",
    "kept-url": "kept URL mount",
}


def _tree(files: int, size: int) -> None:
    """TREE: `files` files of `size` bytes in 8 directories, and its manifest (made once)."""
    if (TREE / "manifest.json").exists() and len(
        json.loads((TREE / "manifest.json").read_text())["entries"]
    ) == files + 8:
        return
    for index in range(files):
        path = TREE / f"d{index % 8}" / f"f{index}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes([index % 251]) * size)
    write_manifest(TREE, TREE / "manifest.json")  # which leaves itself out


def measure(runs: int, quick: bool) -> dict[str, Any]:
    files, size = (28, 250_000) if quick else (224, 250_000)
    _tree(files, size)
    reads = [f"peek:/tools/d{index % 8}/f{index}.bin:1000:64" for index in (0, 9, 18)]
    with serving() as url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url}/bench/mounts.html")
        page.wait_for_function("window.mounts !== undefined", timeout=120_000)
        total = page.evaluate(
            "(manifest) => window.mounts.load(manifest)", "/bench/guests/mount-tree/manifest.json"
        )
        timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for _ in range(runs + 1):  # round after round, so what one kind leaves behind (garbage to
            for kind in KINDS:  # collect) weighs on every kind alike; the first round warms up
                timings[kind].append(
                    float(page.evaluate("([k, a]) => window.mounts.time(k, a)", [kind, reads]))
                )
        medians = {kind: statistics.median(values[1:]) for kind, values in timings.items()}
        return {
            "chromium": browser.version,
            "bytes": total,
            "files": files,
            "reads": len(reads),
            "ms": medians,
        }


def markdown(results: dict[str, Any], runs: int) -> str:
    baseline = results["ms"]["copy-all"]
    lines = [
        f"Chromium {results['chromium']}, median of {runs} runs; a tree of {results['bytes'] / 1e6:.0f} MB"
        f" in {results['files']} files at /tools, of which the guest reads 64 bytes of {results['reads']}.",
        "",
        "| the tree is | ms per rt.run | ratio (copied, all returned / this) |",
        "|---|---|---|",
    ]
    for kind, label in KINDS.items():
        lines.append(f"| {label} | {results['ms'][kind]:.1f} | {baseline / results['ms'][kind]:.1f}× |")
    return "\n".join(lines)
