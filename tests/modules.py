"""Small WASI modules built in Python, for tests that need their bytes to differ or to be invalid."""

from __future__ import annotations

import wasmtime

WASI = "wasi_snapshot_preview1"


def printer(text: str, fillers: int = 0) -> bytes:
    """A command that writes `text` to stdout; `fillers` extra functions make it slower to compile."""
    filler = "(func (param i32) (result i32) " + "(i32.mul (i32.add (local.get 0) (i32.const 7)) " * 20
    filler += "(local.get 0)" + ")" * 20 + ")"
    return wasmtime.wat2wasm(
        f"""(module
          (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "{text}")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const {len(text)}))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
          {filler * fillers})"""
    )


def legacy_exceptions() -> bytes:
    """A command whose _start uses a legacy `try`/`catch` (wat2wasm no longer writes them)."""

    def section(number: int, payload: bytes) -> bytes:
        return bytes([number, len(payload)]) + payload

    def name(text: str) -> bytes:
        return bytes([len(text)]) + text.encode()

    body = bytes([0, 0x06, 0x40, 0x01, 0x07, 0x00, 0x0B, 0x0B])  # try nop catch 0 end end
    exports = bytes([2]) + name("memory") + bytes([2, 0]) + name("_start") + bytes([0, 0])
    return (
        b"\0asm\1\0\0\0"
        + section(1, bytes([1, 0x60, 0, 0]))  # type () -> ()
        + section(3, bytes([1, 0]))
        + section(5, bytes([1, 0, 1]))
        + section(13, bytes([1, 0, 0]))  # a tag of type 0
        + section(7, exports)
        + section(10, bytes([1, len(body)]) + body)
    )
