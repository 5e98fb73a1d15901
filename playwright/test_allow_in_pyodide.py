"""Python's `allow=` inside Pyodide (a JupyterLite cell): http(s) origins grant a component's
wasi:http through the browser's fetch() (browser/notebook_network.py), when the code runs where it
can suspend (runPythonAsync, as a JupyterLite cell does). The same component with the same `allow`
reports the same lines as on CPython, as a reactor's export and as a command through run(); a
request left in flight is aborted when the process finishes (the server sees its connection
close). What needs sockets (host:port, ws:// origins), and allow= where the code cannot suspend
(pyodide.runPython), are refused before anything opens, with a message naming what to use
instead. Without `allow`, the component runs with no grant, as on CPython."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pyodide_suite import run_suites

from pywasi_web import Program
from pywasi_web.cli.serve import wheel_index, wheels_dir
from tests.net.servers import HangingHttp, tcp_server
from tests.preview2.test_httpprobe import httpprobe
from tests.preview2.test_tcpprobe import tcpprobe

pytestmark = pytest.mark.browser

SUITE = '''
import base64

import pytest

from pywasi_web import Program
from pywasi_web.errors import CapabilityError


@pytest.mark.parametrize("entry", ["127.0.0.1:80", "localhost:*", "ws://127.0.0.1:8080"])
def test_what_needs_sockets_is_refused_saying_what_to_use_instead(entry):
    wasm = base64.b64decode(open("tcpprobe.b64").read())
    with pytest.raises(CapabilityError, match="rt.run or rt.instantiate with allow and sockets"):
        Program(wasm).instantiate(allow=["http://127.0.0.1:8000", entry])


def test_an_origin_is_refused_where_the_code_cannot_suspend():
    """pyodide.runPython (this suite) cannot suspend: no fetch() response could reach the guest."""
    wasm = base64.b64decode(open("tcpprobe.b64").read())
    with pytest.raises(CapabilityError, match="runPythonAsync"):
        Program(wasm).instantiate(allow=["http://127.0.0.1:8000"])


def test_without_allow_nothing_is_granted():
    ungranted = Program(base64.b64decode(open("tcpprobe.b64").read())).instantiate()
    assert list(ungranted.exports.connect(80, "hi")) == ["create tcp ipv4: err 1"]  # access-denied
'''


def test_allow_inside_pyodide_refuses_what_needs_sockets(browser: Any, server_url: str) -> None:
    files = {"test_allow.py": SUITE, "tcpprobe.b64": base64.b64encode(tcpprobe().read_bytes()).decode()}
    run_suites(browser, server_url, files, ["test_allow.py"])


# Pyodide in the page with our wheel and the httpprobe component at /tmp/httpprobe.wasm
BOOT = """async ([wheel, component]) => {
    const { loadPyodide } = await import("/vendor/pyodide/pyodide.mjs");
    const pyodide = await loadPyodide({ indexURL: "/vendor/pyodide/" });
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    pyodide.FS.writeFile("/tmp/pywasi_web.whl", bytes(wheel));
    pyodide.FS.writeFile("/tmp/httpprobe.wasm", bytes(component));
    pyodide.runPython(`
import site, zipfile
with zipfile.ZipFile("/tmp/pywasi_web.whl") as wheel:
    wheel.extractall(site.getsitepackages()[0])
`);
    window.notebook = pyodide;
}"""
# a cell: Python code run as JupyterLite runs one (it can suspend); its last expression's value
CELL = "async (code) => await window.notebook.runPythonAsync(code)"


@pytest.fixture
def notebook(browser: Any, server_url: str) -> Iterator[Any]:
    """A page of the test server (so its origin is same-origin) with Pyodide booted in it."""
    wheel = wheels_dir() / str(wheel_index()["pywasi_web"])
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server_url}examples/index.json")
        encoded = [base64.b64encode(path.read_bytes()).decode() for path in (wheel, httpprobe())]
        page.evaluate(BOOT, encoded)
        yield page
    finally:
        context.close()


def cell(page: Any, code: str) -> Any:
    return json.loads(page.evaluate(CELL, code))


def test_an_origin_in_allow_reaches_wasi_http_through_fetch(notebook: Any, server_url: str) -> None:
    origin = server_url.rstrip("/")
    authority = origin.removeprefix("http://")
    request = (authority, "GET", "/examples/index.json", b"")
    expected = list(Program(httpprobe()).instantiate(allow=[origin]).exports.fetch(*request))
    assert "status: 200" in expected and "handle: ok" in expected
    ours = cell(
        notebook,
        f"""
import json
from pywasi_web import Program
json.dumps(list(Program("/tmp/httpprobe.wasm").instantiate(allow={[origin]!r}).exports.fetch(*{request!r})))
""",
    )
    assert ours == expected
    denied = cell(
        notebook,
        f"""
json.dumps(list(Program("/tmp/httpprobe.wasm").instantiate(allow=["http://127.0.0.1:1"]).exports.fetch(*{request!r})))
""",
    )
    assert denied[-1] == "handle: err 15"  # HTTP-request-denied, as on CPython


def test_run_with_allow_gives_the_same_output_as_on_cpython(notebook: Any, server_url: str) -> None:
    """The command (wasi:cli/run): a request whose response head it awaits, the lines on stdout."""
    origin = server_url.rstrip("/")
    authority, path = origin.removeprefix("http://"), "/examples/index.json"
    env = {"HTTPPROBE_AUTHORITY": authority, "HTTPPROBE_PATH": path, "HTTPPROBE_END": "return"}
    expected = Program(httpprobe()).run(env=env, allow=[origin], capture_output=True)
    assert b"status: 200\n" in expected.stdout
    ours = cell(
        notebook,
        f"""
import json
from pywasi_web import run
result = run("/tmp/httpprobe.wasm", env={env!r}, allow={[origin]!r}, capture_output=True)
json.dumps([result.returncode, result.stdout.decode()])
""",
    )
    assert ours == [expected.returncode, expected.stdout.decode()]


def test_a_request_in_flight_is_aborted_when_the_process_finishes(notebook: Any) -> None:
    server = HangingHttp()
    with tcp_server(server) as port:
        lines = cell(
            notebook,
            f"""
import json
from pywasi_web import Program
process = Program("/tmp/httpprobe.wasm").instantiate(allow=["http://127.0.0.1:{port}"])
json.dumps(list(process.exports.send("127.0.0.1:{port}", "/hang")))
""",
        )
        assert lines[-1] == "handle: ok"
        assert server.requested.wait(60)
        assert not server.closed.is_set()
        cell(notebook, "process.finish()\njson.dumps(None)")
        assert server.closed.wait(60)
