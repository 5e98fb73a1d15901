"""The extreme-values differential guest (check_extremes.c, next to this file) on every host.

Each output line is "CALL PARAM=VALUE: ERRNO mem=DIGEST" (or "varies" for results that differ
between hosts by nature). wasmtime's own WASI traps on some (a pointer past memory, an enum or
flags value out of range, where pywasi_web returns EFAULT or EINVAL): the oracle is run again
after each trap, going on from the line after it, so every other line is compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pywasi_web.cli.toolchain import build_c
from tests.cases import Case
from tests.guests.build import GUESTS_DIR
from tests.oracle import TRAP, Tree, run_oracle

SOURCE = Path(__file__).with_name("check_extremes.c")

FILES = {"f.txt": "0123456789", "sl": {"symlink": "f.txt"}, "r1": "rename me", "u": "unlink me"}


def build_extremes() -> Path:
    """The guest, built like tests/guests' (it shares their check.h); it is not one of the shared
    cases (tests/cases.py) because wasmtime traps on some of its calls: see run_wasmtime."""
    return build_c(SOURCE, depends=(GUESTS_DIR / "check.h",))


def extremes_case(stdin: str = "", calls: tuple[str, ...] = ()) -> Case:
    """The guest sweeping `calls` (default: all but proc_raise); stdin names lines to leave out."""
    return {
        "name": "check_extremes",
        "guest": "check_extremes",
        "args": ["/sandbox", *calls],
        "mount": "/sandbox",
        "files": FILES,
        "stdin": stdin,
    }


def label(line: str) -> str:
    """ "fd_seek offset=3: ok mem=..." -> "fd_seek offset=3"."""
    return line.rsplit(":", 1)[0]


def _sweeps(lines: list[str]) -> list[str]:
    """The lines of calls (not the first, which says whether memory grew past 2 GiB)."""
    return [line for line in lines if ": " in line and not line.startswith("memory past")]


@dataclass
class OracleRun:
    lines: dict[str, str]  # label -> line, for the lines wasmtime answered
    trapped: list[str]  # labels where wasmtime trapped
    tree: Tree | None


def run_wasmtime(wasm: Path, our_lines: list[str], workdir: Path, calls: tuple[str, ...] = ()) -> OracleRun:
    """The guest under wasmtime's WASI, resumed after each trap (labels in `our_lines`' order)."""
    order = [label(line) for line in _sweeps(our_lines)]
    answered: dict[str, str] = {}
    trapped: list[str] = []
    resume = ""
    for attempt in range(len(order) + 1):
        outcome = run_oracle(wasm, extremes_case(resume, calls), workdir / str(attempt))
        lines = _sweeps(outcome.stdout.decode().splitlines())
        answered.update((label(line), line) for line in lines if label(line) in order)
        if outcome.exit_code != TRAP:
            return OracleRun(answered, trapped, outcome.tree)
        last = label(lines[-1]) if lines else resume.strip().lstrip("+")
        failed = order[order.index(last) + 1] if last in order else order[0]
        trapped.append(failed)
        resume = f"+{failed}\n"
    raise AssertionError("wasmtime kept trapping")


_LENGTHS = {"iovs_len", "path_len", "old_len", "new_len", "nsubscriptions", "ri_data_len", "si_data_len"}


def _errno(line: str) -> str:
    return line.rsplit(": ", 1)[1].split()[0]


def known_difference(ours: str, theirs: str) -> str | None:
    """Why our line may differ from wasmtime's, each with both answers pinned; None: it may not."""
    call, setting = label(ours).split(" ", 1)
    param, _, value = setting.partition("=")
    mine, wasmtime = _errno(ours), _errno(theirs)
    if param.endswith("fd") and value == "0":
        return "descriptor 0 is stdin: wasmtime's is a host file with a stream's answers, ours a byte stream"
    if param in _LENGTHS and int(value) >= 1 << 31 and (mine, wasmtime) == ("EFAULT", "ENOMEM"):
        return "a length past memory: EFAULT here; wasmtime tries to allocate it first"
    if call == "fd_fdstat_set_rights" and (mine, wasmtime) == ("ok", "ENOTSUP"):
        return "pywasi_web enforces rights (docs/api.md); wasmtime refuses to change them"
    huge_offset = param == "offset" and int(value) >= 1 << 63
    if call in ("fd_pread", "fd_pwrite") and huge_offset and wasmtime == "EINVAL":
        assert mine == ("ok" if call == "fd_pread" else "EFBIG"), ours
        return "offsets of 2**63 and more: the kernel's range checks (issue 11) make them EINVAL"
    if label(ours) == "poll_oneoff in=2147483648" and (mine, wasmtime) == ("ok", "EINVAL"):
        return "a subscription on an unknown clock: an event with EINVAL here, the call's EINVAL in wasmtime"
    if label(ours) == "sock_accept result=4294967295" and (mine, wasmtime) == ("EFAULT", "ENOTSOCK"):
        return "the result pointer is checked before anything is accepted"
    return None
