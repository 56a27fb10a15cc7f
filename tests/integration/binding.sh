#!/bin/sh
# binding.sh - CPU and memory binding on this host, as the target sees it.
. "$(dirname "$0")/lib.sh"
require_numarun

[ -n "$CPU_FIRST" ] || fail_all "cannot read Cpus_allowed_list of this process"

# cpus_of ARGS...: the target's Cpus_allowed_list under numarun ARGS.
check_cpus() {
	want=$1
	desc=$2
	shift 2
	run "$NUMARUN" "$@" -- grep Cpus_allowed_list /proc/self/status
	if [ "$rc" -ne 0 ]; then
		not_ok "$desc" "expected exit status 0, got $rc" "$(last_details)"
		return
	fi
	expect_out_match "^Cpus_allowed_list:[[:space:]]+$want\$" "$desc: Cpus_allowed_list $want"
}

# first_policy ARGS...: the memory policy of the target's first mapping as
# /proc/self/numa_maps shows it (bind:0, interleave:0, prefer:0, local, default).
numa_maps_policy() {
	run "$NUMARUN" "$@" -- sh -c 'head -n 1 /proc/self/numa_maps'
	awk 'NR == 1 { print $2 }' "$T/out"
}

# ---- CPUs ----
check_cpus "$CPU_FIRST" "-C $CPU_FIRST" -C "$CPU_FIRST"
check_cpus "$CPU_FIRST" "--physcpubind=$CPU_FIRST" --physcpubind="$CPU_FIRST"
if [ "$NCPUS" -ge 2 ]; then
	check_cpus "$CPU_SECOND" "-C $CPU_SECOND" -C "$CPU_SECOND"
	check_cpus "$(compress_list "$CPU_FIRST" "$CPU_SECOND")" \
		"-C $CPU_FIRST,$CPU_SECOND" -C "$CPU_FIRST,$CPU_SECOND"
else
	skip_check "-C on a second CPU" "only one CPU allowed here"
fi

# List syntax: all, +N (relative to the allowed set), !N (all but).
check_cpus "$ALLOWED_CPUS" "-C all" -C all
check_cpus "$CPU_FIRST" "-C +0 (first allowed CPU)" -C +0
if [ "$NCPUS" -ge 2 ]; then
	check_cpus "$CPU_SECOND" "-C +1 (second allowed CPU)" -C +1
	rest=$(for c in $(expand_list "$ALLOWED_CPUS"); do
		[ "$c" = "$CPU_FIRST" ] || echo "$c"; done)
	# shellcheck disable=SC2086
	check_cpus "$(compress_list $rest)" "-C !$CPU_FIRST (all allowed but $CPU_FIRST)" -C "!$CPU_FIRST"
	last=$(echo "$ALLOWED_CPUS" | tr ',-' '\n\n' | tail -n 1)
	rest=$(for c in $(expand_list "$ALLOWED_CPUS"); do
		[ "$c" = "$last" ] || echo "$c"; done)
	# shellcheck disable=SC2086
	check_cpus "$(compress_list $rest)" "-C !$last" -C "!$last"
else
	skip_check "-C +1 and -C !N" "only one CPU allowed here"
fi

# Nodes: -N takes the allowed CPUs of the node.
node0_cpus=$(node_cpus 0)
if [ -n "$node0_cpus" ]; then
	check_cpus "$node0_cpus" "-N 0" -N 0
	check_cpus "$node0_cpus" "--cpunodebind=0" --cpunodebind=0
	check_cpus "$node0_cpus" "-N +0" -N +0
else
	skip_check "-N 0" "node 0 has no allowed CPUs here"
fi
all_node_cpus=
for n in $(expand_list "$ALLOWED_MEMS"); do
	all_node_cpus="$all_node_cpus $(expand_list "$(node_cpus "$n")")"
done
# shellcheck disable=SC2086
check_cpus "$(compress_list $all_node_cpus)" "-N all" -N all
check_cpus "$ALLOWED_CPUS" "no binding option: all allowed CPUs" -q

# -c N: that many CPUs.
run "$NUMARUN" -c 1 -- grep Cpus_allowed_list /proc/self/status
expect_rc 0 "-c 1"
got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$T/out")
# shellcheck disable=SC2046
set -- $(expand_list "$got")
expect_eq "$#" 1 "-c 1: the target gets one CPU"

# ---- out-of-range requests: exit 2, message naming what is available ----
max=$(echo "$ALLOWED_CPUS" | tr ',-' '\n\n' | sort -n | tail -n 1)
bad=$((max + 3))
marker="$T/launched"
run "$NUMARUN" -C "$bad" -- touch "$marker"
expect_rc 2 "-C $bad (not allowed)"
expect_err_match '^numarun: ' "-C $bad: 'numarun: ' message"
expect_err_fixed "$ALLOWED_CPUS" "-C $bad: the message names the allowed CPUs ($ALLOWED_CPUS)"
expect_no_file "$marker" "-C $bad: nothing launched"

badnode=$(( $(echo "$ALLOWED_MEMS" | tr ',-' '\n\n' | sort -n | tail -n 1) + 5 ))
run "$NUMARUN" -N "$badnode" -- touch "$marker"
expect_rc 2 "-N $badnode (no such node)"
expect_err_fixed "$ALLOWED_MEMS" "-N $badnode: the message names the allowed nodes ($ALLOWED_MEMS)"
expect_no_file "$marker" "-N $badnode: nothing launched"
run "$NUMARUN" -m "$badnode" -- touch "$marker"
expect_rc 2 "-m $badnode (no such node)"
expect_no_file "$marker" "-m $badnode: nothing launched"
run "$NUMARUN" -c $((NCPUS + 1)) -- touch "$marker"
expect_rc 2 "-c $((NCPUS + 1)) (more CPUs than allowed)"
expect_err_match '^numarun: ' "-c $((NCPUS + 1)): 'numarun: ' message"
expect_no_file "$marker" "-c $((NCPUS + 1)): nothing launched"
run "$NUMARUN" -C "+$NCPUS" -- touch "$marker"
expect_rc 2 "-C +$NCPUS (past the end of the allowed set)"

# ---- memory policy ----
mem0=$(echo "$ALLOWED_MEMS" | tr ',-' '\n\n' | head -n 1)

run "$NUMARUN" -m "$mem0" -- grep Mems_allowed_list /proc/self/status
expect_rc 0 "-m $mem0"
expect_out_match "^Mems_allowed_list:[[:space:]]+.*$mem0" "-m $mem0: node $mem0 in Mems_allowed_list"
run "$NUMARUN" -m "$mem0" -- grep '^Mems_allowed:' /proc/self/status
last_word=$(awk -F'[ ,\t]+' '{ print $NF }' "$T/out")
if [ "$mem0" -lt 4 ] && [ $((0x${last_word:-0} & (1 << mem0))) -ne 0 ]; then
	ok "-m $mem0: node $mem0 set in Mems_allowed"
elif [ "$mem0" -ge 4 ]; then
	skip_check "-m $mem0 in Mems_allowed" "first node is not in the low bits"
else
	not_ok "-m $mem0: node $mem0 set in Mems_allowed" "$(last_details)"
fi

expect_eq "$(numa_maps_policy -m "$mem0")" "bind:$mem0" "-m $mem0: numa_maps shows bind:$mem0"
expect_eq "$(numa_maps_policy --membind="$mem0")" "bind:$mem0" "--membind=$mem0: numa_maps shows bind:$mem0"
expect_eq "$(numa_maps_policy -i "$mem0")" "interleave:$mem0" "-i $mem0: numa_maps shows interleave:$mem0"
expect_eq "$(numa_maps_policy --interleave=all)" "interleave:$ALLOWED_MEMS" \
	"--interleave=all: numa_maps shows interleave:$ALLOWED_MEMS"
expect_eq "$(numa_maps_policy --preferred="$mem0")" "prefer:$mem0" "--preferred=$mem0: numa_maps shows prefer:$mem0"
expect_eq "$(numa_maps_policy -l)" "local" "-l: numa_maps shows local"
expect_eq "$(numa_maps_policy --localalloc)" "local" "--localalloc: numa_maps shows local"

if command -v numactl >/dev/null 2>&1; then
	run "$NUMARUN" -i "$mem0" -- numactl --show
	expect_rc 0 "-i $mem0 -- numactl --show"
	expect_out_line "policy: interleave" "-i $mem0: numactl --show says policy: interleave"
	expect_out_match "^interleavemask: $mem0 ?\$" "-i $mem0: numactl --show interleavemask $mem0"
	run "$NUMARUN" -m "$mem0" -- numactl --show
	expect_out_line "policy: bind" "-m $mem0: numactl --show says policy: bind"
	expect_out_match "^membind: $mem0 ?\$" "-m $mem0: numactl --show membind: $mem0"
	run "$NUMARUN" --preferred "$mem0" -- numactl --show
	expect_rc 0 "--preferred $mem0 (value as the next argument)"
	expect_out_line "policy: preferred" "--preferred $mem0: numactl --show says policy: preferred"
	expect_out_line "preferred node: $mem0" "--preferred $mem0: numactl --show preferred node: $mem0"
	run "$NUMARUN" -l -- numactl --show
	expect_rc 0 "-l -- numactl --show"
	expect_out_line "policy: local" "-l: numactl --show says policy: local"
	run "$NUMARUN" -C "$CPU_FIRST" -- numactl --show
	expect_out_match "physcpubind: $CPU_FIRST ?\$" "-C $CPU_FIRST: numactl --show physcpubind: $CPU_FIRST"
else
	skip_check "numactl --show as the target" "numactl not installed"
fi

# --preferred takes several nodes (MPOL_PREFERRED_MANY, below), each of which must exist.
if [ "$(echo "$ALLOWED_MEMS" | tr ',-' '\n\n' | wc -l)" -ge 2 ]; then
	run "$NUMARUN" --preferred "$ALLOWED_MEMS" -- true
	expect_rc 0 "--preferred with two nodes"
else
	run "$NUMARUN" --preferred "$mem0,$badnode" -- true
	expect_rc 2 "--preferred with a node that does not exist"
fi

# ---- policy file: binding, env, precedence ----
cat >"$T/pin.ini" <<EOF
[placement]
cpu_list = $CPU_FIRST

[memory]
policy = bind
nodes = $mem0

[env]
NUMARUN_TEST_VAR = hello policy world
NUMARUN_TEST_EMPTYISH = x=y
EOF
run "$NUMARUN" -p "$T/pin.ini" -- grep Cpus_allowed_list /proc/self/status
expect_rc 0 "-p policy with cpu_list"
expect_out_match "^Cpus_allowed_list:[[:space:]]+$CPU_FIRST\$" "policy cpu_list = $CPU_FIRST reaches the target"
expect_eq "$(numa_maps_policy -p "$T/pin.ini")" "bind:$mem0" "policy [memory] bind reaches the target"
run "$NUMARUN" -p "$T/pin.ini" -- sh -c 'printf "%s\n" "$NUMARUN_TEST_VAR" "$NUMARUN_TEST_EMPTYISH"'
expect_rc 0 "-p policy with [env]"
expect_out_eq "hello policy world
x=y" "policy [env] variables reach the target"
run env NUMARUN_TEST_VAR=from-user "$NUMARUN" -p "$T/pin.ini" -- sh -c 'echo "$NUMARUN_TEST_VAR"'
expect_out_eq "hello policy world" "policy [env] replaces the inherited value"
run env NUMARUN_TEST_OTHER=kept "$NUMARUN" -p "$T/pin.ini" -- sh -c 'echo "$NUMARUN_TEST_OTHER"'
expect_out_eq "kept" "other inherited variables reach the target"
if [ "$NCPUS" -ge 2 ]; then
	check_cpus "$CPU_SECOND" "command line -C overrides policy cpu_list" -p "$T/pin.ini" -C "$CPU_SECOND"
fi
expect_eq "$(numa_maps_policy -p "$T/pin.ini" -i "$mem0")" "interleave:$mem0" \
	"command line -i overrides policy [memory] bind"
expect_eq "$(numa_maps_policy -p "$T/pin.ini" -l)" "local" \
	"command line -l overrides policy [memory] bind"

# ---- an XML topology of this machine (HWLOC_THISSYSTEM=1) ----
lstopo=$(command -v lstopo-no-graphics 2>/dev/null || command -v lstopo 2>/dev/null || true)
if [ -n "$lstopo" ] && "$lstopo" --of xml "$T/this.xml" >/dev/null 2>&1; then
	run "$NUMARUN" --topology "$T/this.xml" -C "$CPU_FIRST" -- touch "$marker"
	expect_rc 2 "--topology with this machine's XML, without HWLOC_THISSYSTEM: launch refused"
	expect_no_file "$marker" "--topology without HWLOC_THISSYSTEM: nothing launched"
	run env HWLOC_THISSYSTEM=1 "$NUMARUN" --topology "$T/this.xml" -C "$CPU_FIRST" -- \
		grep Cpus_allowed_list /proc/self/status
	expect_rc 0 "HWLOC_THISSYSTEM=1 --topology this machine's XML: launched"
	expect_out_match "^Cpus_allowed_list:[[:space:]]+$CPU_FIRST\$" \
		"HWLOC_THISSYSTEM=1 --topology: the target is bound to CPU $CPU_FIRST"
else
	skip_check "HWLOC_THISSYSTEM=1 with an exported XML" "lstopo not available"
fi

# ---- preferred on several nodes: MPOL_PREFERRED_MANY (Linux 5.15) ----
# The target's own get_mempolicy (tests/progs/mempolicy) and numa_maps. With one node here, a synthetic
# topology taken as this system gives numarun two nodes (0 and 1, on CPUs 0 and 1): the kernel keeps the
# nodes of the mask that exist, so the policy is preferred_many on node 0 (0-1 where node 1 exists).
MEMPOLICY="$top_builddir/tests/progs/mempolicy"
run "$NUMARUN" --preferred="$mem0" -- "$MEMPOLICY"
expect_out_eq "mode=preferred nodes=$mem0" "--preferred=$mem0: get_mempolicy in the target: preferred on $mem0"
if [ "$CPU_FIRST" = 0 ] && [ "$CPU_SECOND" = 1 ] && [ "$mem0" = 0 ]; then
	two="pack:1 numa:2 core:1 pu:1"
	run env HWLOC_SYNTHETIC="$two" HWLOC_THISSYSTEM=1 "$NUMARUN" plan --preferred=0,1
	expect_rc 0 "two nodes taken as this system: plan --preferred=0,1"
	if grep -q 'preferred on nodes 0-1: MPOL_PREFERRED_MANY (this kernel takes it)' "$T/out"; then
		ok "plan --preferred=0,1: the plan's notes say MPOL_PREFERRED_MANY ($(uname -r))"
		expect_out_match '^  memory: +preferred on nodes 0-1 \(MPOL_PREFERRED_MANY\)' \
			"plan --preferred=0,1: memory preferred on nodes 0-1"
		run env HWLOC_SYNTHETIC="$two" HWLOC_THISSYSTEM=1 "$NUMARUN" --preferred=0,1 -- "$MEMPOLICY"
		expect_rc 0 "--preferred=0,1 -- mempolicy"
		expect_out_match '^mode=preferred_many( balancing)? nodes=0(-1)?$' \
			"--preferred=0,1: get_mempolicy in the target: preferred_many"
		expect_err_empty "--preferred=0,1: no message (nothing fell back)"
		run env HWLOC_SYNTHETIC="$two" HWLOC_THISSYSTEM=1 "$NUMARUN" --preferred=0,1 -- \
			sh -c 'head -n 1 /proc/self/numa_maps'
		expect_out_match '^[0-9a-f]+ prefer \(many\):0(-1)? ' "--preferred=0,1: numa_maps shows prefer (many)"
	elif grep -q 'this kernel refuses MPOL_PREFERRED_MANY' "$T/out"; then
		# Before 5.15: the first node, said in the plan and at launch.
		run env HWLOC_SYNTHETIC="$two" HWLOC_THISSYSTEM=1 "$NUMARUN" --preferred=0,1 -- "$MEMPOLICY"
		expect_out_eq "mode=preferred nodes=0" "--preferred=0,1 on a kernel without MPOL_PREFERRED_MANY: node 0"
		expect_err_fixed "refuses MPOL_PREFERRED_MANY" "--preferred=0,1: the fallback is said at launch"
	else
		not_ok "plan --preferred=0,1 says whether the kernel takes MPOL_PREFERRED_MANY" "$(last_details)"
	fi
else
	skip_check "--preferred on two nodes (synthetic, taken as this system)" \
		"needs CPUs 0 and 1 and memory node 0 allowed (CPUs $ALLOWED_CPUS, nodes $ALLOWED_MEMS)"
fi

# ---- the environment numarun leaves alone ----
env | grep -v '^_=' | sort >"$T/env.before"
run "$NUMARUN" --gomaxprocs=keep -- env
grep -v '^_=' "$T/out" | sort >"$T/env.after"
if cmp -s "$T/env.before" "$T/env.after"; then
	ok "without [env] and with --gomaxprocs=keep the environment is unchanged"
else
	not_ok "without [env] and with --gomaxprocs=keep the environment is unchanged" \
		"$(diff "$T/env.before" "$T/env.after")"
fi

finish
