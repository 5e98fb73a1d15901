"""Browser test fixtures: Debian's Chromium through Playwright (sync API), the playground server.

One browser and one page per session: Pyodide boots once (~2-5 s) and every test reuses the
worker through `window.pywasiRuntime`. A test that fails (or times out: pytest-timeout) may leave a
guest running in that worker, so the page is reloaded before the next test; if even that fails,
every later test using the page fails at once with the reason instead of hanging.

Test guests are compiled from playwright/guests/*.c into
build/examples/ (cached by content hash), next to the playground's examples (examples/*.c).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywasi_web.cli.serve import PlaygroundHandler, example_sources, examples_dir, make_server, prepare_assets
from tests.chromium import chromium

GUESTS = Path(__file__).parent / "guests"


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


def _handler(config: pytest.Config) -> type[PlaygroundHandler]:
    """With --cov (`make test`), the pages' Python is measured too (pyodide_coverage.py)."""
    sources = getattr(config.option, "cov_source", None)
    if not sources or getattr(config.option, "no_cov", False):
        return PlaygroundHandler
    from pyodide_coverage import measuring_server

    packages = [source for source in sources if isinstance(source, str)] or ["pywasi_web"]  # bare --cov: all
    data_file = Path(config.invocation_params.dir) / ".coverage"  # pytest-cov's
    return measuring_server(data_file, packages)


@pytest.fixture(scope="session")
def server_url(pytestconfig: pytest.Config) -> Iterator[str]:
    if shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is not installed: run the README's test command (make test)")
    try:
        prepare_assets(log=lambda _message: None)
    except RuntimeError as error:  # a set-up step missing: the README's test command does them all
        pytest.fail(str(error))
    _build_guests()
    server = make_server(0, quiet=True, base=_handler(pytestconfig))
    thread = threading.Thread(target=server.serve_forever, name="playground-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(server_url: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class ConsoleErrors(list[str]):
    """Console errors and uncaught exceptions of the page, collected for the current test."""


FAILED = pytest.StashKey[bool]()
BROKEN: list[str] = []  # why the shared page could not be restarted, once it could not


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


PLAYGROUND_READY = "document.getElementById('status')?.textContent.startsWith('ready')"
BOOT_ENDED = "/^(ready|failed)/.test(document.getElementById('status')?.textContent ?? '')"


def _boot(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function(BOOT_ENDED, timeout=120_000)
    status = page.inner_text("#status")
    if not status.startswith("ready"):
        raise RuntimeError(f"the playground did not boot: {status}")


@pytest.fixture(scope="session")
def wait_ready() -> Any:
    """Waits until a playground page's runtime is ready (after a navigation, a reload or a kill)."""
    return lambda page: page.wait_for_function(PLAYGROUND_READY, timeout=120_000, polling=200)


@pytest.fixture(scope="session")
def wait_snapshot_saved() -> Any:
    """Waits until a page's worker has stored its Pyodide memory snapshot (the next load is warm)
    and the origin's storage usage counts it.

    The page polls: Playwright's wait_for_function does not await an async predicate (its promise
    is truthy at once), so waiting for the stored snapshot that way returned before anything was stored,
    and test_full_quota_... set a quota from a usage without the snapshot's 30 MB, which then
    landed and put the origin over its quota before the guest wrote anything."""
    saved = """async () => {
        const deadline = Date.now() + 60000;
        for (;;) {
            const kept = await (await navigator.storage.getDirectory()).getDirectoryHandle(
                "pywasi-snapshots", { create: true });  // web/snapshot_store.js
            let size = 0;
            for await (const [name, file] of kept.entries()) {
                if (!name.endsWith(".partial")) size = (await file.getFile()).size;
            }
            if (size > 0 && (await navigator.storage.estimate()).usage >= size) return;
            if (Date.now() > deadline) throw new Error("the worker stored no Pyodide snapshot in 60 s");
            await new Promise((resolve) => setTimeout(resolve, 200));  // polled, as wait_for_function would
        }
    }"""
    return lambda page: page.evaluate(saved)


@pytest.fixture(scope="session")
def open_playground(server_url: str, wait_ready: Any) -> Any:
    """Opens the playground in a new page of a browser context and waits for its runtime."""

    def open_in(context: Any) -> Any:
        page = context.new_page()
        page.goto(server_url)
        wait_ready(page)
        return page

    return open_in


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
    _boot(page, server_url)
    yield page, errors
    context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, _session_page: tuple[Any, ConsoleErrors], server_url: str
) -> Iterator[Any]:
    """The playground with a booted runtime (shared by all tests); fails the test on console errors,
    except those a test provokes on purpose and names with @pytest.mark.expected_console_errors."""
    if BROKEN:
        pytest.fail(f"the shared playground page broke in an earlier test and could not restart: {BROKEN[0]}")
    shared, errors = _session_page
    # an earlier test may have restarted the worker (Stop, a timeout): wait for the new one
    shared.wait_for_function(PLAYGROUND_READY, timeout=120_000)
    errors.clear()
    yield shared
    if request.node.stash.get(FAILED, False):
        try:
            _boot(shared, server_url)
        except Exception as error:
            BROKEN.append(f"{type(error).__name__}: {error}")
    marker = request.node.get_closest_marker("expected_console_errors")
    allowed = marker.args if marker else ()
    unexpected = [error for error in errors if not any(text in error for text in allowed)]
    assert not unexpected, f"console errors: {unexpected}"


@pytest.fixture
def run_guest(page: Any) -> Any:
    """run_guest("hello.wasm", args=[...], ...) -> the runtime's result dict (stdout/stderr as text).

    Every run has a timeoutMs (60 s unless given), so a stuck guest fails its test, not the session.
    """

    def run(name: str, **options: Any) -> dict[str, Any]:
        options.setdefault("timeoutMs", 60_000)
        script = """async ([name, options]) => {
            const r = await window.pywasiRuntime.run(`examples/${name}`, options);
            const text = (data) => new TextDecoder().decode(data);
            const files = Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, text(v)]));
            return {exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, error: r.error ?? null, files};
        }"""
        result: dict[str, Any] = page.evaluate(script, [name, options])
        return result

    return run
