# doctor: numarun doctor's numa_remote finding where there are two nodes. A busy worker on node 1 with its
# memory bound to node 0 (numarun -N 1 -m 0, exec'd in place: doctor observes it by PID) is a numa_remote
# problem, exit status 3; the same worker with its memory on node 1 (-N 1 -m 1) has no numa_remote finding
# above info, exit status 0. numa_balancing is reported as info either way. And throttling on cgroup v2:
# a busy worker in a cgroup with cpu.max "20000 100000" is a throttling problem naming that cgroup's
# cpu.stat; in a child cgroup (cpu.max max) of that one, the finding names the parent's cpu.stat.
VM_DESC="2 nodes: numarun doctor, numa_remote problem (threads on node 1, memory on node 0) and its control; throttling under cgroup v2 cpu.max, own and parent"
VM_NODES=2
VM_CPUS_PER_NODE=1
VM_MEM_PER_NODE=256
VM_DIST="10 21; 21 10"
VM_TIMEOUT=600

# doctor_on NAME WANT_RC WANT_ERE NODE_MEM: workers on node 1, memory on NODE_MEM, observed by doctor.
doctor_on() {
	"$NUMARUN" -N 1 -m "$4" -- workers -t 1 -m 32 -s 90 >/dev/null 2>/tmp/workers.err &
	_pid=$!
	_i=0
	while ! grep -q 'workers: busy' /tmp/workers.err 2>/dev/null && [ "$_i" -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	vm_run "$NUMARUN" doctor --duration 3 "$_pid"
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	vm_diag "numarun doctor (exit $VM_RC):" "$(cat "$VM_OUT")"
	if [ "$VM_RC" -eq "$2" ] && grep -Eq "$3" "$VM_OUT"; then
		vm_ok "$1"
	else
		vm_not_ok "$1" "exit status $VM_RC (wanted $2), a line matching '$3' wanted"
		vm_diag_output
	fi
}

# throttled_in NAME CGROUP WANT_STAT: a busy worker moved into CGROUP; doctor finds a throttling problem
# whose nr_throttled comes from WANT_STAT.
throttled_in() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec workers -t 2 -m 8 -s 90' sh "$2" >/dev/null 2>/tmp/workers.err &
	_pid=$!
	_i=0
	while ! grep -q 'workers: busy' /tmp/workers.err 2>/dev/null && [ "$_i" -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	vm_run "$NUMARUN" doctor --duration 3 "$_pid"
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	vm_diag "numarun doctor in $2 (exit $VM_RC):" "$(head -n 16 "$VM_OUT")"
	if [ "$VM_RC" -eq 3 ] && grep -Eq '^problem +throttling: ' "$VM_OUT" &&
		grep -Eq "^ +nr_throttled +[0-9]+ periods +\($3\)" "$VM_OUT"; then
		vm_ok "$1"
	else
		vm_not_ok "$1" "exit status $VM_RC (wanted 3), a throttling problem from $3 wanted"
		vm_diag_output
	fi
}

scenario_main() {
	doctor_on "doctor: threads on node 1, memory bound to node 0: numa_remote problem, exit 3" 3 \
		'^problem +numa_remote: its busy threads run on one node and (9[0-9]|100)% of its memory is on another' 0
	doctor_on "doctor: threads and memory on node 1: no numa_remote finding, exit 0" 0 '^info +numa_balancing:' 1
	if grep -Eq '^(problem|warning) +numa_remote' "$VM_OUT"; then
		vm_not_ok "doctor: control has no numa_remote above info" "$(cat "$VM_OUT")"
	else
		vm_ok "doctor: control has no numa_remote above info"
	fi

	_cg=/sys/fs/cgroup
	if echo +cpu >"$_cg/cgroup.subtree_control" && mkdir "$_cg/dq" && echo "20000 100000" >"$_cg/dq/cpu.max"; then
		throttled_in "doctor: cgroup v2 cpu.max 20000 100000: throttling problem from its cpu.stat" "$_cg/dq" \
			"$_cg/dq/cpu.stat"
		if mkdir "$_cg/dq/child" && echo +cpu >"$_cg/dq/cgroup.subtree_control"; then
			throttled_in "doctor: cgroup v2 parent's cpu.max: throttling problem from the parent's cpu.stat" \
				"$_cg/dq/child" "$_cg/dq/cpu.stat"
		else
			vm_not_ok "doctor: a child cgroup with the cpu controller" "cannot create $_cg/dq/child"
		fi
	else
		vm_skip "doctor: throttling under cgroup v2" "the cpu controller cannot be enabled in $_cg"
	fi
}
