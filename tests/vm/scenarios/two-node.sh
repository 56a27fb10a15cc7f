# two-node: topology, CPU binding, memory binding and interleaving on a 2-node guest.
VM_DESC="2 nodes: topology, CPU binding (-N, -C, policy), memory binding (-m, policy, --preferred on one and two nodes), interleave"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=256
VM_DIST="10 21; 21 10"

scenario_main() {
	vm_check_topology

	# CPU binding: the target's Cpus_allowed_list is exactly what was asked for.
	vm_check_list "cpu: -N 1 runs on node 1's CPUs" "$(vm_node_cpus 1)" "$(vm_target_cpus -N 1)"
	vm_check_list "cpu: -N 0 runs on node 0's CPUs" "$(vm_node_cpus 0)" "$(vm_target_cpus -N 0)"
	vm_check_list "cpu: -C 3" "3" "$(vm_target_cpus -C 3)"
	vm_check_list "cpu: -C 0,3 (across nodes)" "0,3" "$(vm_target_cpus -C 0,3)"
	printf '[placement]\nnodes = 1\n' >/tmp/node1.ini
	vm_check_list "cpu: policy [placement] nodes = 1" "$(vm_node_cpus 1)" "$(vm_target_cpus --policy /tmp/node1.ini)"
	vm_check_list "cpu: -c 1 -N 1" "$(echo "$(vm_list "$(vm_node_cpus 1)")" | cut -d' ' -f1)" \
		"$(vm_target_cpus -c 1 -N 1)"

	# Memory binding: memtouch's 64 MiB land on the chosen node.
	vm_check_pages_on "mem: -m 1" 1 95 -m 1
	vm_check_pages_on "mem: -m 0" 0 95 -m 0
	printf '[memory]\npolicy = bind\nnodes = 1\n' >/tmp/bind1.ini
	vm_check_pages_on "mem: policy [memory] policy = bind, nodes = 1" 1 95 --policy /tmp/bind1.ini
	vm_check_pages_on "mem: --preferred=1" 1 95 --preferred=1
	# Several nodes: MPOL_PREFERRED_MANY (6.1 has it) allocates on the local one of them, where the
	# first node alone (MPOL_PREFERRED, a kernel without it) would put node 1's pages on node 0.
	vm_check_pages_on "mem: -N 1 --preferred=0,1 (MPOL_PREFERRED_MANY: node 1, the local one)" 1 95 -N 1 --preferred=0,1
	vm_check_pages_on "mem: -N 0 --preferred=0,1 (MPOL_PREFERRED_MANY: node 0)" 0 95 -N 0 --preferred=0,1
	vm_check_pages_on "mem: -N 1 (memory local by default)" 1 95 -N 1

	# Interleave: pages spread evenly over the chosen nodes.
	vm_check_pages_even "interleave: -i 0,1" 0,1 5 -i 0,1
	vm_check_pages_even "interleave: -i all" 0,1 5 -i all
	printf '[memory]\npolicy = interleave\nnodes = all\n' >/tmp/interleave.ini
	vm_check_pages_even "interleave: policy [memory] policy = interleave, nodes = all" 0,1 5 \
		--policy /tmp/interleave.ini
	# An explicit CPU list is launched from sysfs alone: the same plan as hwloc's, across nodes too.
	for _o in "-C 3" "-C 0,3" "-C 3,0 -m 1" "-C 2-3 -l" "-C 1 -i all" "-C 0-3 -m 0" "-C 2 --preferred=0,1" "-C 0 -m 5"; do
		vm_check_same_plan "sysfs launch: $_o is planned as numarun plan plans it" $_o
	done
}
