"""Python's `allow=` inside Pyodide (a JupyterLite cell): its entries would build CPython's network
(host TCP, an HTTP client on threads), which Pyodide has not, so a component given `allow=` is
refused before anything opens, with a message naming the JS API's `allow` and `sockets`, which
reach the browser's transports. Without `allow`, the component runs with no grant, as on CPython."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pyodide_suite import run_suites

from tests.preview2.test_tcpprobe import tcpprobe

pytestmark = pytest.mark.browser

SUITE = '''
import base64

import pytest

from pywasi_web import Program
from pywasi_web.errors import CapabilityError


def test_allow_is_refused_saying_what_to_use_instead():
    wasm = base64.b64decode(open("tcpprobe.b64").read())
    with pytest.raises(CapabilityError, match="rt.run or rt.instantiate with allow and sockets"):
        Program(wasm).instantiate(allow=["127.0.0.1:80"])
    ungranted = Program(wasm).instantiate()
    assert list(ungranted.exports.connect(80, "hi")) == ["create tcp ipv4: err 1"]  # access-denied
'''


def test_allow_inside_pyodide_is_refused_with_what_to_use(browser: Any, server_url: str) -> None:
    files = {"test_allow.py": SUITE, "tcpprobe.b64": base64.b64encode(tcpprobe().read_bytes()).decode()}
    run_suites(browser, server_url, files, ["test_allow.py"])
