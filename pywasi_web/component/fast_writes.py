"""The canonical ABI's side of engines/gathered_writes.py: a lowered host method marked with a
`gathered_write` limit (preview2/io.py marks output-stream's `write` and
`blocking-write-and-flush`) becomes a GatheredWrite rule when its type has the one shape the
rule describes, and its instance's handle table keeps the engine's leases for the stream type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pywasi_web.component.abi import Options
from pywasi_web.component.layout import MAX_FLAT_RESULTS, alignment, flatten, size
from pywasi_web.component.resources import HandleTable
from pywasi_web.component.types import Borrow, FuncType, ListType, Prim, ResultType
from pywasi_web.engines.base import CoreStore
from pywasi_web.engines.gathered_writes import GatheredWrite

BYTES = ListType(Prim("u8"))


def gathered_write(
    store: CoreStore,
    ft: FuncType,
    limit: int,
    options: Options,
    table: HandleTable,
    params: tuple[str, ...],
    body: Callable[..., Any],
    *,
    blocking: bool,
) -> object | None:
    """The core function (core parameters `params`) for a host method of type `ft` marked with
    the limit `limit`, answered by the engine where the rule allows and by `body` (its call plan)
    otherwise; None where no rule applies (its shape, a store that offers none, no memory)."""
    writes = store.gathered_writes()
    if writes is None or options.memory is None:
        return None
    types = [t for _, t in ft.params]
    result = ft.result
    if not (
        len(types) == 2
        and isinstance(types[0], Borrow)
        and types[1] == BYTES
        and isinstance(result, ResultType)
        and result.ok is None
        and len(flatten(result)) > MAX_FLAT_RESULTS  # stored at a pointer passed last
    ):
        return None
    leases = table.lease(types[0].resource, writes.leases)
    rule = GatheredWrite(options.memory, leases, limit, alignment(result), size(result))
    return writes.host_function(params, body, rule, blocking=blocking)
