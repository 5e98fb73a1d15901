"""The package's layering (ARCHITECTURE.md): imports point down only, and the plain-Python layers
never import an engine. Read from the source, imports inside functions included, so a shortcut
taken in a hurry shows up here rather than as a cycle later."""

from __future__ import annotations

import ast
from pathlib import Path

import pywasi_web

PACKAGE = Path(pywasi_web.__file__).parent

# Lowest first. A part may import parts of lower layers only; parts of one layer are independent.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("abi", "user_cache"),
    ("errors",),
    ("vfs", "net"),
    ("kernel",),
    ("preview1",),
    ("engines",),
    ("component",),
    ("preview2",),
    ("browser",),  # Pyodide's host parts, which api picks for allow= inside Pyodide (README's Layout)
    ("api",),
    ("notebook", "cli"),
    ("__init__",),
)
RANK = {part: rank for rank, layer in enumerate(LAYERS) for part in layer}
ENGINE_MODULES = {"js", "pyodide", "wasmtime"}
ENGINE_FREE = {"abi", "errors", "vfs", "net", "kernel", "preview1"}


def _part(source: Path) -> str:
    relative = source.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imports(source: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`."""
    found: list[tuple[int, str]] = []
    package = ".".join(("pywasi_web", *source.relative_to(PACKAGE).parent.parts))
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.append((node.lineno, f"{base}.{node.module}" if node.module else base))
            elif node.module:
                found.append((node.lineno, node.module))
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(source) for source in _sources()}
    assert parts <= RANK.keys(), f"give these a layer in LAYERS: {sorted(parts - RANK.keys())}"


def test_imports_point_down_only() -> None:
    upward = []
    for source in _sources():
        here = _part(source)
        for line, module in _imports(source):
            names = module.split(".")
            if names[0] != "pywasi_web" or len(names) < 2 or names[1] == here:
                continue
            if RANK[names[1]] >= RANK[here]:
                upward.append(f"{source.relative_to(PACKAGE)}:{line} imports {module}")
    assert not upward, "imports that do not point down:\n" + "\n".join(upward)


def test_the_plain_python_layers_never_import_an_engine() -> None:
    leaks = [
        f"{source.relative_to(PACKAGE)}:{line} imports {module}"
        for source in _sources()
        if _part(source) in ENGINE_FREE
        for line, module in _imports(source)
        if module.split(".")[0] in ENGINE_MODULES
    ]
    assert not leaks, "\n".join(leaks)
