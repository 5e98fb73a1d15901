"""`pywasi-web run | serve | build-site | manifest`: `run` spells its flags as wasmtime's CLI does."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from pywasi_web.cli import flags
from pywasi_web.cli.interrupt import EXIT_INTERRUPTED, StopOnSigint
from pywasi_web.errors import GuestTimeout, GuestTrap, PywasiError

EXIT_TRAP = 134  # 128 + SIGABRT, as wasmtime reports a trap
EXIT_TIMEOUT = 124  # as timeout(1)
EXIT_ERROR = 1


def _parser() -> argparse.ArgumentParser:
    parser = flags.OneLineParser(prog="pywasi-web", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a WASI command on this machine (wasmtime engine)")
    run.add_argument(
        "--dir",
        action="append",
        default=[],
        type=flags.mount,
        metavar="HOST[::GUEST]",
        help="give the guest the host directory HOST, seen as GUEST (default: the same path)",
    )
    run.add_argument(
        "--env",
        action="append",
        default=[],
        type=flags.variable,
        metavar="NAME[=VALUE]",
        help="set an environment variable; NAME alone passes this process's value, if it has one",
    )
    reach = "let a component's wasi:sockets reach HOST:PORT (or HOST:*) and its wasi:http an origin"
    allow = run.add_argument("--allow", action="append", default=[], type=flags.network_entry, help=reach)
    allow.metavar = "HOST:PORT|ORIGIN"
    run.add_argument(
        "--timeout", type=flags.seconds, metavar="SECONDS", help="stop the guest after this long"
    )
    run.add_argument(
        "--max-memory",
        type=flags.byte_size,
        metavar="BYTES",
        help="cap the guest's linear memory (e.g. 64M): past it memory.grow fails, so malloc returns NULL",
    )
    run.add_argument("--trace", action="store_true", help="print every WASI call to stderr (strace-like)")
    run.add_argument("module", metavar="MODULE.wasm")
    guest_args = run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the guest")
    guest_args.required = False  # argparse marks a REMAINDER positional required; none is fine

    serve = commands.add_parser("serve", help="serve the browser playground on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    site = commands.add_parser("build-site", help="write the playground as a static site")
    site.add_argument("directory")
    site.add_argument(
        "--url-mount",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="ship DIR as mounts/NAME/ with its manifest mounts/NAME.json, for {url: 'mounts/NAME.json'}",
    )
    manifest = commands.add_parser(
        "manifest", help="write the manifest of a directory, for a URL mount of its files (docs/browser.md)"
    )
    manifest.add_argument("directory")
    manifest.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write it to FILE (left out of the tree; `base` points from it to DIR), not to stdout",
    )
    manifest.add_argument(
        "--no-mtime",
        dest="mtimes",
        action="store_false",
        help="leave the files' times out (for a manifest kept in git, where checkouts change them)",
    )
    return parser


def _url_mounts(specs: Sequence[str]) -> dict[str, str]:
    """build-site's --url-mount NAME=DIR options, by name; a name given twice is refused."""
    mounts: dict[str, str] = {}
    for spec in specs:
        name, equals, directory = spec.partition("=")
        if not equals or not directory:
            raise PywasiError(f"--url-mount {spec!r}: give NAME=DIR")
        if name in mounts:
            raise PywasiError(f"--url-mount {name!r} is given twice")
        mounts[name] = directory
    return mounts


def _environment(specs: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """NAME=VALUE sets; NAME alone passes this process's value, or nothing if it has none (as wasmtime)."""
    env: dict[str, str] = {}
    for name, value in specs:
        if value is not None:
            env[name] = value
        elif name in os.environ:
            env[name] = os.environ[name]
    return env


def _run(options: argparse.Namespace) -> int:
    from pywasi_web.api.program import Program
    from pywasi_web.api.stdio import INHERIT
    from pywasi_web.kernel.waiting import ThreadWaiter

    try:
        from pywasi_web.engines.wasmtime_engine import WasmtimeEngine
    except ImportError:
        raise PywasiError("pywasi-web run needs wasmtime: pip install 'pywasi_web[wasmtime]'") from None

    engine = WasmtimeEngine(max_memory=options.max_memory)
    program = Program(options.module, engine=engine)
    waiter = ThreadWaiter()

    def stop(reason: str) -> None:
        waiter.cancel(reason)
        engine.interrupt(reason)

    with StopOnSigint(stop) as sigint:
        try:
            return program.run(
                options.args,
                argv0=options.module,
                env=_environment(options.env),
                mounts=dict(options.dir),
                allow=options.allow,
                stdin=INHERIT,
                stdout=INHERIT,
                stderr=INHERIT,
                timeout=options.timeout,
                trace=options.trace or None,
                waiter=waiter,
            ).exit_code
        except GuestTimeout:
            if sigint.interrupted:
                raise KeyboardInterrupt from None
            raise


def _manifest(options: argparse.Namespace) -> int:
    from pywasi_web.cli.manifest import manifest_text, write_manifest

    try:
        if options.output is None:
            sys.stdout.write(manifest_text(options.directory, mtimes=options.mtimes))
        else:
            with _os_errors_as_one_line():
                write_manifest(options.directory, options.output, mtimes=options.mtimes)
    except ValueError as error:
        raise PywasiError(str(error)) from None
    return 0


@contextmanager
def _os_errors_as_one_line() -> Iterator[None]:
    """`serve` and `build-site` touch the disk and the network: a refusal there (a port in use, a
    directory not writable) is the user's to fix, so it is reported as a PywasiError line."""
    try:
        yield
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        raise PywasiError(f"{error.strerror or error}{where}") from None


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        if options.command == "run":
            return _run(options)
        if options.command == "serve":
            from pywasi_web.cli.serve import serve

            with _os_errors_as_one_line():
                serve(port=options.port)
            return 0
        if options.command == "manifest":
            return _manifest(options)
        from pywasi_web.cli.site import build_site

        with _os_errors_as_one_line():
            build_site(options.directory, url_mounts=_url_mounts(options.url_mount))
        return 0
    except GuestTrap as trap:
        print(f"pywasi-web: {trap}", file=sys.stderr)
        if trap.backtrace:
            print(f"wasm backtrace:\n{trap.backtrace}", file=sys.stderr)
        return EXIT_TRAP
    except GuestTimeout as timeout:
        print(f"pywasi-web: {timeout}", file=sys.stderr)
        return EXIT_TIMEOUT
    except PywasiError as error:
        print(f"pywasi-web: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("pywasi-web: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
