"""Writes to stdout and stderr through wasi:io/streams by a native component
(guests/outprobe.c), one scenario per fresh instance, under wasmtime's own WASI 0.2 and under
pywasi_web: the same lines, the same traps (a dropped or reused handle, a blocking write over
4096 bytes, contents outside memory, a misaligned result pointer), the same bytes on stdout and
stderr. playwright/test_components_browser.py runs the same scenarios in Chromium, where the
engine answers the ordinary writes itself (engines/gathered_writes.py)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

from tests.component.oracle import call, component, store_with_wasi
from tests.preview2.probes import probe

# Runs on CPython here and inside Pyodide in the browser test (loaded by path: not a package).
PROBE = runpy.run_path(str(Path(__file__).parents[2] / "playwright" / "component_probe.py"))
TRAPPED = "trapped"
LAST = PROBE["OUTPROBE_SCENARIOS"][-1]  # a write of one byte more than check-write allows


def outprobe() -> Path:
    return probe(
        "outprobe", ("wasi-cli", "wasi-io", "wasi-clocks", "wasi-random", "wasi-filesystem", "wasi-sockets")
    )


def wasmtime_outcome(wasm: Path, scenario: int, workdir: Path) -> dict[str, Any]:
    """What wasmtime answers: the lines (or TRAPPED), stdout and stderr, shown as the probe shows them."""
    import wasmtime
    import wasmtime.component as wc

    config = wasmtime.WasiConfig()
    config.stdout_file = str(workdir / "stdout")
    config.stderr_file = str(workdir / "stderr")
    store = store_with_wasi(config)
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    try:
        lines: Any = (
            f"returned {list(call(store, linker.instantiate(store, component(wasm)), 'probe', scenario))!r}"
        )
    except (wasmtime.Trap, wasmtime.WasmtimeError):
        lines = TRAPPED
    shown = PROBE["shown_output"]
    return {
        "lines": lines,
        "stdout": shown([(workdir / "stdout").read_bytes()]),
        "stderr": shown([(workdir / "stderr").read_bytes()]),
    }


def like_wasmtime(ours: dict[str, Any]) -> dict[str, Any]:
    """Our outcome as wasmtime_outcome shows it (a trap's message is each runtime's own)."""
    lines = ours["lines"] if ours["lines"].startswith("returned ") else TRAPPED
    return {"lines": lines, "stdout": ours["stdout"], "stderr": ours["stderr"]}


@pytest.mark.parametrize("scenario", PROBE["OUTPROBE_SCENARIOS"])
def test_stdout_and_stderr_writes_same_as_wasmtime(scenario: int, tmp_path: Path) -> None:
    from pywasi_web.kernel.waiting import ThreadWaiter

    wasm = outprobe()
    report = PROBE["outprobe"]({"outprobe": str(wasm)}, ThreadWaiter, [scenario])
    expected = wasmtime_outcome(wasm, scenario, tmp_path)
    assert expected["lines"] == TRAPPED or "ok" in expected["lines"]
    for mode in ("run", "traced"):
        ours = like_wasmtime(report[mode][0])
        if scenario == LAST:  # check-write allows each host its own amount, so only the lines agree
            assert ours["lines"] == expected["lines"], mode
        else:
            assert ours == expected, mode
