"""The work that gets V8 to keep its machine code for Pyodide's WebAssembly across page loads.

V8 writes a module's compiled code next to its HTTP cache entry (web/versioned_fetch.js) only once
it has optimised about 1 MB of it, or once optimisation has paused for 2 s, which Chromium 156 was
never seen to do. A boot from a memory snapshot and a few guest runs optimise far less, so every
later page load validated Pyodide's 9.6 MB again and compiled ~1 400 of its functions on the
worker's thread as they were first called (~60 ms). What V8 writes also lists the functions run so
far, which a later load compiles in the background as soon as it has the module.

web/worker.js runs this once per Pyodide version and browser build, after the first guest, one
module per turn of its queue (web/code_cache.js). Compiling Python source is the cheapest work
found that optimises enough: in Chromium 156, the sources of 40 standard-library modules (670 kB,
~0.5 s) got the code written, 15 (120 kB) did not, and neither did 0.8 s of a pure-Python loop
(the interpreter's loop is one function)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

SOURCE_BYTES = 1_000_000  # compiled in all: 1.5x what was enough
LONGEST_SOURCE = 64_000  # a longer module would hold the worker's queue for too long in one turn


class CodeCacheWarmUp:
    """Compiles the sources of loaded modules (by name, for the same work on every browser), one
    per step(), up to SOURCE_BYTES."""

    def __init__(self) -> None:
        self._sources = _loaded_sources()
        self._compiled = 0

    def step(self) -> bool:
        """Compile the next module's source; False once there is nothing more to do."""
        module = next(self._sources, None) if self._compiled < SOURCE_BYTES else None
        if module is None:
            return False
        name, source = module
        compile(source, name, "exec", dont_inherit=True)
        self._compiled += len(source)
        return True


def _loaded_sources() -> Iterator[tuple[str, str]]:
    for name in sorted(sys.modules):
        get_source = getattr(getattr(sys.modules.get(name), "__loader__", None), "get_source", None)
        try:
            source = get_source(name) if get_source is not None else None
        except (ImportError, OSError):
            continue  # a namespace package, or a module whose file is gone
        if source and len(source) <= LONGEST_SOURCE:
            yield name, source
