# monitor-pages: the runtime tuner with the page-placement source (kernel.numa_balancing=0, so no hinting
# faults). Memory bound to node 0, two busy workers placed on node 1:
# observed only, their remote share stays high; monitored, both move to node 0 and their remote share
# falls; the converged placement, saved and relaunched, starts converged with zero moves; a well-placed
# workload sees zero moves over 30 s.
VM_DESC="2 nodes, numa_balancing=0: re-pinning by page placement, saved policy, steady workload"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=384
VM_NUMA_BALANCING=0
VM_TIMEOUT=900

scenario_main() {
	. /vm/tuner.sh
	vm_tuner_scenarios pages
}
