"""api/js_imports.py on CPython: a component's imports given as JS-shaped functions and classes
(Python callables and classes standing in for the page's JS ones, called with jco-shaped values)
serve the component as a Python host object does; a function that fails, or one that is missing,
is named. Chromium runs the same with real JS functions and classes in
playwright/test_component_js_api.py."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from pywasi_web import GuestTrap, ModuleError, Program
from pywasi_web.api.js_imports import js_interfaces
from pywasi_web.api.js_values import JsValues
from pywasi_web.errors import HostFunctionError
from tests.component.blob_host import Blob, Blobs
from tests.component.build import native
from tests.component.test_native import Host

HOST = "example:demo/host"
BLOBS, COUNTERS = "example:res/blobs", "example:res/counters"


class StandIn:
    """JsCalls (api/js_imports.py) over Python: a class stands in for a JS class, its staticmethods
    for JS statics, and `drop()` for `[Symbol.dispose]()`."""

    def apply(self, function: Any, args: list[Any]) -> Any:
        return function(*args)

    def construct(self, cls: Any, args: list[Any]) -> Any:
        return cls(*args)

    def method(self, target: Any, name: str, args: list[Any]) -> Any:
        return getattr(target, name)(*args)

    def has_method(self, cls: Any, name: str, static: bool) -> bool:
        member = inspect.getattr_static(cls, name, None)
        return member is not None and isinstance(member, staticmethod) == static

    def is_instance(self, value: Any, cls: Any) -> bool:
        return isinstance(value, cls)

    def dispose(self, instance: Any) -> None:
        instance.drop()


def _js_host(logged: list[str], **replace: Any) -> dict[str, Any]:
    """example:demo/host as a page writes it: jco's names and shapes."""
    return {
        "log": logged.append,
        "config": lambda: [["mode", "test"], ["level", "3"]],
        "checkedHalf": lambda n: (
            {"tag": "err", "val": f"{n} is odd"} if n % 2 else {"tag": "ok", "val": n // 2}
        ),
        **replace,
    }


def _instantiate(members: dict[str, Any], interface: str = HOST) -> Any:
    interfaces = js_interfaces({interface: members}, JsValues(), StandIn())
    return Program(native("demo")).instantiate(imports=interfaces)


def test_js_functions_serve_a_component_as_a_python_host_does() -> None:
    logged: list[str] = []
    ours = _instantiate(_js_host(logged)).exports["example:demo/shapes"]
    host = Host()
    theirs = Program(native("demo")).instantiate(imports={HOST: host}).exports["example:demo/shapes"]
    for n in (10, 7, 0):
        assert ours.use_host(n) == theirs.use_host(n)
    assert logged == host.logged == ["use-host called"] * 3


def test_the_wit_name_serves_too() -> None:
    members = _js_host([])
    members["checked-half"] = members.pop("checkedHalf")
    assert _instantiate(members).exports["example:demo/shapes"].use_host(4).endswith("half=2")


def test_a_missing_function_is_named_before_running() -> None:
    members = _js_host([])
    del members["checkedHalf"]
    with pytest.raises(
        ModuleError,
        match=r"host#checked-half, which imports\['example:demo/host'\] does not give \('checked-half'",
    ):
        _instantiate(members)
    with pytest.raises(ModuleError, match="imports example:demo/host, which the host does not provide"):
        _instantiate(_js_host([]), "example:other/host")


def _throws(_message: str) -> None:
    raise RuntimeError("Error: boom")


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"log": _throws}, "example:demo/host#log (given in imports) threw Error: boom"),
        (
            {"checkedHalf": lambda n: n},
            "checked-half (given in imports) returned a value that does not fit: its result: 8 is not {tag, ",
        ),
        (
            {"config": lambda: [["mode"]]},
            "config (given in imports) returned a value that does not fit: its result[0]: ['mode'] is not",
        ),
    ],
)
def test_a_failing_function_stops_the_guest_naming_it(replace: dict[str, Any], message: str) -> None:
    shapes = _instantiate(_js_host([], **replace)).exports["example:demo/shapes"]
    with pytest.raises(HostFunctionError) as failed:
        shapes.use_host(8)
    assert message in str(failed.value)
    with pytest.raises(GuestTrap, match="cannot be entered: it trapped before"):
        shapes.greet("again")


def _blobs(made: list[Blob], **replace: Any) -> dict[str, Any]:
    """example:res/blobs as a page writes it: the class Blob, and makeBlob."""

    members = {"Blob": Blob, **replace}

    def make_blob(n: int) -> Blob:
        made.append(members["Blob"](bytes(n)))
        return made[-1]

    return {"makeBlob": make_blob, **members}


def _counters(members: dict[str, Any], values: JsValues | None = None) -> Any:
    interfaces = js_interfaces({BLOBS: members}, values or JsValues(), StandIn())
    return Program(native("res")).instantiate(imports=interfaces)


def test_a_js_class_serves_a_resource_as_a_python_class_does() -> None:
    """new, methods on the instance, a static given two borrows, an own returned: res.wasm gets
    from the JS-shaped class what it gets from tests/component/blob_host.py's Python host, and
    each blob is disposed of once, when the guest drops it."""
    made: list[Blob] = []
    ours = _counters(_blobs(made)).exports[COUNTERS]
    blobs = Blobs()
    theirs = Program(native("res")).instantiate(imports={BLOBS: blobs}).exports[COUNTERS]
    assert ours.blob_test(0) == theirs.blob_test(0) == 135
    assert ours.merged(2) == theirs.merged(2) == b"\0\0xyz"
    assert [blob.dropped for blob in made] == [blob.dropped for blob in blobs.made] == [True, True]
    lent, given = Blob(b"12345"), Blob(b"ab")
    assert ours.inspect(lent, True) == 5 and not lent.dropped  # a borrow's drop ends the loan
    assert ours.take_blob(given) == 2 and given.dropped
    with pytest.raises(TypeError, match="is not a blob"):
        ours.take_blob("not a blob")


def test_the_page_holds_a_js_resource_by_handle() -> None:
    """A host blob an export returns reaches the page as a handle, as a guest's resource does; given
    back, it is the instance again; inst.drop disposes of it, and a moved one is refused."""
    values = JsValues()
    process = _counters(_blobs([]), values)

    def call(name: str, *args: Any) -> Any:
        function = process.instance.function(f"{COUNTERS}#{name}")
        return values.result(function, function(*values.arguments(function, list(args))))

    kept, moved = call("new-blob", b"abc"), call("new-blob", b"de")
    assert kept == {"resource": "blob", "handle": 0} and moved == {"resource": "blob", "handle": 1}
    assert call("inspect", kept, True) == 3
    assert call("take-blob", moved) == 2
    assert values.handles[1].rep.dropped  # the guest owned it and dropped it: disposed of there
    with pytest.raises(TypeError, match=r"^b: .* was already dropped or moved"):
        call("take-blob", moved)
    blob = values.handles[0].rep
    values.handle(kept, "the handle").drop()
    assert blob.dropped
    with pytest.raises(TypeError, match=r"^c: \{'resource': 'blob', 'handle': 0\} is a blob, not a counter"):
        call("consume", kept)
    with pytest.raises(TypeError, match="<counter 1> is not a blob"):
        call("take-blob", call("[constructor]counter", 1) | {"resource": "blob"})


class _Throws(Blob):
    def size(self) -> int:
        raise RuntimeError("Error: no size")


@pytest.mark.parametrize(
    ("replace", "call", "message"),
    [
        (
            {"Blob": type("Blob", (Blob,), {"__init__": lambda self, data: _throws(data)})},
            lambda counters: counters.new_blob(b"x"),
            "example:res/blobs#[constructor]blob (given in imports) threw Error: boom",
        ),
        (
            {"Blob": _Throws},
            lambda counters: counters.blob_test(0),
            "example:res/blobs#[method]blob.size (given in imports) threw Error: no size",
        ),
        (
            {"makeBlob": lambda n: Host()},
            lambda counters: counters.blob_test(0),
            "make-blob (given in imports) returned a value that does not fit: its result: "
            "<tests.component.test_native.Host object",
        ),
        (
            {"Blob": type("Blob", (Blob,), {"merge": staticmethod(lambda a, b: b"ab")})},
            lambda counters: counters.merged(1),
            "#[static]blob.merge (given in imports) returned a value that does not fit: its result: "
            "b'ab' is not a blob (an instance of Blob)",
        ),
        (
            {"Blob": type("Blob", (Blob,), {"drop": _throws})},
            lambda counters: counters.blob_test(0),
            "example:res/blobs#Blob[Symbol.dispose] (given in imports) threw Error: boom",
        ),
    ],
)
def test_a_failing_class_stops_the_guest_naming_it(replace: dict[str, Any], call: Any, message: str) -> None:
    counters = _counters(_blobs([], **replace)).exports[COUNTERS]
    with pytest.raises(HostFunctionError) as failed:
        call(counters)
    assert message in str(failed.value)


def test_a_missing_class_or_method_is_named_before_running() -> None:
    with pytest.raises(ModuleError, match=r"blobs#\[constructor\]blob, which imports\['example:res/blobs'\] "
                       r"does not give \(a class 'Blob'\)"):
        _counters({"makeBlob": lambda n: None})
    without_size = type("Blob", (), {"read": Blob.read, "merge": Blob.merge})
    with pytest.raises(ModuleError, match=r"\.Blob does not give \(a method 'size'\)"):
        _counters(_blobs([], Blob=without_size))
    static_read = type("Blob", (), {"size": Blob.size, "read": staticmethod(Blob.read), "merge": Blob.merge})
    with pytest.raises(ModuleError, match=r"\.Blob does not give \(a method 'read'\)"):
        _counters(_blobs([], Blob=static_read))
    not_static = type("Blob", (), {"size": Blob.size, "read": Blob.read, "merge": Blob.size})
    with pytest.raises(ModuleError, match=r"\.Blob does not give \(a static function 'merge'\)"):
        _counters(_blobs([], Blob=not_static))
