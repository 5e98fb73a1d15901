"""Every module of the malformed corpus gives one clear PywasiError on CPython, fast."""

from __future__ import annotations

import time

import pytest

from pywasi_web import PywasiError, run
from tests.security.malformed import CORPUS


@pytest.mark.parametrize(("name", "module", "mentions"), CORPUS, ids=[entry[0] for entry in CORPUS])
def test_malformed_module_gives_a_clear_error(name: str, module: bytes, mentions: str) -> None:
    began = time.monotonic()
    with pytest.raises(PywasiError, match=mentions) as caught:
        run(module, capture_output=True, timeout=10)
    assert time.monotonic() - began < 10
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
