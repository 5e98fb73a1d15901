"""A component's wasi:sockets and wasi:http in Chromium (browser/network.py), under JSPI and under
Atomics.wait: the native tcpprobe component (tests/preview2/guests/tcpprobe.c) connects through a
real websockify to a local server, sends, reads until the peer closes, and reports each step; the
same component on CPython (pywasi_web's host TCP, against the same server) must report the same
lines. A component listening on a `{listen: port}` spec's port is reached by the page's
rt.connect(port), and echoes as it does on CPython to a real TCP client. To a fetch origin's
port the connection is HTTP/1.1 bridged to fetch(). wasmtime-py cannot
grant TCP (create-tcp-socket is access-denied even with wasi_config_inherit_network), so
wasmtime's WASI 0.2 is the oracle for the component without a grant. wasi:http goes through
fetch() in both modes (the page's under Atomics)."""

from __future__ import annotations

import base64
import socket
import threading
from typing import Any

import pytest
from test_net_browser import runtime  # noqa: F401  # the JSPI / Atomics runtime fixture

from pywasi_web import Program
from tests.component.oracle import call, component, store_with_wasi
from tests.net.servers import UNFINISHED, HangingHttp, free_port, tcp_server, websockify
from tests.preview2.test_http_cancel import drop_with_wasmtime
from tests.preview2.test_httpprobe import httpprobe
from tests.preview2.test_tcpprobe import tcpprobe

pytestmark = pytest.mark.browser

# Calls exports of a component instance made with `options`; the results in order.
CALLS = """async ([key, component, options, calls]) => {
    const bytes = Uint8Array.from(atob(component), (c) => c.charCodeAt(0));
    const inst = await window[key].instantiate(bytes, { timeoutMs: 60000, ...options });
    try {
        const results = [];
        for (const [name, args] of calls) results.push(await inst.call(name, ...args));
        return results;
    } finally {
        await inst.close();
    }
}"""


def calls(
    page: Any, key: str, wasm: bytes, options: dict[str, Any], *made: tuple[str, list[Any]]
) -> list[Any]:
    encoded = base64.b64encode(wasm).decode()
    results: list[Any] = page.evaluate(CALLS, [key, encoded, options, [list(call) for call in made]])
    return results


def reply_once(connection: socket.socket) -> None:
    """Answers "echo: " and what it read, then closes: the guest reads until the end of stream."""
    with connection:
        connection.sendall(b"echo: " + connection.recv(1024))


def test_a_components_tcp_goes_through_the_relay_as_on_cpython(page: Any, runtime: str) -> None:  # noqa: F811
    wasm = tcpprobe().read_bytes()
    with tcp_server(reply_once) as port, websockify(port) as url:
        allow = [url, f"127.0.0.1:{port}"]
        expected = list(Program(wasm).instantiate(allow=[f"127.0.0.1:{port}"]).exports.connect(port, "hi"))
        options = {"sockets": [{"websocket": url, "host": "127.0.0.1", "port": port}], "allow": allow}
        talked, denied, listened = calls(
            page,
            runtime,
            wasm,
            options,
            ("connect", [port, "hi"]),
            ("connect", [port + 1, "hi"]),
            ("listen", [port]),
        )
    assert expected[-2:] == ["read: echo: hi", "end: closed"]
    assert talked == expected
    assert denied == ["create tcp ipv4: ok", "start-connect: err 1"]  # access-denied: outside allow
    assert listened == [
        "create tcp ipv4: ok",
        "tcp start-bind: ok",
        "tcp finish-bind: ok",
        "start-listen: err 1",  # access-denied: a page cannot listen
        "create udp ipv4: ok",
        "udp start-bind: err 2",  # not-supported: a page has no UDP
    ]


# Instantiates the tcpprobe with a {listen: port} socket; serve, then the page connects, sends "hi",
# ends its side, and echo-one answers it. The lines of both calls and what the page read.
SERVE = """async ([key, component, port]) => {
    const bytes = Uint8Array.from(atob(component), (c) => c.charCodeAt(0));
    const rt = window[key];
    const inst = await rt.instantiate(bytes, { timeoutMs: 60000, sockets: [{ listen: port }] });
    try {
        const served = await inst.call("serve", port);
        const connection = rt.connect(port);
        connection.write("hi");
        connection.close();
        const echoed = await inst.call("echo-one");
        return [served, echoed, new TextDecoder().decode(await connection.readAll())];
    } finally {
        await inst.close();
    }
}"""


def test_a_component_listening_on_a_listen_spec_echoes_the_page_as_on_cpython(
    page: Any,
    runtime: str,  # noqa: F811
) -> None:
    wasm = tcpprobe().read_bytes()
    port = free_port()
    process = Program(wasm).instantiate(allow=[f"127.0.0.1:{port}"])
    served = list(process.exports.serve(port))
    read: list[bytes] = []

    def client() -> None:
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"hi")
            connection.shutdown(socket.SHUT_WR)
            read.append(b"".join(iter(lambda: connection.recv(1024), b"")))

    thread = threading.Thread(target=client)
    thread.start()
    echoed = list(process.exports.echo_one())
    thread.join()
    expected = [served, echoed, read[0].decode()]
    assert expected[1:] == [["accept: ok", "read: hi, then closed", "write: ok"], "echo: hi"]
    ours = page.evaluate(SERVE, [runtime, base64.b64encode(wasm).decode(), port])
    assert ours == expected


# Instantiates the component and calls one export, keeping the instance open (window.kept).
KEEP = """async ([key, component, options, name, args]) => {
    const bytes = Uint8Array.from(atob(component), (c) => c.charCodeAt(0));
    window.kept = await window[key].instantiate(bytes, { timeoutMs: 60000, ...options });
    return await window.kept.call(name, ...args);
}"""


def test_a_connection_given_up_while_its_relay_opens_is_closed_before_the_run_ends(
    page: Any,
    runtime: str,  # noqa: F811
) -> None:
    """The server behind websockify sees the relayed connection end while the instance is open."""
    accepted, ended = threading.Event(), threading.Event()

    def watch(connection: socket.socket) -> None:
        with connection:
            accepted.set()
            if connection.recv(1024) == b"":
                ended.set()

    with tcp_server(watch) as port, websockify(port) as url:
        options = {
            "sockets": [{"websocket": url, "host": "127.0.0.1", "port": port}],
            "allow": [url, f"127.0.0.1:{port}"],
        }
        wasm = base64.b64encode(tcpprobe().read_bytes()).decode()
        try:
            lines = page.evaluate(KEEP, [runtime, wasm, options, "abandon", [port]])
            assert lines == ["create tcp ipv4: ok", "start-connect: ok"]
            assert accepted.wait(60) and ended.wait(60)
        finally:
            page.evaluate("() => window.kept.close()")


def test_a_route_named_by_a_host_name_resolves_and_connects_as_localhost_on_cpython(
    page: Any,
    runtime: str,  # noqa: F811
) -> None:
    """A page has no name lookup: the route's name resolves to a synthetic address, and a
    connect to it goes through the route's relay; a name outside `allow` does not resolve."""
    wasm = tcpprobe().read_bytes()
    with tcp_server(reply_once) as port, websockify(port) as url:
        process = Program(wasm).instantiate(allow=[f"localhost:{port}"])
        expected = [
            list(process.exports.connect_name(name, port, "hi")) for name in ("localhost", "other.test")
        ]
        options = {
            "sockets": [{"websocket": url, "host": "example.test", "port": port}],
            "allow": [url, f"example.test:{port}"],
        }
        ours = calls(
            page,
            runtime,
            wasm,
            options,
            ("connect-name", ["example.test", port, "hi"]),
            ("connect-name", ["other.test", port, "hi"]),
        )
    assert expected == [
        ["resolve: ok", "ipv4 address: found", "create tcp ipv4: ok", "start-connect: ok",
         "finish-connect: ok", "write: ok", "read: echo: hi", "end: closed"],
        ["resolve: err 20"],  # permanent-resolver-failure: a name outside allow is not looked up
    ]  # fmt: skip
    assert ours == expected


@pytest.fixture
def origin(server_url: str) -> str:
    """The playground server's origin: the worker fetches from it without CORS."""
    return server_url.rstrip("/")


def test_a_components_tcp_to_a_fetch_origin_is_http_bridged(page: Any, runtime: str, origin: str) -> None:  # noqa: F811
    port = int(origin.rpartition(":")[2])
    request = "GET /examples/index.json HTTP/1.1\r\nConnection: close\r\n\r\n"
    options = {"sockets": [{"fetch": origin}], "allow": [origin]}
    (lines,) = calls(page, runtime, tcpprobe().read_bytes(), options, ("connect", [port, request]))
    assert lines[:4] == ["create tcp ipv4: ok", "start-connect: ok", "finish-connect: ok", "write: ok"]
    assert lines[4].startswith("read: HTTP/1.1 200 OK\r\n") and "Connection: close\r\n" in lines[4]
    assert lines[-1] == "end: closed"


# the page runs the transports of an Atomics.wait worker: the browser logs their failures there
@pytest.mark.expected_console_errors("net::ERR_CONNECTION_REFUSED")
def test_a_relay_that_does_not_open_is_connection_refused_as_a_dead_port_on_cpython(
    page: Any,
    runtime: str,  # noqa: F811
) -> None:
    wasm = tcpprobe().read_bytes()
    dead = free_port()
    expected = list(Program(wasm).instantiate(allow=[f"127.0.0.1:{dead}"]).exports.connect(dead, "hi"))
    assert expected[-1] == "finish-connect: err 14"  # connection-refused
    url = f"ws://127.0.0.1:{free_port()}/"
    options = {
        "sockets": [{"websocket": url, "host": "127.0.0.1", "port": dead}],
        "allow": [url, f"127.0.0.1:{dead}"],
    }
    (ours,) = calls(page, runtime, wasm, options, ("connect", [dead, "hi"]))
    assert ours == expected


def test_without_a_grant_no_socket_is_created_as_in_wasmtime(page: Any, runtime: str) -> None:  # noqa: F811
    import wasmtime.component as wc

    path = tcpprobe()
    store = store_with_wasi()
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    instance = linker.instantiate(store, component(path))
    expected = [
        list(call(store, instance, name, *args))
        for name, args in (("connect", (80, "hi")), ("listen", (80,)))
    ]
    assert expected[0] == ["create tcp ipv4: err 1"]
    ours = calls(page, runtime, path.read_bytes(), {}, ("connect", [80, "hi"]), ("listen", [80]))
    assert ours == expected


def test_a_components_wasi_http_fetches_in_both_modes(page: Any, runtime: str, origin: str) -> None:  # noqa: F811
    authority = origin.removeprefix("http://")
    wasm = httpprobe().read_bytes()
    request = ("fetch", [authority, "GET", "/examples/index.json", []])
    expected = list(Program(wasm).instantiate(allow=[origin]).exports.fetch(*request[1][:3], b""))
    assert "status: 200" in expected
    (ours,) = calls(page, runtime, wasm, {"allow": [origin]}, request)
    assert ours == expected
    (denied,) = calls(page, runtime, wasm, {"allow": ["http://127.0.0.1:1"]}, request)
    assert denied[-1] == "handle: err 15"  # HTTP-request-denied


def test_a_request_in_flight_when_the_instance_closes_is_aborted(page: Any, runtime: str) -> None:  # noqa: F811
    """The server sees the request, never answers, and sees its connection close once the
    instance closes (fetch's AbortController: the worker's under JSPI, the page's under Atomics)."""
    server = HangingHttp()
    with tcp_server(server) as port:
        wasm = base64.b64encode(httpprobe().read_bytes()).decode()
        options = {"allow": [f"http://127.0.0.1:{port}"]}
        try:
            lines = page.evaluate(KEEP, [runtime, wasm, options, "send", [f"127.0.0.1:{port}", "/hang"]])
            assert lines[-1] == "handle: ok"
            assert server.requested.wait(60)
            assert not server.closed.is_set()
        finally:
            page.evaluate("() => window.kept.close()")
        assert server.closed.wait(60)


@pytest.mark.parametrize("what", ["future", "response", "body"])
def test_a_dropped_request_is_aborted_while_the_instance_stays_open(
    page: Any,
    runtime: str,  # noqa: F811
    what: str,
) -> None:
    """Dropping the future, the unconsumed response or the unread body aborts the fetch, as it
    cancels the request on CPython (tests/preview2/test_http_cancel.py); the lines are wasmtime's."""
    expected = drop_with_wasmtime(httpprobe(), what)
    server = HangingHttp(b"" if what == "future" else UNFINISHED)
    with tcp_server(server) as port:
        wasm = base64.b64encode(httpprobe().read_bytes()).decode()
        options = {"allow": [f"http://127.0.0.1:{port}"]}
        try:
            lines = page.evaluate(KEEP, [runtime, wasm, options, "send", [f"127.0.0.1:{port}", "/hang"]])
            assert server.requested.wait(60)
            lines += page.evaluate("(what) => window.kept.call('drop', what)", what)
            assert server.closed.wait(60)  # the instance is still open: the drop aborted it
        finally:
            page.evaluate("() => window.kept.close()")
    assert lines == expected
