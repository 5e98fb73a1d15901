"""The test modules of test_boundary.py, as WebAssembly text.

On CPython `module(name)` assembles them with wasmtime; inside Pyodide (where wasmtime does not
exist) playwright/test_boundary_in_pyodide.py hands the same modules over already assembled, in
boundary_modules.json next to this file.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path

ASSEMBLED = Path(__file__).with_name("boundary_modules.json")

WAT = {
    # an import of every core value type with several results, and exports passing values through
    "every_type": """(module
      (import "env" "f" (func $f (param i32 i64 f32 f64) (result i32 i64 f32 f64)))
      (import "env" "one" (func $one (param i64) (result i64)))
      (import "env" "boom" (func $boom))
      (memory (export "memory") 1)
      (func (export "_initialize"))
      (func (export "call_f") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
        (call $f (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "call_one") (param i64) (result i64) (call $one (local.get 0)))
      (func (export "call_boom") (call $boom))
      (func (export "same") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
        (local.get 0) (local.get 1) (local.get 2) (local.get 3))
      (func (export "address") (result i64) (i64.const 16))
      (func (export "half") (param f32) (result f32) (f32.div (local.get 0) (f32.const 2))))""",
    # the same name imported twice, a WASI function and an extra import, as Go and AssemblyScript emit
    "duplicates": """(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w1 (param i32 i32 i32 i32) (result i32)))
      (import "env" "tick" (func $t1 (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $w2 (param i32 i32 i32 i32) (result i32)))
      (import "env" "tick" (func $t2 (param i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\\10\\00\\00\\00\\03\\00\\00\\00")
      (data (i32.const 16) "ab\\n")
      (func (export "_start")
        (drop (call $w1 (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))
        (drop (call $w2 (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))
        (drop (call $t1 (i32.const 1)))
        (drop (call $t2 (i32.const 2)))))""",
    "duplicates_differ": """(module
      (import "env" "g" (func (param i32)))
      (import "env" "g" (func (param i64)))
      (func (export "_start")))""",
    "v128_import": """(module
      (import "env" "v" (func (param v128)))
      (func (export "_start")))""",
    # WASI calls with the raw bits the guest passes: what preview1 sees is what the table says
    "wasi_values": """(module
      (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $size (param i32 i64) (result i32)))
      (memory (export "memory") 1)
      (func (export "_initialize"))
      (func (export "seek") (param i32 i64 i32 i32) (result i32)
        (call $seek (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "write") (param i32 i32 i32 i32) (result i32)
        (call $write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "set_size") (param i32 i64) (result i32) (call $size (local.get 0) (local.get 1))))""",
    # GC's types (a rec group, sub types, struct, array, reference value types) in types that no
    # import uses; the imports are plain WASI
    "gc_types": """(module
      (rec (type $node (sub (struct (field i32) (field (ref null $list)))))
           (type $list (sub final $node (struct (field i32) (field (ref null $list)) (field (mut i64))))))
      (type $bytes (array (mut i8)))
      (type $takes (func (param (ref null $node) anyref i31ref (ref $bytes)) (result eqref)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func $unused (type $takes) (ref.null eq))
      (func (export "_start") (call $exit (i32.const 7))))""",
    # the exception proposal: a tag and exnref in a type no import uses
    "exception_types": """(module
      (type $catcher (func (param exnref) (result exnref)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (tag $oops (param i32))
      (memory (export "memory") 1)
      (func $unused (type $catcher) (local.get 0))
      (func (export "_start") (call $exit (i32.const 7))))""",
    # a GC reference in an extra import's own type: that import (only) cannot cross to Python
    "gc_import": """(module
      (type $pair (struct (field i32) (field i32)))
      (import "env" "take" (func (param (ref null $pair))))
      (memory (export "memory") 1)
      (func (export "_start")))""",
    # imports of a tag and of a 64-bit memory before a function: read over, then refused by name
    "tag_import": """(module
      (import "env" "oops" (tag (param i32 i64)))
      (import "env" "heap" (memory i64 1 2))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (export "memory" (memory 0))
      (func (export "_start") (call $exit (i32.const 7))))""",
}


@cache
def _assembled() -> dict[str, bytes]:
    return {name: base64.b64decode(text) for name, text in json.loads(ASSEMBLED.read_text()).items()}


def module(name: str) -> bytes:
    try:
        import wasmtime
    except ImportError:
        return _assembled()[name]
    return bytes(wasmtime.wat2wasm(WAT[name]))


def assembled_json() -> str:
    """Every module assembled, for a host without wasmtime."""
    return json.dumps({name: base64.b64encode(module(name)).decode() for name in WAT})
