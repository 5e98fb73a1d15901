"""Glue between web/worker.js and pywasi_web inside Pyodide: one guest run at a time.

worker.js loads this file into Pyodide's file system and imports it. How a guest blocks is the
worker's `blocking` mode: "jspi" (`run` is entered with `callPromising`, so blocking WASI calls wait
for `feed_stdin`, `close_stdin` or a timer while the worker's event loop keeps delivering messages),
"atomics" (Atomics.wait on the page's SharedArrayBuffer channel, which carries stdin and, since this
worker's event loop stops while the guest waits, the events of its sockets, whose transports the page
runs) or "none" (the guest reads the stdin given up front, and the run says so; no sockets).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import JsNull, jsnull, to_js

import pywasi_web
from pywasi_web.abi.errno import Errno
from pywasi_web.api.components import ComponentInstanceProcess
from pywasi_web.api.trace import CallLog, brief, shown
from pywasi_web.browser.channel import AtomicsWaiter
from pywasi_web.browser.code_cache import CodeCacheWarmUp
from pywasi_web.browser.fetcher import XhrFetcher
from pywasi_web.browser.relay import PageRelay
from pywasi_web.browser.stores import BrowserStoreFS, StoreError, delete_store, list_stores
from pywasi_web.browser.transports import JsTransports, Transports, checked_specs, open_sockets
from pywasi_web.engines.js import JsEngine, JsWaiter, flush_output
from pywasi_web.errors import (
    GuestTimeout,
    GuestTrap,
    HostFunctionError,
    ModuleError,
    ProcExit,
    PywasiError,
    WasiError,
)
from pywasi_web.kernel.kernel import write_back
from pywasi_web.kernel.streams import QueueInput
from pywasi_web.net.base import Socket
from pywasi_web.net.page import PageConnections
from pywasi_web.preview1.memory import Fault
from pywasi_web.vfs import FileSystem, HostDir, Symlink, TrackedMemoryFS, UrlFS
from pywasi_web.vfs.archive import from_tar, to_tar
from pywasi_web.vfs.url import load_url_mount

if TYPE_CHECKING:  # imported where used: imported at start, the memory snapshot failed to restore
    # ("offset is out of bounds", playwright/test_worker.py)
    from pywasi_web.api.js_values import JsValues
    from pywasi_web.browser.network import ComponentNetwork
    from pywasi_web.engines.base import ExportSpec

ENGINES = {mode: JsEngine(jspi=mode == "jspi") for mode in ("jspi", "atomics", "none")}
NOT_INTERACTIVE = (
    "pywasi: input is not interactive in this browser (no JSPI, and the page is not cross-origin "
    "isolated): the guest reads only the stdin given up front\n"
)


class _Session:
    """The run in progress: what stdin messages and cancel requests act on."""

    def __init__(self, waiter: JsWaiter | AtomicsWaiter, stdin: QueueInput | None) -> None:
        self.waiter = waiter
        self.stdin = stdin
        self.persistent: list[BrowserStoreFS] = []  # what `sync` writes back
        self.page: PageConnections | None = None  # where the page's rt.connect() goes


_session: _Session | None = None


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return bytes(value.to_bytes())  # a JS Uint8Array / ArrayBuffer view


_FROM_ENTRIES = js.Object.fromEntries  # looked up once: an attribute of `js` costs ~0.1 ms


def _js(value: object) -> Any:
    return to_js(value, dict_converter=_FROM_ENTRIES)


def _mounts(options: dict[str, Any], blocking: str) -> dict[str, FileSystem]:
    """The guest's mounts.

    `mounts` is {guest_path: {"files": {path: data | None (a directory) | {"symlink": target}},
    "readOnly": bool}} for a fresh MemoryFS, {guest_path: {"host": path, "readOnly": bool}}
    for a directory of Pyodide's own file system (a JupyterLite drive, an IDBFS mount) through
    HostDir, or {guest_path: {"persistent": store name, "backend": "indexeddb" (default) | "opfs",
    "readOnly": bool}} for a persistent store (locked until the run ends), {guest_path: {"url":
    manifest URL}} for a read-only URL mount (vfs/url.py) or {guest_path: {"kept": name}} for a
    mount kept in this worker (`mount`); a top-level `files` is a shorthand for the "/" mount.
    """
    specs: dict[str, dict[str, Any]] = {
        guest: dict(spec or {}) for guest, spec in (options.get("mounts") or {}).items()
    }
    if options.get("files"):
        specs.setdefault("/", {}).setdefault("files", {}).update(options["files"])
    mounts: dict[str, FileSystem] = {}
    try:
        for guest, spec in specs.items():
            kept = spec.get("kept")
            mounts[guest] = _kept_mount(kept) if kept is not None else _filesystem(spec, blocking)
    except BaseException:
        _close_stores(mounts)  # release the stores already locked
        raise
    return mounts


def _filesystem(spec: dict[str, Any], blocking: str) -> FileSystem:
    read_only = bool(spec.get("readOnly"))
    if spec.get("persistent") is not None:
        if blocking != "jspi":
            raise StoreError("persistent mounts need JSPI (Chromium), which this worker does not use")
        backend = str(spec.get("backend") or "indexeddb")
        return BrowserStoreFS(backend, str(spec["persistent"]), read_only=read_only)
    if spec.get("host"):
        return HostDir(str(spec["host"]), read_only=read_only)
    if spec.get("url"):
        bound = spec.get("cacheBytes")
        cache = {} if bound is None else {"cache_bytes": int(bound)}
        return load_url_mount(str(spec["url"]), XhrFetcher(), **cache)
    files = {path.lstrip("/"): _entry(data) for path, data in (spec.get("files") or {}).items()}
    return TrackedMemoryFS(files, read_only=read_only)


_kept: dict[str, TrackedMemoryFS | UrlFS] = {}
"""Mounts kept in this worker across runs (rt.mount): sent from the page once, reused by name."""


def _kept_mount(name: Any) -> FileSystem:
    fs = _kept.get(str(name))
    if fs is None:
        raise PywasiError(f"there is no kept mount named {str(name)!r}: rt.mount() makes one")
    if isinstance(fs, TrackedMemoryFS):
        fs.mark()  # this run's result reports what this run changes
    else:
        fs.failures.clear()  # those of earlier runs were reported with them
    return fs


def mount(name: str, spec_js: Any) -> Any:
    """Keep a mount ({files, readOnly} or {url}) in the worker under `name`, replacing one of that
    name: {} or {error}."""
    spec = spec_js.to_py() if spec_js is not None else {}
    if spec.get("persistent") is not None or spec.get("host") or spec.get("kept") is not None:
        return _js({"error": "a kept mount holds files or a url (not a persistent, host or kept mount)"})
    try:
        fs = _filesystem(spec, "none")
    except (PywasiError, WasiError, ValueError) as error:
        return _js({"error": _message(error)})
    assert isinstance(fs, TrackedMemoryFS | UrlFS)
    _kept[str(name)] = fs
    return _js({})


def unmount(name: str) -> Any:
    """Forget a kept mount: {} or {error}."""
    if _kept.pop(str(name), None) is None:
        return _js({"error": f"there is no kept mount named {str(name)!r}"})
    return _js({})


def _entry(data: Any) -> bytes | Symlink | None:
    if data is None or isinstance(data, JsNull):  # JS null arrives as JsNull, not None
        return None
    if isinstance(data, dict) and "symlink" in data:
        return Symlink(str(data["symlink"]))
    return _as_bytes(data)


def _results(mounts: dict[str, FileSystem], everything: bool) -> dict[str, Any]:
    """`files` (regular files by guest path), `trees` ({guest mount: {path: bytes | null (a
    directory) | {symlink: target}}}) and `deleted` (guest paths) of the in-memory mounts: what
    the run changed, or (`everything`: returnFiles "all") every entry, with no `deleted`."""
    files: dict[str, Any] = {}
    trees: dict[str, Any] = {}
    deleted: list[str] = []
    for guest, fs in _in_memory(mounts).items():
        prefix = guest.rstrip("/") + "/"
        entries, gone = (fs.snapshot(), []) if everything else fs.changes()
        trees[guest] = {path: _tree_entry(data) for path, data in entries.items()}
        files.update(
            {prefix + path: to_js(data) for path, data in entries.items() if isinstance(data, bytes)}
        )
        deleted.extend(prefix + path for path in gone)
    return {"files": files, "trees": trees, **({} if everything else {"deleted": deleted})}


def _url_failures(mounts: dict[str, FileSystem]) -> list[str]:
    """Why a URL mount's fetches failed (the guest saw EIO), for the page."""
    return [failure for fs in mounts.values() if isinstance(fs, UrlFS) for failure in fs.failures]


def _tree_entry(data: bytes | Symlink | None) -> Any:
    if isinstance(data, Symlink):
        return {"symlink": data.target}
    return jsnull if data is None else to_js(data)  # a directory: null (None would become undefined)


def _in_memory(mounts: dict[str, FileSystem]) -> dict[str, TrackedMemoryFS]:
    """Host-directory mounts stay where they are (in Pyodide's FS), persistent ones in their store
    (read them with exportStore: listing them here would load every lazily stored file) and URL
    mounts on their server; only memory trees are returned."""
    return {guest: fs for guest, fs in mounts.items() if isinstance(fs, TrackedMemoryFS)}


def _close_stores(mounts: dict[str, FileSystem]) -> None:
    for fs in mounts.values():
        if isinstance(fs, BrowserStoreFS):
            fs.close()


def _transports(
    blocking: str,
    waiter: JsWaiter | AtomicsWaiter,
    transports: Any,
    post_net: Callable[[dict[str, Any]], None],
) -> Transports | None:
    """Who runs the WebSockets and fetches of this run's sockets (see browser/transports.py);
    `post_net` sends a message to the page's network side."""
    if isinstance(waiter, AtomicsWaiter):
        relay = PageRelay(post_net, waiter)
        waiter.attach_events(lambda header, payload: _channel_event(relay, header, payload))
        return relay
    return JsTransports(transports) if blocking == "jspi" else None


def _channel_event(relay: PageRelay, header: dict[str, Any], payload: bytes) -> None:
    """A record from the channel's events ring: for a relayed socket, or a page connection."""
    if "sid" in header:
        relay.deliver(header, payload)
    else:
        _page_event(str(header["action"]), int(header["conn"]), header.get("port"), payload)


def _engine(blocking: str, max_memory: Any) -> JsEngine:
    """The shared engine for this blocking mode, or one with a memory cap (maxMemoryBytes)."""
    if max_memory is None:
        return ENGINES[blocking]
    return JsEngine(jspi=blocking == "jspi", max_memory=int(max_memory))


class _Setup:
    """What a run or an instance needs from its options: stdio, mounts, sockets, trace; `close`
    releases them (stores, sockets, page connections) and says what the guest left behind."""

    def __init__(
        self, options: dict[str, Any], emit: Any, blocking: str, channel: Any, transports: Any
    ) -> None:
        global _session
        self.options = options
        self.emit = emit
        self.blocking = blocking
        self.waiter: JsWaiter | AtomicsWaiter = (
            AtomicsWaiter(channel, flush_output) if blocking == "atomics" else JsWaiter()
        )
        self.result: dict[str, Any] = {"exitCode": None}
        self.stdin = self._stdin()
        self.started = time.perf_counter()
        self.mounts: dict[str, FileSystem] = {}
        self.sockets: list[Socket] = []
        self.network: ComponentNetwork | None = None  # a component's
        self.trace: _CallLogStream | None = None
        self.page = PageConnections(self.post_net)
        _session = self.session = _Session(
            self.waiter, self.stdin if isinstance(self.stdin, QueueInput) else None
        )
        _session.page = self.page
        self.channel, self.transports = channel, transports

    def _stdin(self) -> Any:
        stdin: Any = self.options.get("stdin")
        if self.options.get("interactive") and self.blocking == "none":
            self.forward("stderr", NOT_INTERACTIVE.encode())
            self.result["notice"] = NOT_INTERACTIVE.strip()
        elif self.options.get("interactive"):
            queue = QueueInput(self.waiter)
            if stdin:
                queue.feed(_as_bytes(stdin))
            if isinstance(self.waiter, AtomicsWaiter):
                self.waiter.attach_stdin(queue)
            return queue
        return None if stdin is None else _as_bytes(stdin)

    def forward(self, kind: str, data: bytes) -> None:
        """Output to the page as it comes: the engine's gatherer (engines/js.py) already batches
        it, so a postMessage (~15 us) is made per batch, not per guest write."""
        self.emit(kind, to_js(data))

    def post_net(self, message: dict[str, Any]) -> None:
        """A message to the page's network side (its connections, or the relay in atomics mode)."""
        self.emit("net", _js(message))

    def open(self, program: pywasi_web.Program) -> dict[str, Any]:
        """Open the sockets and mounts; the keyword arguments of Program.run / instantiate.

        A core module's sockets are opened now; a component's are its network's routes, which
        it connects through itself (browser/network.py)."""
        options = self.options
        specs, allow = options.get("sockets") or [], options.get("allow") or []
        transports = _transports(self.blocking, self.waiter, self.transports, self.post_net)
        if program.component is not None:
            from pywasi_web.browser.network import ComponentNetwork

            checked = checked_specs(specs, allow, transports)
            self.network = ComponentNetwork(checked, allow, transports, self.page)
        else:
            self.sockets = open_sockets(specs, allow, self.page, transports)
        if self.page.ports:
            self.page.post({"action": "listening", "ports": self.page.ports})
        self.mounts = _mounts(options, self.blocking)
        if _session is not None:
            _session.persistent = [fs for fs in self.mounts.values() if isinstance(fs, BrowserStoreFS)]
        if options.get("trace"):
            self.trace = _CallLogStream(self.emit if options.get("traceLines") else None)
        return {
            "argv0": "main.wasm" if options.get("argv0") is None else str(options["argv0"]),  # "" is an argv0
            "env": {str(k): str(v) for k, v in (options.get("env") or {}).items()},
            "mounts": self.mounts,
            "stdin": self.stdin,
            "stdout": lambda data: self.forward("stdout", data),
            "stderr": lambda data: self.forward("stderr", data),
            "capture_output": True,
            "trace": self.trace,
            "waiter": self.waiter,
            "sockets": self.sockets,
            "allow": None if self.network is None else self.network.grant,
        }

    def engine(self) -> JsEngine:
        return _engine(self.blocking, self.options.get("maxMemoryBytes"))

    def fail(self, error: BaseException) -> None:
        """The run's result for an error (a trap, a timeout, a module that cannot run...)."""
        if isinstance(error, GuestTrap):
            self.result.update(
                exitCode=134, error={"kind": "trap", "message": str(error), "backtrace": error.backtrace}
            )
        elif isinstance(error, GuestTimeout):
            self.result.update(exitCode=124, error={"kind": "timeout", "message": str(error)})
        elif isinstance(error, ModuleError):
            self.result.update(error={"kind": "module", "message": str(error)})
            return
        else:  # a write-back that failed at exit: the guest's own result is kept
            self.result.update(error={"kind": type(error).__name__, "message": str(error)})
        _partial(self.result, error)

    def close(self) -> Any:
        global _session
        if _session is self.session:  # an instance linked to this one may have come since
            _session = None
        _close_stores(self.mounts)
        for socket in self.sockets:
            socket.close()
        if self.network is not None:
            self.network.close()
        self.page.close()
        if self.trace is not None:
            self.result["trace"] = self.trace.as_result()
        self.result.update(_results(self.mounts, self.options.get("returnFiles") == "all"))
        failures = _url_failures(self.mounts)
        if failures:
            self.result["mountErrors"] = failures
        self.result["durationMs"] = (time.perf_counter() - self.started) * 1000
        return _js(self.result)


ERRNO_VALUES = frozenset(errno.value for errno in Errno)


class _CallLogStream(CallLog):
    """The run's calls for `result.trace`; when the page listens (onTrace), each is also streamed as
    an strace line, a message per call."""

    def __init__(self, emit: Any | None) -> None:
        super().__init__()
        self._emit = emit

    def __call__(self, name: str, args: tuple[Any, ...], result: Any, seconds: float) -> None:
        if not all(isinstance(value, int) for value in (*args, 0 if result is None else result)):
            # a component's call: WIT values, kept as short text (the page gets plain data)
            args, result = tuple(brief(value) for value in args), brief(result)
        super().__call__(name, args, result, seconds)
        if self._emit is not None:
            outcome = shown(result) if result is None or isinstance(result, int) else result
            self._emit("trace", f"{name}({', '.join(map(str, args))}) = {outcome}")

    def as_result(self) -> dict[str, Any]:
        """{calls: [[name, args, result, seconds]], dropped, errnos: {number: name}} for the page."""
        results = {call[2] for call in self.calls if isinstance(call[2], int) and call[2]}
        errnos = {result: Errno(result).name for result in results if result in ERRNO_VALUES}
        return {"calls": self.calls, "dropped": self.dropped, "errnos": errnos}


def run(
    wasm: Any,
    options_js: Any,
    emit: Any,
    blocking: str = "jspi",
    channel: Any = None,
    transports: Any = None,
) -> Any:
    """Run one guest; `emit(kind, payload)` streams "stdout"/"stderr" chunks, trace lines and
    messages for the page's network side. `transports` is web/net_transports.js's object."""
    setup = _Setup(options_js.to_py() if options_js is not None else {}, emit, blocking, channel, transports)
    try:
        program = pywasi_web.Program(_as_bytes(wasm), engine=setup.engine())
        completed = program.run(
            [str(arg) for arg in setup.options.get("args") or []],
            imports=_imports(setup.options, _values(program)),
            **setup.open(program),
        )
        setup.result.update(
            exitCode=completed.exit_code,
            stdout=to_js(completed.stdout),
            stderr=to_js(completed.stderr),
            startMs=completed.duration * 1000,
        )
    except (PywasiError, WasiError) as error:
        setup.fail(error)
    finally:
        result = setup.close()
    return result


def _values(program: pywasi_web.Program) -> JsValues | None:
    """The JS value conversions of a component (api/js_values.py); None for a core module."""
    if program.component is None:
        return None
    from pywasi_web.api.js_values import JsValues

    return JsValues(lambda value: isinstance(value, JsNull))


def _imports(options: dict[str, Any], values: JsValues | None) -> dict[str, Any]:
    """`imports` ({module: {name: JS function or class source}}) evaluated here, in the worker, once
    each (_js_members). For a core module the engine links a JS function directly, so the guest
    calls it as WebAssembly's JS API does (numbers, BigInts for i64), with no Python in between;
    for a component ({interface: {name: function, Resource: class}}) it is called with jco's
    values (`values`, api/js_imports.py), and an interface may be an open instance's export
    ({"$instance": id})."""
    given = options.get("imports") or {}
    linked = {
        str(interface): _linked(str(interface), ref, values is not None)
        for interface, ref in ((interface, _instance_ref(members)) for interface, members in given.items())
        if ref is not None
    }
    functions = {
        str(module): _js_members(
            str(module), {str(name): str(source) for name, source in members.items()}, values is not None
        )
        for module, members in given.items()
        if str(module) not in linked
    }
    if values is None:
        return functions
    from pywasi_web.api.js_imports import js_interfaces
    from pywasi_web.browser.component_values import WORKER_CALLS

    return {**js_interfaces(functions, values, WORKER_CALLS), **linked}


CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9_$]*")
"""A member of a component's `imports` that the other members of its interface may name (a
resource's class)."""


def _js_members(module: str, members: dict[str, str], component: bool) -> dict[str, Any]:
    """One module's (or interface's) functions, evaluated together; for a component, in one scope
    where the interface's classes (PascalCase names: its resources) are bound by name, so that
    `makeBlob: (n) => new Blob(...)` finds the `Blob` given beside it. (Each is its source text:
    it sees nothing else of the page.)"""
    from pyodide.code import run_js
    from pyodide.ffi import JsException

    classes = [name for name in members if component and CLASS_NAME.fullmatch(name)]
    bound = "".join(f"const {name} = ({members[name]}\n);\n" for name in classes)
    listed = ", ".join(name if name in classes else f"({source}\n)" for name, source in members.items())
    try:
        evaluated = list(run_js(f"(() => {{\n{bound}return [{listed}];\n}})()"))
    except JsException as together:
        for name, source in members.items():  # which one: each alone
            try:
                run_js(f"({source}\n)")
            except JsException as error:
                raise ModuleError(f"the import {module}.{name} is not a JS function: {error}") from None
        raise ModuleError(f"the imports of {module} cannot be evaluated together: {together}") from None
    for name, value in zip(members, evaluated, strict=True):
        if getattr(value, "typeof", None) != "function":
            raise ModuleError(f"the import {module}.{name} is not a JS function")
    return dict(zip(members, evaluated, strict=True))


def _from_js(value: Any) -> Any:
    """A JS result as Python: a BigInt as an int, an array as a tuple (several results)."""
    if hasattr(value, "to_py"):
        return tuple(_from_js(item) for item in value)
    return int(value) if isinstance(value, int) else value


class _Reactor:
    """An instance the page drives (rt.instantiate): its process, its setup and its exports' types;
    for a component, `values` converts its calls' JS values (api/js_values.py). `linked`: the
    open instances whose exports it imports; `users`: how many open instances import its own."""

    def __init__(
        self,
        setup: _Setup,
        process: Any,
        functions: dict[str, ExportSpec],
        values: JsValues | None = None,
        linked: list[_Reactor] | None = None,
    ) -> None:
        self.setup = setup
        self.process = process
        self.functions = functions  # a core module's exported functions
        self.values = values
        self.linked = linked or []
        self.users = 0
        for provider in self.linked:
            provider.users += 1


_reactors: dict[int, _Reactor] = {}
"""The open instances by the page's id: one, and those linked to it (`imports` naming an open
instance, which the page instantiates in that instance's turn of the queue)."""

INSTANCE_KEY = "$instance"  # what the page sends for an Instance given in `imports` (no WIT name has "$")


def instantiate(instance: int, wasm: Any, options_js: Any, emit: Any, *context: Any) -> Any:
    """Instantiate a module for the page (calling a reactor's `_initialize`), with `run`'s
    arguments: {value: {exports: {name: kind}}} or {error, kind}; then `call`, `drop`,
    `memory_read`, `memory_write` with its id, and `close` ends it."""
    setup = _Setup(options_js.to_py() if options_js is not None else {}, emit, *context)
    linked = _linked_reactors(setup.options)
    try:
        program = pywasi_web.Program(_as_bytes(wasm), engine=setup.engine())
        values = _values(program)
        process = program.instantiate(
            [str(arg) for arg in setup.options.get("args") or []],
            imports=_imports(setup.options, values),
            **setup.open(program),
        )
    except (PywasiError, WasiError) as error:
        setup.fail(error)
        setup.close()
        return _js({"error": setup.result["error"]["message"], "kind": setup.result["error"]["kind"]})
    if values is not None:
        assert isinstance(process.instance, ComponentInstanceProcess)  # values: a component's
        _reactors[int(instance)] = _Reactor(setup, process, {}, values, linked)
        return _js({"value": {"exports": dict.fromkeys(process.instance.functions(), "func")}})
    functions = {spec.name: spec for spec in program.compiled.exports if spec.kind == "func"}
    _reactors[int(instance)] = _Reactor(setup, process, functions)
    return _js({"value": {"exports": program.exports}})


def _instance_ref(members: Any) -> int | None:
    """The id of the open instance an `imports` entry names ({"$instance": id}), or None."""
    if isinstance(members, dict) and INSTANCE_KEY in members:
        return int(members[INSTANCE_KEY])
    return None


def _linked_reactors(options: dict[str, Any]) -> list[_Reactor]:
    """The open instances `imports` names (one that is not open is refused by _linked)."""
    refs = {_instance_ref(members) for members in (options.get("imports") or {}).values()}
    return [_reactors[ref] for ref in refs if ref is not None and ref in _reactors]


def _linked(interface: str, ref: int, component: bool) -> Any:
    """What an open instance given in `imports` offers for `interface`: its export of that name
    (any compatible version), as Program.instantiate takes another instance's exports."""
    reactor = _reactors.get(ref)
    if not component:
        raise ModuleError(
            f"imports[{interface!r}] is an instance: only a component imports another's exports"
        )
    if reactor is None or reactor.values is None:
        what = "an instance that is closed" if reactor is None else "a core module's instance"
        raise ModuleError(f"imports[{interface!r}] is {what}")
    try:
        return reactor.process.exports[interface]
    except KeyError:
        raise ModuleError(f"imports[{interface!r}] is an instance that exports no {interface}") from None


def _open(instance: Any) -> _Reactor | None:
    return _reactors.get(int(instance))


def call(instance: Any, name: str, args_js: Any) -> Any:
    """Call an export of one of the page's instances: {value: [results], i64: [flags]} (a
    component's: {value: [result], component: true}) or {error, kind} (see _failure)."""
    reactor = _open(instance)
    if reactor is None:
        return _failure("closed", "the instance is closed")
    if reactor.values is not None:
        return _call_component(reactor, name, args_js.to_py() if args_js is not None else [])
    args = [_from_js(arg) for arg in args_js] if args_js is not None else []
    spec = reactor.functions.get(name)
    if spec is None:
        return _failure("export", f"the module has no exported function {name!r}")
    if len(args) != len(spec.params):
        return _failure("arity", f"{name} takes {_count(len(spec.params))}, not {len(args)}")
    try:
        value = reactor.process.call(name, *args)
    except (ProcExit, TypeError, ValueError, PywasiError) as error:  # ValueError: int("x")
        return _call_failed(name, error)
    # the page makes BigInts of the i64 results (a small Python int would reach it as a Number)
    values = list(value) if len(spec.results) > 1 else [] if value is None else [value]
    return _js({"value": values, "i64": [kind == "i64" for kind in spec.results]})


def _count(params: int) -> str:
    return f"{params} argument{'' if params == 1 else 's'}"


def _failure(kind: str, message: str) -> Any:
    """A call the page's instance could not make or that failed, for `inst.call` to reject with
    an Error of that `kind`: "closed", "export", "arity", "type", "trap", "import" (a function
    given in `imports` threw), "exit", "timeout" or "module"."""
    return _js({"error": message, "kind": kind})


def _call_failed(name: str, error: BaseException) -> Any:
    """_failure for what calling the export `name` raised."""
    from pywasi_web.api.js_values import ArityError

    if isinstance(error, ProcExit):
        return _failure("exit", f"the guest exited with code {error.code}")
    if isinstance(error, ArityError):
        return _failure("arity", f"{name}: {error}")
    if isinstance(error, TypeError | ValueError):
        return _failure("type", f"{name}: {error}")
    if isinstance(error, HostFunctionError):
        return _failure("import", str(error))
    if isinstance(error, GuestTrap):
        return _failure("trap", str(error))
    if isinstance(error, GuestTimeout):
        return _failure("timeout", str(error))
    return _failure("module", str(error))


def _call_component(reactor: _Reactor, name: str, args: list[Any]) -> Any:
    """A component export called with JS values: {value: [result], component: true}, its 64-bit
    integers BigInts (browser/component_values.py), or _failure."""
    from pywasi_web.browser.component_values import to_js_value

    values = reactor.values
    assert values is not None
    try:
        function = reactor.process.instance.function(name)
    except (KeyError, ModuleError):
        return _failure("export", f"the component exports no function {name!r}")
    try:
        result = values.result(function, function(*values.arguments(function, args)))
    except (ProcExit, TypeError, PywasiError) as error:
        return _call_failed(name, error)
    return to_js_value({"value": [result], "component": True})


def drop(instance: Any, handle_js: Any) -> Any:
    """Drop a guest resource handle the page holds (`inst.drop(handle)`), as Python's
    `ResourceHandle.drop()`: the destructor runs once, later uses are refused. {} or _failure."""
    reactor = _open(instance)
    if reactor is None:
        return _failure("closed", "the instance is closed")
    if reactor.values is None:
        return _failure("type", "a core module has no resource handles to drop")
    try:
        reactor.values.handle(
            handle_js.to_py() if hasattr(handle_js, "to_py") else handle_js, "the handle"
        ).drop()
    except (TypeError, PywasiError) as error:
        return _call_failed("drop", error)
    return _js({})


def memory_read(instance: Any, ptr: Any, length: Any) -> Any:
    reactor = _open(instance)
    if reactor is None or reactor.process.memory is None:
        return _js({"error": "no open instance with a memory"})
    try:
        return _js({"value": to_js(reactor.process.memory.read(int(ptr), int(length)))})
    except Fault as error:
        return _js({"error": str(error)})


def memory_write(instance: Any, ptr: Any, data: Any) -> Any:
    reactor = _open(instance)
    if reactor is None or reactor.process.memory is None:
        return _js({"error": "no open instance with a memory"})
    try:
        reactor.process.memory.write(int(ptr), _as_bytes(data))
    except Fault as error:
        return _js({"error": str(error)})
    return _js({})


def close(instance: Any) -> Any:
    """End one of the page's instances: descriptors closed, mounts written back, output flushed;
    the result as a run's (stdout, stderr, files, trees). Refused ("linked") while an open
    instance imports its exports."""
    reactor = _open(instance)
    if reactor is None:
        return _failure("closed", "the instance is closed")
    if reactor.users:
        return _failure(
            "linked", f"{reactor.users} open instance(s) import this one's exports: close them first"
        )
    del _reactors[int(instance)]
    for provider in reactor.linked:
        provider.users -= 1
    failures = reactor.process.finish()
    completed = reactor.process.result(0, time.perf_counter() - reactor.setup.started)
    reactor.setup.result.update(exitCode=0, stdout=to_js(completed.stdout), stderr=to_js(completed.stderr))
    if failures:
        reactor.setup.result.update(error={"kind": "PywasiError", "message": "; ".join(failures)})
    return _js({"value": reactor.setup.close()})


def _partial(result: dict[str, Any], error: BaseException) -> None:
    completed = getattr(error, "result", None)
    if completed is not None:
        result.update(stdout=to_js(completed.stdout), stderr=to_js(completed.stderr))
        if result["exitCode"] is None:
            result["exitCode"] = completed.exit_code


def _target(instance: Any) -> _Session | None:
    """What stdin and cancel act on: the open instance `instance` (inst.write, inst.cancel: with
    linked instances open, each has its own stdin and waiter), else the latest run or instance."""
    if instance is None:
        return _session
    reactor = _open(instance)
    return None if reactor is None else reactor.setup.session


def feed_stdin(data: Any, instance: Any = None) -> None:
    session = _target(instance)
    if session is not None and session.stdin is not None:
        session.stdin.feed(_as_bytes(data))


def close_stdin(instance: Any = None) -> None:
    session = _target(instance)
    if session is not None and session.stdin is not None:
        session.stdin.close()


def net(message: Any) -> None:
    """An event of a page connection (web/pywasi.js `connect`) as a message: connect, write or end.
    (A worker that blocks in Atomics.wait gets them through the channel instead.)"""
    data = _as_bytes(message.data) if message.action == "write" else b""
    _page_event(str(message.action), int(message.conn), getattr(message, "port", None), data)


def _page_event(action: str, conn: int, port: Any, data: bytes) -> None:
    page = _session.page if _session is not None else None
    if page is None:
        return
    if action == "connect":
        page.connect(conn, int(port))
    elif action == "write":
        page.write(conn, data)
    elif action == "end":
        page.end(conn)


def cancel(reason: str, instance: Any = None) -> None:
    """Stop a guest that is waiting (a guest computing in a loop is stopped by terminating the worker)."""
    session = _target(instance)
    if session is not None:
        session.waiter.cancel(reason)


def sync() -> Any:
    """Write the running guest's persistent mounts back now (rt.sync()): {error?}."""
    if _session is None:
        return _js({})
    for fs in _session.persistent:
        fs.browser_store.settle()  # the guest may be waiting for its own write-back to finish
    failures = write_back(_session.persistent)
    return _js({"error": "; ".join(failures)} if failures else {})


def store(operation: str, name: Any = None, data: Any = None, backend: Any = None) -> Any:
    """Manage persistent stores of `backend` ("indexeddb" or "opfs"): "list", "clear", "export"
    (.tar bytes), "import" (.tar bytes); {value} or {error} (a clear message, never a traceback)."""
    backend = str(backend or "indexeddb")
    try:
        if operation == "list":
            return _js({"value": list_stores(backend)})
        if operation == "clear":
            delete_store(backend, str(name))
            return _js({})
        if operation == "export":
            if str(name) not in list_stores(backend):  # opening it would create it, empty
                return _js({"error": f"there is no {backend} store named {str(name)!r}"})
            fs = BrowserStoreFS(backend, str(name), read_only=True)
            try:
                return _js({"value": to_js(to_tar(fs.snapshot()))})
            finally:
                fs.close()
        if operation == "import":
            tree = from_tar(_as_bytes(data))
            fs = BrowserStoreFS(backend, str(name))
            try:
                fs.replace(tree)
                fs.sync()
            finally:
                fs.close()
            return _js({})
    except (PywasiError, WasiError, ValueError) as error:
        return _js({"error": _message(error)})
    return _js({"error": f"unknown store operation {operation!r}"})


def _message(error: Exception) -> str:
    return error.message if isinstance(error, WasiError) else str(error)


def code_cache_warm_up() -> CodeCacheWarmUp:
    """The work worker.js steps through once a guest has run (pywasi_web/browser/code_cache.py)."""
    return CodeCacheWarmUp()


def info(blocking: str) -> Any:
    return _js({"pywasi_web": pywasi_web.__version__, "jspi": blocking == "jspi", "blocking": blocking})
