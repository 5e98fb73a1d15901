"""Checks that do not need an engine: what the bytes are, and whether the imports can be met.

Both engines call these, so a bad module gets the same one-line message on CPython and in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pywasi_web.abi.signatures import MODULE, SIGNATURES
from pywasi_web.engines.base import HostFunction, ImportSpec
from pywasi_web.errors import ModuleError

_MAGIC = b"\0asm"
_CORE_VERSION = b"\1\0\0\0"
_COMPONENT_LAYER = b"\1\0"  # bytes 6-7 of the header; a core module's are 0


def is_component(wasm: bytes) -> bool:
    """True for the component layer's header; core modules carry version 1, layer 0."""
    return len(wasm) >= 8 and wasm[:4] == _MAGIC and wasm[6:8] == _COMPONENT_LAYER


def check_header(wasm: bytes) -> None:
    if len(wasm) < 8 or wasm[:4] != _MAGIC:
        raise ModuleError("not a WebAssembly module: it does not start with the \\0asm magic number")
    if wasm[4:8] != _CORE_VERSION:
        if is_component(wasm):
            raise ModuleError("this is a WebAssembly component, not a core module: Program and run() take it")
        raise ModuleError(f"unsupported WebAssembly version {wasm[4:8].hex()}")


def check_imports(imports: Sequence[ImportSpec], functions: Mapping[tuple[str, str], HostFunction]) -> None:
    """Name the first import nobody provides, one whose signature is not what WASI defines, or one
    imported twice with different types (a host function has one signature)."""
    seen: dict[tuple[str, str], ImportSpec] = {}
    for spec in imports:
        where = f"{spec.module}.{spec.name}"
        if spec.kind != "func":
            raise ModuleError(f"the module imports a {spec.kind} {where}; only functions can be provided")
        if (spec.module, spec.name) not in functions:
            raise ModuleError(f"the module imports {where}, which is not provided")
        first = seen.setdefault((spec.module, spec.name), spec)
        if (first.params, first.results) != (spec.params, spec.results):
            raise ModuleError(
                f"the module imports {where} twice, as {_show(first.params, first.results)} and as "
                f"{_show(spec.params, spec.results)}: a host function has one signature"
            )
        expected = SIGNATURES.get(spec.name) if spec.module == MODULE else None
        if expected is not None and (spec.params, spec.results) != expected:
            raise ModuleError(
                f"import {where} has type {_show(spec.params, spec.results)}, WASI defines {_show(*expected)}"
            )


def _show(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    return f"({', '.join(params)}) -> ({', '.join(results)})"
