"""The embedder's arguments checked before anything runs: a mistake is a TypeError or ValueError
naming the argument, not a guest that silently sees something else.

A string passed as `args` would otherwise be one argument per character, a NUL would cut the C
string the guest reads at that byte, and a negative timeout would stop the guest at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real


def check_command_line(args: object, argv0: object, env: object) -> None:
    """`args` a sequence of str, `argv0` a str or None, `env` a mapping of str to str; no NULs."""
    if isinstance(args, str | bytes | bytearray):
        raise TypeError(f"args must be a list of strings, not one {type(args).__name__}: use [{args!r}]")
    try:
        items = list(args)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"args must be a list of strings, not {type(args).__name__}") from None
    for index, arg in enumerate(items):
        _check_text(arg, f"args[{index}]")
    if argv0 is not None:
        _check_text(argv0, "argv0")
    if env is None:
        return
    if not isinstance(env, Mapping):
        raise TypeError(f"env must be a mapping of names to values, not {type(env).__name__}")
    for name, value in env.items():
        _check_text(name, "an env name")
        if not name or "=" in name:
            raise ValueError(f"env name {name!r} must be non-empty and contain no '='")
        _check_text(value, f"env[{name!r}]")


def check_timeout(timeout: object) -> None:
    """None, or a positive, finite number of seconds."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, Real):
        raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")


def _check_text(value: object, what: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{what} contains a NUL character, which the guest's C strings cannot hold")
