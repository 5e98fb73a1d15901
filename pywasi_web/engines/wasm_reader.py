"""The imports and exports of a module with their function types, read from its bytes.

For the browser, whose WebAssembly API lists imports and exports without their types. Only the
type, import, function and export sections are read; every other section is skipped by its size.
The type section may hold what no import or export crossing to Python uses (GC's rec groups,
struct, array and sub types, reference types such as exnref, types of proposals newer than this
reader): they are read over where their encoding is known, and an entry whose encoding is not
stops the reading of that section only, its types and the later ones becoming UNKNOWN. A module
whose imports can be read is never refused for a type it does not need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pywasi_web.engines.base import ExportSpec, ImportSpec
from pywasi_web.errors import ModuleError

UNKNOWN = "unknown type"  # a value type this reader could not read

_NUMERIC = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128"}
_PACKED = {0x78: "i8", 0x77: "i16"}  # storage types of struct and array fields
# The abstract heap types' shorthands, as reference value types: (ref null HEAPTYPE).
_REFERENCES = {
    0x75: "nullcontref",
    0x74: "nullexnref",
    0x73: "nullfuncref",
    0x72: "nullexternref",
    0x71: "nullref",
    0x70: "funcref",
    0x6F: "externref",
    0x6E: "anyref",
    0x6D: "eqref",
    0x6C: "i31ref",
    0x6B: "structref",
    0x6A: "arrayref",
    0x69: "exnref",
    0x68: "contref",
}
_REF, _REF_NULL = 0x64, 0x63
_FUNC, _STRUCT, _ARRAY, _SUB, _SUB_FINAL, _REC = 0x60, 0x5F, 0x5E, 0x50, 0x4F, 0x4E
_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}
_TYPE, _IMPORT, _FUNCTION, _EXPORT = 1, 2, 3, 7

Signature = tuple[tuple[str, ...], tuple[str, ...]]
_UNREADABLE: Signature = ((UNKNOWN,), ())


class Unknown(Exception):
    """An encoding this reader does not know."""


def uleb128(byte: Callable[[], int], too_long: Callable[[], Exception] | None = None) -> int:
    """An unsigned LEB128 read with `byte` (also skips a signed one): of any width, or with
    `too_long` strict, raising what it returns past a u32's encoding (the component parser)."""
    result = shift = 0
    while True:
        value = byte()
        result |= (value & 0x7F) << shift
        if not value & 0x80:
            return result
        shift += 7
        if too_long is not None and shift > 35:
            raise too_long()


class Reader:
    """Just enough of the binary format to read sections, names, integers and types."""

    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data = data
        self.position = position

    def byte(self) -> int:
        value = self.data[self.position]
        self.position += 1
        return value

    def u32(self) -> int:
        """An unsigned LEB128 (any width); also skips a signed one."""
        return uleb128(self.byte)

    def name(self) -> str:
        length = self.u32()
        self.position += length
        return self.data[self.position - length : self.position].decode()

    def valtype(self) -> str:
        code = self.byte()
        known = _NUMERIC.get(code) or _REFERENCES.get(code)
        if known is not None:
            return known
        if code in (_REF, _REF_NULL):
            self.u32()  # the heap type: an abstract one's byte, or a type index (s33)
            return "ref" if code == _REF else "ref null"
        raise Unknown(f"value type {code:#x}")

    def valtypes(self) -> tuple[str, ...]:
        return tuple(self.valtype() for _ in range(self.u32()))

    def field(self) -> None:
        """A struct or array field: its storage type, then whether it is mutable."""
        if self.data[self.position] in _PACKED:
            self.position += 1
        else:
            self.valtype()
        self.byte()

    def limits(self) -> None:
        flags = self.byte()  # 1: a maximum follows; 2: shared; 4: 64-bit; 8: a page size follows
        self.u32()
        if flags & 1:
            self.u32()
        if flags & 8:
            self.u32()


@dataclass(frozen=True)
class ModuleTypes:
    imports: list[ImportSpec]
    exports: list[ExportSpec]


def read_module(wasm: bytes) -> ModuleTypes:
    """The imports and exports of a module the engine has validated, with function types.

    Raises ModuleError only when the import section itself cannot be read.
    """
    reader = Reader(wasm, 8)
    types: list[Signature] = []
    imports: list[ImportSpec] = []
    functions: list[Signature] = []  # the function index space: imported, then defined
    exports: list[ExportSpec] = []
    try:
        while reader.position < len(wasm):
            section, size = reader.byte(), reader.u32()
            end = reader.position + size
            if section == _TYPE:
                _read_types(Reader(wasm[:end], reader.position), types)
            elif section == _IMPORT:
                imports = _read_imports(reader, types)
                functions += [(spec.params, spec.results) for spec in imports if spec.kind == "func"]
            elif section == _FUNCTION:
                functions += [_type(types, reader.u32()) for _ in range(reader.u32())]
            elif section == _EXPORT:
                exports = _read_exports(reader, functions)
            reader.position = end
    except (IndexError, UnicodeDecodeError, Unknown) as error:
        raise ModuleError(f"cannot read the module's imports and exports: {error}") from None
    return ModuleTypes(imports, exports)


def _type(types: list[Signature], index: int) -> Signature:
    return types[index] if index < len(types) else _UNREADABLE


def _read_types(reader: Reader, types: list[Signature]) -> None:
    """Append each type's signature (_UNREADABLE for struct and array types); on an encoding this
    reader does not know, the rest of the section stays unread (and unknown)."""
    try:
        for _ in range(reader.u32()):
            if reader.data[reader.position] == _REC:
                reader.position += 1
                for _ in range(reader.u32()):
                    types.append(_subtype(reader))
            else:
                types.append(_subtype(reader))
    except (IndexError, Unknown):
        return


def _subtype(reader: Reader) -> Signature:
    if reader.data[reader.position] in (_SUB, _SUB_FINAL):
        reader.position += 1
        for _ in range(reader.u32()):
            reader.u32()  # a supertype's index
    form = reader.byte()
    if form == _FUNC:
        return reader.valtypes(), reader.valtypes()
    if form == _STRUCT:
        for _ in range(reader.u32()):
            reader.field()
        return _UNREADABLE
    if form == _ARRAY:
        reader.field()
        return _UNREADABLE
    raise Unknown(f"type form {form:#x}")


def _read_imports(reader: Reader, types: list[Signature]) -> list[ImportSpec]:
    imports = []
    for _ in range(reader.u32()):
        module, name, code = reader.name(), reader.name(), reader.byte()
        kind = _KINDS.get(code)
        if kind is None:
            raise Unknown(f"import kind {code:#x} of {module}.{name}")
        if kind == "func":
            imports.append(ImportSpec(module, name, kind, *_type(types, reader.u32())))
            continue
        imports.append(ImportSpec(module, name, kind))
        if kind == "table":
            reader.valtype()
            reader.limits()
        elif kind == "memory":
            reader.limits()
        elif kind == "global":
            reader.valtype()
            reader.byte()
        else:  # tag: an attribute, then a type index
            reader.byte()
            reader.u32()
    return imports


def _read_exports(reader: Reader, functions: list[Signature]) -> list[ExportSpec]:
    exports = []
    for _ in range(reader.u32()):
        name, code, index = reader.name(), reader.byte(), reader.u32()
        kind = _KINDS.get(code, f"kind {code:#x}")
        if kind == "func":
            exports.append(
                ExportSpec(name, kind, *(functions[index] if index < len(functions) else _UNREADABLE))
            )
        else:
            exports.append(ExportSpec(name, kind))
    return exports
