"""Instantiation: replay a parsed component's definitions, building its index spaces, creating
core instances through the engine's CoreStore and binding imports.

Each (nested) component instance has its own scope of index spaces, its own handle table and
its own resource types. Instance types are resolved when an import binds them, so an imported
`(sub resource)` becomes the provider's resource type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pywasi_web.component import parse as p
from pywasi_web.component.abi import Options
from pywasi_web.component.calls import ComponentFunction, InstanceState, core_signature, lift, lower
from pywasi_web.component.link import Observer, TypedHost, find, host_function, traced
from pywasi_web.component.resources import ResourceType
from pywasi_web.component.types import (
    Alias,
    Borrow,
    ComponentTypeDef,
    Enum,
    Eq,
    ExternDesc,
    Flags,
    FuncType,
    InstanceTypeDef,
    ListType,
    OptionType,
    Own,
    Prim,
    Record,
    ResourceDef,
    ResultType,
    SubResource,
    TupleType,
    TypeRef,
    VariantType,
)
from pywasi_web.component.values import pascal
from pywasi_web.engines.base import CompiledModule, CoreStore
from pywasi_web.errors import ModuleError


@dataclass
class InstanceValue:
    """A component instance as a value: its exports by name, each (sort, item)."""

    exports: dict[str, tuple[str, Any]]


@dataclass(frozen=True)
class _Deferred:
    """An instance or component type, resolved when something binds it."""

    definition: InstanceTypeDef | ComponentTypeDef
    scope: _Scope


@dataclass(frozen=True)
class _Closure:
    component: p.Component
    scope: _Scope


class _DictExports:
    """A core instance made of existing core items."""

    def __init__(self, items: dict[str, object]) -> None:
        self._items = items

    def export(self, name: str) -> object:
        return self._items[name]


def compile_modules(compile: Callable[[bytes], CompiledModule], component: p.Component) -> dict[int, Any]:
    """Every core module of the component tree compiled, keyed by id() of its definition."""
    modules: dict[int, Any] = {}
    for item in component.definitions:
        if isinstance(item, p.CoreModule):
            modules[id(item)] = compile(item.wasm)
        elif isinstance(item, p.Component):
            modules.update(compile_modules(compile, item))
    return modules


class _Scope:
    def __init__(self, parent: _Scope | None) -> None:
        self.parent = parent
        self.spaces: dict[str, list[Any]] = defaultdict(list)

    def outer(self, count: int, sort: str, index: int) -> Any:
        scope: _Scope | None = self
        for _ in range(count):
            assert scope is not None
            scope = scope.parent
        if scope is None or index >= len(scope.spaces[sort]):
            raise ModuleError(f"an outer alias points at a missing {sort} {index}")
        return scope.spaces[sort][index]

    def item(self, sort: str, index: int) -> Any:
        space = self.spaces[sort]
        if index >= len(space):
            raise ModuleError(f"a definition refers to {sort} {index}, which does not exist")
        return space[index]

    def resolve(self, t: Any) -> Any:
        """A parsed type with every index replaced by the type it names."""
        if isinstance(t, TypeRef):
            return self.item("type", t.index)
        if isinstance(t, Prim | Enum | Flags | ResourceType):
            return t
        if isinstance(t, Record):
            return Record(tuple((name, self.resolve(f)) for name, f in t.fields))
        if isinstance(t, VariantType):
            return VariantType(tuple((name, None if c is None else self.resolve(c)) for name, c in t.cases))
        if isinstance(t, ListType):
            return ListType(self.resolve(t.element))
        if isinstance(t, TupleType):
            return TupleType(tuple(self.resolve(e) for e in t.elements))
        if isinstance(t, OptionType):
            return OptionType(self.resolve(t.element))
        if isinstance(t, ResultType):
            return ResultType(
                None if t.ok is None else self.resolve(t.ok),
                None if t.error is None else self.resolve(t.error),
            )
        if isinstance(t, Own | Borrow):
            resource = self.resolve(t.resource)
            if not isinstance(resource, ResourceType):
                raise ModuleError("own/borrow of a type that is not a resource")
            return type(t)(resource)
        if isinstance(t, FuncType):
            result = None if t.result is None else self.resolve(t.result)
            return FuncType(tuple((name, self.resolve(v)) for name, v in t.params), result)
        if isinstance(t, InstanceTypeDef | ComponentTypeDef):
            return _Deferred(t, self)
        raise ModuleError(f"unsupported type {t!r}")

    def signature(
        self, deferred: _Deferred, provide: Callable[[str], ResourceType]
    ) -> dict[str, tuple[str, Any]]:
        """An instance type's exports, with each `(sub resource)` given by `provide(name)`."""
        inner = _Scope(deferred.scope)
        exports: dict[str, tuple[str, Any]] = {}
        for declarator in deferred.definition.declarators:
            if declarator.kind == "type":
                inner.spaces["type"].append(inner.resolve(declarator.item))
            elif declarator.kind == "alias":
                alias = declarator.item
                if alias.target[0] != "outer":
                    raise ModuleError("an instance type may only alias outer types")
                inner.spaces[alias.sort].append(inner.outer(alias.target[1], alias.sort, alias.target[2]))
            elif declarator.kind == "export":
                desc = declarator.item
                if desc.kind == "type":
                    bound = desc.ref
                    t = (
                        provide(declarator.name)
                        if isinstance(bound, SubResource)
                        else inner.item("type", bound.index)
                    )
                    inner.spaces["type"].append(t)
                    exports[declarator.name] = ("type", t)
                else:
                    exports[declarator.name] = (desc.kind, inner.item("type", desc.ref))
            else:
                inner.spaces[declarator.kind].append(None)
        return exports


class Instantiator:
    """Instantiates a component tree into one CoreStore."""

    def __init__(
        self, store: CoreStore, modules: Mapping[int, CompiledModule], observe: Observer | None = None
    ) -> None:
        """`observe(name, args, result, seconds)` hears every call of a host function, if given."""
        self.store = store
        self.modules = modules
        self.observe = observe
        self.host_resources: dict[tuple[int, str], ResourceType] = {}

    def root(self, component: p.Component, host: Mapping[str, Any]) -> InstanceValue:
        """Instantiate the top-level component with imports from Python host objects."""
        return self._run(
            component, None, lambda name, desc, scope: self._host_import(name, desc, scope, host)
        )

    def _run(
        self,
        component: p.Component,
        parent: _Scope | None,
        bind: Callable[[str, ExternDesc, _Scope], tuple[str, Any]],
    ) -> InstanceValue:
        scope = _Scope(parent)
        state = InstanceState()
        spaces = scope.spaces
        exports: dict[str, tuple[str, Any]] = {}
        for item in component.definitions:
            if isinstance(item, p.CoreModule):
                spaces["core module"].append(self.modules[id(item)])
            elif isinstance(item, p.CoreInstantiate):
                spaces["core instance"].append(self._core_instantiate(scope, item))
            elif isinstance(item, p.CoreExports):
                chosen = {name: scope.item(sort, index) for name, sort, index in item.exports}
                spaces["core instance"].append(_DictExports(chosen))
            elif isinstance(item, p.CoreTypeDef):
                spaces["core type"].append(None)
            elif isinstance(item, p.Component):
                spaces["component"].append(_Closure(item, scope))
            elif isinstance(item, p.Instantiate):
                spaces["instance"].append(self._instantiate(scope, item))
            elif isinstance(item, p.InstanceExports):
                chosen_items = {name: (sort, scope.item(sort, index)) for name, sort, index in item.exports}
                spaces["instance"].append(InstanceValue(chosen_items))
            elif isinstance(item, Alias):
                spaces[item.sort].append(self._alias(scope, item))
            elif isinstance(item, p.TypeDef):
                spaces["type"].append(self._define_type(scope, item.definition, state))
            elif isinstance(item, p.Canon):
                spaces["func" if item.kind == "lift" else "core func"].append(self._canon(scope, item, state))
            elif isinstance(item, p.Import):
                sort, value = bind(item.name, item.desc, scope)
                spaces[sort].append(value)
            elif isinstance(item, p.Export):
                value = scope.item(item.sort, item.index)
                if isinstance(value, ResourceType) and value.name == "resource":
                    value.name = item.name
                if isinstance(value, ComponentFunction) and value.name.startswith("lifted "):
                    value.name = item.name
                exports[item.name] = (item.sort, value)
                spaces[item.sort].append(value)
        return InstanceValue(exports)

    # -- core instances
    def _core_instantiate(self, scope: _Scope, item: p.CoreInstantiate) -> object:
        module: CompiledModule = scope.item("core module", item.module)
        arguments = {name: scope.item("core instance", index) for name, index in item.args}
        imports: dict[tuple[str, str], object] = {}
        for spec in module.imports:
            provider = arguments.get(spec.module)
            if provider is None:
                raise ModuleError(f"a core module imports from {spec.module!r}, which is not given")
            try:
                imports[(spec.module, spec.name)] = provider.export(spec.name)
            except KeyError:
                raise ModuleError(f"a core instance {spec.module!r} has no export {spec.name!r}") from None
        return self.store.instantiate(module, imports)

    # -- components and aliases
    def _instantiate(self, scope: _Scope, item: p.Instantiate) -> InstanceValue:
        closure: _Closure = scope.item("component", item.component)
        arguments = {name: (sort, scope.item(sort, index)) for name, sort, index in item.args}

        def bind(name: str, desc: ExternDesc, _inner: _Scope) -> tuple[str, Any]:
            found = find(name, arguments)
            if found is None:
                raise ModuleError(f"a nested component's import {name!r} is not given")
            sort, value = found
            return sort, value

        return self._run(closure.component, closure.scope, bind)

    def _alias(self, scope: _Scope, item: Alias) -> Any:
        kind, first, second = item.target
        if kind == "outer":
            return scope.outer(first, item.sort, second)
        if kind == "core export":
            try:
                return scope.item("core instance", first).export(second)
            except KeyError:
                raise ModuleError(f"a core instance has no export {second!r}") from None
        instance: InstanceValue = scope.item("instance", first)
        if second not in instance.exports:
            raise ModuleError(f"an instance has no export {second!r}")
        return instance.exports[second][1]

    # -- types and canonical definitions
    def _define_type(self, scope: _Scope, definition: Any, state: InstanceState) -> Any:
        if isinstance(definition, ResourceDef):
            destructor = None
            if definition.dtor is not None:
                core = scope.item("core func", definition.dtor)

                def destructor(rep: Any) -> None:
                    self.store.call(core, ("i32",), (), rep)

            return ResourceType("resource", owner=state, destructor=destructor)
        return scope.resolve(definition)

    def _options(self, scope: _Scope, options: p.CanonOptions, results: tuple[str, ...] = ()) -> Options:
        """The live options; `results` are the lifted core function's result types (post-return's
        parameters)."""
        store = self.store
        live = Options(encoding=options.string_encoding)
        if options.memory is not None:
            live.memory = store.memory(scope.item("core memory", options.memory))
        if options.realloc is not None:
            realloc = scope.item("core func", options.realloc)
            live.realloc = lambda *args: int(store.call(realloc, ("i32",) * 4, ("i32",), *args)[0])
        if options.post_return is not None:
            post = scope.item("core func", options.post_return)
            live.post_return = lambda *args: store.call(post, results, (), *args)
        return live

    def _canon(self, scope: _Scope, item: p.Canon, state: InstanceState) -> Any:
        if item.kind == "lift":
            assert item.type is not None
            ft = scope.item("type", item.type)
            if not isinstance(ft, FuncType):
                raise ModuleError("canon lift names a type that is not a function type")
            core = scope.item("core func", item.target)
            options = self._options(scope, item.options, core_signature(ft, lift=True)[1])
            return lift(self.store, core, ft, options, state, f"lifted func {item.target}")
        if item.kind == "lower":
            function: ComponentFunction = scope.item("func", item.target)
            return lower(self.store, function, self._options(scope, item.options), state)
        resource = scope.item("type", item.target)
        if not isinstance(resource, ResourceType):
            raise ModuleError(f"{item.kind} names a type that is not a resource")
        table = state.table
        if item.kind == "resource.drop":
            return self.store.host_function(
                ("i32",), (), lambda index: table.drop(resource, index & 0xFFFFFFFF)
            )
        if resource.owner is not state:
            raise ModuleError(f"{item.kind} of a resource another component defines")
        if item.kind == "resource.new":
            return self.store.host_function(
                ("i32",), ("i32",), lambda rep: table.new(resource, rep & 0xFFFFFFFF)
            )
        return self.store.host_function(
            ("i32",), ("i32",), lambda index: table.rep(resource, index & 0xFFFFFFFF)
        )

    # -- imports from Python
    def _host_import(
        self, name: str, desc: ExternDesc, scope: _Scope, host: Mapping[str, Any]
    ) -> tuple[str, Any]:
        provided = find(name, host)
        if provided is None:
            raise ModuleError(f"the component imports {name}, which the host does not provide")
        if isinstance(provided, InstanceValue):
            return desc.kind, provided
        if desc.kind == "instance":
            deferred = scope.item("type", desc.ref)
            signature = scope.signature(deferred, lambda resource: self._host_resource(provided, resource))
            exports: dict[str, tuple[str, Any]] = {}
            for export_name, (kind, t) in signature.items():
                if kind == "func":
                    exports[export_name] = (
                        "func",
                        self._traced(host_function(name, provided, export_name, t), f"{name}#{export_name}"),
                    )
                else:
                    exports[export_name] = (kind, t)
            return "instance", InstanceValue(exports)
        if desc.kind == "func":
            if isinstance(provided, ComponentFunction):
                return "func", provided
            return "func", self._traced(
                host_function(name, provided, name, scope.item("type", desc.ref)), name
            )
        if desc.kind == "type" and isinstance(desc.ref, SubResource):
            return "type", self._host_resource(provided, name)
        if desc.kind == "type" and isinstance(desc.ref, Eq):
            return "type", scope.item("type", desc.ref.index)
        raise ModuleError(f"importing a {desc.kind} ({name}) from the host is not supported")

    def _traced(self, function: ComponentFunction, name: str) -> ComponentFunction:
        return function if self.observe is None else traced(function, name, self.observe)

    def _host_resource(self, host: object, name: str) -> ResourceType:
        """One resource type per host object and resource name, whichever interface names it."""
        key = (id(host), name)
        if key not in self.host_resources:
            if isinstance(host, TypedHost):
                self.host_resources[key] = host.resource_type(name)
            else:
                cls = getattr(host, pascal(name), None)
                self.host_resources[key] = ResourceType(
                    name, host_class=cls if isinstance(cls, type) else None
                )
        return self.host_resources[key]
