"""`pywasi-web build-site` output works from a plain static server that sends no isolation headers."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pywasi_web.cli.site import build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory, server_url: str) -> Iterator[str]:
    site = build_site(tmp_path_factory.mktemp("site") / "out")
    assert not (site / "vendor" / "browser_wasi_shim").exists()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    shutil.rmtree(site, ignore_errors=True)


def test_static_site_runs_an_example(browser: Any, static_site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(static_site)
    page.wait_for_function("window.pywasiRuntime !== undefined", timeout=60_000)
    result = page.evaluate(
        """async () => {
            await window.pywasiRuntime.ready;
            const r = await window.pywasiRuntime.run("examples/hello.wasm", {args: ["static"]});
            const status = document.getElementById("status").textContent;
            return {exitCode: r.exitCode, stdout: r.stdout, status};
        }"""
    )
    context.close()
    assert "static" in result["stdout"]
    assert "JSPI" in result["status"]  # the page states how input can block
