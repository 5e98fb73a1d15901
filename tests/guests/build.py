"""Build the C test guests (tests/guests/*.c) with the project's cached ziglang toolchain.

`python tests/guests/build.py [NAMES]` builds them (in parallel) and prints the paths. Every
guest's cache key includes the shared headers, so editing check.h rebuilds them all.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pywasi_web.cli.toolchain import build_c

GUESTS_DIR = Path(__file__).resolve().parent


def guest_names() -> list[str]:
    return sorted(path.stem for path in GUESTS_DIR.glob("*.c"))


def build_guest(name: str) -> Path:
    return build_c(GUESTS_DIR / f"{name}.c", depends=tuple(sorted(GUESTS_DIR.glob("*.h"))))


def build_all(names: list[str] | None = None) -> dict[str, Path]:
    chosen = names or guest_names()
    with ThreadPoolExecutor() as pool:
        return dict(zip(chosen, pool.map(build_guest, chosen), strict=True))


def main(argv: list[str]) -> int:
    for name, path in build_all(argv or None).items():
        print(f"{name}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
