# compare: scenario 1 of the runtime tuner side by side with the kernel's NUMA balancing alone and with
# numad. Memory bound to node 0 (MPOL_F_NUMA_BALANCING: the kernel may not move it), two busy workers
# starting on node 1. Every variant is measured the same way: each worker's remote share of NUMA hinting
# faults, from /proc/PID/task/TID/sched, once a second. Run by bench/vm-compare.sh.
VM_DESC="bench: numarun vs kernel NUMA balancing vs numad, 2 nodes"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=384
VM_NUMA_BALANCING=1
VM_TIMEOUT=900
SECONDS_RUN=40

# Start the workload on node 1 with memory bound to node 0, then let every thread run anywhere.
start_unpinned() {
	"$NUMARUN" -m 0 -b -N 1 -- workers -t 2 -m 64 -s "$SECONDS_RUN" >/dev/null 2>&1 </dev/null &
	_p=$!
	sleep 1
	for _t in /proc/"$_p"/task/*; do taskset -p -c "0-$((VM_CPUS - 1))" "${_t##*/}" >/dev/null; done
	echo "$_p"
}

scenario_main() {
	# The same policy as the tuner scenarios: workers start on node 1, memory bound to node 0.
	. /vm/tuner.sh
	policy /tmp/p1.ini 1 faults
	# numarun: pinned on node 1, monitored.
	"$NUMARUN" -p /tmp/p1.ini --events /tmp/n.json -- workers -t 2 -m 64 -s "$SECONDS_RUN" &
	np=$!
	sleep 0.5
	vm_measure_workers "$(pidof workers)" >/tmp/m-numarun
	wait "$np"
	vm_measure_summary "numarun --monitor" /tmp/m-numarun 2
	vm_diag "numarun moves: $(vm_event /tmp/n.json exit | vm_json_get moves)"

	# The kernel's NUMA balancing alone.
	p=$(start_unpinned)
	vm_measure_workers "$p" >/tmp/m-kernel
	vm_measure_summary "kernel NUMA balancing" /tmp/m-kernel 2

	# numad at its shortest interval, with the kernel's balancing still on.
	if command -v numad >/dev/null 2>&1; then
		mkdir -p /var/log /var/run
		numad -i 1:1 -l 7 2>/tmp/numad.err
		p=$(start_unpinned)
		vm_measure_workers "$p" >/tmp/m-numad
		while [ -d "/proc/$p" ]; do sleep 1; done
		vm_measure_summary "numad -i 1 (+ kernel)" /tmp/m-numad 2
		vm_diag "numad log:" "$(tail -n 15 /var/log/numad.log 2>/dev/null)" "$(cat /tmp/numad.err)"
		numad -i 0 2>/dev/null
	else
		echo "# FIGURE numad: not in this guest (put it there with NUMARUN_VM_EXTRA=numad)"
	fi
	for f in numarun kernel numad; do
		[ -f /tmp/m-$f ] && vm_diag "$f per second (s remote0 remote1):" "$(tr '\n' ';' </tmp/m-$f)"
	done
	vm_ok "bench ran"
}
