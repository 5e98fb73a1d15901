"""Build the JupyterLite site into build/lite: `make lite` (or `python lite/build.py`).

Everything the site loads is local; after the first run (which downloads the pinned wheels into
build/lite-cache) the build is offline. Steps:

1. our wheel and micropip's into build/wheels (pywasi_web.cli.serve.prepare_assets);
2. the pinned pure-Python wheels of lite/pyodide-wheels.txt and lite/piplite-wheels.txt into
   build/lite-cache/wheels (pip download, once);
3. a staging lite directory build/lite-src: the config and content of lite/, the example guests
   compiled to content/wasm/*.wasm, static/pyodide/ = the npm `pyodide` package plus micropip and
   the kernel's wheels with a pyodide-lock.json that names exactly those wheels, pypi/ = the wheels
   `%pip install` finds (pywasi_web, comm);
4. `jupyter lite build` from the staging directory into build/lite.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import ClassVar

from pywasi_web.cli.wheels import name_version, normalize, pyodide_wheels

LITE = Path(__file__).resolve().parent
ROOT = LITE.parent
BUILD = ROOT / "build"
OUTPUT = BUILD / "lite"
STAGING = BUILD / "lite-src"
CACHE = BUILD / "lite-cache" / "wheels"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"

# The example guests shipped in the drive (content/wasm/NAME.wasm): sources compiled at build time.
GUESTS = [
    ROOT / "playwright" / "guests" / "hello.c",
    ROOT / "playwright" / "guests" / "echo.c",
    LITE / "guests" / "ticker.c",
]

# Guests shipped as WASI 0.2 components too (content/wasm/NAME.component.wasm, preview1 adapter).
COMPONENTS = [ROOT / "playwright" / "guests" / "hello.c"]


def log(message: str) -> None:
    print(f"[lite] {message}", flush=True)


def _pins(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def _requires(wheel: Path) -> list[str]:
    """Unconditional Requires-Dist names of a wheel (extras and markers are dropped)."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    names = []
    for line in text.splitlines():
        if line.startswith("Requires-Dist:") and ";" not in line:
            names.append(normalize(re.split(r"[\s<>=!~\[(]", line.split(":", 1)[1].strip())[0]))
    return names


def _lock_entry(wheel: Path, upstream: dict[str, dict[str, object]]) -> dict[str, object]:
    name, version = name_version(wheel)
    original = upstream.get(normalize(name), {})
    with zipfile.ZipFile(wheel) as archive:
        tops = sorted(
            {
                entry.split("/", 1)[0].removesuffix(".py")
                for entry in archive.namelist()
                if ".dist-info/" not in entry and not entry.startswith(("..", "/"))
            }
        )
    return {
        "name": original.get("name", name),
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": original.get("imports", tops),
        "depends": original.get("depends", []),
        "unvendored_tests": False,
    }


def stage_pyodide(lock_wheels: list[Path]) -> None:
    """static/pyodide: the npm package, the given wheels, and a lock file naming only them."""
    target = STAGING / "static" / "pyodide"
    shutil.copytree(PYODIDE_NPM, target, ignore=shutil.ignore_patterns("*.map", "*.d.ts", "*.html"))
    upstream_lock = json.loads((PYODIDE_NPM / "pyodide-lock.json").read_text())
    upstream = {normalize(key): value for key, value in upstream_lock["packages"].items()}
    packages = {}
    for wheel in lock_wheels:
        shutil.copy2(wheel, target / wheel.name)
        entry = _lock_entry(wheel, upstream)
        packages[normalize(str(entry["name"]))] = entry
    # every dependency a lock entry names must itself be in the lock (loadPackage resolves them)
    for entry in packages.values():
        absent = [dep for dep in entry["depends"] if normalize(dep) not in packages]  # type: ignore[attr-defined]
        if absent:
            raise RuntimeError(f"{entry['name']} depends on {absent}, which lite/pyodide-wheels.txt lacks")
    lock = {"info": upstream_lock["info"], "packages": dict(sorted(packages.items()))}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")


def build_guests(directory: Path) -> None:
    from pywasi_web.cli.toolchain import build_c, componentize

    directory.mkdir(parents=True, exist_ok=True)
    for source in GUESTS:
        shutil.copyfile(build_c(source), directory / f"{source.stem}.wasm")
    for source in COMPONENTS:
        component = componentize(build_c(source), f"lite-{source.stem}")
        shutil.copyfile(component, directory / f"{source.stem}.component.wasm")


def build() -> Path:
    from pywasi_web.cli.serve import prepare_assets, wheel_index, wheels_dir

    if not (PYODIDE_NPM / "pyodide.mjs").exists():
        raise SystemExit("node_modules/pyodide is missing: run `npm ci` first")
    prepare_assets(ROOT, log=log)
    names = wheel_index(ROOT)
    ours = wheels_dir(ROOT) / str(names["pywasi_web"])
    micropip = wheels_dir(ROOT) / str(names["micropip"])
    kernel_wheels = pyodide_wheels(_pins(LITE / "pyodide-wheels.txt"), CACHE, log=log)
    piplite_wheels = pyodide_wheels(_pins(LITE / "piplite-wheels.txt"), CACHE, log=log)

    log("staging build/lite-src")
    shutil.rmtree(STAGING, ignore_errors=True)
    STAGING.mkdir(parents=True)
    for name in ("jupyter-lite.json", "jupyter_lite_config.json"):
        shutil.copy2(LITE / name, STAGING / name)
    shutil.copytree(LITE / "content", STAGING / "content")
    build_guests(STAGING / "content" / "wasm")
    stage_pyodide([micropip, *kernel_wheels.values()])
    pypi = STAGING / "pypi"
    pypi.mkdir()
    for wheel in [ours, *piplite_wheels.values()]:
        shutil.copy2(wheel, pypi / wheel.name)

    log("jupyter lite build")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyterlite_core",
            "build",
            "--lite-dir",
            str(STAGING),
            "--output-dir",
            str(OUTPUT),
            # only the Pyodide kernel's extension, whatever else this environment has installed
            "--ignore-sys-prefix",
            f"--LiteBuildConfig.federated_extensions={_kernel_extension()}",
        ],
        check=True,
        cwd=STAGING,
    )
    _check_offline(OUTPUT)
    log(f"built {OUTPUT}")
    return OUTPUT


def _kernel_extension() -> Path:
    """The kernel's lab extension, installed with the package into <prefix>/share/jupyter (in a
    venv made with --system-site-packages that prefix is the base interpreter's)."""
    for prefix in dict.fromkeys([sys.prefix, sys.base_prefix]):
        extension = Path(prefix, "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension")
        if (extension / "package.json").exists():
            return extension
    raise SystemExit("jupyterlite-pyodide-kernel is not installed: pip install -e '.[dev]'")


def _check_offline(site: Path) -> None:
    """The site's configuration must point only at its own files."""
    config = json.loads((site / "jupyter-lite.json").read_text())
    settings = config["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    urls = [settings["pyodideUrl"], *settings.get("pipliteUrls", [])]
    remote = [url for url in urls if "://" in url]
    if remote or not settings.get("disablePyPIFallback"):
        raise RuntimeError(f"the lite site would load from the network: {remote or 'PyPI fallback'}")


def serve(port: int = 8001) -> None:
    """Serve build/lite on 127.0.0.1 until interrupted.

    Without COOP/COEP on purpose: cross-origin isolated, the kernel's drive uses JupyterLite's
    Atomics channel, which intermittently throws on the page; without isolation the drive and
    stdin go through its service worker. pywasi_web needs only JSPI, which needs no isolation.
    """
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from pywasi_web.cli.serve import CONTENT_TYPES

    class Handler(SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {
            **SimpleHTTPRequestHandler.extensions_map,
            **CONTENT_TYPES,
        }

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-cache")
            super().end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(OUTPUT)))
    log(f"JupyterLite on http://127.0.0.1:{server.server_address[1]}/lab/index.html?path=pywasi_web.ipynb")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build the JupyterLite site into build/lite.")
    parser.add_argument("--serve", action="store_true", help="then serve it on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8001, help="the port for --serve (default 8001)")
    options = parser.parse_args(argv)
    build()
    if options.serve:
        serve(options.port)


if __name__ == "__main__":
    main(sys.argv[1:])
