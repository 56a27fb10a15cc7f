# tuner.sh - the runtime tuner scenarios, shared by monitor-faults and monitor-pages (sourced in the
# guest; busybox sh).

policy() { # $1: file, $2: node for the workers, $3: source
	cat >"$1" <<EOP
[placement]
nodes = all
[memory]
policy = bind
nodes = 0
balancing = yes
[threads]
placement = spread
node.worker* = $2
[monitor]
enabled = yes
interval = 1s
source = $3
threshold = 30%
sustain = 2
settle = 3
EOP
}

# check_workers NAME EVENTS NODE OP LIMIT: each worker's final node and remote share (awk comparison).
check_workers() {
	_bad=$(vm_exit_threads "$2" | awk -v node="$3" -v op="$4" -v lim="$5" '
		$1 ~ /^worker[0-9]/ {
			n++
			ok = (op == "<" ? $3 != "null" && $3 + 0 < lim : $3 != "null" && $3 + 0 >= lim)
			if ($2 != node || !ok) printf "%s on node %s remote %s; ", $1, $2, $3
		}
		END { if (n != 2) printf "%d workers in the exit event; ", n }')
	if [ -z "$_bad" ]; then
		vm_ok "$1"
	else
		vm_not_ok "$1" "$_bad"
	fi
	vm_diag "$(vm_exit_threads "$2")"
}

# The tuner scenarios with source $1 (1: observed only, 2: monitored and saved, 5: relaunched from the
# saved policy, 4: a steady well-placed workload).
vm_tuner_scenarios() {
	src=$1
	policy /tmp/p1.ini 1 "$src"

	# Observed only: the workers stay on node 1, their accesses stay remote.
	vm_run "$NUMARUN" -p /tmp/p1.ini --action none --events /tmp/obs.json -- workers -t 2 -m 64 -s 25
	vm_check_eq "$src: observe-only run exits 0" 0 "$VM_RC"
	vm_check_eq "$src: observe-only: no moves" 0 "$(vm_event /tmp/obs.json exit | vm_json_get moves)"
	check_workers "$src: without acting, workers stay on node 1 with remote share >= 90%" /tmp/obs.json 1 ">=" 0.9
	vm_check_eq "$src: the source in use is announced" "$src" "$(vm_event /tmp/obs.json start | vm_json_get source)"

	# Monitored: both move to node 0, remote share under 10%, converged, placement saved.
	vm_run "$NUMARUN" -p /tmp/p1.ini --events /tmp/mon.json --save-policy /tmp/saved.ini -v -- \
		workers -t 2 -m 64 -s 40
	vm_check_eq "$src: monitored run exits 0" 0 "$VM_RC"
	vm_bring_back /tmp/mon.json "$src-monitored.json"
	vm_diag "$(grep -E '"event":"(move|converged|frozen)"' /tmp/mon.json)"
	for w in worker0 worker1; do
		t=$(vm_event_time /tmp/mon.json move "\"comm\":\"$w\"")
		to=$(grep '"event":"move"' /tmp/mon.json | grep "\"comm\":\"$w\"" | head -n 1 | vm_json | vm_json_get to)
		if [ -n "$t" ] && [ "$to" = 0 ]; then
			vm_ok "$src: $w moved to node 0 (after $t s)"
		else
			vm_not_ok "$src: $w moved to node 0" "no move event for $w"
		fi
		r=$(grep '"event":"move"' /tmp/mon.json | grep "\"comm\":\"$w\"" | head -n 1 | vm_json | vm_json_get remote)
		vm_diag "$w remote share when moved: $r"
	done
	check_workers "$src: monitored, workers end on node 0 with remote share < 10%" /tmp/mon.json 0 "<" 0.1
	vm_check_eq "$src: converged" 1 "$(vm_event_count /tmp/mon.json converged)"
	vm_check_eq "$src: no thread frozen" 0 "$(vm_event_count /tmp/mon.json frozen)"
	if [ -s /tmp/saved.ini ] && grep -q '^node.worker0 = 0$' /tmp/saved.ini && grep -q '^node.worker1 = 0$' /tmp/saved.ini; then
		vm_ok "$src: --save-policy wrote the converged placement"
	else
		vm_not_ok "$src: --save-policy wrote the converged placement" "$(cat /tmp/saved.ini 2>&1)"
	fi

	# The saved policy, relaunched: converged from the start, zero moves.
	vm_run "$NUMARUN" -p /tmp/saved.ini --events /tmp/re.json -- workers -t 2 -m 64 -s 25
	vm_check_eq "$src: relaunch with the saved policy exits 0" 0 "$VM_RC"
	vm_check_eq "$src: relaunched: zero moves" 0 "$(vm_event /tmp/re.json exit | vm_json_get moves)"
	vm_check_eq "$src: relaunched: converged" 1 "$(vm_event_count /tmp/re.json converged)"
	check_workers "$src: relaunched: workers on node 0, remote < 10%" /tmp/re.json 0 "<" 0.1

	# action = migrate with memory bound to node 0: the pages may not leave the bind set, so the threads
	# go to them instead (the memory policy is a contract).
	if [ "$src" = pages ]; then
		vm_run "$NUMARUN" -p /tmp/p1.ini --action migrate --events /tmp/mig0.json -- workers -t 2 -m 64 -s 20
		vm_check_eq "$src: migrate, bind 0: exits 0" 0 "$VM_RC"
		vm_diag "$(grep -E '"event":"(move|converged|unfixable)"' /tmp/mig0.json)"
		vm_check_eq "$src: migrate, bind 0: no memory migrated out of the bind set" 0 \
			"$(vm_event /tmp/mig0.json exit | vm_json_get migrations)"
		check_workers "$src: migrate, bind 0: the workers went to node 0 instead, remote < 10%" /tmp/mig0.json 0 "<" 0.1

		# Bind over 0,1, the memory first touched on node 0 (CPU 0): the memory comes to the threads
		# on node 1 (migrate_pages), within the set.
		sed 's/^nodes = 0$/nodes = 0,1/' /tmp/p1.ini >/tmp/p01.ini
		vm_run "$NUMARUN" -p /tmp/p01.ini --action migrate --events /tmp/mig.json -- workers -f 0 -t 2 -m 64 -s 20
		vm_check_eq "$src: migrate run exits 0" 0 "$VM_RC"
		vm_bring_back /tmp/mig.json "$src-migrate.json"
		vm_diag "$(grep -E '"event":"(move|converged)"' /tmp/mig.json)"
		m=$(vm_event /tmp/mig.json exit | vm_json_get migrations)
		if [ "${m:-0}" -ge 1 ]; then
			vm_ok "$src: action = migrate, bind 0,1, moved the memory ($m migrations)"
		else
			vm_not_ok "$src: action = migrate, bind 0,1, moved the memory" "migrations: ${m:-none}"
		fi
		vm_check_eq "$src: action = migrate: no thread moves" 0 "$(vm_event /tmp/mig.json exit | vm_json_get moves)"
		check_workers "$src: action = migrate: workers stay on node 1, remote < 10%" /tmp/mig.json 1 "<" 0.1
	fi

	# A steady, well-placed workload (workers on the memory's node): zero moves over 32 s.
	policy /tmp/p0.ini 0 "$src"
	vm_run "$NUMARUN" -p /tmp/p0.ini --events /tmp/steady.json -- workers -t 2 -m 64 -s 32
	vm_check_eq "$src: steady run exits 0" 0 "$VM_RC"
	vm_check_eq "$src: steady: zero moves over 32 s" 0 "$(vm_event /tmp/steady.json exit | vm_json_get moves)"
	vm_check_eq "$src: steady: zero memory migrations" 0 "$(vm_event /tmp/steady.json exit | vm_json_get migrations)"
	check_workers "$src: steady: workers stay on node 0, remote < 10%" /tmp/steady.json 0 "<" 0.1
}

# ---- measuring a workload from outside, the same way for every variant (bench/vm) ----

# Print "SECONDS SHARE@NODE..." once a second while process $1 lives: each worker thread's remote share of
# NUMA hinting faults (/proc/PID/task/TID/sched, decayed per scan as the kernel keeps them), "-" while it
# has too few faults, and the node it runs on; then "# migrated N": the pages the kernel migrated meanwhile
# (numa_pages_migrated in /proc/vmstat, the whole guest).
vm_measure_workers() {
	_start=$(date +%s)
	_mig0=$(awk '$1 == "numa_pages_migrated" { print $2 }' /proc/vmstat)
	while [ -d "/proc/$1" ]; do
		_line=$(($(date +%s) - _start))
		for _t in /proc/"$1"/task/*; do
			case $(cat "$_t/comm" 2>/dev/null) in worker[0-9]*) ;; *) continue ;; esac
			_r=$(awk '/^current_node=/ { split($1, c, "="); cur = c[2] + 0 }
				/^numa_faults node=/ { split($2, n, "="); split($3, p, "="); split($4, s, "=")
					f[n[2] + 0] = p[2] + s[2]; tot += p[2] + s[2] }
				END { if (tot < 8) printf "-"; else printf "%.3f", 1 - f[cur] / tot; printf "@%d", cur }' "$_t/sched" 2>/dev/null)
			_line="$_line ${_r:--@-}"
		done
		echo "$_line"
		sleep 1
	done
	echo "# migrated $(($(awk '$1 == "numa_pages_migrated" { print $2 }' /proc/vmstat) - ${_mig0:-0}))"
}

# Summarise a vm_measure_workers log $2 for variant $1 (with $3 workers): the first second from which
# every worker stays under 10% remote, the mean remote share at the end, how many times a worker was seen
# on another node than a second before (whoever moved it: numarun, numad or the kernel's scheduler), and
# the pages the kernel migrated.
vm_measure_summary() {
	awk -v name="$1" -v want="$3" '
		$1 == "#" && $2 == "migrated" { migrated = $3; next }
		NF - 1 >= want {
			all = 1; sum = 0; k = 0
			for (i = 2; i <= NF; i++) {
				split($i, f, "@")
				if (f[2] != "-" && (i in node) && node[i] != f[2]) moves++
				if (f[2] != "-") node[i] = f[2]
				if (f[1] == "-") { all = 0; continue }
				sum += f[1]; k++; if (f[1] >= 0.1) all = 0
			}
			if (k) lastr = sum / k
			if (all) { if (first == "") first = $1 } else first = ""
		}
		END { printf "# FIGURE %-30s time-to-under-10%%: %s s   final remote share: %s   node changes: %d   pages migrated: %s\n", name,
			(first == "" ? "never" : first), (lastr == "" ? "n/a" : sprintf("%.3f", lastr)), moves,
			(migrated == "" ? "n/a" : migrated) }' "$2"
}
