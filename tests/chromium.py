"""Debian's Chromium as every browser test and benchmark launches it: through Playwright, never a
downloaded browser (`playwright install` cannot run here), with the project's fixed flags."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
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


# Resolves once a page's worker has got V8 to keep its compiled code for Pyodide: web/code_cache.js
# marks that with a file in OPFS. Polled: Playwright's wait_for_function does not await an async
# predicate.
CODE_CACHE_WARMED = """async () => {
    const deadline = Date.now() + 60000;
    for (;;) {
        const marks = await (await navigator.storage.getDirectory()).getDirectoryHandle(
            "pywasi-code-cache", { create: true });
        if ((await Array.fromAsync(marks.keys())).length) return;
        if (Date.now() > deadline) throw new Error("the worker did not warm V8's code cache in 60 s");
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}"""


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


@contextmanager
def persistent_chromium(
    profile: Path, browser_type: Any = None, extra_args: Sequence[str] = ()
) -> Iterator[Any]:
    """The same Chromium with a profile kept in `profile` (a Playwright BrowserContext), closed on
    exit: a user's ordinary window. A new_context() of chromium() is a private one, which keeps no
    compiled code across page loads (V8's code cache), so reloads there say nothing about it.
    `browser_type`: a running Playwright's (`browser.browser_type`; one process runs one sync
    Playwright), else one is started. `extra_args`: more command-line flags (V8's, --js-flags=)."""
    if browser_type is not None:
        context = browser_type.launch_persistent_context(
            profile, executable_path=shutil.which("chromium"), args=[*ARGS, *extra_args]
        )
        try:
            yield context
        finally:
            context.close()
        return
    from playwright.sync_api import sync_playwright

    with (
        sync_playwright() as playwright,
        persistent_chromium(profile, playwright.chromium, extra_args) as context,
    ):
        yield context
