#!/bin/sh
# topologies.sh - plan against real and synthetic hwloc XML topologies (kept
# outside the project, in ../shared/topologies); launching with an XML
# topology of another machine is refused.
# shellcheck disable=SC2154 # topo_* are set by eval from the checker
. "$(dirname "$0")/lib.sh"
require_numarun

[ -d "$TOPOLOGY_DIR" ] || skip_all "no topology directory $TOPOLOGY_DIR"
set -- "$TOPOLOGY_DIR"/*.xml
[ -e "$1" ] || skip_all "no *.xml in $TOPOLOGY_DIR"
[ -n "$PYTHON" ] || skip_all "python3 is needed to read the JSON plans"

# The checker reads the XML itself (PUs, cores, NUMA nodes, allowed CPUs)
# and compares a plan with what numarun(1)'s rules give for it.
cat >"$T/check.py" <<'EOF'
import json, sys
import xml.etree.ElementTree as ET

def bitmap(s):
    """hwloc bitmap string ("0x00000003,,0xffffffff") -> set of ints."""
    out = set()
    if not s:
        return out
    words = s.split(",")
    if words[0].startswith("0xf...f"):
        words = words[1:]
    for i, w in enumerate(reversed(words)):
        v = int(w, 16) if w else 0
        out.update(i * 32 + b for b in range(32) if v >> b & 1)
    return out

def listfmt(nums):
    nums = sorted(set(nums))
    parts, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else "%d-%d" % (nums[i], nums[j]))
        i = j + 1
    return ",".join(parts)

def load(path):
    top = ET.parse(path).getroot().find("object")
    allowed = bitmap(top.get("allowed_cpuset")) or bitmap(top.get("cpuset"))
    if top.get("online_cpuset"):
        allowed &= bitmap(top.get("online_cpuset"))
    pu_core, node_cpus = {}, {}
    def walk(o, core):
        t = o.get("type")
        if t == "Core":
            core = id(o)
        elif t == "PU":
            pu = int(o.get("os_index"))
            pu_core[pu] = core if core is not None else ("pu", pu)
        elif t == "NUMANode":
            node_cpus[int(o.get("os_index"))] = bitmap(o.get("cpuset"))
        for c in o.findall("object"):
            walk(c, core)
    walk(top, None)
    pus = {p for p in pu_core if p in allowed}
    node_cpus = {n: c & pus for n, c in node_cpus.items() if c & pus}
    # "simple": every PU belongs to exactly one NUMA node (no memory-side
    # nodes sharing a locality), so node counts are unambiguous.
    owners = {}
    for n, c in node_cpus.items():
        for p in c:
            owners.setdefault(p, []).append(n)
    simple = all(len(v) == 1 for v in owners.values())
    return pus, pu_core, node_cpus, simple, {p: v[0] for p, v in owners.items()}

mode, xmlf, jsonf = sys.argv[1:4]
args = sys.argv[4:]
pus, pu_core, node_cpus, simple, pu_node = load(xmlf)
if mode == "info":
    # Facts for the shell: simple, number of CPU nodes, largest node, cores.
    print("simple=%d nodes=%d maxnode=%d pus=%d cores=%d nodelist=%s" % (
        simple, len(node_cpus), max(len(c) for c in node_cpus.values()),
        len(pus), len({pu_core[p] for p in pus}),
        ",".join(str(n) for n in sorted(node_cpus))))
    sys.exit(0)
with open(jsonf) as f:
    j = json.load(f)
errs = []
def want(cond, msg):
    if not cond:
        errs.append(msg)

order = j.get("cpu_order") or []
cpus = set(order)
# Consistency of every plan.
want(j.get("numarun_plan") == 1, "numarun_plan is %r, not 1" % j.get("numarun_plan"))
want(j.get("topology", {}).get("source") == "xml", "topology.source is not xml")
want(j.get("topology", {}).get("this_system") is False, "topology.this_system is not false")
want(len(order) == len(cpus), "cpu_order has duplicates: %r" % order)
want(j.get("cpu_count") == len(order), "cpu_count %r != len(cpu_order) %d" % (j.get("cpu_count"), len(order)))
want(j.get("cpus") == listfmt(cpus), "cpus %r != cpu_order as a list %r" % (j.get("cpus"), listfmt(cpus)))
want(cpus <= pus, "CPUs outside the allowed set: %s" % listfmt(cpus - pus))
want(j.get("allowed", {}).get("cpus") == listfmt(pus),
     "allowed.cpus %r != the topology's allowed PUs %r" % (j.get("allowed", {}).get("cpus"), listfmt(pus)))
nodes = j.get("nodes") or []
want(nodes == sorted(set(nodes)), "nodes not sorted and unique: %r" % nodes)
if simple:
    used = sorted({pu_node[p] for p in cpus if p in pu_node})
    want(nodes == used, "nodes %r != the nodes of the planned CPUs %r" % (nodes, used))
mem = j.get("memory", {})
cores_of = lambda s: {pu_core[p] for p in s if p in pu_core}

if mode == "default":
    # cpus = all, smt = yes, no memory policy (the target keeps the one it inherits).
    want(cpus == pus, "default plan does not use all allowed PUs (%d of %d)" % (len(cpus), len(pus)))
    want(mem.get("policy") == "default", "memory.policy %r != default" % mem.get("policy"))
    want(mem.get("nodes") == [], "memory.nodes %r != [] (no memory policy)" % (mem.get("nodes"),))
    want(j.get("strategy") == "compact" and j.get("smt") is True, "defaults are not compact/smt")
elif mode == "nosmt":
    want(len(cpus) == len(cores_of(pus)), "--smt=no: %d CPUs, %d cores" % (len(cpus), len(cores_of(pus))))
    want(len(cores_of(cpus)) == len(cpus), "--smt=no: two CPUs on one core")
    want(j.get("smt") is False, "smt is not false")
elif mode == "compact":
    k = int(args[0])
    want(len(cpus) == k, "-c %d: %d CPUs planned" % (k, len(cpus)))
    sizes = sorted((len(c) for c in node_cpus.values()), reverse=True)
    m, total = 0, 0
    while total < k:
        total += sizes[m]
        m += 1
    if simple:
        want(len(nodes) == m, "-c %d compact: %d nodes used, the fewest is %d" % (k, len(nodes), m))
    avail = set().union(*(node_cpus.get(n, set()) for n in nodes)) if nodes else set()
    if len(cores_of(avail)) >= k:
        want(len(cores_of(cpus)) == k, "-c %d smt=yes: siblings used before all cores of the nodes" % k)
elif mode == "onenode":
    want(len(nodes) == 1, "'1 node': %d nodes used" % len(nodes))
    if len(nodes) == 1 and simple:
        want(cpus == node_cpus[nodes[0]], "'1 node': CPUs %s != node %d's %s" % (
            listfmt(cpus), nodes[0], listfmt(node_cpus[nodes[0]])))
elif mode == "spread":
    k = len(node_cpus)
    want(len(cpus) == k, "spread -c %d: %d CPUs" % (k, len(cpus)))
    want(j.get("strategy") == "spread", "strategy is not spread")
    if simple:
        want(len(nodes) == k, "spread -c %d: %d nodes used, not all %d" % (k, len(nodes), k))
elif mode == "node":
    n = int(args[0])
    want(nodes == [n], "nodes %r != [%d]" % (nodes, n))
    want(cpus == node_cpus.get(n), "CPUs %s != node %d's %s" % (listfmt(cpus), n, listfmt(node_cpus.get(n, ()))))
elif mode == "cpuless":
    # KNL: MCDRAM (memory-only) nodes are added only with include_cpuless.
    extra = {int(x) for x in args[1].split(",")}
    got = set(mem.get("nodes") or [])
    if args[0] == "no":
        want(not (got & extra), "memory.nodes %r include memory-only nodes %r" % (sorted(got), sorted(extra)))
    else:
        want(extra <= got, "include_cpuless=yes: memory.nodes %r lack memory-only nodes %r" % (sorted(got), sorted(extra)))
else:
    errs.append("unknown mode " + mode)

for e in errs:
    print(e)
sys.exit(1 if errs else 0)
EOF

# plan_check NAME MODE XML [MODE-ARGS] -- NUMARUN-PLAN-ARGS...
plan_check() {
	desc=$1 mode=$2 xml=$3
	shift 3
	margs=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do margs="$margs $1"; shift; done
	shift
	run "$NUMARUN" plan --topology "$xml" --json "$@"
	if [ "$rc" -ne 0 ]; then
		not_ok "$desc" "exit status $rc" "$(last_details)"
		return
	fi
	if ! json_valid "$T/out"; then
		not_ok "$desc" "not valid JSON" "$(last_details)"
		return
	fi
	cp "$T/out" "$T/plan.json"
	# shellcheck disable=SC2086
	if problems=$("$PYTHON" "$T/check.py" "$mode" "$xml" "$T/plan.json" $margs 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$problems" "$(last_details)"
	fi
}

marker="$T/launched"
for xml in "$@"; do
	t=$(basename "$xml" .xml)
	info=$("$PYTHON" "$T/check.py" info "$xml" /dev/null 2>&1) ||
		{ not_ok "$t: read by the test's checker" "$info"; continue; }
	eval "$(echo "$info" | tr ' ' '\n' | sed 's/^/topo_/')"

	# plan --json: valid JSON, exit 0, and the default rules.
	run "$NUMARUN" plan --topology "$xml" --json
	expect_rc 0 "$t: plan --json"
	if json_valid "$T/out"; then ok "$t: plan --json is valid JSON (json.tool)"; else
		not_ok "$t: plan --json is valid JSON (json.tool)" "$(last_details)"; fi
	plan_check "$t: default plan (all PUs, whole cores first, memory local on the plan's nodes)" default "$xml" --
	plan_check "$t: --smt=no uses one PU per core" nosmt "$xml" -- --smt=no
	plan_check "$t: -c 1" compact "$xml" 1 -- -c 1
	if [ "$topo_pus" -ge 4 ]; then
		plan_check "$t: -c 4 compact on the fewest nodes, whole cores first" compact "$xml" 4 -- -c 4
	fi
	if [ "$topo_nodes" -ge 2 ]; then
		k=$((topo_maxnode + 1))
		plan_check "$t: -c $k (one more than the largest node) takes two nodes" compact "$xml" "$k" -- -c "$k"
	fi
	if [ "$topo_nodes" -ge 2 ] && [ "$topo_simple" = 1 ]; then
		plan_check "$t: --placement=spread -c $topo_nodes uses every node" spread "$xml" -- \
			--placement=spread -c "$topo_nodes"
	fi
	plan_check "$t: --cpus='1 node' stays on one node" onenode "$xml" -- --cpus="1 node"
	plan_check "$t: -c 100% is every PU" default "$xml" -- -c 100%

	# Text and INI plans.
	run "$NUMARUN" plan --topology "$xml"
	expect_rc 0 "$t: plan (text)"
	run "$NUMARUN" plan --topology "$xml" --ini
	expect_rc 0 "$t: plan --ini"
	cp "$T/out" "$T/topo.ini"
	run "$NUMARUN" plan --topology "$xml" -p "$T/topo.ini" --json
	expect_rc 0 "$t: plan --ini output reads back as a policy for the same topology"

	# topology (text and JSON).
	run "$NUMARUN" topology --topology "$xml"
	expect_rc 0 "$t: topology"
	expect_out_nonempty "$t: topology prints the machine"
	run "$NUMARUN" topology --topology "$xml" --json
	expect_rc 0 "$t: topology --json"
	if json_valid "$T/out"; then ok "$t: topology --json is valid JSON"; else
		not_ok "$t: topology --json is valid JSON" "$(last_details)"; fi

	# The example policies plan on every machine.
	for p in "$top_srcdir"/policies/*.ini; do
		run "$NUMARUN" plan --topology "$xml" -p "$p" --json
		expect_rc 0 "$t: plan -p policies/$(basename "$p")"
	done

	# Requests that cannot be met: exit 2, a message, no plan.
	run "$NUMARUN" plan --topology "$xml" -c 100000
	expect_rc 2 "$t: -c 100000"
	expect_err_match '^numarun: ' "$t: -c 100000: 'numarun: ' message"
	expect_out_nomatch '.' "$t: -c 100000: no plan printed"
	run "$NUMARUN" plan --topology "$xml" -C 100000
	expect_rc 2 "$t: -C 100000"
	run "$NUMARUN" plan --topology "$xml" -N 999
	expect_rc 2 "$t: -N 999"
	run "$NUMARUN" plan --topology "$xml" -m 999
	expect_rc 2 "$t: -m 999"

	# Launching against another machine's topology is refused.
	run "$NUMARUN" --topology "$xml" -- touch "$marker"
	expect_rc 2 "$t: launch with --topology of another system"
	expect_err_match '^numarun: ' "$t: launch refused: 'numarun: ' message"
	expect_no_file "$marker" "$t: launch refused: nothing launched"
	rm -f "$marker"
done

# ---- particular machines ----
f="$TOPOLOGY_DIR/opteron-4s-8n-cgroup2.xml"
if [ -e "$f" ]; then
	run "$NUMARUN" plan --topology "$f" --json
	expect_eq "$(json_get "$T/out" 'j["allowed"]["cpus"]')" 0-5 "cgroup2 XML: allowed CPUs are the cgroup's 0-5"
	run "$NUMARUN" plan --topology "$f" -C 6
	expect_rc 2 "cgroup2 XML: -C 6 (exists, outside the cgroup)"
	expect_err_fixed "0-5" "cgroup2 XML: -C 6: the message names the allowed CPUs 0-5"
	run "$NUMARUN" plan --topology "$f" -m 7
	expect_rc 2 "cgroup2 XML: -m 7 (exists, outside the cgroup)"
fi
f="$TOPOLOGY_DIR/opteron-4s-8n-sparse.xml"
if [ -e "$f" ]; then
	plan_check "sparse node numbers: -N 33" node "$f" 33 -- -N 33
	plan_check "sparse node numbers: -N +3 is node 33" node "$f" 33 -- -N +3
	run "$NUMARUN" plan --topology "$f" --json -m 72
	expect_eq "$(json_get "$T/out" '[j["memory"]["policy"], j["memory"]["nodes"]]')" '["bind",[72]]' \
		"sparse node numbers: -m 72"
	run "$NUMARUN" plan --topology "$f" --json -i '!0'
	expect_eq "$(json_get "$T/out" '[j["memory"]["policy"], j["memory"]["nodes"]]')" \
		'["interleave",[1,2,33,34,45,72,73]]' "sparse node numbers: -i !0"
	run "$NUMARUN" plan --topology "$f" -N 3
	expect_rc 2 "sparse node numbers: -N 3 does not exist"
fi
f="$TOPOLOGY_DIR/knl-snc4-hybrid.xml"
if [ -e "$f" ]; then
	plan_check "KNL: MCDRAM (CPU-less) nodes not used by default" cpuless "$f" no 4,5,6,7 --
	plan_check "KNL: MCDRAM (CPU-less) nodes not used by -i all" cpuless "$f" no 4,5,6,7 -- -i all
	printf '[memory]\npolicy = interleave\ninclude_cpuless = yes\n' >"$T/cpuless.ini"
	plan_check "KNL: include_cpuless = yes adds the MCDRAM nodes" cpuless "$f" yes 4,5,6,7 -- -p "$T/cpuless.ini"
	printf '[memory]\npolicy = bind\nnodes = 4\n' >"$T/mcdram.ini"
	run "$NUMARUN" plan --topology "$f" --json -p "$T/mcdram.ini"
	expect_eq "$(json_get "$T/out" 'j["memory"]["nodes"]')" '[4]' "KNL: an MCDRAM node listed in nodes= is used"
fi

finish
