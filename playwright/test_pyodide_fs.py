"""HostDir over Pyodide's own file system (the same class as on CPython): what one run writes
there, the next run reads; and its containment holds there too."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from pywasi_web.cli.toolchain import build_c

pytestmark = pytest.mark.browser
WRITER = Path(__file__).parents[1] / "tests" / "persistent" / "writer.c"

RUN = """async ([wasmBase64, args]) => {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    const r = await window.pywasiRuntime.run(bytes, {args, mounts: {"/drive": {host: "/tmp"}}});
    return {exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, error: r.error ?? null};
}"""


def test_host_dir_on_pyodide_fs(page: Any) -> None:
    wasm = base64.b64encode(build_c(WRITER).read_bytes()).decode()
    page.evaluate("() => window.pywasiRuntime.ready")
    written = page.evaluate(RUN, [wasm, ["write", "/drive/note.txt", "from the first run"]])
    assert written["error"] is None and written["exitCode"] == 0, written
    read = page.evaluate(RUN, [wasm, ["read", "/drive/note.txt"]])
    assert read["stdout"] == "from the first run"
    escape = page.evaluate(RUN, [wasm, ["read", "/drive/../etc/passwd"]])
    assert escape["exitCode"] == 1 and "/drive/../etc/passwd" in escape["stderr"]


def test_missing_host_directory_is_a_clear_error(page: Any) -> None:
    wasm = base64.b64encode(build_c(WRITER).read_bytes()).decode()
    result = page.evaluate(RUN.replace('"/tmp"', '"/no/such/dir"'), [wasm, ["read", "/drive/x"]])
    assert result["error"]["kind"] == "CapabilityError"
    assert result["error"]["message"] == "HostDir: /no/such/dir is not a directory"
