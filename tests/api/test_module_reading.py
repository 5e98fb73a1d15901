"""Reading a module's imports and exports (engines/wasm_reader.py) skips what it does not need.

The modules that an engine compiles run through Program on CPython (wasmtime) and inside Pyodide
in Chromium (playwright/test_boundary_in_pyodide.py runs this file there too); the one with a
value type no engine knows is read directly.
"""

from __future__ import annotations

import pytest

from pywasi_web import ModuleError, Program
from pywasi_web.engines.base import ExportSpec, ImportSpec
from pywasi_web.engines.wasm_reader import UNKNOWN, read_module
from tests.api.boundary_modules import module

WASI = "wasi_snapshot_preview1"


@pytest.mark.parametrize("name", ["gc_types", "exception_types"])
def test_a_module_with_types_no_import_uses_runs(name: str) -> None:
    assert Program(module(name)).run().exit_code == 7


def test_an_import_of_a_reference_type_is_refused_by_name() -> None:
    with pytest.raises(ModuleError, match=r"env\.take takes or returns ref null: only i32, i64, f32 and f64"):
        Program(module("gc_import")).run(imports={"env": {"take": lambda value: None}})


def test_tag_and_memory_imports_are_read_over_and_refused_by_name() -> None:
    imports = read_module(module("tag_import")).imports
    assert imports == [
        ImportSpec("env", "oops", "tag"),
        ImportSpec("env", "heap", "memory"),
        ImportSpec(WASI, "proc_exit", "func", ("i32",), ()),
    ]
    with pytest.raises(ModuleError, match=r"imports a tag env\.oops; only functions can be provided"):
        Program(module("tag_import")).run()


def _section(code: int, *items: bytes) -> bytes:
    body = bytes([len(items)]) + b"".join(items)
    return bytes([code, len(body)]) + body


def _name(text: str) -> bytes:
    return bytes([len(text)]) + text.encode()


def _import(module_name: str, name: str, type_index: int) -> bytes:
    return _name(module_name) + _name(name) + bytes([0, type_index])


def _module(*types: bytes) -> bytes:
    """Types, then imports of env.t0, env.t1, ... (one per type index, plus one beyond; a rec group
    holds several), a function of type 0 and its export."""
    count = len(types) + sum(item[1] - 1 for item in types if item[0] == 0x4E)
    imports = [_import("env", f"t{index}", index) for index in range(count + 1)]
    functions = _section(3, bytes([0]))
    export = _name("f") + bytes([0, len(imports)])
    return b"\0asm\1\0\0\0" + _section(1, *types) + _section(2, *imports) + functions + _section(7, export)


def test_an_unknown_value_type_leaves_only_the_types_after_it_unknown() -> None:
    plain, unknown_value, after = b"\x60\x01\x7f\x01\x7e", b"\x60\x01\x5a\x00", b"\x60\x00\x00"
    types = read_module(_module(plain, unknown_value, after))
    assert types.imports == [
        ImportSpec("env", "t0", "func", ("i32",), ("i64",)),
        ImportSpec("env", "t1", "func", (UNKNOWN,), ()),
        ImportSpec("env", "t2", "func", (UNKNOWN,), ()),
        ImportSpec("env", "t3", "func", (UNKNOWN,), ()),  # an index past the types
    ]
    assert types.exports == [ExportSpec("f", "func", ("i32",), ("i64",))]


def test_an_unknown_type_form_and_gc_forms_are_read_over() -> None:
    rec_group = b"\x4e\x02" + b"\x50\x00\x5f\x01\x7f\x01" + b"\x4f\x01\x00\x5e\x78\x01"  # struct, sub array
    reference_func = b"\x60\x02\x63\x00\x69\x01\x64\x6e"  # (ref null 0) exnref -> (ref any)
    continuation = b"\x5d\x00"  # the stack-switching proposal's cont type: unknown here
    types = read_module(_module(b"\x60\x00\x00", rec_group, reference_func, continuation))
    assert [(spec.params, spec.results) for spec in types.imports] == [
        ((), ()),
        ((UNKNOWN,), ()),  # the struct of the rec group
        ((UNKNOWN,), ()),  # the array
        (("ref null", "exnref"), ("ref",)),
        ((UNKNOWN,), ()),  # the continuation type
        ((UNKNOWN,), ()),  # past the types
    ]


def test_unreadable_imports_are_a_module_error_not_a_traceback() -> None:
    truncated = _module(b"\x60\x00\x00")[:-9]
    with pytest.raises(ModuleError, match="cannot read the module's imports and exports"):
        read_module(truncated)
