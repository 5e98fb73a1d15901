"""wasi:filesystem (types, preopens) over the kernel's descriptor table and path operations.

A `descriptor` is one kernel descriptor number: opening, path resolution, containment and
rights are the kernel's, exactly as Preview 1 uses them; this module only translates flags,
records and the kernel's errnos into WASI 0.2's error-code names. As in wasmtime, a directory
is as mutable as its mount whatever flags opened it, and changes on a read-only mount are
`not-permitted` (the kernel's read-only check, which comes before its rights check).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pywasi_web.abi.errno import Errno
from pywasi_web.abi.types import (
    DIRECTORY_RIGHTS,
    FILE_RIGHTS,
    Fdflags,
    Filetype,
    Fstflags,
    Lookupflags,
    Oflags,
    Rights,
)
from pywasi_web.component.values import Err, Variant
from pywasi_web.errors import WasiError
from pywasi_web.kernel.descriptors import Descriptor as KernelDescriptor
from pywasi_web.kernel.descriptors import DirectoryDescriptor, FileDescriptor
from pywasi_web.kernel.kernel import Kernel, new_times
from pywasi_web.kernel.waiting import WouldBlock, until_ready
from pywasi_web.preview2.clocks import datetime
from pywasi_web.preview2.io import MAX_READ, DirectOutputStream, Error, InputStream, OutputStream, may_block
from pywasi_web.vfs.base import Stat

F = TypeVar("F", bound=Callable[..., Any])

DESCRIPTOR_TYPES = {
    Filetype.UNKNOWN: "unknown",
    Filetype.BLOCK_DEVICE: "block-device",
    Filetype.CHARACTER_DEVICE: "character-device",
    Filetype.DIRECTORY: "directory",
    Filetype.REGULAR_FILE: "regular-file",
    Filetype.SOCKET_DGRAM: "socket",
    Filetype.SOCKET_STREAM: "socket",
    Filetype.SYMBOLIC_LINK: "symbolic-link",
}

# The kernel's errnos by their WASI 0.2 error-code; an errno missing here is reported as `io`.
ERROR_CODES: dict[int, str] = {
    Errno.ACCES: "access",
    Errno.AGAIN: "would-block",
    Errno.ALREADY: "already",
    Errno.BADF: "bad-descriptor",
    Errno.BUSY: "busy",
    Errno.DEADLK: "deadlock",
    Errno.DQUOT: "quota",
    Errno.EXIST: "exist",
    Errno.FBIG: "file-too-large",
    Errno.ILSEQ: "illegal-byte-sequence",
    Errno.INPROGRESS: "in-progress",
    Errno.INTR: "interrupted",
    Errno.INVAL: "invalid",
    Errno.IO: "io",
    Errno.ISDIR: "is-directory",
    Errno.LOOP: "loop",
    Errno.MLINK: "too-many-links",
    Errno.MSGSIZE: "message-size",
    Errno.NAMETOOLONG: "name-too-long",
    Errno.NODEV: "no-device",
    Errno.NOENT: "no-entry",
    Errno.NOLCK: "no-lock",
    Errno.NOMEM: "insufficient-memory",
    Errno.NOSPC: "insufficient-space",
    Errno.NOTDIR: "not-directory",
    Errno.NOTEMPTY: "not-empty",
    Errno.NOTRECOVERABLE: "not-recoverable",
    Errno.NOTSUP: "unsupported",
    Errno.NOSYS: "unsupported",
    Errno.NOTTY: "no-tty",
    Errno.NXIO: "no-such-device",
    Errno.OVERFLOW: "overflow",
    Errno.PERM: "not-permitted",
    Errno.NOTCAPABLE: "not-permitted",
    Errno.PIPE: "pipe",
    Errno.ROFS: "read-only",
    Errno.SPIPE: "invalid-seek",
    Errno.TXTBSY: "text-file-busy",
    Errno.XDEV: "cross-device",
    Errno.MFILE: "insufficient-memory",
    Errno.NFILE: "insufficient-memory",
}

# The latest time a file can carry: Preview 1's u64 nanoseconds (a 0.2 datetime reaches further).
MAX_TIMESTAMP = (1 << 64) - 1
# Rights a descriptor-flag grants in the kernel; without it they are dropped at open.
_READ_RIGHTS = Rights.FD_READ | Rights.FD_READDIR
_WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_DATASYNC | Rights.FD_ALLOCATE
# The synchronous-I/O descriptor flags, as Preview 1 fdflags (the kernel refuses them, as wasmtime).
_SYNC_FLAGS = {
    "file-integrity-sync": Fdflags.SYNC,
    "data-integrity-sync": Fdflags.DSYNC,
    "requested-write-sync": Fdflags.RSYNC,
}
_OPEN_FLAGS = {
    "create": Oflags.CREAT,
    "directory": Oflags.DIRECTORY,
    "exclusive": Oflags.EXCL,
    "truncate": Oflags.TRUNC,
}


def error_code(errno: int) -> str:
    return ERROR_CODES.get(errno, "io")


def _errors(method: F) -> F:
    """Run a `result<_, error-code>` method of a Descriptor: a WasiError from the kernel becomes
    Err(error-code). Any of them may reach a store that must wait (a persistent mount in the
    browser reports WouldBlock before any effect), so each waits on the kernel's waiter and runs
    again, as Preview 1's calls do, and is linked as a function that may block."""

    @may_block
    @functools.wraps(method)
    def call(descriptor: Descriptor, *args: Any) -> Any:
        try:
            return until_ready(descriptor._kernel.waiter, lambda: method(descriptor, *args))
        except WasiError as error:
            raise Err(error_code(error.errno)) from None

    return call  # type: ignore[return-value]


def _lookup(path_flags: Iterable[str]) -> int:
    return Lookupflags.SYMLINK_FOLLOW if "symlink-follow" in set(path_flags) else 0


def _timestamp(value: Variant) -> tuple[int, bool, bool]:
    """(ns, set, now) from a new-timestamp variant."""
    if value.case == "now":
        return 0, False, True
    if value.case == "timestamp":
        stamp = value.value
        ns = stamp["seconds"] * 1_000_000_000 + stamp["nanoseconds"]
        if stamp["nanoseconds"] >= 1_000_000_000 or ns > MAX_TIMESTAMP:
            raise WasiError(Errno.INVAL, f"timestamp {stamp} out of range")
        return ns, True, False
    return 0, False, False


def _times(atime: Variant, mtime: Variant) -> tuple[int, int, int]:
    """The (atim, mtim, fstflags) Preview 1 would pass for two new-timestamps."""
    atim, set_a, now_a = _timestamp(atime)
    mtim, set_m, now_m = _timestamp(mtime)
    flags = (
        (Fstflags.ATIM if set_a else 0)
        | (Fstflags.ATIM_NOW if now_a else 0)
        | (Fstflags.MTIM if set_m else 0)
        | (Fstflags.MTIM_NOW if now_m else 0)
    )
    return atim, mtim, flags


def _stat(stat: Stat) -> dict[str, Any]:
    return {
        "type": DESCRIPTOR_TYPES.get(stat.filetype, "unknown"),
        "link_count": stat.nlink,
        "size": stat.size,
        "data_access_timestamp": datetime(stat.atim),
        "data_modification_timestamp": datetime(stat.mtim),
        "status_change_timestamp": datetime(stat.ctim),
    }


def _hash(stat: Stat) -> dict[str, int]:
    """metadata-hash-value: equal for the same file unchanged, different otherwise (in practice)."""
    key = f"{stat.dev}:{stat.ino}:{stat.size}:{stat.mtim}".encode()
    digest = hashlib.blake2b(key, digest_size=16).digest()
    return {"lower": int.from_bytes(digest[:8], "little"), "upper": int.from_bytes(digest[8:], "little")}


class Descriptor:
    """A filesystem descriptor: kernel descriptor `fd`.

    Streams opened on it keep it alive: dropping the descriptor first closes the kernel
    descriptor only once its last stream is dropped.
    """

    def __init__(self, kernel: Kernel, fd: int, *, owned: bool = True) -> None:
        self._kernel = kernel
        self.fd = fd
        self._owned = owned  # a preopen stays open in the kernel for the next get-directories
        self._users = 1

    def _release(self) -> None:
        """One user fewer; the last closes the kernel descriptor. A drop cannot wait (a guest may
        drop outside any call that can suspend), so a close that would wait for a store (writing
        a persistent file back) leaves the kernel descriptor open: the mounts' write-back at the
        next sync or at the run's end stores the file."""
        self._users -= 1
        if self._users == 0 and self._owned:
            # a failed close (write-back) is reported by the mounts' final sync
            with contextlib.suppress(WasiError, WouldBlock):
                self._kernel.fds.close(self.fd)

    def drop(self) -> None:
        self._release()

    def _get(self, rights: int = 0, kind: type[KernelDescriptor] = KernelDescriptor) -> Any:
        return self._kernel.fds.get(self.fd, rights, kind)

    # -- streams -------------------------------------------------------------------------------

    @_errors
    def read_via_stream(self, offset: int) -> InputStream:
        if isinstance(self._get(), DirectoryDescriptor):
            raise WasiError(Errno.ISDIR, "a directory is read with read-directory")
        file = self._get(0, FileDescriptor)
        file.handle.load()
        return FileInputStream(self, file, offset, self._refusal(lambda: self._get(Rights.FD_READ)))

    @_errors
    def write_via_stream(self, offset: int) -> OutputStream:
        return self._output(offset)

    @_errors
    def append_via_stream(self) -> OutputStream:
        return self._output(None)

    def _output(self, offset: int | None) -> OutputStream:
        file = self._get(0, FileDescriptor)
        file.handle.load()
        refusal = self._refusal(lambda: self._kernel.mutable(self.fd, Rights.FD_WRITE))
        return FileOutputStream(self, file, offset, refusal)

    @staticmethod
    def _refusal(check: Callable[[], object]) -> WasiError | None:
        """Why the stream's reads or writes will fail: as in wasmtime, a stream opens on any file,
        and a descriptor without the access (or on a read-only mount) fails its first use."""
        try:
            check()
        except WasiError as error:
            return error
        return None

    # -- the descriptor itself -----------------------------------------------------------------

    @_errors
    def advise(self, offset: int, length: int, advice: str) -> None:
        self._get(Rights.FD_ADVISE, FileDescriptor)

    @_errors
    def sync_data(self) -> None:
        self._get().sync()

    @_errors
    def sync(self) -> None:
        self._get().sync()

    @_errors
    def get_flags(self) -> frozenset[str]:
        """A file's flags are its read and write rights; a directory can be read, and changed
        unless its mount is read-only (what it was opened with does not matter, as in wasmtime)."""
        descriptor = self._get()
        if isinstance(descriptor, DirectoryDescriptor):
            return frozenset({"read"} if descriptor.read_only else {"read", "mutate-directory"})
        rights = descriptor.rights_base
        return frozenset(
            name for name, right in (("read", Rights.FD_READ), ("write", Rights.FD_WRITE)) if rights & right
        )

    @_errors
    def get_type(self) -> str:
        return DESCRIPTOR_TYPES.get(self._get().filetype, "unknown")

    @_errors
    def set_size(self, size: int) -> None:
        self._kernel.fd_filestat_set_size(self.fd, size)

    @_errors
    def set_times(self, data_access_timestamp: Variant, data_modification_timestamp: Variant) -> None:
        atim, mtim, flags = _times(data_access_timestamp, data_modification_timestamp)
        self._kernel.mutable(self.fd, Rights.FD_FILESTAT_SET_TIMES).set_times(*new_times(atim, mtim, flags))

    @_errors
    def read(self, length: int, offset: int) -> tuple[bytes, bool]:
        data = self._get(Rights.FD_READ).pread(min(length, MAX_READ), offset)
        return data, not data and length > 0

    @_errors
    def write(self, buffer: bytes, offset: int) -> int:
        written: int = self._kernel.mutable(self.fd, Rights.FD_WRITE).pwrite(buffer, offset)
        return written

    @_errors
    def read_directory(self) -> DirectoryEntryStream:
        directory: DirectoryDescriptor = self._get(Rights.FD_READDIR, DirectoryDescriptor)
        return DirectoryEntryStream(list(directory.node.entries()))

    @_errors
    def stat(self) -> dict[str, Any]:
        return _stat(self._get(Rights.FD_FILESTAT_GET).stat())

    @_errors
    def is_same_object(self, other: Descriptor) -> bool:
        mine, theirs = self._get().stat(), other._get().stat()
        return bool(mine.dev == theirs.dev and mine.ino == theirs.ino)

    @_errors
    def metadata_hash(self) -> dict[str, int]:
        return _hash(self._get(Rights.FD_FILESTAT_GET).stat())

    # -- paths ---------------------------------------------------------------------------------

    @_errors
    def create_directory_at(self, path: str) -> None:
        self._kernel.path_create_directory(self.fd, path)

    @_errors
    def stat_at(self, path_flags: Iterable[str], path: str) -> dict[str, Any]:
        return _stat(self._kernel.path_filestat_get(self.fd, _lookup(path_flags), path).stat())

    @_errors
    def metadata_hash_at(self, path_flags: Iterable[str], path: str) -> dict[str, int]:
        return _hash(self._kernel.path_filestat_get(self.fd, _lookup(path_flags), path).stat())

    @_errors
    def set_times_at(
        self,
        path_flags: Iterable[str],
        path: str,
        data_access_timestamp: Variant,
        data_modification_timestamp: Variant,
    ) -> None:
        atim, mtim, flags = _times(data_access_timestamp, data_modification_timestamp)
        self._kernel.path_filestat_set_times(self.fd, _lookup(path_flags), path, atim, mtim, flags)

    @_errors
    def link_at(
        self, old_path_flags: Iterable[str], old_path: str, new_descriptor: Descriptor, new_path: str
    ) -> None:
        self._kernel.path_link(self.fd, _lookup(old_path_flags), old_path, new_descriptor.fd, new_path)

    @_errors
    def open_at(
        self, path_flags: Iterable[str], path: str, open_flags: Iterable[str], flags: Iterable[str]
    ) -> Descriptor:
        wanted = frozenset(flags)  # mutate-directory: a directory is as mutable as its mount
        oflags = 0
        for name in open_flags:
            oflags |= _OPEN_FLAGS[name]
        everything = FILE_RIGHTS | DIRECTORY_RIGHTS
        rights = everything
        if "read" not in wanted:
            rights &= ~_READ_RIGHTS
        if "write" not in wanted:
            rights &= ~_WRITE_RIGHTS
        fdflags = 0
        for name, flag in _SYNC_FLAGS.items():
            fdflags |= flag if name in wanted else 0
        # What is opened under it may still be written, as its parent allows (wasmtime's rule: the
        # flags limit this descriptor, not its children); the kernel caps that by the parent's.
        fd = self._kernel.path_open(self.fd, _lookup(path_flags), path, oflags, rights, everything, fdflags)
        return Descriptor(self._kernel, fd)

    @_errors
    def readlink_at(self, path: str) -> str:
        return self._kernel.path_readlink(self.fd, path).decode("utf-8", "replace")

    @_errors
    def remove_directory_at(self, path: str) -> None:
        self._kernel.path_remove_directory(self.fd, path)

    @_errors
    def rename_at(self, old_path: str, new_descriptor: Descriptor, new_path: str) -> None:
        self._kernel.path_rename(self.fd, old_path, new_descriptor.fd, new_path)

    @_errors
    def symlink_at(self, old_path: str, new_path: str) -> None:
        self._kernel.path_symlink(old_path, self.fd, new_path)

    @_errors
    def unlink_file_at(self, path: str) -> None:
        self._kernel.path_unlink_file(self.fd, path)


class DirectoryEntryStream:
    """The entries of a directory as read-directory found them ('.' and '..' are not listed)."""

    def __init__(self, entries: list[tuple[str, int, Filetype]]) -> None:
        self._entries = iter(entries)

    def read_directory_entry(self) -> dict[str, str] | None:
        entry = next(self._entries, None)
        if entry is None:
            return None
        name, _ino, filetype = entry
        return {"type": DESCRIPTOR_TYPES.get(filetype, "unknown"), "name": name}


class _FileStream:
    """What a file's input and output streams share: the descriptor they keep open until dropped,
    their offset, and the refusal each read or write raises (the descriptor lacks that right)."""

    _offset: int | None

    def __init__(
        self, owner: Descriptor, file: FileDescriptor, offset: int | None, refusal: WasiError | None
    ) -> None:
        super().__init__(owner._kernel.waiter)  # type: ignore[call-arg]  # the stream class after this one
        owner._users += 1
        self._owner = owner
        self._file = file
        self._offset = offset
        self._refusal = refusal

    def drop(self) -> None:
        self._owner._release()


class FileInputStream(_FileStream, InputStream):
    """read-via-stream: reads at its own offset; a file never makes a reader wait."""

    _offset: int

    def _take(self, size: int) -> bytes:
        if self._refusal is not None:
            raise self._refusal
        data = self._file.pread(size, self._offset)
        self._offset += len(data)
        return data


class FileOutputStream(_FileStream, DirectOutputStream):
    """write-via-stream (at an offset) or append-via-stream (`offset` None: at the end each time)."""

    def _put(self, data: bytes) -> None:
        if self._refusal is not None:
            raise self._refusal
        offset = self._file.handle.size() if self._offset is None else self._offset
        written = self._file.pwrite(data, offset)
        if self._offset is not None:
            self._offset += written


class Types:
    """wasi:filesystem/types."""

    Descriptor = Descriptor
    DirectoryEntryStream = DirectoryEntryStream

    def filesystem_error_code(self, err: Error) -> str | None:
        return None if err.errno is None else error_code(err.errno)


class Preopens:
    """wasi:filesystem/preopens: the kernel's preopened directories, under their guest paths."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def get_directories(self) -> list[tuple[Descriptor, str]]:
        found = []
        for fd, descriptor in self._kernel.fds:
            if isinstance(descriptor, DirectoryDescriptor) and descriptor.preopen_name is not None:
                found.append((Descriptor(self._kernel, fd, owned=False), descriptor.preopen_name))
        return found
