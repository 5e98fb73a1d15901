"""The oracle for components: the same component run by wasmtime's own WASI 0.2
(wasmtime.component.Linker with add_wasip2), never pywasi_web's implementation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmtime
import wasmtime.component as wc

from tests.cases import Case
from tests.oracle import Outcome, _engine, timed_outcome, wasi_config

_components: dict[tuple[str, float], wc.Component] = {}


def component(wasm_path: Path) -> wc.Component:
    key = (str(wasm_path), wasm_path.stat().st_mtime)
    if key not in _components:
        _components[key] = wc.Component(_engine(), wasm_path.read_bytes())
    return _components[key]


def instantiate(wasm_path: Path, store: wasmtime.Store) -> wc.Instance:
    linker = wc.Linker(_engine())
    linker.add_wasip2()
    return linker.instantiate(store, component(wasm_path))


def store_with_wasi(config: wasmtime.WasiConfig | None = None) -> wasmtime.Store:
    store = wasmtime.Store(_engine())
    store.set_epoch_deadline(1)
    store.set_wasi(config or wasmtime.WasiConfig())
    return store


def export_function(store: wasmtime.Store, instance: wc.Instance, export: str) -> Callable[..., Any]:
    """A function export ("name", or "interface#name") looked up once: the function returned calls
    it (and its post-return), so a timed loop leaves the lookup out (bench/components.py)."""
    interface, _, name = export.rpartition("#")
    parent = instance.get_export_index(store, interface) if interface else None
    index = instance.get_export_index(store, name, parent)
    assert index is not None, export
    function = instance.get_func(store, index)
    assert function is not None, export

    def called(*args: Any) -> Any:
        result = function(store, *args)
        function.post_return(store)
        return result

    return called


def call(store: wasmtime.Store, instance: wc.Instance, export: str, *args: Any) -> Any:
    """Call a function export: "name", or "interface#name"."""
    return export_function(store, instance, export)(*args)


def run_export(wasm: bytes) -> str:
    """A command component's "wasi:cli/run@VERSION#run" (wasmtime-py cannot list exports)."""
    from pywasi_web.component.parse import Export, parse

    names = [item.name for item in parse(wasm).definitions if isinstance(item, Export)]
    return next(f"{name}#run" for name in names if name.startswith("wasi:cli/run@"))


def run_component_oracle(wasm_path: Path, case: Case, workdir: Path, timeout: float = 60.0) -> Outcome:
    """Run a command component's wasi:cli/run like tests/oracle.run_oracle runs a core module."""
    config, root = wasi_config(case, workdir)
    store = store_with_wasi(config)
    instance = instantiate(wasm_path, store)
    export = run_export(wasm_path.read_bytes())

    def run() -> int:
        outcome = call(store, instance, export)
        return 0 if isinstance(outcome, wc.Variant) and outcome.tag == "ok" else 1

    return timed_outcome(run, workdir, root, timeout)
