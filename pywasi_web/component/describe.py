"""A one-line-per-definition outline of a parsed component (imports, core modules, instances,
canonical functions, exports), for `python -m pywasi_web.component.describe FILE` and tests."""

from __future__ import annotations

import sys
from pathlib import Path

from pywasi_web.component import parse as p


def outline(component: p.Component, indent: str = "") -> list[str]:
    lines: list[str] = []
    for item in component.definitions:
        if isinstance(item, p.Import):
            lines.append(f"{indent}import {item.name!r} ({item.desc.kind})")
        elif isinstance(item, p.Export):
            lines.append(f"{indent}export {item.name!r} ({item.sort} {item.index})")
        elif isinstance(item, p.CoreModule):
            lines.append(f"{indent}core module ({len(item.wasm)} bytes)")
        elif isinstance(item, p.CoreInstantiate):
            arguments = ", ".join(name for name, _ in item.args)
            lines.append(f"{indent}core instance of module {item.module} with [{arguments}]")
        elif isinstance(item, p.CoreExports):
            lines.append(f"{indent}core instance of {len(item.exports)} exports")
        elif isinstance(item, p.Instantiate):
            lines.append(f"{indent}instance of component {item.component}")
        elif isinstance(item, p.Canon):
            lines.append(f"{indent}canon {item.kind} {item.target}")
        elif isinstance(item, p.Component):
            lines.append(f"{indent}component")
            lines.extend(outline(item, indent + "  "))
    return lines


def main(argv: list[str]) -> int:
    for path in argv:
        print("\n".join(outline(p.parse(Path(path).read_bytes()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
