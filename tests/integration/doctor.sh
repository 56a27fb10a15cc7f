#!/bin/sh
# doctor.sh - numarun doctor on real processes, each finding against a control that must not show it:
#   throttling   a busy loop in a cgroup with a 0.2 CPU quota (its own, then its parent's) -> problem;
#                the same loop in a cgroup without a quota -> no throttling finding
#   gomaxprocs   a Go program (go 1.26 module) with GOMAXPROCS=64 on this machine -> problem; without
#                GOMAXPROCS -> info only (the runtime sizes it itself)
#   fd_limit     95% of "ulimit -n 256" open -> problem; 10% -> nothing
#   syscalls     1-byte write()s from a named thread -> the finding names that thread; the same volume in
#                64 KiB writes -> nothing
#   cgo          a cgo Go program whose goroutines sleep in C's usleep -> warning naming threads in libc;
#                the same program without cgo (time.Sleep) -> no cgo finding
#   numa_remote  one node here -> info, not a problem
# and doctor -- COMMAND (launched, ended after the window), --json, exit statuses. Creates cgroups of its
# own (needs root for those checks) and removes them on exit.
. "$(dirname "$0")/lib.sh"
require_numarun

WORKERS="$top_builddir/tests/progs/workers"
FDHOG="$top_builddir/tests/progs/fdhog"
SMALLIO="$top_builddir/tests/progs/smallio"
for p in "$WORKERS" "$FDHOG" "$SMALLIO"; do
	[ -x "$p" ] || fail_all "$p is not built (make check builds it)"
done
[ -n "$PYTHON" ] || skip_all "python3 is needed to read doctor's JSON"

name="numarun-doctor-$$"
created=
bgpids=
cleanup() {
	for p in $bgpids; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $bgpids; do
		wait "$p" 2>/dev/null
	done
	for d in $created; do
		[ -d "$d" ] || continue
		i=0
		while ! rmdir "$d" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		[ -d "$d" ] && echo "# could not remove cgroup $d"
	done
}
cleanup_hook=cleanup

mkcg() {
	mkdir "$1" 2>/dev/null || return 1
	created="$1 $created"
}

# start NAME CGROUP CMD...: run CMD in the background (moved into CGROUP first unless it is "-"); its PID
# in $bg once /proc/PID/comm says NAME (the exec has happened).
start() {
	sname=$1 scg=$2
	shift 2
	if [ "$scg" = - ]; then
		"$@" </dev/null >"$T/bg.out" 2>"$T/bg.err" &
	else
		sh -c 'echo $$ >"$1/cgroup.procs" || exit 99; shift; exec "$@"' sh "$scg" "$@" \
			</dev/null >"$T/bg.out" 2>"$T/bg.err" &
	fi
	bg=$!
	bgpids="$bgpids $bg"
	i=0
	while [ "$(cat "/proc/$bg/comm" 2>/dev/null)" != "$sname" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(cat "/proc/$bg/comm" 2>/dev/null)" = "$sname" ]
}

stop() {
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# finding ID: "severity" of finding ID in the last run's JSON, "" when absent.
finding() {
	json_get "$T/out" "next((f['severity'] for f in j['findings'] if f['id'] == '$1'), '')"
}
# evidence ID KEY FIELD: a field (value, source) of a finding's evidence.
evidence() {
	json_get "$T/out" "next((f['evidence']['$2']['$3'] for f in j['findings'] if f['id'] == '$1'), '')"
}

# expect_finding ID SEVERITY DESC: the last run (--json) has finding ID with SEVERITY ("" : none).
expect_finding() {
	if ! json_valid "$T/out"; then
		not_ok "$3: doctor's output is JSON" "$(last_details)"
		return
	fi
	got=$(finding "$1")
	if [ "$got" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "finding $1: wanted severity '${2:-none}', got '${got:-none}'" "$(last_details)"
	fi
}

# ---- the cgroup CPU controller: v1 cpu, else v2 with cpu in the subtree ----
base= v2=
if [ "$(id -u)" -ne 0 ]; then
	cg_skip="creating cgroups needs root"
elif m=$(cgroup_mount_v1 cpu) && [ -n "$m" ]; then
	p=$(cgroup_path_v1 cpu)
	base="$m${p%/}"
else
	m=$(cgroup_mount_v2)
	p=$(cgroup_path_v2)
	[ -n "$m" ] && base="$m${p%/}" && v2=1
fi
if [ -n "$base" ] && ! mkcg "$base/$name"; then
	cg_skip="cannot create a cgroup under $base"
	base=
fi
if [ -n "$base" ] && [ -n "$v2" ]; then
	if ! { [ -e "$base/$name/cpu.max" ] || { echo +cpu >"$base/cgroup.subtree_control"; } 2>/dev/null; } ||
		[ ! -e "$base/$name/cpu.max" ]; then
		cg_skip="the v2 cpu controller cannot be enabled under $base"
		base=
	fi
fi
[ -n "$base" ] || [ -n "$cg_skip" ] || cg_skip="no cgroup cpu controller is mounted"

# set_quota DIR QUOTA PERIOD ("max" QUOTA: none)
set_quota() {
	if [ -n "$v2" ]; then
		echo "$2 $3" >"$1/cpu.max"
	else
		echo "$3" >"$1/cpu.cfs_period_us" && { [ "$2" = max ] && echo -1 || echo "$2"; } >"$1/cpu.cfs_quota_us"
	fi
}
quota_file() {
	if [ -n "$v2" ]; then echo "$1/cpu.max"; else echo "$1/cpu.cfs_quota_us"; fi
}

if [ -n "$base" ]; then
	cg="$base/$name"
	echo "# cgroup: $cg (${v2:+v2}${v2:-v1})"
	# ---- throttling: its own cgroup's quota ----
	set_quota "$cg" 20000 100000
	if start workers "$cg" "$WORKERS" -t 2 -s 120; then
		run "$NUMARUN" doctor --json --duration 2 "$bg"
		expect_rc 3 "throttled: doctor exits 3 (a problem)"
		expect_finding throttling problem "quota 0.2 CPU on a busy loop: throttling is a problem"
		expect_eq "$(evidence throttling nr_throttled source)" "$cg/cpu.stat" \
			"throttling: the evidence names the cgroup's cpu.stat"
		expect_eq "$(evidence throttling quota source)" "$(quota_file "$cg")" \
			"throttling: the evidence names the quota's file"
		thr=$(evidence throttling throttled_share value)
		# (nearly every period on an idle machine; the margin is for a loaded one, where the loop may get
		# less than its quota in some periods)
		if [ -n "$thr" ] && "$PYTHON" -c "import sys; sys.exit(0 if float('$thr') >= 25 else 1)"; then
			ok "throttling: throttled_share at least the problem threshold 25% ($thr%)"
		else
			not_ok "throttling: throttled_share at least 25%" "throttled_share $thr" "$(last_details)"
		fi
		expect_eq "$(evidence throttling cpus_allowed source)" "/proc/$bg/status" \
			"throttling: the allowed CPUs come from the process's status"
		run "$NUMARUN" doctor --duration 1 "$bg"
		expect_rc 3 "throttled, text: exit 3"
		expect_out_match '^problem +throttling: the CPU quota of its own cgroup \(0\.20 CPUs\) throttled' \
			"throttled, text: the finding's line"
		expect_out_match "fix: raise the quota in $(quota_file "$cg")" "throttled, text: the fix names the quota file"
		stop "$bg"
	else
		not_ok "a busy loop in $cg starts" "$(cat "$T/bg.err")"
	fi

	# ---- throttling: the parent's quota, none on the child ----
	if mkcg "$cg/child" && { [ -z "$v2" ] || echo +cpu >"$cg/cgroup.subtree_control"; }; then
		set_quota "$cg/child" max 100000
		if start workers "$cg/child" "$WORKERS" -t 2 -s 120; then
			run "$NUMARUN" doctor --json --duration 2 "$bg"
			expect_finding throttling problem "the parent's quota 0.2 CPU throttles the child: a problem"
			expect_eq "$(evidence throttling nr_throttled source)" "$cg/cpu.stat" \
				"parent quota: the evidence names the parent's cpu.stat, not the child's"
			expect_out_match '"summary":"the CPU quota of an ancestor of its cgroup' \
				"parent quota: the summary says it is an ancestor's"
			stop "$bg"
		else
			not_ok "a busy loop in $cg/child starts" "$(cat "$T/bg.err")"
		fi
	else
		skip_check "a parent's quota" "cannot make a child cgroup with the cpu controller under $cg"
	fi

	# ---- control: no quota ----
	set_quota "$cg" max 100000
	if start workers "$cg" "$WORKERS" -t 2 -s 120; then
		run "$NUMARUN" doctor --json --duration 2 "$bg"
		expect_rc 0 "no quota: doctor exits 0"
		expect_finding throttling "" "no quota: no throttling finding"
		stop "$bg"
	fi
else
	skip_check "throttling under a cgroup CPU quota" "$cg_skip"
fi

# ---- gomaxprocs ----
if [ -z "${GO-}" ]; then
	skip_check "gomaxprocs of a Go program" "no Go toolchain (GO is empty)"
elif ! build_go_probe 1.26 1.26 "$T/gothreads" gothreads; then
	skip_check "gomaxprocs of a Go program" "$go_skip_reason"
else
	ncpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
	if start gothreads - env GOMAXPROCS=64 "$T/gothreads" -s 120 -later 200 -locked 0; then
		run "$NUMARUN" doctor --json --duration 1 "$bg"
		expect_rc 3 "GOMAXPROCS=64: exit 3"
		expect_finding gomaxprocs problem "GOMAXPROCS=64 on CPUs $ncpus: a problem"
		expect_eq "$(evidence gomaxprocs gomaxprocs value)" 64 "gomaxprocs: the value is the environment's 64"
		expect_eq "$(evidence gomaxprocs env_GOMAXPROCS source)" "/proc/$bg/environ" \
			"gomaxprocs: read from the process's environ"
		expect_out_match '"fix":"numarun --gomaxprocs=[0-9]+ -- COMMAND' "gomaxprocs: the fix is a numarun option"
		stop "$bg"
	else
		not_ok "gothreads starts" "$(cat "$T/bg.err")"
	fi
	if start gothreads - env -u GOMAXPROCS -u GODEBUG "$T/gothreads" -s 120 -later 200 -locked 0; then
		run "$NUMARUN" doctor --json --duration 1 "$bg"
		expect_finding gomaxprocs info "no GOMAXPROCS, a go 1.26 module: info (the runtime sizes it)"
		expect_out_match '"summary":"the go1\.26[^"]* runtime sizes GOMAXPROCS itself' "gomaxprocs info: says so"
		stop "$bg"
	fi
fi

# ---- fd_limit ----
if start fdhog - sh -c 'ulimit -n 256 && exec "$1" -p 95 -s 120' sh "$FDHOG"; then
	i=0
	while ! grep -q 'open' "$T/bg.err" && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	run "$NUMARUN" doctor --json --duration 0.5 "$bg"
	expect_rc 3 "95% of 256 descriptors: exit 3"
	expect_finding fd_limit problem "95% of 256 descriptors open: fd_limit is a problem"
	expect_eq "$(evidence fd_limit soft_limit value)" 256 "fd_limit: the soft limit 256 from limits"
	expect_eq "$(evidence fd_limit soft_limit source)" "/proc/$bg/limits" "fd_limit: named /proc/PID/limits"
	stop "$bg"
else
	not_ok "fdhog starts" "$(cat "$T/bg.err")"
fi
if start fdhog - sh -c 'ulimit -n 256 && exec "$1" -p 10 -s 120' sh "$FDHOG"; then
	i=0
	while ! grep -q 'open' "$T/bg.err" && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	run "$NUMARUN" doctor --json --duration 0.5 "$bg"
	expect_finding fd_limit "" "10% of 256 descriptors open: no fd_limit finding"
	stop "$bg"
fi

# ---- syscalls ----
if start smallio - "$SMALLIO" -b 1 -n tinywriter -s 120; then
	run "$NUMARUN" doctor --json --duration 2 "$bg"
	sev=$(finding syscalls)
	case $sev in
	problem | warning) ok "1-byte writes: a syscalls finding ($sev)" ;;
	*) not_ok "1-byte writes: a syscalls finding" "got '${sev:-none}'" "$(last_details)" ;;
	esac
	tid=$(ls "/proc/$bg/task" | sort -n | tail -n 1)
	expect_eq "$(evidence syscalls thread value)" "tinywriter ($tid)" "syscalls: names the thread and its TID"
	expect_eq "$(evidence syscalls thread source)" "/proc/$bg/task/$tid/io" "syscalls: from the thread's io"
	stop "$bg"
else
	not_ok "smallio starts" "$(cat "$T/bg.err")"
fi
# The same volume as 1-byte writes at a few hundred thousand a second, in 64 KiB writes.
if start smallio - "$SMALLIO" -b 65536 -r 500000 -n bigwriter -s 120; then
	run "$NUMARUN" doctor --json --duration 2 "$bg"
	expect_finding syscalls "" "64 KiB writes at 500 kB/s: no syscalls finding"
	stop "$bg"
fi

# ---- cgo ----
# build_gocgo CGO OUT: tests/progs/gocgo by Go 1.26 with CGO_ENABLED=CGO, offline.
build_gocgo() {
	how=$(go_for_release 1.26) || { go_skip_reason=$how; return 1; }
	gocmd=${how% *} tc=${how##* }
	src="$T/gosrc-gocgo"
	rm -rf "$src" && mkdir -p "$src" && cp "$top_srcdir/tests/progs/gocgo/"*.go "$top_srcdir/tests/progs/gocgo/go.mod" "$src/" ||
		fail_all "cannot copy tests/progs/gocgo"
	gocache=$(GOTOOLCHAIN=local "$gocmd" env GOCACHE 2>/dev/null)
	case $gocache in
	/*) ;;
	*) GOCACHE="${TMPDIR:-/tmp}/numarun-test-gocache-$(id -u)"; export GOCACHE ;;
	esac
	if ! (cd "$src" && CGO_ENABLED=$1 GOFLAGS='' GOPROXY=off GOWORK=off GOTOOLCHAIN=$tc \
		"$gocmd" build -buildvcs=false -o "$2" .) >"$T/gobuild" 2>&1; then
		sed 's/^/# /' "$T/gobuild"
		[ "$1" = 1 ] && ! command -v "${CC:-gcc}" >/dev/null 2>&1 && { go_skip_reason="no C compiler for cgo"; return 1; }
		fail_all "go build of tests/progs/gocgo (CGO_ENABLED=$1) failed"
	fi
}
if [ -z "${GO-}" ]; then
	skip_check "cgo" "no Go toolchain (GO is empty)"
elif ! build_gocgo 1 "$T/gocgo"; then
	skip_check "cgo" "$go_skip_reason"
else
	if start gocgo - "$T/gocgo" -s 120 -g 8; then
		run "$NUMARUN" doctor --json --duration 1 "$bg"
		expect_finding cgo warning "cgo goroutines sleeping in C's usleep: a cgo warning"
		inc=$(evidence cgo threads_in_c value)
		if [ -n "$inc" ] && [ "$inc" -ge 4 ] 2>/dev/null; then
			ok "cgo: threads seen in C ($inc of 8 sleeping goroutines)"
		else
			not_ok "cgo: threads seen in C" "threads_in_c '$inc'" "$(last_details)"
		fi
		expect_eq "$(evidence cgo confidence value)" high "cgo: high confidence (the program counter in libc)"
		expect_out_match '"example":\{"value":"gocgo \([0-9]+\): system call [0-9]+ from [^"]*libc' \
			"cgo: the example thread is in libc"
		stop "$bg"
	fi
	if build_gocgo 0 "$T/gocgo"; then
		if start gocgo - "$T/gocgo" -s 120 -g 8; then
			run "$NUMARUN" doctor --json --duration 1 "$bg"
			expect_finding cgo "" "the same program without cgo (time.Sleep): no cgo finding"
			stop "$bg"
		fi
	fi
fi

# ---- one node: numa_remote is info ----
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
if [ "$nodes" -le 1 ]; then
	if start workers - "$WORKERS" -t 1 -s 120; then
		run "$NUMARUN" doctor --json --duration 0.5 "$bg"
		expect_finding numa_remote info "one NUMA node: numa_remote is info"
		expect_finding numa_balancing info "numa_balancing is info"
		stop "$bg"
	fi
else
	skip_check "numa_remote on one node" "$nodes nodes here (the multi-node case is the VM scenario doctor)"
fi

# ---- doctor -- COMMAND ----
run "$NUMARUN" doctor --duration 1 -- "$WORKERS" -t 1 -s 120
expect_out_match '^numarun doctor: process [0-9]+ \(workers\), observed for 1\.[0-9]s; doctor then ended it \(SIGTERM\)' \
	"doctor -- COMMAND: observed for the window, then ended with SIGTERM"
run "$NUMARUN" doctor --json --duration 5 -- "$top_builddir/tests/progs/exitwith" 0
expect_eq "$(json_get "$T/out" '[j["launched"], j["exited"], j["exit_status"]]')" '[true,true,0]' \
	"doctor -- COMMAND that exits at once: reported as exited (status 0)"
run "$NUMARUN" doctor --json --duration 0.5 -- /nonexistent/program
expect_rc 127 "doctor -- a missing command: 127"

# ---- without the rights to ptrace-read the process: said, not a failure ----
if [ "$(id -u)" -ne 0 ]; then
	skip_check "doctor without ptrace rights" "needs root to start a process another user cannot read"
elif ! command -v setpriv >/dev/null 2>&1; then
	skip_check "doctor without ptrace rights" "no setpriv to become nobody"
elif start workers - "$WORKERS" -t 1 -s 120; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$NUMARUN" doctor -v --duration 0.3 "$bg"
	expect_rc 0 "as nobody on root's process: doctor still reports (exit 0)"
	expect_out_match '^not checked, or checked with less:' "as nobody: -v says what was not checked"
	expect_out_match "^  - /proc/$bg/environ: Permission denied" "as nobody: the environment could not be read, said so"
	expect_out_match "^  - fd_limit: /proc/$bg/fd: Permission denied" "as nobody: the descriptors could not be counted, said so"
	stop "$bg"
fi

# ---- the observed process is left alone ----
if start workers - "$WORKERS" -t 1 -s 120; then
	before=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$bg/status")
	run "$NUMARUN" doctor --duration 0.5 "$bg"
	after=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$bg/status")
	if [ -d "/proc/$bg" ] && [ "$before" = "$after" ]; then
		ok "doctor PID: the process runs on, its CPUs unchanged ($after)"
	else
		not_ok "doctor PID leaves the process alone" "before $before, after $after" "$(last_details)"
	fi
	stop "$bg"
fi

finish
