"""Decode the component binary format (Binary.md) into an ordered list of definitions.

Index spaces are built incrementally in section order, so the definitions stay in order and
instantiation replays them. Core modules stay as bytes for the engine to compile. Any malformed
or unsupported input raises ModuleError with the byte offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pywasi_web.component.types import (
    PRIMITIVES,
    Alias,
    Borrow,
    ComponentTypeDef,
    Declarator,
    Enum,
    Eq,
    ExternDesc,
    Flags,
    FuncType,
    InstanceTypeDef,
    ListType,
    OptionType,
    Own,
    Prim,
    Record,
    ResourceDef,
    ResultType,
    SubResource,
    TupleType,
    TypeRef,
    VariantType,
)
from pywasi_web.engines.validation import is_component
from pywasi_web.engines.wasm_reader import uleb128
from pywasi_web.errors import ModuleError

COMPONENT_VERSION = b"\x0d\x00"

CORE_SORTS = {0x00: "core func", 0x01: "core table", 0x02: "core memory", 0x03: "core global",
              0x10: "core type", 0x11: "core module", 0x12: "core instance"}  # fmt: skip
SORTS = {0x01: "func", 0x02: "value", 0x03: "type", 0x04: "component", 0x05: "instance"}
EXTERN_KINDS = {0x01: "func", 0x02: "value", 0x03: "type", 0x04: "component", 0x05: "instance"}
STRING_ENCODINGS = {0x00: "utf8", 0x01: "utf16", 0x02: "latin1+utf16"}


@dataclass(frozen=True)
class CoreModule:
    wasm: bytes


@dataclass(frozen=True)
class CoreInstantiate:
    module: int
    args: tuple[tuple[str, int], ...]  # (import module name, core instance index)


@dataclass(frozen=True)
class CoreExports:
    """A core instance made of existing core items: (name, core sort, index)."""

    exports: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class Instantiate:
    component: int
    args: tuple[tuple[str, str, int], ...]  # (import name, sort, index)


@dataclass(frozen=True)
class InstanceExports:
    exports: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class TypeDef:
    definition: Any


@dataclass(frozen=True)
class CoreTypeDef:
    """A core type definition; it is counted in the core type index space but not used."""


@dataclass(frozen=True)
class CanonOptions:
    string_encoding: str = "utf8"
    memory: int | None = None
    realloc: int | None = None
    post_return: int | None = None


@dataclass(frozen=True)
class Canon:
    """kind: "lift" (core func -> func, `type` the func type), "lower" (func -> core func),
    "resource.new" / "resource.drop" / "resource.rep" (`target` is the resource type index)."""

    kind: str
    target: int
    options: CanonOptions = CanonOptions()
    type: int | None = None


@dataclass(frozen=True)
class Import:
    name: str
    desc: ExternDesc


@dataclass(frozen=True)
class Export:
    name: str
    sort: str
    index: int
    desc: ExternDesc | None


@dataclass
class Component:
    definitions: list[Any] = field(default_factory=list)


class Reader:
    def __init__(self, data: bytes, offset: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = offset
        self.end = len(data) if end is None else end

    def fail(self, what: str) -> ModuleError:
        return ModuleError(f"invalid component at byte {self.pos}: {what}")

    def byte(self) -> int:
        if self.pos >= self.end:
            raise self.fail("unexpected end")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def u32(self) -> int:
        return uleb128(self.byte, lambda: self.fail("integer too long"))

    def bytes(self, length: int) -> bytes:
        if self.pos + length > self.end:
            raise self.fail("unexpected end")
        value = self.data[self.pos : self.pos + length]
        self.pos += length
        return value

    def name(self) -> str:
        raw = self.bytes(self.u32())
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise self.fail("a name is not UTF-8") from None

    def vec(self, item: Any) -> list[Any]:
        return [item() for _ in range(self.u32())]

    def optional(self, item: Any) -> Any:
        flag = self.byte()
        if flag == 0:
            return None
        if flag != 1:
            raise self.fail(f"bad option flag {flag:#x}")
        return item()


def parse(wasm: bytes) -> Component:
    if not is_component(wasm):
        raise ModuleError("not a WebAssembly component (bad header)")
    if wasm[4:6] != COMPONENT_VERSION:
        raise ModuleError(f"unsupported component binary version {wasm[4:6].hex()} (this reads 0d00)")
    return _Parser(Reader(wasm, 8)).component()


class _Parser:
    def __init__(self, reader: Reader) -> None:
        self.r = reader

    def component(self) -> Component:
        r = self.r
        component = Component()
        definitions = component.definitions
        while r.pos < r.end:
            section = r.byte()
            size = r.u32()
            end = r.pos + size
            if end > r.end:
                raise r.fail("section runs past the end")
            body = _Parser(Reader(r.data, r.pos, end))
            if section == 0:
                pass  # custom
            elif section == 1:
                definitions.append(CoreModule(r.data[r.pos : end]))
            elif section == 2:
                definitions.extend(body.r.vec(body.core_instance))
            elif section == 3:
                definitions.extend(body.r.vec(body.core_type))
            elif section == 4:
                nested = r.data[r.pos : end]
                if not is_component(nested):
                    raise r.fail("a nested component has a bad header")
                definitions.append(_Parser(Reader(r.data, r.pos + 8, end)).component())
            elif section == 5:
                definitions.extend(body.r.vec(body.instance))
            elif section == 6:
                definitions.extend(body.r.vec(body.alias))
            elif section == 7:
                definitions.extend(TypeDef(t) for t in body.r.vec(body.deftype))
            elif section == 8:
                definitions.extend(body.r.vec(body.canon))
            elif section == 10:
                definitions.extend(body.r.vec(body.import_))
            elif section == 11:
                definitions.extend(body.r.vec(body.export))
            else:
                raise r.fail(f"section {section} (start, values, ...) is not supported")
            if section not in (0, 1, 4) and body.r.pos != end:
                raise r.fail(f"section {section} has trailing bytes")
            r.pos = end
        return component

    # -- instances and aliases
    def core_sort(self) -> str:
        code = self.r.byte()
        if code not in CORE_SORTS:
            raise self.r.fail(f"unknown core sort {code:#x}")
        return CORE_SORTS[code]

    def sort(self) -> str:
        code = self.r.byte()
        if code == 0x00:
            return self.core_sort()
        if code not in SORTS:
            raise self.r.fail(f"unknown sort {code:#x}")
        return SORTS[code]

    def core_instance(self) -> CoreInstantiate | CoreExports:
        r = self.r
        tag = r.byte()
        if tag == 0x00:
            module = r.u32()

            def arg() -> tuple[str, int]:
                name = r.name()
                if r.byte() != 0x12:
                    raise r.fail("a core instantiation argument must be an instance")
                return name, r.u32()

            return CoreInstantiate(module, tuple(r.vec(arg)))
        if tag == 0x01:
            return CoreExports(tuple(r.vec(lambda: (r.name(), self.core_sort(), r.u32()))))
        raise r.fail(f"unknown core instance form {tag:#x}")

    def instance(self) -> Instantiate | InstanceExports:
        r = self.r
        tag = r.byte()
        if tag == 0x00:
            component = r.u32()
            return Instantiate(component, tuple(r.vec(lambda: (r.name(), self.sort(), r.u32()))))
        if tag == 0x01:
            return InstanceExports(tuple(r.vec(lambda: (self.extern_name(), self.sort(), r.u32()))))
        raise r.fail(f"unknown instance form {tag:#x}")

    def alias(self) -> Alias:
        r = self.r
        sort = self.sort()
        tag = r.byte()
        if tag == 0x00:
            return Alias(sort, ("export", r.u32(), r.name()))
        if tag == 0x01:
            return Alias(sort, ("core export", r.u32(), r.name()))
        if tag == 0x02:
            return Alias(sort, ("outer", r.u32(), r.u32()))
        raise r.fail(f"unknown alias target {tag:#x}")

    # -- types
    def core_type(self) -> CoreTypeDef:
        """Skip a core func type (0x60) or module type (0x50); nothing here uses their contents."""
        r = self.r
        tag = r.byte()
        if tag == 0x60:
            r.bytes(r.u32())
            r.bytes(r.u32())
            return CoreTypeDef()
        raise r.fail("core module types are not supported")

    def valtype(self) -> Any:
        r = self.r
        code = r.data[r.pos] if r.pos < r.end else -1
        if code in PRIMITIVES:
            r.pos += 1
            return Prim(PRIMITIVES[code])
        return TypeRef(r.u32())

    def deftype(self) -> Any:
        r = self.r
        code = r.byte()
        if code in PRIMITIVES:
            return Prim(PRIMITIVES[code])
        if code == 0x72:
            return Record(tuple(r.vec(lambda: (r.name(), self.valtype()))))
        if code == 0x71:

            def case() -> tuple[str, Any]:
                name, payload = r.name(), r.optional(self.valtype)
                if r.byte() != 0x00:
                    raise r.fail("variant case refinements are not supported")
                return name, payload

            return VariantType(tuple(r.vec(case)))
        if code == 0x70:
            return ListType(self.valtype())
        if code == 0x6F:
            return TupleType(tuple(r.vec(self.valtype)))
        if code == 0x6E:
            return Flags(tuple(r.vec(r.name)))
        if code == 0x6D:
            return Enum(tuple(r.vec(r.name)))
        if code == 0x6B:
            return OptionType(self.valtype())
        if code == 0x6A:
            return ResultType(r.optional(self.valtype), r.optional(self.valtype))
        if code == 0x69:
            return Own(TypeRef(r.u32()))
        if code == 0x68:
            return Borrow(TypeRef(r.u32()))
        if code == 0x40:
            params = tuple(r.vec(lambda: (r.name(), self.valtype())))
            tag = r.byte()
            if tag == 0x00:
                return FuncType(params, self.valtype())
            if tag == 0x01 and r.byte() == 0x00:
                return FuncType(params, None)
            raise r.fail("named function results are not supported")
        if code == 0x41:
            return ComponentTypeDef(tuple(r.vec(lambda: self.declarator(component=True))))
        if code == 0x42:
            return InstanceTypeDef(tuple(r.vec(lambda: self.declarator(component=False))))
        if code == 0x3F:
            if r.byte() != 0x7F:
                raise r.fail("a resource's representation must be i32")
            return ResourceDef(r.optional(r.u32))
        raise r.fail(f"type {code:#x} is not supported (async, streams, futures, ...)")

    def declarator(self, *, component: bool) -> Declarator:
        r = self.r
        tag = r.byte()
        if tag == 0x00:
            self.core_type()
            return Declarator("core type")
        if tag == 0x01:
            return Declarator("type", item=self.deftype())
        if tag == 0x02:
            return Declarator("alias", item=self.alias())
        if tag == 0x03 and component:
            return Declarator("import", self.extern_name(), self.extern_desc())
        if tag == 0x04:
            return Declarator("export", self.extern_name(), self.extern_desc())
        raise r.fail(f"unknown type declarator {tag:#x}")

    def extern_name(self) -> str:
        """importname'/exportname': a 0x00 tag, or 0x01 with a version suffix that is ignored."""
        r = self.r
        tag = r.byte()
        name = r.name()
        if tag == 0x01:
            r.name()
        elif tag != 0x00:
            raise r.fail(f"unknown name form {tag:#x}")
        return name

    def extern_desc(self) -> ExternDesc:
        r = self.r
        tag = r.byte()
        if tag == 0x00:
            if r.byte() != 0x11:
                raise r.fail("a core extern must be a module")
            return ExternDesc("module", r.u32())
        kind = EXTERN_KINDS.get(tag)
        if kind is None:
            raise r.fail(f"unknown extern kind {tag:#x}")
        if kind == "type":
            bound = r.byte()
            if bound == 0x00:
                return ExternDesc("type", Eq(r.u32()))
            if bound == 0x01:
                return ExternDesc("type", SubResource())
            raise r.fail(f"unknown type bound {bound:#x}")
        if kind == "value":
            raise r.fail("value imports and exports are not supported")
        return ExternDesc(kind, r.u32())

    # -- canonical definitions, imports, exports
    def canon(self) -> Canon:
        r = self.r
        tag = r.byte()
        if tag == 0x00 and r.byte() == 0x00:
            function = r.u32()
            options = self.options()
            return Canon("lift", function, options, r.u32())
        if tag == 0x01:
            if r.byte() != 0x00:
                raise r.fail("canon lower takes a function")
            function = r.u32()
            return Canon("lower", function, self.options())
        resource_ops = {0x02: "resource.new", 0x03: "resource.drop", 0x04: "resource.rep"}
        if tag in resource_ops:
            return Canon(resource_ops[tag], r.u32())
        raise r.fail(f"canonical built-in {tag:#x} is not supported (async, threads, ...)")

    def options(self) -> CanonOptions:
        r = self.r
        values: dict[str, Any] = {}
        for _ in range(r.u32()):
            tag = r.byte()
            if tag in STRING_ENCODINGS:
                values["string_encoding"] = STRING_ENCODINGS[tag]
            elif tag == 0x03:
                values["memory"] = r.u32()
            elif tag == 0x04:
                values["realloc"] = r.u32()
            elif tag == 0x05:
                values["post_return"] = r.u32()
            else:
                raise r.fail(f"canonical option {tag:#x} is not supported (async, callback)")
        return CanonOptions(**values)

    def import_(self) -> Import:
        return Import(self.extern_name(), self.extern_desc())

    def export(self) -> Export:
        name = self.extern_name()
        sort = self.sort()
        index = self.r.u32()
        return Export(name, sort, index, self.r.optional(self.extern_desc))
