"""Hot descriptors: an engine may answer fd_seek and in-place fd_write on a memory file itself, and
fd_write on an output stream whose writes it gathers.

In the browser each guest -> Python call costs a microsecond or more, so a guest that rewrites
a file in small pieces (lseek + write, over and over) spends its time crossing the boundary.
The kernel keeps the semantics: `lease` decides which descriptor qualifies and lends it as a
vfs Lease (vfs/lease.py: the file's bytes, the descriptor's position, how it is taken back);
the descriptor table refuses the descriptor to Python until it is settled. While leased, the
engine only moves the position and overwrites bytes that already exist (no growth, no append,
no other descriptor state), and leaves every other case, error or not, to the kernel. Before
any other call reaches the kernel, and when the guest stops, the engine hands the position and
the time of the last write back through `settle`, so the kernel is authoritative whenever
Python runs.

An output stream (stdout, stderr) whose sink only passes bytes on (a capture buffer, a
callback) can be gathered: `gather_streams` routes its writes through the engine's gatherer,
which keeps them in order whoever answers them (the engine itself, or the kernel for the writes
it leaves to Python) and delivers them to the sink in batches. Such a stream may then be leased
(`lease_stream`): the engine writes to the gatherer directly. What the sink receives is the
same; only when changes, as with any buffered pipe. A sink that can fail (a host file or
descriptor) is never gathered, so no write error is reported late.
"""

from __future__ import annotations

from pywasi_web.abi.types import Fdflags, Rights
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import Descriptor, FileDescriptor, StreamDescriptor
from pywasi_web.kernel.fdtable import FdTable
from pywasi_web.kernel.streams import CallbackOutput, CaptureOutput, GatheredOutput, Gatherer, NullOutput
from pywasi_web.vfs.lease import Lease
from pywasi_web.vfs.memory import MemoryFile

LEASE_RIGHTS = Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_TELL
PASS_ON_SINKS = (CaptureOutput, CallbackOutput, NullOutput)


class HotFiles:
    def __init__(self, fds: FdTable) -> None:
        self._fds = fds
        self._gathered: list[GatheredOutput] = []

    def lease(self, fd: int, max_position: int) -> Lease | None:
        """Lend `fd` if it qualifies: a writable, seekable, non-append descriptor of a plain memory
        file (not a lazily stored one, not a host file) at a position up to `max_position` (what
        the engine can represent). Python may not use `fd` again until it is settled."""
        try:
            descriptor = self._fds.get(fd, LEASE_RIGHTS, FileDescriptor)
        except WasiError:
            return None
        file = descriptor.handle
        # (a read-only mount never grants FD_WRITE, so LEASE_RIGHTS already excludes it)
        if type(file) is not MemoryFile or descriptor.fdflags & Fdflags.APPEND:
            return None
        if descriptor.position > max_position:
            return None
        lease = Lease(file, descriptor.position)
        self._fds.lend(fd, lease)
        return lease

    def gather_streams(self, gatherer: Gatherer) -> None:
        """Route the writes to every output stream whose sink passes bytes on through `gatherer`,
        which delivers them (`deliver`, by the key of each stream)."""
        for _fd, descriptor in self._fds:
            if isinstance(descriptor, StreamDescriptor) and type(descriptor.sink) in PASS_ON_SINKS:
                assert descriptor.sink is not None
                gathered = GatheredOutput(gatherer, len(self._gathered), descriptor.sink)
                self._gathered.append(gathered)
                descriptor.sink = gathered

    def deliver(self, key: int, data: bytes) -> None:
        """What the gatherer delivers: the writes to stream `key`, in order."""
        self._gathered[key].sink.write(data)

    def lease_stream(self, fd: int) -> int | None:
        """The gatherer's key for `fd` if the engine may write to the gatherer itself: a gathered
        output stream."""
        try:
            descriptor = self._fds.get(fd, Rights.FD_WRITE, StreamDescriptor)
        except WasiError:
            return None
        sink = descriptor.sink
        return sink.key if isinstance(sink, GatheredOutput) else None

    @staticmethod
    def memory_file(descriptor: Descriptor) -> tuple[FileDescriptor, MemoryFile] | None:
        """`descriptor` and its file if that is a plain memory file (not a lazily stored one, not
        a host file): its stat and reads are plain Python, which neither waits nor fails."""
        file = getattr(descriptor, "handle", None)
        if type(file) is not MemoryFile:
            return None
        assert isinstance(descriptor, FileDescriptor)
        return descriptor, file

    def small_file(self, descriptor: FileDescriptor, file: MemoryFile, limit: int) -> bytearray | None:
        """The bytes an engine may read itself for `descriptor` (a `memory_file`) from position 0:
        all of `file` if it holds at most `limit` bytes, the descriptor is readable and at
        position 0. Reading changes nothing but the position (a memory file keeps no access
        time), which the engine hands back through `set_position`."""
        if not descriptor.rights_base & Rights.FD_READ or descriptor.position or len(file.data) > limit:
            return None
        return file.data

    def set_position(self, fd: int, position: int) -> None:
        """Where an engine's reads of a `small_file` left `fd`."""
        self._fds.get(fd, 0, FileDescriptor).position = position

    def settle(self, fd: int, position: int, written_at_ns: int | None) -> None:
        """Take back a lease: the position, and the time of the last write if there was one."""
        descriptor, lease = self._fds.take_back(fd)
        assert isinstance(descriptor, FileDescriptor)
        descriptor.position = lease.settle(position, written_at_ns)
