"""The `run` flags' values, checked as argparse reads them, and a parser whose errors are one line.

A bad flag is the user's typo, so it is refused before anything runs, with one line naming the
flag and the reason (argparse's own errors print the whole usage first).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from typing import NoReturn

from pywasi_web.errors import CapabilityError
from pywasi_web.net.allowlist import Allowlist

SIZE_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser that reports a usage error as one line and exits with status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def mount(spec: str) -> tuple[str, str]:
    """`HOST[::GUEST]` -> (guest path, host directory); the guest path defaults to HOST."""
    host, separator, guest = spec.partition("::")
    if "::" in guest:
        raise argparse.ArgumentTypeError(f"{spec!r} has more than one '::' (HOST::GUEST)")
    if not host:
        raise argparse.ArgumentTypeError(f"{spec!r} names no host directory before '::'")
    if separator and not guest:
        raise argparse.ArgumentTypeError(f"{spec!r} names no guest path after '::'")
    if not os.path.isdir(host):
        raise argparse.ArgumentTypeError(f"{host} is not a directory")
    return guest or host, host


def variable(spec: str) -> tuple[str, str | None]:
    """`NAME=VALUE` -> (NAME, VALUE); `NAME` alone -> (NAME, None): this process's value, if any."""
    name, has_value, value = spec.partition("=")
    if not name:
        raise argparse.ArgumentTypeError(f"{spec!r} has no variable name before '='")
    return name, value if has_value else None


def network_entry(text: str) -> str:
    """An allowlist entry: host:port, host:* or an origin (scheme://host[:port])."""
    try:
        Allowlist([text])
    except CapabilityError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def seconds(text: str) -> float:
    """A positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def byte_size(text: str) -> int:
    """A size in bytes, optionally with a binary suffix: 65536, 64K, 256M, 2G."""
    match = re.fullmatch(r"(\d+)\s*([KMG]?)(?:i?B)?", text.strip(), re.IGNORECASE)
    if match is None or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size in bytes (such as 67108864 or 64M)")
    return int(match[1]) * SIZE_SUFFIXES[match[2].upper()]
