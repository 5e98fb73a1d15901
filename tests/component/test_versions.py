"""Semver-compatible interface versions: the same command built against WASI 0.2.0, 0.2.8 and the
adapter's own 0.2.x runs on the unversioned host interfaces as wasmtime runs it; the matching
rules themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywasi_web import run
from pywasi_web.component.link import find
from tests.component.build import versioned
from tests.component.oracle import run_component_oracle

CASE = {"guest": "hello", "args": ["versions"], "env": {"A": "1"}}


@pytest.mark.parametrize("version", ["0.2.0", "0.2.8"])
def test_any_wasi_0_2_release_runs(version: str, tmp_path: Path) -> None:
    component = versioned("hello", version)
    assert f"wasi:cli/stdout@{version}".encode() in component.read_bytes()
    expected = run_component_oracle(component, CASE, tmp_path)
    result = run(component, ["versions"], argv0="hello.wasm", env={"A": "1"}, capture_output=True)
    assert (result.exit_code, result.stdout, result.stderr) == (
        expected.exit_code,
        expected.stdout,
        expected.stderr,
    )
    assert b"argv[1]=versions" in result.stdout


def test_version_matching() -> None:
    offered = {"wasi:cli/stdout": "any", "example:a/b@1.2.0": "one", "example:c/d@0.3.1": "zero-three"}
    assert find("wasi:cli/stdout@0.2.0", offered) == find("wasi:cli/stdout@0.2.8", offered) == "any"
    assert find("example:a/b@1.0.0", offered) == "one"  # same major
    assert find("example:a/b@2.0.0", offered) is None
    assert find("example:c/d@0.3.0", offered) == "zero-three"  # 0.x: same minor
    assert find("example:c/d@0.4.0", offered) is None
    assert find("example:e/f@1.0.0", offered) is None
