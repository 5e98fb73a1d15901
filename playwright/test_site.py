"""`pywasi-web build-site` output works from a plain static server that sends no isolation headers."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from pywasi_web.cli.site import build_site
from tests.chromium import INSECURE_HOST

pytestmark = pytest.mark.browser


MOUNT_FILES = {"notes/a.txt": "alpha beta\n", "notes/b.txt": "not read\n", "big.bin": "x" * 3_000_000}


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static server, quiet: no COOP/COEP headers (Python's mimetypes knows .wasm). It
    notes the paths it is asked for under /mounts/, in `mount_requests`."""

    mount_requests: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        if self.path.startswith("/mounts/"):
            self.mount_requests.append(self.path)
        return super().send_head()


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory, server_url: str) -> Iterator[str]:
    tree = tmp_path_factory.mktemp("tree")
    for path, text in MOUNT_FILES.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text)
    outside = tmp_path_factory.mktemp("outside") / "secret"
    outside.write_text("not the site's")
    (tree / "notes" / "escape").symlink_to(outside)
    site = build_site(tmp_path_factory.mktemp("site") / "out", url_mounts={"data": tree})
    # The manifest declares the link; the site holds no link a static host could follow out.
    declared = json.loads((site / "mounts" / "data.json").read_text())
    assert declared["entries"]["notes/escape"] == {"symlink": str(outside)}, declared
    assert not [path for path in (site / "mounts").rglob("*") if path.is_symlink()]
    assert not (site / "vendor" / "browser_wasi_shim").exists()
    assert not (site / "vendor" / "xterm" / "src").exists()  # only the files the page loads
    snapshot = json.loads((site / "wheels" / "index.json").read_text())["snapshot"]
    assert [path.name for path in (site / "snapshots").iterdir()] == [snapshot]
    handler = functools.partial(StaticHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    shutil.rmtree(site, ignore_errors=True)


def test_static_site_runs_an_example(browser: Any, static_site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(static_site)
    # coi-serviceworker reloads the page once, cross-origin isolated without any header from the host.
    page.wait_for_function("window.crossOriginIsolated && window.pywasiRuntime !== undefined", timeout=60_000)
    page.get_by_test_id("example").select_option("hello")
    page.get_by_test_id("args").fill("static site")
    page.get_by_test_id("run").click()
    page.get_by_test_id("exit").filter(has_text="exit 0").wait_for()
    page.wait_for_function("window.playground.terminalText().startsWith('hello from wasm static site')")
    status = page.get_by_test_id("status").inner_text()
    # from the snapshot the site holds (or, when the load before coi-serviceworker's reload got to
    # keep it, from its own copy of it in OPFS)
    from_snapshot = page.evaluate("window.pywasiRuntime.info.fromSnapshot")
    context.close()
    assert status.endswith("JSPI, cross-origin isolated")  # the page states how input can block
    assert from_snapshot is True


def test_a_url_mount_of_the_site_fetches_only_what_the_guest_reads(browser: Any, static_site: str) -> None:
    """build-site --url-mount data=DIR: the site holds mounts/data/ and its manifest mounts/data.json;
    a guest that reads one file fetches the manifest and that file, nothing else of the tree."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(static_site)
        page.wait_for_function(
            "window.crossOriginIsolated && window.pywasiRuntime !== undefined", timeout=60_000
        )
        StaticHandler.mount_requests.clear()
        result = page.evaluate(
            """() => window.pywasiRuntime.run("examples/wc.wasm",
                {args: ["/data/notes/a.txt"], mounts: {"/data": {url: "mounts/data.json"}}})
                .then((r) => ({exitCode: r.exitCode, stdout: r.stdout, errors: r.mountErrors ?? null}))"""
        )
    finally:
        context.close()
    assert result["exitCode"] == 0 and result["errors"] is None, result
    assert result["stdout"].split()[:3] == ["1", "2", "11"]
    assert StaticHandler.mount_requests == ["/mounts/data.json", "/mounts/data/notes/a.txt"]


def test_static_site_boots_outside_a_secure_context(browser: Any, static_site: str) -> None:
    """Plain http from a host that is not localhost: no crypto.subtle, no OPFS, no service
    worker. The site boots cold (no snapshot cache), runs guests with JSPI, and says what it lacks."""
    insecure = static_site.replace("127.0.0.1", INSECURE_HOST)
    context = browser.new_context()
    page = context.new_page()
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.on("pageerror", lambda error: warnings.append(f"uncaught: {error}"))
    try:
        page.goto(insecure)
        page.get_by_test_id("status").filter(has_text=re.compile("^(ready|failed)")).wait_for(timeout=120_000)
        status = page.get_by_test_id("status").inner_text()
        assert status.startswith("ready") and status.endswith("JSPI-only mode (not cross-origin isolated)"), (
            status
        )
        assert page.evaluate(
            "[window.isSecureContext, typeof crypto.subtle, 'serviceWorker' in navigator]"
        ) == [
            False,
            "undefined",
            False,
        ]
        info = page.evaluate("window.pywasiRuntime.info")
        assert info["fromSnapshot"] is False and info["blocking"] == "jspi"
        assert info["lacking"][0].startswith("no warm start: keeping the Pyodide snapshot needs OPFS"), info
        assert any(text.startswith("pywasi: this page lacks: no warm start") for text in warnings), warnings
        result = page.evaluate(
            """() => window.pywasiRuntime.run("examples/hello.wasm", {args: ["over", "http"]})"""
        )
        assert (result["exitCode"], result["stdout"]) == (0, "hello from wasm over http\n"), result
        assert not [text for text in warnings if text.startswith("uncaught")], warnings
    finally:
        context.close()
