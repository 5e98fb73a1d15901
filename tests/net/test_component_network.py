"""A component's network in the browser (browser/network.py) without a browser: wasi:sockets and
wasi:http host objects over the page relay of an Atomics worker, a fake page answering as
SocketRelay in web/pywasi.js does (tests/net/test_relay.py). Chromium runs the same component
under JSPI and Atomics in playwright/test_component_net_browser.py."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web.browser.network import ComponentNetwork
from pywasi_web.browser.transports import checked_specs
from pywasi_web.component.values import Err, Ok, Variant
from pywasi_web.kernel.waiting import ThreadWaiter
from pywasi_web.net.page import PageConnections
from pywasi_web.preview2 import http, sockets
from pywasi_web.preview2.host import NetworkGrant
from pywasi_web.preview2.udp import Udp
from tests.net.test_relay import ALLOW, URL, FakePage, relay_for

SPECS = [{"websocket": URL, "host": "127.0.0.1", "port": 5000}, {"fetch": "http://127.0.0.1:8000"}]


def network(page: FakePage, allow: list[str] = ALLOW, specs: list[Any] = SPECS) -> ComponentNetwork:
    relay = relay_for(page)
    return ComponentNetwork(checked_specs(specs, allow, relay), allow, relay, PageConnections(page.post))


def grant(page: FakePage, allow: list[str] = ALLOW) -> NetworkGrant:
    return network(page, allow).grant


def connect(access: sockets.SocketAccess | None, port: int) -> sockets.GuestTcpSocket:
    socket = sockets.Tcp(ThreadWaiter(), access).create_tcp_socket("ipv4")
    socket.start_connect(sockets.Network(access), sockets.socket_address("127.0.0.1", port))
    return socket


def code(error: pytest.ExceptionInfo[Err]) -> Any:
    return error.value.value


def test_a_connect_opens_the_relay_and_finishes_once_it_is_open() -> None:
    page = FakePage()
    socket = connect(grant(page).network, 5000)
    opening = page.posted[-1]
    assert (opening["op"], opening["url"]) == ("websocket", URL)
    assert not socket.subscribe().ready()
    with pytest.raises(Err) as blocked:
        socket.finish_connect()
    assert code(blocked) == "would-block"
    page.event(opening["sid"], "open", [])
    assert socket.subscribe().ready()
    incoming, outgoing = socket.finish_connect()
    outgoing.write(b"ping")
    assert page.posted[-1] == {"action": "relay", "op": "send", "sid": opening["sid"], "data": b"ping"}
    page.event(opening["sid"], "feed", [], b"pong")
    assert incoming.read(10) == b"pong"
    socket.drop()
    assert page.posted[-1] == {"action": "relay", "op": "close", "sid": opening["sid"]}


def test_a_relay_that_does_not_open_is_connection_refused() -> None:
    page = FakePage()
    socket = connect(grant(page).network, 5000)
    page.event(page.posted[-1]["sid"], "refused", ["unreachable"])
    assert socket.subscribe().ready()
    with pytest.raises(Err) as refused:
        socket.finish_connect()
    assert code(refused) == "connection-refused"


def test_a_socket_dropped_while_opening_closes_its_relay_once_open() -> None:
    page = FakePage()
    socket = connect(grant(page).network, 5000)
    sid = page.posted[-1]["sid"]
    socket.drop()
    page.event(sid, "open", [])
    assert page.posted[-1] == {"action": "relay", "op": "close", "sid": sid}


def test_the_end_of_the_run_closes_what_the_guest_left_open() -> None:
    page = FakePage()
    run = network(page)
    connect(run.grant.network, 5000)
    sid = page.posted[-1]["sid"]
    page.event(sid, "open", [])
    run.close()
    assert page.posted[-1] == {"action": "relay", "op": "close", "sid": sid}


def test_the_port_of_a_fetch_origin_is_an_http_connection_to_it() -> None:
    page = FakePage()
    incoming, outgoing = connect(grant(page).network, 8000).finish_connect()
    outgoing.write(b"GET /a HTTP/1.1\r\n\r\n")
    request = page.posted[-1]
    assert (request["op"], request["url"]) == ("fetch", "http://127.0.0.1:8000/a")
    page.event(request["sid"], "head", [204, "No Content", []])
    assert incoming.read(100).startswith(b"HTTP/1.1 204 No Content\r\n")


def test_what_is_not_allowed_or_not_routed_is_access_denied() -> None:
    page = FakePage()
    access = grant(page, [*ALLOW, "127.0.0.1:6000"]).network
    for port in (5001, 6000):  # outside allow; allowed, but no relay reaches it
        with pytest.raises(Err) as denied:
            connect(access, port)
        assert code(denied) == "access-denied"
    assert [message["op"] for message in page.posted] == []
    no_allow = ComponentNetwork([], [], relay_for(page), PageConnections(page.post)).grant
    with pytest.raises(Err) as none:
        connect(no_allow.network, 5000)
    assert code(none) == "access-denied"  # no socket is created at all, as in wasmtime's default


def test_a_connection_dropped_while_its_websocket_opens_has_the_page_close_it() -> None:
    """The worker may not read the page's "open" before the run ends (it reads events when the
    guest waits): the page is told at once, and closes the WebSocket when it opens."""
    page = FakePage()
    socket = connect(grant(page).network, 5000)
    opening = page.posted[-1]
    assert opening["op"] == "websocket"
    socket.drop()
    assert page.posted[-1] == {"action": "relay", "op": "close", "sid": opening["sid"]}
    page.event(opening["sid"], "open", [])  # the page's late answer reaches nothing
    socket.drop()
    assert len(page.posted) == 2


def test_listen_without_its_spec_is_access_denied_udp_not_supported_and_names_unresolvable() -> None:
    access = grant(FakePage(), [*ALLOW, "127.0.0.1:7000", "example.org:*"]).network
    assert access is not None
    network, waiter = sockets.Network(access), ThreadWaiter()
    listener = sockets.Tcp(waiter, access).create_tcp_socket("ipv4")
    listener.start_bind(network, sockets.socket_address("127.0.0.1", 7000))
    listener.finish_bind()
    with pytest.raises(Err) as listen:
        listener.start_listen()
    assert code(listen) == "access-denied"
    datagrams = Udp(waiter, access).create_udp_socket("ipv4")
    with pytest.raises(Err) as bind:
        datagrams.start_bind(network, sockets.socket_address("127.0.0.1", 7000))
    assert code(bind) == "not-supported"
    lookup = sockets.IpNameLookup(waiter)
    with pytest.raises(Err) as name:
        lookup.resolve_addresses(network, "example.org")
    assert code(name) == "name-unresolvable"
    assert lookup.resolve_addresses(network, "127.0.0.1").resolve_next_address() == Variant(
        "ipv4", (127, 0, 0, 1)
    )


def listening(access: sockets.SocketAccess, host: str, port: int) -> sockets.GuestTcpSocket:
    """A tcp-socket bound to host:port whose start-listen was called (Err: refused)."""
    socket = sockets.Tcp(ThreadWaiter(), access).create_tcp_socket("ipv6" if ":" in host else "ipv4")
    socket.start_bind(sockets.Network(access), sockets.socket_address(host, port))
    socket.finish_bind()
    socket.start_listen()
    return socket


def test_a_listen_on_a_listen_specs_port_takes_the_listener_the_page_connects_to() -> None:
    page = FakePage()
    relay = relay_for(page)
    connections = PageConnections(page.post)
    specs = checked_specs([{"listen": 7000}], [], relay)
    access = ComponentNetwork(specs, [], relay, connections).grant.network
    assert access is not None and connections.ports == [7000]  # announced to the page at open
    connections.connect(1, 7000)  # before the component listens: it waits, as in a backlog
    server = listening(access, "0.0.0.0", 7000)
    server.finish_listen()
    _accepted, input_stream, output_stream = server.accept()
    connections.write(1, b"hi")
    assert input_stream.read(10) == b"hi"
    output_stream.blocking_write_and_flush(b"echo: hi")
    assert page.posted[-1] == {"action": "data", "conn": 1, "data": b"echo: hi"}
    for host, port, error in (("127.0.0.1", 7000, "address-in-use"), ("127.0.0.1", 7001, "access-denied"),
                              ("192.168.1.2", 7000, "access-denied")):  # fmt: skip
        with pytest.raises(Err) as refused:
            listening(access, host, port)
        assert code(refused) == error
    server.drop()  # the listener is closed: later connects are refused
    connections.connect(2, 7000)
    assert page.posted[-1]["action"] == "refused"


def test_wasi_http_goes_through_the_pages_fetch() -> None:
    page = FakePage()
    access = grant(page).http_access
    waiter = ThreadWaiter()
    types = http.HttpTypes(waiter)
    request = types.OutgoingRequest(http.Fields())
    request.set_scheme(Variant("HTTP"))
    request.set_authority("127.0.0.1:8000")
    request.set_path_with_query("/hello")
    future = http.OutgoingHandler(access, waiter).handle(request, None)
    posted = page.posted[-1]
    assert (posted["op"], posted["method"], posted["url"]) == ("fetch", "GET", "http://127.0.0.1:8000/hello")
    assert future.get() is None
    page.event(posted["sid"], "head", [200, "OK", [["x-test", "yes"]]])
    page.event(posted["sid"], "body", [], b"hello")
    page.event(posted["sid"], "end", [])
    response = future.get()
    assert isinstance(response, Ok) and isinstance(response.value, Ok)
    incoming = response.value.value
    assert incoming.status() == 200 and incoming.headers().get("x-test") == [b"yes"]
    assert incoming.consume().stream().read(100) == b"hello"


def test_requests_in_flight_when_the_run_ends_are_cancelled_on_the_page() -> None:
    page = FakePage()
    net = network(page)
    access, waiter = net.grant.http_access, ThreadWaiter()
    sent = []
    for path in ("/done", "/hanging"):
        request = http.HttpTypes(waiter).OutgoingRequest(http.Fields())
        request.set_scheme(Variant("HTTP"))
        request.set_authority("127.0.0.1:8000")
        request.set_path_with_query(path)
        http.OutgoingHandler(access, waiter).handle(request, None)
        sent.append(page.posted[-1]["sid"])
    page.event(sent[0], "head", [200, "OK", []])
    page.event(sent[0], "end", [])
    net.close()
    assert [(message["op"], message["sid"]) for message in page.posted[2:]] == [("cancel", sent[1])]
    assert access is not None and not access.calls


def test_a_route_hosts_name_resolves_to_an_address_a_connect_maps_back_to_the_route() -> None:
    page = FakePage()
    specs = [{"websocket": URL, "host": "Example.test", "port": 5000}]
    access = network(page, [*ALLOW, "example.test:5000", "other.test:*"], specs).grant.network
    assert access is not None
    lookup, net = sockets.IpNameLookup(ThreadWaiter()), sockets.Network(access)
    address = lookup.resolve_addresses(net, "example.test").resolve_next_address()
    assert address == Variant("ipv4", (198, 18, 0, 1))
    connect_to = sockets.Tcp(ThreadWaiter(), access).create_tcp_socket("ipv4")
    connect_to.start_connect(net, sockets.socket_address("198.18.0.1", 5000))
    assert page.posted[-1]["op"] == "websocket" and page.posted[-1]["url"] == URL
    for name, error in (("other.test", "name-unresolvable"), ("unknown.test", "permanent-resolver-failure")):
        with pytest.raises(Err) as unresolved:
            lookup.resolve_addresses(net, name)
        assert code(unresolved) == error
