"""Per-run work in a warm browser runtime: compiled modules are cached by content in the worker
(a changed module still runs its own code), and each run releases its instance, so a worker runs
any number of guests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.modules import printer

pytestmark = pytest.mark.browser

RUN_BYTES = """async ([bytes, count]) => {
    const outputs = [];
    for (let i = 0; i < count; i++) {
        const r = await window.pywasiRuntime.run(new Uint8Array(bytes), { timeoutMs: 60_000 });
        outputs.push([r.exitCode, r.stdout, r.error?.message ?? null]);
    }
    return outputs;
}"""


def run_bytes(page: Any, wasm: bytes, count: int = 1) -> list[list[Any]]:
    outputs: list[list[Any]] = page.evaluate(RUN_BYTES, [list(wasm), count])
    return outputs


def test_a_module_run_again_and_a_changed_one_run_their_own_code(page: Any) -> None:
    first, changed = printer("first"), printer("other")  # the same size, other bytes
    assert run_bytes(page, first, 2) == [[0, "first", None]] * 2
    assert run_bytes(page, changed) == [[0, "other", None]]
    assert run_bytes(page, first) == [[0, "first", None]]


def test_a_worker_runs_many_guests_without_running_out_of_memory(page: Any) -> None:
    """Each run's instance and its imports are released (JS and Python held each other alive: the
    worker ran out of memory for new instances after about a hundred runs)."""
    outputs = run_bytes(page, printer("again"), 300)
    assert outputs == [[0, "again", None]] * 300


def test_a_run_finds_nothing_of_the_previous_one(run_guest: Any) -> None:
    """What the worker keeps between runs (the compiled module, the linking code) carries no state:
    the previous run's files, open descriptors, environment and exit code are gone."""
    first = run_guest("rerun.wasm", args=["7"], env={"MARK": "one"}, files={"/seed.txt": ""})
    assert (first["exitCode"], first["stdout"], first["files"]["/left.txt"]) == (
        7,
        "left:no mark:one fd:4\n",
        "x",
    )
    again = run_guest("rerun.wasm", files={"/seed.txt": ""})
    assert (again["exitCode"], again["stdout"], sorted(again["files"])) == (
        0,
        "left:no mark:- fd:4\n",
        ["/left.txt"],  # what the run changed: it made /left.txt again, /seed.txt is as given
    )
