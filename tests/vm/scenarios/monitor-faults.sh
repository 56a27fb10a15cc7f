# monitor-faults: the runtime tuner with NUMA hinting faults. Memory held on node 0 that the kernel may not
# move (bind 0 with MPOL_F_NUMA_BALANCING, kernel.numa_balancing=1), two busy workers placed on node 1:
# observed only, their remote share stays high; monitored, both move to node 0 and their remote share
# falls; the converged placement, saved and relaunched, starts converged with zero moves; a well-placed
# workload sees zero moves over 30 s.
VM_DESC="2 nodes, numa_balancing=1: re-pinning by hinting faults, saved policy, steady workload"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=384
VM_NUMA_BALANCING=1
VM_TIMEOUT=900

scenario_main() {
	. /vm/tuner.sh
	vm_tuner_scenarios faults
}
