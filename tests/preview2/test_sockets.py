"""wasi:sockets over net's sockets: in-process pairs and listeners, and real TCP on CPython."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pywasi_web.component.values import Err, Variant
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.base import Socket
from pywasi_web.net.pair import Duplex, PairListener, socket_pair
from pywasi_web.preview2.host import wasi_imports
from pywasi_web.preview2.sockets import SocketAccess, host_sockets, socket_address, to_host
from tests.preview2.helpers import error_of, stream_error
from tests.unit.helpers import ReportingWaiter, make_kernel


def v4(host: str, port: int) -> Variant:
    return socket_address(host, port)


class PairNetwork:
    """A SocketAccess whose connections are in-process pairs the test holds the other end of."""

    def __init__(self, *allowed: str) -> None:
        self.peers: list[Duplex] = []
        self.listeners: dict[int, PairListener] = {}
        self.opened: list[tuple[str, int]] = []
        self.access = SocketAccess(Allowlist(allowed), self.connect, self.listen, self.resolve)

    def connect(self, host: str, port: int) -> Socket:
        self.opened.append((host, port))
        guest, peer = socket_pair()
        self.peers.append(peer)
        return guest

    def listen(self, host: str, port: int) -> Socket:
        self.opened.append((host, port))
        return self.listeners.setdefault(port, PairListener())

    def resolve(self, name: str) -> list[str]:
        return ["10.1.2.3", "fd00::1"]


def interfaces(access: SocketAccess | None) -> dict[str, Any]:
    return wasi_imports(make_kernel(), network=access)


def test_connect_exchange_and_close_over_a_pair() -> None:
    net = PairNetwork("10.0.0.1:80")
    host = interfaces(net.access)
    network = host["wasi:sockets/instance-network"].instance_network()
    tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    assert error_of(tcp.finish_connect) == "not-in-progress"
    tcp.start_connect(network, v4("10.0.0.1", 80))
    reader, writer = tcp.finish_connect()
    assert tcp.remote_address() == v4("10.0.0.1", 80)
    assert tcp.address_family() == "ipv4" and not tcp.is_listening()
    writer.blocking_write_and_flush(b"ping")
    [peer] = net.peers
    assert peer.recv(10, timeout=5) == b"ping"
    assert reader.read(10) == b""  # nothing yet
    pollable = reader.subscribe()
    assert not pollable.ready()
    peer.send(b"pong")
    pollable.block()
    assert reader.blocking_read(10) == b"pong"
    peer.close()
    assert stream_error(reader.blocking_read, 10).case == "closed"
    tcp.shutdown("send")
    assert peer.recv(10, timeout=5) == b""
    tcp.drop()


def test_blocking_read_waits_for_the_peer() -> None:
    net = PairNetwork("10.0.0.1:80")
    waiter = ReportingWaiter()
    kernel = make_kernel()
    kernel.waiter = waiter
    host = wasi_imports(kernel, network=net.access)
    tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    tcp.start_connect(host["wasi:sockets/instance-network"].instance_network(), v4("10.0.0.1", 80))
    reader, _writer = tcp.finish_connect()
    sender = threading.Thread(target=lambda: (waiter.waiting.wait(), net.peers[0].send(b"late")))
    sender.start()
    assert reader.blocking_read(10) == b"late"
    sender.join()


@pytest.mark.parametrize("target", [("10.0.0.2", 80), ("10.0.0.1", 81)])
def test_connect_outside_the_allowlist_is_denied_before_anything_opens(target: tuple[str, int]) -> None:
    net = PairNetwork("10.0.0.1:80")
    host = interfaces(net.access)
    tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    network = host["wasi:sockets/instance-network"].instance_network()
    assert error_of(tcp.start_connect, network, v4(*target)) == "access-denied"
    assert net.opened == []


def test_without_a_grant_nothing_is_created_or_looked_up() -> None:
    """As wasmtime's default context answers (tests/preview2/test_sockprobe.py checks it)."""
    host = interfaces(None)
    network = host["wasi:sockets/instance-network"].instance_network()
    assert error_of(host["wasi:sockets/tcp-create-socket"].create_tcp_socket, "ipv4") == "access-denied"
    assert error_of(host["wasi:sockets/udp-create-socket"].create_udp_socket, "ipv4") == "access-denied"
    assert error_of(host["wasi:sockets/ip-name-lookup"].resolve_addresses, network, "localhost") == (
        "permanent-resolver-failure"
    )


def test_bad_addresses_and_states() -> None:
    net = PairNetwork("10.0.0.1:*")
    host = interfaces(net.access)
    network = host["wasi:sockets/instance-network"].instance_network()
    tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    assert error_of(tcp.start_connect, network, v4("10.0.0.1", 0)) == "invalid-argument"
    assert error_of(tcp.start_connect, network, v4("0.0.0.0", 80)) == "invalid-argument"
    assert error_of(tcp.start_connect, network, socket_address("::1", 80)) == "invalid-argument"
    assert error_of(tcp.start_listen) == "invalid-state"
    assert error_of(tcp.accept) == "invalid-state"
    assert error_of(tcp.remote_address) == "invalid-state"
    assert error_of(tcp.shutdown, "both") == "invalid-state"
    assert error_of(tcp.set_hop_limit, 0) == "invalid-argument"
    tcp.set_hop_limit(12)
    assert tcp.hop_limit() == 12
    tcp.set_keep_alive_enabled(True)
    assert tcp.keep_alive_enabled() is True
    assert net.opened == []


def test_listen_and_accept_connections_the_embedder_makes() -> None:
    net = PairNetwork("127.0.0.1:8080")
    host = interfaces(net.access)
    network = host["wasi:sockets/instance-network"].instance_network()
    server = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    server.start_bind(network, v4("127.0.0.1", 8080))
    server.finish_bind()
    assert server.local_address() == v4("127.0.0.1", 8080)
    server.start_listen()
    server.finish_listen()
    assert server.is_listening()
    assert error_of(server.accept) == "would-block"
    pollable = server.subscribe()
    assert not pollable.ready()
    client = net.listeners[8080].connect()
    assert pollable.ready()
    connection, reader, writer = server.accept()
    client.send(b"hi")
    assert reader.blocking_read(2) == b"hi"
    writer.blocking_write_and_flush(b"there")
    assert client.recv(10, timeout=5) == b"there"
    assert connection.local_address() == v4("127.0.0.1", 8080)


def test_listening_outside_the_allowlist_is_denied() -> None:
    net = PairNetwork("127.0.0.1:8080")
    host = interfaces(net.access)
    server = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    server.start_bind(host["wasi:sockets/instance-network"].instance_network(), v4("127.0.0.1", 9090))
    server.finish_bind()
    assert error_of(server.start_listen) == "access-denied"
    assert net.opened == []


def test_name_lookup_resolves_only_allowlisted_names_and_grants_their_addresses() -> None:
    net = PairNetwork("db.example:5432")
    host = interfaces(net.access)
    lookup = host["wasi:sockets/ip-name-lookup"]
    network = host["wasi:sockets/instance-network"].instance_network()
    assert error_of(lookup.resolve_addresses, network, "other.example") == "permanent-resolver-failure"
    assert error_of(lookup.resolve_addresses, network, "bad..name") == "invalid-argument"
    found = lookup.resolve_addresses(network, "db.example")
    assert found.subscribe().ready()
    assert found.resolve_next_address() == Variant("ipv4", (10, 1, 2, 3))
    assert found.resolve_next_address() == Variant("ipv6", (0xFD00, 0, 0, 0, 0, 0, 0, 1))
    assert found.resolve_next_address() is None
    literal = lookup.resolve_addresses(network, "192.168.0.9")
    assert literal.resolve_next_address() == Variant("ipv4", (192, 168, 0, 9))
    tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    tcp.start_connect(network, v4("10.1.2.3", 5432))  # the address of an allowed name
    assert net.opened == [("10.1.2.3", 5432)]
    other = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    assert error_of(other.start_connect, network, v4("10.1.2.3", 80)) == "access-denied"


def test_udp_without_a_datagram_grant_is_not_supported() -> None:
    net = PairNetwork("127.0.0.1:*")  # in-process pairs: streams only, like the browser
    host = interfaces(net.access)
    udp = host["wasi:sockets/udp-create-socket"].create_udp_socket("ipv4")
    network = host["wasi:sockets/instance-network"].instance_network()
    assert error_of(udp.start_bind, network, v4("127.0.0.1", 0)) == "not-supported"


@pytest.fixture
def udp_echo() -> Iterator[tuple[str, int]]:
    """A host UDP socket that sends every datagram back to its sender."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            data, sender = server.recvfrom(65536)
            if data == b"stop":
                return
            server.sendto(data, sender)

    thread = threading.Thread(target=echo)
    thread.start()
    address = server.getsockname()
    yield address
    server.sendto(b"stop", address)
    thread.join()
    server.close()


def bound_udp(allowed: list[str]) -> Any:
    host = interfaces(host_sockets(Allowlist(allowed)))
    network = host["wasi:sockets/instance-network"].instance_network()
    udp = host["wasi:sockets/udp-create-socket"].create_udp_socket("ipv4")
    udp.start_bind(network, v4("127.0.0.1", 0))
    udp.finish_bind()
    return udp


def test_real_udp_datagrams_go_and_come_back(udp_echo: tuple[str, int]) -> None:
    udp = bound_udp(["127.0.0.1:*"])
    assert to_host(udp.local_address())[1] != 0
    incoming, outgoing = udp.stream(None)
    assert incoming.receive(10) == []  # nothing yet
    assert outgoing.check_send() > 0
    datagrams = [
        {"data": b"one", "remote_address": v4(*udp_echo)},
        {"data": b"two", "remote_address": v4(*udp_echo)},
    ]
    assert outgoing.send(datagrams) == 2
    received: list[dict[str, Any]] = []
    while len(received) < 2:
        incoming.subscribe().block()
        received += incoming.receive(10)
    assert sorted(item["data"] for item in received) == [b"one", b"two"]
    assert all(item["remote_address"] == v4(*udp_echo) for item in received)
    assert error_of(outgoing.send, [{"data": b"x", "remote_address": None}]) == "invalid-argument"
    assert error_of(outgoing.send, [{"data": bytes(70000), "remote_address": v4(*udp_echo)}]) == (
        "datagram-too-large"
    )
    udp.drop()


def test_udp_destinations_outside_the_allowlist_are_denied(udp_echo: tuple[str, int]) -> None:
    udp = bound_udp(["127.0.0.1:0", "127.0.0.1:9"])
    _incoming, outgoing = udp.stream(None)
    assert error_of(outgoing.send, [{"data": b"x", "remote_address": v4(*udp_echo)}]) == "access-denied"
    assert error_of(udp.stream, v4(*udp_echo)) == "access-denied"
    denied_bind = interfaces(host_sockets(Allowlist(["127.0.0.1:9"])))
    other = denied_bind["wasi:sockets/udp-create-socket"].create_udp_socket("ipv4")
    network = denied_bind["wasi:sockets/instance-network"].instance_network()
    assert error_of(other.start_bind, network, v4("127.0.0.1", 0)) == "access-denied"
    udp.drop()


def test_a_connected_udp_stream_takes_only_its_peer(udp_echo: tuple[str, int]) -> None:
    udp = bound_udp(["127.0.0.1:*"])
    incoming, outgoing = udp.stream(v4(*udp_echo))
    assert udp.remote_address() == v4(*udp_echo)
    stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stranger.sendto(b"noise", to_host(udp.local_address())[:2])
    assert outgoing.send([{"data": b"mine", "remote_address": None}]) == 1
    received: list[dict[str, Any]] = []
    while not received:
        incoming.subscribe().block()
        received += incoming.receive(10)
    assert [item["data"] for item in received] == [b"mine"]
    other = ("127.0.0.1", udp_echo[1] + 1 if udp_echo[1] < 65535 else 1)
    assert error_of(outgoing.send, [{"data": b"x", "remote_address": v4(*other)}]) == "invalid-argument"
    stranger.close()
    udp.drop()


def test_ipv6_addresses_round_trip() -> None:
    address = socket_address("2001:db8::5", 443)
    assert address.value["address"] == (0x2001, 0xDB8, 0, 0, 0, 0, 0, 5)
    assert to_host(address) == ("2001:db8::5", 443, "ipv6")


def test_real_tcp_echo_on_cpython() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def echo() -> None:
        connection, _ = server.accept()
        with connection:
            while data := connection.recv(65536):
                connection.sendall(data)

    thread = threading.Thread(target=echo)
    thread.start()
    try:
        host = interfaces(host_sockets(Allowlist([f"127.0.0.1:{port}"])))
        network = host["wasi:sockets/instance-network"].instance_network()
        tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
        tcp.start_connect(network, v4("127.0.0.1", port))
        reader, writer = finish_connect(tcp)
        payload = bytes(range(256)) * 4096  # 1 MiB: more than one send
        writer.write(payload)
        writer.blocking_flush()
        received = bytearray()
        while len(received) < len(payload):
            received += reader.blocking_read(1 << 20)
        assert received == payload
        tcp.shutdown("send")
        assert stream_error(reader.blocking_read, 1).case == "closed"
        tcp.drop()
    finally:
        thread.join()
        server.close()


def finish_connect(tcp: Any) -> Any:
    """What a guest's connect() does: finish-connect, waiting on subscribe() while it would block."""
    while True:
        try:
            return tcp.finish_connect()
        except Err as error:
            if error.value != "would-block":
                raise
        tcp.subscribe().block()


def test_real_tcp_connection_refused_at_finish_connect() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    host = interfaces(host_sockets(Allowlist([f"127.0.0.1:{port}"])))
    tcp = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    network = host["wasi:sockets/instance-network"].instance_network()
    tcp.start_connect(network, v4("127.0.0.1", port))  # the handshake is not waited for here
    assert error_of(finish_connect, tcp) == "connection-refused"
    assert error_of(tcp.finish_connect) == "not-in-progress"


def test_real_tcp_listen_on_a_free_port() -> None:
    host = interfaces(host_sockets(Allowlist(["127.0.0.1:*"])))
    network = host["wasi:sockets/instance-network"].instance_network()
    server = host["wasi:sockets/tcp-create-socket"].create_tcp_socket("ipv4")
    server.start_bind(network, v4("127.0.0.1", 0))
    server.finish_bind()
    server.start_listen()
    server.finish_listen()
    port = to_host(server.local_address())[1]
    assert port != 0
    client = socket.create_connection(("127.0.0.1", port))
    server.subscribe().block()
    _connection, reader, _writer = server.accept()
    client.sendall(b"real")
    assert reader.blocking_read(4) == b"real"
    client.close()
    server.drop()
