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


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static server, quiet: no COOP/COEP headers (Python's mimetypes knows .wasm)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory, server_url: str) -> Iterator[str]:
    site = build_site(tmp_path_factory.mktemp("site") / "out")
    assert not (site / "vendor" / "browser_wasi_shim").exists()
    assert not (site / "vendor" / "xterm" / "src").exists()  # only the files the page loads
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
    context.close()
    assert status.endswith("JSPI, cross-origin isolated")  # the page states how input can block
