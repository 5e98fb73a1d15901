"""The differential cases of tests/cases.py with each guest made a component by the preview1
adapter: pywasi_web (component layer + preview2 host) against wasmtime's own WASI 0.2 running the
same component. Exit code, stdout, stderr and the resulting tree must be identical."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.cases import CASES, Case
from tests.component.build import adapted
from tests.component.oracle import run_component_oracle
from tests.test_differential import BACKENDS, run_pywasi

# check_fd prints a directory's mtime after trying to set it: through the adapter wasmtime
# refuses (EBADF, and so do we), so the value is when each run made its tree. That one number is
# masked in both outputs; every other byte must match.
UNSTABLE = re.compile(rb"^(\d+ dir filestat: type=dir mtim=)\d+$", re.MULTILINE)


def _params() -> list[Any]:
    return [
        pytest.param(case, backend, id=f"{case['name']}-{backend}")
        for case in CASES
        if not case.get("differs")
        for backend in BACKENDS
    ]


@pytest.mark.parametrize(("case", "backend"), _params())
def test_component_same_as_wasmtime(case: Case, backend: str, tmp_path: Path) -> None:
    wasm = adapted(case["guest"])
    expected = run_component_oracle(wasm, case, tmp_path / "oracle")
    actual = run_pywasi(wasm, case, tmp_path / "ours", backend)
    ours, theirs = (UNSTABLE.sub(rb"\1<mtime>", outcome.stdout) for outcome in (actual, expected))
    assert ours.decode(errors="replace").splitlines() == theirs.decode(errors="replace").splitlines()
    assert ours == theirs
    assert actual.stderr == expected.stderr
    assert actual.exit_code == expected.exit_code
    assert actual.tree == expected.tree
