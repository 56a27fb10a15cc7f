#!/usr/bin/env python3
"""Launch overhead: /bin/true bare, under taskset, numactl and numarun with the same binding.

Prints the median, min and max wall time over RUNS runs (default 200), interleaved so that machine noise
hits every variant alike, and numarun's median as a ratio of numactl's.
"""
import os
import sys
import time
import subprocess
import statistics

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import numarun_path  # noqa: E402

RUNS = int(os.environ.get("RUNS", "200"))
NR = numarun_path()
VARIANTS = [
    ("bare", ["/bin/true"]),
    ("taskset -c 0", ["taskset", "-c", "0", "/bin/true"]),
    ("numactl -C 0 -m 0", ["numactl", "-C", "0", "-m", "0", "/bin/true"]),
    ("numarun -C 0 -m 0", [NR, "-C", "0", "-m", "0", "/bin/true"]),
    ("numarun (default plan)", [NR, "/bin/true"]),
    ("hwloc-bind core:0", ["hwloc-bind", "core:0", "--", "/bin/true"]),
]


def main():
    times = {name: [] for name, _ in VARIANTS}
    for _ in range(RUNS):
        for name, argv in VARIANTS:
            t0 = time.perf_counter()
            subprocess.run(argv, check=True)
            times[name].append((time.perf_counter() - t0) * 1000.0)
    print("launch of /bin/true, %d runs each, wall ms (median / min / max)" % RUNS)
    for name, _ in VARIANTS:
        t = times[name]
        print("  %-24s %7.2f %7.2f %7.2f" % (name, statistics.median(t), min(t), max(t)))
    ratio = statistics.median(times["numarun -C 0 -m 0"]) / statistics.median(times["numactl -C 0 -m 0"])
    print("numarun / numactl median ratio: %.2f" % ratio)


if __name__ == "__main__":
    main()
