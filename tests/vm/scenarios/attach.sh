# attach: numarun attach on a process that runs already, with its threads and its memory on node 0:
# attach -N 1 -m 1 moves every thread to node 1's CPUs and migrates the pages already there to node 1
# (numa_maps before and after), says how many moved, and detaches on SIGTERM leaving both where they are;
# then attach -N 0 --threads spread --restore gives each thread one CPU of node 0 and, on SIGINT, puts
# back the masks it found (node 1's CPUs); a process with its memory on node 1 and its threads on node 0:
# attach with the tuner's policy moves the busy threads to node 1 and the memory stays; a process in a
# cgroup2 cpuset of node 0's CPUs: the plan is made for that cpuset, read from its own cgroup (attach -N 1
# refused before any change, -C 1 placed).
VM_DESC="2 nodes: attach -N 1 -m 1 to a running process on node 0 (threads and pages moved); the tuner attached"
VM_NODES=2
VM_CPUS_PER_NODE=2
VM_MEM_PER_NODE=384
VM_NUMA_BALANCING=0
VM_TIMEOUT=600

# Pages of process PID on node N (numa_maps, every mapping).
pages_on() {
	sed -n "s/.* N$2=\([0-9]*\).*/\1/p; s/.* N$2=\([0-9]*\)\$/\1/p" "/proc/$1/numa_maps" 2>/dev/null |
		awk '{ s += $1 } END { print s + 0 }'
}

# The distinct CPU masks of PID's threads, one line.
masks() {
	for st in /proc/"$1"/task/*/status; do
		awk '$1 == "Cpus_allowed_list:" { print $2 }' "$st" 2>/dev/null
	done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# wait_until SECONDS CMD...: poll CMD once a second.
wait_until() {
	_s=$1
	shift
	while ! "$@"; do
		_s=$((_s - 1))
		[ "$_s" -le 0 ] && return 1
		sleep 1
	done
}

# on_cpus PID LIST: every thread of PID has the one mask LIST.
on_cpus() {
	_m=$(masks "$1")
	case $_m in "" | *" "*) return 1 ;; esac
	[ "$(vm_list "$_m")" = "$(vm_list "$2")" ]
}
# spread_on PID LIST: every thread of PID on one CPU of LIST, and both CPUs used.
spread_on() {
	_m=$(masks "$1")
	[ "$(vm_list "$_m")" = "$(vm_list "$2")" ] || return 1
	for _c in $_m; do
		case $_c in *-* | *,*) return 1 ;; esac
	done
}
# worker_masks PID: the masks of its threads worker0 and worker1, one line.
worker_masks() {
	for t in /proc/"$1"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in worker0 | worker1)
			awk '$1 == "Cpus_allowed_list:" { print $2 }' "$t/status" 2>/dev/null ;;
		esac
	done | tr '\n' ' ' | sed 's/ $//'
}
# workers_on PID LIST: worker0 and worker1 each on CPUs within LIST.
workers_on() {
	_m=$(worker_masks "$1")
	_n=0
	for _c in $_m; do
		for _x in $(vm_list "$_c"); do
			case " $(vm_list "$2") " in *" $_x "*) ;; *) return 1 ;; esac
		done
		_n=$((_n + 1))
	done
	[ "$_n" -eq 2 ]
}
workers_busy() { [ "$(ls "/proc/$1/task" 2>/dev/null | wc -l)" -ge 3 ] && grep -q '^workers: busy' /tmp/w.err; }
threads_ready() { [ "$(ls "/proc/$1/task" 2>/dev/null | wc -l)" -ge 4 ] && grep -q '^workers: busy' /tmp/w.err; }

scenario_main() {
	node0=$(vm_node_cpus 0)
	node1=$(vm_node_cpus 1)
	# A process numarun started and left (exec'd in place): on node 0, its 64 MiB buffer bound to node 0.
	"$NUMARUN" -N 0 -m 0 -- workers -t 2 -i 1 -m 64 -s 300 -w 2 </dev/null >/tmp/w.out 2>/tmp/w.err &
	w=$!
	if ! wait_until 60 threads_ready "$w"; then
		vm_not_ok "attach: the workload starts" "$(cat /tmp/w.err)"
		return
	fi
	vm_check_list "attach: before, every thread on node 0's CPUs" "$node0" "$(masks "$w")"
	n0=$(pages_on "$w" 0)
	n1=$(pages_on "$w" 1)
	vm_diag "before attach: N0=$n0 N1=$n1 pages"
	if [ "$n0" -ge 16384 ]; then
		vm_ok "attach: before, its 64 MiB are on node 0 (N0=$n0 pages)"
	else
		vm_not_ok "attach: before, its 64 MiB are on node 0" "N0=$n0 N1=$n1"
	fi

	"$NUMARUN" attach -N 1 -m 1 --events /tmp/a.json "$w" </dev/null >/tmp/a.out 2>/tmp/a.err &
	a=$!
	if wait_until 90 on_cpus "$w" "$node1"; then
		vm_ok "attach -N 1 -m 1: every thread on node 1's CPUs ($(masks "$w"))"
	else
		vm_not_ok "attach -N 1 -m 1: every thread on node 1's CPUs" "masks $(masks "$w"); $(cat /tmp/a.err)"
	fi
	if wait_until 90 grep -q '"event":"attach_memory"' /tmp/a.json; then
		vm_ok "attach: the attach_memory event is written"
	else
		vm_not_ok "attach: the attach_memory event is written" "$(cat /tmp/a.err)"
	fi
	m0=$(pages_on "$w" 0)
	m1=$(pages_on "$w" 1)
	vm_diag "after attach: N0=$m0 N1=$m1 pages" "$(grep 'moved' /tmp/a.err)"
	if [ "$m1" -ge 16384 ] && [ $((m1 * 100)) -ge $(((m0 + m1) * 90)) ]; then
		vm_ok "attach: the pages moved to node 1 (N0=$m0 N1=$m1, at least 90% on node 1)"
	else
		vm_not_ok "attach: the pages moved to node 1" "N0=$m0 N1=$m1 (before N0=$n0 N1=$n1)"
	fi
	moved=$(sed -n 's/.*"moved":\([0-9]*\).*/\1/p' /tmp/a.json)
	if [ -n "$moved" ] && [ "$moved" -ge 16384 ] && [ "$moved" -ge $((m1 - n1 - 256)) ]; then
		vm_ok "attach: it reports the pages it moved ($moved)"
	else
		vm_not_ok "attach: it reports the pages it moved" "moved '$moved', N1 $n1 -> $m1; $(grep attach_memory /tmp/a.json)"
	fi
	if grep -q "follows its own memory policy" /tmp/a.err; then
		vm_ok "attach: it says future allocations keep the process's own memory policy"
	else
		vm_not_ok "attach: it says future allocations keep the process's own memory policy" "$(cat /tmp/a.err)"
	fi
	kill -TERM "$a"
	wait "$a"
	vm_check_eq "attach: SIGTERM detaches with exit status 0" 0 "$?"
	if on_cpus "$w" "$node1"; then
		vm_ok "attach: after detaching the threads stay on node 1's CPUs"
	else
		vm_not_ok "attach: after detaching the threads stay on node 1's CPUs" "masks $(masks "$w")"
	fi

	# Again with --threads spread on node 0, then SIGINT with --restore: back on node 1's CPUs, as found.
	"$NUMARUN" attach -N 0 --threads spread --restore "$w" </dev/null >/tmp/r.out 2>/tmp/r.err &
	a=$!
	if wait_until 90 spread_on "$w" "$node0"; then
		vm_ok "attach -N 0 --threads spread: each thread on one CPU of node 0 ($(masks "$w"))"
	else
		vm_not_ok "attach -N 0 --threads spread: each thread on one CPU of node 0" "masks $(masks "$w"); $(cat /tmp/r.err)"
	fi
	kill -INT "$a"
	wait "$a"
	vm_check_eq "attach: SIGINT detaches with exit status 0" 0 "$?"
	if on_cpus "$w" "$node1"; then
		vm_ok "attach --restore: every thread back on node 1's CPUs, the mask found"
	else
		vm_not_ok "attach --restore: every thread back on node 1's CPUs" "masks $(masks "$w"); $(cat /tmp/r.err)"
	fi
	kill "$w"
	wait "$w" 2>/dev/null

	# Memory on one node, threads on the other: attach with the tuner (over both nodes, the workers placed
	# on node 0 first; the memory bound to node 1, where it is already, so that the pages are a contract
	# and stay) moves the busy threads to their memory's node.
	cat >/tmp/tune.ini <<EOP
[placement]
nodes = all
[memory]
policy = bind
nodes = 1
[threads]
placement = spread
node.worker* = 0
[monitor]
enabled = yes
interval = 1s
source = pages
threshold = 30%
sustain = 2
settle = 3
EOP
	"$NUMARUN" -N 0 -m 1 -- workers -t 2 -m 64 -s 900 -w 2 </dev/null >/tmp/w.out 2>/tmp/w.err &
	w=$!
	if ! wait_until 60 workers_busy "$w"; then
		vm_not_ok "attach, tuner: the workload starts" "$(cat /tmp/w.err)"
		return
	fi
	p1=$(pages_on "$w" 1)
	vm_diag "memory on node 1, threads on node 0: N0=$(pages_on "$w" 0) N1=$p1 pages, masks $(masks "$w")"
	"$NUMARUN" attach -p /tmp/tune.ini --events /tmp/m.json "$w" </dev/null >/tmp/m.out 2>/tmp/m.err &
	a=$!
	if wait_until 90 workers_on "$w" "$node1"; then
		vm_ok "attach, tuner: worker0 and worker1 moved to node 1, where their memory is ($(worker_masks "$w"))"
	else
		vm_not_ok "attach, tuner: worker0 and worker1 moved to node 1" \
			"worker masks $(worker_masks "$w"); $(grep -c '"event":"move"' /tmp/m.json) move events; $(tail -5 /tmp/m.err)"
	fi
	if [ "$(grep '"event":"move"' /tmp/m.json | grep -c '"kind":"thread"')" -ge 2 ]; then
		vm_ok "attach, tuner: a move event for each of them"
	else
		vm_not_ok "attach, tuner: a move event for each of them" "$(grep '"event":"move"' /tmp/m.json)"
	fi
	q1=$(pages_on "$w" 1)
	if [ "$q1" -ge $((p1 - 256)) ]; then
		vm_ok "attach, tuner: the memory stayed on node 1 (N1 $p1 -> $q1 pages): threads moved, not pages"
	else
		vm_not_ok "attach, tuner: the memory stayed on node 1" "N1 $p1 -> $q1"
	fi
	kill -TERM "$a"
	wait "$a"
	vm_check_eq "attach, tuner: SIGTERM detaches with exit status 0" 0 "$?"
	kill "$w"
	wait "$w" 2>/dev/null

	# cgroup v2: a process in a cpuset of node 0's CPUs; numarun in the root cgroup may use all. The plan
	# is made for the process's cpuset: -N 1 is refused before any change, -N 0 is planned there.
	cs=/sys/fs/cgroup/attach-cs
	if ! { echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control && mkdir -p "$cs" &&
		echo "$node0" >"$cs/cpuset.cpus"; }; then
		vm_not_ok "attach: set up a cgroup2 cpuset" "cannot write $cs"
		return 0
	fi
	sh -c 'echo $$ >"$1/cgroup.procs" && exec workers -t 2 -m 1 -s 300' sh "$cs" </dev/null >/dev/null 2>&1 &
	w=$!
	wait_until 60 sh -c "[ \$(ls /proc/$w/task | wc -l) -ge 3 ]"
	before=$(masks "$w")
	VM_EXPECT_STDERR="attach: .*outside.*\\(process $w may use CPUs $node0\\)"
	vm_check_status "attach: -N 1 to a process in a cpuset of node 0 is refused (exit 2)" 2 "$NUMARUN" attach -N 1 "$w"
	VM_EXPECT_STDERR=
	vm_check_eq "attach: the refused attach changed nothing" "$before" "$(masks "$w")"
	"$NUMARUN" attach -v -C "$(vm_list "$node0" | awk '{ print $2 }')" "$w" </dev/null >/tmp/c.out 2>/tmp/c.err &
	a=$!
	second=$(vm_list "$node0" | awk '{ print $2 }')
	if wait_until 60 on_cpus "$w" "$second"; then
		vm_ok "attach -C $second to the process in the cpuset: its threads on CPU $second"
	else
		vm_not_ok "attach -C $second to the process in the cpuset" "masks $(masks "$w"); $(cat /tmp/c.err)"
	fi
	if grep -q "may use CPUs $node0 ($cs/cpuset.cpus.effective)" /tmp/c.err; then
		vm_ok "attach: what the process may use is read from its cgroup's cpuset.cpus.effective"
	else
		vm_not_ok "attach: what the process may use is read from its cgroup's cpuset.cpus.effective" "$(cat /tmp/c.err)"
	fi
	kill -TERM "$a"
	wait "$a"
	kill "$w"
	wait "$w" 2>/dev/null
	return 0
}
