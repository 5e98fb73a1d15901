"""The binary format: an adapter-made component's structure as wasm-tools prints it, and bad
bytes (truncated, or corrupted outside the embedded core modules) giving one ModuleError."""

from __future__ import annotations

import random
import subprocess

import pytest

from pywasi_web import Program
from pywasi_web.component import parse as p
from pywasi_web.component.describe import outline
from pywasi_web.errors import ModuleError, PywasiError
from tests.component.build import WASM_TOOLS, adapted, native
from tests.component.test_native import Host


def test_structure_of_an_adapted_command() -> None:
    path = adapted("hello")
    component = p.parse(path.read_bytes())
    imports = [item.name for item in component.definitions if isinstance(item, p.Import)]
    exports = [item.name for item in component.definitions if isinstance(item, p.Export)]
    modules = [item for item in component.definitions if isinstance(item, p.CoreModule)]
    printed = subprocess.run(
        [str(WASM_TOOLS), "print", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert imports == [line.split('"')[1] for line in printed.splitlines() if line.startswith("  (import ")]
    assert "wasi:cli/stdout@0.2.12" in imports and "wasi:io/streams@0.2.12" in imports
    assert exports == ["wasi:cli/run@0.2.12"]
    assert len(modules) == printed.count("\n  (core module ")  # main, adapter, shim, fixup
    nested = [item for item in component.definitions if isinstance(item, p.Component)]
    assert len(nested) == printed.count("\n  (component ")  # the wasi:cli/run shim
    lines = outline(component)
    assert "export 'wasi:cli/run@0.2.12' (instance 15)" in lines
    assert any(
        line.startswith("core instance of module 1 with [env, wasi:filesystem/types") for line in lines
    )


def test_header_detection() -> None:
    assert p.is_component(adapted("hello").read_bytes())
    with pytest.raises(ModuleError, match="component binary version 0a00"):
        p.parse(b"\0asm\x0a\x00\x01\x00")
    with pytest.raises(ModuleError, match="at byte 10: section runs past the end"):
        p.parse(b"\0asm\x0d\x00\x01\x00\x07\x05\x01")


def _core_module_ranges(data: bytes) -> list[range]:
    reader, ranges = p.Reader(data, 8), []
    while reader.pos < reader.end:
        section, size = reader.byte(), reader.u32()
        if section in (1, 4):
            ranges.append(range(reader.pos, reader.pos + size))
        reader.pos += size
    return ranges


def test_corrupt_components_give_one_clear_error() -> None:
    """Truncations and byte flips in the component's own sections: a PywasiError or a run, never
    another exception (corrupt core modules are the engine's to refuse, tested elsewhere)."""
    data = native("demo").read_bytes()
    inside = _core_module_ranges(data)
    outside = [i for i in range(8, len(data)) if not any(i in r for r in inside)]
    chance = random.Random(12)
    variants = [data[: chance.randrange(8, len(data))] for _ in range(10)]
    for _ in range(30):
        mutated = bytearray(data)
        mutated[chance.choice(outside)] = chance.randrange(256)
        variants.append(bytes(mutated))
    refused = 0
    for wasm in variants:
        try:
            Program(wasm).instantiate(imports={"example:demo/host": Host()})
        except PywasiError:
            refused += 1
    assert refused >= 10  # every truncation at least
