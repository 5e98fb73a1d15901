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


def check_header(wasm: bytes) -> None:
    if len(wasm) < 8 or wasm[:4] != _MAGIC:
        raise ModuleError("not a WebAssembly module: it does not start with the \\0asm magic number")
    if wasm[4:8] != _CORE_VERSION:
        if wasm[6:8] == b"\1\0":
            raise ModuleError("this is a WebAssembly component, not a core module: Program and run() take it")
        raise ModuleError(f"unsupported WebAssembly version {wasm[4:8].hex()}")


_VALTYPES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}
_IMPORT_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class Reader:
    """Just enough of the binary format to read the type and import sections."""

    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data = data
        self.position = position

    def byte(self) -> int:
        value = self.data[self.position]
        self.position += 1
        return value

    def u32(self) -> int:
        result = shift = 0
        while True:
            value = self.byte()
            result |= (value & 0x7F) << shift
            if not value & 0x80:
                return result
            shift += 7

    def name(self) -> str:
        length = self.u32()
        self.position += length
        return self.data[self.position - length : self.position].decode()

    def valtypes(self) -> tuple[str, ...]:
        return tuple(_VALTYPES[self.byte()] for _ in range(self.u32()))


def read_imports(wasm: bytes) -> list[ImportSpec] | None:
    """The imports of a validated module with their function signatures, read from its bytes.

    For engines whose API does not report import signatures (the browser's). None when the module
    uses type encodings beyond plain value types (GC proposal): then signatures are unknown.
    """
    try:
        return _read_imports(wasm)
    except (KeyError, IndexError, UnicodeDecodeError):
        return None


def _read_imports(wasm: bytes) -> list[ImportSpec]:
    reader = Reader(wasm, 8)
    types: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    while reader.position < len(wasm):
        section, size = reader.byte(), reader.u32()
        end = reader.position + size
        if section == 1:
            for _ in range(reader.u32()):
                if reader.byte() != 0x60:
                    raise KeyError("not a plain function type")
                types.append((reader.valtypes(), reader.valtypes()))
        elif section == 2:
            imports = []
            for _ in range(reader.u32()):
                module, name, kind = reader.name(), reader.name(), _IMPORT_KINDS[reader.byte()]
                if kind == "func":
                    params, results = types[reader.u32()]
                    imports.append(ImportSpec(module, name, kind, params, results))
                    continue
                imports.append(ImportSpec(module, name, kind))
                _skip_import_type(reader, kind)
            return imports
        elif section > 2:
            return []
        reader.position = end
    return []


def _skip_import_type(reader: Reader, kind: str) -> None:
    if kind == "table":
        reader.byte()
        _skip_limits(reader)
    elif kind == "memory":
        _skip_limits(reader)
    elif kind == "global":
        reader.byte()
        reader.byte()
    else:  # tag: attribute, then a type index
        reader.byte()
        reader.u32()


def _skip_limits(reader: Reader) -> None:
    flags = reader.byte()
    reader.u32()
    if flags & 1:
        reader.u32()


def check_imports(imports: Sequence[ImportSpec], functions: Mapping[tuple[str, str], HostFunction]) -> None:
    """Name the first import nobody provides, or one whose signature is not what WASI defines."""
    for spec in imports:
        where = f"{spec.module}.{spec.name}"
        if spec.kind != "func":
            raise ModuleError(f"the module imports a {spec.kind} {where}; only functions can be provided")
        if (spec.module, spec.name) not in functions:
            raise ModuleError(f"the module imports {where}, which is not provided")
        expected = SIGNATURES.get(spec.name) if spec.module == MODULE else None
        if expected is not None and (spec.params, spec.results) != expected:
            raise ModuleError(
                f"import {where} has type {_show(spec.params, spec.results)}, WASI defines {_show(*expected)}"
            )


def _show(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    return f"({', '.join(params)}) -> ({', '.join(results)})"
