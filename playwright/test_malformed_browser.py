"""The malformed-module corpus (tests/security/malformed.py) in Chromium: each gives a clear
error from the runtime, with no hang, and the runtime stays usable afterwards."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest

from tests.security.malformed import CORPUS

pytestmark = pytest.mark.browser

RUN = """async ([wasmBase64]) => {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    const r = await window.pywasiRuntime.run(bytes, {timeoutMs: 10000});
    return {exitCode: r.exitCode, error: r.error ?? null};
}"""


@pytest.mark.parametrize(("name", "module", "mentions"), CORPUS, ids=[entry[0] for entry in CORPUS])
def test_malformed_module_in_the_browser(page: Any, name: str, module: bytes, mentions: str) -> None:
    began = time.monotonic()
    result = page.evaluate(RUN, [base64.b64encode(module).decode()])
    assert time.monotonic() - began < 15
    assert result["error"] is not None, result
    message = result["error"]["message"]
    assert re.search(mentions, message, re.IGNORECASE), message
    assert "Traceback" not in message
