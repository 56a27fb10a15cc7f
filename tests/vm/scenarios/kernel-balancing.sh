# kernel-balancing: numarun leaves the kernel's NUMA balancing on where it sets no memory policy (and
# asks for it where it binds), and its own re-pinning does not chase the kernel's page migration.
# 4 nodes with 2 CPUs each, kernel.numa_balancing=1; a program whose 8 workers each first-touch a buffer
# of their own and then loop over it.
VM_DESC="4 nodes x 2 CPUs, numa_balancing=1: kernel scanning kept, per-thread memory converges without bounces"
VM_NODES=4
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=384
VM_NUMA_BALANCING=1
VM_TIMEOUT=1200

# The kernel's PTE updates for NUMA hinting (/proc/vmstat numa_pte_updates) while CMD... runs, in PTE
# (the command's status in VM_RC).
pte_updates() {
	_a=$(awk '$1 == "numa_pte_updates" { print $2 }' /proc/vmstat)
	vm_run "$@"
	_b=$(awk '$1 == "numa_pte_updates" { print $2 }' /proc/vmstat)
	PTE=$((_b - _a))
}

scenario_main() {
	run="workers -o -t 8 -m 16 -s 12"
	# shellcheck disable=SC2086
	pte_updates $run
	bare=$PTE
	vm_diag "numa_pte_updates over 12 s: bare $bare"
	if [ "$bare" -gt 1000 ]; then vm_ok "the bare program is scanned by the kernel ($bare PTE updates)"; else
		vm_not_ok "the bare program is scanned by the kernel" "only $bare PTE updates"; fi
	# The program confined to node 1's CPUs without numarun: the kernel scans a task in proportion to the
	# CPU time it gets, so -N 1 is compared with this, not with the program on all 8 CPUs.
	# shellcheck disable=SC2086
	pte_updates taskset -c "$(vm_node_cpus 1)" $run
	bare_n1=$PTE
	vm_diag "numa_pte_updates: bare on node 1's CPUs (taskset -c $(vm_node_cpus 1)): $bare_n1"
	for args in "" "-C 0-7" "-N 0-3" "-N 1 -m 1"; do
		# shellcheck disable=SC2086
		pte_updates "$NUMARUN" $args -- $run
		got=$PTE
		vm_diag "numa_pte_updates: numarun $args: $got"
		base=$bare what="bare"
		case $args in -N\ 1*) base=$bare_n1 what="bare on the same CPUs" ;; esac
		# The kernel keeps scanning: at least half as much as for the bare program on the same CPUs.
		if [ "$VM_RC" = 0 ] && [ $((got * 2)) -ge "$base" ]; then
			vm_ok "numarun ${args:-(no options)} -- prog: the kernel keeps scanning ($got vs $base $what)"
		else
			vm_not_ok "numarun ${args:-(no options)} -- prog: the kernel keeps scanning" \
				"exit $VM_RC, $got PTE updates vs $base $what"
		fi
	done
	# The control: an explicit local policy (-l) turns the kernel's balancing off, as documented.
	# shellcheck disable=SC2086
	pte_updates "$NUMARUN" -l -- $run
	got=$PTE
	vm_diag "numa_pte_updates: numarun -l: $got"
	if [ $((got * 10)) -lt "$bare" ]; then vm_ok "numarun -l: an explicit local policy stops the scanning ($got)"; else
		vm_not_ok "numarun -l stops the scanning" "$got PTE updates vs $bare bare"; fi
	vm_run "$NUMARUN" plan --json -- /bin/true
	vm_check_eq "plan: no memory policy, the kernel will balance" true \
		"$(vm_json <"$VM_OUT" | vm_json_get memory.kernel_balancing)"
	vm_run "$NUMARUN" plan --json -m 0 -- /bin/true
	vm_check_eq "plan -m 0: MPOL_F_NUMA_BALANCING asked for" true "$(vm_json <"$VM_OUT" | vm_json_get memory.balancing)"
	vm_run "$NUMARUN" plan --json -l -- /bin/true
	vm_check_eq "plan -l: the kernel will not balance an explicit local policy" false \
		"$(vm_json <"$VM_OUT" | vm_json_get memory.kernel_balancing)"
	vm_run "$NUMARUN" plan --json -m 0 --balancing=no -- /bin/true
	vm_check_eq "plan -m 0 --balancing=no: not asked for" false "$(vm_json <"$VM_OUT" | vm_json_get memory.balancing)"

	# numarun pins the 8 workers (one per CPU, spread) while the kernel migrates their pages to them.
	vm_run "$NUMARUN" --threads spread --monitor --source faults --events /tmp/own.json -v -- \
		workers -o -t 8 -m 16 -s 45
	vm_check_eq "per-thread memory under --threads spread --monitor: exit 0" 0 "$VM_RC"
	vm_diag "$(grep -E '"event":"(start|move|frozen|converged|unfixable)"' /tmp/own.json)"
	vm_diag "$(vm_exit_threads /tmp/own.json)"
	vm_check_eq "the start event says the kernel balances the memory" true \
		"$(vm_event /tmp/own.json start | vm_json_get kernel_balancing)"
	_bad=$(vm_exit_threads /tmp/own.json | awk '$1 ~ /^worker[0-9]/ {
			n++
			if ($3 == "null") printf "%s not judged; ", $1
			else if ($3 + 0 >= 0.3) printf "%s remote %s; ", $1, $3
			if ($4 + 0 > 1) printf "%s moved %s times; ", $1, $4
		} END { if (n != 8) printf "%d workers in the exit event; ", n }')
	if [ -z "$_bad" ]; then vm_ok "every worker judged, under 30% remote at the end, none moved twice"; else
		vm_not_ok "every worker judged, under 30% remote at the end, none moved twice" "$_bad"; fi
	vm_check_eq "no thread frozen (nothing bounced)" 0 "$(vm_event_count /tmp/own.json frozen)"
	vm_check_eq "converged" 1 "$(vm_event_count /tmp/own.json converged)"
}
