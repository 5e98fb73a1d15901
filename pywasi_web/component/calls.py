"""canon lift and canon lower: a guest's core function as a Python callable taking and returning
Python values, and a Python callable as a core function a guest imports (CanonicalABI.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pywasi_web.component.abi import Context, Options
from pywasi_web.component.fast_writes import gathered_write
from pywasi_web.component.layout import MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, alignment, flatten_all, size
from pywasi_web.component.plan import plannable, trampoline
from pywasi_web.component.resources import CallScope, HandleTable, trap
from pywasi_web.component.types import FuncType, ResultType, TupleType
from pywasi_web.component.values import Err
from pywasi_web.engines.base import CoreStore
from pywasi_web.errors import GuestTrap


@dataclass(eq=False)
class ComponentFunction:
    """A component-level function: its type and a callable over Python values.

    `blocking` marks a host function that may wait (the browser engine suspends for those);
    `name` is what errors call it (its export name once exported); `gathered_write`, the limit
    of a host method marked by preview2/io.py's `gathered_write` (component/fast_writes.py)."""

    type: FuncType
    call: Callable[..., Any]
    blocking: bool = False
    name: str = "a function"
    gathered_write: int | None = None

    def __call__(self, *args: Any) -> Any:
        return self.call(*args)


class InstanceState:
    """What canon definitions of one component instance share: its handle table, and whether it
    may be entered (a component calling back into itself through the host traps, and so does
    any call after the instance trapped: its state is no longer trustworthy)."""

    def __init__(self) -> None:
        self.table = HandleTable()
        self.busy = False
        self.trapped = False


def core_signature(ft: FuncType, *, lift: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """flatten_functype: past 16 parameters they go through memory; past one result, a lifted
    function returns a pointer and a lowered one takes a pointer to write them to."""
    params = flatten_all(tuple(t for _, t in ft.params))
    results = flatten_all(() if ft.result is None else (ft.result,))
    if len(params) > MAX_FLAT_PARAMS:
        params = ("i32",)
    if len(results) > MAX_FLAT_RESULTS:
        if lift:
            results = ("i32",)
        else:
            params, results = (*params, "i32"), ()
    return params, results


class _Values:
    """A parameter or result list: flat core values when they fit `limit`, else a tuple in linear
    memory behind one pointer. Decided once per function, not per call."""

    def __init__(self, types: tuple[Any, ...], limit: int) -> None:
        self.types = types
        self.record = TupleType(types)
        self.spilled = len(flatten_all(types)) > limit

    def lower(self, cx: Context, values: tuple[Any, ...], out: Iterator[Any] | None) -> list[Any]:
        """Flat values; spilled, into memory from realloc (parameters) or at the pointer `out`
        gives (results of a lowered call)."""
        if not self.spilled:
            return [flat for t, v in zip(self.types, values, strict=True) for flat in cx.lower_flat(t, v)]
        record = self.record
        if out is None:
            ptr = cx.allocate(alignment(record), size(record))
        else:
            ptr = next(out) & 0xFFFFFFFF
            if ptr % alignment(record):
                raise trap(f"a result pointer {ptr} is not aligned to {alignment(record)}")
        cx.store(record, values, ptr)
        return [ptr] if out is None else []

    def lift(self, cx: Context, values: Iterator[Any]) -> list[Any]:
        if not self.spilled:
            return [cx.lift_flat(t, values) for t in self.types]
        ptr = next(values) & 0xFFFFFFFF
        if ptr % alignment(self.record):
            raise trap(f"a pointer {ptr} to values is not aligned to {alignment(self.record)}")
        return list(cx.load(self.record, ptr))


def lift(
    store: CoreStore, core_function: object, ft: FuncType, options: Options, state: InstanceState, name: str
) -> ComponentFunction:
    """canon lift: call the guest's core function with Python values."""
    params = _Values(tuple(t for _, t in ft.params), MAX_FLAT_PARAMS)
    results = _Values(() if ft.result is None else (ft.result,), MAX_FLAT_RESULTS)
    arity = len(params.types)
    core_params, core_results = core_signature(ft, lift=True)

    def call(*args: Any) -> Any:
        name = lifted.name
        if len(args) != arity:
            raise TypeError(f"{name} takes {arity} arguments ({len(args)} given)")
        if state.busy or state.trapped:
            why = "it trapped before" if state.trapped else "it is running"
            raise trap(f"{name}: the component instance cannot be entered: {why}")
        scope = CallScope()
        cx = Context(options, state.table, state, scope)
        state.busy = True
        try:
            try:
                flat_args = params.lower(cx, args, None)
            except GuestTrap as mismatch:  # the caller's values, not the guest, are at fault
                raise TypeError(f"{name}: {str(mismatch).removeprefix('the guest trapped: ')}") from None
            flat_results = store.call(core_function, core_params, core_results, *flat_args)
            values = results.lift(cx, iter(flat_results))
            if options.post_return is not None:
                options.post_return(*flat_results)
            scope.finish()
        except GuestTrap:
            state.trapped = True
            raise
        finally:
            state.busy = False
        return values[0] if values else None

    lifted = ComponentFunction(ft, call, name=name)
    return lifted


def lower(store: CoreStore, function: ComponentFunction, options: Options, state: InstanceState) -> object:
    """canon lower: a core function the guest calls, running `function` on lifted arguments:
    through the call plan made for its type (plan.py), or, with parameters in memory, the
    general path below."""
    ft = function.type
    flat_params, flat_results = core_signature(ft, lift=False)
    if plannable(ft):
        body = trampoline(ft, function.call, options, state)
        limit = function.gathered_write
        if limit is not None:  # the engine may answer some calls itself
            answered = gathered_write(
                store, ft, limit, options, state.table, flat_params, body, blocking=function.blocking
            )
            if answered is not None:
                return answered
        return store.host_function(flat_params, flat_results, body, blocking=function.blocking)
    params = _Values(tuple(t for _, t in ft.params), MAX_FLAT_PARAMS)
    results = _Values(() if ft.result is None else (ft.result,), MAX_FLAT_RESULTS)
    returns_result = isinstance(ft.result, ResultType)

    def general(*flat: Any) -> Any:
        scope = CallScope()
        cx = Context(options, state.table, state, scope)
        values = iter(flat)
        args = params.lift(cx, values)
        try:
            result = function.call(*args)
        except Err as error:
            if not returns_result:
                raise
            result = error
        except BaseException:
            # The loans end with the call, even one the browser abandons to re-run it with stack
            # switching (a blocking function that had to wait: engines/js_core.py).
            scope.release()
            raise
        scope.finish()
        flat_result = results.lower(cx, (result,) if results.types else (), values)
        return flat_result[0] if flat_result else None

    return store.host_function(flat_params, flat_results, general, blocking=function.blocking)
