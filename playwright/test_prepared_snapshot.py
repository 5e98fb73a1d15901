"""What a warm boot's first run would otherwise do itself is done before the memory snapshot is
taken (web/interpreter.js): the prepared snapshot, restored in the Node that made it, already holds
the engine's JS source and the adapter of every preview1 import, so that run reads nothing from
the wheel's zip and compiles no generated source."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from pywasi_web.abi.signatures import MODULE, SIGNATURES
from pywasi_web.cli.serve import REPO_ROOT, snapshots_dir, wheel_index
from pywasi_web.engines.values import import_kinds

pytestmark = pytest.mark.browser

PROBE = REPO_ROOT / "playwright" / "snapshot_probe.mjs"
HELD = """
import json
from pywasi_web.engines import js
json.dumps([js.bridge_source.cache_info().currsize, js._adapter_maker.cache_info().currsize])
"""


def test_the_prepared_snapshot_holds_the_bridge_source_and_the_adapters(server_url: Any) -> None:
    name = wheel_index()["snapshot"]  # the server_url fixture prepared it
    assert name is not None
    done = subprocess.run(
        [
            str(REPO_ROOT / "node_modules" / ".bin" / "node"),
            str(PROBE),
            str(REPO_ROOT / "node_modules" / "pyodide"),
            str(snapshots_dir() / name),
            HELD,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # one adapter per signature, suspending and not
    signatures = {(import_kinds(MODULE, fn, *types), len(types[1])) for fn, types in SIGNATURES.items()}
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [1, 2 * len(signatures)], done.stdout
