"""api/js_imports.py on CPython: a component's imports given as JS-shaped functions (Python callables
standing in for the page's JS functions, called with jco-shaped values) serve the component as a
Python host object does; a function that fails, or one that is missing, is named. Chromium runs the
same with real JS functions in playwright/test_component_js_api.py."""

from __future__ import annotations

from typing import Any

import pytest

from pywasi_web import GuestTrap, ModuleError, Program
from pywasi_web.api.js_imports import js_interfaces
from pywasi_web.api.js_values import JsValues
from pywasi_web.errors import HostFunctionError
from tests.component.build import native
from tests.component.test_native import Host

HOST = "example:demo/host"


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
    interfaces = js_interfaces({interface: members}, JsValues(), lambda function, args: function(*args))
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
