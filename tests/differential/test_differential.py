"""Each case under wasmtime's WASI and under pywasi_web (on HostDir and on MemoryFS): the exit
code, stdout, stderr and resulting trees must be identical."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.differential.cases import CASES, Case
from tests.differential.oracle import run_oracle, run_ours


@pytest.mark.parametrize("backend", ["host", "memory"])
@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_same_as_wasmtime(case: Case, backend: str, tmp_path: Path) -> None:
    expected = run_oracle(case, tmp_path / "oracle")
    actual = run_ours(case, tmp_path / "ours", backend)
    assert (
        actual.stdout.decode(errors="replace").splitlines()
        == expected.stdout.decode(errors="replace").splitlines()
    )
    assert actual.stderr == expected.stderr
    assert actual.exit_code == expected.exit_code
    assert actual.trees == expected.trees
