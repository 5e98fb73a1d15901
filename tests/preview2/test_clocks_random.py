"""wasi:clocks and wasi:random against the kernel's clocks and random source."""

from __future__ import annotations

import time

import pytest

from pywasi_web.errors import GuestTrap
from tests.preview2.helpers import imports
from tests.unit.helpers import make_kernel


def test_monotonic_clock_moves_forward_and_has_a_resolution() -> None:
    clock = imports(make_kernel())["wasi:clocks/monotonic-clock"]
    first = clock.now()
    second = clock.now()
    assert 0 < first <= second
    assert clock.resolution() >= 1


def test_wall_clock_is_the_hosts_time() -> None:
    clock = imports(make_kernel())["wasi:clocks/wall-clock"]
    before = time.time_ns()
    now = clock.now()
    after = time.time_ns()
    assert set(now) == {"seconds", "nanoseconds"}
    assert 0 <= now["nanoseconds"] < 10**9
    assert before <= now["seconds"] * 10**9 + now["nanoseconds"] <= after
    resolution = clock.resolution()
    assert resolution["seconds"] * 10**9 + resolution["nanoseconds"] >= 1


def test_subscribe_instant_in_the_past_is_ready() -> None:
    clock = imports(make_kernel())["wasi:clocks/monotonic-clock"]
    assert clock.subscribe_instant(0).ready()
    assert clock.subscribe_instant(clock.now() - 1).ready()


def test_random_bytes_and_u64() -> None:
    host = imports(make_kernel())
    for name, bytes_fn, u64_fn in (
        ("wasi:random/random", "get_random_bytes", "get_random_u64"),
        ("wasi:random/insecure", "get_insecure_random_bytes", "get_insecure_random_u64"),
    ):
        interface = host[name]
        data = getattr(interface, bytes_fn)(64)
        assert isinstance(data, bytes) and len(data) == 64
        assert data != getattr(interface, bytes_fn)(64)
        values = {getattr(interface, u64_fn)() for _ in range(8)}
        assert len(values) > 1 and all(0 <= value < 2**64 for value in values)


def test_a_huge_random_request_traps() -> None:
    with pytest.raises(GuestTrap):
        imports(make_kernel())["wasi:random/random"].get_random_bytes(2**63)


def test_insecure_seed_is_fixed_per_instance() -> None:
    seed = imports(make_kernel())["wasi:random/insecure-seed"]
    first = seed.insecure_seed()
    assert first == seed.insecure_seed()
    assert len(first) == 2 and all(0 <= part < 2**64 for part in first)
