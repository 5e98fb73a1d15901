"""The canonical ABI's value conversions: lifting core values and linear memory into Python values
(values.py) and lowering them back, with realloc for strings and lists, the three string
encodings and resource handles. Every guest error (bad pointer, bad UTF-8, bad discriminant,
bad handle) traps; the value that does not fit its type traps too, naming the type.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pywasi_web.component.layout import (
    align_to,
    alignment,
    cases_of,
    discriminant_size,
    fields_of,
    flatten,
    memoized,
    payload_offset,
    size,
)
from pywasi_web.component.resources import CallScope, HandleTable, ResourceHandle, ResourceType, trap
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
)
from pywasi_web.component.values import Err, Ok, Some, Variant, snake
from pywasi_web.errors import GuestTrap
from pywasi_web.preview1.memory import Fault, GuestMemory

UTF16_TAG = 1 << 31
_INTS = {
    width: (struct.Struct(form), (1 << (8 * width)) - 1)
    for width, form in ((1, "<B"), (2, "<H"), (4, "<I"), (8, "<Q"))
}
_RANGES = {"s8": 8, "u8": 8, "s16": 16, "u16": 16, "s32": 32, "u32": 32, "s64": 64, "u64": 64}


@dataclass
class Options:
    """A canon definition's options, with the core items they name resolved."""

    memory: GuestMemory | None = None
    realloc: Callable[[int, int, int, int], int] | None = None
    encoding: str = "utf8"
    post_return: Callable[..., Any] | None = None


class Context:
    """One lift or lower: the options, the instance's handle table and the call's scope."""

    def __init__(self, options: Options, table: HandleTable, instance: object, scope: CallScope) -> None:
        self.options = options
        self.table = table
        self.instance = instance
        self.scope = scope

    # -- memory primitives
    @property
    def memory(self) -> GuestMemory:
        if self.options.memory is None:
            raise trap("the canonical options give no memory")
        return self.options.memory

    def read(self, ptr: int, length: int) -> bytes:
        try:
            return self.memory.read(ptr, length)
        except Fault:
            raise _outside(ptr, length) from None

    def check(self, ptr: int, length: int) -> None:
        """Trap unless the range is inside linear memory (without copying it)."""
        try:
            self.memory.check(ptr, length)
        except Fault:
            raise _outside(ptr, length) from None

    def write(self, ptr: int, data: bytes | bytearray | memoryview) -> None:
        try:
            self.memory.write(ptr, data)
        except Fault:
            raise _outside(ptr, len(data)) from None

    def load_int(self, ptr: int, width: int) -> int:
        return int(_INTS[width][0].unpack(self.read(ptr, width))[0])

    def store_int(self, ptr: int, value: int, width: int) -> None:
        packing, mask = _INTS[width]
        self.write(ptr, packing.pack(value & mask))

    def allocate(self, align: int, length: int) -> int:
        if self.options.realloc is None:
            raise trap("the canonical options give no realloc")
        ptr = self.options.realloc(0, 0, align, length) & 0xFFFFFFFF
        if ptr != align_to(ptr, align):
            raise trap(f"realloc returned {ptr}, not aligned to {align}")
        self.check(ptr, length)
        return ptr

    # -- loading from memory
    def load(self, t: Any, ptr: int) -> Any:
        if isinstance(t, Prim):
            name = t.name
            if name == "string":
                return self.load_string(self.load_int(ptr, 4), self.load_int(ptr + 4, 4))
            if name == "bool":
                return self.load_int(ptr, 1) != 0
            if name == "f32":
                return _canonical(struct.unpack("<f", self.read(ptr, 4))[0])
            if name == "f64":
                return _canonical(struct.unpack("<d", self.read(ptr, 8))[0])
            if name == "char":
                return _char(self.load_int(ptr, 4))
            return LIFT_SCALAR[name](self.load_int(ptr, _RANGES[name] // 8))
        if isinstance(t, ListType):
            return self.load_list(t.element, self.load_int(ptr, 4), self.load_int(ptr + 4, 4))
        if isinstance(t, Record | TupleType):
            values = []
            for f in fields_of(t):
                ptr = align_to(ptr, alignment(f))
                values.append(self.load(f, ptr))
                ptr += size(f)
            return self._record(t, values)
        if isinstance(t, Flags):
            return _unpack_flags(t, self.load_int(ptr, size(t)) if t.names else 0)
        if isinstance(t, Own | Borrow):
            return self.lift_handle(t, self.load_int(ptr, 4))
        cases = cases_of(t)
        index = self.load_int(ptr, discriminant_size(len(cases)))
        if index >= len(cases):
            raise trap(f"case {index} is out of range for a type of {len(cases)} cases")
        payload = cases[index][1]
        value = None if payload is None else self.load(payload, ptr + payload_offset(t))
        return self._case(t, index, value)

    def load_string(self, ptr: int, tagged: int) -> str:
        encoding = self.options.encoding
        if encoding == "utf8":
            align, length, codec = 1, tagged, "utf-8"
        elif encoding == "utf16" or tagged & UTF16_TAG:
            align, length, codec = 2, 2 * (tagged & ~UTF16_TAG), "utf-16-le"
        else:
            align, length, codec = 2, tagged, "latin-1"
        if ptr != align_to(ptr, align):
            raise trap(f"a string at {ptr} is not aligned to {align}")
        try:
            return self.read(ptr, length).decode(codec)
        except UnicodeDecodeError:
            raise trap(f"a string is not valid {codec}") from None

    def load_list(self, element: Any, ptr: int, length: int) -> Any:
        if isinstance(element, Prim) and element.name == "u8":  # bytes, in one copy (aligned: 1)
            return self.read(ptr, length)
        align, stride = alignment(element), size(element)
        if ptr != align_to(ptr, align):
            raise trap(f"a list at {ptr} is not aligned to {align}")
        self.check(ptr, length * stride)
        return [self.load(element, ptr + i * stride) for i in range(length)]

    # -- storing into memory
    def store(self, t: Any, value: Any, ptr: int) -> None:
        storer(t)(self, value, ptr)

    def store_string(self, value: Any) -> tuple[int, int]:
        if not isinstance(value, str):
            raise trap(f"the value {value!r} is not a string")
        encoding = self.options.encoding
        if encoding == "utf8":
            data, align, units = value.encode("utf-8", "surrogatepass"), 1, -1
        elif encoding == "latin1+utf16" and all(ord(c) < 256 for c in value):
            data, align, units = value.encode("latin-1"), 2, -1
        else:
            data, align = value.encode("utf-16-le", "surrogatepass"), 2
            units = len(data) // 2 | (UTF16_TAG if encoding == "latin1+utf16" else 0)
        if len(data) >= UTF16_TAG:
            raise trap("a string is too long")
        ptr = self.allocate(align, len(data))
        self.write(ptr, data)
        return ptr, len(data) if units < 0 else units

    def store_list(self, element: Any, value: Any) -> tuple[int, int]:
        if (
            isinstance(element, Prim)
            and element.name == "u8"
            and isinstance(value, bytes | bytearray | memoryview)
        ):
            data = value if isinstance(value, bytes | bytearray) else bytes(value)  # copied once, below
            ptr = self.allocate(1, len(data))
            self.write(ptr, data)
            return ptr, len(data)
        items = list(value)
        stride = size(element)
        ptr = self.allocate(alignment(element), len(items) * stride)
        for i, item in enumerate(items):
            self.store(element, item, ptr + i * stride)
        return ptr, len(items)

    # -- flat values
    def lift_flat(self, t: Any, values: Iterator[Any]) -> Any:
        if isinstance(t, Prim):
            name = t.name
            if name == "string":
                ptr = next(values) & 0xFFFFFFFF
                return self.load_string(ptr, next(values) & 0xFFFFFFFF)
            return LIFT_SCALAR[name](next(values))
        if isinstance(t, ListType):
            ptr = next(values) & 0xFFFFFFFF
            return self.load_list(t.element, ptr, next(values) & 0xFFFFFFFF)
        if isinstance(t, Record | TupleType):
            return self._record(t, [self.lift_flat(f, values) for f in fields_of(t)])
        if isinstance(t, Flags):
            bits = 0
            for k in range(len(flatten(t))):
                bits |= (next(values) & 0xFFFFFFFF) << (32 * k)
            return _unpack_flags(t, bits)
        if isinstance(t, Own | Borrow):
            return self.lift_handle(t, next(values) & 0xFFFFFFFF)
        cases = cases_of(t)
        slots = flatten(t)[1:]
        index = next(values) & 0xFFFFFFFF
        if index >= len(cases):
            raise trap(f"case {index} is out of range for a type of {len(cases)} cases")
        raw = [next(values) for _ in slots]
        payload = cases[index][1]
        value = None
        if payload is not None:
            wanted = flatten(payload)
            value = self.lift_flat(
                payload, iter([_narrow(h, w, v) for h, w, v in zip(slots, wanted, raw, strict=False)])
            )
        return self._case(t, index, value)

    def lower_flat(self, t: Any, value: Any) -> list[Any]:
        if isinstance(t, Prim):
            name = t.name
            if name == "string":
                return list(self.store_string(value))
            return [LOWER_SCALAR[name](value)]
        if isinstance(t, ListType):
            return list(self.store_list(t.element, value))
        if isinstance(t, Record | TupleType):
            return [v for f, item in zip(fields_of(t), self._fields(t, value), strict=True)
                    for v in self.lower_flat(f, item)]  # fmt: skip
        if isinstance(t, Flags):
            bits = _pack_flags(t, value)
            return [(bits >> (32 * k)) & 0xFFFFFFFF for k in range(len(flatten(t)))]
        if isinstance(t, Own | Borrow):
            return [self.lower_handle(t, value)]
        cases = cases_of(t)
        slots = flatten(t)[1:]
        index, payload = _match_case(t, value)
        case_type = cases[index][1]
        flat: list[Any] = []
        if case_type is not None:
            have = flatten(case_type)
            flat = [
                _widen(h, w, v)
                for h, w, v in zip(have, slots, self.lower_flat(case_type, payload), strict=False)
            ]
        flat.extend(0.0 if kind in ("f32", "f64") else 0 for kind in slots[len(flat) :])
        return [index, *flat]

    # -- resources
    def lift_handle(self, t: Own | Borrow, index: int) -> Any:
        resource: ResourceType = t.resource
        if isinstance(t, Own):
            rep = self.table.lift_own(resource, index)
        else:
            rep = self.table.lift_borrow(resource, index, self.scope)
        return rep if resource.owner is None else ResourceHandle(resource, rep)

    def lower_handle(self, t: Own | Borrow, value: Any) -> int:
        resource: ResourceType = t.resource
        rep = value
        if resource.owner is None and not resource.admits(value):
            raise trap(f"{value!r} is not a {resource.described()}")
        if resource.owner is not None:
            if not isinstance(value, ResourceHandle) or value.type is not resource:
                raise trap(f"{value!r} is not a {resource.name}")
            if value.dropped:
                raise trap(f"{value!r} was already dropped")
            rep = value.rep
            if isinstance(t, Own):
                value.dropped = True  # ownership moves into the guest
        if isinstance(t, Own):
            return self.table.lower_own(resource, rep)
        return self.table.lower_borrow(resource, rep, self.scope, self.instance)

    # -- Python shapes of records and variants
    @staticmethod
    def _record(t: Any, values: list[Any]) -> Any:
        if isinstance(t, TupleType):
            return tuple(values)
        return {snake(name): v for (name, _), v in zip(t.fields, values, strict=True)}

    @staticmethod
    def _fields(t: Any, value: Any) -> Iterable[Any]:
        if isinstance(t, TupleType):
            items = tuple(value)
            if len(items) != len(t.elements):
                raise trap(f"the tuple {value!r} has {len(items)} items, not {len(t.elements)}")
            return items
        try:
            if isinstance(value, Mapping):
                return [value[snake(name)] for name, _ in t.fields]
            return [getattr(value, snake(name)) for name, _ in t.fields]
        except (KeyError, AttributeError) as missing:
            raise trap(f"the record {value!r} lacks the field {missing}") from None

    @staticmethod
    def _case(t: Any, index: int, value: Any) -> Any:
        if isinstance(t, Enum):
            return t.names[index]
        if isinstance(t, OptionType):
            if index == 0:
                return None
            return Some(value) if isinstance(t.element, OptionType) else value
        if isinstance(t, ResultType):
            return Ok(value) if index == 0 else Err(value)
        return Variant(t.cases[index][0], value)


Storer = Callable[[Context, Any, int], None]


@memoized
def storer(t: Any) -> Storer:
    """store(cx, value, ptr): how a value of type `t` is stored, decided once per type (and kept
    on it, as layout.py keeps sizes): offsets, widths and the parts' storers are worked out here,
    not on every call."""
    if isinstance(t, Prim):
        return _prim_storer(t)
    if isinstance(t, ListType):
        element = t.element

        def store_list(cx: Context, value: Any, ptr: int) -> None:
            begin, length = cx.store_list(element, value)
            cx.store_int(ptr, begin, 4)
            cx.store_int(ptr + 4, length, 4)

        return store_list
    if isinstance(t, Record | TupleType):
        fields, offset = [], 0
        for f in fields_of(t):
            offset = align_to(offset, alignment(f))
            fields.append((offset, storer(f)))
            offset += size(f)

        def store_record(cx: Context, value: Any, ptr: int) -> None:
            for (offset, store), item in zip(fields, cx._fields(t, value), strict=True):
                store(cx, item, ptr + offset)

        return store_record
    if isinstance(t, Flags):
        width = size(t)
        return lambda cx, value, ptr: cx.store_int(ptr, _pack_flags(t, value), width) if t.names else None
    if isinstance(t, Own | Borrow):
        return lambda cx, value, ptr: cx.store_int(ptr, cx.lower_handle(t, value), 4)
    cases = cases_of(t)
    width, at = discriminant_size(len(cases)), payload_offset(t)
    payloads = [None if case_type is None else storer(case_type) for _, case_type in cases]

    def store_case(cx: Context, value: Any, ptr: int) -> None:
        index, payload = _match_case(t, value)
        cx.store_int(ptr, index, width)
        store = payloads[index]
        if store is not None:
            store(cx, payload, ptr + at)

    return store_case


def _prim_storer(t: Prim) -> Storer:
    name = t.name
    if name == "string":

        def store_string(cx: Context, value: Any, ptr: int) -> None:
            begin, units = cx.store_string(value)
            cx.store_int(ptr, begin, 4)
            cx.store_int(ptr + 4, units, 4)

        return store_string
    if name in ("f32", "f64"):
        packing = struct.Struct("<f" if name == "f32" else "<d")
        return lambda cx, value, ptr: cx.write(ptr, packing.pack(_float(value)))
    lower, width = LOWER_SCALAR[name], size(t)
    return lambda cx, value, ptr: cx.store_int(ptr, lower(value), width)


def _outside(ptr: int, length: int) -> GuestTrap:
    return trap(f"the range {ptr}+{length} is outside linear memory")


def _match_case(t: Any, value: Any) -> tuple[int, Any]:
    """The case index and payload the value stands for."""
    if isinstance(t, Enum):
        if value in t.names:
            return t.names.index(value), None
    elif isinstance(t, OptionType):
        if value is None:
            return 0, None
        return 1, value.value if isinstance(value, Some) else value
    elif isinstance(t, ResultType):
        if isinstance(value, Err):
            return 1, value.value
        return 0, value.value if isinstance(value, Ok) else value
    else:
        for index, (name, _) in enumerate(t.cases):
            if isinstance(value, Variant) and value.case == name:
                return index, value.value
    raise trap(f"the value {value!r} is not a case of {t}")


def _scalar_lifter(name: str) -> Callable[[Any], Any]:
    """The value a flat core value of the scalar type `name` stands for (integers arrive in either
    sign convention)."""
    if name == "bool":
        return lambda raw: (raw & 0xFFFFFFFF) != 0
    if name in ("f32", "f64"):
        return lambda raw: _canonical(float(raw))
    if name == "char":
        return lambda raw: _char(raw & 0xFFFFFFFF)
    bits = _RANGES[name]
    mask, half = (1 << bits) - 1, 1 << (bits - 1)
    if name.startswith("s"):
        return lambda raw: ((raw & mask) ^ half) - half
    return lambda raw: raw & mask


def _scalar_lowerer(name: str) -> Callable[[Any], Any]:
    """The flat core value of a Python value of the scalar type `name`; one that does not fit traps."""
    if name in ("f32", "f64"):
        return _float
    if name == "bool":
        return lambda value: 1 if value else 0
    if name == "char":
        return _char_code
    bits = _RANGES[name]
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if name.startswith("s") else (0, 1 << bits)

    def lower(value: Any) -> int:
        if value.__class__ is int and low <= value < high:  # the common case, in one test
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            raise trap(f"the value {value!r} is not an integer ({name})")
        if not low <= value < high:
            raise trap(f"the value {value} does not fit {name}")
        return value

    return lower


def _char_code(value: Any) -> int:
    if not isinstance(value, str) or len(value) != 1 or 0xD800 <= ord(value) < 0xE000:
        raise trap(f"the value {value!r} is not a char")
    return ord(value)


def _float(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise trap(f"the value {value!r} is not a number")
    return float(value)


def _canonical(value: float) -> float:
    return math.nan if math.isnan(value) else value


def _char(code: int) -> str:
    if code >= 0x110000 or 0xD800 <= code < 0xE000:
        raise trap(f"{code:#x} is not a Unicode scalar value")
    return chr(code)


SCALARS = (*_RANGES, "bool", "char", "f32", "f64")
# Lifting and lowering of every scalar type (all but string) between one flat core value and its
# Python value: the interpreter above and the call plans (plan.py) both use these.
LIFT_SCALAR: dict[str, Callable[[Any], Any]] = {name: _scalar_lifter(name) for name in SCALARS}
LOWER_SCALAR: dict[str, Callable[[Any], Any]] = {name: _scalar_lowerer(name) for name in SCALARS}


def _unpack_flags(t: Flags, bits: int) -> frozenset[str]:
    return frozenset(name for i, name in enumerate(t.names) if bits >> i & 1)


def _pack_flags(t: Flags, value: Any) -> int:
    bits = 0
    for name in value:
        if name not in t.names:
            raise trap(f"{name!r} is not one of the flags {', '.join(t.names)}")
        bits |= 1 << t.names.index(name)
    return bits


def _f32_bits(value: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def _widen(have: str, want: str, value: Any) -> Any:
    """A payload's flat value in the variant's joined slot type."""
    if have == want:
        return value
    if have == "f32":
        return _f32_bits(value)
    if have == "f64":
        return int(struct.unpack("<Q", struct.pack("<d", value))[0])
    return value & 0xFFFFFFFF  # i32 in an i64 slot


def _narrow(have: str, want: str, value: Any) -> Any:
    """The reverse of _widen: a joined slot's value as the case's own flat type."""
    if have == want:
        return value
    if want == "i32":
        return value & 0xFFFFFFFF
    if want == "f32":
        return _canonical(struct.unpack("<f", struct.pack("<I", value & 0xFFFFFFFF))[0])
    return _canonical(struct.unpack("<d", struct.pack("<Q", value % (1 << 64)))[0])
