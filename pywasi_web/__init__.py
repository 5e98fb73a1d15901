"""pywasi_web: run WASI (wasip1) programs on CPython and in the browser, with WASI written in Python."""

from pywasi_web.api.program import Process, Program, run
from pywasi_web.api.result import CompletedRun, NonZeroExit
from pywasi_web.api.stdio import INHERIT
from pywasi_web.api.trace import CallLog, strace
from pywasi_web.errors import CapabilityError, GuestTimeout, GuestTrap, ModuleError, PywasiError
from pywasi_web.kernel.streams import QueueInput
from pywasi_web.vfs import HostDir, MemoryFS, Symlink

__version__ = "0.1.0"

__all__ = [
    "INHERIT",
    "CallLog",
    "CapabilityError",
    "CompletedRun",
    "GuestTimeout",
    "GuestTrap",
    "HostDir",
    "MemoryFS",
    "ModuleError",
    "NonZeroExit",
    "Process",
    "Program",
    "PywasiError",
    "QueueInput",
    "Symlink",
    "run",
    "strace",
]
