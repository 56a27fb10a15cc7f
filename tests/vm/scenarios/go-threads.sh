# go-threads: per-thread placement of a static Go program (CGO_ENABLED=0: no LD_PRELOAD can see its raw
# clone() threads). Under --threads spread every runtime thread, including those the runtime creates
# seconds later, is pinned to one CPU of the plan, on both nodes; GOMAXPROCS matches the plan.
VM_DESC="2 nodes: a static Go program: threads, also later ones, each pinned to one slot; GOMAXPROCS"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=256
VM_REQUIRES="gothreads"

scenario_main() {
	env -u GOMAXPROCS "$NUMARUN" --threads spread --interval 500ms --events /tmp/go.json -- \
		gothreads -s 12 -later 4 -locked 3 >/tmp/go.out 2>/tmp/go.err &
	np=$!
	sleep 9
	pid=$(vm_event /tmp/go.json start | vm_json_get pid)
	# Every thread's affinity, read from the kernel while it runs: one CPU of the plan (0-3) each.
	: >/tmp/aff
	: >/tmp/tids
	for t in /proc/"$pid"/task/*; do
		printf '%s %s\n' "$(cat "$t/comm")" "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")" >>/tmp/aff
		echo "${t##*/}" >>/tmp/tids
	done
	wait "$np"
	rc=$?
	vm_diag "$(cat /tmp/aff)" "$(cat /tmp/go.out /tmp/go.err)"
	vm_check_eq "go: exits 0" 0 "$rc"
	n=$(wc -l </tmp/aff)
	single=$(awk '$2 ~ /^[0-3]$/' /tmp/aff | wc -l)
	if [ "$n" -ge 6 ] && [ "$single" -eq "$n" ]; then
		vm_ok "go: all $n runtime threads pinned to one CPU of the plan each"
	else
		vm_not_ok "go: all runtime threads pinned to one CPU each" "$single of $n pinned: $(tr '\n' ';' </tmp/aff)"
	fi
	nodes=$(awk '{ print ($2 < 2 ? 0 : 1) }' /tmp/aff | sort -u | tr '\n' ' ')
	vm_check_eq "go: spread over both nodes" "0 1 " "$nodes"
	late=$(grep '"event":"thread_new"' /tmp/go.json | awk -F'"t":' '{ split($2, a, ","); if (a[1] + 0 >= 4) n++ } END { print n + 0 }')
	# The locked goroutines start at 4 s; the runtime may hand them idle threads it made before, so how many
	# threads it creates then varies (2 to 5 seen). At least one is new, and every thread alive at 9 s was
	# discovered (a thread_new event each).
	missed=
	while read -r tid; do
		grep -q "\"event\":\"thread_new\".*\"tid\":$tid," /tmp/go.json || missed="$missed $tid"
	done </tmp/tids
	if [ "$late" -ge 1 ] && [ -z "$missed" ]; then
		vm_ok "go: $late threads created after 4 s were discovered and placed, and all $(wc -l </tmp/tids) alive at 9 s"
	else
		vm_not_ok "go: threads created later were placed" "$late thread_new events after 4 s; not discovered:${missed:- none}"
	fi
	unpinned=$(grep '"event":"thread_new"' /tmp/go.json | grep -c '"pinned":false')
	vm_check_eq "go: every thread_new was pinned" 0 "$unpinned"
	vm_check_eq "go: GOMAXPROCS matches the plan's 4 CPUs" 4 "$(sed -n 's/^GOMAXPROCS=//p' /tmp/go.out)"
	vm_check_eq "go: exit event status" 0 "$(vm_event /tmp/go.json exit | vm_json_get status)"
}
