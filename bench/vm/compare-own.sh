# compare-own: 8 workers that each first-touch a buffer of their own and then loop over it, in a 4-node
# guest (2 CPUs a node, kernel.numa_balancing=1): numarun pinning them (--threads spread --monitor, faults
# source) beside the kernel's NUMA balancing alone, measured the same way (each worker's remote share of
# hinting faults once a second). numarun sets no memory policy, so the kernel migrates the pages to the
# pinned threads, and numarun must not chase it. Run by bench/vm-compare.sh.
VM_DESC="bench: per-thread memory, numarun and kernel balancing vs kernel balancing alone, 4 nodes"
VM_NODES=4
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=384
VM_NUMA_BALANCING=1
VM_TIMEOUT=900
SECONDS_RUN=40

scenario_main() {
	. /vm/tuner.sh
	"$NUMARUN" --threads spread --monitor --source faults --events /tmp/n.json -- \
		workers -o -t 8 -m 16 -s "$SECONDS_RUN" >/dev/null 2>&1 &
	np=$!
	sleep 0.5
	vm_measure_workers "$(pidof workers)" >/tmp/m-numarun
	wait "$np"
	vm_measure_summary "numarun --threads spread --monitor" /tmp/m-numarun 8
	vm_diag "numarun: moves $(vm_event /tmp/n.json exit | vm_json_get moves), frozen $(vm_event_count /tmp/n.json frozen), converged at $(vm_event_time /tmp/n.json converged '') s"

	workers -o -t 8 -m 16 -s "$SECONDS_RUN" >/dev/null 2>&1 &
	p=$!
	sleep 0.5
	vm_measure_workers "$p" >/tmp/m-kernel
	vm_measure_summary "kernel NUMA balancing alone" /tmp/m-kernel 8
	for f in numarun kernel; do
		vm_diag "$f per second (s remote0..7):" "$(tr '\n' ';' </tmp/m-$f)"
	done
	vm_ok "bench ran"
}
