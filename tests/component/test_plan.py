"""The call plan of a canon lower (component/plan.py) against the interpreter it stands for: a
host function lowered through `calls.lower` receives the values the guest's flat arguments stand
for, and hands back the flat value or the memory contents the interpreter would have produced;
bad values and handles still trap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pywasi_web.component.abi import Context
from pywasi_web.component.calls import ComponentFunction, InstanceState, core_signature, lower
from pywasi_web.component.layout import MAX_FLAT_PARAMS, alignment, flatten
from pywasi_web.component.resources import CallScope, ResourceType
from pywasi_web.component.types import (
    Borrow,
    Enum,
    Flags,
    FuncType,
    ListType,
    Own,
    Prim,
    ResultType,
    TupleType,
)
from pywasi_web.component.values import Err
from pywasi_web.errors import GuestTrap
from tests.component.test_abi import SHAPES, STRING, U8, U32, context


class _Store:
    """The CoreStore seen by `lower`: it keeps the core function's body, called here as an engine would."""

    def host_function(
        self, params: tuple[str, ...], results: tuple[str, ...], function: Callable[..., Any], **_: Any
    ) -> Callable[..., Any]:
        self.signature = (params, results)
        return function


def lowered(ft: FuncType, host: Callable[..., Any]) -> tuple[Callable[..., Any], Context, InstanceState]:
    """The core function for `host`, the context its guest memory is read through, its state."""
    cx, _memory, _calls = context()
    state = InstanceState()
    store = _Store()
    body = lower(store, ComponentFunction(ft, host), cx.options, state)
    assert store.signature == core_signature(ft, lift=False)
    return body, Context(cx.options, state.table, state, CallScope()), state


PARAMS = [(t, value) for t, value in SHAPES if len(flatten(t)) <= MAX_FLAT_PARAMS]


@pytest.mark.parametrize(("t", "value"), PARAMS)
def test_parameters_arrive_as_the_interpreter_lifts_them(t: Any, value: Any) -> None:
    received: list[Any] = []
    body, cx, _state = lowered(FuncType((("a", t), ("b", U8)), None), lambda a, b: received.append((a, b)))
    assert body(*cx.lower_flat(t, value), 7) is None
    assert received == [(value, 7)]


@pytest.mark.parametrize(("t", "value"), SHAPES)
def test_results_leave_as_the_interpreter_lowers_them(t: Any, value: Any) -> None:
    body, cx, _state = lowered(FuncType((), t), lambda: value)
    if len(flatten(t)) == 1:
        assert body() == cx.lower_flat(t, value)[0]
        return
    out = 64 * alignment(t)  # below the allocator's blocks
    assert body(out) is None
    assert cx.load(t, out) == value
    if alignment(t) > 1:
        with pytest.raises(GuestTrap, match="not aligned"):
            body(out + 1)


def test_signed_and_unsigned_flat_integers_lift_alike() -> None:
    received: list[Any] = []
    body, _cx, _state = lowered(
        FuncType((("a", U32), ("b", Prim("s8"))), None), lambda *a: received.append(a)
    )
    body(-1, 0xFF)  # the browser passes an i32 signed, wasmtime unsigned
    body(0xFFFFFFFF, -1)
    assert received == [(0xFFFFFFFF, -1), (0xFFFFFFFF, -1)]


@pytest.mark.parametrize(
    ("t", "value", "message"),
    [
        (U8, 256, "does not fit u8"),
        (U32, True, "not an integer"),
        (Prim("char"), "ab", "not a char"),
        (Enum(("a", "b")), "c", "not a case"),
    ],
)
def test_host_values_that_do_not_fit_trap(t: Any, value: Any, message: str) -> None:
    body, _cx, _state = lowered(FuncType((), t), lambda: value)
    with pytest.raises(GuestTrap, match=message):
        body()


def test_err_is_the_error_case_of_a_result_and_raised_otherwise() -> None:
    def fail() -> None:
        raise Err(404)

    body, cx, _state = lowered(FuncType((), ResultType(STRING, U32)), fail)
    body(256)
    assert cx.load(ResultType(STRING, U32), 256) == Err(404)
    body, _cx, _state = lowered(FuncType((), U32), fail)
    with pytest.raises(Err):
        body()


def test_handles_follow_the_own_and_borrow_rules() -> None:
    class Thing:
        pass

    resource = ResourceType("thing", host_class=Thing)
    thing = Thing()
    seen: list[Any] = []
    body, _cx, state = lowered(FuncType((("t", Borrow(resource)),), None), seen.append)
    index = state.table.lower_own(resource, thing)
    body(index)
    assert seen == [thing]
    with pytest.raises(GuestTrap, match="unknown handle"):
        body(index + 1)
    make, _cx, state = lowered(FuncType((), Own(resource)), lambda: thing)
    assert state.table.lift_own(resource, make()) is thing
    borrowed, _cx, _state = lowered(FuncType((), Own(resource)), lambda: "not a thing")
    with pytest.raises(GuestTrap, match="is not a thing"):
        borrowed()


def test_strings_and_bytes_come_out_of_guest_memory() -> None:
    received: list[Any] = []
    body, cx, _state = lowered(
        FuncType((("s", STRING), ("b", ListType(U8))), None), lambda *a: received.append(a)
    )
    text, data = cx.store_string("héllo"), cx.store_list(U8, b"\x00\x01")
    body(*text, *data)
    assert received == [("héllo", b"\x00\x01")]
    with pytest.raises(GuestTrap, match="outside linear memory"):
        body(0xFFFF_FF00, 0x1000, *data)


def test_parameters_past_the_flat_limit_come_through_memory() -> None:
    """More than MAX_FLAT_PARAMS flat values: no plan, the general path reads them as a tuple."""
    received: list[Any] = []
    ft = FuncType(tuple((f"p{i}", U32) for i in range(17)), U32)
    body, cx, _state = lowered(ft, lambda *a: received.append(a) or sum(a))
    values = tuple(range(17))
    cx.store(TupleType((U32,) * 17), values, 256)
    assert body(256) == sum(values)
    assert received == [values]


def test_a_result_with_no_flat_value_is_checked_and_returns_nothing() -> None:
    empty = Flags(())
    body, _cx, _state = lowered(FuncType((), empty), lambda: frozenset())
    assert body() is None
    body, _cx, _state = lowered(FuncType((), empty), lambda: frozenset({"x"}))
    with pytest.raises(GuestTrap, match="not one of the flags"):
        body()
