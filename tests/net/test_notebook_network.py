"""allow= inside Pyodide (browser/notebook_network.py), its refusals, which come before anything of
Pyodide's is needed: entries that need sockets are refused, saying what to use instead. What it
grants is tested inside Pyodide in Chromium (playwright/test_allow_in_pyodide.py, test_lite.py)."""

from __future__ import annotations

import pytest

from pywasi_web.browser.notebook_network import notebook_grant
from pywasi_web.errors import CapabilityError
from pywasi_web.kernel.waiting import ThreadWaiter
from pywasi_web.net.allowlist import Allowlist


@pytest.mark.parametrize(
    ("allow", "named"),
    [
        (["https://example.org", "127.0.0.1:80"], "127.0.0.1:80"),
        (["localhost:*"], "localhost:*"),
        (Allowlist(["ws://127.0.0.1:6080"]), "ws://127.0.0.1:6080"),
    ],
)
def test_entries_that_need_sockets_are_refused(allow: Allowlist | list[str], named: str) -> None:
    with pytest.raises(CapabilityError) as refused:
        notebook_grant(allow, ThreadWaiter())
    message = str(refused.value)
    assert named in message and "rt.run or rt.instantiate with allow and sockets" in message
