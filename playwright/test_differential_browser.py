"""The shared differential cases (tests/cases.py) run inside Chromium through the JS runtime and
must give exactly what wasmtime's own WASI gives on CPython for the same case: exit code (or a
trap), stdout, stderr and the mount's resulting tree, or exactly a case's documented difference.
One list, two hosts."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tests.cases import CASES, Case
from tests.guests.build import build_guest
from tests.oracle import TRAP, argv, expected_of_ours, memory_entries, run_oracle, stdin_bytes

pytestmark = pytest.mark.browser

RUN_IN_PAGE = """async ([wasmBase64, options]) => {
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    for (const mount of Object.values(options.mounts)) {
        for (const [path, entry] of Object.entries(mount.files)) {
            mount.files[path] = entry === null || entry.symlink !== undefined ? entry : bytes(entry.b64);
        }
    }
    options.stdin = bytes(options.stdin);
    const r = await window.pywasiRuntime.run(bytes(wasmBase64), options);
    const b64 = (data) => btoa(Array.from(new Uint8Array(data), (x) => String.fromCharCode(x)).join(""));
    const trees = Object.values(r.trees).map((tree) => Object.fromEntries(Object.entries(tree).map(
        ([path, value]) => [path, value == null ? null : value.symlink !== undefined ? value : b64(value)])));
    const error = r.error ?? null;
    return {exitCode: r.exitCode, stdout: b64(r.stdoutBytes), stderr: b64(r.stderrBytes), error, trees};
}"""


def _encode(entry: Any) -> Any:
    if entry is None:
        return None
    if isinstance(entry, tuple):
        return {"symlink": entry[1]}
    return {"b64": base64.b64encode(entry).decode()}


def browser_options(case: Case) -> dict[str, Any]:
    mounts = {}
    if case.get("mount") is not None:
        files = {path: _encode(entry) for path, entry in memory_entries(case.get("files", {})).items()}
        mounts[case["mount"]] = {"files": files, "readOnly": case.get("read_only", False)}
    return {
        "args": case.get("args", []),
        "argv0": argv(case)[0],
        "env": case.get("env", {}),
        "stdin": base64.b64encode(stdin_bytes(case)).decode(),
        "mounts": mounts,
        "returnFiles": "all",
        "timeoutMs": 60_000,
    }


def _decode_tree(tree: dict[str, Any]) -> dict[str, Any]:
    return {
        path: None
        if value is None
        else ("symlink", value["symlink"])
        if isinstance(value, dict)
        else base64.b64decode(value)
        for path, value in tree.items()
    }


@pytest.mark.parametrize("case", [pytest.param(case, id=case["name"]) for case in CASES])
def test_browser_matches_wasmtime(page: Any, case: Case, tmp_path: Path) -> None:
    wasm = build_guest(case["guest"])
    expected = expected_of_ours(case, run_oracle(wasm, case, tmp_path))
    result = page.evaluate(RUN_IN_PAGE, [base64.b64encode(wasm.read_bytes()).decode(), browser_options(case)])
    error = result["error"]
    assert error is None or error["kind"] == "trap", error
    stdout = base64.b64decode(result["stdout"]).decode(errors="replace").splitlines()
    assert stdout == expected.stdout.decode(errors="replace").splitlines()
    assert base64.b64decode(result["stderr"]) == expected.stderr
    assert (TRAP if error else result["exitCode"]) == expected.exit_code
    trees = [_decode_tree(tree) for tree in result["trees"]]
    assert trees == ([expected.tree] if expected.tree is not None else [])
