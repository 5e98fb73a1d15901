"""The one typed boundary: how values cross between an engine and Python.

Each value has a kind: how its bits read as a Python number. A preview1 import's parameters take
their kinds from the WASI signature table (abi/signatures.py: a pointer is "u32", a filedelta
"s64"); every other import, and every export, uses its core types' kinds ("s32" and "s64" are
two's complement, as wasmtime-py and the JS API read them; "f32" and "f64" are floats). Each engine
hands its raw values over in its own form (wasmtime: the bits of a raw slot; V8 through Pyodide: a
signed number, a BigInt), given below as one expression per kind. Engines generate their callbacks
from these expressions, one per signature, so every value is decoded by one explicit expression:
no per-function conversion, and the same plain Python ints and floats on both engines.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from pywasi_web.abi.signatures import FUNCTIONS, MODULE, SIGNATURES
from pywasi_web.errors import ModuleError

CORE_KINDS = {"i32": "s32", "i64": "s64", "f32": "f32", "f64": "f64"}

_F32, _F64, _U32, _U64 = struct.Struct("<f"), struct.Struct("<d"), struct.Struct("<I"), struct.Struct("<Q")


def _f32(bits: int) -> float:
    return float(_F32.unpack(_U32.pack(bits))[0])


def _f64(bits: int) -> float:
    return float(_F64.unpack(_U64.pack(bits))[0])


def _f32_bits(value: float) -> int:
    return int(_U32.unpack(_F32.pack(value))[0])


def _f64_bits(value: float) -> int:
    return int(_U64.unpack(_F64.pack(value))[0])


# What generated code may call.
NAMESPACE: dict[str, Any] = {"_f32": _f32, "_f64": _f64, "_f32_bits": _f32_bits, "_f64_bits": _f64_bits}

# wasmtime's raw slot (wasmtime_val_raw_t, read as an unsigned u64): an i32 or f32 fills its low half.
WASMTIME_ARGUMENT = {
    "u32": "{} & 0xFFFFFFFF",
    "s32": "(({} & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000",
    "u64": "{}",
    "s64": "({} ^ 0x8000000000000000) - 0x8000000000000000",
    "f32": "_f32({} & 0xFFFFFFFF)",
    "f64": "_f64({})",
}
# A Python value stored into a raw slot, by core type (ints of either sign wrap).
WASMTIME_RESULT = {
    "i32": "({}) & 0xFFFFFFFF",
    "i64": "({}) & 0xFFFFFFFFFFFFFFFF",
    "f32": "_f32_bits({})",
    "f64": "_f64_bits({})",
}
# What Pyodide hands over from JS: an i32 as a signed int, an i64 as a BigInt (a JsBigInt, which
# int() makes a plain int), a float as an int or a float (1.0 arrives as 1).
JS_VALUE = {
    "u32": "{} & 0xFFFFFFFF",
    "s32": "{}",
    "u64": "int({}) & 0xFFFFFFFFFFFFFFFF",
    "s64": "int({})",
    "f32": "float({})",
    "f64": "float({})",
}
# A Python value handed to an engine for a core type: ints wrapped to their signed range (both
# engines' APIs want that), floats made floats.
PYTHON_ARGUMENT = {
    "i32": "((int({}) & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000",
    "i64": "((int({}) & 0xFFFFFFFFFFFFFFFF) ^ 0x8000000000000000) - 0x8000000000000000",
    "f32": "float({})",
    "f64": "float({})",
}


def core_kinds(types: Sequence[str], where: str) -> tuple[str, ...]:
    """The kinds of plain core values; a module whose host function or export takes another type
    (v128, a reference) is refused with the same message on both engines."""
    other = sorted({kind for kind in types if kind not in CORE_KINDS})
    if other:
        raise ModuleError(
            f"{where} takes or returns {', '.join(other)}: only i32, i64, f32 and f64 cross to Python"
        )
    return tuple(CORE_KINDS[kind] for kind in types)


def wasi_function(module: str, name: str, params: tuple[str, ...], results: tuple[str, ...]) -> bool:
    """Whether the import is a preview1 function imported with WASI's signature."""
    return module == MODULE and SIGNATURES.get(name) == (params, results)


def import_kinds(
    module: str, name: str, params: tuple[str, ...], results: tuple[str, ...]
) -> tuple[str, ...]:
    """The kinds of an import's parameters: WASI's types for a preview1 function imported with
    WASI's signature, the core types' kinds for anything else."""
    if wasi_function(module, name, params, results):
        return tuple(param.type.kind for param in FUNCTIONS[name])
    core_kinds(results, f"the import {module}.{name}")
    return core_kinds(params, f"the import {module}.{name}")


def expressions(forms: dict[str, str], kinds: Sequence[str], raw: Callable[[int], str]) -> list[str]:
    """One decoding expression per value: `raw(index)` is how the engine's raw value is spelled."""
    return [forms[kind].format(raw(index)) for index, kind in enumerate(kinds)]


def compile_function(source: str, name: str, **names: Any) -> Any:
    """Define the generated function `name` from `source`, with the helpers above and `names` in scope."""
    namespace = {**NAMESPACE, **names}
    exec(source, namespace)
    return namespace[name]


def converter(forms: dict[str, str], kinds: Sequence[str], *, single: bool) -> Callable[[Any], Any]:
    """A function converting a value (`single`) or a sequence of values of these kinds; a sequence
    becomes a tuple, a single value stays itself, no values give None."""
    if single and len(kinds) == 1:
        body = forms[kinds[0]].format("v")
    else:
        items = expressions(forms, kinds, lambda index: f"v[{index}]")
        body = f"({', '.join(items)},)" if items else "None"
    convert: Callable[[Any], Any] = compile_function(f"def convert(v):\n    return {body}\n", "convert")
    return convert


class ExportCall:
    """An exported function's signature, to turn a Python call into what the engine takes."""

    def __init__(self, name: str, params: tuple[str, ...], results: tuple[str, ...]) -> None:
        where = f"the export {name!r}"
        self.name = name
        self.params = params
        self.results = results
        self.result_kinds = core_kinds(results, where)
        core_kinds(params, where)
        self._arguments = converter(PYTHON_ARGUMENT, params, single=False)

    def arguments(self, args: Sequence[Any]) -> tuple[Any, ...]:
        """Ints of either sign wrapped to their parameter's width, floats as floats."""
        if len(args) != len(self.params):
            raise TypeError(f"{self.name} takes {len(self.params)} arguments ({len(args)} given)")
        converted: tuple[Any, ...] = self._arguments(args) or ()
        return converted
