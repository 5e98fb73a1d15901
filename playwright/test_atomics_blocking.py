"""Blocking without JSPI: a Runtime forced onto the SharedArrayBuffer + Atomics.wait fallback (the
page is cross-origin isolated), and one with no way to block at all."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

FALLBACK_RUNTIMES = """async () => {
    const { Runtime } = await import("/pywasi.js");
    window.atomicsRuntime ??= new Runtime({ blocking: "atomics" });
    window.noBlockingRuntime ??= new Runtime({ blocking: "none" });
    const [atomics, none] = await Promise.all([window.atomicsRuntime.ready, window.noBlockingRuntime.ready]);
    return [atomics.blocking, none.blocking];
}"""


@pytest.fixture
def fallback_page(page: Any) -> Any:
    assert page.evaluate(FALLBACK_RUNTIMES) == ["atomics", "none"]
    return page


def _cpu_seconds_of_descendants() -> float:
    """User + system CPU time of every process below this one (the browser's included)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        times[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, list(children.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        total += times.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total


def test_interactive_stdin_through_the_shared_buffer(fallback_page: Any) -> None:
    fallback_page.evaluate(
        """() => {
            const rt = window.atomicsRuntime;
            window.seen = [];
            window.echoDone = rt.run("examples/echo.wasm", {interactive: true,
                onStdout: (d) => window.seen.push(new TextDecoder().decode(d))});
        }"""
    )
    fallback_page.wait_for_function("window.seen.join('') === 'ready\\n'")
    before = _cpu_seconds_of_descendants()
    time.sleep(1.0)  # the guest waits for input in Atomics.wait meanwhile
    waiting_cpu = _cpu_seconds_of_descendants() - before
    result = fallback_page.evaluate(
        """async () => {
            const rt = window.atomicsRuntime;
            rt.write("later\\n");
            await new Promise((r) => setTimeout(r, 200));
            const middle = window.seen.join("");
            rt.closeStdin();
            const r = await window.echoDone;
            return {middle, stdout: r.stdout, exitCode: r.exitCode};
        }"""
    )
    assert result["middle"] == "ready\ngot: later\n"
    assert result["stdout"] == "ready\ngot: later\nbye\n"
    assert result["exitCode"] == 3
    assert waiting_cpu < 0.5, f"a waiting guest used {waiting_cpu:.2f} s of CPU in 1 s: a busy loop?"


def test_sleep_through_atomics_wait(fallback_page: Any) -> None:
    result = fallback_page.evaluate(
        """async () => (await window.atomicsRuntime.run("examples/sleep.wasm", {args: ["250"]})).stdout"""
    )
    slept = int(re.fullmatch(r"slept (\d+) ms\n", result).group(1))  # type: ignore[union-attr]
    assert 240 <= slept < 1000


def test_without_jspi_or_isolation_input_is_given_up_front(fallback_page: Any) -> None:
    result = fallback_page.evaluate(
        """async () => {
            const r = await window.noBlockingRuntime.run("examples/echo.wasm",
                {interactive: true, stdin: "one\\n"});
            return {stdout: r.stdout, stderr: r.stderr, notice: r.notice, exitCode: r.exitCode};
        }"""
    )
    assert result["stdout"] == "ready\ngot: one\nbye\n"
    assert result["exitCode"] == 3
    assert "input is not interactive" in result["notice"]
