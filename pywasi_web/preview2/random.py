"""wasi:random: all three interfaces draw from the kernel's random source (the host's CSPRNG),
which is also good enough where insecure randomness is asked for."""

from __future__ import annotations

from pywasi_web.errors import GuestTrap
from pywasi_web.kernel.kernel import Kernel

# Bytes one call may ask for before it is refused (the guest passes a u64).
MAX_BYTES = 1 << 26


class Random:
    """wasi:random/random, and wasi:random/insecure under its own names."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def get_random_bytes(self, length: int) -> bytes:
        if length > MAX_BYTES:
            raise GuestTrap(f"get-random-bytes: {length} bytes is more than the {MAX_BYTES} allowed")
        return self._kernel.random(length)

    def get_random_u64(self) -> int:
        return int.from_bytes(self._kernel.random(8), "little")

    get_insecure_random_bytes = get_random_bytes
    get_insecure_random_u64 = get_random_u64


class InsecureSeed:
    """wasi:random/insecure-seed: one seed per instance, the same on every call (as wasmtime)."""

    def __init__(self, kernel: Kernel) -> None:
        raw = kernel.random(16)
        self._seed = (int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:], "little"))

    def insecure_seed(self) -> tuple[int, int]:
        return self._seed
