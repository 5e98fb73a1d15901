"""The JS API's `trace: true` in Chromium: the same calls, arguments and results as a CallLog of the
same guest on CPython (tracing turns the browser's fast paths off), each with the host time it took."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web import CallLog, MemoryFS, run
from pywasi_web.abi.errno import Errno
from pywasi_web.cli.serve import example_manifest, examples_dir

pytestmark = pytest.mark.browser

TRACED_RUN = """async ([name, args, files]) => {
    const r = await window.pywasiRuntime.run(`examples/${name}.wasm`,
        {args, files, argv0: `${name}.wasm`, trace: true, timeoutMs: 60000});
    return {exitCode: r.exitCode, ...r.trace};
}"""


@pytest.mark.parametrize("name", ["wc", "ls"])
def test_trace_is_the_calls_cpython_sees(page: Any, name: str) -> None:
    (example,) = [example for example in example_manifest() if example["name"] == name]
    files = example.get("files", {})
    traced = page.evaluate(TRACED_RUN, [name, example["args"], files])
    log = CallLog()
    result = run(
        examples_dir() / f"{name}.wasm",
        example["args"],
        argv0=f"{name}.wasm",
        mounts={"/": MemoryFS({path.lstrip("/"): text.encode() for path, text in files.items()})},
        capture_output=True,
        trace=log,
    )
    assert traced["exitCode"] == result.exit_code == 0
    expected = [[call, list(args), errno] for call, args, errno, _ in log.calls]
    assert [call[:3] for call in traced["calls"]] == expected
    assert all(call[3] >= 0 for call in traced["calls"]) and traced["dropped"] == 0
    failures = {errno for _, _, errno, _ in log.calls if errno}
    assert failures, "the guest makes no failing call: the errno names go untested"
    assert traced["errnos"] == {str(errno): Errno(errno).name for errno in failures}
