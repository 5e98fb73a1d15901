"""How component-model values look in Python: the contract between the canonical ABI and hosts.

Lifting (guest -> Python) gives, and lowering (Python -> guest) accepts:

- bool -> bool; s8..u64 -> int; f32/f64 -> float; char -> str of length 1; string -> str
- list<u8> -> bytes (lowering also accepts bytearray, memoryview or a list of ints);
  any other list<T> -> list
- record -> dict with snake_case keys (WIT `offset-ms` -> "offset_ms"); tuple -> tuple
- enum -> str, the WIT case name ("would-block")
- flags -> frozenset[str] of the set flag names (lowering accepts any iterable of names)
- variant -> Variant(case, value), value None when the case has no payload
- option<T> -> None or the value itself; when T is itself an option, a `some` is Some(inner):
  Some(None) is some(none), Some(5) is some(some(5)) (lowering also takes a bare 5)
- result<T, E> -> Ok(value) or Err(value); Err is also an Exception
- own<R> / borrow<R> of a host resource -> the Python object itself; of a guest resource -> a
  ResourceHandle (component/resources.py)

Host interfaces are given to instantiation as {"wasi:cli/stdout": object}: the interface name
without its version (a guest importing @0.2.0 or @0.2.8 binds to the same object). A free
function `get-stdout` is the object's attribute `get_stdout`; a resource `output-stream` is its
attribute `OutputStream`, with `[constructor]` -> `OutputStream(...)`, `[static]r.f` ->
`OutputStream.f(...)`, `[method]r.f` -> `obj.f(...)` and `[resource-drop]` -> `obj.drop()` when it
exists. A host function whose result type is result<T, E> may return Ok(v) or Err(e), a bare value
(meaning ok), or raise Err(e).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Variant:
    """A variant's value: the WIT case name and its payload (None when the case carries none)."""

    case: str
    value: Any = None


@dataclass(frozen=True)
class Some:
    """The `some` of option<option<T>>, where None alone would be ambiguous: Some(None)."""

    value: Any


@dataclass(frozen=True)
class Ok:
    value: Any = None


@dataclass(frozen=True)
class Err(Exception):
    """result's error case; a host function may also raise it."""

    value: Any = None

    def __str__(self) -> str:
        return f"Err({self.value!r})"


def snake(name: str) -> str:
    """WIT kebab-case to a Python identifier: `offset-ms` -> `offset_ms`."""
    return name.replace("-", "_")


def pascal(name: str) -> str:
    """A WIT resource name as a Python class name: `output-stream` -> `OutputStream`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))
