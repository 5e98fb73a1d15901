"""A large WASI command generated at bench time (never stored in git): it prints "hello" and holds
thousands of arithmetic functions, so compiling it takes as long as compiling a real program of
its size (the compile-cache benchmark in bench/startup.py)."""

from __future__ import annotations

FUNCTION_BYTES = 3000  # about the size of one filler function's body


def _leb(value: int) -> bytes:
    """Unsigned LEB128."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _sleb(value: int) -> bytes:
    """Signed LEB128."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def _vector(items: list[bytes]) -> bytes:
    return _leb(len(items)) + b"".join(items)


def _section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + _leb(len(payload)) + payload


def _name(text: str) -> bytes:
    return _leb(len(text)) + text.encode()


def _filler(seed: int) -> bytes:
    """(i32) -> i32: rounds of add, multiply and a data-dependent branch on the parameter."""
    code = bytearray()
    step = 0
    while len(code) < FUNCTION_BYTES:
        step += 1
        code += b"\x20\x00\x41" + _sleb((seed * 31 + step) % 100_000) + b"\x6a"  # get 0, const, add
        code += b"\x41" + _sleb(step * 7 + 1) + b"\x6c\x21\x00"  # const, mul, set 0
        code += b"\x20\x00\x41\x01\x71\x04\x40"  # if (x & 1)
        code += b"\x20\x00\x41" + _sleb(step) + b"\x73\x21\x00\x0b"  # x ^= step; end
    code += b"\x20\x00\x0b"  # get 0; end
    body = b"\x00" + bytes(code)  # no locals
    return _leb(len(body)) + body


def big_module(size: int) -> bytes:
    """A command of about `size` bytes whose `_start` writes "hello\\n" to stdout."""
    count = max(1, size // (FUNCTION_BYTES + 8))
    fd_write_type = b"\x60" + _vector([b"\x7f"] * 4) + _vector([b"\x7f"])
    start_type = b"\x60\x00\x00"
    filler_type = b"\x60" + _vector([b"\x7f"]) + _vector([b"\x7f"])
    types = _section(1, _vector([fd_write_type, start_type, filler_type]))
    imports = _section(2, _vector([_name("wasi_snapshot_preview1") + _name("fd_write") + b"\x00\x00"]))
    functions = _section(3, _vector([b"\x01"] + [b"\x02"] * count))
    memory = _section(5, _vector([b"\x00\x01"]))
    exports = _section(7, _vector([_name("memory") + b"\x02\x00", _name("_start") + b"\x00\x01"]))
    # _start: iovec {16, 6} at 0; fd_write(1, 0, 1, 8); the last filler is called so none is dead code
    start = (
        b"\x41\x00\x41\x10\x36\x02\x00"
        b"\x41\x04\x41\x06\x36\x02\x00"
        b"\x41\x01\x41\x00\x41\x01\x41\x08\x10\x00\x1a"
        b"\x41\x00\x10" + _leb(count + 1) + b"\x1a\x0b"
    )
    start_body = b"\x00" + start
    bodies = [_leb(len(start_body)) + start_body] + [_filler(seed) for seed in range(count)]
    code = _section(10, _vector(bodies))
    data = _section(11, _vector([b"\x00\x41\x10\x0b" + _vector([bytes([c]) for c in b"hello\n"])]))
    return b"\0asm\x01\x00\x00\x00" + types + imports + functions + memory + exports + code + data
