"""Local servers for the network tests and benchmarks: TCP servers and a real websockify.

websockify (a pinned dev dependency) runs as a subprocess, exactly as a deployment would run it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def tcp_server(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on a free port calling `handle` for each connection (in a thread)."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()


# a CORS preflight allowed: a page's fetch() with a header of its own (x-test) sends one first
PREFLIGHT = (
    b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Headers: x-test\r\n"
    b"Access-Control-Allow-Methods: GET\r\nContent-Length: 0\r\n\r\n"
)
# a response head and the start of a body that never ends
UNFINISHED = (
    b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nX-Reply: yes\r\nContent-Length: 1000000\r\n\r\n"
    b"the start"
)


class HangingHttp:
    """An HTTP server's connection handler (for tcp_server) that answers one request per
    connection with `answer` (nothing, UNFINISHED, or a whole response) and keeps the connection
    until the client closes it. `requested` is set when a request arrives, `closed` when the
    client then closes that connection: what a cancelled request does, so a test waits on it.
    CORS preflights are allowed first."""

    def __init__(self, answer: bytes = b"") -> None:
        self.answer = answer
        self.requested = threading.Event()
        self.closed = threading.Event()

    def __call__(self, connection: socket.socket) -> None:
        with connection:
            try:
                while (head := connection.recv(65536)).startswith(b"OPTIONS "):
                    connection.sendall(PREFLIGHT)
                if not head:
                    return  # a connection a browser opened ahead and never used
                self.requested.set()
                connection.sendall(self.answer)
                while connection.recv(65536):
                    pass
            except ConnectionResetError:
                pass  # closed too, abruptly
            self.closed.set()


def echo(connection: socket.socket) -> None:
    with connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while data := connection.recv(1 << 16):
            connection.sendall(data)


@contextlib.contextmanager
def websockify(target_port: int) -> Iterator[str]:
    """A websockify process relaying ws://127.0.0.1:<port>/ to 127.0.0.1:<target_port>."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "websockify", f"127.0.0.1:{port}", f"127.0.0.1:{target_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("websockify did not start")
            time.sleep(0.05)
        yield f"ws://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(10)
