"""The playground server: isolation headers, content types, indexes, and no way out of its directories."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from pywasi_web.cli.serve import make_server


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    import threading

    server = make_server(0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_index_has_isolation_headers(port: int) -> None:
    status, headers, body = get(port, "/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-embedder-policy"] == "require-corp"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert b"pywasi_web" in body


def test_content_types(port: int) -> None:
    status, headers, _ = get(port, "/worker.js")
    assert (status, headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    status, headers, _ = get(port, "/vendor/pyodide/pyodide.mjs")
    assert (status, headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    status, headers, body = get(port, "/vendor/pyodide/pyodide.asm.wasm")
    assert (status, headers["content-type"]) == (200, "application/wasm")
    assert body[:4] == b"\0asm"


def test_wheel_index_names_files_that_exist(port: int) -> None:
    status, _, body = get(port, "/wheels/index.json")
    assert status == 200
    index = json.loads(body)
    assert set(index) == {"pywasi_web", "micropip"}
    for name in filter(None, index.values()):
        assert get(port, f"/wheels/{name}")[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/vendor/pyodide/../../package.json",
        "/vendor/pyodide/%2e%2e/%2e%2e/pyproject.toml",
        "/examples/..%2f..%2fpyproject.toml",
        "/vendor/",  # no directory listings
        "/wheels/",
        "/nonexistent.js",
    ],
)
def test_no_escape_and_no_listing(port: int, path: str) -> None:
    assert get(port, path)[0] == 404
