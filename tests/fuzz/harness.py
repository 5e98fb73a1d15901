"""A syscall fuzzer: random calls to every preview1 function with random arguments over random
guest memory. Shared by the short run in the test suite and `make fuzz` (the long run)."""

from __future__ import annotations

import random
from collections.abc import Callable

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.signatures import BLOCKING, SIGNATURES
from pywasi_web.errors import ProcExit
from pywasi_web.kernel.descriptors import DirectoryDescriptor
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
    preview1 = Preview1(kernel)
    preview1.memory = BufferMemory(lambda: memoryview(memory))
    return preview1, memory


def _argument(rng: random.Random, kind: str, memory: bytearray) -> int:
    choice = rng.random()
    if kind == "i64":
        return rng.choice([0, 1, 5, 16, 1 << 32, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, rng.getrandbits(64)])
    if choice < 0.35:  # a small value: fds, flags, lengths
        return rng.randrange(0, 12)
    if choice < 0.75:  # a pointer inside memory, sometimes at a planted path
        pointer = rng.randrange(0, MEMORY_SIZE - 64)
        if rng.random() < 0.5:
            path = rng.choice(PATHS)
            memory[pointer : pointer + len(path)] = path
        return pointer
    return rng.choice([MEMORY_SIZE - 1, MEMORY_SIZE, 0xFFFFFFFF, 0x7FFFFFFF, rng.getrandbits(32)])


def check_invariants(preview1: Preview1) -> None:
    table = preview1.kernel.fds
    assert len(table) <= table.max_open
    for _fd, descriptor in table:
        assert descriptor.rights_base >= 0 and descriptor.rights_inheriting >= 0
        if isinstance(descriptor, DirectoryDescriptor):
            assert descriptor.node is not None


def fuzz(calls: int, seed: int, make_fs: Callable[[], FileSystem]) -> dict[str, int]:
    """Make `calls` random calls; return how often each errno came back. Raises on any host error."""
    rng = random.Random(seed)
    preview1, memory = make_target(make_fs())
    functions = preview1.bind()
    outcomes: dict[str, int] = {}
    for _ in range(calls):
        if rng.random() < 0.01:
            memory[:] = rng.randbytes(MEMORY_SIZE)
        name = rng.choice(NAMES)
        params = SIGNATURES[name][0]
        args = [_argument(rng, kind, memory) for kind in params]
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
