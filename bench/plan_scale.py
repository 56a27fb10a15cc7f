#!/usr/bin/env python3
"""Time and peak memory of `numarun plan` on topologies from 2 to 1024 PUs (hwloc synthetic XML).

Each topology is written with lstopo from a synthetic description (the 1024-PU one is the same shape as
the 8-package, 16-node, 512-core SMT2 machine of the test topologies). Peak RSS comes from GNU time.
Needs: lstopo (hwloc), /usr/bin/time (time).
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import numarun_path, run_many, summary  # noqa: E402

SHAPES = [
    ("1 node, 8 PUs", "pack:1 numa:1 core:8 pu:1"),
    ("4 nodes, 64 PUs", "pack:2 numa:2 core:8 pu:2"),
    ("8 nodes, 256 PUs", "pack:2 numa:4 l3:2 core:8 pu:2"),
    ("16 nodes, 1024 PUs", "pack:8 numa:2(memory=128GiB) l3:1 core:32 pu:2"),
]
RUNS = int(os.environ.get("RUNS", "30"))


def main():
    print("numarun plan --topology X --json, %d runs each (median / min / max wall ms, peak RSS KiB)" % RUNS)
    with tempfile.TemporaryDirectory() as d:
        for name, desc in SHAPES:
            xml = os.path.join(d, "t.xml")
            subprocess.run(["lstopo", "-i", desc, "--of", "xml", "-f", xml], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for label, extra in (("all CPUs", []), ("compact half", ["-c", "50%"]), ("spread half", ["--placement=spread", "-c", "50%"])):
                times, peak = run_many([numarun_path(), "plan", "--topology", xml, "--json"] + extra, RUNS)
                med, lo, hi = summary(times)
                print("%-20s %-14s median %6.2f ms  min %6.2f  max %6.2f  peak RSS %6d KiB"
                      % (name, label, med, lo, hi, peak))


if __name__ == "__main__":
    main()
