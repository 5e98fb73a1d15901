"""Debian's Chromium as every browser test and benchmark launches it: through Playwright, never a
downloaded browser (`playwright install` cannot run here), with the project's fixed flags."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

INSECURE_HOST = "example.test"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A name that is not localhost, for pages that must work outside a secure context
    # (playwright/test_site.py): http://example.test:PORT/ reaches the test's server on 127.0.0.1.
    f"--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium (a Playwright Browser), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
