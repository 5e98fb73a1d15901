"""The typed engine boundary (engines/values.py): what Python gets from and gives to a guest.

The same file runs on CPython (wasmtime) and inside Pyodide in Chromium (the browser's engine),
through playwright/test_boundary_in_pyodide.py: one expectation, both engines.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from pywasi_web import ModuleError, Program
from pywasi_web.abi.signatures import MODULE
from tests.api.boundary_modules import module

U32, U64 = (1 << 32) - 1, (1 << 64) - 1


def _exact(values: Any) -> list[type]:
    return [type(value) for value in values]


def test_extra_imports_and_exports_of_every_core_type() -> None:
    seen: list[tuple[Any, ...]] = []

    def f(a: int, b: int, c: float, d: float) -> tuple[int, int, float, float]:
        seen.append((a, b, c, d))
        return a + 1, b * 2, c / 2, -d

    process = Program(module("every_type")).instantiate(
        imports={"env": {"f": f, "one": lambda value: value, "boom": lambda: None}}
    )
    result = process.call("call_f", 7, 1 << 40, 1.5, 2.25)
    assert seen == [(7, 1 << 40, 1.5, 2.25)]
    assert result == (8, 1 << 41, 0.75, -2.25)
    assert _exact(seen[0]) == _exact(result) == [int, int, float, float]
    # ints given for floats become floats; f32 rounds to single precision on both engines
    assert process.call("same", 1, 2, 3, 4) == (1, 2, 3.0, 4.0)
    assert _exact(process.call("same", 1, 2, 3, 4)) == [int, int, float, float]
    assert process.call("half", 0.1) == pytest.approx(0.05, rel=1e-6)
    assert process.call("half", 0.1) != 0.05  # single precision, not Python's double
    nan = process.call("same", 0, 0, math.inf, math.nan)
    assert nan[2] == math.inf and math.isnan(nan[3])


def test_integers_are_signed_core_values_whatever_sign_they_were_given_in() -> None:
    seen: list[int] = []

    def one(value: int) -> int:
        seen.append(value)
        return value

    process = Program(module("every_type")).instantiate(
        imports={"env": {"f": lambda *args: args, "one": one, "boom": lambda: None}}
    )
    assert process.call("call_one", U64) == -1
    assert process.call("call_one", 1 << 63) == -(1 << 63)
    assert process.call("call_one", (1 << 63) - 1) == (1 << 63) - 1
    assert process.call("call_one", 5) == 5
    assert seen == [-1, -(1 << 63), (1 << 63) - 1, 5]
    assert _exact(seen) == [int] * 4
    assert process.call("same", U32, 1 << 64, 0, 0)[:2] == (-1, 0)  # wrapped to the parameter's width
    assert process.call("same", 1 << 31, -(1 << 63), 0, 0)[:2] == (-(1 << 31), -(1 << 63))


def test_an_i64_result_is_a_plain_int_that_addresses_memory() -> None:
    process = Program(module("every_type")).instantiate(
        imports={"env": {"f": lambda *args: args, "one": lambda value: value, "boom": lambda: None}}
    )
    address = process.call("address")
    assert type(address) is int and address == 16
    process.memory.write(address + 1, b"xyz")
    assert process.memory.read(address + 1, 3) == b"xyz"


def test_an_import_that_raises_reaches_the_caller_and_the_instance_goes_on() -> None:
    def boom() -> None:
        raise ValueError("raised by the host")

    process = Program(module("every_type")).instantiate(
        imports={"env": {"f": lambda *args: args, "one": lambda value: value, "boom": boom}}
    )
    with pytest.raises(ValueError, match="raised by the host"):
        process.call("call_boom")
    assert process.call("call_one", 3) == 3


def test_export_calls_check_their_arguments() -> None:
    process = Program(module("every_type")).instantiate(
        imports={"env": {"f": lambda *args: args, "one": lambda value: value, "boom": lambda: None}}
    )
    with pytest.raises(TypeError, match="call_one takes 1 arguments"):
        process.call("call_one")
    with pytest.raises(ModuleError, match="no exported function 'nothing'"):
        process.call("nothing")


def test_a_name_imported_twice_is_linked_once() -> None:
    ticks: list[int] = []
    result = Program(module("duplicates")).run(
        imports={"env": {"tick": lambda value: ticks.append(value) or 0}}, capture_output=True
    )
    assert result.stdout == b"ab\nab\n"
    assert ticks == [1, 2]


def test_a_name_imported_twice_with_different_types_is_refused_clearly() -> None:
    with pytest.raises(ModuleError, match=r"imports env\.g twice, as \(i32\) -> \(\) and as \(i64\) -> \(\)"):
        Program(module("duplicates_differ")).run(imports={"env": {"g": lambda value: None}})


def test_a_host_function_of_a_type_python_cannot_take_is_refused_clearly() -> None:
    with pytest.raises(ModuleError, match=r"env\.v takes or returns v128: only i32, i64, f32 and f64"):
        Program(module("v128_import")).run(imports={"env": {"v": lambda value: None}})


def test_wasi_parameters_arrive_with_their_wasi_types() -> None:
    """Pointers and sizes unsigned, a filesize unsigned, a filedelta signed: what the table says,
    seen here by functions the embedder puts in place of preview1's."""
    seen: list[tuple[str, tuple[int, ...]]] = []

    def recorder(name: str) -> Any:
        def record(*args: int) -> int:
            seen.append((name, args))
            return 0

        return record

    names = ("fd_seek", "fd_write", "fd_filestat_set_size")
    process = Program(module("wasi_values")).instantiate(
        imports={MODULE: {name: recorder(name) for name in names}}
    )
    process.call("seek", -1, -1, -1, -1)
    process.call("seek", 0, 1 << 63, 0, 0)
    process.call("write", 1 << 31, -(1 << 31), U32, 1 << 31)
    process.call("set_size", 3, -1)
    process.call("set_size", 3, (1 << 63) + 5)
    assert seen == [
        ("fd_seek", (U32, -1, U32, U32)),
        ("fd_seek", (0, -(1 << 63), 0, 0)),
        ("fd_write", (1 << 31, 1 << 31, U32, 1 << 31)),
        ("fd_filestat_set_size", (3, U64)),
        ("fd_filestat_set_size", (3, (1 << 63) + 5)),
    ]
    assert all(type(value) is int for _, args in seen for value in args)


def test_preview1_sees_and_traces_the_decoded_values() -> None:
    calls: list[tuple[str, tuple[int, ...], int | None]] = []
    process = Program(module("wasi_values")).instantiate(
        trace=lambda name, args, result: calls.append((name, args, result))
    )
    assert process.call("write", 1, 1 << 31, 1, 0) == 21  # EFAULT: a pointer past memory, not negative
    assert process.call("seek", 9, -2, 0, 0) == 8  # EBADF
    assert process.call("set_size", 9, -1) == 8
    assert calls == [
        ("fd_write", (1, 1 << 31, 1, 0), 21),
        ("fd_seek", (9, -2, 0, 0), 8),
        ("fd_filestat_set_size", (9, U64), 8),
    ]
