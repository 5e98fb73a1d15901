"""The one entry point: every WASI 0.2 interface this project provides, bound to one Kernel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pywasi_web.kernel.kernel import Kernel
from pywasi_web.net.allowlist import Allowlist
from pywasi_web.preview2 import cli, clocks, filesystem, http, io, random, sockets, udp


@dataclass(frozen=True)
class NetworkGrant:
    """What a component's wasi:sockets and wasi:http may reach, and through what. The embedder's
    `allow` entries become one (host_network on CPython; the browser worker builds its own, with
    fetch() for wasi:http): the same allowlist Preview 1's sockets are checked against."""

    network: sockets.SocketAccess | None = None
    http_access: http.HttpAccess | None = None

    def close(self) -> None:
        """The run is over: its wasi:http requests still in flight are cancelled."""
        if self.http_access is not None:
            self.http_access.close()


def host_network(allow: Allowlist | Iterable[str]) -> NetworkGrant:
    """Real TCP, UDP, name lookup and HTTP on CPython, within `allow` (entries or an Allowlist)."""
    allowlist = allow if isinstance(allow, Allowlist) else Allowlist(allow)
    return NetworkGrant(sockets.host_sockets(allowlist), http.host_http(allowlist))


def wasi_imports(
    kernel: Kernel, *, network: sockets.SocketAccess | None = None, http_access: http.HttpAccess | None = None
) -> dict[str, object]:
    """Map each WASI 0.2 interface name, without version ("wasi:cli/stdout"), to its host object.

    The objects follow the component layer's contract: a free function `get-stdout` is the
    attribute `get_stdout`; a resource `output-stream` is the class attribute `OutputStream`
    (methods are called on the resource objects themselves, `[resource-drop]` calls `drop()`
    when the object has one). A `result<T, E>` function returns T or raises
    `pywasi_web.component.values.Err(E)`. A function that can wait carries `may_block = True`
    (see io.may_block): link it as a blocking import (the browser wraps those for JSPI). Host
    traps are raised as pywasi_web.errors.GuestTrap; wasi:cli/exit raises ProcExit.

    `network`: what wasi:sockets may reach (sockets.host_sockets(allowlist) on CPython); None
    denies every socket operation. `http_access`: the origins wasi:http may reach and the Fetcher to reach
    them with (http.host_http(allowlist) on CPython; the browser's fetch bridge there); None
    denies every request.
    """
    waiter = kernel.waiter
    stdio = cli.TerminalStdio()
    chance = random.Random(kernel)
    tcp = sockets.Tcp(waiter, network)
    datagrams = udp.Udp(waiter, network)
    return {
        "wasi:cli/environment": cli.Environment(kernel),
        "wasi:cli/exit": cli.Exit(),
        "wasi:cli/stdin": cli.Stdin(kernel),
        "wasi:cli/stdout": cli.Stdout(kernel),
        "wasi:cli/stderr": cli.Stderr(kernel),
        "wasi:cli/terminal-input": cli.TerminalInputInterface(),
        "wasi:cli/terminal-output": cli.TerminalOutputInterface(),
        "wasi:cli/terminal-stdin": stdio,
        "wasi:cli/terminal-stdout": stdio,
        "wasi:cli/terminal-stderr": stdio,
        "wasi:io/error": io.ErrorInterface(),
        "wasi:io/poll": io.PollInterface(waiter),
        "wasi:io/streams": io.StreamsInterface(),
        "wasi:clocks/monotonic-clock": clocks.MonotonicClock(waiter),
        "wasi:clocks/wall-clock": clocks.WallClock(),
        "wasi:random/random": chance,
        "wasi:random/insecure": chance,
        "wasi:random/insecure-seed": random.InsecureSeed(kernel),
        "wasi:filesystem/types": filesystem.Types(),
        "wasi:filesystem/preopens": filesystem.Preopens(kernel),
        "wasi:sockets/network": sockets.NetworkInterface(),
        "wasi:sockets/instance-network": sockets.InstanceNetwork(network),
        "wasi:sockets/tcp": tcp,
        "wasi:sockets/tcp-create-socket": tcp,
        "wasi:sockets/udp": datagrams,
        "wasi:sockets/udp-create-socket": datagrams,
        "wasi:sockets/ip-name-lookup": sockets.IpNameLookup(waiter),
        "wasi:http/types": http.HttpTypes(waiter),
        "wasi:http/outgoing-handler": http.OutgoingHandler(http_access, waiter),
    }
