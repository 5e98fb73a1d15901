"""`pywasi-web build-site DIR`: the playground as a static site for any static host.

It is what `serve` serves (the same route table), frozen into files: the index.json answers are
written out, only the Pyodide files the worker loads are copied, and coi-serviceworker is put at
the site root. index.html loads it only when the page is not already cross-origin isolated, so a
host that cannot send COOP/COEP headers still gets SharedArrayBuffer after one reload; where a
service worker cannot run, the page works in JSPI-only mode and says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pywasi_web.cli.serve import REPO_ROOT, example_index, prepare_assets, routes, wheel_index

# What the worker loads from the pyodide package (its other files are docs, types and consoles).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
DEV_ONLY = ("/vendor/browser_wasi_shim/",)


def build_site(directory: str | Path, root: Path = REPO_ROOT) -> Path:
    prepare_assets(root)
    site = Path(directory)
    if site.exists() and any(site.iterdir()):
        raise FileExistsError(f"build-site: {site} exists and is not empty")
    for prefix, source in routes(root):
        if prefix in DEV_ONLY:
            continue
        target = site / prefix.strip("/")
        if prefix == "/vendor/pyodide/":
            target.mkdir(parents=True, exist_ok=True)
            for name in PYODIDE_FILES:
                shutil.copy2(source / name, target / name)
        else:
            shutil.copytree(source, target, dirs_exist_ok=True)
    (site / "wheels" / "index.json").write_text(json.dumps(wheel_index(root)))
    (site / "examples" / "index.json").write_text(json.dumps(example_index(root)))
    shutil.copy2(
        root / "node_modules" / "coi-serviceworker" / "coi-serviceworker.min.js",
        site / "coi-serviceworker.js",
    )
    print(f"static site written to {site}")
    return site
