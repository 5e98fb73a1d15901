"""The JavaScript blocks of README.md and docs/ run as written in Chromium, on the playground's
origin (where `./pywasi.js` and `examples/*.wasm` are served): each document's blocks as one
module, in order, so a later block may use an earlier one's `rt`. Identical import lines are
kept once. A block that throws fails the test with the document and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.docs.snippets import DOCUMENTS, snippets

pytestmark = pytest.mark.browser

HEADERS = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}


def _module(document: Path) -> str:
    seen: set[str] = set()
    parts: list[str] = []
    for snippet in snippets(document):
        if snippet.language != "js":
            continue
        lines = []
        for line in snippet.code.splitlines():
            if line.startswith("import "):
                if line in seen:
                    continue
                seen.add(line)
            lines.append(line)
        parts.append(f"window.__snippet = {snippet.where!r};\n" + "\n".join(lines))
    return "\n".join(parts) + '\nwindow.__snippet = "done";\n'


@pytest.mark.parametrize(
    "document", [d for d in DOCUMENTS if any(s.language == "js" for s in snippets(d))], ids=lambda d: d.name
)
def test_js_blocks(document: Path, browser: Any, server_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        blank = f"{server_url}docs-snippet.html"
        page.route(
            blank,
            lambda route: route.fulfill(
                status=200,
                headers=HEADERS,
                content_type="text/html",
                body="<!doctype html><title>docs</title>",
            ),
        )
        page.goto(blank)
        page.evaluate(
            """() => {
                const failed = (why) => { window.__error = `${window.__snippet}: ${why}`; };
                window.addEventListener("error", (event) => failed(event.error?.stack ?? event.message));
                window.addEventListener("unhandledrejection", (e) => failed(e.reason?.stack ?? e.reason));
            }"""
        )
        page.add_script_tag(content=_module(document), type="module")
        page.wait_for_function("window.__snippet === 'done' || window.__error", timeout=300_000, polling=100)
        assert page.evaluate("window.__error ?? null") is None, page.evaluate("window.__error")
    finally:
        context.close()
