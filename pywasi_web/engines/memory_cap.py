"""A memory limit for engines that cannot impose one (the browser's): rewrite the module's maximum.

wasmtime caps memory through its store (`WasmtimeEngine(max_memory=)`); the browser's
WebAssembly API has no such knob, but a memory's declared maximum is binding, so lowering it in
the module's memory section gives the same behaviour: past the limit `memory.grow` returns -1 and
the guest's allocator reports out of memory, on both engines.
"""

from __future__ import annotations

from pywasi_web.engines.wasm_reader import Reader
from pywasi_web.errors import ModuleError

PAGE = 65536
_MEMORY_SECTION = 5


def cap_memory(wasm: bytes, max_bytes: int) -> bytes:
    """`wasm` with every memory's maximum lowered to `max_bytes` (whole 64 KiB pages).

    Raises ModuleError when a memory starts larger than the limit, or is of a kind (shared,
    64-bit) whose limit this does not rewrite. Bytes too malformed to read come back unchanged,
    for the engine's compiler to report.
    """
    try:
        return _cap_memory(wasm, max_bytes)
    except IndexError:
        return wasm


def _cap_memory(wasm: bytes, max_bytes: int) -> bytes:
    limit = max_bytes // PAGE
    reader = Reader(wasm, 8)
    out = bytearray(wasm[:8])
    while reader.position < len(wasm):
        start = reader.position
        section, size = reader.byte(), reader.u32()
        end = reader.position + size
        if section != _MEMORY_SECTION:
            out += wasm[start:end]
        else:
            body = _capped_memories(reader, limit, max_bytes)
            out += bytes([section]) + _leb(len(body)) + body
        reader.position = end
    return bytes(out)


def _capped_memories(reader: Reader, limit: int, max_bytes: int) -> bytes:
    count = reader.u32()
    body = bytearray(_leb(count))
    for _ in range(count):
        flags = reader.byte()
        if flags not in (0, 1):
            raise ModuleError("the module's memory is shared or 64-bit: its size cannot be limited here")
        minimum = reader.u32()
        maximum = reader.u32() if flags else limit
        if minimum > limit:
            raise ModuleError(
                f"the module needs {minimum * PAGE} bytes of memory at start; the limit is {max_bytes}"
            )
        body += bytes([1]) + _leb(minimum) + _leb(min(maximum, limit))
    return bytes(body)


def _leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
