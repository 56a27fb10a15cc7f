# overhead: numarun's and numad's own CPU time while each watches the same workers process, in a 2-node
# guest (numad looks at processes only on a machine of more than one node: on one node it reads the
# node's memory and CPU counts and nothing else). 1000 threads of which 2 are busy, and 10 000 idle
# threads; numarun --monitor --threads spread --interval 1s, numad -i 1:1 -S 0 -p <workers>. numarun's
# CPU is its schedstat (ns), numad's utime + stime of its stat (clock ticks), over the same window after
# the same start-up. Under TCG every instruction costs many host ones: compare the two side by side, not
# with the host's figures. The guest's init has the kernel's descriptor limits (1024, hard 4096); a service
# has more (systemd's hard limit is 524288, Docker's 1048576), and numarun keeps one per thread while it
# can: the limit is raised to 65536 first (OVERHEAD_NOFILE). Run by bench/vm-overhead.sh.
VM_DESC="bench: numarun vs numad own CPU, 1000 threads (2 busy) and 10000 idle, 2 nodes"
VM_NODES=2
VM_CPUS_PER_NODE=1
VM_MEM_PER_NODE=1024
VM_NUMA_BALANCING=1
VM_TIMEOUT=1200
SETTLE=${OVERHEAD_SETTLE:-20}
WINDOW=${OVERHEAD_WINDOW:-20}

uptime_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }
sched_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
stat_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# overhead_of WHAT PID READER UNITS_PER_SECOND: prints "# FIGURE ..." for READER's CPU of PID over WINDOW s
overhead_of() {
	_c0=$($3 "$2") _t0=$(uptime_cs)
	sleep "$WINDOW"
	_c1=$($3 "$2") _t1=$(uptime_cs)
	awk -v w="$1" -v c="$((_c1 - _c0))" -v t="$((_t1 - _t0))" -v u="$4" \
		'BEGIN { printf "# FIGURE %-34s %7.3f%% of one CPU\n", w, c / u / (t / 100) * 100 }'
}

scenario_main() {
	mkdir -p /var/log /var/run
	ulimit -n "${OVERHEAD_NOFILE:-65536}" || vm_diag "ulimit -n ${OVERHEAD_NOFILE:-65536} refused"
	vm_diag "RLIMIT_NOFILE: $(ulimit -n)"
	for case in 1000:2 10000:0; do
		n=${case%:*} b=${case#*:}
		"$NUMARUN" --monitor --threads spread --interval 1s -q -- \
			workers -t "$b" -i "$((n - b))" -m 16 -s "$((SETTLE + WINDOW + 2))" &
		p=$!
		sleep "$SETTLE"
		overhead_of "numarun, $n threads, $b busy" "$p" sched_ns 1000000000
		wait "$p"
		vm_diag "numarun $case: exit $?"

		if command -v numad >/dev/null 2>&1; then
			workers -t "$b" -i "$((n - b))" -m 16 -s "$((SETTLE + WINDOW + 4))" &
			w=$!
			sleep 1
			rm -f /var/run/numad.pid
			numad -i 1:1 -S 0 -p "$w" 2>/tmp/numad.err
			sleep "$((SETTLE - 1))"
			np=$(cat /var/run/numad.pid 2>/dev/null)
			if [ -n "$np" ] && [ -d "/proc/$np" ]; then
				overhead_of "numad, $n threads, $b busy" "$np" stat_ticks 100
			else
				echo "# FIGURE numad, $n threads: did not start: $(cat /tmp/numad.err)"
			fi
			numad -i 0 2>/dev/null
			wait "$w"
			vm_diag "numad log:" "$(tail -n 8 /var/log/numad.log 2>/dev/null)"
		else
			echo "# FIGURE numad: not in this guest (put it there with NUMARUN_VM_EXTRA=numad)"
		fi
	done
	vm_ok "bench ran"
}
