"""A short fuzzing run in the test suite; `make fuzz` runs the long one (docs/security.md)."""

from __future__ import annotations

import pathlib

import pytest

from tests.fuzz.harness import fuzz, host_fs, memory_fs


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_memory_fs(seed: int) -> None:
    outcomes = fuzz(5000, seed, memory_fs)
    assert sum(outcomes.values()) > 4000  # most calls returned an errno (proc_exit does not)
    assert any(key.endswith(":SUCCESS") for key in outcomes)


@pytest.mark.parametrize("seed", range(2))
def test_fuzz_host_dir(seed: int, tmp_path: pathlib.Path) -> None:
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (tmp_path / "outside.txt").write_bytes(b"keep")
    outcomes = fuzz(3000, seed, host_fs(str(sandbox)))
    assert any(key.endswith(":SUCCESS") for key in outcomes)
    # Nothing the guest did may touch anything beside its directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "sandbox"]
    assert (tmp_path / "outside.txt").read_bytes() == b"keep"
