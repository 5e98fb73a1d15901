"""Sockets in the browser: a guest's stream through websockify against a plain JS WebSocket client
in the same page, both through the same websockify to the same local TCP echo server.

Measured: the mean echo round trip of 32 bytes, and 10 MiB echoed (sent while the echo comes back),
each timed inside its client: the guest (playwright/guests/netclient.c) with clock_gettime around
its loop, the JS client with performance.now() around the same loop. Both clients keep at most
1 MiB in WebSocket.bufferedAmount, as pywasi_web's WebSocket transport does.
"""

from __future__ import annotations

import re
import statistics
from typing import Any

from tests.net.servers import echo, tcp_server, websockify

PINGS = 200
BULK = 10 * 1024 * 1024

# The guest runs in the page's runtime (JSPI), or in a second one that blocks with Atomics.wait, where
# this page runs the socket's WebSocket for the worker (docs/browser.md, Sockets).
GUEST = """async ([blocking, args, url, port]) => {
    const { Runtime } = await import("/pywasi.js");
    const runtime = blocking === "jspi" ? window.bench.runtime
        : (window.bench.atomics ??= new Runtime({ baseURL: "/", blocking: "atomics" }));
    if ((await runtime.ready).blocking !== blocking) throw new Error(`no ${blocking} runtime here`);
    const r = await runtime.run("/bench/guests/netclient.wasm", {
        args, timeoutMs: 120000,
        sockets: [{websocket: url, host: "127.0.0.1", port}], allow: [url, `127.0.0.1:${port}`]});
    if (r.exitCode !== 0) throw new Error(`netclient ${args}: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
}"""

PLAIN_JS = """async ([url, pings, total]) => {
    const ws = new WebSocket(url, ["binary"]);
    ws.binaryType = "arraybuffer";
    await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error("no relay"));
    });
    let received = 0, waiting = null;
    ws.onmessage = (event) => {
        received += event.data.byteLength;
        if (waiting && received >= waiting.count) { const done = waiting.resolve; waiting = null; done(); }
    };
    const until = (count) => new Promise((resolve) => {
        if (received >= count) resolve(); else waiting = { count, resolve };
    });
    const ping = new Uint8Array(32).fill(97);
    let started = performance.now();
    for (let k = 1; k <= pings; k++) {
        ws.send(ping);
        await until(32 * k);
    }
    const pingUs = (performance.now() - started) * 1000 / pings;
    const base = received, chunk = new Uint8Array(65536);
    started = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) {
        while (ws.bufferedAmount >= (1 << 20)) await new Promise((resolve) => setTimeout(resolve, 2));
        ws.send(chunk);
    }
    await until(base + total);
    const bulkMs = performance.now() - started;
    ws.close();
    return { pingUs, bulkMs };
}"""


def _guest(page: Any, blocking: str, args: list[str], url: str, port: int, pattern: str) -> float:
    stdout: str = page.evaluate(GUEST, [blocking, args, url, port])
    found = re.search(pattern, stdout)
    if found is None:
        raise RuntimeError(f"netclient {args} printed {stdout!r}")
    return float(found.group(1))


def measure(page: Any, runs: int) -> dict[str, dict[str, float]]:
    """Medians: {"jspi" | "atomics" | "plain": {"ping_us": ..., "bulk_MBps": ...}}; the page is
    bench/index.html with netclient.wasm among its guests (driver.py builds it)."""
    figures: dict[str, dict[str, list[float]]] = {
        client: {"ping_us": [], "bulk_MBps": []} for client in ("jspi", "atomics", "plain")
    }
    with tcp_server(echo) as port, websockify(port) as url:
        for _ in range(runs + 1):  # the first round warms up
            rounds = []
            for blocking in ("jspi", "atomics"):
                ping_us = _guest(page, blocking, ["ping", str(PINGS)], url, port, r"mean ([\d.]+) us")
                bulk_ms = _guest(page, blocking, ["echo", str(BULK)], url, port, r"in ([\d.]+) ms")
                rounds.append((blocking, ping_us, bulk_ms))
            plain = page.evaluate(PLAIN_JS, [url, PINGS, BULK])
            for client, ping_us, bulk_ms in (*rounds, ("plain", plain["pingUs"], plain["bulkMs"])):
                figures[client]["ping_us"].append(ping_us)
                figures[client]["bulk_MBps"].append(BULK / 1e6 / (bulk_ms / 1e3))
    return {
        client: {name: statistics.median(values[1:]) for name, values in measured.items()}
        for client, measured in figures.items()
    }


def markdown(results: dict[str, dict[str, float]]) -> str:
    jspi, atomics, plain = results["jspi"], results["atomics"], results["plain"]
    ping, bulk = (
        [jspi["ping_us"], atomics["ping_us"], plain["ping_us"]],
        [jspi["bulk_MBps"], atomics["bulk_MBps"], plain["bulk_MBps"]],
    )
    return "\n".join(
        [
            "| through websockify to a TCP echo server | plain JS WebSocket | guest socket, JSPI "
            "| guest socket, Atomics.wait | ratio JSPI / plain | ratio Atomics / plain |",
            "|---|---|---|---|---|---|",
            f"| echo round trip, 32 bytes (mean of {PINGS}) | {ping[2]:.0f} µs | {ping[0]:.0f} µs "
            f"| {ping[1]:.0f} µs | {ping[0] / ping[2]:.2f}× | {ping[1] / ping[2]:.2f}× |",
            f"| 10 MiB echoed (sent and received at once) | {bulk[2]:.0f} MB/s | {bulk[0]:.0f} MB/s "
            f"| {bulk[1]:.0f} MB/s | {bulk[0] / bulk[2]:.2f}× throughput "
            f"| {bulk[1] / bulk[2]:.2f}× throughput |",
        ]
    )
