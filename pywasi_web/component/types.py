"""Component-model types, as parsed (TypeRef holds an unresolved type index) and as resolved.

The same classes serve both stages: instantiation replaces every TypeRef by the type it names
(and a resource by its runtime ResourceType), so the canonical ABI only sees resolved types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRIMITIVES = {
    0x7F: "bool",
    0x7E: "s8",
    0x7D: "u8",
    0x7C: "s16",
    0x7B: "u16",
    0x7A: "s32",
    0x79: "u32",
    0x78: "s64",
    0x77: "u64",
    0x76: "f32",
    0x75: "f64",
    0x74: "char",
    0x73: "string",
}


@dataclass(frozen=True)
class TypeRef:
    """A type index not yet resolved (only in parsed definitions)."""

    index: int


@dataclass(frozen=True)
class Prim:
    name: str


@dataclass(frozen=True)
class Record:
    fields: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class VariantType:
    cases: tuple[tuple[str, Any], ...]  # (name, payload type or None)


@dataclass(frozen=True)
class ListType:
    element: Any


@dataclass(frozen=True)
class TupleType:
    elements: tuple[Any, ...]


@dataclass(frozen=True)
class Flags:
    names: tuple[str, ...]


@dataclass(frozen=True)
class Enum:
    names: tuple[str, ...]


@dataclass(frozen=True)
class OptionType:
    element: Any


@dataclass(frozen=True)
class ResultType:
    ok: Any  # a type or None
    error: Any


@dataclass(frozen=True)
class Own:
    resource: Any  # TypeRef while parsed, a ResourceType once resolved


@dataclass(frozen=True)
class Borrow:
    resource: Any


@dataclass(frozen=True)
class FuncType:
    params: tuple[tuple[str, Any], ...]
    result: Any  # a type or None


@dataclass(frozen=True)
class ResourceDef:
    """`(resource (rep i32) (dtor f)?)` defined by this component: a new type at each instantiation."""

    dtor: int | None


@dataclass(frozen=True)
class SubResource:
    """The bound `(sub resource)` of an imported or exported abstract type."""


@dataclass(frozen=True)
class Eq:
    """The bound `(eq i)`: the same type as index i."""

    index: int


@dataclass(frozen=True)
class ExternDesc:
    """What an import or export declares: kind ("func", "instance", "type", "component",
    "module", "value") and the type index or bound that describes it."""

    kind: str
    ref: Any  # a type index (int), a valtype (value) or a bound (type)


@dataclass(frozen=True)
class Alias:
    """`sort` is a sort name ("func", "core func", "type", ...); target is one of
    ("export", instance, name), ("core export", core instance, name), ("outer", count, index)."""

    sort: str
    target: tuple[Any, ...]


@dataclass(frozen=True)
class Declarator:
    """One declaration inside an instance or component type: ("type", deftype), ("alias", Alias),
    ("export", name, ExternDesc), ("import", name, ExternDesc) or ("core type", None)."""

    kind: str
    name: str = ""
    item: Any = None


@dataclass(frozen=True)
class InstanceTypeDef:
    declarators: tuple[Declarator, ...]


@dataclass(frozen=True)
class ComponentTypeDef:
    declarators: tuple[Declarator, ...]
