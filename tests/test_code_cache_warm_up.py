"""The Python side of warming V8's code cache (pywasi_web/browser/code_cache.py; the browser side
is playwright/test_code_cache.py): each step compiles one loaded module's source, a bounded amount
in all, and then says it is done."""

from __future__ import annotations

import sys

import pytest

from pywasi_web.browser import code_cache
from pywasi_web.browser.code_cache import LONGEST_SOURCE, SOURCE_BYTES, CodeCacheWarmUp


def test_steps_compile_loaded_sources_up_to_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[tuple[str, int]] = []

    def record(source: str, name: str, mode: str, dont_inherit: bool) -> None:
        assert (mode, dont_inherit) == ("exec", True)
        compiled.append((name, len(source)))

    monkeypatch.setattr(code_cache, "compile", record, raising=False)
    warm_up = CodeCacheWarmUp()
    steps = 0
    while warm_up.step():
        steps += 1
    assert steps == len(compiled) > 1
    names = [name for name, _ in compiled]
    assert names == sorted(names) and all(name in sys.modules for name in names)
    sizes = [size for _, size in compiled]
    assert all(0 < size <= LONGEST_SOURCE for size in sizes)
    assert sum(sizes[:-1]) < SOURCE_BYTES <= sum(sizes)  # it stops once the budget is spent
    assert not warm_up.step()
