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

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pywasi_web.cli.toolchain import build_c, cache_dir
from tests.guests.build import build_guest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ADAPTERS = ROOT / "node_modules" / "@bytecodealliance" / "jco" / "lib"
COMMAND_ADAPTER = ADAPTERS / "wasi_snapshot_preview1.command.wasm"
REACTOR_ADAPTER = ADAPTERS / "wasi_snapshot_preview1.reactor.wasm"
WASM_TOOLS = Path(sys.executable).parent / "wasm-tools"


def wasm_tools(*args: str) -> None:
    completed = subprocess.run([str(WASM_TOOLS), *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wasm-tools {' '.join(args)} failed:\n{completed.stderr}")


def _cached(stem: str, inputs: list[bytes], make: Callable[[Path], None]) -> Path:
    digest = hashlib.sha256()
    for data in inputs:
        digest.update(hashlib.sha256(data).digest())
    output = cache_dir() / f"{stem}-component-{digest.hexdigest()[:16]}.wasm"
    if output.exists():
        return output
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".wasm", dir=output.parent)
    os.close(handle)
    try:
        make(Path(temporary))
        os.replace(temporary, output)  # atomic: concurrent builders never see a partial file
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return output


def _version() -> bytes:
    return subprocess.run([str(WASM_TOOLS), "--version"], capture_output=True, check=True).stdout


def adapted(guest: str) -> Path:
    return adapt(build_guest(guest), guest)


def adapt(core: Path, stem: str) -> Path:
    """A wasip1 command module made a component by the preview1 adapter."""

    def make(output: Path) -> None:
        adapt = f"wasi_snapshot_preview1={COMMAND_ADAPTER}"
        wasm_tools("component", "new", str(core), "--adapt", adapt, "-o", str(output))

    return _cached(stem, [core.read_bytes(), COMMAND_ADAPTER.read_bytes(), _version()], make)


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

    return _cached(f"{guest}-{version}", [component.read_bytes(), version.encode(), _version()], make)


def native(name: str, world: str | None = None, package: str | None = None) -> Path:
    """guests/<name>.c for `world` (default: name) of guests/<package or name>.wit."""
    source, wit = HERE / "guests" / f"{name}.c", HERE / "guests" / f"{package or name}.wit"
    core = build_c(source, extra_flags=("-mexec-model=reactor",), depends=(wit,))

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
    return _cached(f"{name}-native", inputs, make)


COMPOSITION = """(component
  (component $provider {provider})
  (component $demo {demo})
  (instance $p (instantiate $provider))
  (instance $d (instantiate $demo (with "example:demo/host" (instance $p "example:demo/host"))))
  (export "example:demo/shapes" (instance $d "example:demo/shapes"))
)
"""


def composed() -> Path:
    """demo with its example:demo/host import satisfied by the provider component: one component
    nesting both (written as text around `wasm-tools print` of each, since the pinned toolchain
    has no `compose`), exporting demo's example:demo/shapes."""
    demo, provider = native("demo"), native("provider", "provider", "demo")

    def make(output: Path) -> None:
        source = output.with_suffix(".wat")
        try:
            source.write_text(COMPOSITION.format(provider=_body(provider), demo=_body(demo)))
            wasm_tools("parse", str(source), "-o", str(output))
            wasm_tools("validate", str(output))
        finally:
            source.unlink(missing_ok=True)

    inputs = [demo.read_bytes(), provider.read_bytes(), COMPOSITION.encode(), _version()]
    return _cached("composed", inputs, make)


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
        "hello.component.wasm": adapt(build_c(EXAMPLES / "hello.c"), "hello-example"),
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
