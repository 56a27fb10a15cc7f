# process: exit statuses and GOMAXPROCS inside a guest behave as on the host.
VM_DESC="2 nodes: exit statuses (pass-through, 126, 127, 2) and GOMAXPROCS with the static Go probe"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=256

# goprobe output "KEY=VALUE" lines: value of KEY in $VM_OUT.
probe() {
	sed -n "s/^$1=//p" "$VM_OUT"
}

scenario_main() {
	# The target's own status passes through; death by a signal is seen as by the shell (128 + signal).
	vm_check_status "exit: target status 0" 0 "$NUMARUN" -N 1 -- exitwith 0
	vm_check_status "exit: target status 3" 3 "$NUMARUN" -N 1 -- exitwith 3
	vm_check_status "exit: target status 255" 255 "$NUMARUN" -m 1 -- exitwith 255
	vm_check_status "exit: target killed by SIGKILL" 137 sh -c "\"$NUMARUN\" -N 0 -- exitwith signal 9; exit \$?"
	VM_EXPECT_STDERR='^numarun: '
	vm_check_status "exit: command not found (PATH) is 127" 127 "$NUMARUN" -- no-such-command
	vm_check_status "exit: command not found (path) is 127" 127 "$NUMARUN" -- /no/such/file
	printf '#!/bin/sh\nexit 0\n' >/tmp/noexec
	chmod 644 /tmp/noexec
	vm_check_status "exit: not executable is 126" 126 "$NUMARUN" -- /tmp/noexec
	vm_check_status "exit: a directory is 126" 126 "$NUMARUN" -- /tmp
	vm_check_status "exit: bad option is 2" 2 "$NUMARUN" --no-such-option -- true
	vm_check_status "exit: bad node list is 2" 2 "$NUMARUN" -N x -- true
	vm_check_status "exit: node that does not exist is 2" 2 "$NUMARUN" -N 7 -- true
	vm_check_status "exit: more CPUs than there are is 2" 2 "$NUMARUN" -c 5 -- true
	vm_check_status "exit: missing policy file is 2" 2 "$NUMARUN" --policy /no/such.ini -- true
	printf '[memory]\ninterleve = 1\n' >/tmp/typo.ini
	VM_EXPECT_STDERR='/tmp/typo.ini:2: '
	vm_check_status "exit: policy with an unknown key is 2 (FILE:LINE)" 2 "$NUMARUN" --policy /tmp/typo.ini -- true
	VM_EXPECT_STDERR=

	if ! command -v goprobe >/dev/null 2>&1; then
		vm_skip "gomaxprocs" "no Go probe in this guest (no Go compiler on the host)"
		return
	fi
	node1=$(vm_node_cpus 1)
	n1=$(vm_list "$node1" | awk "{ print NF }")
	vm_run env -u GOMAXPROCS "$NUMARUN" -N 1 -- goprobe
	vm_check_eq "gomaxprocs: -N 1 gives GOMAXPROCS = node 1's CPU count" "$n1" "$(probe GOMAXPROCS)"
	vm_check_list "gomaxprocs: -N 1 affinity" "$node1" "$(probe affinity)"
	vm_run env -u GOMAXPROCS "$NUMARUN" -C 1 -- goprobe
	vm_check_eq "gomaxprocs: -C 1 gives 1" 1 "$(probe GOMAXPROCS)"
	vm_run env GOMAXPROCS=3 "$NUMARUN" -N 1 -- goprobe
	vm_check_eq "gomaxprocs: auto leaves a GOMAXPROCS from the environment alone" 3 "$(probe GOMAXPROCS)"
	vm_run env -u GOMAXPROCS "$NUMARUN" --gomaxprocs=5 -N 1 -- goprobe
	vm_check_eq "gomaxprocs: --gomaxprocs=5" 5 "$(probe GOMAXPROCS)"
	vm_run env GOMAXPROCS=3 "$NUMARUN" --gomaxprocs=off -N 1 -- goprobe
	vm_check_eq "gomaxprocs: --gomaxprocs=off removes the variable" unset "$(probe env_GOMAXPROCS)"
	vm_run env GOMAXPROCS=3 "$NUMARUN" --gomaxprocs=keep -N 1 -- goprobe
	vm_check_eq "gomaxprocs: --gomaxprocs=keep keeps it" 3 "$(probe env_GOMAXPROCS)"
	vm_run env -u GOMAXPROCS "$NUMARUN" --gomaxprocs=always -- goprobe
	vm_check_eq "gomaxprocs: --gomaxprocs=always without binding: all $VM_CPUS CPUs" "$VM_CPUS" "$(probe GOMAXPROCS)"

	# A cgroup2 CPU quota of 1.5 CPUs caps GOMAXPROCS at ceil(1.5) = 2 (in a subshell: the cgroup is left
	# behind with it).
	(
		q=/sys/fs/cgroup/quota
		echo +cpu >/sys/fs/cgroup/cgroup.subtree_control && mkdir -p "$q" &&
			echo "150000 100000" >"$q/cpu.max" && echo 0 >"$q/cgroup.procs" || {
			vm_not_ok "gomaxprocs: set up a cgroup2 cpu.max quota" "cannot write $q"
			exit 0
		}
		vm_run "$NUMARUN" topology --json
		vm_check_eq "gomaxprocs: topology sees the cpu.max quota of 1.5 CPUs" 1.5 \
			"$(vm_json <"$VM_OUT" | vm_json_get cpu_quota | awk '{ printf "%g", $1 }')"
		vm_run env -u GOMAXPROCS "$NUMARUN" -- goprobe
		vm_check_eq "gomaxprocs: capped by cpu.max 150000/100000 to 2" 2 "$(probe GOMAXPROCS)"
		vm_check_list "gomaxprocs: the quota does not narrow the affinity" "0-$((VM_CPUS - 1))" "$(probe affinity)"
		# One quota rule: numarun's value for the old-module probe is what a runtime that sizes
		# GOMAXPROCS itself (the go 1.25+ module probe) computes in the same cgroup.
		if command -v goprobe-new >/dev/null 2>&1; then
			for quota in 50000 250000 350000 max; do
				echo "$quota 100000" >"$q/cpu.max"
				vm_run env -u GOMAXPROCS goprobe-new
				own=$(probe GOMAXPROCS)
				vm_run env -u GOMAXPROCS "$NUMARUN" -- goprobe
				ours=$(probe GOMAXPROCS)
				vm_run env -u GOMAXPROCS "$NUMARUN" -- goprobe-new
				vm_check_eq "gomaxprocs: cpu.max $quota: numarun's value for a go 1.19 module ($ours) = the new runtime's own ($own), and numarun leaves the new one alone" \
					"$own $own unset" "$ours $(probe GOMAXPROCS) $(probe env_GOMAXPROCS)"
			done
		else
			vm_skip "gomaxprocs: numarun's quota rule against the runtime's own" "no go 1.25+ probe in the guest"
		fi
	)
}
