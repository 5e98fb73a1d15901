"""wasi:sockets TCP called directly by a native component (guests/tcpprobe.c) under the grant
Program's `allow` gives (what run() and `pywasi-web run --allow` pass): a connect to an allowed
local server goes through and talks; one to a port outside `allow` is access-denied at
start-connect, and without `allow` no socket is even created (as wasmtime's default context,
test_sockprobe.py; wasmtime-py cannot grant a network, so the granted path has no oracle)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywasi_web import Program
from tests.net.servers import free_port
from tests.preview2.probes import probe


def tcpprobe() -> Path:
    return probe("tcpprobe", ("wasi-sockets", "wasi-io", "wasi-clocks"))


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A local server answering one connection: "echo: " and what it read, then close."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"echo: " + conn.recv(1024))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()


def test_an_allowed_connect_talks_to_the_server(echo_port: int) -> None:
    process = Program(tcpprobe()).instantiate(allow=[f"127.0.0.1:{echo_port}"])
    lines = list(process.exports.connect(echo_port, "hi"))
    assert lines == [
        "create tcp ipv4: ok",
        "start-connect: ok",
        "finish-connect: ok",
        "write: ok",
        "read: echo: hi",
        "end: closed",
    ]


def test_a_connect_outside_allow_is_denied(echo_port: int) -> None:
    other = Program(tcpprobe()).instantiate(allow=["127.0.0.1:1", "localhost:*"])
    assert list(other.exports.connect(echo_port, "hi")) == ["create tcp ipv4: ok", "start-connect: err 1"]
    none = Program(tcpprobe()).instantiate()
    assert list(none.exports.connect(echo_port, "hi")) == ["create tcp ipv4: err 1"]  # access-denied


def test_a_connect_to_a_closed_port_is_connection_refused() -> None:
    """subscribe() and finish-connect both ask whether the handshake ended: the refusal, which the
    socket reports once, must reach finish-connect (not a connection that then fails to write)."""
    dead = free_port()
    process = Program(tcpprobe()).instantiate(allow=[f"127.0.0.1:{dead}"])
    assert list(process.exports.connect(dead, "hi")) == [
        "create tcp ipv4: ok",
        "start-connect: ok",
        "finish-connect: err 14",  # connection-refused
    ]
