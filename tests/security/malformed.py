"""A corpus of modules that must be refused or stopped with a clear message, on both hosts.

Each entry: (name, the module's bytes, what the message must mention). Built from WAT with
wasmtime.wat2wasm where the bytes are valid wasm, and by hand where they are not.
"""

from __future__ import annotations

import wasmtime

WASI = "wasi_snapshot_preview1"


def _wat(text: str) -> bytes:
    return wasmtime.wat2wasm(text)


MEMORY = '(memory (export "memory") 1)'
START = '(func (export "_start"))'


def _command(*fields: str) -> bytes:
    """A module from WAT fields, plus an exported memory and an empty _start unless given."""
    body = " ".join(fields)
    extra = ("" if "(memory" in body else MEMORY) + ("" if '"_start"' in body else START)
    return _wat(f"(module {body} {extra})")


def _huge_garbage() -> bytes:
    return b"\0asm\x01\x00\x00\x00" + b"\xff" * (8 << 20)


CORPUS: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "magic"),
    ("not wasm", b"#!/bin/sh\necho hi\n", "magic"),
    ("truncated header", b"\0asm\x01\x00", "magic"),
    ("truncated section", b"\0asm\x01\x00\x00\x00\x01\x05\x01", "invalid WebAssembly module|CompileError"),
    ("huge garbage", _huge_garbage(), "invalid WebAssembly module|CompileError"),
    ("component", b"\0asm\x0d\x00\x01\x00", "component"),
    ("future version", b"\0asm\x02\x00\x00\x00", "unsupported WebAssembly version"),
    (
        "no memory export",
        _wat(f'(module (import "{WASI}" "sched_yield" (func (result i32))) (func (export "_start")))'),
        "exports no memory",
    ),
    (
        "wrong WASI signature",
        _command(f'(import "{WASI}" "fd_write" (func (param i32)))'),
        "fd_write has type",
    ),
    (
        "unknown import",
        _wat(
            '(module (import "env" "mystery" (func)) (memory (export "memory") 1) (func (export "_start")))'
        ),
        "env.mystery",
    ),
    (
        "unknown WASI function",
        _command(f'(import "{WASI}" "fd_teleport" (func))'),
        "fd_teleport",
    ),
    (
        "imported memory",
        _wat('(module (import "env" "memory" (memory 1)) (func (export "_start")))'),
        "memory env.memory",
    ),
    ("no entry point", _wat('(module (memory (export "memory") 1))'), "neither _start nor _initialize"),
    (
        "start function traps",
        _wat(
            '(module (memory (export "memory") 1) (func $s unreachable) (start $s) (func (export "_start")))'
        ),
        "unreachable",
    ),
    (
        "_start traps",
        _command('(func (export "_start") (i32.div_s (i32.const 1) (i32.const 0)) drop)'),
        "divide by zero",
    ),
    (
        "memory too large to instantiate",
        _wat('(module (memory (export "memory") 65537) (func (export "_start")))'),
        "invalid WebAssembly module|memory|CompileError",
    ),
    (
        "stack overflow",
        _wat('(module (memory (export "memory") 1) (func $f (call $f)) (func (export "_start") (call $f)))'),
        "stack|call stack|recursion",
    ),
]
