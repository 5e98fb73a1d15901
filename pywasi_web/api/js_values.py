"""A component's values as the JS API gives and takes them, converted once, at the worker boundary.

What arrives from the page (after structured clone, and Pyodide's conversion to Python: numbers
and BigInts as int or float, arrays as lists, objects as dicts, typed arrays as memoryviews,
undefined as None) becomes the Python values Program's calls accept, guided by the function's
WIT types; results go back as plain data the worker hands to JS. The conventions follow jco's:

| WIT | JS |
|---|---|
| bool, string, char | boolean, string, a one-character string |
| s8..u32, f32, f64 | number |
| s64, u64 | BigInt (a safe-integer number is accepted) |
| list<u8> | Uint8Array (an array of numbers is accepted) |
| list<T>, tuple<...> | array |
| record | object with lowerCamelCase keys (`label-text` -> `labelText`) |
| enum | string, the case name |
| flags | object of booleans, lowerCamelCase keys |
| variant | {tag: "case-name", val} (no `val` without payload) |
| option<T> | the value, or undefined (null accepted); in option<option<T>> a some is {tag: "some", val} |
| result<T, E> | {tag: "ok", val} or {tag: "err", val} (a result is data: it never throws) |
| own/borrow of a guest resource | {resource: "name", handle: n}, valid until the instance closes |
| own/borrow of a resource `imports` gives | its JS functions: the instance; the page: a handle as above |

A value that does not fit raises TypeError naming the argument; going to JS (results, and the
arguments of functions a page gives in `imports`), s64/u64 values come out as a marker the
worker makes a BigInt (browser/component_values.js: Pyodide turns every BigInt it sees into a
Python int, and small Python ints into numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pywasi_web.component import types as wit
from pywasi_web.component.calls import ComponentFunction
from pywasi_web.component.resources import ResourceHandle, ResourceType
from pywasi_web.component.values import Err, Ok, Some, Variant

INTEGER_BITS = {"u8": 8, "s8": 8, "u16": 16, "s16": 16, "u32": 32, "s32": 32, "u64": 64, "s64": 64}


def big_int(value: int) -> dict[str, str]:
    """A 64-bit integer as the marker the worker turns into a BigInt (browser/component_values.js
    `revive`): it must be one even when small, and a Python int reaches JS as a number. No WIT
    value is an object with a `$bigint` key (record fields and flags are identifiers)."""
    return {"$bigint": str(value)}


def camel(name: str) -> str:
    """A WIT kebab-case name as jco spells record fields and flags: `label-text` -> `labelText`."""
    first, *rest = name.split("-")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


class JsValues:
    """Conversions for one instance: it keeps the resource handles the page holds.

    A resource the page gives in `imports` (api/js_imports.py) is a JS object that lives in the
    worker: its JS functions there get and give the object itself (`in_worker()`), while the page,
    which cannot hold it (postMessage copies), gets a handle to it, as it does for a guest's."""

    def __init__(
        self,
        is_null: Callable[[Any], bool] = lambda value: False,
        handles: list[ResourceHandle] | None = None,
        near: bool = False,
    ) -> None:
        self.handles: list[ResourceHandle] = [] if handles is None else handles
        self._is_null = is_null  # the worker's JS null (Pyodide's JsNull), read as undefined
        self._near = near

    def in_worker(self) -> JsValues:
        """These conversions for the JS functions of `imports`: a host resource crosses as its object."""
        return JsValues(self._is_null, self.handles, near=True)

    def arguments(self, function: ComponentFunction, args: list[Any]) -> list[Any]:
        ft: wit.FuncType = function.type
        if len(args) != len(ft.params):
            count = f"{len(ft.params)} argument{'' if len(ft.params) == 1 else 's'}"
            raise ArityError(f"{function.name} takes {count}, not {len(args)}")
        return [self.from_js(t, arg, name) for (name, t), arg in zip(ft.params, args, strict=True)]

    def result(self, function: ComponentFunction, value: Any) -> Any:
        return None if function.type.result is None else self.to_js(function.type.result, value)

    def from_js(self, t: Any, value: Any, where: str) -> Any:
        """The Python value for WIT type `t` of a JS value (see the table above)."""
        if self._is_null(value):
            value = None
        if isinstance(t, wit.Prim):
            return _primitive(t.name, value, where)
        if isinstance(t, wit.ListType):
            if t.element == wit.Prim("u8") and isinstance(value, bytes | bytearray | memoryview):
                return bytes(value)
            items = _expect(list, value, where, "an array")
            return [self.from_js(t.element, item, f"{where}[{i}]") for i, item in enumerate(items)]
        if isinstance(t, wit.TupleType):
            items = _expect(list, value, where, f"an array of {len(t.elements)}")
            if len(items) != len(t.elements):
                raise TypeError(f"{where}: {items!r} is not an array of {len(t.elements)}")
            return tuple(
                self.from_js(e, v, f"{where}[{i}]")
                for i, (e, v) in enumerate(zip(t.elements, items, strict=True))
            )
        if isinstance(t, wit.Record):
            fields = _expect(dict, value, where, "an object")
            missing = [camel(name) for name, _ in t.fields if camel(name) not in fields]
            if missing:
                raise TypeError(f"{where}: the object has no {', '.join(missing)}")
            return {
                name.replace("-", "_"): self.from_js(ft, fields[camel(name)], f"{where}.{camel(name)}")
                for name, ft in t.fields
            }
        if isinstance(t, wit.Enum):
            if value not in t.names:
                raise TypeError(f"{where}: {value!r} is none of {', '.join(t.names)}")
            return value
        if isinstance(t, wit.Flags):
            flags = _expect(dict, value, where, "an object of booleans")
            return frozenset(name for name in t.names if flags.get(camel(name)))
        if isinstance(t, wit.VariantType):
            tag, payload = self._tagged(value, where, dict(t.cases))
            case = dict(t.cases)[tag]
            return Variant(tag, None if case is None else self.from_js(case, payload, f"{where}.val"))
        if isinstance(t, wit.OptionType):
            if value is None:
                return None
            if isinstance(t.element, wit.OptionType):
                _, inner = self._tagged(value, where, {"some": t.element})
                return Some(self.from_js(t.element, inner, f"{where}.val"))
            return self.from_js(t.element, value, where)
        if isinstance(t, wit.ResultType):
            tag, payload = self._tagged(value, where, {"ok": t.ok, "err": t.error})
            case = t.ok if tag == "ok" else t.error
            inner = None if case is None else self.from_js(case, payload, f"{where}.val")
            return Ok(inner) if tag == "ok" else Err(inner)
        if isinstance(t, wit.Own | wit.Borrow):
            return self._resource(t, value, where)
        raise TypeError(f"{where}: values of {type(t).__name__} cannot cross the JS API")

    def _resource(self, t: wit.Own | wit.Borrow, value: Any, where: str) -> Any:
        """A guest resource's ResourceHandle, or a host resource's object: the object itself (from
        a JS function), or the one a page's handle stands for (an own moves into the guest)."""
        resource: ResourceType = t.resource
        if resource.owner is None and not (isinstance(value, dict) and "handle" in value):
            if not resource.admits(value):
                raise TypeError(f"{where}: {value!r} is not a {resource.described()}")
            return value
        held = self.handle(value, where)
        if held.type.owner is not None:
            return held  # a guest's: the canonical ABI checks its type and whether it was dropped
        if held.type is not resource:
            raise TypeError(f"{where}: {value!r} is a {held.type.name}, not a {resource.name}")
        if held.dropped:
            raise TypeError(f"{where}: {value!r} was already dropped or moved")
        held.dropped = isinstance(t, wit.Own)
        return held.rep

    def handle(self, value: Any, where: str) -> ResourceHandle:
        """The guest resource a page's {resource, handle} stands for (a handle this instance gave)."""
        ref = _expect(dict, value, where, "a resource handle {resource, handle}")
        index = ref.get("handle")
        if not isinstance(index, int) or not 0 <= index < len(self.handles):
            raise TypeError(f"{where}: {value!r} is not a handle this instance gave")
        return self.handles[index]

    def _tagged(self, value: Any, where: str, cases: Mapping[str, Any]) -> tuple[str, Any]:
        tagged = _expect(dict, value, where, "{tag, val}")
        tag = tagged.get("tag")
        if tag not in cases:
            raise TypeError(f"{where}: the tag {tag!r} is none of {', '.join(cases)}")
        payload = tagged.get("val")
        return tag, None if self._is_null(payload) else payload

    def to_js(self, t: Any, value: Any) -> Any:
        """Plain data for JS of a Python value of WIT type `t` (64-bit integers as BigInt)."""
        if isinstance(t, wit.Prim):
            return big_int(value) if INTEGER_BITS.get(t.name) == 64 else value
        if isinstance(t, wit.ListType):
            return value if isinstance(value, bytes) else [self.to_js(t.element, item) for item in value]
        if isinstance(t, wit.TupleType):
            return [self.to_js(e, v) for e, v in zip(t.elements, value, strict=True)]
        if isinstance(t, wit.Record):
            return {camel(name): self.to_js(ft, value[name.replace("-", "_")]) for name, ft in t.fields}
        if isinstance(t, wit.Flags):
            return {camel(name): name in value for name in t.names}
        if isinstance(t, wit.VariantType):
            case = dict(t.cases)[value.case]
            return (
                {"tag": value.case}
                if case is None
                else {"tag": value.case, "val": self.to_js(case, value.value)}
            )
        if isinstance(t, wit.OptionType):
            if value is None:
                return None
            if isinstance(t.element, wit.OptionType):
                return {"tag": "some", "val": self.to_js(t.element, value.value)}
            return self.to_js(t.element, value)
        if isinstance(t, wit.ResultType):
            tag, case = ("ok", t.ok) if isinstance(value, Ok) else ("err", t.error)
            return {"tag": tag} if case is None else {"tag": tag, "val": self.to_js(case, value.value)}
        if isinstance(t, wit.Own | wit.Borrow):
            if not isinstance(value, ResourceHandle):  # a host resource's object
                if self._near:
                    return value
                value = ResourceHandle(t.resource, value)
            self.handles.append(value)
            return {"resource": value.type.name, "handle": len(self.handles) - 1}
        return value  # enum (a str)


class ArityError(TypeError):
    """A call with the wrong number of arguments."""


def _expect(kind: type, value: Any, where: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{where}: {value!r} is not {what}")
    return value


def _primitive(name: str, value: Any, where: str) -> Any:
    bits = INTEGER_BITS.get(name)
    if bits is not None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{where}: {value!r} is not an integer ({name})")
        low, high = (0, 1 << bits) if name[0] == "u" else (-(1 << (bits - 1)), 1 << (bits - 1))
        if not low <= value < high:
            raise TypeError(f"{where}: {value} is out of range for {name}")
        return value
    if name in ("f32", "f64"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise TypeError(f"{where}: {value!r} is not a number ({name})")
        return float(value)
    if name == "bool":
        return _expect(bool, value, where, "a boolean")
    if name == "char":
        if not isinstance(value, str) or len(value) != 1:
            raise TypeError(f"{where}: {value!r} is not a one-character string (char)")
        return value
    return _expect(str, value, where, "a string")
