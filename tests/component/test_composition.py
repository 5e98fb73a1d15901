"""Composition: a component made of components (demo nesting the provider that satisfies its
example:demo/host import) runs as wasmtime runs it; and the embedder links components at run time,
one instance's exports satisfying another's imports, resources included."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web import GuestTrap, Program
from tests.component.build import composed, native
from tests.component.oracle import call, instantiate, store_with_wasi

SHAPES = "example:demo/shapes"
CALLS = [("use-host", (6,)), ("use-host", (7,)), ("use-host", (9,)), ("greet", ("composition",))]
EXPECTED = [
    "provider=1; half=3",
    "provider=2; error=not a multiple of three",
    "provider=3; half=4",
    "Hello, composition!",
]


def test_a_component_made_of_components_same_as_wasmtime() -> None:
    shapes = Program(composed()).instantiate().exports[SHAPES]
    ours = [shapes[name](*args) for name, args in CALLS]
    store = store_with_wasi()
    instance = instantiate(composed(), store)
    theirs = [call(store, instance, f"{SHAPES}#{name}", *args) for name, args in CALLS]
    assert ours == theirs == EXPECTED


def test_components_linked_at_run_time() -> None:
    provider = Program(native("provider", "provider", "demo")).instantiate()
    demo = Program(native("demo")).instantiate(
        imports={"example:demo/host": provider.exports["example:demo/host"]}
    )
    shapes = demo.exports[SHAPES]
    assert [shapes[name](*args) for name, args in CALLS] == EXPECTED


@pytest.fixture
def linked() -> tuple[Any, Any]:
    """res's counters with its blobs import given by the blob-provider component."""
    blobs = Program(native("blobs", "blob-provider", "res")).instantiate().exports["example:res/blobs"]
    res = Program(native("res")).instantiate(imports={"example:res/blobs": blobs})
    return res.exports["example:res/counters"], blobs


def test_a_resource_defined_by_one_component_used_by_another(linked: tuple[Any, Any]) -> None:
    counters, blobs = linked
    assert counters.blob_test(0) == 5 + 10 * 3 + 100
    blob = blobs.Blob(b"hello")
    assert blobs.Blob.size(blob) == 5
    assert counters.inspect(blob, True) == 5  # lent, still ours
    assert blobs.Blob.read(blob) == b"hello"
    assert counters.take_blob(blob) == 5  # moved into res, which drops it
    with pytest.raises(TypeError, match="already dropped"):
        blobs.Blob.size(blob)


@pytest.mark.parametrize(("mode", "message"), [(2, "unknown handle"), (4, "is a counter, not a blob")])
def test_misuse_across_components_traps(linked: tuple[Any, Any], mode: int, message: str) -> None:
    counters, _ = linked
    with pytest.raises(GuestTrap, match=message):
        counters.blob_test(mode)
    with pytest.raises(GuestTrap, match="cannot be entered: it trapped before"):
        counters.live_count()
