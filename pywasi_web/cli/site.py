"""`pywasi-web build-site DIR`: the playground as a static site for any static host.

It is what `serve` serves (the same route table), frozen into files: the wheels' index.json is
written out, only the vendor files the page and the worker load are copied, only the examples the
manifest lists, and coi-serviceworker is put at the site root. index.html loads it only when the
page is not already cross-origin isolated, so a host that cannot send COOP/COEP headers still gets
SharedArrayBuffer after one reload; where a service worker cannot run, the page works in JSPI-only
mode and says so.

A directory a site serves as a URL mount (`--url-mount NAME=DIR`) is copied to mounts/NAME/ with
its manifest beside it, mounts/NAME.json (`"base": "NAME/"`), written from the files as copied:
a hand-kept manifest goes stale as soon as a file changes, and one inside the tree could clash
with a file of that name. A page mounts it with `{url: "mounts/NAME.json"}`; a guest's reads fetch
only the files it opens.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from pywasi_web.cli.manifest import write_manifest
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
MOUNTS = "mounts"  # the site's folder of URL-mount trees and their manifests
MOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def build_site(
    directory: str | Path, root: Path = REPO_ROOT, url_mounts: Mapping[str, str | Path] | None = None
) -> Path:
    """Write the site into `directory`, which must be empty or missing (nothing there is overwritten),
    with each of `url_mounts` (name -> directory) as a URL mount (see the module docstring)."""
    site = Path(directory)
    if site.exists() and (not site.is_dir() or any(site.iterdir())):
        raise SetupError(f"{site} is not an empty directory: build-site writes into an empty or new one")
    mounts = dict(url_mounts or {})
    _check_url_mounts(mounts)
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
    for name, tree in mounts.items():
        _write_url_mount(site / MOUNTS, name, Path(tree))
    print(f"static site written to {site}")
    return site


def _check_url_mounts(mounts: Mapping[str, str | Path]) -> None:
    """Refuse a bad name or a missing directory before anything is written."""
    for name, source in mounts.items():
        if not MOUNT_NAME.fullmatch(name) or name.endswith(".json"):  # NAME.json is a manifest
            raise SetupError(
                f"URL mount name {name!r}: letters, digits, '.', '_', '-', from a letter or digit, not *.json"
            )
        if not Path(source).is_dir():
            raise SetupError(f"URL mount {name!r}: {source} is not a directory")


def _write_url_mount(mounts: Path, name: str, source: Path) -> None:
    """mounts/NAME/ (the files) and mounts/NAME.json (their manifest, read from the copy).

    Symlinks are declared by the manifest and resolved by the guest's kernel inside the mount, so
    the copy drops them once the manifest is written: a static host that follows links would
    otherwise serve whatever one points at, outside the tree."""
    tree = mounts / name
    shutil.copytree(source, tree, symlinks=True)
    write_manifest(tree, mounts / f"{name}.json")  # "base": "NAME/"
    for link in [path for path in tree.rglob("*") if path.is_symlink()]:
        link.unlink()


def _copy_files(source: Path, target: Path, names: Iterable[str]) -> None:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)
