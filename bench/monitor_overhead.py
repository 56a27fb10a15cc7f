#!/usr/bin/env python3
"""The monitor's own CPU time per second of wall time, beside numad's for the same target.

Each case is a tests/progs/workers process with T threads, B of them busy (reading and writing a shared
buffer in a loop) and the rest idle (blocked until the end).

numarun: `numarun --monitor --threads spread --interval 1s -q -- workers -t B -i T-B ...`. Its own CPU
time is the first field of /proc/<numarun>/schedstat (nanoseconds run, numarun's main thread, which is
the whole monitor: it has no other threads; the target's time is not in it), read once the threads are
created and placed and a few ticks are done, and again near the end; the figure is (delta CPU) /
(delta wall), in % of one core. The goals, at a 1 s interval: at most 0.25% with 1000 threads of which
2 are busy, at most 1% with 10 000 idle threads.

numad (Debian's numad package; skipped when it is not installed or when NUMAD=0): the same workers
process started on its own, and `numad -i 1:1 -S 0 -p <workers>` (its shortest interval, 1 s, scanning
only that process) started as a daemon; its CPU time is utime + stime of /proc/<numad>/stat (clock
ticks), over the same kind of window. numad needs root for its pid file and log (/var/run/numad.pid,
/var/log/numad.log); it is stopped with `numad -i 0` at the end of each case. numad has no foreground
mode: it forks, and its pid is read from its pid file. numad only manages a process that uses at least
300 MB and half a CPU; below that it still scans it each interval, which is what is measured. numad
looks at processes only on a machine of more than one NUMA node: on one node it reads the node's memory
and CPU figures each interval and nothing else, so its figure there is not a comparison (the table says
so); bench/vm-overhead.sh measures both in a 2-node guest. numad is not in .ci/install-deps (nothing in
CI needs it): `apt-get install numad` where it is wanted.

10 000 threads need RLIMIT_NPROC (ulimit -u) and kernel.threads-max above that; each has the default stack
size (ulimit -s, 8 MiB of address space, little of it touched). A case the limits do not allow is
skipped with a note.

Environment: CASES ("THREADS:BUSY ...", default "1000:2 10000:0"), SECONDS_PER_RUN (default 16), SETTLE
(seconds of start-up left out, default 8: new threads are read every tick for their first 3 ticks),
NUMARUN, WORKERS, NUMAD=0 to skip numad. Exits 1 when a numarun figure misses its goal.
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import numarun_path  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.environ.get("WORKERS", os.path.join(HERE, "..", "tests", "progs", "workers"))
SECONDS = float(os.environ.get("SECONDS_PER_RUN", "16"))
CASES = [tuple(int(v) for v in c.split(":")) for c in os.environ.get("CASES", "1000:2 10000:0").split()]
GOALS = {(1000, 2): 0.25, (10000, 0): 1.0}  # % of one core, at a 1 s interval
SETTLE = float(os.environ.get("SETTLE", "8"))  # s before the first reading: threads created, placed, read 3 ticks (new)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def schedstat_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def stat_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)


def window(read, seconds):
    """read() at the start and the end of a window of `seconds`; (delta, wall seconds)."""
    c0, t0 = read(), time.monotonic()
    time.sleep(seconds)
    c1, t1 = read(), time.monotonic()
    return c1 - c0, t1 - t0


def workers_argv(n, busy, seconds):
    return [WORKERS, "-t", str(busy), "-i", str(n - busy), "-m", "16", "-s", str(seconds)]


def measure_numarun(n, busy):
    argv = [numarun_path(), "--monitor", "--threads", "spread", "--interval", "1s", "-q", "--"]
    p = subprocess.Popen(argv + workers_argv(n, busy, SECONDS + SETTLE + 1))
    time.sleep(SETTLE)
    d, wall = window(lambda: schedstat_ns(p.pid), SECONDS)
    p.wait()
    if p.returncode != 0:
        raise SystemExit("numarun exited %d" % p.returncode)
    return d / 1e9 / wall * 100.0


def numad_pid():
    try:
        with open("/var/run/numad.pid") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def measure_numad(n, busy):
    """numad's CPU %, or None (with a reason printed) when it cannot be measured here."""
    if numad_pid() and os.path.exists("/proc/%d" % numad_pid()):
        print("  numad is already running (pid %d): not measured" % numad_pid())
        return None
    w = subprocess.Popen(workers_argv(n, busy, SECONDS + SETTLE + 3))
    try:
        time.sleep(1.0)  # threads created
        try:
            os.unlink("/var/run/numad.pid")
        except OSError:
            pass
        r = subprocess.run(["numad", "-i", "1:1", "-S", "0", "-p", str(w.pid)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        pid = None
        for _ in range(50):
            pid = numad_pid()
            if pid:
                break
            time.sleep(0.1)
        if r.returncode != 0 or not pid:
            print("  numad did not start (status %d): %s" % (r.returncode, r.stdout.strip()))
            return None
        try:
            time.sleep(SETTLE - 1.0)
            d, wall = window(lambda: stat_ticks(pid), SECONDS)
        finally:
            subprocess.run(["numad", "-i", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return d / CLK_TCK / wall * 100.0
    finally:
        w.wait()


def nodes():
    d = "/sys/devices/system/node"
    try:
        return len([x for x in os.listdir(d) if x.startswith("node") and x[4:].isdigit()])
    except OSError:
        return 1


def main():
    with_numad = os.environ.get("NUMAD", "1") != "0" and shutil.which("numad")
    print("numarun --monitor --threads spread --interval 1s: numarun's own CPU (its schedstat), "
          "%% of one core, over %.0f s after %.0f s of start-up" % (SECONDS, SETTLE))
    if with_numad:
        print("numad -i 1:1 -S 0 -p <workers>: numad's CPU (utime + stime of its stat), same window%s"
              % ("" if nodes() > 1 else "; one NUMA node here: numad scans no process (see bench/vm-overhead.sh)"))
    print("%8s %6s %10s %8s %6s %10s" % ("threads", "busy", "numarun", "goal", "", "numad"))
    failed = 0
    import resource
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    for n, busy in CASES:
        if nproc != resource.RLIM_INFINITY and nproc < n + 64:
            print("%8d %6d  skipped: RLIMIT_NPROC (ulimit -u) is %d" % (n, busy, nproc))
            continue
        got = measure_numarun(n, busy)
        goal = GOALS.get((n, busy))
        verdict = "" if goal is None else "PASS" if got <= goal else "FAIL"
        failed += verdict == "FAIL"
        nd = measure_numad(n, busy) if with_numad else None
        print("%8d %6d %9.3f%% %8s %6s %10s" % (n, busy, got, "<= %.2f%%" % goal if goal else "-", verdict,
                                               "%.3f%%" % nd if nd is not None else "-"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
