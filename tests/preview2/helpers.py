"""WASI 0.2 host objects bound to a Kernel built with no engine (tests/unit/helpers.make_kernel)."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web.component.values import Err, Variant
from pywasi_web.kernel.kernel import Kernel
from pywasi_web.preview2.host import wasi_imports


def imports(kernel: Kernel) -> dict[str, Any]:
    return wasi_imports(kernel)


def error_of(call: Any, *args: Any) -> Any:
    """The value of the Err(...) that `call(*args)` raises."""
    with pytest.raises(Err) as raised:
        call(*args)
    return raised.value.value


def stream_error(call: Any, *args: Any) -> Variant:
    value = error_of(call, *args)
    assert isinstance(value, Variant)
    return value
