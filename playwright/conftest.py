"""Browser test fixtures: Debian's Chromium through Playwright (sync API), the playground server.

One browser and one page per session: Pyodide boots once (~2-5 s) and every test reuses the
worker through `window.pywasiRuntime`. Test guests are compiled from playwright/guests/*.c into
build/examples/ (cached by content hash), next to the playground's examples (examples/*.c).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywasi_web.cli.serve import example_sources, examples_dir, make_server, prepare_assets

GUESTS = Path(__file__).parent / "guests"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _build_guests() -> None:
    from pywasi_web.cli.toolchain import build_c

    target = examples_dir()
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(GUESTS.glob("*.c")):
        if (example_sources() / source.name).exists():
            continue  # the playground's example of that name is served (hello: the same output, plus env)
        built = build_c(source)
        destination = target / f"{source.stem}.wasm"
        if not destination.exists() or destination.read_bytes() != built.read_bytes():
            shutil.copyfile(built, destination)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (make setup-browser)")
    try:
        prepare_assets(log=lambda _message: None)
    except RuntimeError as error:
        pytest.skip(str(error))
    _build_guests()
    server = make_server(0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, name="playground-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(server_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ConsoleErrors(list[str]):
    """Console errors and uncaught exceptions of the page, collected for the current test."""


@pytest.fixture(scope="session")
def _session_page(browser: Any, server_url: str) -> Iterator[tuple[Any, ConsoleErrors]]:
    context = browser.new_context()
    page = context.new_page()
    errors = ConsoleErrors()

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.goto(server_url)
    page.wait_for_function("window.pywasiRuntime !== undefined", timeout=120_000)
    yield page, errors
    context.close()


@pytest.fixture
def page(_session_page: tuple[Any, ConsoleErrors]) -> Iterator[Any]:
    """The playground with a booted runtime (shared by all tests); fails the test on console errors."""
    shared, errors = _session_page
    errors.clear()
    yield shared
    assert not errors, f"console errors: {errors}"


@pytest.fixture
def run_guest(page: Any) -> Any:
    """run_guest("hello.wasm", args=[...], ...) -> the runtime's result dict (stdout/stderr as text)."""

    def run(name: str, **options: Any) -> dict[str, Any]:
        script = """async ([name, options]) => {
            const r = await window.pywasiRuntime.run(`examples/${name}`, options);
            const text = (data) => new TextDecoder().decode(data);
            const files = Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, text(v)]));
            return {exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, error: r.error ?? null, files};
        }"""
        result: dict[str, Any] = page.evaluate(script, [name, options])
        return result

    return run
