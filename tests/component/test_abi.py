"""The canonical ABI without an engine: values stored and loaded through a bytearray memory and
a bump allocator, in the three string encodings, and guest errors trapping."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web.component.abi import UTF16_TAG, Context, Options
from pywasi_web.component.layout import alignment, flatten, size
from pywasi_web.component.resources import CallScope, HandleTable
from pywasi_web.component.types import (
    Enum,
    Flags,
    ListType,
    OptionType,
    Prim,
    Record,
    ResultType,
    TupleType,
    VariantType,
)
from pywasi_web.component.values import Err, Ok, Some, Variant
from pywasi_web.errors import GuestTrap
from pywasi_web.preview1.memory import BufferMemory

STRING, U8, U32, F32, F64, S8 = (Prim(name) for name in ("string", "u8", "u32", "f32", "f64", "s8"))


def context(encoding: str = "utf8") -> tuple[Context, bytearray, list[tuple[int, int, int]]]:
    memory = bytearray(1 << 16)
    calls: list[tuple[int, int, int]] = []
    top = [1024]

    def realloc(old: int, old_size: int, align: int, new_size: int) -> int:
        ptr = -(-top[0] // align) * align
        top[0] = ptr + new_size
        calls.append((align, new_size, ptr))
        return ptr

    options = Options(BufferMemory(lambda: memoryview(memory)), realloc, encoding)
    return Context(options, HandleTable(), object(), CallScope()), memory, calls


@pytest.mark.parametrize("encoding", ["utf8", "utf16", "latin1+utf16"])
@pytest.mark.parametrize("text", ["", "plain", "café", "snow ☃ and 😀"])
def test_strings_round_trip_in_every_encoding(encoding: str, text: str) -> None:
    cx, memory, calls = context(encoding)
    ptr, units = cx.store_string(text)
    if encoding == "utf8":
        assert memory[ptr : ptr + units] == text.encode()
    elif encoding == "utf16" or any(ord(c) > 255 for c in text):
        tagged = encoding == "latin1+utf16"
        assert bool(units & UTF16_TAG) == tagged
        length = units & ~UTF16_TAG
        assert memory[ptr : ptr + 2 * length] == text.encode("utf-16-le")
    else:
        assert memory[ptr : ptr + units] == text.encode("latin-1")  # compact when it fits
    assert calls[0][0] == (1 if encoding == "utf8" else 2)
    assert cx.load_string(ptr, units) == text


SHAPES: list[tuple[Any, Any]] = [
    (Record((("offset-ms", U32), ("name", STRING))), {"offset_ms": 7, "name": "x"}),
    (TupleType((U8, STRING, F64)), (1, "two", 3.5)),
    (ListType(U8), b"\x00\xffbytes"),
    (ListType(STRING), ["a", "", "ccc"]),
    (VariantType((("none", None), ("small", U8), ("real", F32), ("text", STRING))), Variant("real", 1.5)),
    (VariantType((("none", None), ("small", U8), ("real", F32), ("text", STRING))), Variant("none")),
    (Enum(("red", "green", "blue")), "blue"),
    (Flags(tuple(f"f{i}" for i in range(40))), frozenset({"f0", "f33", "f39"})),
    (OptionType(OptionType(U32)), Some(None)),
    (OptionType(OptionType(U32)), Some(5)),
    (OptionType(U32), None),
    (ResultType(STRING, U32), Err(404)),
    (ResultType(None, None), Ok(None)),
    (S8, -128),
]


@pytest.mark.parametrize(("t", "value"), SHAPES)
def test_values_round_trip_through_memory_and_flat(t: Any, value: Any) -> None:
    cx, _memory, _calls = context()
    ptr = 64 * alignment(t)
    cx.store(t, value, ptr)
    assert cx.load(t, ptr) == value
    flat = cx.lower_flat(t, value)
    assert len(flat) == len(flatten(t))
    assert cx.lift_flat(t, iter(flat)) == value
    assert size(t) % alignment(t) == 0


def test_layout_follows_the_canonical_abi() -> None:
    variant = VariantType((("a", U8), ("b", F64), ("c", STRING)))
    assert flatten(variant) == ("i32", "i64", "i32")  # f64 joined with i32 -> i64
    assert (size(variant), alignment(variant)) == (16, 8)
    assert size(Flags(tuple(f"f{i}" for i in range(33)))) == 8
    assert size(Record((("a", U8), ("b", U32), ("c", U8)))) == 12


@pytest.mark.parametrize(
    ("t", "raw", "message"),
    [
        (STRING, (1 << 16) - 2, "outside linear memory"),
        (Enum(("a", "b")), 2, "case 2 is out of range"),
        (Prim("char"), 0xD800, "not a Unicode scalar value"),
    ],
)
def test_bad_guest_values_trap(t: Any, raw: int, message: str) -> None:
    cx, memory, _calls = context()
    memory[100:104] = raw.to_bytes(4, "little")
    memory[104:108] = (16).to_bytes(4, "little")  # a string's length, past the end from raw
    with pytest.raises(GuestTrap, match=message):
        cx.load(t, 100)


def test_bad_strings_trap() -> None:
    cx, memory, _calls = context("utf8")
    memory[10:12] = b"\xff\xfe"
    with pytest.raises(GuestTrap, match="not valid utf-8"):
        cx.load_string(10, 2)
    cx16, _memory, _calls = context("utf16")
    with pytest.raises(GuestTrap, match="not aligned to 2"):
        cx16.load_string(11, 1)
