"""Open descriptions: what a guest descriptor refers to, and the operations each kind supports.

An operation a kind does not support raises the errno wasmtime gives for it; rights are checked
before these methods run (see fdtable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import Fdflags, Filetype, Whence
from pywasi_web.errors import WasiError
from pywasi_web.kernel.streams import InputStream, OutputStream
from pywasi_web.kernel.waiting import WouldBlock
from pywasi_web.net.base import Socket
from pywasi_web.vfs.base import DirNode, FileSystem, OpenFile, Stat

MAX_OFFSET = (1 << 63) - 1
"""File offsets are off_t: an I/O range ending past this, or a size beyond it, is EINVAL (Linux's
check, hence wasmtime's answer), so no offset reaches `os` or a bytearray out of range."""
MAX_POSITION = (1 << 64) - 1
"""fd_seek may put the position anywhere a u64 holds (as wasmtime does); I/O there is EINVAL."""
MAX_READ = 1 << 26
"""The most one read asks of a file (a short read, as POSIX allows): overlapping iovecs could
otherwise make the host allocate far more than the guest's memory holds."""


def _io_range(offset: int, size: int) -> None:
    """EINVAL unless [offset, offset + size) lies within off_t (the kernel takes unsigned values)."""
    if not 0 <= offset <= MAX_OFFSET or offset + size > MAX_OFFSET:
        raise WasiError(Errno.INVAL, f"file range {offset}+{size} is past the largest offset")


_T = TypeVar("_T")


@dataclass(eq=False)
class Descriptor:
    rights_base: int
    rights_inheriting: int
    fdflags: int = 0
    read_only: bool = field(default=False, kw_only=True)  # on a read-only mount: changes give EPERM
    # each kind's, a class attribute: a field set in __post_init__ cost every open ~0.5 µs
    filetype: ClassVar[Filetype] = Filetype.UNKNOWN

    def read(self, size: int) -> bytes:
        raise WasiError(Errno.BADF, "not readable")

    def write(self, data: bytes | memoryview) -> int:
        raise WasiError(Errno.BADF, "not writable")

    def pread(self, size: int, offset: int) -> bytes:
        raise WasiError(Errno.SPIPE, "not seekable")

    def pwrite(self, data: bytes | memoryview, offset: int) -> int:
        raise WasiError(Errno.SPIPE, "not seekable")

    def seek(self, offset: int, whence: int) -> int:
        raise WasiError(Errno.SPIPE, "not seekable")

    def stat(self) -> Stat:
        return Stat(self.filetype, 0, 1, 0, 0, 0, 0, 0)

    def set_size(self, size: int) -> None:
        raise WasiError(Errno.BADF, "not a regular file")

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        raise WasiError(Errno.BADF, "not a file")

    def sync(self) -> None:
        """Durability for files; other kinds have nothing to flush."""

    def readable_now(self) -> tuple[bool, int, bool]:
        """(ready, nbytes, hangup) for poll_oneoff's fd_read subscriptions."""
        return True, 0, False

    def writable_now(self) -> tuple[bool, int, bool]:
        return True, 0, False

    def close(self) -> None:
        """Release what the description holds."""

    @property
    def nonblocking(self) -> bool:
        return bool(self.fdflags & Fdflags.NONBLOCK)


@dataclass(eq=False)
class FileDescriptor(Descriptor):
    handle: OpenFile = field(kw_only=True)
    position: int = field(default=0, kw_only=True)
    filetype: ClassVar[Filetype] = Filetype.REGULAR_FILE

    def read(self, size: int) -> bytes:
        data = self.pread(size, self.position)
        self.position += len(data)
        return data

    def write(self, data: bytes | memoryview) -> int:
        if self.fdflags & Fdflags.APPEND:
            self.position = self.handle.size()
        written = self.pwrite(data, self.position)
        self.position += written
        return written

    def pread(self, size: int, offset: int) -> bytes:
        size = min(size, MAX_READ)
        _io_range(offset, size)
        return self.handle.pread(offset, size)

    def pwrite(self, data: bytes | memoryview, offset: int) -> int:
        _io_range(offset, len(data))
        return self.handle.pwrite(offset, data)

    def seek(self, offset: int, whence: int) -> int:
        if whence == Whence.SET:
            target = offset
        elif whence == Whence.CUR:
            target = self.position + offset
        elif whence == Whence.END:
            target = self.handle.size() + offset
        else:
            raise WasiError(Errno.INVAL, f"bad whence {whence}")
        if not 0 <= target <= MAX_POSITION:
            raise WasiError(Errno.INVAL, f"seek to {target}, outside the file's positions")
        self.position = target
        return target

    def stat(self) -> Stat:
        return self.handle.stat()

    def set_size(self, size: int) -> None:
        if not 0 <= size <= MAX_OFFSET:
            raise WasiError(Errno.INVAL, f"file size {size} is past the largest offset")
        self.handle.truncate(size)

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        self.handle.set_times(atim, mtim)

    def sync(self) -> None:
        self.handle.sync()

    def readable_now(self) -> tuple[bool, int, bool]:
        return True, max(0, self.handle.size() - self.position), False

    def close(self) -> None:
        self.handle.close()


@dataclass(eq=False)
class DirectoryDescriptor(Descriptor):
    node: DirNode = field(kw_only=True)
    fs: FileSystem = field(kw_only=True)
    preopen_name: str | None = field(default=None, kw_only=True)
    listing: list[tuple[bytes, int, Filetype]] | None = field(default=None, kw_only=True)
    filetype: ClassVar[Filetype] = Filetype.DIRECTORY

    def read(self, size: int) -> bytes:
        raise WasiError(Errno.ISDIR)

    def write(self, data: bytes | memoryview) -> int:
        raise WasiError(Errno.ISDIR)

    def pread(self, size: int, offset: int) -> bytes:
        raise WasiError(Errno.ISDIR)

    def pwrite(self, data: bytes | memoryview, offset: int) -> int:
        raise WasiError(Errno.ISDIR)

    def stat(self) -> Stat:
        return self.node.stat()

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        self.node.set_times(atim, mtim)

    def set_size(self, size: int) -> None:
        raise WasiError(Errno.ISDIR)

    def entries_from(self, cookie: int) -> list[tuple[bytes, int, Filetype]]:
        """The listing ('.', '..', then entries) from index `cookie`.

        The listing is taken once at cookie 0 and reused for later cookies, so cookies stay
        stable across calls and a 100 000-entry directory is listed in linear time.
        """
        if cookie < 0:  # the kernel takes unsigned values: nothing lies beyond the listing
            return []
        if cookie == 0 or self.listing is None:
            ino = self.node.stat().ino
            listing = [(b".", ino, Filetype.DIRECTORY), (b"..", ino, Filetype.DIRECTORY)]
            listing += [(name.encode(), inode, kind) for name, inode, kind in self.node.entries()]
            self.listing = listing
        return self.listing[cookie:]


@dataclass(eq=False)
class StreamDescriptor(Descriptor):
    """stdin, stdout or stderr: a character device that is not seekable."""

    source: InputStream | None = field(default=None, kw_only=True)
    sink: OutputStream | None = field(default=None, kw_only=True)
    filetype: ClassVar[Filetype] = Filetype.CHARACTER_DEVICE

    def read(self, size: int) -> bytes:
        if self.source is None:
            raise WasiError(Errno.BADF, "not readable")
        if not self.source.ready():
            if self.nonblocking:
                raise WasiError(Errno.AGAIN)
            raise WouldBlock()
        return self.source.read(size)

    def write(self, data: bytes | memoryview) -> int:
        if self.sink is None:
            raise WasiError(Errno.BADF, "not writable")
        return self.sink.write(data)

    def readable_now(self) -> tuple[bool, int, bool]:
        if self.source is None:
            return True, 0, True
        return self.source.ready(), self.source.available(), False

    def sync(self) -> None:
        if self.sink is not None:
            self.sink.flush()


@dataclass(eq=False)
class SocketDescriptor(Descriptor):
    socket: Socket = field(kw_only=True)
    # Read-ahead of a RECV_WAITALL still waiting for the rest: bytes taken from the socket but not
    # yet the guest's, read first by the next recv (so a would-block leaves what the guest can
    # read unchanged, only where it waits).
    held: bytearray = field(default_factory=bytearray, kw_only=True)
    filetype: ClassVar[Filetype] = Filetype.SOCKET_STREAM

    def _now(self, result: _T | None) -> _T:
        """A socket call's result, or EAGAIN / WouldBlock for its None (it would block)."""
        if result is not None:
            return result
        if self.nonblocking:
            raise WasiError(Errno.AGAIN)
        raise WouldBlock()

    def recv(self, size: int, *, peek: bool = False, waitall: bool = False) -> bytes:
        if self.socket.listening:
            raise WasiError(Errno.NOTCONN)
        if waitall and not peek:
            while len(self.held) < size and (more := self._now(self.socket.recv(size - len(self.held)))):
                self.held += more
        if not self.held:
            return self._now(self.socket.recv(size, peek=peek))
        data = bytes(self.held[:size])
        if not peek:
            del self.held[:size]
        return data

    def read(self, size: int) -> bytes:
        return self.recv(size)

    def write(self, data: bytes | memoryview) -> int:
        if self.socket.listening:
            raise WasiError(Errno.NOTCONN)
        return self._now(self.socket.send(bytes(data)))

    def accept(self) -> Socket:
        if not self.socket.listening:
            raise WasiError(Errno.INVAL, "not a listening socket")
        return self._now(self.socket.accept())

    def readable_now(self) -> tuple[bool, int, bool]:
        return bool(self.held) or self.socket.readable(), len(self.held), False

    def writable_now(self) -> tuple[bool, int, bool]:
        return self.socket.writable(), 0, False

    def close(self) -> None:
        self.socket.close()
