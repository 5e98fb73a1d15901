"""The differential cases of tests/cases.py with each guest made a component by the preview1
adapter: pywasi_web (component layer + preview2 host) against wasmtime's own WASI 0.2 running the
same component. Exit code, stdout, stderr and the resulting tree must be identical."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cases import CASES, Case
from tests.component.build import adapted
from tests.component.oracle import run_component_oracle
from tests.test_differential import BACKENDS, run_pywasi

# check_fd prints a directory's mtime after trying to set it: through the adapter wasmtime
# refuses (EBADF, and so do we), so the value is when each run made its tree and never matches.
# Every other line of it matches; strict, so the mark must go once the harness masks it.
FILESYSTEM_GAPS = {"check_fd"}


def _params() -> list[Any]:
    gap = pytest.mark.xfail(
        raises=AssertionError,
        strict=True,
        reason="a directory mtime that differs per run (see FILESYSTEM_GAPS)",
    )
    return [
        pytest.param(
            case,
            backend,
            id=f"{case['name']}-{backend}",
            marks=[gap] if case["guest"] in FILESYSTEM_GAPS else [],
        )
        for case in CASES
        if not case.get("differs")
        for backend in BACKENDS
    ]


@pytest.mark.parametrize(("case", "backend"), _params())
def test_component_same_as_wasmtime(case: Case, backend: str, tmp_path: Path) -> None:
    wasm = adapted(case["guest"])
    expected = run_component_oracle(wasm, case, tmp_path / "oracle")
    actual = run_pywasi(wasm, case, tmp_path / "ours", backend)
    assert (
        actual.stdout.decode(errors="replace").splitlines()
        == expected.stdout.decode(errors="replace").splitlines()
    )
    assert actual.stdout == expected.stdout
    assert actual.stderr == expected.stderr
    assert actual.exit_code == expected.exit_code
    assert actual.tree == expected.tree
