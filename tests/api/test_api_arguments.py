"""run()/Program.run() given arguments of the wrong shape: a TypeError or ValueError naming the
argument, raised before the guest starts (so it never sees a mangled command line)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from pywasi_web import Program, run
from pywasi_web.cli.toolchain import build_c

GUESTS = Path(__file__).resolve().parents[2] / "playwright" / "guests"


@pytest.fixture(scope="module")
def hello() -> Program:
    return Program(build_c(GUESTS / "hello.c"))


BAD = [
    ({"args": "world"}, TypeError, r"^args must be a list of strings, not one str: use \['world'\]$"),
    ({"args": b"world"}, TypeError, r"^args must be a list of strings, not one bytes"),
    ({"args": 7}, TypeError, r"^args must be a list of strings, not int$"),
    ({"args": ["ok", 2]}, TypeError, r"^args\[1\] must be a str, not int$"),
    ({"args": [Path("a")]}, TypeError, r"^args\[0\] must be a str, not PosixPath$"),
    ({"args": ["a\0b"]}, ValueError, r"^args\[0\] contains a NUL character"),
    ({"argv0": "x\0"}, ValueError, r"^argv0 contains a NUL character"),
    ({"argv0": 3}, TypeError, r"^argv0 must be a str, not int$"),
    ({"env": ["A=1"]}, TypeError, r"^env must be a mapping of names to values, not list$"),
    ({"env": {"A": 1}}, TypeError, r"^env\['A'\] must be a str, not int$"),
    ({"env": {1: "a"}}, TypeError, r"^an env name must be a str, not int$"),
    ({"env": {"A": "x\0y"}}, ValueError, r"^env\['A'\] contains a NUL character"),
    ({"env": {"A\0B": "x"}}, ValueError, r"^an env name contains a NUL character"),
    ({"env": {"": "x"}}, ValueError, r"^env name '' must be non-empty and contain no '='$"),
    ({"env": {"A=B": "x"}}, ValueError, r"^env name 'A=B' must be non-empty and contain no '='$"),
    ({"timeout": -1}, ValueError, r"^timeout must be a positive number of seconds, not -1$"),
    ({"timeout": 0}, ValueError, r"^timeout must be a positive number of seconds, not 0$"),
    ({"timeout": math.nan}, ValueError, r"^timeout must be a positive number of seconds, not nan$"),
    ({"timeout": math.inf}, ValueError, r"^timeout must be a positive number of seconds, not inf$"),
    ({"timeout": "5"}, TypeError, r"^timeout must be a number of seconds or None, not str$"),
    ({"timeout": True}, TypeError, r"^timeout must be a number of seconds or None, not bool$"),
]


@pytest.mark.parametrize(("options", "error", "message"), BAD, ids=[repr(case[0]) for case in BAD])
def test_bad_arguments_are_named_before_the_guest_runs(
    hello: Program, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    seen: list[bytes] = []
    with pytest.raises(error, match=message):
        hello.run(**{"args": ["x"], **options}, stdout=seen.append, stderr=seen.append)
    assert seen == []  # nothing ran
    with pytest.raises(error, match=message):
        run(hello.wasm, **{"args": ["x"], **options})


def test_good_arguments_in_every_accepted_form(hello: Program) -> None:
    """Any sequence of str (a tuple, a list), any mapping, an int or float timeout."""
    for args in (("a", "b"), ["a", "b"]):
        result = hello.run(args, env={"HELLO_NAME": "x"}, timeout=30, capture_output=True)
        assert result.stdout.startswith(b"hello from wasm a b")
    assert hello.run([], timeout=0.5e2, capture_output=True).exit_code == 0
