# cpuset: inside a cgroup2 cpuset numarun plans within it and refuses requests outside it.
VM_DESC="4 nodes in a cgroup2 cpuset of CPUs 1-3 / nodes 1-3: planning within it, refusals outside it"
VM_NODES=4
VM_CPUS_PER_NODE=1
VM_MEM_PER_NODE=256
VM_DIST="10 30 15 30; 30 10 30 20; 15 30 10 25; 30 20 25 10"

scenario_main() {
	cg=/sys/fs/cgroup/job
	echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control &&
		mkdir -p "$cg" &&
		echo 1-3 >"$cg/cpuset.cpus" &&
		echo 1-3 >"$cg/cpuset.mems" &&
		echo 0 >"$cg/cgroup.procs"
	if [ "$(cat /proc/self/cgroup)" != "0::/job" ]; then
		vm_not_ok "cpuset: set up a cgroup2 cpuset" "cannot enter $cg: $(cat /proc/self/cgroup)"
		return
	fi
	vm_ok "cpuset: in cgroup /job with cpuset.cpus 1-3, cpuset.mems 1-3"

	vm_run "$NUMARUN" topology --json
	vm_json <"$VM_OUT" >/tmp/topo
	vm_check_list "cpuset: topology allowed CPUs" 1-3 "$(vm_json_get allowed_cpus </tmp/topo)"
	vm_check_list "cpuset: topology allowed nodes" 1-3 "$(vm_json_get allowed_nodes </tmp/topo)"

	vm_check_plan "cpuset: plan uses the whole cpuset" 1-3 1-3
	vm_check_plan "cpuset: plan -c 2 picks the nearest pair inside it, nodes 1 and 3" 1,3 1,3 -c 2
	vm_check_list "cpuset: launch with defaults runs on CPUs 1-3" 1-3 "$(vm_target_cpus)"
	vm_check_list "cpuset: launch -c 2 runs on CPUs 1 and 3" 1,3 "$(vm_target_cpus -c 2)"
	vm_check_list "cpuset: launch -N 2" 2 "$(vm_target_cpus -N 2)"
	vm_check_list "cpuset: -N +0 is the first allowed node (1)" 1 "$(vm_target_cpus -N +0)"
	vm_check_list "cpuset: -N '!1' is the allowed nodes but 1 (2-3)" 2-3 "$(vm_target_cpus -N '!1')"
	vm_check_list "cpuset: -C +1-2 is the second and third allowed CPUs (2-3)" 2-3 "$(vm_target_cpus -C +1-2)"
	vm_check_pages_on "cpuset: -m 3 inside the cpuset" 3 95 -m 3
	vm_check_pages_even "cpuset: -i all interleaves over the allowed nodes 1-3" 1-3 5 -i all

	VM_EXPECT_STDERR='^numarun: '
	vm_check_status "cpuset: -N 0 (outside) is refused with 2" 2 "$NUMARUN" -N 0 -- true
	vm_check_status "cpuset: -C 0 (outside) is refused with 2" 2 "$NUMARUN" -C 0 -- true
	vm_check_status "cpuset: -m 0 (outside) is refused with 2" 2 "$NUMARUN" -m 0 -- true
	vm_check_status "cpuset: -i 0,1 (partly outside) is refused with 2" 2 "$NUMARUN" -i 0,1 -- true
	vm_check_status "cpuset: -c 4 (more than allowed) is refused with 2" 2 "$NUMARUN" -c 4 -- true
	vm_check_status "cpuset: plan -N 0 is refused with 2" 2 "$NUMARUN" plan -N 0
	VM_EXPECT_STDERR=
	vm_diag "numarun -N 0: $(cat "$VM_ERR")"
}
