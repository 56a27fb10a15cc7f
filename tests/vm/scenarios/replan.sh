# replan: the cgroup2 cpuset changes under a resident numarun (what the kubelet's CPU manager, an in-place
# resize or podman update does): within a few intervals it re-plans with the same policy inside the new
# set, re-pins its threads there, leaves the program's own pinning alone, and writes a replan event.
VM_DESC="4 nodes x 2 CPUs, cgroup2 cpuset shrunk from nodes 0-3 to node 2 and widened again: replan events"
VM_NODES=4
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=256

# The CPUs of each thread of process $1, one per line, sorted and unique.
thread_masks() {
	for _t in /proc/"$1"/task/*; do
		sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$_t/status"
	done | sort -u | tr '\n' ' '
}

# Wait up to $2 seconds for the last replan event of file $1 to plan CPUs $3 (the cpus and mems files are
# written one after the other: one or two events).
wait_replans() {
	_n=0
	while [ "$_n" -lt $(($2 * 10)) ]; do
		grep '"event":"replan"' "$1" 2>/dev/null | tail -n 1 | grep -q ",\"cpus\":\"$3\"" && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

scenario_main() {
	cg=/sys/fs/cgroup/svc
	echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control &&
		mkdir -p "$cg" &&
		echo 0-7 >"$cg/cpuset.cpus" &&
		echo 0-3 >"$cg/cpuset.mems"
	if [ "$(cat "$cg/cpuset.cpus.effective")" != 0-7 ]; then
		vm_not_ok "replan: set up a cgroup2 cpuset" "$cg: $(cat "$cg/cpuset.cpus.effective" 2>&1)"
		return
	fi
	ev=/tmp/replan.jsonl
	# 8 threads (the main one, 6 busy workers, an idle one) spread over the 8 CPUs; they run until the end
	# of the scenario (a TCG guest is slow: no fixed duration).
	sh -c "echo \$\$ >$cg/cgroup.procs; exec $NUMARUN --threads spread --interval 200ms --events $ev -- workers -t 6 -s 300 -i 1" \
		>/tmp/replan.out 2>/tmp/replan.err &
	nr=$!
	sleep 2
	target=$(cat /proc/$nr/task/$nr/children 2>/dev/null | awk '{print $1}')
	if [ -z "$target" ]; then
		vm_not_ok "replan: the target started" "$(cat /tmp/replan.err)"
		return
	fi
	vm_diag "before: threads on $(thread_masks "$target")"

	# Shrink to node 2 (CPUs 4-5) and its memory.
	echo 2 >"$cg/cpuset.mems"
	echo 4-5 >"$cg/cpuset.cpus"
	t0=$(date +%s)
	if wait_replans "$ev" 10 4-5; then
		vm_ok "replan: a replan event after the cpuset shrank to CPUs 4-5 (within $(($(date +%s) - t0)) s)"
	else
		vm_not_ok "replan: a replan event after the cpuset shrank" "$(tail -n 3 "$ev")"
	fi
	sleep 1
	vm_event "$ev" replan >/tmp/rp
	vm_check_list "replan: the new plan's CPUs" 4-5 "$(vm_json_get cpus </tmp/rp)"
	vm_check_list "replan: the new plan's nodes" 2 "$(vm_json_get nodes </tmp/rp)"
	vm_check_eq "replan: ok" true "$(vm_json_get ok </tmp/rp)"
	masks=$(thread_masks "$target")
	vm_check_eq "replan: every thread pinned to one CPU of 4-5" "4 5 " "$masks"
	released=$(vm_event_count "$ev" released)
	vm_check_eq "replan: the kernel's rewrite of the masks is not taken for the program's" 0 "$released"
	vm_diag "shrunk: $(grep '"event":"replan"' "$ev" | tail -n 1)"

	# Widen to all 8 CPUs again: spread over the four nodes.
	echo 0-7 >"$cg/cpuset.cpus"
	echo 0-3 >"$cg/cpuset.mems"
	if wait_replans "$ev" 10 0-7; then
		vm_ok "replan: a replan event after the cpuset grew back to CPUs 0-7"
	else
		vm_not_ok "replan: a replan event after the cpuset grew back" "$(tail -n 3 "$ev")"
	fi
	sleep 1.5
	vm_event "$ev" replan >/tmp/rp
	vm_check_list "replan: widened, the plan is CPUs 0-7 again" 0-7 "$(vm_json_get cpus </tmp/rp)"
	nodes=$(for c in $(thread_masks "$target"); do echo $((c / 2)); done | sort -u | tr '\n' ' ')
	vm_check_eq "replan: widened, the 8 threads are spread over the four nodes" "0 1 2 3 " "$nodes"
	# Done: SIGTERM to numarun reaches the target (no handler), and numarun exits with its status.
	kill -TERM "$nr"
	wait "$nr"
	vm_check_eq "replan: SIGTERM forwarded, numarun exits with the target's status" 143 "$?"
	vm_event "$ev" exit >/tmp/ex
	n=$(vm_json_get replans </tmp/ex)
	if [ "$n" -ge 2 ] && [ "$n" = "$(vm_event_count "$ev" replan)" ]; then
		vm_ok "replan: the exit event counts the replans ($n)"
	else
		vm_not_ok "replan: the exit event counts the replans" "exit says $n, $(vm_event_count "$ev" replan) events"
	fi
	vm_diag "numarun said: $(grep "the cpuset changed" /tmp/replan.err | head -n 2)"
}
