"""Shared helpers for numarun's benchmarks: run commands many times, report medians."""
import os
import statistics
import subprocess
import time


def numarun_path():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("NUMARUN", os.path.join(here, "..", "launcher", "numarun"))


def peak_rss_kib(argv):
    """Peak RSS of argv itself, in KiB, as GNU time reports it (getrusage of a child forked from
    Python would count the interpreter's pages before exec)."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, check=True)
    return int(r.stderr.strip().splitlines()[-1])


def run_many(argv, runs, env=None):
    """Run argv `runs` times; return (wall times in ms, peak RSS in KiB)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append((time.perf_counter() - t0) * 1000.0)
        if r.returncode != 0:
            raise SystemExit("%s failed (%d): %s" % (" ".join(argv), r.returncode, r.stderr.decode()))
    return times, peak_rss_kib(argv)


def summary(times):
    return statistics.median(times), min(times), max(times)
