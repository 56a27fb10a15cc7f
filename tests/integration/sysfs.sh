#!/bin/sh
# sysfs.sh - a plain launch of an explicit CPU list reads the machine from sysfs and procfs alone, as numactl
# does, without hwloc's discovery (which reads every cache of every CPU): the plan it launches with (-v
# prints it) is the plan 'numarun plan' makes through hwloc, for every request it takes and every one it
# hands back to hwloc (a CPU set that is not a written list, -N, an error); strace shows that the launch
# reads no cache file while a launch through hwloc does.
. "$(dirname "$0")/lib.sh"
require_numarun

# same_plan DESC OPTION...: the launch's plan (numarun -v) and numarun plan's agree, and so do their statuses.
same_plan() {
	desc=$1
	shift
	run "$NUMARUN" -v "$@" -- true
	lrc=$rc
	sed -n '/^numarun plan (/,/^  command:/p' "$T/err" >"$T/launch"
	grep '^numarun: ' "$T/err" | grep -v '^numarun: allocator' >"$T/launch-msg"
	run "$NUMARUN" plan "$@" -- true
	prc=$rc
	sed -n '/^numarun plan (/,/^  command:/p' "$T/out" >"$T/plan"
	grep '^numarun: ' "$T/err" >"$T/plan-msg"
	if [ "$lrc" -ne "$prc" ]; then
		not_ok "$desc: the launch and numarun plan agree" "launch status $lrc, plan status $prc" \
			"$(cat "$T/launch-msg" "$T/plan-msg")"
	elif [ "$lrc" -ne 0 ] && ! cmp -s "$T/launch-msg" "$T/plan-msg"; then
		not_ok "$desc: the same refusal" "launch: $(cat "$T/launch-msg")" "plan: $(cat "$T/plan-msg")"
	elif [ "$lrc" -eq 0 ] && { [ ! -s "$T/launch" ] || ! cmp -s "$T/launch" "$T/plan"; }; then
		not_ok "$desc: the launch's plan is numarun plan's" "$(diff "$T/plan" "$T/launch" 2>&1 | head -n 20)"
	else
		ok "$desc: the launch and numarun plan agree (status $lrc)"
	fi
}

cpus=$(expand_list "$(status_field Cpus_allowed_list)")
nodes=$(expand_list "$(status_field Mems_allowed_list)")
first=$(echo $cpus | cut -d' ' -f1)
all=$(echo $cpus | tr ' ' ',')
rev=$(for c in $cpus; do echo "$c"; done | sort -rn | tr '\n' ',' | sed 's/,$//')
for c in $cpus; do
	same_plan "-C $c" -C "$c"
	same_plan "-C $c -l" -C "$c" -l
	for n in $nodes; do
		same_plan "-C $c -m $n" -C "$c" -m "$n"
	done
done
same_plan "-C $all (written list)" -C "$all"
same_plan "-C $rev (in reverse)" -C "$rev"
same_plan "-C $all -i all" -C "$all" -i all
same_plan "-C $first --preferred=$(echo $nodes | cut -d' ' -f1)" -C "$first" --preferred="$(echo $nodes | cut -d' ' -f1)"
same_plan "-C $first -m all --balancing=no" -C "$first" -m all --balancing=no
same_plan "-C all (a set: through hwloc)" -C all
same_plan "-C $first -c 1 (a count beside the list)" -C "$first" -c 1
same_plan "-C 4095 (offline: refused)" -C 4095
same_plan "-C $first -m 63 (no such node: refused)" -C "$first" -m 63
printf '[placement]\ncpu_list = %s\n[memory]\npolicy = bind\n' "$all" >"$T/p.ini"
same_plan "policy cpu_list = $all, bind" -p "$T/p.ini"
printf '[placement]\nnodes = %s\ncpu_list = %s\n' "$(echo $nodes | cut -d' ' -f1)" "$first" >"$T/n.ini"
same_plan "policy nodes and cpu_list (nodes: through hwloc)" -p "$T/n.ini"

# What the launch reads: no cache file, no /proc/cpuinfo; a launch through hwloc reads them (the control).
if command -v strace >/dev/null 2>&1 && strace -f -o "$T/trace" /bin/true 2>/dev/null; then
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -e trace=open,openat -o "$T/trace" "$NUMARUN" -C "$first" -m "$(echo $nodes | cut -d' ' -f1)" -- true
	if [ "$rc" -eq 0 ] && ! grep -q -e '/cache/index' -e '/proc/cpuinfo' "$T/trace"; then
		ok "strace: -C $first -m N reads no cache file and no /proc/cpuinfo ($(grep -c 'open' "$T/trace") opens)"
	else
		not_ok "strace: -C $first -m N reads no cache file and no /proc/cpuinfo" "status $rc" \
			"$(grep -e '/cache/index' -e cpuinfo "$T/trace" | head -n 5)"
	fi
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -e trace=open,openat -o "$T/trace" "$NUMARUN" -N "$(echo $nodes | cut -d' ' -f1)" -- true
	if [ "$rc" -eq 0 ] && grep -q -e '/cache/index' -e '/proc/cpuinfo' "$T/trace"; then
		ok "strace: -N (through hwloc) reads the topology the way hwloc does (the control)"
	else
		not_ok "strace: -N (through hwloc) reads what hwloc reads" "status $rc"
	fi
else
	skip_check "strace: what the launch reads" "strace cannot run here"
fi
finish
