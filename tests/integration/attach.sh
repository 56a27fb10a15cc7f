#!/bin/sh
# attach.sh - numarun attach PID on processes that numarun did not start (numarun(1), ATTACH): every
# thread's mask becomes the plan's, --threads gives each one CPU (also to threads created later), a thread
# the program pinned itself is left alone, SIGTERM detaches and leaves the masks, --restore puts back those
# found, attach ends by itself with its process, and the errors (no such process, a thread, missing
# rights) come before any change.
. "$(dirname "$0")/lib.sh"
require_numarun
WORKERS="$top_builddir/tests/progs/workers"
SELFPIN="$top_builddir/tests/progs/selfpin"
[ -x "$WORKERS" ] || fail_all "workers was not built at $WORKERS"
[ -x "$SELFPIN" ] || fail_all "selfpin was not built at $SELFPIN"
[ "$NCPUS" -ge 2 ] || skip_all "needs two allowed CPUs (have: $ALLOWED_CPUS)"
c0=$CPU_FIRST c1=$CPU_SECOND
all=$ALLOWED_CPUS
# Seconds a condition is waited for (a loaded machine delays numarun's start and its ticks).
WAIT=${ATTACH_WAIT:-15}

bg_pids=
cleanup_bg() {
	for p in $bg_pids; do
		kill -KILL "$p" 2>/dev/null
	done
}
cleanup_hook=cleanup_bg

# start NAME CMD...: start CMD in the background (stdout and stderr in $T/NAME.out, .err); its PID in $pid.
start() {
	name=$1
	shift
	"$@" <"$T/empty" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	bg_pids="$bg_pids $pid"
}

# masks PID: "TID LIST" for each thread of PID.
masks() {
	for st in /proc/"$1"/task/*/status; do
		tid=${st%/status}
		tid=${tid##*/}
		m=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$st" 2>/dev/null)
		[ -n "$m" ] && printf '%s %s\n' "$tid" "$m"
	done
}

# distinct_masks PID: the masks its threads have, one a line, sorted.
distinct_masks() {
	masks "$1" | cut -d' ' -f2 | sort -u
}

# nthreads PID
nthreads() {
	masks "$1" | wc -l | tr -d ' '
}

# wait_for WHAT CMD...: poll CMD (0.1 s) until it succeeds or WAIT seconds pass. Returns its status.
wait_for() {
	what=$1
	shift
	n=0
	while ! "$@"; do
		n=$((n + 1))
		[ "$n" -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

all_on() { # PID LIST: every thread's mask is LIST
	[ "$(distinct_masks "$1")" = "$2" ]
}
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }
has_threads() { [ "$(nthreads "$1")" -ge "$2" ]; }
one_cpu_each() { ! masks "$1" | cut -d' ' -f2 | grep -q '[-,]'; }
tid_of() { # PID COMM: the TID of its thread named COMM
	for c in /proc/"$1"/task/*/comm; do
		if [ "$(cat "$c" 2>/dev/null)" = "$2" ]; then
			t=${c%/comm}
			echo "${t##*/}"
			return 0
		fi
	done
	return 1
}
mask_of() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/"$1"/task/"$2"/status 2>/dev/null; }

# stop_attach APID SIG: send SIG, wait for it to end, its exit status in rc.
stop_attach() {
	kill -"$2" "$1"
	wait_for "attach to end" gone "$1"
	wait "$1"
	rc=$?
}

# Details for a failed check about a background attach NAME.
details() {
	printf 'masks of %s:\n%s\nattach stderr:\n' "$1" "$(masks "$1")"
	head -c 2000 "$T/$2.err" | sed 's/^/  | /'
}

# ---- every thread on the plan's CPUs; SIGTERM detaches and leaves them ----
start w1 "$WORKERS" -t 2 -i 1 -m 4 -s 120
wpid=$pid
wait_for "workers' threads" has_threads "$wpid" 4 || fail_all "workers did not start its threads"
before=$(distinct_masks "$wpid")
expect_eq "$before" "$all" "before attach: every thread of workers may run on $all"
start a1 "$NUMARUN" attach -C "$c1" --events "$T/a1.json" "$wpid"
apid=$pid
if wait_for "masks" all_on "$wpid" "$c1"; then
	ok "attach -C $c1: every thread's Cpus_allowed_list is $c1 ($(nthreads "$wpid") threads)"
else
	not_ok "attach -C $c1: every thread's Cpus_allowed_list is $c1" "$(details "$wpid" a1)"
fi
expect_eq "$(grep '"event":"start"' "$T/a1.json" | grep -c "\"pid\":$wpid,\"attached\":true")" 1 \
	"the start event says attached, with the process's PID"
expect_eq "$(grep '"event":"thread_new"' "$T/a1.json" | grep -c '"pinned_by":"numarun"')" 4 \
	"a thread_new event for each of its 4 threads, numarun's to place"
if alive "$apid"; then ok "attach stays while the process runs"; else not_ok "attach stays while the process runs" "$(details "$wpid" a1)"; fi
stop_attach "$apid" TERM
expect_eq "$rc" 0 "SIGTERM: attach detaches with exit status 0"
expect_eq "$(distinct_masks "$wpid")" "$c1" "after detaching the threads keep CPU $c1"
expect_eq "$(grep '"event":"exit"' "$T/a1.json" | grep -c '"attached":true,"end":"detached"')" 1 \
	"the exit event says it detached"
if alive "$wpid"; then ok "the process goes on after the detach"; else not_ok "the process goes on after the detach"; fi

# ---- --restore puts back the masks found (a process whose threads were all on CPU c0) ----
taskset -p -a -c "$c0" "$wpid" >/dev/null
expect_eq "$(distinct_masks "$wpid")" "$c0" "taskset -a -c $c0: all its threads on $c0 before the second attach"
start a2 "$NUMARUN" attach -C "$c1" --restore "$wpid"
apid=$pid
if wait_for "masks" all_on "$wpid" "$c1"; then
	ok "attach -C $c1 --restore: its threads on $c1"
else
	not_ok "attach -C $c1 --restore: its threads on $c1" "$(details "$wpid" a2)"
fi
stop_attach "$apid" INT
expect_eq "$rc" 0 "SIGINT: attach detaches with exit status 0"
expect_eq "$(distinct_masks "$wpid")" "$c0" "--restore: every thread is back on $c0, the mask found at attach"
if grep -q "restore: 4 threads back on the CPUs found at attach" "$T/a2.err"; then
	ok "--restore says what it restored"
else
	not_ok "--restore says what it restored" "$(details "$wpid" a2)"
fi

# ---- no CPUs asked for: the binding it runs with (taskset) is kept, not widened to the cpuset ----
start a8 "$NUMARUN" attach --threads spread --events "$T/a8.json" "$wpid"
apid=$pid
wait_for "thread events" sh -c "[ \$(grep -c '\"event\":\"thread_new\"' '$T/a8.json' 2>/dev/null) -ge 4 ]"
expect_eq "$(distinct_masks "$wpid")" "$c0" "attach without -C/-N/--cpus: every thread stays on $c0, the CPUs taskset gave it"
if grep -q "no CPUs asked for: the plan keeps to the CPUs process $wpid runs on now ($c0," "$T/a8.err"; then
	ok "it says that it kept the process's binding"
else
	not_ok "it says that it kept the process's binding" "$(details "$wpid" a8)"
fi
stop_attach "$apid" TERM
kill "$wpid"

# ---- --threads spread: one CPU each, also for threads created later; attach ends with the process ----
start w3 "$WORKERS" -t 2 -i 1 -m 4 -s 6 -c 3
wpid=$pid
wait_for "the idle thread" has_threads "$wpid" 2
start a3 "$NUMARUN" attach --threads spread --interval 200ms --events "$T/a3.json" "$wpid"
apid=$pid
wait_for "workers created" has_threads "$wpid" 4
# A new thread first has its creator's mask (one CPU): wait for numarun to have placed both workers.
placed_both() { [ "$(grep '"event":"thread_new"' "$T/a3.json" 2>/dev/null | grep -c '"comm":"worker[01]"')" -ge 2 ]; }
wait_for "the workers placed" placed_both
if wait_for "one CPU each" one_cpu_each "$wpid" && [ "$(nthreads "$wpid")" -ge 4 ]; then
	ok "--threads spread: each of its $(nthreads "$wpid") threads has one CPU ($(masks "$wpid" | cut -d' ' -f2 | tr '\n' ' '))"
else
	not_ok "--threads spread: each thread has one CPU" "$(details "$wpid" a3)"
fi
expect_eq "$(distinct_masks "$wpid" | tr '\n' ' ')" "$c0 $c1 " "spread: both CPUs are used"
for w in worker0 worker1; do
	expect_eq "$(grep '"event":"thread_new"' "$T/a3.json" | grep "\"comm\":\"$w\"" | grep -c '"pinned":true')" 1 \
		"$w, created 3 s in (after the attach), is placed on a CPU of its own"
done
if wait_for "attach to end" gone "$apid"; then
	wait "$apid"
	rc=$?
	expect_eq "$rc" 0 "attach ends by itself when the process ends (exit status 0)"
else
	not_ok "attach ends by itself when the process ends" "$(details "$wpid" a3)"
fi
expect_eq "$(grep '"event":"exit"' "$T/a3.json" | grep -c '"attached":true,"end":"ended"')" 1 \
	"the exit event says the process ended"

# ---- a thread the program pinned itself is left alone ----
start w4 "$SELFPIN" -d 0 -s 120 "$c0"
wpid=$pid
wait_for "pin0" tid_of "$wpid" pin0 >/dev/null
pin0=$(tid_of "$wpid" pin0)
wait_for "pin0 pinned" sh -c "[ \"\$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$wpid/task/$pin0/status)\" = $c0 ]"
start a4 "$NUMARUN" attach -v -C "$c1" --events "$T/a4.json" "$wpid"
apid=$pid
if wait_for "main thread" sh -c "[ \"\$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$wpid/task/$wpid/status)\" = $c1 ]"; then
	ok "selfpin: its main thread (the common mask $all) goes to $c1"
else
	not_ok "selfpin: its main thread goes to $c1" "$(details "$wpid" a4)"
fi
expect_eq "$(mask_of "$wpid" "$pin0")" "$c0" "selfpin: pin0, which pinned itself to $c0, keeps $c0"
expect_eq "$(grep '"event":"thread_new"' "$T/a4.json" | grep '"comm":"pin0"' | grep -c '"pinned_by":"program"')" 1 \
	"the thread_new event of pin0 says the program pinned it"
if grep -q "tid $pin0 (pin0): pinned by the program when first seen to CPUs $c0 (the process's common mask $all): left alone" "$T/a4.err" &&
	grep -q "1 pinned by the program left alone" "$T/a4.err"; then
	ok "attach says pin0 is left alone"
else
	not_ok "attach says pin0 is left alone" "$(details "$wpid" a4)"
fi
stop_attach "$apid" HUP
expect_eq "$rc" 0 "SIGHUP: attach detaches with exit status 0"
kill "$wpid"

# ---- numarun's own affinity narrower than the process's: the plan is made of what both may use ----
start w7 "$WORKERS" -t 1 -m 1 -s 120
wpid=$pid
wait_for "workers' threads" has_threads "$wpid" 2
start a7 taskset -c "$c0" "$NUMARUN" attach "$wpid"
apid=$pid
if wait_for "masks" all_on "$wpid" "$c0"; then
	ok "numarun bound to $c0 attaches with a plan of CPU $c0, the CPUs both may use"
else
	not_ok "numarun bound to $c0 attaches with a plan of CPU $c0" "$(details "$wpid" a7)"
fi
stop_attach "$apid" TERM
if grep -q "the plan is made of the CPUs both numarun and process $wpid may use ($c0); it may also use " "$T/a7.err"; then
	ok "it says which CPUs the process may also use"
else
	not_ok "it says which CPUs the process may also use" "$(details "$wpid" a7)"
fi
kill "$wpid"

# ---- the process's cpuset, not numarun's: a CPU outside it is refused before any change ----
cg=
cg_made=
rm_cg() {
	for d in $cg_made; do
		i=0
		while [ -d "$d" ] && ! rmdir "$d" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
}
cleanup_all() {
	cleanup_bg
	rm_cg
}
cleanup_hook=cleanup_all
if [ "$(id -u)" = 0 ]; then
	m=$(cgroup_mount_v1 cpuset)
	p=$(cgroup_path_v1 cpuset)
	base="$m${p%/}"
	if [ -n "$m" ] && [ -w "$base" ] && mkdir "$base/numarun-attach-$$" 2>/dev/null; then
		cg="$base/numarun-attach-$$"
		cg_made="$cg"
		cat "$base/cpuset.mems" >"$cg/cpuset.mems" && echo "$c0" >"$cg/cpuset.cpus" || cg=
		cs_file=cpuset.effective_cpus
	else
		m=$(cgroup_mount_v2)
		p=$(cgroup_path_v2)
		base="$m${p%/}"
		if [ -n "$m" ] && [ -r "$base/cgroup.subtree_control" ] && grep -qw cpuset "$base/cgroup.subtree_control" &&
			mkdir "$base/numarun-attach-$$" 2>/dev/null; then
			cg="$base/numarun-attach-$$"
			cg_made="$cg"
			echo "$c0" >"$cg/cpuset.cpus" 2>/dev/null || cg=
			cs_file=cpuset.cpus.effective
		fi
	fi
fi
if [ -z "$cg" ]; then
	skip_check "a process in a cpuset of CPU $c0: attach -C $c1 is refused" \
		"no cgroup cpuset this test can make (needs root and a writable v1 cpuset or v2 cpuset in subtree_control)"
else
	start w8 sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -t 1 -m 1 -s 120' sh "$cg" "$WORKERS"
	wpid=$pid
	wait_for "workers' threads" has_threads "$wpid" 2
	before=$(masks "$wpid")
	run "$NUMARUN" attach -v -C "$c1" "$wpid"
	expect_rc 2 "a process in a cpuset of CPU $c0 (numarun is not): attach -C $c1"
	expect_err_match "attach: .*$c1.*outside.*\(process $wpid may use CPUs $c0\)" \
		"the message says the process may use CPU $c0 only"
	expect_err_fixed "attach: process $wpid (workers) may use CPUs $c0 ($cg/$cs_file)" \
		"-v says where that was read: its cgroup's $cs_file"
	expect_eq "$(masks "$wpid")" "$before" "nothing was changed"
	kill "$wpid"
	wait "$wpid" 2>/dev/null
fi

# ---- the errors, before any change ----
start w5 "$WORKERS" -t 2 -i 1 -m 4 -s 120
wpid=$pid
wait_for "workers' threads" has_threads "$wpid" 4
before=$(masks "$wpid")
tid=$(masks "$wpid" | cut -d' ' -f1 | grep -vx "$wpid" | head -n 1)
run "$NUMARUN" attach -C "$c1" "$tid"
expect_rc 2 "attach to a thread ID"
expect_err_fixed "attach: $tid is a thread of process $wpid, not a process" "the message names the process"

sh -c 'exit 0' &
dead=$!
wait "$dead"
while [ -d "/proc/$dead" ]; do dead=$((dead + 7919)); done
run "$NUMARUN" attach -C "$c1" "$dead"
expect_rc 2 "attach to a PID with no process"
expect_err_fixed "attach: no process $dead" "attach: no process N"

run "$NUMARUN" attach -C "$c1" 12x
expect_rc 2 "attach 12x"
expect_err_fixed "attach: '12x' is not a process ID" "a PID that is not a number is said to be one"

run "$NUMARUN" attach -C "$c1" "$$"
expect_rc 2 "attach to numarun's own parent (this test's shell)"
expect_err_fixed "an ancestor of this numarun" "attaching to an ancestor is refused"

# A process a resident numarun launched and manages: refused, naming that numarun.
start r1 "$NUMARUN" --threads spread -- "$WORKERS" -t 1 -m 1 -s 120
rpid=$pid
child_of() { c=$(cat /proc/"$1"/task/"$1"/children 2>/dev/null | tr -d ' '); [ -n "$c" ] && has_threads "$c" 2; }
if wait_for "the resident numarun's child" child_of "$rpid"; then
	child=$(cat /proc/"$rpid"/task/"$rpid"/children | tr -d ' ')
	run "$NUMARUN" attach -C "$c1" "$child"
	expect_rc 2 "attach to a process a resident numarun manages"
	expect_err_fixed "attach: process $child (workers) is managed by the numarun that launched it (PID $rpid)" \
		"the message names the numarun that manages it"
else
	not_ok "a resident numarun starts its child" "$(cat "$T/r1.err")"
fi
kill "$rpid"

run "$NUMARUN" attach -C 64 "$wpid"
expect_rc 2 "attach -C with a CPU the process may not use"
expect_err_match "attach: .*CPU 64 .*process $wpid may use CPUs $all" "the message says which CPUs the process may use"

if [ "$(id -u)" != 0 ]; then
	skip_check "an unprivileged attach to a root process is refused" "the test runs as uid $(id -u), not root"
elif ! command -v setpriv >/dev/null 2>&1; then
	skip_check "an unprivileged attach to a root process is refused" "no setpriv (util-linux)"
else
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NUMARUN" attach -C "$c1" "$wpid"
	expect_rc 1 "uid 65534 attach -C $c1 to a process of uid 0"
	expect_err_fixed "attach: cannot set the CPUs of process $wpid (owned by uid 0): numarun runs as uid 65534 without CAP_SYS_NICE; nothing was changed" \
		"the message says which right is missing"
	expect_eq "$(masks "$wpid")" "$before" "the process's masks are unchanged"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NUMARUN" attach -m 0 "$wpid"
	expect_rc 1 "uid 65534 attach -m 0 to a process of uid 0"
	expect_err_fixed "cannot move the pages of process $wpid (uids 0/0/0, gids 0/0/0: real/effective/saved): numarun runs as real uid 65534 gid 65534 without CAP_SYS_PTRACE" \
		"the memory policy: the missing ptrace read access is said too"
fi
# The same unprivileged user on its own process: allowed (the same uid, no capabilities on either side).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	start w6 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$WORKERS" -t 2 -i 1 -m 4 -s 120
	npid=$pid
	wait_for "workers' threads" has_threads "$npid" 4
	start a6 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NUMARUN" attach -C "$c1" -m 0 "$npid"
	apid=$pid
	if wait_for "masks" all_on "$npid" "$c1"; then
		ok "uid 65534 attach -C $c1 -m 0 to its own process: every thread on $c1"
	else
		not_ok "uid 65534 attach -C $c1 -m 0 to its own process: every thread on $c1" "$(details "$npid" a6)"
	fi
	stop_attach "$apid" TERM
	expect_eq "$rc" 0 "uid 65534: SIGTERM detaches with exit status 0"
	kill "$npid"
fi
expect_eq "$(masks "$wpid")" "$before" "no failed attach changed a mask"
kill "$wpid"

finish
