"""Resources across the boundary: a guest-defined resource (counter) used from Python and compared
with wasmtime-py, a host resource (blob, a Python class) used by the guest, and every own/borrow
misuse trapping the guest (tests/component/guests/res.c does each on purpose)."""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime.component as wc

from pywasi_web import GuestTrap, Program
from pywasi_web.component.resources import CallScope, Handle, HandleTable, ResourceType
from tests.component.blob_host import Blob, Blobs
from tests.component.build import native
from tests.component.oracle import call, component, store_with_wasi

COUNTERS = "example:res/counters"


@pytest.fixture(scope="module")
def program() -> Program:
    return Program(native("res"))


def counters(program: Program, blobs: Blobs | None = None) -> Any:
    return program.instantiate(imports={"example:res/blobs": blobs or Blobs()}).exports[COUNTERS]


def test_guest_resource_from_python_same_as_wasmtime(program: Program) -> None:
    ours = counters(program)
    a, b = ours.Counter(5), ours.Counter(7)
    ours.Counter.increment(a, 3)
    merged = ours.Counter.merge(a, b)
    mine = [ours.Counter.get(a), ours.Counter.get(merged), ours.live_count(), ours.consume(merged)]
    mine.append(ours.live_count())
    a.drop()
    mine.append(ours.live_count())

    store = store_with_wasi()
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    linker.define_unknown_imports_as_traps(component(native("res")))
    instance = linker.instantiate(store, component(native("res")))

    def run(name: str, *args: Any) -> Any:
        return call(store, instance, f"{COUNTERS}#{name}", *args)

    ta, tb = run("[constructor]counter", 5), run("[constructor]counter", 7)
    run("[method]counter.increment", ta, 3)
    tmerged = run("[static]counter.merge", ta, tb)
    theirs = [run("[method]counter.get", ta), run("[method]counter.get", tmerged), run("live-count")]
    theirs += [run("consume", tmerged), run("live-count")]
    ta.drop(store)
    theirs.append(run("live-count"))
    assert mine == theirs == [8, 15, 3, 15, 2, 1]


def test_moved_or_dropped_handles_refuse_use(program: Program) -> None:
    ours = counters(program)
    counter = ours.Counter(1)
    ours.consume(counter)  # ownership moved into the guest
    with pytest.raises(TypeError, match="already dropped"):
        ours.Counter.get(counter)
    other = counters(program).Counter(2)
    with pytest.raises(TypeError, match="is not a counter"):
        ours.Counter.get(other)  # another instance's counter is another type


def test_host_resource_used_by_the_guest(program: Program) -> None:
    blobs = Blobs()
    ours = counters(program, blobs)
    assert ours.blob_test(0) == 5 + 10 * 3 + 100  # sizes of make-blob(5) and blob("xyz"), read back
    assert [blob.dropped for blob in blobs.made] == [True]
    lent = Blob(b"12345")
    assert ours.inspect(lent, True) == 5
    assert not lent.dropped  # a borrow's drop ends the loan, not the object
    given = Blob(b"ab")
    assert ours.take_blob(given) == 2
    assert given.dropped  # the guest owned it and dropped it


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        (1, "unknown handle 12345"),
        (2, "unknown handle"),  # dropped twice
        (3, "unknown handle"),  # used after drop
        (4, "is a counter, not a blob"),
        (5, "is a blob, not a counter"),
    ],
)
def test_handle_misuse_traps_the_guest(program: Program, mode: int, message: str) -> None:
    with pytest.raises(GuestTrap, match=message):
        counters(program).blob_test(mode)


def test_host_resources_must_be_of_their_class(program: Program) -> None:
    """A Python value given where a host blob is expected must be a Blob (Blobs.Blob)."""
    with pytest.raises(TypeError, match="'not a blob' is not a blob"):
        counters(program).take_blob("not a blob")
    blobs = Blobs()
    ours = counters(program, blobs)
    assert ours.take_blob(Blob(b"ok")) == 2


def test_a_borrow_kept_past_its_call_traps(program: Program) -> None:
    with pytest.raises(GuestTrap, match="borrowed handle was not dropped"):
        counters(program).inspect(Blob(b"x"), False)


def test_handle_table_rules() -> None:
    """The rules no guest above reaches: lent handles cannot move or be dropped; a borrow is not own."""
    table, kind, scope = HandleTable(), ResourceType("thing"), CallScope()
    owned = table.lower_own(kind, "rep")
    assert table.lift_borrow(kind, owned, scope) == "rep"  # lent for the call
    with pytest.raises(GuestTrap, match="lent out and cannot be dropped"):
        table.drop(kind, owned)
    with pytest.raises(GuestTrap, match="lent out and cannot be moved"):
        table.lift_own(kind, owned)
    scope.finish()
    borrowed = table.add(Handle(kind, "other", own=False, scope=scope))
    with pytest.raises(GuestTrap, match="borrowed; an owned thing was expected"):
        table.lift_own(kind, borrowed)
    assert table.lift_own(kind, owned) == "rep"
    with pytest.raises(GuestTrap, match="unknown handle 0"):
        table.get(0, kind)


class _Stream:
    def __init__(self, key: int | None) -> None:
        self.key = key

    def gather_key(self) -> int | None:
        return self.key


def test_handle_table_keeps_an_engines_leases_in_step() -> None:
    """engines/gathered_writes.py: an engine answers writes only for the handles the table has
    leased to it, from the moment the guest gets one until it leaves the table (dropped or moved)."""
    table, stream, other = HandleTable(), ResourceType("output-stream"), ResourceType("pollable")
    leases: dict[int, int] = {}

    class Leases:
        grant = leases.__setitem__
        revoke = leases.__delitem__

    made = [Leases()]
    assert table.lease(stream, made.pop) is table.lease(stream, made.pop)  # one per resource type
    gathered = table.lower_own(stream, _Stream(1))
    table.lower_own(stream, _Stream(None))  # a stream whose writes are not gathered
    table.lower_own(other, _Stream(2))  # not the leased type
    assert leases == {gathered: 1}
    table.drop(stream, gathered)
    assert leases == {}
    reused = table.lower_own(other, "pollable")  # the dropped index, now another resource
    assert reused == gathered and leases == {}
    moved = table.lower_own(stream, _Stream(0))
    assert leases == {moved: 0}
    table.lift_own(stream, moved)
    assert leases == {}
