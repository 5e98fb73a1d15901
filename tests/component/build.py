"""Test components, cached by content hash beside the C guests (~/.cache/pywasi_web/guests):

- adapted(guest): a tests/guests C program made a component with the preview1 adapter that jco
  ships (`wasm-tools component new --adapt`);
- native(name): tests/component/guests/<name>.c, a reactor whose canonical-ABI glue is written by
  hand from <name>.wit, embedded (`wasm-tools component embed`) and made a component.

`python tests/component/build.py NAME...` prints the paths (adapted guests, or native:NAME);
`python -m tests.component.build --into DIR` (part of `make examples`) puts the components that
docs/components.md runs into DIR: hello.component.wasm (examples/hello.c adapted), demo.wasm,
provider.wasm and res.wasm.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pywasi_web.cli.toolchain import REACTOR_ADAPTER, WASM_TOOLS, build_c, cached, componentize, wasm_tools
from tests.guests.build import build_guest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CABI = HERE / "guests" / "cabi.h"  # included by every hand-written component guest, and by probe.h


def _version() -> bytes:
    return wasm_tools("--version").encode()


def adapted(guest: str) -> Path:
    return componentize(build_guest(guest), guest)


def versioned(guest: str, version: str) -> Path:
    """adapted(guest) with every WASI interface it names moved to `version` (0.2.x), through
    `wasm-tools print` and `parse`: a component built against another WASI 0.2 release."""
    component = adapted(guest)

    def make(output: Path) -> None:
        source = output.with_suffix(".wat")
        try:
            text = subprocess.run(
                [str(WASM_TOOLS), "print", str(component)], capture_output=True, text=True, check=True
            ).stdout
            source.write_text(re.sub(r"(wasi:[a-z-]+/[a-z-]+)@0\.2\.\d+", rf"\1@{version}", text))
            wasm_tools("parse", str(source), "-o", str(output))
        finally:
            source.unlink(missing_ok=True)

    return cached(f"{guest}-{version}", [component.read_bytes(), version.encode(), _version()], make)


def native(name: str, world: str | None = None, package: str | None = None) -> Path:
    """guests/<name>.c for `world` (default: name) of guests/<package or name>.wit."""
    source, wit = HERE / "guests" / f"{name}.c", HERE / "guests" / f"{package or name}.wit"
    headers = sorted((HERE / "guests").glob("*.h"))  # cabi.h, and what guests of one .wit share
    core = build_c(source, extra_flags=("-mexec-model=reactor",), depends=(wit, *headers))

    def make(output: Path) -> None:
        embedded = output.with_suffix(".embedded")
        try:
            wasm_tools(
                "component", "embed", str(wit), "--world", world or name, str(core), "-o", str(embedded)
            )
            adapt = f"wasi_snapshot_preview1={REACTOR_ADAPTER}"
            wasm_tools("component", "new", str(embedded), "--adapt", adapt, "-o", str(output))
        finally:
            embedded.unlink(missing_ok=True)

    inputs = [
        core.read_bytes(),
        wit.read_bytes(),
        (world or name).encode(),
        REACTOR_ADAPTER.read_bytes(),
        _version(),
    ]
    return cached(f"{name}-native", inputs, make)


COMPOSITION = """(component
  (component $provider {provider})
  (component $demo {demo})
  (instance $p (instantiate $provider))
  (instance $d (instantiate $demo (with "example:demo/host" (instance $p "example:demo/host"))))
  (export "example:demo/shapes" (instance $d "example:demo/shapes"))
)
"""

RESOURCES = """(component
  (component $blobs {blobs})
  (component $res {res})
  (instance $b (instantiate $blobs))
  (instance $r (instantiate $res (with "example:res/blobs" (instance $b "example:res/blobs"))))
  (export "example:res/blobs" (instance $b "example:res/blobs"))
  (export "example:res/counters" (instance $r "example:res/counters"))
)
"""


def composed() -> Path:
    """demo with its example:demo/host import satisfied by the provider component: one component
    nesting both (written as text around `wasm-tools print` of each, since the pinned toolchain
    has no `compose`), exporting demo's example:demo/shapes."""
    return _compose(
        "composed", COMPOSITION, provider=native("provider", "provider", "demo"), demo=native("demo")
    )


def composed_resources() -> Path:
    """res with its example:res/blobs import satisfied by the blob-provider component, exporting
    both interfaces: guest resources of two types, owned and borrowed, with nothing to import."""
    return _compose(
        "composed-res", RESOURCES, blobs=native("blobs", "blob-provider", "res"), res=native("res")
    )


def _compose(name: str, text: str, **parts: Path) -> Path:
    def make(output: Path) -> None:
        source = output.with_suffix(".wat")
        try:
            source.write_text(text.format(**{part: _body(path) for part, path in parts.items()}))
            wasm_tools("parse", str(source), "-o", str(output))
            wasm_tools("validate", str(output))
        finally:
            source.unlink(missing_ok=True)

    inputs = [*(path.read_bytes() for path in parts.values()), text.encode(), _version()]
    return cached(name, inputs, make)


def _body(component: Path) -> str:
    """A component's text without its outer `(component` ... `)`, to nest it in another."""
    text = subprocess.run(
        [str(WASM_TOOLS), "print", str(component)], capture_output=True, text=True, check=True
    ).stdout.strip()
    return text.removeprefix("(component").removesuffix(")")


EXAMPLES = ROOT / "examples"


def documented() -> dict[str, Path]:
    """The components docs/components.md uses, by the file name it gives them."""
    return {
        "hello.component.wasm": componentize(build_c(EXAMPLES / "hello.c"), "hello-example"),
        "demo.wasm": native("demo"),
        "provider.wasm": native("provider", "provider", "demo"),
        "res.wasm": native("res"),
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--into"] and len(argv) == 2:
        target = Path(argv[1])
        target.mkdir(parents=True, exist_ok=True)
        for name, path in documented().items():
            (target / name).write_bytes(path.read_bytes())
        return 0
    for name in argv:
        path = native(name.removeprefix("native:")) if name.startswith("native:") else adapted(name)
        print(f"{name}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
