"""The worker's side of sockets relayed through the page (browser/relay.py, browser/channel.py)
without a browser: a fake page answers the relay's messages with channel records, as SocketRelay in
web/pywasi.js does. The real page is tested in playwright/test_net_browser.py (the atomics runs)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pywasi_web import CapabilityError
from pywasi_web.browser.channel import split_records
from pywasi_web.browser.relay import PageRelay
from pywasi_web.browser.transports import open_sockets
from pywasi_web.errors import WasiError
from pywasi_web.net.fetch import HIGH_WATER as FETCH_HIGH_WATER
from pywasi_web.net.fetch import FetchBridge
from pywasi_web.net.page import PageConnections
from pywasi_web.net.stream import HIGH_WATER, TransportStream

URL = "ws://127.0.0.1:9/"
ALLOW = [URL, "127.0.0.1:5000", "http://127.0.0.1:8000"]


def record(header: dict[str, Any], payload: bytes = b"") -> bytes:
    """A channel record as web/pywasi.js `Channel.event` encodes it."""
    head = json.dumps(header).encode()
    return len(head).to_bytes(4, "little") + head + len(payload).to_bytes(4, "little") + payload


def test_records_are_split_only_when_complete() -> None:
    first, second = record({"sid": 1, "call": "feed"}, b"\x00\xff" * 3), record({"sid": 2, "call": "end"})
    buffer = bytearray(first + second[:5])
    assert split_records(buffer) == [({"sid": 1, "call": "feed"}, b"\x00\xff" * 3)]
    assert buffer == second[:5]
    buffer += second[5:]
    assert split_records(buffer) == [({"sid": 2, "call": "end"}, b"")]
    assert buffer == b""


class FakePage:
    """Records what the relay posts; answers each websocket with `answer` when the worker waits."""

    def __init__(self, answer: str = "open") -> None:
        self.posted: list[dict[str, Any]] = []
        self.answer = answer
        self.relay: PageRelay | None = None
        self.waits = 0

    def post(self, message: dict[str, Any]) -> None:
        self.posted.append(message)

    def wait(self, timeout: float | None) -> None:
        self.waits += 1
        assert self.relay is not None
        sid = self.posted[-1]["sid"]
        args = [] if self.answer == "open" else ["no relay there"]
        self.event(sid, self.answer, args)

    def event(
        self, sid: int, call: str, args: list[Any], payload: bytes | None = None, backlog: int = 0
    ) -> None:
        """One record through the channel's byte stream, as the AtomicsWaiter hands it on."""
        assert self.relay is not None
        header = {"sid": sid, "call": call, "args": args, "bytes": payload is not None, "backlog": backlog}
        for decoded in split_records(bytearray(record(header, payload or b""))):
            self.relay.deliver(*decoded)


def relay_for(page: FakePage) -> PageRelay:
    page.relay = PageRelay(page.post, page)  # type: ignore[arg-type]  # a waiter double
    return page.relay


def test_a_relayed_websocket_streams_both_ways_with_backpressure() -> None:
    page = FakePage()
    (stream,) = open_sockets(
        [{"websocket": URL, "host": "127.0.0.1", "port": 5000}],
        ALLOW,
        PageConnections(page.post),
        relay_for(page),
    )
    assert isinstance(stream, TransportStream)
    sid = page.posted[0]["sid"]
    assert page.posted[0] == {
        "action": "relay",
        "op": "websocket",
        "sid": sid,
        "url": URL,
        "timeoutMs": 10000,
        "pollMs": 2,
    }
    assert stream.send(b"ping") == 4
    assert page.posted[-1] == {"action": "relay", "op": "send", "sid": sid, "data": b"ping"}
    page.event(sid, "feed", [], b"pong")
    assert stream.recv(10) == b"pong"
    # what the page has not acknowledged counts against the high-water mark, then its bufferedAmount
    assert stream.send(b"x" * HIGH_WATER) == HIGH_WATER - 4
    assert stream.send(b"more") is None and page.posted[-1]["op"] == "watch"
    page.event(sid, "sent", [4], backlog=4)
    page.event(sid, "sent", [HIGH_WATER - 4], backlog=HIGH_WATER)  # all in the WebSocket's buffer
    assert not stream.writable()
    page.event(sid, "ready", [], backlog=0)
    assert stream.send(b"more") == 4
    page.event(sid, "fail", ["the relay closed the connection (code 1011)"])
    with pytest.raises(WasiError, match="1011"):
        stream.recv(10)
    stream.close()
    assert page.posted[-1] == {"action": "relay", "op": "close", "sid": sid}
    page.event(sid, "feed", [], b"late")  # after close: dropped, not delivered to a closed stream


def test_a_websocket_the_page_cannot_open_is_a_configuration_error() -> None:
    page = FakePage(answer="refused")
    with pytest.raises(
        CapabilityError, match=f"cannot connect to 127.0.0.1:5000 through {URL}: no relay there"
    ):
        open_sockets(
            [{"websocket": URL, "host": "127.0.0.1", "port": 5000}],
            ALLOW,
            PageConnections(page.post),
            relay_for(page),
        )
    assert page.waits == 1


def test_a_relayed_fetch_resumes_the_page_only_while_the_guest_keeps_up() -> None:
    page = FakePage()
    (bridge,) = open_sockets(
        [{"fetch": "http://127.0.0.1:8000"}], ALLOW, PageConnections(page.post), relay_for(page)
    )
    assert isinstance(bridge, FetchBridge)
    bridge.send(b"GET /a HTTP/1.1\r\nConnection: close\r\n\r\n")
    request = page.posted[-1]
    assert (request["op"], request["method"], request["url"]) == ("fetch", "GET", "http://127.0.0.1:8000/a")
    sid = request["sid"]
    page.event(sid, "head", [200, "OK", [["x-test", "yes"]]])
    page.event(sid, "body", [], b"small")
    assert page.posted[-1] == {"action": "relay", "op": "resume", "sid": sid}
    posted = len(page.posted)
    page.event(sid, "body", [], b"y" * FETCH_HIGH_WATER)  # the guest has not read: no resume
    assert len(page.posted) == posted
    data = bridge.recv(2 * FETCH_HIGH_WATER)
    assert data is not None and data.startswith(b"HTTP/1.1 200 OK\r\n") and b"x-test: yes" in data
    assert data.endswith(b"small" + b"y" * FETCH_HIGH_WATER)
    assert page.posted[-1] == {"action": "relay", "op": "resume", "sid": sid}  # read: the bridge resumes
    page.event(sid, "end", [])
    assert bridge.recv(10) == b""


def test_without_any_way_to_block_sockets_are_refused() -> None:
    with pytest.raises(CapabilityError, match=r"sockets need JSPI .* or a cross-origin isolated page"):
        open_sockets([{"fetch": "http://127.0.0.1:8000"}], ALLOW, PageConnections(lambda message: None), None)
