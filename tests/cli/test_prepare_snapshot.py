"""The snapshot prepared for a first visit is optional: where the pinned Node is missing or cannot
make it, `serve` and `build-site` go on without it (a first visit then boots cold), saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywasi_web.cli.serve import prepare_snapshot, snapshots_dir


def test_without_the_pinned_node_there_is_no_snapshot_and_no_error(tmp_path: Path) -> None:
    said: list[str] = []
    prepare_snapshot(tmp_path, log=said.append)
    assert said == ["no pinned Node (npm ci): no prepared Pyodide snapshot (a first visit boots cold)"]
    assert list(snapshots_dir(tmp_path).iterdir()) == []


FAILING = "#!/bin/sh\necho 'RangeError: out of memory' >&2\nexit 1\n"


@pytest.mark.parametrize("script", [FAILING, "not runnable"])
def test_a_node_that_cannot_make_it_leaves_no_snapshot_and_says_why(tmp_path: Path, script: str) -> None:
    node = tmp_path / "node_modules" / ".bin" / "node"
    node.parent.mkdir(parents=True)
    node.write_text(script)
    node.chmod(0o755)
    said: list[str] = []
    prepare_snapshot(tmp_path, log=said.append)
    assert said[0] == "preparing the Pyodide memory snapshot ..."
    assert said[1].startswith("preparing the Pyodide snapshot failed: ") and "boots cold" in said[1], said
    assert list(snapshots_dir(tmp_path).iterdir()) == []
