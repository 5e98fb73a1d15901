"""A native component (tests/component/guests/demo.wit and demo.c) called from Python with typed
values, against wasmtime-py's own component runtime calling the same exports: every shape of the
canonical ABI (strings, lists, bytes, tuples, records, variants, enums, flags, options, results,
many and spilled parameters) and host imports lowered into the guest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import wasmtime.component as wc

from pywasi_web import ModuleError, Program
from pywasi_web.component.values import Err, Ok, Variant
from tests.component.build import native
from tests.component.oracle import call, component, store_with_wasi

SHAPES = "example:demo/shapes"

CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("greet", ("wörld ✓",)),
    ("greet", ("",)),
    ("sum", ([1, -2, 3, 2**31 - 1, -(2**31)],)),
    ("sum", ([],)),
    ("reverse", (b"abc\x00\xff",)),
    ("swap", ((7, "seven"),)),
    ("classify", (5,)),
    ("classify", (-5,)),
    ("maybe-double", (None,)),
    ("maybe-double", (21,)),
    ("maybe-double", (2**31,)),
    ("next-color", ("blue",)),
    ("next-color", ("red",)),
    ("toggle", ({"read"},)),
    ("toggle", (set(),)),
    ("describe", (Variant("circle", 1.5),)),
    ("describe", (Variant("rect", {"x": -1, "y": 2, "label_text": "box"}),)),
    ("describe", (Variant("nothing"),)),
    ("make-point", (3, -4)),
    ("many", (255, -128, 65535, -32768, 2**32 - 1, -(2**31), 2**64 - 1, -(2**63), 1.5, 2.25, "é", True)),
    ("many", (0, 127, 0, 32767, 0, 2**31 - 1, 0, 2**63 - 1, -0.5, -1e300, "\U0001f600", False)),
    ("wide", tuple(range(1, 18))),
    ("split-words", ("  the quick  brown fox ",)),
    ("use-host", (10,)),
    ("use-host", (7,)),
]


class Host:
    """example:demo/host for pywasi_web: the contract's Python object."""

    def __init__(self) -> None:
        self.logged: list[str] = []

    def log(self, message: str) -> None:
        self.logged.append(message)

    def config(self) -> list[tuple[str, str]]:
        return [("mode", "test"), ("level", "3")]

    def checked_half(self, n: int) -> int:
        if n % 2:
            raise Err(f"{n} is odd")
        return n // 2


def neutral(value: Any) -> Any:
    """pywasi_web's and wasmtime-py's value shapes in one comparable form."""
    if isinstance(value, Ok):
        return ("ok", neutral(value.value))
    if isinstance(value, Err):
        return ("err", neutral(value.value))
    if isinstance(value, Variant):
        return (value.case, neutral(value.value))
    if isinstance(value, wc.Variant):
        return (value.tag, neutral(value.payload))
    if isinstance(value, wc.Record):
        return {name.replace("-", "_"): neutral(item) for name, item in vars(value).items()}
    if isinstance(value, dict):
        return {name: neutral(item) for name, item in value.items()}
    if isinstance(value, set | frozenset):
        return frozenset(value)
    if isinstance(value, list | tuple):
        return type(value)(neutral(item) for item in value)
    return value


def to_wasmtime(value: Any) -> Any:
    if isinstance(value, Variant):
        # shape's cases carry distinct Python types, so wasmtime-py takes the bare payload
        return to_wasmtime(value.value)
    if isinstance(value, dict):
        record = wc.Record()
        for name, item in value.items():
            setattr(record, name.replace("_", "-"), to_wasmtime(item))
        return record
    return value


@pytest.fixture(scope="module")
def demo() -> Path:
    return native("demo")


def wasmtime_calls(demo: Path) -> tuple[list[Any], list[str]]:
    logged: list[str] = []
    store = store_with_wasi()
    linker = wc.Linker(store.engine)
    linker.add_wasip2()
    with linker.root() as root, root.add_instance("example:demo/host") as host:
        host.add_func("log", lambda _store, message: logged.append(message))
        host.add_func("config", lambda _store: [("mode", "test"), ("level", "3")])
        host.add_func(
            "checked-half",
            lambda _store, n: f"{n} is odd" if n % 2 else n // 2,  # wasmtime-py tells the cases by type
        )
    instance = linker.instantiate(store, component(demo))
    results = [
        call(store, instance, f"{SHAPES}#{name}", *[to_wasmtime(arg) for arg in args]) for name, args in CALLS
    ]
    return results, logged


def test_typed_exports_same_as_wasmtime(demo: Path) -> None:
    host = Host()
    shapes = Program(demo).instantiate(imports={"example:demo/host": host}).exports[SHAPES]
    ours = [shapes[name](*args) for name, args in CALLS]
    theirs, logged = wasmtime_calls(demo)
    for (name, args), mine, expected in zip(CALLS, ours, theirs, strict=True):
        assert neutral(mine) == neutral(expected), f"{name}{args}"
    assert host.logged == logged == ["use-host called", "use-host called"]


def test_python_shapes_of_values(demo: Path) -> None:
    """The contract of component/values.py, seen from an embedder."""
    shapes = Program(demo).instantiate(imports={"example:demo/host": Host()}).exports[SHAPES]
    assert shapes.greet("you") == "Hello, you!"
    assert shapes.reverse(bytearray(b"xy")) == b"yx"
    assert shapes.reverse([1, 2, 3]) == b"\x03\x02\x01"
    assert shapes.swap([1, "one"]) == ("one", 1)
    assert shapes.classify(-1) == Err("-1 is negative")
    assert shapes.maybe_double(4) == 8
    assert shapes.next_color("green") == "blue"
    assert shapes.toggle(["read", "exec"]) == frozenset({"write"})
    assert shapes.make_point(1, 2) == {"x": 1, "y": 2, "label_text": "(1|2)"}
    assert shapes.split_words("a b") == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("next-color", ("purple",), "not a case"),
        ("toggle", ({"sideways"},), "not one of the flags"),
        ("greet", (42,), "not a string"),
        ("sum", ([2**31],), "does not fit s32"),
        ("make-point", ("1", 2), "not an integer"),
        ("describe", (Variant("rect", {"x": 1}),), "lacks the field"),
    ],
)
def test_values_that_do_not_fit_their_type(
    demo: Path, name: str, args: tuple[Any, ...], message: str
) -> None:
    shapes = Program(demo).instantiate(imports={"example:demo/host": Host()}).exports[SHAPES]
    with pytest.raises(TypeError, match=message):
        shapes[name](*args)


def test_missing_imports_are_named(demo: Path) -> None:
    with pytest.raises(ModuleError, match="imports example:demo/host, which the host does not provide"):
        Program(demo).instantiate()

    class Partial:
        def log(self, message: str) -> None: ...

    with pytest.raises(ModuleError, match="example:demo/host config is missing"):
        Program(demo).instantiate(imports={"example:demo/host": Partial()})
