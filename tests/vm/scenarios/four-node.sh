# four-node: topology with an uneven distance matrix, and compact planning that must find the nearest
# nodes rather than the first ones.
VM_DESC="4 nodes, uneven distances: topology, compact picks the nearest nodes (0+2), interleave over the plan"
VM_NODES=4
VM_CPUS_PER_NODE=1
VM_MEM_PER_NODE=256
# Nearest pair: 0-2 (15), not 0-1. Best triple: 0,2,3 (15+30+25). Within nodes 1-3: 1-3 (20).
VM_DIST="10 30 15 30; 30 10 30 20; 15 30 10 25; 30 20 25 10"

scenario_main() {
	vm_check_topology

	# One node has one CPU: two CPUs need two nodes, and compact must take the nearest pair.
	vm_check_plan "compact: plan -c 2 picks the nearest pair, nodes 0 and 2" 0,2 0,2 -c 2
	vm_check_plan "compact: plan -c 3 picks the nearest three, nodes 0, 2, 3" 0,2,3 0,2,3 -c 3
	vm_check_plan "compact: plan --placement=compact -c 2 -N 1-3 stays within nodes 1-3 (1 and 3)" \
		1,3 1,3 --placement=compact -c 2 -N 1-3
	vm_check_plan "plan: -c 4 uses every node" 0-3 0-3 -c 4
	vm_check_list "cpu: -c 2 launches on CPUs 0 and 2" "0,2" "$(vm_target_cpus -c 2)"

	# Memory follows the plan: local on the chosen nodes, or interleaved over them.
	vm_check_pages_on "mem: -c 2 keeps memory on nodes 0 and 2" 0,2 95 -c 2
	vm_check_pages_on "mem: -m 3" 3 95 -m 3
	printf '[placement]\ncpus = 2\n[memory]\npolicy = interleave\n' >/tmp/il-plan.ini
	vm_check_pages_even "interleave: policy cpus = 2, interleave over the plan's nodes 0 and 2" 0,2 5 \
		--policy /tmp/il-plan.ini
	vm_check_pages_even "interleave: -i all over 4 nodes" 0-3 5 -i all
	vm_check_pages_even "interleave: -i 1,3" 1,3 5 -i 1,3
	# An explicit CPU list is launched from sysfs alone: the same plan as hwloc's on four nodes.
	for _o in "-C 0,3" "-C 3,2,1 -m 3" "-C 1-2 -l" "-C 1 -i 0,2" "-C 0-3 -m all"; do
		vm_check_same_plan "sysfs launch: $_o is planned as numarun plan plans it" $_o
	done
}
