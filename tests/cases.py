"""The differential cases: ONE data-only list (JSON-serialisable dicts), shared by the CPython tests
and, later, the browser tests, so it names nothing host-specific.

A case:
- name: unique id; guest: a tests/guests/<guest>.c; args: argv after argv[0];
  argv0 (optional): argv[0], default "<guest>.wasm";
- env: {name: value}; stdin: text, or {"base64": ...} for bytes;
- mount: the guest path of the single preopen ("/sandbox", "/", ".", ...) or absent for none;
  files: its initial tree, {relative path: text | {"base64": ...} | {"dir": true} | {"symlink": target}};
  read_only: whether the guest may change it;
- differs (optional): a deliberate difference from wasmtime (docs/api.md): {"why": the reason,
  and what pywasi_web gives instead: "exit_code", "replace" {wasmtime's stdout line: ours},
  "append" [lines after wasmtime's last, where wasmtime trapped]}. Everything else must match.
The expectation is never written here beyond such a difference: wasmtime's own WASI is the oracle.
"""

from __future__ import annotations

from typing import Any

Case = dict[str, Any]

SEED: dict[str, Any] = {
    "existing.txt": "already here\n",
    "sub/inner.txt": "inner\n",
    "sub/deeper/leaf.txt": "leaf\n",
    "emptydir": {"dir": True},
    "link-to-existing": {"symlink": "existing.txt"},
    "link-to-sub": {"symlink": "sub"},
    "dangling": {"symlink": "nowhere"},
}

SMALL_FILES: dict[str, Any] = {
    "small0.txt": "zero: a few bytes\n",
    "small1.txt": "one: 0123456789\n",
    "small2.txt": "two\n",
    "sub": {"dir": True},
}

MOUNTS = {"sandbox": "/sandbox", "root": "/", "dot": ".", "dotdot": "..", "nested": "/a/b/c"}


def _check_cases(guest: str, seed: dict[str, Any]) -> list[Case]:
    """A check guest under every mount shape: the mount path reaches the guest as argv[1]."""
    return [
        {"name": f"{guest}-{label}", "guest": guest, "args": [mount], "mount": mount, "files": seed}
        for label, mount in MOUNTS.items()
    ]


EXIT_STATUS_DIFFERS = (
    "wasmtime ends a guest calling proc_exit with a status outside 0..125 with an error; "
    "pywasi_web reports the status as the exit code"
)


def _exit_status(code: int) -> dict[str, Any]:
    """pywasi_web's exit code is the status proc_exit received (a u32)."""
    return {"why": EXIT_STATUS_DIFFERS, "exit_code": code % (1 << 32)}


CASES: list[Case] = [
    *_check_cases("check_fd", SEED),
    *_check_cases("check_path", SEED),
    *(case for case in _check_cases("check_edges", SEED) if case["mount"] in ("/sandbox", ".")),
    *(
        {
            "name": f"check_readonly-{label}",
            "guest": "check_readonly",
            "args": [mount],
            "mount": mount,
            "files": SEED,
            "read_only": True,
        }
        for label, mount in MOUNTS.items()
    ),
    {
        "name": "check_proc-env-exit7",
        "guest": "check_proc",
        "args": ["/sandbox", "7", "two words", "", "ünïcödé"],
        "env": {"GREETING": "hi", "EMPTY": "", "B": "x=y=z", "A": "1"},
        "stdin": "some input\n",
        "mount": "/sandbox",
        "files": {},
    },
    {"name": "check_proc-no-mount", "guest": "check_proc", "args": ["-"], "stdin": ""},
    {"name": "check_proc-exit-0", "guest": "check_proc", "args": ["-", "0"], "argv0": "custom-argv0"},
    {
        "name": "check_proc-exit-255",
        "guest": "check_proc",
        "args": ["-", "255"],
        "argv0": "",
        "differs": _exit_status(255),
    },
    {
        "name": "check_proc-exit-1000",
        "guest": "check_proc",
        "args": ["-", "1000"],
        "differs": _exit_status(1000),
    },
]


TEXT = "the quick brown fox\njumps over\n\nthe lazy dog\n"
BINARY = {"base64": "AAECA/8A/v0KDQ=="}

CASES += [
    {
        "name": "hello",
        "guest": "hello",
        "args": ["one", "two words", ""],
        "env": {"USER": "guest", "LANG": "C"},
    },
    {"name": "hello-no-args", "guest": "hello", "argv0": "renamed.wasm"},
    {"name": "cat-stdin", "guest": "cat", "stdin": TEXT},
    {"name": "cat-binary-stdin", "guest": "cat", "stdin": BINARY},
    {"name": "cat-empty-stdin", "guest": "cat"},
    {
        "name": "cat-files",
        "guest": "cat",
        "args": ["/data/a.txt", "-", "/data/sub/b.bin", "/data/missing", "/data/link"],
        "stdin": "from stdin\n",
        "mount": "/data",
        "files": {"a.txt": TEXT, "sub/b.bin": BINARY, "link": {"symlink": "a.txt"}},
        "read_only": True,
    },
    {
        "name": "cat-relative-dot",
        "guest": "cat",
        "args": ["a.txt", "./sub/../a.txt"],
        "mount": ".",
        "files": {"a.txt": TEXT, "sub": {"dir": True}},
    },
    {"name": "cat-no-mount", "guest": "cat", "args": ["/etc/passwd"]},
    *(
        {"name": f"rewrite-{label}", "guest": "rewrite", "args": [mount], "mount": mount, "files": {}}
        for label, mount in (("sandbox", "/sandbox"), ("dot", "."))
    ),
    *(
        {"name": f"reopen-{label}", "guest": "reopen", "args": [mount], "mount": mount, "files": SMALL_FILES}
        for label, mount in (("sandbox", "/sandbox"), ("dot", "."))
    ),
    {"name": "gather-stdio", "guest": "gather"},
    {"name": "wc-stdin", "guest": "wc", "stdin": TEXT},
    {
        "name": "wc-files",
        "guest": "wc",
        "args": ["/w/a.txt", "/w/empty", "/w/nope"],
        "mount": "/w",
        "files": {"a.txt": TEXT, "empty": ""},
    },
    {
        "name": "ls-seed",
        "guest": "ls",
        "args": ["/sandbox"],
        "mount": "/sandbox",
        "files": SEED,
        "read_only": True,
    },
    {"name": "ls-root", "guest": "ls", "args": ["/"], "mount": "/", "files": SEED},
    {"name": "ls-dot", "guest": "ls", "mount": ".", "files": SEED},
    {"name": "ls-missing", "guest": "ls", "args": ["/sandbox/nope"], "mount": "/sandbox", "files": {}},
    {"name": "prompt", "guest": "prompt", "stdin": "ada\n\nlinus\nquit\nignored\n"},
    {"name": "prompt-eof", "guest": "prompt", "stdin": "no newline at the end"},
    {"name": "trap-abort", "guest": "trap", "args": ["abort"]},
    {"name": "trap-unreachable", "guest": "trap", "args": ["unreachable"]},
    {"name": "trap-divide", "guest": "trap", "args": ["divide"]},
    {"name": "trap-stack", "guest": "trap", "args": ["stack"]},
    *(
        {
            "name": f"exitcode-{code}-{how}",
            "guest": "exitcode",
            "args": [str(code), how],
            # the status proc_exit received, a u32
            **(
                {"differs": {"why": EXIT_STATUS_DIFFERS, "exit_code": code % (1 << 32)}}
                if not 0 <= code < 126
                else {}
            ),
        }
        for code, how in [
            (0, "exit"),
            (3, "exit"),
            (1, "return"),
            (42, "_Exit"),
            (125, "exit"),
            (126, "exit"),
            (255, "exit"),
            (256, "exit"),
            (-1, "exit"),
        ]
    ),
    {"name": "compute-small", "guest": "compute", "args": ["3", "1000"]},
    {"name": "compute-default", "guest": "compute"},
    {"name": "compute-bad-args", "guest": "compute", "args": ["1", "0"]},
]


def _differs(check: str, why: str, **difference: Any) -> Case:
    """A deliberate difference (docs/api.md): what pywasi_web gives instead of wasmtime's answer."""
    return {
        "name": f"differs-{check}",
        "guest": "check_differs",
        "args": [check, "/sandbox"],
        "stdin": "input for fd_read\n",
        "mount": "/sandbox",
        "files": {},
        "differs": {"why": why, **difference},
    }


def _answered(label: str, errno: str) -> dict[str, Any]:
    """wasmtime traps at the case's one call; pywasi_web answers `errno` and the guest ends well."""
    return {"exit_code": 0, "append": [f"001 {label}: {errno}", "done (1 checks, 0 harness failures)"]}


def _lines(*changes: tuple[str, str, str]) -> dict[str, Any]:
    """Check lines whose answer differs: (label, wasmtime's, ours)."""
    return {"replace": {f"{label}: {theirs}": f"{label}: {ours}" for label, theirs, ours in changes}}


_EFAULT = "wasmtime traps on a guest pointer outside memory; pywasi_web returns EFAULT"
_ENUM = "wasmtime traps on an out-of-range enum argument; pywasi_web returns EINVAL"
CASES += [
    *(
        _differs(check, _EFAULT, **_answered(label, "EFAULT"))
        for check, label in (
            ("efault-fd_write", "fd_write from outside memory"),
            ("efault-iovec-array", "fd_write iovec array outside memory"),
            ("efault-fd_read", "fd_read into outside memory"),
            ("efault-result", "args_sizes_get result outside memory"),
            ("efault-path", "path_open path outside memory"),
            ("efault-random", "random_get into outside memory"),
        )
    ),
    *(
        _differs(check, _ENUM, **_answered(label, "EINVAL"))
        for check, label in (
            ("enum-advice", "fd_advise advice=9"),
            ("enum-whence", "fd_seek whence=7"),
            ("enum-clock", "clock_time_get id=9"),
        )
    ),
    _differs(
        "cpu-clocks",
        "wasmtime gives EBADF for the CPU-time clocks; pywasi_web gives the CPU time",
        **_lines(
            *(
                (f"{number:03} clock_{call}_get {clock} cputime", "EBADF", "ok")
                for number, (clock, call) in enumerate(
                    [("process", "res"), ("process", "time"), ("thread", "res"), ("thread", "time")], start=1
                )
            )
        ),
    ),
    _differs(
        "set-rights",
        "wasmtime gives ENOTSUP for fd_fdstat_set_rights; pywasi_web narrows rights, and a path call "
        "lacking its right is ENOTCAPABLE",
        **_lines(
            ("001 fd_fdstat_set_rights drop write", "ENOTSUP", "ok"),
            ("002 write after dropping FD_WRITE", "ok", "EBADF"),
            ("003 fd_fdstat_set_rights add back", "ENOTSUP", "ENOTCAPABLE"),
            ("004 fd_fdstat_set_rights drop PATH_FILESTAT_SET_SIZE", "ENOTSUP", "ok"),
            ("005 open with O_TRUNC without PATH_FILESTAT_SET_SIZE", "ok", "ENOTCAPABLE"),
        ),
    ),
    _differs(
        "rights-enforced",
        "wasmtime ignores rights beyond the access mode; pywasi_web enforces them",
        **_lines(
            ("002   fd_read with none", "ok", "EBADF"),
            ("003   fd_seek with none", "ok", "EBADF"),
            ("004   fdstat rights", "base=3fffffbf inheriting=3fffffbf", "base=0 inheriting=0"),
            ("006   fd_read with readdir only", "ok", "EBADF"),
            ("007   fd_seek with readdir only", "ok", "EBADF"),
            ("008   fdstat rights", "base=3fffffbf inheriting=3fffffbf", "base=0 inheriting=0"),
            ("011   fd_seek with read without seek", "ok", "EBADF"),
            ("012   fdstat rights", "base=3fffffbf inheriting=3fffffbf", "base=2 inheriting=0"),
        ),
    ),
    _differs(
        "readv",
        "wasmtime's fd_read fills only the first buffer of several; pywasi_web fills them all "
        "(a short read, which POSIX allows, against a full one)",
        **_lines(("002   bytes read", "0123|", "0123|456789")),
    ),
]


def case_named(name: str) -> Case:
    """The case called `name` (for running one case by hand)."""
    return next(case for case in CASES if case["name"] == name)
