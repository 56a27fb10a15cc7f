#!/usr/bin/env python3
"""The monitor's own CPU time per second of wall time, for targets with 10 to 5000 threads.

The target is tests/progs/workers with N idle threads (and no busy ones, so that sampling costs are the
per-thread floor: enumeration and CPU-time reads) or with 2 busy + N idle threads. numarun runs with
--monitor --threads spread at a 1 s interval. numarun's own CPU time (its schedstat, excluding the target)
is read after start-up settles and again near the end; the figure is (delta CPU) / (delta wall).
Target: under 1% of one core at 1000 threads.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import numarun_path  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.environ.get("WORKERS", os.path.join(HERE, "..", "tests", "progs", "workers"))
SECONDS = float(os.environ.get("SECONDS_PER_RUN", "14"))
COUNTS = [int(x) for x in os.environ.get("COUNTS", "10 100 1000 5000").split()]


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def measure(n, busy):
    argv = [numarun_path(), "--monitor", "--threads", "spread", "--interval", "1s", "-q", "--",
            WORKERS, "-t", str(busy), "-i", str(n - busy), "-m", "16", "-s", str(SECONDS)]
    p = subprocess.Popen(argv)
    time.sleep(3.0)  # threads created and placed, a few ticks done
    c0, t0 = cpu_ns(p.pid), time.monotonic()
    time.sleep(SECONDS - 4.5)
    c1, t1 = cpu_ns(p.pid), time.monotonic()
    p.wait()
    if p.returncode != 0:
        raise SystemExit("numarun exited %d" % p.returncode)
    return (c1 - c0) / 1e9 / (t1 - t0) * 100.0


def main():
    print("numarun --monitor --threads spread, interval 1 s: numarun's own CPU, % of one core")
    print("%8s %14s %16s" % ("threads", "all idle", "2 busy + idle"))
    for n in COUNTS:
        print("%8d %13.3f%% %15.3f%%" % (n, measure(n, 0), measure(n, 2)))


if __name__ == "__main__":
    main()
