"""The differential cases: data only (JSON-serialisable), so CPython and the browser run the same list.

Each case names a guest in tests/differential/guests, its argv after argv[0], environment, stdin,
and its mounts: a guest path, initial files ({path: text, or None for a directory}) and whether
the mount is read-only. The expectation is never written here: wasmtime's own WASI is the oracle.
"""

from __future__ import annotations

from typing import Any

Case = dict[str, Any]

SEED_FILES = {"existing.txt": "already here\n", "sub/inner.txt": "inner\n", "emptydir": None}

CASES: list[Case] = [
    {
        "name": "fsops-sandbox",
        "guest": "fsops",
        "args": ["/sandbox"],
        "mounts": [{"guest": "/sandbox", "files": SEED_FILES}],
    },
    {"name": "fsops-root", "guest": "fsops", "args": ["/"], "mounts": [{"guest": "/", "files": SEED_FILES}]},
    {"name": "fsops-dot", "guest": "fsops", "args": ["."], "mounts": [{"guest": ".", "files": {}}]},
    {"name": "fsops-dotdot", "guest": "fsops", "args": [".."], "mounts": [{"guest": "..", "files": SEED_FILES}]},
    {
        "name": "errnos",
        "guest": "errnos",
        "mounts": [{"guest": "/s", "files": {}}, {"guest": "/r", "files": {"r": "r"}, "read_only": True}],
    },
    {
        "name": "process-stdin-exit",
        "guest": "process",
        "args": ["3", "two words", ""],
        "env": {"GREETING": "hi", "EMPTY": ""},
        "stdin": "first line\nsecond line\n",
    },
    {"name": "process-no-stdin", "guest": "process", "args": [], "env": {}, "stdin": ""},
]


def mounts(case: Case) -> list[dict[str, Any]]:
    return list(case.get("mounts", []))
