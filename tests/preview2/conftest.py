"""The file system fixtures of the kernel's tests, so WASI 0.2 runs on the same trees."""

from tests.security.test_escapes import layout
from tests.unit.conftest import empty_fs

__all__ = ["empty_fs", "layout"]
