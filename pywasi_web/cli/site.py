"""`pywasi-web build-site DIR`: the playground as a static site for any static host.

It is what `serve` serves (the same route table), frozen into files: the wheels' index.json is
written out, only the vendor files the page and the worker load are copied, only the examples the
manifest lists, and coi-serviceworker is put at the site root. index.html loads it only when the
page is not already cross-origin isolated, so a host that cannot send COOP/COEP headers still gets
SharedArrayBuffer after one reload; where a service worker cannot run, the page works in JSPI-only
mode and says so.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from pywasi_web.cli.serve import REPO_ROOT, example_manifest, prepare_assets, routes, wheel_index
from pywasi_web.cli.setup_steps import SetupError

# Per vendor route, the files the site needs (the npm packages also hold sources, types, maps, consoles).
VENDOR_FILES = {
    "/vendor/pyodide/": (
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
        "pyodide-lock.json",
    ),
    "/vendor/xterm/": ("lib/xterm.mjs", "css/xterm.css", "LICENSE"),
}
# The benchmark baseline is for development; coi-serviceworker goes to the site root instead.
NOT_PUBLISHED = ("/vendor/browser_wasi_shim/", "/vendor/coi-serviceworker/")
COI_SERVICEWORKER = Path("node_modules") / "coi-serviceworker" / "coi-serviceworker.min.js"


def build_site(directory: str | Path, root: Path = REPO_ROOT) -> Path:
    """Write the site into `directory`, which must be empty or missing (nothing there is overwritten)."""
    site = Path(directory)
    if site.exists() and (not site.is_dir() or any(site.iterdir())):
        raise SetupError(f"{site} is not an empty directory: build-site writes into an empty or new one")
    prepare_assets(root)
    for prefix, source in routes(root):
        target = site / prefix.strip("/")
        if prefix in NOT_PUBLISHED:
            continue
        if prefix in VENDOR_FILES:
            _copy_files(source, target, VENDOR_FILES[prefix])
        elif prefix == "/examples/":
            names = [f"{example['name']}.wasm" for example in example_manifest(root)]
            _copy_files(source, target, (*names, "index.json"))
        else:
            shutil.copytree(source, target, dirs_exist_ok=True)
    (site / "wheels" / "index.json").write_text(json.dumps(wheel_index(root)))
    shutil.copy2(root / COI_SERVICEWORKER, site / "coi-serviceworker.js")
    print(f"static site written to {site}")
    return site


def _copy_files(source: Path, target: Path, names: Iterable[str]) -> None:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)
