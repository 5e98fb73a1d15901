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


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
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
    assert set(index) == {"pywasi_web", "micropip", "snapshot"}
    for name in filter(None, (index["pywasi_web"], index["micropip"])):
        assert get(port, f"/wheels/{name}")[0] == 200


def test_the_prepared_snapshot_is_immutable(port: int) -> None:
    """The snapshot a first visit boots from (web/prepare_snapshot.mjs) is named by what it was made
    of, so a file under a name never changes: kept without asking again."""
    name = json.loads(get(port, "/wheels/index.json")[2])["snapshot"]
    assert name, "the pinned Node (npm ci) made no snapshot"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("HEAD", f"/snapshots/{name}")
    response = connection.getresponse()
    connection.close()
    assert (response.status, response.getheader("Cache-Control")) == (200, "max-age=31536000, immutable")
    assert int(response.getheader("Content-Length") or 0) > 0
    assert get(port, "/snapshots/pyodide-0-jspi-none")[0] == 404


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


def test_an_unchanged_file_is_not_sent_again(port: int) -> None:
    """Every file is revalidated (an edit is seen at once); asked with its ETag, an unchanged one is
    a 304 without a body, so a reload does not fetch Pyodide's 13 MB again."""
    status, headers, body = get(port, "/vendor/pyodide/python_stdlib.zip")
    assert (status, headers["cache-control"]) == (200, "no-cache")
    tag = headers["etag"]
    status, again, body = get(port, "/vendor/pyodide/python_stdlib.zip", {"If-None-Match": tag})
    assert (status, again["etag"], body) == (304, tag, b"")
    assert again["cross-origin-embedder-policy"] == "require-corp"
    assert get(port, "/vendor/pyodide/python_stdlib.zip", {"If-None-Match": '"other"'})[0] == 200
    assert get(port, "/worker.js")[1]["etag"] != tag


def test_a_versioned_url_is_immutable(port: int) -> None:
    """pyodide.asm.wasm?v=VERSION (web/versioned_fetch.js) may be kept without asking again, so
    Chromium keeps the code V8 compiled for it (a 304 drops that code)."""
    status, headers, body = get(port, "/vendor/pyodide/pyodide.asm.wasm?v=314.0.7")
    assert (status, headers["cache-control"]) == (200, "max-age=31536000, immutable")
    assert body[:4] == b"\0asm"
    assert get(port, "/vendor/pyodide/pyodide.asm.wasm?view=1")[1]["cache-control"] == "no-cache"
