"""The shared differential cases (tests/differential/cases.py) run inside Chromium through the
JS runtime, and must give exactly what wasmtime's own WASI gives on CPython for the same case."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tests.differential.cases import CASES, Case, mounts
from tests.differential.oracle import argv, guest_path, run_oracle

pytestmark = pytest.mark.browser

RUN_IN_PAGE = """async ([wasmBase64, options]) => {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    const r = await window.pywasiRuntime.run(bytes, options);
    const b64 = (data) => btoa(Array.from(new Uint8Array(data), (x) => String.fromCharCode(x)).join(""));
    const trees = Object.values(r.trees).map((tree) => Object.fromEntries(Object.entries(tree).map(
        ([path, value]) => [path, value == null ? null : value.symlink !== undefined ? value : b64(value)])));
    const error = r.error ?? null;
    return {exitCode: r.exitCode, stdout: b64(r.stdoutBytes), stderr: b64(r.stderrBytes), error, trees};
}"""


def browser_options(case: Case) -> dict[str, Any]:
    return {
        "args": case.get("args", []),
        "argv0": argv(case)[0],
        "env": case.get("env", {}),
        "stdin": case.get("stdin", ""),
        "mounts": {
            mount["guest"]: {"files": mount["files"], "readOnly": mount.get("read_only", False)}
            for mount in mounts(case)
        },
    }


def decode_tree(tree: dict[str, Any]) -> dict[str, Any]:
    return {
        path: None
        if value is None
        else ("symlink", value["symlink"])
        if isinstance(value, dict)
        else base64.b64decode(value)
        for path, value in tree.items()
    }


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_browser_matches_wasmtime(page: Any, case: Case, tmp_path: Path) -> None:
    expected = run_oracle(case, tmp_path)
    wasm = base64.b64encode(guest_path(case).read_bytes()).decode()
    result = page.evaluate(RUN_IN_PAGE, [wasm, browser_options(case)])
    assert result["error"] is None
    stdout = base64.b64decode(result["stdout"]).decode(errors="replace").splitlines()
    assert stdout == expected.stdout.decode(errors="replace").splitlines()
    assert base64.b64decode(result["stderr"]) == expected.stderr
    assert result["exitCode"] == expected.exit_code
    assert [decode_tree(tree) for tree in result["trees"]] == expected.trees
