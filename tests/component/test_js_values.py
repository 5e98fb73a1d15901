"""api/js_values.py on CPython: the JS API's values (as Pyodide hands them to Python) become the
values Program's calls take, and results come back in jco's shapes; guest resources cross as
handles the page passes back. Chromium runs the same calls in playwright/test_component_js_api.py."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web import Program
from pywasi_web.api.js_values import ArityError, JsValues, camel
from tests.component.blob_host import Blobs
from tests.component.build import composed, native


def _call(process: Any, values: JsValues, name: str, *args: Any) -> Any:
    function = process.instance.function(name)
    return values.result(function, function(*values.arguments(function, list(args))))


def test_js_shaped_values_in_and_out() -> None:
    process, values = Program(composed()).instantiate(), JsValues()
    shapes = "example:demo/shapes#"
    assert _call(process, values, shapes + "make-point", 3, -4) == {"x": 3, "y": -4, "labelText": "(3|-4)"}
    rect = {"tag": "rect", "val": {"x": 1, "y": 2, "labelText": "r"}}
    assert _call(process, values, shapes + "describe", rect) == "rect to (1, 2) labelled 'r'"
    assert _call(process, values, shapes + "classify", -5) == {"tag": "err", "val": "-5 is negative"}
    assert _call(process, values, shapes + "sum", [1, 2]) == {"$bigint": "3"}  # the page makes it 3n
    assert _call(process, values, shapes + "toggle", {"read": True}) == {
        "read": False,
        "write": True,
        "exec": True,
    }
    assert _call(process, values, shapes + "maybe-double", None) is None
    assert _call(process, values, shapes + "reverse", memoryview(b"ab")) == b"ba"
    assert _call(process, values, shapes + "reverse", [1, 2]) == b"\x02\x01"
    assert camel("label-text") == "labelText" and camel("x") == "x"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("greet", [], "greet takes 1 argument, not 0"),
        ("greet", [3], "name: 3 is not a string"),
        ("greet", [None], "name: None is not a string"),
        ("make-point", [1.5, 0], "x: 1.5 is not an integer (s32)"),
        ("make-point", [True, 0], "x: True is not an integer (s32)"),
        ("swap", [[1]], "pair: [1] is not an array of 2"),
        ("next-color", ["pink"], "c: 'pink' is none of red, green, blue"),
        ("describe", [{"tag": "rect", "val": {"x": 1}}], "s.val: the object has no y, labelText"),
        ("classify", [{"tag": "ok"}], None),  # s32, not a result: an object is refused
    ],
)
def test_values_that_do_not_fit_are_a_type_error(name: str, args: list[Any], message: str | None) -> None:
    process = Program(composed()).instantiate()
    function = process.instance.function(f"example:demo/shapes#{name}")
    with pytest.raises(TypeError) as refused:
        JsValues().arguments(function, args)
    assert isinstance(refused.value, ArityError) == (not args)
    if message is not None:
        assert str(refused.value) == message


def test_guest_resources_cross_as_handles() -> None:
    process = Program(native("res")).instantiate(imports={"example:res/blobs": Blobs()})
    values = JsValues()
    counters = "example:res/counters#"
    counter = _call(process, values, counters + "[constructor]counter", 5)
    assert counter == {"resource": "counter", "handle": 0}
    _call(process, values, counters + "[method]counter.increment", counter, 3)
    assert _call(process, values, counters + "[method]counter.get", counter) == 8
    assert _call(process, values, counters + "consume", counter) == 8
    with pytest.raises(TypeError, match="is not a handle this instance gave"):
        values.arguments(process.instance.function(counters + "consume"), [{"handle": 7}])
