"""The JupyterLite site (lite/, built by `make lite` into build/lite) in Debian's Chromium.

Builds the site if it is missing or older than its inputs, serves it locally with the
cross-origin isolation headers, opens lite/content/pywasi_web.ipynb, runs every cell (answering
the stdin prompts) and checks the outputs: streamed guest stdout, the CompletedRun repr, and the
file the guest wrote into the drive, read back through JupyterLite's contents API. Also checks
that the site loads nothing from outside this machine.

Plus a cheap CPython check: in an IPython shell, run() streams to sys.stdout and the result has
an HTML repr.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import redirect_stdout
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pywasi_web import Program
from pywasi_web.cli.serve import CONTENT_TYPES
from tests.net.servers import HangingHttp, tcp_server
from tests.preview2.test_httpprobe import httpprobe

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "lite"
NOTEBOOK = "pywasi_web.ipynb"


def _site_is_stale() -> bool:
    marker = SITE / "jupyter-lite.json"
    if not marker.exists():
        return True
    built = marker.stat().st_mtime
    inputs = [*(ROOT / "lite").rglob("*"), *(ROOT / "pywasi_web").rglob("*.py"), ROOT / "pyproject.toml"]
    inputs += [*(ROOT / "pywasi_web").rglob("*.js"), ROOT / "web" / "net_transports.js"]  # in the wheel too
    return any(path.is_file() and path.stat().st_mtime > built for path in inputs)


class _LiteHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def end_headers(self) -> None:
        # No COOP/COEP on purpose: with cross-origin isolation the kernel's drive takes
        # JupyterLite's Atomics channel (coincident), which intermittently throws
        # "A(...).value.then is not a function" on the page; without it the drive and stdin
        # go through the service worker, and JSPI (all pywasi_web needs) is there either way.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def lite_url() -> Iterator[str]:
    if shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is not installed: run the README's test command (make test)")
    if importlib.util.find_spec("jupyterlite_core") is None:
        pytest.fail("jupyterlite-core is not installed (pip install -e '.[dev]')")
    if not (ROOT / "node_modules" / "pyodide" / "pyodide.mjs").exists():
        pytest.fail("node_modules/pyodide is missing: run `npm ci`")
    if _site_is_stale():
        subprocess.run([sys.executable, str(ROOT / "lite" / "build.py")], check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_LiteHandler, directory=str(SITE)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="lite-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


KERNEL_IDLE = """() => {
    const widget = window.jupyterapp.shell.currentWidget;
    const kernel = widget?.sessionContext?.session?.kernel;
    return kernel && kernel.status === "idle";
}"""


@pytest.fixture(scope="module")
def lite_page(lite_url: str, browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page of its own in the session's shared Chromium (one Playwright per process)."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    external: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            external.append(request.url) if not request.url.startswith((lite_url, "data:", "blob:")) else None
        ),
    )
    page.goto(f"{lite_url}lab/index.html?path={NOTEBOOK}")
    page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    yield page, errors, external
    context.close()


def _outputs(page: Any) -> list[str]:
    # textContent: JupyterLab skips rendering cells scrolled out of view (CSS content-visibility),
    # and innerText is empty for those; the notebook is longer than the window
    return [area.text_content() or "" for area in page.query_selector_all(".jp-Cell-outputArea")]


# The output area that holds the open input box already shows the line the guest printed before it.
STREAMED_BEFORE_THE_PROMPT = """() => [...document.querySelectorAll('.jp-Cell-outputArea')].some(
    (area) => area.querySelector('.jp-Stdin-input') && area.innerText.split('\\n').includes('ready'))"""


@pytest.mark.browser
def test_example_notebook_runs_every_cell(lite_page: tuple[Any, list[str], list[str]]) -> None:
    page, errors, external = lite_page
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    # interactive stdin: answer each prompt, waiting for the guest's echo before the next
    for answer in ["one", "two", ""]:
        try:
            box = page.wait_for_selector(".jp-Stdin-input", timeout=120_000)
        except Exception:
            raise AssertionError(f"no stdin prompt for {answer!r}: {_outputs(page)}") from None
        assert box is not None
        if answer == "one":
            # streaming, shown by events rather than timing: echo.wasm printed "ready" and now waits
            # for this answer, so it is still running while its line is in the cell
            try:
                page.wait_for_function(STREAMED_BEFORE_THE_PROMPT, timeout=30_000)
            except Exception:
                raise AssertionError(
                    f"the cell showed no output before the guest ended: {_outputs(page)}"
                ) from None
            assert box.is_visible()  # not answered yet: the guest cannot have ended
        # JupyterLab focuses a new input box once it is attached; text typed before that may be lost
        page.wait_for_function("(box) => document.activeElement === box", arg=box, timeout=30_000)
        box.fill(answer)
        box.press("Enter")
        page.wait_for_function("(box) => !box.isConnected", arg=box, timeout=30_000)
        if answer:
            try:
                page.wait_for_function(
                    f"() => document.body.innerText.includes('got: {answer}')", timeout=30_000
                )
            except Exception:
                raise AssertionError(f"no echo of {answer!r}: {_outputs(page)[-1:]}") from None

    try:
        page.wait_for_function(
            # the last cell's result is published when it ends
            "() => document.body.innerText.includes('exit 3 wasm/echo.wasm')",
            timeout=60_000,
        )
    except Exception:
        raise AssertionError(f"the notebook did not finish: {_outputs(page)}") from None
    outputs = _outputs(page)
    text = "\n".join(outputs)
    assert "Traceback" not in text and "Error" not in text, text
    assert "in jupyterlite | guests may block: True" in text, text
    assert "hello from wasm from a notebook" in text
    assert "ok wasm/hello.wasm from a notebook in" in text  # CompletedRun._repr_html_
    # a WASI 0.2 component: run() and an export called by name, as in classic Jupyter
    assert "hello from wasm from a component" in text and "hello from wasm called" in text
    assert "ok wasm/hello.component.wasm from a component in" in text
    assert "run returned Ok(value=None)" in text
    assert "tick 8 of 8\nwrote /out/ticks.txt" in text
    assert "ok wasm/ticker.wasm 8 in" in text
    assert "8 ticks written by a wasm32-wasi guest" in text  # read back in the next cell
    assert "{'ticks.txt': b'2 ticks written by a wasm32-wasi guest\\n'}" in text  # MemoryFS
    assert "got: one" in text and "got: two" in text and "bye" in text
    assert "exit 3 wasm/echo.wasm" in text
    assert page.query_selector(".jp-RenderedHTMLCommon b") is not None  # the repr rendered as HTML

    # the guest's file is in the drive: JupyterLite's contents API and the file browser
    content = page.evaluate(
        """async () => {
            const model = await window.jupyterapp.serviceManager.contents.get(
                "output/ticks.txt", {content: true});
            return [model.format, model.content];
        }"""
    )
    data = base64.b64decode(content[1]).decode() if content[0] == "base64" else content[1]
    assert data == "8 ticks written by a wasm32-wasi guest\n"
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-DirListing-itemText')]"
        ".some(e => e.textContent.trim() === 'output')",
        timeout=30_000,
    )
    assert not errors, errors
    assert not external, f"the site loaded from outside: {external}"


# Runs code in the notebook's kernel and returns its stream output, and any error as "Name: value".
# A cell that has not finished after `bound` ms fails the test with what it printed so far (a
# failure bound: a working cell ends long before).
EXECUTE = """async ([code, bound]) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({ code });
    const out = [];
    future.onIOPub = (message) => {
        if (message.header.msg_type === "stream") out.push(message.content.text);
        const { ename, evalue } = message.content;
        if (message.header.msg_type === "error") out.push(`${ename}: ${evalue}`);
    };
    let timer;
    const unfinished = new Promise((_, reject) => {
        const report = () => reject(new Error(`the cell did not finish; it printed: ${out.join("")}`));
        timer = setTimeout(report, bound);
    });
    try {
        await Promise.race([future.done, unfinished]);
    } finally {
        clearTimeout(timer);
    }
    return out.join("");
}"""
RESTART = """async () => {
    const context = window.jupyterapp.shell.currentWidget.sessionContext;
    await context.session.kernel.restart();
}"""


def execute(page: Any, code: str, bound_ms: int = 120_000) -> str:
    output: str = page.evaluate(EXECUTE, [code, bound_ms])
    return output


@pytest.fixture(scope="module")
def kernel(lite_page: tuple[Any, list[str], list[str]]) -> Any:
    """The notebook's kernel restarted (whatever the notebook test left running in it ends) with
    pywasi_web installed and nothing else imported, so each test below depends on no other."""
    page = lite_page[0]
    page.evaluate(RESTART)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    installed = execute(page, "%pip install pywasi_web")
    assert "Error" not in installed, installed
    return page


PERSISTENT_CELL = """
import time
from pywasi_web import run
from pywasi_web.browser.stores import IndexedDBFS, list_stores
name = f"lite-{time.time_ns()}"
home = IndexedDBFS(name)
result = run("wasm/ticker.wasm", ["2"], mounts={"/out": home}, capture_output=True)
home.close()
again = IndexedDBFS(name, read_only=True)
print("exit", result.exit_code, "stored", again.snapshot(), "listed", name in list_stores("indexeddb"))
again.close()
"""


NONZERO_EXIT_CELL = """
from pywasi_web import run
result = run("wasm/echo.wasm", stdin="x\\n")
print("exit", result.exit_code)
"""


@pytest.mark.browser
def test_a_nonzero_exit_shows_only_the_guests_output(
    kernel: Any, lite_page: tuple[Any, list[str], list[str]]
) -> None:
    """echo.wasm exits 3 through proc_exit, an exception that crosses JavaScript inside the engine;
    the cell shows the guest's output and nothing else (no JsException), without the user having
    imported pywasi_web.notebook."""
    assert execute(kernel, NONZERO_EXIT_CELL) == "ready\ngot: x\nbye\nexit 3\n"
    assert not lite_page[1], lite_page[1]


TIMEOUT_CELL = """
from pywasi_web import QueueInput, GuestTimeout, run
from pywasi_web.engines import default_waiter

try:
    run("wasm/ticker.wasm", ["100000"], timeout=0.5)   # sleeps 200 ms between lines
except GuestTimeout as stopped:
    print("sleeping:", stopped)
waiter = default_waiter()
try:
    run("wasm/echo.wasm", stdin=QueueInput(waiter), waiter=waiter, timeout=0.5)  # waits for input
except GuestTimeout as stopped:
    print("waiting:", stopped)
"""


@pytest.mark.browser
def test_timeout_stops_a_guest_that_sleeps_or_waits(kernel: Any) -> None:
    """timeout= in a JupyterLite cell: the guest waits on a JS promise (JSPI), so the timer fires.
    (Without the timeout the ticker would print for hours and the echo wait forever: the bound
    would fail the test.)"""
    output = execute(kernel, TIMEOUT_CELL)
    stops = [line for line in output.splitlines() if not line.startswith("tick ")]
    assert stops == [
        "sleeping: the guest ran longer than 0.5 s",
        "ready",
        "waiting: the guest ran longer than 0.5 s",
    ], output


@pytest.mark.browser
def test_indexeddb_mount_from_python_in_the_lite_kernel(
    kernel: Any, lite_page: tuple[Any, list[str], list[str]]
) -> None:
    """IndexedDBFS mounted from a JupyterLite cell: the guest's file is in the store after the run."""
    output = execute(kernel, PERSISTENT_CELL)
    expected = "exit 0 stored {'ticks.txt': b'2 ticks written by a wasm32-wasi guest\\n'} listed True"
    assert expected in output, output
    assert not lite_page[1], lite_page[1]


# a whole response a page may read from another origin, its X-Reply header included
CORS_ANSWER = (
    b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: X-Reply\r\n"
    b"X-Reply: yes\r\nContent-Length: 5\r\n\r\nhello"
)
ALLOW_CELL = """
import base64, json
from pywasi_web import Program
from pywasi_web.errors import CapabilityError
wasm = base64.b64decode("{wasm}")
process = Program(wasm).instantiate(allow=["{origin}"])
print(json.dumps(list(process.exports.fetch("{authority}", "GET", "/x", b""))))
process.finish()
try:
    Program(wasm).instantiate(allow=["{authority}"])
except CapabilityError as refused:
    print("refused:", refused)
"""


@pytest.mark.browser
def test_allow_gives_a_component_wasi_http_through_fetch_in_the_lite_kernel(kernel: Any) -> None:
    """`allow=` with an origin in a JupyterLite cell: the component's wasi:http goes through the
    kernel worker's fetch() and reports what it reports on CPython; a host:port entry is refused."""
    with tcp_server(HangingHttp(CORS_ANSWER)) as port:
        process = Program(httpprobe()).instantiate(allow=[f"http://127.0.0.1:{port}"])
        expected = list(process.exports.fetch(f"127.0.0.1:{port}", "GET", "/x", b""))
        process.finish()
    assert "x-reply: yes" in expected and "body starts: hello" in expected
    with tcp_server(HangingHttp(CORS_ANSWER)) as port:
        origin = f"http://127.0.0.1:{port}"
        wasm = base64.b64encode(httpprobe().read_bytes()).decode()
        output = execute(kernel, ALLOW_CELL.format(wasm=wasm, origin=origin, authority=origin[7:]))
    lines, refused = output.splitlines()[0], output.splitlines()[1:]
    assert json.loads(lines) == expected, output
    assert refused and refused[0].startswith("refused: allow= inside Pyodide grants"), output


def test_cpython_notebook_streams_and_renders() -> None:
    """In IPython on CPython, run() writes to the cell's sys.stdout as the guest writes."""
    from pywasi_web import run
    from pywasi_web.cli.toolchain import build_c

    wasm = build_c(ROOT / "playwright" / "guests" / "hello.c")
    cell = io.StringIO()
    with redirect_stdout(cell):
        result = run(wasm, ["cell"])
    assert cell.getvalue() == "hello from wasm cell\n"
    assert result.exit_code == 0
    html = result._repr_html_()
    assert ">ok</b>" in html and "hello.wasm" not in cell.getvalue()


def test_cell_input_turns_lines_into_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from pywasi_web import run
    from pywasi_web.cli.toolchain import build_c
    from pywasi_web.notebook import StdinUnavailable, cell_input

    answers = iter(["first", "second", ""])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    wasm = build_c(ROOT / "playwright" / "guests" / "echo.c")
    result = run(wasm, stdin=cell_input(), capture_output=True)
    assert result.stdout == b"ready\ngot: first\ngot: second\nbye\n"
    assert result.exit_code == 3

    def no_stdin(prompt: str = "") -> str:
        raise RuntimeError("raw_input was called, but this frontend does not support input requests.")

    monkeypatch.setattr(builtins, "input", no_stdin)
    with pytest.raises(StdinUnavailable, match="cannot ask for input"):
        run(wasm, stdin=cell_input(), capture_output=True)
