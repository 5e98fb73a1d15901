"""The call plan of a canon lower: for each parameter the step that lifts it from its flat core
values, for the result the step that lowers it, chosen once from the function type when the
component is linked, and one trampoline generated per function with those steps in a straight
line (as engines/values.py generates the engines' callbacks).

A step only picks which of the canonical ABI's operations (abi.py) applies to a type and which
flat slots feed it: scalars through abi's LIFT_SCALAR and LOWER_SCALAR, strings, lists and handles
through Context's methods, results in memory through abi's storer, anything else through
Context's general lift_flat and lower_flat. So the ABI's rules stay written once; what the plan
saves is walking the type on every call, and, for a function of scalars only (a clock read), the
call's Context and CallScope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pywasi_web.component.abi import LIFT_SCALAR, LOWER_SCALAR, Context, Options, storer
from pywasi_web.component.layout import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, alignment, flatten, flatten_all
from pywasi_web.component.resources import CallScope, trap
from pywasi_web.component.types import Borrow, FuncType, ListType, Own, Prim, ResultType
from pywasi_web.component.values import Err
from pywasi_web.engines.values import compile_function

_U32 = 0xFFFFFFFF

Step = Callable[..., Any]


def _scalar(t: Any) -> bool:
    return isinstance(t, Prim) and t.name in LIFT_SCALAR


def lift_step(t: Any) -> Step:
    """step(cx, *slots): the Python value of a parameter of type `t` (not a scalar: those are
    LIFT_SCALAR's) from its flat core values."""
    if isinstance(t, Prim):  # string
        return lambda cx, ptr, length: cx.load_string(ptr & _U32, length & _U32)
    if isinstance(t, ListType):
        element = t.element
        return lambda cx, ptr, length: cx.load_list(element, ptr & _U32, length & _U32)
    if isinstance(t, Own | Borrow):
        return lambda cx, index: cx.lift_handle(t, index & _U32)
    return lambda cx, *raw: cx.lift_flat(t, iter(raw))


def lower_step(t: Any) -> Step:
    """step(cx, value): the flat core value of a result of type `t` whose flat form has one slot
    or none (None then, the value still checked); not a scalar: those are LOWER_SCALAR's."""
    if isinstance(t, Own | Borrow):
        return lambda cx, value: cx.lower_handle(t, value)
    return lambda cx, value: next(iter(cx.lower_flat(t, value)), None)


def store_step(t: Any) -> Step:
    """step(cx, value, out): a result of type `t` too large for flat values, stored at the
    pointer `out` the caller passed (a lowered function's last parameter)."""
    align, store_value = alignment(t), storer(t)

    def store(cx: Context, value: Any, out: int) -> None:
        ptr = out & _U32
        if ptr % align:
            raise trap(f"a result pointer {ptr} is not aligned to {align}")
        store_value(cx, value, ptr)

    return store


def plannable(ft: FuncType) -> bool:
    """Whether the parameters travel as flat values (past MAX_FLAT_PARAMS they go through memory,
    which calls.py's general path handles)."""
    return len(flatten_all(tuple(t for _, t in ft.params))) <= MAX_FLAT_PARAMS


def trampoline(
    ft: FuncType, function: Callable[..., Any], options: Options, state: Any
) -> Callable[..., Any]:
    """The core function's body for `function` of type `ft` (plannable): it returns the result's
    flat value, or stores the result at the pointer passed last when it does not fit flat."""
    names: dict[str, Any] = {"function": function, "options": options, "state": state}
    slots: list[str] = []
    arguments: list[str] = []
    for index, (_, t) in enumerate(ft.params):
        own = [f"a{len(slots) + k}" for k in range(len(flatten(t)))]
        slots += own
        if _scalar(t):  # one frame fewer: the converter itself
            names[f"lift{index}"] = LIFT_SCALAR[t.name]
            arguments.append(f"lift{index}({own[0]})")
        else:
            names[f"lift{index}"] = lift_step(t)
            arguments.append(f"lift{index}(cx, {', '.join(own)})")
    types = [t for _, t in ft.params] + ([] if ft.result is None else [ft.result])
    plain = all(_scalar(t) for t in types)
    spilled = ft.result is not None and len(flatten(ft.result)) > MAX_FLAT_RESULTS
    lines = [f"def trampoline({', '.join([*slots, 'out'] if spilled else slots)}):"]
    if not plain:
        names.update(Context=Context, CallScope=CallScope)
        lines += ["    scope = CallScope()", "    cx = Context(options, state.table, state, scope)"]
    lines += [f"    x{index} = {argument}" for index, argument in enumerate(arguments)]
    call = f"function({', '.join(f'x{index}' for index in range(len(arguments)))})"
    handlers = []
    if isinstance(ft.result, ResultType):  # an Err the host raises is the result's error case
        names["Err"] = Err
        handlers += ["    except Err as error:", "        result = error"]
    if not plain:  # the loans end with the call, even one the browser abandons to re-run it
        handlers += ["    except BaseException:", "        scope.release()", "        raise"]
    if handlers:
        lines += ["    try:", f"        result = {call}", *handlers]
    else:
        lines.append(f"    result = {call}")
    if not plain:
        lines.append("    scope.finish()")
    if spilled:
        names["store"] = store_step(ft.result)
        lines.append("    store(cx, result, out)")
    elif ft.result is not None and _scalar(ft.result):
        names["lower"] = LOWER_SCALAR[ft.result.name]
        lines.append("    return lower(result)")
    elif ft.result is not None:
        names["lower"] = lower_step(ft.result)
        lines.append("    return lower(cx, result)")
    body: Callable[..., Any] = compile_function("\n".join(lines) + "\n", "trampoline", **names)
    return body
