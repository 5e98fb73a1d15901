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
