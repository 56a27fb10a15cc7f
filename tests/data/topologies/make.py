#!/usr/bin/env python3
"""make.py - write the hand-made hwloc XML topologies of this directory.

    python3 make.py DIR     (then: lstopo -i DIR/X.raw.xml --of xml X.xml, and
                            hwloc-annotate X.xml X.xml -- root -- distances X.dist)

See README for what each one models. The raw files are hwloc v2 XML written
here; lstopo writes them back as hwloc 2.9 sees them (the committed files).
"""
import os
import sys

GIB = 1 << 30


def mask(bits):
    v = 0
    for b in bits:
        v |= 1 << b
    if v == 0:
        return "0x0"
    words = []
    while v:
        words.append("0x%08x" % (v & 0xFFFFFFFF))
        v >>= 32
    return ",".join(reversed(words))


class Gen:
    def __init__(self):
        self.gp = 1
        self.out = []

    def obj(self, depth, typ, os_index, cpus, nodes, extra="", children=None, close=True):
        self.gp += 1
        pad = "  " * depth
        attrs = 'type="%s" os_index="%d" cpuset="%s" complete_cpuset="%s" nodeset="%s" complete_nodeset="%s" gp_index="%d"%s' % (
            typ, os_index, mask(cpus), mask(cpus), mask(nodes), mask(nodes), self.gp, extra)
        if children is None:
            self.out.append('%s<object %s/>' % (pad, attrs))
        else:
            self.out.append('%s<object %s>' % (pad, attrs))
            children()
            self.out.append('%s</object>' % pad)

    def numa(self, depth, os_index, cpus, memory, subtype=None):
        st = ' subtype="%s"' % subtype if subtype else ""
        self.obj(depth, "NUMANode", os_index, cpus, [os_index], st + ' local_memory="%d"' % memory,
                 children=lambda: self.out.append('%s<page_type size="4096" count="0"/>' % ("  " * (depth + 1))))

    def cores(self, depth, first_pu, ncores, smt, nodes):
        pu = first_pu
        for c in range(ncores):
            pus = list(range(pu, pu + smt))
            def kids(pus=pus):
                for p in pus:
                    self.obj(depth + 1, "PU", p, [p], nodes)
            self.obj(depth, "Core", pus[0], pus, nodes, children=kids)
            pu += smt
        return pu

    def write(self, path, allcpus, allnodes, body):
        self.out = ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE topology SYSTEM "hwloc2.dtd">',
                    '<topology version="2.0">']
        self.obj(1, "Machine", 0, allcpus, allnodes,
                 ' allowed_cpuset="%s" allowed_nodeset="%s"' % (mask(allcpus), mask(allnodes)), children=body)
        self.out.append('</topology>')
        with open(path, "w") as f:
            f.write("\n".join(self.out) + "\n")


def dist_file(path, nodes, value):
    with open(path, "w") as f:
        f.write("name=NUMALatency\n5\n%d\n" % len(nodes))
        for i in range(len(nodes)):  # hwloc-annotate names them by logical index: nodes in that order
            f.write("numa:%d\n" % i)
        for a in nodes:
            for b in nodes:
                f.write("%d\n" % value(a, b))


def power9(d):
    """POWER9-like (AC922): 2 packages of 4 cores SMT4; DRAM nodes 0 and 8; three GPU-memory nodes
    (subtype GPUMemory, 252-257) attached to each package beside its DRAM node; every GPU node at the
    same distance (80) from both DRAM nodes, as the firmware of such machines reports."""
    g = Gen()
    gpus = {0: [252, 253, 254], 1: [255, 256, 257]}
    dram = {0: 0, 1: 8}
    def body():
        for p in (0, 1):
            cpus = list(range(16 * p, 16 * p + 16))
            nodes = [dram[p]] + gpus[p]
            def kids(p=p, cpus=cpus, nodes=nodes):
                g.numa(3, dram[p], cpus, 256 * GIB)
                for n in gpus[p]:
                    g.numa(3, n, cpus, 16 * GIB, "GPUMemory")
                g.cores(3, cpus[0], 4, 4, nodes)
            g.obj(2, "Package", p, cpus, nodes, children=kids)
    g.write(os.path.join(d, "power9-2s-6gpumem.raw.xml"), range(32), [0, 8] + gpus[0] + gpus[1], body)
    allnodes = [0] + gpus[0] + [8] + gpus[1]  # logical order
    dist_file(os.path.join(d, "power9-2s-6gpumem.dist"), allnodes,
              lambda a, b: 10 if a == b else 40 if a in (0, 8) and b in (0, 8) else 80)


def offline_node0(d):
    """A 2-package machine whose node 0 is offline: package 0's 9 CPUs (0-8) are in no NUMA node (hwloc
    gives package 0 an empty nodeset); package 1 has node 1 and 8 CPUs (9-16). 17 CPUs in all."""
    g = Gen()
    def body():
        g.obj(2, "Package", 0, range(9), [], children=lambda: g.cores(3, 0, 9, 1, []))
        def kids():
            g.numa(3, 1, range(9, 17), 32 * GIB)
            g.cores(3, 9, 8, 1, [1])
        g.obj(2, "Package", 1, range(9, 17), [1], children=kids)
    g.write(os.path.join(d, "offline-node0-17c.raw.xml"), range(17), [1], body)


def cxl_root(d):
    """Two packages of 4 cores (DRAM nodes 0 and 1) and two CXL memory expanders that hwloc attaches to
    the machine (their locality is every CPU): node 2 with HMAT-like bandwidth and latency that make
    package 1 its best initiator, node 3 with no memory attributes. Distances: 10 local, 21 between the
    packages, 30 from either package to either CXL node (a tie)."""
    g = Gen()
    gp = {}
    def body():
        g.numa(2, 2, range(8), 64 * GIB, "CXL")
        gp[2] = g.gp - 0
        g.numa(2, 3, range(8), 64 * GIB, "CXL")
        for p in (0, 1):
            cpus = list(range(4 * p, 4 * p + 4))
            def kids(p=p, cpus=cpus):
                g.numa(3, p, cpus, 32 * GIB)
                g.cores(3, cpus[0], 4, 1, [p])
            g.obj(2, "Package", p, cpus, [p], children=kids)
    g.write(os.path.join(d, "cxl-2s-rootmem.raw.xml"), range(8), [0, 1, 2, 3], body)
    # Memory attributes of node 2, from each package (gp_index of the NUMANode object written above).
    n2 = gp[2]
    lines = g.out[:-1]
    for name, flags, v0, v1 in (("Bandwidth", 5, 8000, 16000), ("Latency", 6, 400, 250)):
        lines.append('  <memattr name="%s" flags="%d">' % (name, flags))
        lines.append('    <memattr_value target_obj_type="NUMANode" target_obj_gp_index="%d" value="%d" '
                     'initiator_cpuset="0x0000000f"/>' % (n2, v0))
        lines.append('    <memattr_value target_obj_type="NUMANode" target_obj_gp_index="%d" value="%d" '
                     'initiator_cpuset="0x000000f0"/>' % (n2, v1))
        lines.append('  </memattr>')
    lines.append('</topology>')
    with open(os.path.join(d, "cxl-2s-rootmem.raw.xml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    dist_file(os.path.join(d, "cxl-2s-rootmem.dist"), [2, 3, 0, 1],
              lambda a, b: 10 if a == b else 21 if {a, b} == {0, 1} else 30 if (a in (0, 1)) != (b in (0, 1))
              else 40)


if __name__ == "__main__":
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    power9(d)
    offline_node0(d)
    cxl_root(d)
