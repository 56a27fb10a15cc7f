# guest.sh - helpers for scenario checks, sourced inside the guest by /init (busybox sh).
#
# Every check prints one line on the console, which the host parses:
#   ok - NAME                      passed
#   ok - NAME # SKIP REASON        not run here (counted as skipped)
#   not ok - NAME: DETAILS         failed
#   # TEXT                         a diagnostic, shown by the host when the scenario fails
# In the guest: numarun is $NUMARUN (/usr/bin/numarun); the test programs memtouch, exitwith and (when Go
# was there to build it) goprobe are on PATH in /vm/bin; the shape of the guest is in the VM_* variables
# (see lib/shape.sh). Commands run as root, in the root cgroup, with kernel.numa_balancing as the
# scenario's VM_NUMA_BALANCING says.

NUMARUN=/usr/bin/numarun
VM_RESULTS=/tmp/.vm-results
VM_OUT=/tmp/.vm-out
VM_ERR=/tmp/.vm-err
VM_MEMTOUCH_MIB=${VM_MEMTOUCH_MIB:-64}
: >"$VM_RESULTS"
. /vm/events.sh

# ---- results ----

# Record a passed check.
vm_ok() {
	echo "ok - $1"
	echo ok >>"$VM_RESULTS"
}

# Record a failed check: NAME DETAILS.
vm_not_ok() {
	echo "not ok - $1: $2"
	echo fail >>"$VM_RESULTS"
}

# Record a check that cannot run here: NAME REASON.
vm_skip() {
	echo "ok - $1 # SKIP $2"
	echo skip >>"$VM_RESULTS"
}

# Print a diagnostic line.
vm_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# Bring file $1 back to the host as $2 (a plain name): each line printed on the console after the marker
# "@@NUMARUN-VM-FILE $2@@", which run.sh collects into the scratch directory (files/SCENARIO/$2) and, for
# an events file (*.json), renders there with numarun report (numarun(1), REPORT).
vm_bring_back() {
	[ -f "$1" ] || return 0
	sed "s/^/@@NUMARUN-VM-FILE $2@@/" "$1"
}

# Called by /init with the scenario's exit status: print the result marker.
vm_finish() {
	_p=$(grep -c '^ok$' "$VM_RESULTS")
	_f=$(grep -c '^fail$' "$VM_RESULTS")
	_s=$(grep -c '^skip$' "$VM_RESULTS")
	if [ "$1" -ne 0 ]; then
		vm_not_ok "scenario" "scenario_main exited with status $1"
		_f=$((_f + 1))
	elif [ $((_p + _f)) -eq 0 ]; then
		vm_not_ok "scenario" "no check ran"
		_f=1
	fi
	echo "@@NUMARUN-VM-RESULT passed=$_p failed=$_f skipped=$_s@@"
}

# ---- running things ----

# Run a command with stdout in $VM_OUT and stderr in $VM_ERR; its status in VM_RC. A command that runs
# longer than VM_CMD_TIMEOUT seconds (default 120) is killed.
vm_run() {
	timeout "${VM_CMD_TIMEOUT:-120}" "$@" >"$VM_OUT" 2>"$VM_ERR"
	VM_RC=$?
	return 0
}

# Show the last command's output as diagnostics.
vm_diag_output() {
	[ -s "$VM_OUT" ] && vm_diag "stdout:" "$(head -n 20 "$VM_OUT")"
	[ -s "$VM_ERR" ] && vm_diag "stderr:" "$(head -n 20 "$VM_ERR")"
	return 0
}

# ---- lists and shape ----

# Expand a CPU/node list ("0-2,5", also "0 1 2") into sorted unique numbers ("0 1 2 5").
vm_list() {
	printf '%s\n' "$*" | tr ' ' ',' | awk -F, '{
		for (i = 1; i <= NF; i++) {
			if ($i == "") continue
			n = split($i, r, "-")
			lo = r[1] + 0; hi = (n > 1) ? r[2] + 0 : lo
			for (j = lo; j <= hi; j++) seen[j] = 1
		}
	} END {
		out = ""
		for (j = 0; j < 65536; j++) if (j in seen) out = out (out == "" ? "" : " ") j
		print out
	}'
}

# The CPU list QEMU gave node N ("" for a CPU-less node).
vm_node_cpus() {
	_l=$(echo "$VM_NODE_CPULIST" | awk -v n="$1" '{ print $(n + 1) }')
	[ "$_l" = "-" ] && _l=
	echo "$_l"
}

# The MiB QEMU gave node N.
vm_node_mem() {
	echo "$VM_NODE_MEM" | awk -v n="$1" '{ print $(n + 1) }'
}

# The distance QEMU was given between nodes I and J.
vm_dist() {
	echo "$VM_DIST" | awk -F';' -v i="$1" -v j="$2" '{ split($(i + 1), r, " "); print r[j + 1] }'
}

# Node N's total memory as the kernel reports it, in bytes (/sys/.../nodeN/meminfo MemTotal).
vm_node_memtotal() {
	awk '$3 == "MemTotal:" { print $4 * 1024 }' "/sys/devices/system/node/node$1/meminfo"
}

# ---- checks ----

# Pass when EXPECTED = GOT: NAME EXPECTED GOT.
vm_check_eq() {
	if [ "$2" = "$3" ]; then vm_ok "$1"; else vm_not_ok "$1" "expected '$2', got '$3'"; fi
}

# Pass when two CPU/node lists hold the same numbers: NAME EXPECTED GOT.
vm_check_list() {
	if [ "$(vm_list "$2")" = "$(vm_list "$3")" ] && { [ -n "$3" ] || [ -z "$2" ]; }; then
		vm_ok "$1"
	else
		vm_not_ok "$1" "expected list '$2', got '$3'"
	fi
}

# Run CMD... and pass when its exit status is EXPECTED: NAME EXPECTED CMD...
# With VM_EXPECT_STDERR set (an ERE), stderr must also match it.
vm_check_status() {
	_n=$1 _e=$2
	shift 2
	vm_run "$@"
	if [ "$VM_RC" != "$_e" ]; then
		vm_not_ok "$_n" "'$*' exited $VM_RC, expected $_e"
		vm_diag_output
	elif [ -n "${VM_EXPECT_STDERR:-}" ] && ! grep -Eq -- "$VM_EXPECT_STDERR" "$VM_ERR"; then
		vm_not_ok "$_n" "'$*' exited $VM_RC as expected, but stderr does not match /$VM_EXPECT_STDERR/"
		vm_diag_output
	else
		vm_ok "$_n"
	fi
}

# Print the Cpus_allowed_list that a target launched by "numarun ARGS... -- cat /proc/self/status" gets;
# empty (and a diagnostic) when numarun fails.
vm_target_cpus() {
	vm_run "$NUMARUN" "$@" -- cat /proc/self/status
	if [ "$VM_RC" -ne 0 ]; then
		vm_diag "numarun $* -- cat /proc/self/status: exit $VM_RC" >&2
		vm_diag_output >&2
		return 1
	fi
	awk '$1 == "Cpus_allowed_list:" { print $2 }' "$VM_OUT"
}

# Launch memtouch under "numarun ARGS..." and print where its VM_MEMTOUCH_MIB MiB landed:
# "N0=<pages> N1=<pages> ... total=<pages>"; empty (and a diagnostic) on failure.
vm_memtouch() {
	vm_run "$NUMARUN" "$@" -- memtouch -r -q "$VM_MEMTOUCH_MIB"
	if [ "$VM_RC" -ne 0 ] || ! grep -q '^numa_maps:' "$VM_OUT"; then
		vm_diag "numarun $* -- memtouch -r -q $VM_MEMTOUCH_MIB: exit $VM_RC" >&2
		vm_diag_output >&2
		return 1
	fi
	sed -n 's/^numa_maps: //p' "$VM_OUT"
}

# Pages on NODES (a list) as a percentage (one decimal) of a memtouch line: NODES LINE.
vm_share() {
	echo "$2" | awk -v nodes="$(vm_list "$1")" '{
		k = split(nodes, want, " ")
		for (i = 1; i <= k; i++) isw["N" want[i]] = 1
		p = 0; t = 0
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] in isw) p += kv[2]
			if (kv[1] == "total") t = kv[2]
		}
		printf "%.1f\n", t ? 100 * p / t : 0
	}'
}

# Pass when at least MINPCT percent of memtouch's pages under "numarun ARGS..." are on NODES (a list):
# NAME NODES MINPCT ARGS...
vm_check_pages_on() {
	_n=$1 _node=$2 _min=$3
	shift 3
	_line=$(vm_memtouch "$@")
	if [ -z "$_line" ]; then
		vm_not_ok "$_n" "numarun $* -- memtouch failed (exit $VM_RC)"
		return
	fi
	_pct=$(vm_share "$_node" "$_line")
	if awk -v p="$_pct" -v m="$_min" 'BEGIN { exit !(p >= m) }'; then
		vm_ok "$_n"
		vm_diag "$_n: $_pct% on node(s) $_node ($_line)"
	else
		vm_not_ok "$_n" "$_pct% of the pages on node(s) $_node, expected >= $_min% ($_line)"
	fi
}

# Pass when the pages are spread evenly, within TOLPCT percentage points, over NODES (a list) and nothing
# lies elsewhere: NAME NODES TOLPCT NUMARUN-ARGS...
vm_check_pages_even() {
	_n=$1 _nodes=$(vm_list "$2") _tol=$3
	shift 3
	_line=$(vm_memtouch "$@")
	if [ -z "$_line" ]; then
		vm_not_ok "$_n" "numarun $* -- memtouch failed (exit $VM_RC)"
		return
	fi
	_why=$(echo "$_line" | awk -v nodes="$_nodes" -v tol="$_tol" '{
		k = split(nodes, want, " ")
		for (i = 1; i <= k; i++) isw[want[i]] = 1
		t = 0
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "total") t = kv[2]
			else if (kv[1] ~ /^N[0-9]+$/) pages[substr(kv[1], 2) + 0] = kv[2]
		}
		if (t == 0) { print "no pages"; exit }
		even = 100 / k
		for (i = 1; i <= k; i++) {
			p = 100 * pages[want[i]] / t
			if (p < even - tol || p > even + tol)
				printf "node %d has %.1f%%, expected %.1f%% +- %s; ", want[i], p, even, tol
		}
		for (nd in pages) if (!(nd in isw) && pages[nd] > 0)
			printf "node %d (not chosen) has %d pages; ", nd, pages[nd]
	}')
	if [ -z "$_why" ]; then
		vm_ok "$_n"
		vm_diag "$_n: $_line"
	else
		vm_not_ok "$_n" "$_why($_line)"
	fi
}

# ---- JSON ----

# Flatten JSON on stdin into "PATH<TAB>VALUE" lines (see json.awk).
vm_json() {
	awk -f /vm/json.awk
}

# The value at PATH in flattened JSON on stdin (nothing when absent).
vm_json_get() {
	awk -F'\t' -v p="$1" '$1 == p { print $2; found = 1; exit } END { exit !found }'
}

# The values of an array at PATH in flattened JSON on stdin, space-separated ("0 2").
vm_json_array() {
	awk -F'\t' -v p="$1" '
		index($1, p ".") == 1 && substr($1, length(p) + 2) ~ /^[0-9]+$/ { out = out (out == "" ? "" : " ") $2 }
		END { print out }'
}

# ---- whole checks shared by scenarios ----

# Check that "numarun topology --json" reports exactly the guest QEMU was given: the nodes, each node's
# CPUs, its memory and the distance matrix. Memory: the kernel keeps part of what QEMU gives a node for
# itself, so numarun's figure is compared with what the kernel reports (nodeN/meminfo MemTotal, exactly)
# and must lie between VM_MEM_MIN_PCT (default 50) and 100 percent of what QEMU gave.
vm_check_topology() {
	_t=/tmp/.vm-topology
	vm_run "$NUMARUN" topology --json
	if [ "$VM_RC" -ne 0 ]; then
		vm_not_ok "topology: numarun topology --json" "exit $VM_RC"
		vm_diag_output
		return
	fi
	if ! vm_json <"$VM_OUT" >"$_t"; then
		vm_not_ok "topology: numarun topology --json" "output is not JSON"
		vm_diag_output
		return
	fi
	vm_ok "topology: numarun topology --json"
	vm_check_eq "topology: $VM_NODES nodes" "$VM_NODES" "$(vm_json_get nodes.# <"$_t")"
	vm_check_list "topology: online CPUs" "0-$((VM_CPUS - 1))" "$(vm_json_get cpus <"$_t")"
	_i=0
	while [ "$_i" -lt "$VM_NODES" ]; do
		vm_check_eq "topology: node $_i os_index" "$_i" "$(vm_json_get "nodes.$_i.os_index" <"$_t")"
		vm_check_list "topology: node $_i CPUs" "$(vm_node_cpus "$_i")" "$(vm_json_array "nodes.$_i.cpus" <"$_t")"
		# QEMU gives each CPU a core of its own (threads=1).
		vm_check_eq "topology: node $_i cores" "$(vm_list "$(vm_node_cpus "$_i")" | awk "{ print NF }")" \
			"$(vm_json_get "nodes.$_i.cores" <"$_t")"
		_mem=$(vm_json_get "nodes.$_i.memory" <"$_t")
		_kern=$(vm_node_memtotal "$_i")
		_qemu=$(($(vm_node_mem "$_i") * 1048576))
		if [ "$_mem" = "$_kern" ] &&
			awk -v m="$_mem" -v q="$_qemu" -v p="${VM_MEM_MIN_PCT:-50}" 'BEGIN { exit !(m <= q && m >= q * p / 100) }'; then
			vm_ok "topology: node $_i memory"
			vm_diag "node $_i: numarun $_mem bytes = kernel MemTotal; QEMU gave $_qemu"
		else
			vm_not_ok "topology: node $_i memory" \
				"numarun says $_mem bytes; kernel MemTotal $_kern; QEMU gave $_qemu (want = MemTotal, >= ${VM_MEM_MIN_PCT:-50}% of QEMU's)"
		fi
		_want='' _got=''
		_j=0
		while [ "$_j" -lt "$VM_NODES" ]; do
			_want="$_want $(vm_dist "$_i" "$_j")"
			_got="$_got $(vm_json_get "distances.matrix.$_i.$_j" <"$_t")"
			_j=$((_j + 1))
		done
		vm_check_eq "topology: node $_i distances" "$_want" "$_got"
		_i=$((_i + 1))
	done
	vm_check_eq "topology: distance nodes" "$(vm_list "0-$((VM_NODES - 1))")" \
		"$(vm_json_array distances.nodes <"$_t")"
}

# Check a "numarun plan --json ARGS..." result: NAME EXPECTED-CPUS EXPECTED-NODES ARGS...
vm_check_plan() {
	_n=$1 _cpus=$2 _nodes=$3
	shift 3
	vm_run "$NUMARUN" plan --json "$@"
	if [ "$VM_RC" -ne 0 ] || ! vm_json <"$VM_OUT" >/tmp/.vm-plan; then
		vm_not_ok "$_n" "numarun plan --json $* exited $VM_RC"
		vm_diag_output
		return
	fi
	_gc=$(vm_json_get cpus </tmp/.vm-plan)
	_gn=$(vm_json_array nodes </tmp/.vm-plan)
	if [ "$(vm_list "$_cpus")" = "$(vm_list "$_gc")" ] && [ "$(vm_list "$_nodes")" = "$(vm_list "$_gn")" ]; then
		vm_ok "$_n"
	else
		vm_not_ok "$_n" "numarun plan $*: expected CPUs $_cpus on nodes $_nodes, got CPUs '$_gc' on nodes '$_gn'"
	fi
}

# vm_check_same_plan NAME OPTION...: a launch with these options (numarun -v prints the plan it launches
# with; an explicit CPU list is read from sysfs alone, without hwloc) and numarun plan (through hwloc) make
# the same plan, or refuse alike.
vm_check_same_plan() {
	_n=$1
	shift
	"$NUMARUN" -v "$@" -- true >/dev/null 2>/tmp/.vm-launch </dev/null
	_lrc=$?
	"$NUMARUN" plan "$@" -- true >/tmp/.vm-planout 2>/tmp/.vm-planerr </dev/null
	_prc=$?
	sed -n '/^numarun plan (/,/^  command:/p' /tmp/.vm-launch >/tmp/.vm-a
	sed -n '/^numarun plan (/,/^  command:/p' /tmp/.vm-planout >/tmp/.vm-b
	if [ "$_lrc" -ne "$_prc" ]; then
		vm_not_ok "$_n" "launch status $_lrc, plan status $_prc: $(cat /tmp/.vm-launch /tmp/.vm-planerr | head -n 5)"
	elif [ "$_lrc" -eq 0 ] && { [ ! -s /tmp/.vm-a ] || ! cmp -s /tmp/.vm-a /tmp/.vm-b; }; then
		vm_not_ok "$_n" "the launch's plan differs from numarun plan's: $(diff /tmp/.vm-b /tmp/.vm-a | head -n 12 | tr '\n' '|')"
	else
		vm_ok "$_n"
	fi
}
