"""Program: a module compiled once, run or instantiated many times; and the one-call run()."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pywasi_web.abi.signatures import BLOCKING, MODULE
from pywasi_web.api.arguments import check_command_line, check_timeout
from pywasi_web.api.result import CompletedRun
from pywasi_web.api.stdio import input_stream, output_stream
from pywasi_web.api.trace import CallLog, Tracer, make_tracer
from pywasi_web.engines import default_engine, default_waiter, start_timer
from pywasi_web.engines.base import Engine, HostFunction, Instance
from pywasi_web.engines.validation import is_component
from pywasi_web.errors import CapabilityError, GuestTimeout, GuestTrap, ModuleError, ProcExit, PywasiError
from pywasi_web.kernel.kernel import Kernel, Preopen
from pywasi_web.kernel.streams import CaptureOutput
from pywasi_web.kernel.waiting import Waiter
from pywasi_web.net.base import Socket
from pywasi_web.preview1.functions import Preview1
from pywasi_web.vfs.base import FileSystem
from pywasi_web.vfs.host import HostDir

if TYPE_CHECKING:
    from pywasi_web.api.components import ComponentInstanceProcess, LoadedComponent
    from pywasi_web.net.allowlist import Allowlist
    from pywasi_web.preview2.host import NetworkGrant

    # what `allow` takes: entries, an Allowlist, or a grant built by the embedder (the browser's)
    Network = Allowlist | Iterable[str] | NetworkGrant | None

ModuleSource = bytes | bytearray | memoryview | str | os.PathLike[str]
Mounts = Mapping[str, FileSystem | str | os.PathLike[str]]
ExtraImports = Mapping[str, Mapping[str, Callable[..., Any]]]


def _load(module: ModuleSource) -> tuple[bytes, str]:
    if isinstance(module, bytes | bytearray | memoryview):
        return bytes(module), "main.wasm"
    path = Path(module)
    try:
        return path.read_bytes(), os.fspath(module)
    except OSError as error:
        raise ModuleError(f"cannot read {path}: {error.strerror or error}") from None


class Program:
    """A compiled WASI module or component (WASI 0.2; see pywasi_web/api/components.py).

    >>> program = Program("hello.wasm")           # doctest: +SKIP
    >>> program.run(["world"]).stdout             # doctest: +SKIP
    """

    def __init__(self, module: ModuleSource, *, engine: Engine | None = None) -> None:
        self.wasm, self.name = _load(module)
        self.engine = engine or default_engine()
        self.component: LoadedComponent | None = None
        if is_component(self.wasm):
            # the component model is imported for a component only: a start of `pywasi-web run` of
            # a core module saves the ~50 ms its modules take to import
            from pywasi_web.api.components import LoadedComponent

            self.component = LoadedComponent(self.wasm, self.engine)
            self.exports = self.component.exports
            return
        self.compiled = self.engine.compile(self.wasm)
        self.exports = {spec.name: spec.kind for spec in self.compiled.exports}
        imports_wasi = any(spec.module == MODULE for spec in self.compiled.imports)
        if imports_wasi and self.exports.get("memory") != "memory":
            raise ModuleError("the module exports no memory named 'memory', which WASI functions need")

    def run(
        self,
        args: Sequence[str] = (),
        *,
        argv0: str | None = None,
        env: Mapping[str, str] | None = None,
        mounts: Mounts | None = None,
        sockets: Sequence[Socket] = (),
        allow: Network = None,
        stdin: object = None,
        stdout: object = None,
        stderr: object = None,
        capture_output: bool = False,
        timeout: float | None = None,
        trace: bool | Tracer | CallLog | None = None,
        imports: ExtraImports | None = None,
        max_open: int = 1024,
        waiter: Waiter | None = None,
    ) -> CompletedRun:
        """Run the command's `_start` and return its exit code and output.

        args: arguments after argv[0], which is `argv0` (default: the module's path).
        mounts: guest path -> MemoryFS, HostDir or a host path (mounted as a HostDir).
        stdin: bytes, str, a file, a callable(size) -> bytes, INHERIT or None (empty).
        stdout/stderr: a callable(bytes), a file, INHERIT, or None (this process's sys.stdout/err);
        with capture_output=True they are collected in the result (a callable still sees each chunk).
        trace: True prints every WASI call to stderr; a callable(name, args, result) receives them;
        a CallLog keeps them with the seconds each took.
        imports: {module: {name: callable}} for non-WASI imports the module needs; for a
        component, {interface: host object} (values.py in pywasi_web/component says how).

        Raises ModuleError (the module cannot run), GuestTrap (it trapped) or GuestTimeout (it
        exceeded `timeout` seconds); the exception's `result` holds the output up to that point.
        Bad arguments (args as one string, a NUL, a negative timeout) raise TypeError/ValueError.
        """
        check_timeout(timeout)
        if self.component is not None:
            if not self.component.is_command:
                raise ModuleError("the component exports no wasi:cli/run: use Program.instantiate()")
        elif "_start" not in self.exports:
            if "_initialize" in self.exports:
                raise ModuleError(
                    "this is a reactor module (it exports _initialize): use Program.instantiate()"
                )
            raise ModuleError("the module exports neither _start nor _initialize: nothing to run")
        process = self.instantiate(
            args,
            argv0=argv0,
            env=env,
            mounts=mounts,
            sockets=sockets,
            allow=allow,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            capture_output=capture_output,
            trace=trace,
            imports=imports,
            max_open=max_open,
            waiter=waiter,
        )
        cancel_timer = None
        if timeout is not None:
            reason = f"the guest ran longer than {timeout:g} s"
            cancel_timer = start_timer(timeout, lambda: process.interrupt(reason))
        started = time.perf_counter()
        try:
            exit_code = process.start()
        except (GuestTrap, GuestTimeout) as error:
            process.finish()
            error.result = process.result(1, time.perf_counter() - started)
            raise
        except BaseException:  # a KeyboardInterrupt (a notebook's Interrupt), an embedder's error:
            process.finish()  # the run is over too, its descriptors closed, its requests cancelled
            raise
        finally:
            if cancel_timer is not None:
                cancel_timer()
        failures = process.finish()
        result = process.result(exit_code, time.perf_counter() - started)
        if failures:
            write_back_failed = PywasiError("; ".join(failures))
            write_back_failed.result = result
            raise write_back_failed
        return result

    def instantiate(
        self,
        args: Sequence[str] = (),
        *,
        argv0: str | None = None,
        env: Mapping[str, str] | None = None,
        mounts: Mounts | None = None,
        sockets: Sequence[Socket] = (),
        allow: Network = None,
        stdin: object = None,
        stdout: object = None,
        stderr: object = None,
        capture_output: bool = False,
        trace: bool | Tracer | CallLog | None = None,
        imports: ExtraImports | None = None,
        max_open: int = 1024,
        waiter: Waiter | None = None,
    ) -> Process:
        """Instantiate without running `_start`, with run()'s options.

        For a reactor its `_initialize` is called; then call exports with `process.call(name, *args)`.
        """
        check_command_line(args, argv0, env)
        if self.component is None and allow:
            raise CapabilityError(NOT_A_COMPONENT)
        waiter = waiter or default_waiter()
        grant = _grant(allow, waiter) if self.component is not None else None  # refused before anything opens
        argv = [argv0 if argv0 is not None else self.name, *args]
        kernel = Kernel(
            args=[arg.encode() for arg in argv],
            env=[f"{key}={value}".encode() for key, value in (env or {}).items()],
            stdin=input_stream(stdin, waiter),
            stdout=output_stream(stdout, capture_output, 1),
            stderr=output_stream(stderr, capture_output, 2),
            waiter=waiter,
            preopens=[Preopen(guest, _filesystem(fs)) for guest, fs in (mounts or {}).items()],
            sockets=sockets,
            max_open=max_open,
        )
        if self.component is not None:
            # True: the component model's own printer (WIT values); a CallLog or callable as for P1
            observe = trace if isinstance(trace, bool) else make_tracer(trace)
            from pywasi_web.api.components import ComponentInstanceProcess

            value, store = self.component.instantiate(kernel, imports or {}, observe, grant)
            # a grant built here from `allow` entries ends with the process; an embedder's, with it
            owned = grant if grant is not allow else None
            return Process(argv, kernel, ComponentInstanceProcess(value, store), owned, component=True)
        preview1 = Preview1(kernel)
        tracer = make_tracer(trace)
        functions: dict[tuple[str, str], HostFunction] = {
            (MODULE, name): function for name, function in preview1.bind(tracer).items()
        }
        for module_name, members in (imports or {}).items():
            for name, function in members.items():
                functions[(module_name, name)] = function
        blocking = frozenset((MODULE, name) for name in BLOCKING)
        # the engine may answer common calls itself only when they are preview1's, untraced
        fast = preview1.fast_paths() if tracer is None and MODULE not in (imports or {}) else None
        instance = self.engine.instantiate(self.compiled, functions, blocking=blocking, fast=fast)
        if instance.memory is not None:
            preview1.memory = instance.memory
        process = Process(argv, kernel, instance)
        if "_initialize" in self.exports and "_start" not in self.exports:
            process.call("_initialize")
        return process


class Process:
    """One instance of a Program with its kernel: a running or runnable guest."""

    def __init__(
        self,
        argv: list[str],
        kernel: Kernel,
        instance: Instance | ComponentInstanceProcess,
        network: NetworkGrant | None = None,
        *,
        component: bool = False,
    ) -> None:
        self.argv = argv
        self.kernel = kernel
        self.instance = instance
        self._network = network
        self._component = component  # `instance` is a ComponentInstanceProcess

    @property
    def memory(self) -> Any:
        return None if self._component else cast("Instance", self.instance).memory

    @property
    def exports(self) -> Any:
        """A component's exports as Python attributes (see api/components.py)."""
        if not self._component:
            raise ModuleError("exports as Python functions are for components; use call() on a module")
        return cast("ComponentInstanceProcess", self.instance).exports

    def call(self, export: str, *args: Any) -> Any:
        """Call an export; proc_exit inside it raises ProcExit."""
        return self.instance.call(export, *args)

    def start(self) -> int:
        if self._component:
            return cast("ComponentInstanceProcess", self.instance).start()
        try:
            self.instance.call("_start")
        except ProcExit as exit_request:
            return exit_request.code
        return 0

    def interrupt(self, reason: str) -> None:
        """Stop the guest from another thread, even while it waits for input."""
        self.kernel.waiter.cancel(reason)
        self.instance.interrupt(reason)

    def finish(self) -> list[str]:
        """Cancel the wasi:http requests still in flight, close every descriptor, write
        persistent mounts back, flush output and release the engine's instance (the process
        cannot be called afterwards).

        Returns what failed to be written back (store full, another writer): the guest has
        exited, so the embedder is the only one left to tell.
        """
        if self._network is not None:
            self._network.close()
        self.kernel.fds.close_all()
        self.kernel.stdout.flush()
        self.kernel.stderr.flush()
        failures = self.kernel.sync_mounts()
        self.instance.close()
        return failures

    def result(self, exit_code: int, duration: float) -> CompletedRun:
        stdout = self.kernel.stdout
        stderr = self.kernel.stderr
        return CompletedRun(
            self.argv,
            exit_code,
            bytes(stdout.buffer) if isinstance(stdout, CaptureOutput) else b"",
            bytes(stderr.buffer) if isinstance(stderr, CaptureOutput) else b"",
            duration,
        )


NOT_A_COMPONENT = (
    "allow= is a component's network (wasi:sockets, wasi:http); a core module reaches only the "
    "sockets its host opens for it: pass sockets=[TcpSocket.connect(host, port, allowlist), ...] "
    "(docs/api.md, Sockets)"
)


def _grant(allow: Network, waiter: Waiter) -> NetworkGrant | None:
    """allow= entries as a grant: CPython's network (host TCP, name lookup, an HTTP client on
    threads); inside Pyodide, wasi:http through the browser's fetch() only (the rest refused:
    browser/notebook_network.py)."""
    from pywasi_web.preview2.host import NetworkGrant, host_network

    if allow is None or isinstance(allow, NetworkGrant):
        return allow
    if isinstance(allow, str):
        raise TypeError("allow must be a list of entries (such as ['127.0.0.1:8080']), not one string")
    if sys.platform == "emscripten":
        from pywasi_web.browser.notebook_network import notebook_grant

        return notebook_grant(allow, waiter)
    return host_network(allow)


def _filesystem(value: FileSystem | str | os.PathLike[str]) -> FileSystem:
    return value if isinstance(value, FileSystem) else HostDir(value)


def run(
    module: ModuleSource, args: Sequence[str] = (), *, engine: Engine | None = None, **options: Any
) -> CompletedRun:
    """Compile and run a WASI command in one call, in the spirit of subprocess.run.

    See Program.run for the options (argv0, env, mounts, stdin, stdout, stderr, capture_output,
    timeout, trace, imports, sockets, allow).
    """
    return Program(module, engine=engine).run(args, **options)
