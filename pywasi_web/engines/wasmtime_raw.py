"""Host functions on wasmtime through its raw ("unchecked") C callback, shared by the WASI engine
(wasmtime_engine.py) and the component model's core store (wasmtime_core.py).

wasmtime-py's generic trampoline boxes every value and costs ~7 µs a call; the raw callback hands
over the argument slots and costs ~0.2 µs before the function runs. A Python exception in a host
function is parked, the guest is unwound with a trap, and the caller re-raises the parked
exception (`RawHost.take`).
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable
from typing import Any

import wasmtime
from wasmtime import _bindings as ffi
from wasmtime._ffi import dll

from pywasi_web.engines.values import (
    CORE_KINDS,
    WASMTIME_ARGUMENT,
    WASMTIME_RESULT,
    compile_function,
    expressions,
)
from pywasi_web.preview1.memory import Fault, GuestMemory

# The raw callback: wasmtime_val_raw_t slots (16 bytes, read as pairs of u64) arrive as a bare
# address. A typed pointer argument would cost ctypes ~0.1 µs a call to build.
_RawCallback = ctypes.CFUNCTYPE(
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t
)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(0)

# One callback per signature, generated (as dataclasses generates methods) so that each argument
# is one explicit expression from engines/values.py: no loop, no argument tuple. The slots sit in
# the frame of wasmtime's trampoline, at the same address call after call, so the ctypes array
# over them is made once per address and reused.
_CALLBACK_TEMPLATE = """
def bind(function, host, Slots, readers):
    slots_address = slots = None

    def callback(_env, _caller, address, _count):
        nonlocal slots_address, slots
        try:
            if address != slots_address:
                slots = Slots.from_address(address)
                slots_address = address
{body}
            return 0
        except BaseException as error:
            return host.park(error)

    return callback
"""


def _slot(index: int) -> str:
    return f"slots[{2 * index}]"


def arguments(kinds: tuple[str, ...]) -> list[str]:
    """The decoding expression of each argument slot, by kind (engines/values.py)."""
    return expressions(WASMTIME_ARGUMENT, kinds, _slot)


def callback_body(kinds: tuple[str, ...], results: tuple[str, ...]) -> str:
    """Call `function` with the decoded arguments and store what it returns (None, one value,
    or a sequence for several results) into the result slots."""
    call = f"function({', '.join(arguments(kinds))})"
    indent = " " * 12
    if not results:
        return f"{indent}{call}"
    if len(results) == 1:
        return f"{indent}slots[0] = {WASMTIME_RESULT[results[0]].format(f'{call} or 0')}"
    stores = [f"{indent}values = {call}"]
    stores += [
        f"{indent}slots[{2 * index}] = {WASMTIME_RESULT[kind].format(f'values[{index}]')}"
        for index, kind in enumerate(results)
    ]
    return "\n".join(stores)


@functools.cache
def _binder(body: str) -> Callable[..., Callable[..., int]]:
    bind: Callable[..., Callable[..., int]] = compile_function(
        _CALLBACK_TEMPLATE.format(body=body), "bind", Fault=Fault
    )
    return bind


# wasmtime_func_call_unchecked taking untyped pointers, so that the slots can be the same u64
# pairs the callbacks read (wasmtime-py's binding wants an array of its slot union, whose fields
# ctypes sets ~0.7 µs apiece).
_call_unchecked = dll["wasmtime_func_call_unchecked"]
_call_unchecked.restype = ctypes.c_void_p
_call_unchecked.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_size_t, ctypes.c_void_p]

# One caller per core signature, generated like the callbacks: each argument is stored into its
# slot, and each result read back, by one explicit expression from engines/values.py.
_CALL_TEMPLATE = """
def call(context, function, trap, {params}):
    slots = Slots()
{stores}
    error = call_unchecked(context, function, slots, {count}, trap)
    return error, [{results}]
"""


@functools.cache
def caller(params: tuple[str, ...], results: tuple[str, ...]) -> Callable[..., tuple[int | None, list[Any]]]:
    """call(context, function, trap, *args) -> (error, results): a call through wasmtime's raw
    slots of a function of core type `params` -> `results` (`function` and `trap` by reference);
    integers come back signed, as wasmtime-py gives them."""
    count = max(len(params), len(results), 1)
    names = [f"a{index}" for index in range(len(params))]
    stores = [
        f"    slots[{2 * index}] = {WASMTIME_RESULT[kind].format(name)}"
        for index, (kind, name) in enumerate(zip(params, names, strict=True))
    ]
    source = _CALL_TEMPLATE.format(
        params=", ".join(names),
        stores="\n".join(stores),
        count=count,
        results=", ".join(expressions(WASMTIME_ARGUMENT, [CORE_KINDS[k] for k in results], _slot)),
    )
    call: Callable[..., tuple[int | None, list[Any]]] = compile_function(
        source, "call", Slots=ctypes.c_uint64 * (2 * count), call_unchecked=_call_unchecked
    )
    return call


class RawHost:
    """Keeps one store's ctypes callbacks alive, the guest's memory once it exists (for callback
    bodies that answer a call themselves), and the exception a host function raised."""

    def __init__(self) -> None:
        self.callbacks: list[object] = []
        self.pending: BaseException | None = None
        self.memory: GuestMemory | None = None

    def function(
        self,
        store: wasmtime.Store,
        functype: Any,
        body: str,
        function: Callable[..., Any],
        slot_count: int,
        readers: object = None,
    ) -> wasmtime.Func:
        """A wasmtime Func of the core type `functype` (a wasm_functype_t pointer) running the
        callback `body` (see callback_body) over `function`; `slot_count` is the larger of its
        parameter and result counts."""
        slots = ctypes.c_uint64 * (2 * max(slot_count, 1))
        raw_callback = _RawCallback(_binder(body)(function, self, slots, readers))
        self.callbacks.append(raw_callback)
        callback = ctypes.cast(raw_callback, ffi.wasmtime_func_unchecked_callback_t)
        raw = ffi.wasmtime_func_t()
        ffi.wasmtime_func_new_unchecked(
            store._context(), functype, callback, None, _NO_FINALIZER, ctypes.byref(raw)
        )
        return wasmtime.Func._from_raw(raw)

    def park(self, error: BaseException) -> int:
        """Keep the host function's exception for the caller and unwind the guest with a trap."""
        self.pending = error
        trap = ffi.wasmtime_trap_new(b"host function raised", 20)
        return ctypes.cast(trap, ctypes.c_void_p).value or 0

    def take(self) -> BaseException | None:
        error, self.pending = self.pending, None
        return error
