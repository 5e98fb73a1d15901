"""Exceptions that cross layers: what the embedder sees, and what ends a guest."""

import errno as errno_module

from pywasi_web.abi.errno import Errno


class PywasiError(Exception):
    """Base of every error pywasi_web reports to the embedder; its str() is one clear line.

    `result` holds what the guest produced before it failed (a CompletedRun), when it ran at all.
    """

    result: object = None


class ModuleError(PywasiError):
    """The .wasm cannot run: invalid or truncated bytes, or an import nobody provides."""


class GuestTrap(PywasiError):
    """The guest trapped; `backtrace` holds the wasm frames the engine reported."""

    def __init__(self, message: str, backtrace: str = "") -> None:
        super().__init__(message)
        self.backtrace = backtrace


class HostFunctionError(GuestTrap):
    """A host function the embedder gave failed (a JS import threw, or returned a value that does
    not fit its WIT type): the guest is stopped in the middle of its call, as by a trap."""


class GuestTimeout(PywasiError):
    """The guest ran past its wall-clock limit or was interrupted, and was stopped."""


class CapabilityError(PywasiError):
    """The embedder configured something the capability rules forbid (bad mount, denied socket)."""


class ProcExit(BaseException):
    """Raised by proc_exit (and fatal proc_raise) to unwind the guest; engines turn it into an exit code.

    A BaseException so that no `except Exception` in a host callback swallows it.
    """

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class WasiError(Exception):
    """A failure found in the kernel or a file system, carrying the errno the guest must see.

    Raised where the failure is found; preview1 turns it into the function's return value.
    """

    def __init__(self, errno: int, detail: str = "") -> None:
        super().__init__(errno, detail)
        self.errno = errno
        self.detail = detail

    @property
    def message(self) -> str:
        """For a person: the detail, or the errno's name when there is none."""
        return self.detail or Errno(self.errno).name


def errno_from_oserror(exc: OSError) -> int:
    """The WASI errno for a host OSError (same POSIX name), EIO when there is none."""
    name = errno_module.errorcode.get(exc.errno or 0, "EIO")[1:]
    name = {"2BIG": "TOOBIG", "OPNOTSUPP": "NOTSUP", "WOULDBLOCK": "AGAIN"}.get(name, name)
    return int(Errno.__members__.get(name, Errno.IO))
