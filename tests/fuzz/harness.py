"""A syscall fuzzer: random calls to every preview1 function with random arguments over random
guest memory. Shared by the short run in the test suite, the run inside Pyodide
(playwright/test_kernel_in_pyodide.py) and `make fuzz` (the long run).

Arguments are unsigned as wasmtime passes them, and also signed as the browser's engine passes
them (negative i32 and i64), with the extremes of both (0, 2**31, 2**32-1, 2**63, 2**64-1...).
Two files of the mount are open from the start, so offsets and sizes reach the file system
(HostDir: the host's os.pread, os.pwrite, os.ftruncate) and not only the descriptor checks."""

from __future__ import annotations

import random
from collections.abc import Callable

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.layout import IOVEC
from pywasi_web.abi.signatures import BLOCKING, SIGNATURES
from pywasi_web.abi.types import ALL_RIGHTS
from pywasi_web.errors import ProcExit
from pywasi_web.kernel.descriptors import MAX_OFFSET, MAX_POSITION, DirectoryDescriptor, FileDescriptor
from pywasi_web.kernel.kernel import Kernel, Preopen
from pywasi_web.kernel.streams import BytesInput, CaptureOutput
from pywasi_web.kernel.waiting import ThreadWaiter
from pywasi_web.preview1.functions import Preview1
from pywasi_web.preview1.memory import BufferMemory
from pywasi_web.vfs import HostDir, MemoryFS, Symlink
from pywasi_web.vfs.base import FileSystem

MEMORY_SIZE = 1 << 16
NAMES = sorted(SIGNATURES)
# Paths the fuzzer plants in memory, so path functions reach deep code, not only EFAULT/ENOENT.
PATHS = [
    b"a",
    b"d",
    b"d/f",
    b"..",
    b"../x",
    b"/etc",
    b"l",
    b"loop",
    b"d/../a",
    b"new",
    b"d/",
    b".",
    b"",
    b"\xff",
]
TREE = {"a": b"alpha", "d/f": b"in d", "l": Symlink("d/f"), "loop": Symlink("loop"), "esc": Symlink("../..")}


class WouldWait(Exception):
    """Raised instead of sleeping, so the fuzzer never hangs and still sees where waits happen."""


class NoWaitWaiter(ThreadWaiter):
    def wait(self, timeout: float | None) -> None:
        if timeout is None or timeout > 0.01:
            raise WouldWait


# Extreme values of both conventions: what wasmtime passes (unsigned) and the browser (signed).
EXTREME_I32 = [0, 1, (1 << 31) - 1, 1 << 31, (1 << 32) - 1, -1, -(1 << 31)]
EXTREME_I64 = [0, 1, 5, 16, (1 << 31), (1 << 32) - 1, 1 << 32, (1 << 63) - 1, 1 << 63, (1 << 64) - 2]
EXTREME_I64 += [(1 << 64) - 1, -1, -2, -(1 << 31), -(1 << 63)]
OPEN_FILES = ("a", "d/f")
RESTART_EVERY = 100
LIKELY_FDS = (0, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 7)  # stdio, the two preopens, the open files, one more


def make_target(fs: FileSystem) -> tuple[Preview1, bytearray]:
    memory = bytearray(MEMORY_SIZE)
    waiter = NoWaitWaiter()
    kernel = Kernel(
        args=[b"fuzz", b"arg"],
        env=[b"A=1"],
        stdin=BytesInput(b"input"),
        stdout=CaptureOutput(),
        stderr=CaptureOutput(),
        waiter=waiter,
        preopens=[Preopen("/sandbox", fs), Preopen("/ro", MemoryFS({"r": b"r"}, read_only=True))],
        max_open=64,
    )
    for path in OPEN_FILES:  # fds 5 and 6: readable, writable, seekable files
        kernel.path_open(3, 0, path, 0, ALL_RIGHTS, ALL_RIGHTS, 0)
    preview1 = Preview1(kernel)
    preview1.memory = BufferMemory(lambda: memoryview(memory))
    return preview1, memory


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _argument(rng: random.Random, kind: str, memory: bytearray) -> int:
    choice = rng.random()
    if kind == "i64":
        if choice < 0.6:
            return rng.choice(EXTREME_I64)
        value = rng.getrandbits(64) >> rng.randrange(64)  # every magnitude
        return _signed(value, 64) if rng.random() < 0.3 else value
    if choice < 0.35:  # a small value: fds, flags, lengths
        return rng.randrange(0, 12)
    if choice < 0.75:  # a pointer inside memory, sometimes at a planted path
        pointer = rng.randrange(0, MEMORY_SIZE - 64)
        planted = rng.random()
        if planted < 0.4:
            path = rng.choice(PATHS)
            memory[pointer : pointer + len(path)] = path
        elif planted < 0.7:  # an iovec array of valid buffers, so reads and writes reach the file
            for index in range(rng.randrange(1, 4)):
                IOVEC.pack_into(
                    memory, pointer + 8 * index, rng.randrange(0, MEMORY_SIZE - 64), rng.randrange(64)
                )
        return pointer
    if choice < 0.9:
        return rng.choice([MEMORY_SIZE - 1, MEMORY_SIZE, *EXTREME_I32])
    value = rng.getrandbits(32)
    return _signed(value, 32) if rng.random() < 0.3 else value


def check_invariants(preview1: Preview1) -> None:
    table = preview1.kernel.fds
    assert len(table) <= table.max_open
    for _fd, descriptor in table:
        assert descriptor.rights_base >= 0 and descriptor.rights_inheriting >= 0
        if isinstance(descriptor, DirectoryDescriptor):
            assert descriptor.node is not None
        if isinstance(descriptor, FileDescriptor):
            assert 0 <= descriptor.position <= MAX_POSITION
            assert 0 <= descriptor.handle.size() <= MAX_OFFSET


def fuzz(calls: int, seed: int, make_fs: Callable[[], FileSystem]) -> dict[str, int]:
    """Make `calls` random calls; return how often each errno came back. Raises on any host error."""
    rng = random.Random(seed)
    outcomes: dict[str, int] = {}
    for call in range(calls):
        if call % RESTART_EVERY == 0:  # a fresh process: random closes and renumbers leave few fds
            preview1, memory = make_target(make_fs())
            functions = preview1.bind()
        if rng.random() < 0.01:
            memory[:] = rng.randbytes(MEMORY_SIZE)
        name = rng.choice(NAMES)
        params = SIGNATURES[name][0]
        args = [_argument(rng, kind, memory) for kind in params]
        if name.startswith(("fd_", "path_", "sock_")) and rng.random() < 0.7:
            args[0] = rng.choice(LIKELY_FDS)  # mostly a descriptor that is open
        try:
            result = functions[name](*args)
        except ProcExit:
            result = None
        except WouldWait:
            assert name in BLOCKING, f"{name} waited, but it is not declared blocking"
            outcomes[f"{name}:WAIT"] = outcomes.get(f"{name}:WAIT", 0) + 1
            continue
        except AssertionError:
            raise
        except BaseException as error:
            raise AssertionError(f"{name}{tuple(args)} raised {error!r}") from error
        if result is not None:
            assert 0 <= result <= max(Errno), f"{name} returned {result}"
            key = f"{name}:{Errno(result).name}"
            outcomes[key] = outcomes.get(key, 0) + 1
        check_invariants(preview1)
    return outcomes


def memory_fs() -> FileSystem:
    return MemoryFS(TREE, max_bytes=1 << 24)


def host_fs(root: str) -> Callable[[], FileSystem]:
    def make() -> FileSystem:
        import os

        os.makedirs(os.path.join(root, "d"), exist_ok=True)
        for name, content in TREE.items():
            path = os.path.join(root, name)
            if os.path.lexists(path):
                continue
            if isinstance(content, Symlink):
                os.symlink(content.target, path)
            else:
                with open(path, "wb") as file:
                    file.write(content)
        return HostDir(root)

    return make
