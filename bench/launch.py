#!/usr/bin/env python3
"""Launch overhead: /bin/true bare, under taskset, numactl, hwloc-bind and numarun with the same binding.

Every variant is started with posix_spawn and reaped with wait4, RUNS times (default 300), interleaved so
that machine noise hits every variant alike, in an order shuffled every round (a fixed seed): a variant that
always ran right after hwloc-bind, which walks a few thousand sysfs files, would always start with cold
caches. For each it prints the median wall time (spawn to reap) and
the median CPU time of the child (user + system from wait4's rusage: the launcher and the /bin/true it
execs), and numarun's medians as ratios of numactl's. With valgrind, it also counts the instructions each
launcher runs up to the execve of the target (callgrind, --dump-before=execve; for bare /bin/true, the
whole program); with strace, the system calls and the openat calls it makes up to that execve.

Goals (numarun -C 0 -m 0 against numactl -C 0 -m 0): wall median <= 1.10x, CPU median <= 1.25x.
The last line says PASS or FAIL; the exit status is 0 either way unless a variant fails to run
(GOAL_EXIT=1: 1 on FAIL too).

Environment: RUNS, NUMARUN (the binary, default launcher/numarun), NUMARUN_STATIC (default
launcher/numarun-static, left out when absent), INSTRUCTIONS=0 to skip the callgrind and strace counts.
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import numarun_path  # noqa: E402

RUNS = int(os.environ.get("RUNS", "300"))
WALL_GOAL = 1.10
CPU_GOAL = 1.25
NR = numarun_path()
NR_STATIC = os.environ.get("NUMARUN_STATIC",
                           os.path.join(os.path.dirname(os.path.abspath(NR)), "numarun-static"))
TRUE = "/bin/true"


def variants():
    v = [
        ("bare", [TRUE]),
        ("taskset -c 0", ["taskset", "-c", "0", TRUE]),
        ("numactl -C 0 -m 0", ["numactl", "-C", "0", "-m", "0", "--", TRUE]),
        ("hwloc-bind core:0", ["hwloc-bind", "core:0", "--", TRUE]),
        ("numarun -C 0 -m 0", [NR, "-C", "0", "-m", "0", "--", TRUE]),
        ("numarun (default plan)", [NR, "--", TRUE]),
    ]
    if os.access(NR_STATIC, os.X_OK):
        v.append(("numarun-static -C 0 -m 0", [NR_STATIC, "-C", "0", "-m", "0", "--", TRUE]))
    out = []
    for name, argv in v:
        if shutil.which(argv[0]) is None:
            print("  (%s left out: %s not found)" % (name, argv[0]))
            continue
        out.append((name, [shutil.which(argv[0])] + argv[1:]))
    return out


def spawn_once(argv, devnull):
    """Wall ms from spawn to reap, and the child's user + system CPU ms."""
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000.0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("%s failed: exit %d" % (" ".join(argv), os.waitstatus_to_exitcode(status)))
    return wall, (ru.ru_utime + ru.ru_stime) * 1000.0


def instructions(argv):
    """Instructions run up to the execve of the target (or to the exit), with callgrind."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg")
        subprocess.run(["valgrind", "--tool=callgrind", "--dump-before=execve", "--callgrind-out-file=" + out]
                       + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        total = 0
        for name in os.listdir(d):
            with open(os.path.join(d, name)) as f:
                for line in f:
                    if line.startswith("summary:"):
                        total += int(line.split()[1])
        return total


def syscalls(argv):
    """(system calls, openat calls) up to the execve of the target, with strace -f."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "st")
        subprocess.run(["strace", "-f", "-qq", "-o", out] + argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        with open(out) as f:
            lines = [ln.split(None, 1)[1] if ln[0].isdigit() else ln for ln in f]
    # the launcher's own calls: after its own execve, up to the execve of the target
    calls = [ln for ln in lines if not ln.startswith(("+++", "---"))]
    execs = [i for i, ln in enumerate(calls) if ln.startswith("execve(")]
    if len(execs) >= 2:
        calls = calls[execs[0] + 1:execs[-1]]
    elif execs:
        calls = calls[execs[0] + 1:]
    return len(calls), sum(1 for ln in calls if ln.startswith(("openat(", "open(")))


def main():
    vs = variants()
    wall = {name: [] for name, _ in vs}
    cpu = {name: [] for name, _ in vs}
    devnull = os.open(os.devnull, os.O_WRONLY)
    for name, argv in vs:  # warm the page cache
        spawn_once(argv, devnull)
    rng = random.Random(1)
    order = list(vs)
    for _ in range(RUNS):
        rng.shuffle(order)
        for name, argv in order:
            w, c = spawn_once(argv, devnull)
            wall[name].append(w)
            cpu[name].append(c)
    os.close(devnull)

    counts = {}
    if os.environ.get("INSTRUCTIONS", "1") != "0":
        have_vg, have_st = shutil.which("valgrind"), shutil.which("strace")
        for name, argv in vs:
            counts[name] = (instructions(argv) if have_vg else None,) + (syscalls(argv) if have_st else (None, None))

    def fmt(x):
        return "%10s" % ("-" if x is None else "{:,}".format(x))

    print("launch of /bin/true, %d runs each, interleaved; medians" % RUNS)
    print("  %-26s %9s %9s %9s %9s%s" % ("", "wall ms", "min ms", "CPU ms", "vs nctl",
                                        "   instructions   syscalls     openat" if counts else ""))
    ref_w = statistics.median(wall["numactl -C 0 -m 0"])
    ref_c = statistics.median(cpu["numactl -C 0 -m 0"])
    for name, _ in vs:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        extra = ""
        if counts:
            extra = "  " + " ".join(fmt(x) for x in counts[name])
        print("  %-26s %9.3f %9.3f %9.3f %4.2f/%4.2f%s" % (name, w, min(wall[name]), c, w / ref_w, c / ref_c, extra))
    if counts:
        print("  (vs nctl: wall/CPU ratio to numactl; instructions, syscalls and openat: the launcher's own, up to "
              "its execve of /bin/true; bare: all of /bin/true)")
    rw = statistics.median(wall["numarun -C 0 -m 0"]) / ref_w
    rc = statistics.median(cpu["numarun -C 0 -m 0"]) / ref_c
    ok = rw <= WALL_GOAL and rc <= CPU_GOAL
    print("numarun -C 0 -m 0 / numactl -C 0 -m 0: wall %.2fx (goal <= %.2f), CPU %.2fx (goal <= %.2f): %s"
          % (rw, WALL_GOAL, rc, CPU_GOAL, "PASS" if ok else "FAIL"))
    if not ok and os.environ.get("GOAL_EXIT") == "1":
        sys.exit(1)


if __name__ == "__main__":
    main()
