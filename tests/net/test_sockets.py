"""Guest sockets on CPython: a real TCP connection, a real TCP listener, and the in-process pair,
driven by a C guest using wasi-libc's recv/send/accept/shutdown."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from pywasi_web import CapabilityError, Program
from pywasi_web.cli.toolchain import build_c
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.net.pair import PairListener, socket_pair
from pywasi_web.net.tcp import TcpSocket

PAYLOAD = b"hello, sockets! " * 4096  # 64 KiB, several reads


@pytest.fixture(scope="module")
def echo_guest() -> Program:
    return Program(build_c(Path(__file__).with_name("net_echo.c")))


def test_connected_tcp_socket(echo_guest: Program) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    received = bytearray()

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            connection.sendall(PAYLOAD)
            connection.shutdown(socket.SHUT_WR)
            while chunk := connection.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve)
    thread.start()
    guest_socket = TcpSocket.connect("127.0.0.1", port, Allowlist([f"127.0.0.1:{port}"]))
    result = echo_guest.run(sockets=[guest_socket], capture_output=True, timeout=30)
    thread.join(10)
    server.close()
    assert result.exit_code == 0, result.stderr
    assert bytes(received) == PAYLOAD.upper()
    assert b"peek 4 hell" in result.stderr and b"waitall 8" in result.stderr


def test_listening_tcp_socket(echo_guest: Program) -> None:
    listener = TcpSocket.listen("127.0.0.1", 0, Allowlist(["127.0.0.1:*"]))
    port = listener.port
    replies = bytearray()

    def client() -> None:
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(PAYLOAD)
            connection.shutdown(socket.SHUT_WR)
            while chunk := connection.recv(65536):
                replies.extend(chunk)

    thread = threading.Thread(target=client)
    thread.start()
    result = echo_guest.run(sockets=[listener], capture_output=True, timeout=30)
    thread.join(10)
    assert result.exit_code == 0, result.stderr
    assert b"accepted" in result.stderr
    assert bytes(replies) == PAYLOAD.upper()


def test_in_process_pair_and_listener(echo_guest: Program) -> None:
    guest_end, host_end = socket_pair()
    host_end.send(b"abcdefghij")
    host_end.close()
    result = echo_guest.run(sockets=[guest_end], capture_output=True, timeout=30)
    assert result.exit_code == 0, result.stderr
    assert host_end.recv(100, timeout=1) == b"ABCDEFGHIJ"

    listener = PairListener()
    connection = listener.connect()
    connection.send(b"peer data")
    connection.close()
    result = echo_guest.run(sockets=[listener], capture_output=True, timeout=30)
    assert b"accepted" in result.stderr
    assert connection.recv(100, timeout=1) == b"PEER DATA"


def test_peer_that_closes_early_gives_eof(echo_guest: Program) -> None:
    guest_end, host_end = socket_pair()
    host_end.close()
    result = echo_guest.run(sockets=[guest_end], capture_output=True, timeout=30)
    assert result.exit_code == 0
    assert b"peek 0" in result.stderr and b"echoed 0" in result.stderr


def test_allowlist_denies_by_default() -> None:
    with pytest.raises(CapabilityError, match="not in the network allowlist"):
        TcpSocket.connect("127.0.0.1", 9, Allowlist())
    with pytest.raises(CapabilityError, match="not in the network allowlist"):
        TcpSocket.connect("127.0.0.2", 80, Allowlist(["127.0.0.1:80"]))
    with pytest.raises(CapabilityError, match="is not host:port"):
        Allowlist(["localhost"])
    origins = Allowlist(["https://example.org"])
    origins.check_origin("https://example.org/path")
    with pytest.raises(CapabilityError):
        origins.check_origin("http://example.org/")
