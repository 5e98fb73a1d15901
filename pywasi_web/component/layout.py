"""The canonical ABI's layout rules: size, alignment and flattening of resolved types.

tuple, enum, option and result are the record and variant they desugar to (CanonicalABI.md).
Each answer is kept on the type object itself: hashing a nested frozen dataclass for a cache
lookup costs more than most calls that ask.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pywasi_web.component.types import (
    Borrow,
    Enum,
    Flags,
    ListType,
    OptionType,
    Own,
    Prim,
    Record,
    ResultType,
    TupleType,
    VariantType,
)

T = TypeVar("T")

MAX_FLAT_PARAMS = 16
MAX_FLAT_RESULTS = 1

_PRIM_SIZE = {"bool": 1, "s8": 1, "u8": 1, "s16": 2, "u16": 2, "s32": 4, "u32": 4, "s64": 8, "u64": 8,
              "f32": 4, "f64": 8, "char": 4}  # fmt: skip
_PRIM_FLAT = {"s64": "i64", "u64": "i64", "f32": "f32", "f64": "f64"}


def fields_of(t: Any) -> tuple[Any, ...]:
    """The field types of a record or tuple."""
    if isinstance(t, TupleType):
        return t.elements
    return tuple(field for _, field in t.fields)


def cases_of(t: Any) -> tuple[tuple[str, Any], ...]:
    """The (name, payload type or None) cases of a variant, enum, option or result."""
    if isinstance(t, VariantType):
        return t.cases
    if isinstance(t, Enum):
        return tuple((name, None) for name in t.names)
    if isinstance(t, OptionType):
        return (("none", None), ("some", t.element))
    assert isinstance(t, ResultType)
    return (("ok", t.ok), ("error", t.error))


def memoized(function: Callable[[Any], T]) -> Callable[[Any], T]:
    key = f"_{function.__name__}"

    @functools.wraps(function)
    def memo(t: Any) -> T:
        try:
            answer: T = t.__dict__[key]
        except KeyError:
            answer = function(t)
            object.__setattr__(t, key, answer)  # frozen dataclasses: not a field, not compared
        return answer

    return memo


def discriminant_size(count: int) -> int:
    return 1 if count <= 256 else 2 if count <= 65536 else 4


def align_to(ptr: int, alignment: int) -> int:
    return -(-ptr // alignment) * alignment


def flags_size(count: int) -> int:
    return 1 if count <= 8 else 2 if count <= 16 else 4 * -(-count // 32)


@memoized
def alignment(t: Any) -> int:
    if isinstance(t, Prim):
        return 4 if t.name == "string" else _PRIM_SIZE[t.name]
    if isinstance(t, ListType | Own | Borrow):
        return 4
    if isinstance(t, Record | TupleType):
        return max((alignment(f) for f in fields_of(t)), default=1)
    if isinstance(t, Flags):
        return min(flags_size(len(t.names)), 4)
    cases = cases_of(t)
    return max(discriminant_size(len(cases)), max_case_alignment(cases))


def max_case_alignment(cases: tuple[tuple[str, Any], ...]) -> int:
    return max((alignment(c) for _, c in cases if c is not None), default=1)


@memoized
def size(t: Any) -> int:
    if isinstance(t, Prim):
        return 8 if t.name == "string" else _PRIM_SIZE[t.name]
    if isinstance(t, ListType):
        return 8
    if isinstance(t, Own | Borrow):
        return 4
    if isinstance(t, Record | TupleType):
        offset = 0
        for f in fields_of(t):
            offset = align_to(offset, alignment(f)) + size(f)
        return align_to(offset, alignment(t))
    if isinstance(t, Flags):
        return flags_size(len(t.names))
    cases = cases_of(t)
    offset = align_to(discriminant_size(len(cases)), max_case_alignment(cases))
    offset += max((size(c) for _, c in cases if c is not None), default=0)
    return align_to(offset, alignment(t))


@memoized
def payload_offset(t: Any) -> int:
    """Where a variant-like type's payload starts."""
    cases = cases_of(t)
    return align_to(discriminant_size(len(cases)), max_case_alignment(cases))


def _join(a: str, b: str) -> str:
    if a == b:
        return a
    if {a, b} == {"i32", "f32"}:
        return "i32"
    return "i64"


def flatten_variant(cases: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    """The discriminant's i32, then the payload slots every case shares (joined types)."""
    flat: list[str] = []
    for _, case in cases:
        if case is None:
            continue
        for index, kind in enumerate(flatten(case)):
            if index < len(flat):
                flat[index] = _join(flat[index], kind)
            else:
                flat.append(kind)
    return ("i32", *flat)


@memoized
def flatten(t: Any) -> tuple[str, ...]:
    if isinstance(t, Prim):
        if t.name == "string":
            return ("i32", "i32")
        return (_PRIM_FLAT.get(t.name, "i32"),)
    if isinstance(t, ListType):
        return ("i32", "i32")
    if isinstance(t, Own | Borrow):
        return ("i32",)
    if isinstance(t, Record | TupleType):
        return tuple(kind for f in fields_of(t) for kind in flatten(f))
    if isinstance(t, Flags):
        return ("i32",) * -(-len(t.names) // 32)
    return flatten_variant(cases_of(t))


def flatten_all(types: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(kind for t in types for kind in flatten(t))
