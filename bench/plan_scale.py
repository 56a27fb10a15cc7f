#!/usr/bin/env python3
"""The planner's cost as topologies grow, from 64 to 4096 PUs (hwloc synthetic topologies).

1. plan_compute() alone: instructions per call, counted by callgrind (--toggle-collect=plan_compute) over
   bench/plan-compute's calls, so the figures repeat exactly from run to run; and per PU. Two series:
   16 NUMA nodes whose cores grow (pack:8 numa:2 core:C pu:2), and nodes that grow with the PUs (64 PUs a
   node: pack:P numa:2 core:32 pu:2, up to 64 nodes). Goal: grows at most linearly with PUs, i.e. the
   instructions per PU at 4096 PUs within 1.5x of those at 1024 (the compact search over nodes is
   superlinear in the node count; its figures are printed and said, not hidden).
2. `numarun plan --json` on the 1024-PU topology: plan_compute's share of all its instructions (goal < 10%),
   and wall time (median of RUNS) with peak RSS, beside hwloc-calc on the same file.
Needs: valgrind, lstopo, hwloc-calc (hwloc), /usr/bin/time; a built tree (bench/plan-compute).
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import numarun_path, run_many, summary  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PLAN_COMPUTE = os.environ.get("PLAN_COMPUTE", os.path.join(HERE, "plan-compute"))
RUNS = int(os.environ.get("RUNS", "20"))
CALLS = 9  # plan-compute's batches of one call each under callgrind

FIXED_NODES = [("pack:8 numa:2 core:%d pu:2" % c, 32 * c) for c in (1, 4, 16, 32, 64, 128)]
GROWING_NODES = [("pack:%d numa:2 core:32 pu:2" % p, 128 * p) for p in (1, 2, 8, 16, 32)]
REQUESTS = [("all CPUs", []), ("compact 50%", ["50%", "compact"]), ("compact 10%", ["10%", "compact"]),
            ("spread 50%", ["50%", "spread"])]


def instructions(argv, toggle=None):
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    if toggle:
        cmd.append("--toggle-collect=" + toggle)
    r = subprocess.run(cmd + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(argv), r.stderr[-2000:]))
    m = re.search(r"Collected : (\d+)", r.stderr)
    return int(m.group(1))


def xml_for(d, desc):
    path = os.path.join(d, re.sub(r"[^a-z0-9]+", "_", desc) + ".xml")
    if not os.path.exists(path):
        subprocess.run(["lstopo", "-i", desc, "--of", "xml", "-f", path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def series(d, name, shapes):
    print("\nplan_compute alone, %s: instructions per call (per PU)" % name)
    print("%6s  " % "PUs" + "".join("%-22s" % r for r, _ in REQUESTS))
    per_pu = {}
    for desc, pus in shapes:
        xml = xml_for(d, desc)
        row = []
        for label, extra in REQUESTS:
            n = instructions([PLAN_COMPUTE, xml, str(CALLS)] + extra, "plan_compute") / CALLS
            per_pu[(label, pus)] = n / pus
            row.append("%9.0f (%6.1f)     " % (n, n / pus))
        print("%6d  " % pus + "".join(row))
    verdicts = []
    for label, _ in REQUESTS:
        g = per_pu[(label, 4096)] / per_pu[(label, 1024)]
        verdicts.append((label, g))
        print("  %-12s per-PU cost at 4096 PUs / at 1024 PUs: %.2f  %s" % (label, g, "PASS" if g <= 1.5 else "over 1.5"))
    return verdicts


def main():
    print("numarun planner scaling (callgrind instruction counts repeat exactly; wall times are medians)")
    with tempfile.TemporaryDirectory() as d:
        v1 = series(d, "16 nodes, cores grow", FIXED_NODES)
        v2 = series(d, "64 PUs a node, nodes grow (1 to 64)", GROWING_NODES)
        xml = xml_for(d, "pack:8 numa:2(memory=128GiB) l3:1 core:32 pu:2")
        argv = [numarun_path(), "plan", "--topology", xml, "--json"]
        total = instructions(argv)
        pc = instructions(argv, "plan_compute")
        share = 100.0 * pc / total
        print("\nnumarun plan --json, 1024 PUs / 16 nodes: %d instructions, plan_compute %d (%.2f%%)  %s"
              % (total, pc, share, "PASS" if share < 10 else "FAIL"))
        times, peak = run_many(argv, RUNS)
        med, lo, hi = summary(times)
        print("  wall median %.2f ms (min %.2f, max %.2f), peak RSS %d KiB" % (med, lo, hi, peak))
        times, peak = run_many(["hwloc-calc", "-i", xml, "--number-of", "pu", "all"], RUNS)
        med, lo, hi = summary(times)
        print("  hwloc-calc -i same file --number-of pu all: wall median %.2f ms, peak RSS %d KiB" % (med, peak))
    over = [(n, g) for n, g in v1 + v2 if g > 1.5]
    print("\nplanner goals: %s" % ("PASS" if not [x for x in v1 if x[1] > 1.5] and share < 10 else "FAIL")
          + (" (16-node series and share); growing-node series over 1.5 for: %s" %
             ", ".join("%s %.2f" % x for x in over) if over else ""))


if __name__ == "__main__":
    main()
