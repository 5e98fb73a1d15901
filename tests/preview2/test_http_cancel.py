"""A component's wasi:http requests end with what the guest gives up (guests/httpprobe.c): dropping
the future-incoming-response, an unconsumed incoming-response or an unread incoming-body cancels
the request, and the run's end (return, exit, trap, timeout, a cancel) cancels every request still
in flight. A local server that never finishes answering (tests/net/servers.HangingHttp) sees its
connection close, which each test waits for; what the component reports equals wasmtime's
(add_wasip2 and add_wasi_http) except after a timeout, where wasmtime would wait for ever (epoch
interruption does not reach a guest blocked in a host call)."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from pywasi_web import Program
from pywasi_web.errors import GuestTimeout, GuestTrap
from tests.component.oracle import call, run_export
from tests.net.servers import UNFINISHED, HangingHttp, tcp_server
from tests.oracle import TRAP, timed_outcome
from tests.preview2.test_httpprobe import httpprobe, wasmtime_http


def drop_with_wasmtime(wasm: Path, what: str) -> list[str]:
    server = HangingHttp(b"" if what == "future" else UNFINISHED)
    with tcp_server(server) as port:
        store, instance = wasmtime_http(wasm)
        lines = list(call(store, instance, "send", f"127.0.0.1:{port}", "/hang"))
        assert server.requested.wait(60)
        return lines + list(call(store, instance, "drop", what))


@pytest.mark.parametrize("what", ["future", "response", "body"])
def test_a_dropped_request_closes_its_connection(what: str) -> None:
    wasm = httpprobe()
    expected = drop_with_wasmtime(wasm, what)
    assert expected[-1] == f"dropped the {'future' if what == 'future' else 'response'}"
    server = HangingHttp(b"" if what == "future" else UNFINISHED)
    with tcp_server(server) as port:
        process = Program(wasm).instantiate(allow=[f"http://127.0.0.1:{port}"])
        lines = list(process.exports.send(f"127.0.0.1:{port}", "/hang"))
        assert server.requested.wait(60)
        lines += process.exports.drop(what)
        assert server.closed.wait(60)  # the instance is still open: the drop closed it
        process.finish()
    assert lines == expected


def test_a_request_left_in_flight_closes_when_the_instance_finishes() -> None:
    server = HangingHttp()
    with tcp_server(server) as port:
        process = Program(httpprobe()).instantiate(allow=[f"http://127.0.0.1:{port}"])
        assert list(process.exports.send(f"127.0.0.1:{port}", "/hang"))[-1] == "handle: ok"
        assert server.requested.wait(60)
        assert not server.closed.is_set()
        process.finish()
        assert server.closed.wait(60)


def environment(port: int, end: str) -> dict[str, str]:
    return {"HTTPPROBE_AUTHORITY": f"127.0.0.1:{port}", "HTTPPROBE_PATH": "/hang", "HTTPPROBE_END": end}


def run_with_wasmtime(wasm: Path, end: str, workdir: Path) -> tuple[int | str, bytes]:
    server = HangingHttp(UNFINISHED)
    with tcp_server(server) as port:
        config = wasmtime.WasiConfig()
        config.env = list(environment(port, end).items())
        config.stdout_file = str(workdir / "stdout")
        config.stderr_file = str(workdir / "stderr")
        store, instance = wasmtime_http(wasm, config)
        outcome = timed_outcome(lambda: _run(store, instance, wasm), workdir, None, 60)
    return outcome.exit_code, outcome.stdout


def _run(store: wasmtime.Store, instance: object, wasm: Path) -> int:
    result = call(store, instance, run_export(wasm.read_bytes()))
    return 0 if result.tag == "ok" else 1


@pytest.mark.parametrize("end", ["return", "exit", "trap"])
def test_the_runs_end_closes_the_connections_of_requests_in_flight(end: str, tmp_path: Path) -> None:
    wasm = httpprobe()
    expected = run_with_wasmtime(wasm, end, tmp_path)
    assert b"status: 200\n" in expected[1]
    server = HangingHttp(UNFINISHED)
    with tcp_server(server) as port:
        options = {"env": environment(port, end), "capture_output": True, "allow": [f"http://127.0.0.1:{port}"]}
        try:
            result = Program(wasm).run(**options)  # type: ignore[arg-type]
            ours = (result.returncode, result.stdout)
        except GuestTrap as trap:
            ours = (TRAP, trap.result.stdout)
        assert server.closed.wait(60)
    assert ours == expected


def test_a_timeout_closes_the_connection_of_the_request_it_interrupts() -> None:
    server = HangingHttp(UNFINISHED)
    with tcp_server(server) as port:
        options = {"env": environment(port, "hang"), "capture_output": True, "allow": [f"http://127.0.0.1:{port}"]}
        with pytest.raises(GuestTimeout) as raised:
            Program(httpprobe()).run(timeout=5, **options)  # type: ignore[arg-type]
        assert server.closed.wait(60)
    assert raised.value.result.stdout.endswith(b"handle: ok\nstatus: 200\n")


def test_an_interrupt_from_the_embedder_ends_the_run_and_its_requests() -> None:
    """A KeyboardInterrupt (a notebook's Interrupt) raised in a host call, here the stdout
    callback once the guest has its response, ends the run as a timeout does: the request is
    cancelled, not left on its thread."""
    server = HangingHttp(UNFINISHED)
    seen = bytearray()

    def interrupt_once(data: bytes) -> None:
        seen.extend(data)
        if b"status: 200" in seen and not seen.endswith(b"!"):
            seen.extend(b"!")
            raise KeyboardInterrupt

    with tcp_server(server) as port:
        allow = [f"http://127.0.0.1:{port}"]
        with pytest.raises(KeyboardInterrupt):
            Program(httpprobe()).run(env=environment(port, "hang"), stdout=interrupt_once, allow=allow)
        assert server.closed.wait(60)
