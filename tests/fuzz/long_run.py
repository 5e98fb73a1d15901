"""`make fuzz`: the long syscall-fuzzing run (default 1 000 000 calls per file system).

Prints the number of calls, distinct (function, errno) outcomes and the time taken; any host
exception, hang or broken invariant stops it with a non-zero exit.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from tests.fuzz.harness import fuzz, host_fs, memory_fs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        for label, make in (("MemoryFS", memory_fs), ("HostDir", host_fs(root))):
            began = time.perf_counter()
            outcomes = fuzz(options.calls, options.seed, make)
            elapsed = time.perf_counter() - began
            print(
                f"{label}: {options.calls} calls, seed {options.seed}, {len(outcomes)} distinct outcomes, "
                f"{sum(v for k, v in outcomes.items() if k.endswith(':SUCCESS'))} successes, "
                f"no host exception, {elapsed:.1f} s"
            )


if __name__ == "__main__":
    main()
