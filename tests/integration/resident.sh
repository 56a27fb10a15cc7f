#!/bin/sh
# resident.sh - resident mode on this host: numarun stays as the target's parent (signals forwarded,
# exit status and 128+N passed on, exec failures 126/127), pins every thread of the target (also of its
# child processes with descendants = yes), and writes its event stream.
. "$(dirname "$0")/lib.sh"
require_numarun

EXITWITH="$top_builddir/tests/progs/exitwith"
WORKERS="$top_builddir/tests/progs/workers"
[ -x "$EXITWITH" ] && [ -x "$WORKERS" ] || fail_all "test programs not built (make check builds them)"
NCPU=$(expand_list "$(status_field Cpus_allowed_list)" | wc -w)

# ---- supervision ----
run "$NUMARUN" --threads spread -- "$EXITWITH" 7
expect_rc 7 "resident: the target's exit status passes through"
run "$NUMARUN" --monitor --interval 100ms -- "$EXITWITH" signal 15
expect_rc 143 "resident: death by SIGTERM is 128+15"
run "$NUMARUN" --threads compact -- "$T/no-such-command"
expect_rc 127 "resident: command not found"
expect_err_match "no-such-command" "resident: command not found is reported"
printf '#!/bin/sh\n' >"$T/noexec"
chmod 644 "$T/noexec"
run "$NUMARUN" --threads compact -- "$T/noexec"
expect_rc 126 "resident: not executable"
run "$NUMARUN" --monitor --source pmu -- true
expect_rc 2 "resident: a source that is unavailable here is refused"
expect_err_match "source = pmu is unavailable: PMU: " "resident: and says why"
run "$NUMARUN" --threads spread --interval 5ms -- true
expect_rc 2 "resident: an interval below 10ms is refused"

# Signals sent to numarun reach the target: it traps SIGTERM and SIGUSR1 and says so.
for sig in TERM USR1 HUP; do
	: >"$T/out" # not the last round's "ready": the job below empties it only once it has started
	"$NUMARUN" --monitor --interval 100ms -- sh -c "trap 'echo got $sig; exit 9' $sig; echo ready; while :; do sleep 0.05; done" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	i=0
	while ! grep -q ready "$T/out" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	kill -"$sig" "$pid"
	# A signal that is not forwarded would leave the target looping: stop it after 10 s.
	(sleep 10; kill -KILL "$pid" 2>/dev/null; pkill -KILL -f "trap 'echo got $sig" 2>/dev/null) &
	dog=$!
	wait "$pid"
	rc=$?
	kill "$dog" 2>/dev/null
	last_cmd="numarun --monitor -- sh (trap $sig), then kill -$sig numarun"
	expect_out_line "got $sig" "SIG$sig sent to numarun reaches the target"
	expect_rc 9 "SIG$sig: numarun exits with the target's status"
done

# ---- per-thread placement and events ----
run "$NUMARUN" --threads spread --interval 200ms --events "$T/ev.json" -v -- "$WORKERS" -t 3 -m 8 -s 1.5
expect_rc 0 "workers under --threads spread"
expect_err_match "monitoring with page placement|monitoring with NUMA hinting faults|monitoring with PMU" \
	"the metric source is announced"
expect_err_match "tid [0-9]+ \(worker0\): node [0-9]+" "-v summarises each thread at exit"
new=$(grep -c '"event":"thread_new"' "$T/ev.json")
pinned=$(grep '"event":"thread_new"' "$T/ev.json" | grep -c '"pinned":true')
expect_eq "$new" 4 "4 threads discovered (main + 3 workers)"
expect_eq "$pinned" 4 "every thread pinned"
for ev in start exit; do
	expect_eq "$(grep -c "\"event\":\"$ev\"" "$T/ev.json")" 1 "one $ev event"
done
if [ -n "$PYTHON" ]; then
	run "$PYTHON" -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert evs[0]["event"] == "start" and evs[-1]["event"] == "exit", "start first, exit last"
assert all("t" in e for e in evs)
cpus = sorted({e["cpu"] for e in evs if e["event"] == "thread_new"})
print("cpus=%s" % ",".join(map(str, cpus)))
print("exit_threads=%d" % len(evs[-1]["threads"]))
' "$T/ev.json"
	expect_rc 0 "the event stream is JSON lines, start first and exit last"
	expect_out_line "exit_threads=4" "the exit event reports every thread, also those that ended first"
	[ "$NCPU" -ge 2 ] && expect_out_line "cpus=0,1" "spread uses both CPUs"
fi

# Few file descriptors (one is kept per thread while there is room): the last ones are kept back, so the
# task list stays readable (numarun does not fall back to keeping the threads it knows), and every thread
# is new once. 41 threads, 32 descriptors.
sh -c "ulimit -n 32 && exec \"$NUMARUN\" --threads spread --interval 100ms --events \"$T/fd.json\" -- \"$WORKERS\" -t 40 -m 1 -s 1.5" \
	>/dev/null 2>"$T/err"
rc=$?
last_cmd="ulimit -n 32; numarun --threads spread -- workers -t 40"
expect_rc 0 "out of descriptors: the target's status"
expect_eq "$(grep -c '"event":"thread_new"' "$T/fd.json")" 41 "out of descriptors: 41 threads, 41 thread_new events"
n=$(grep -c 'Too many open files: its threads are kept as they were' "$T/err")
expect_eq "$n" 0 "out of descriptors: the task list stays readable"

# Threads of a child process are placed with descendants = yes.
printf '[threads]\nplacement = compact\n[monitor]\nenabled = yes\ninterval = 200ms\ndescendants = yes\n' >"$T/desc.ini"
"$NUMARUN" -p "$T/desc.ini" --events "$T/desc.json" -- sh -c "\"$WORKERS\" -t 2 -m 8 -s 1.5" >/dev/null 2>&1
rc=$?
last_cmd="numarun -p desc.ini -- sh -c workers"
expect_rc 0 "a shell that starts the real program"
expect_eq "$(grep '"event":"thread_new"' "$T/desc.json" | grep -c '"comm":"worker[01]".*"pinned":true')" 2 \
	"descendants = yes: the child process's worker threads are pinned"

# A node rule: matching threads on that node's CPUs; exclude: left on the whole plan.
printf '[threads]\nplacement = spread\nexclude = worker1\n' >"$T/excl.ini"
"$NUMARUN" -p "$T/excl.ini" --interval 100ms -- "$WORKERS" -t 2 -m 8 -s 2 >/dev/null 2>&1 &
pid=$!
sleep 1
wpid=$(pgrep -P "$pid" workers || true)
w1=
for t in /proc/"$wpid"/task/*; do
	[ "$(cat "$t/comm" 2>/dev/null)" = worker1 ] && w1=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
done
wait "$pid"
expect_eq "$w1" "$(status_field Cpus_allowed_list)" "exclude = worker1: that thread keeps every CPU of the plan"

# --save-policy without convergence says it wrote nothing.
run "$NUMARUN" --save-policy "$T/never.ini" --interval 100ms -- sleep 0.3
expect_rc 0 "--save-policy on a short idle target"
expect_err_match "did not converge.*never.ini not written" "--save-policy: nothing converged, nothing written"
expect_no_file "$T/never.ini" "--save-policy: no file"
# Resident-mode files: found out before the launch, write errors said once, the target's status kept.
run "$NUMARUN" --monitor --events "$T/same" --save-policy "$T/same" -- echo STARTED
expect_rc 2 "--events and --save-policy the same file: refused"
expect_err_match "--events and --save-policy name the same file" "... and said"
expect_out_nomatch STARTED "... nothing launched"
expect_no_file "$T/same" "... nothing created"
run "$NUMARUN" --monitor --events "$T/ev2" --save-policy "$T/missing/p.ini" -- echo STARTED
expect_rc 2 "--save-policy into a missing directory: refused before the launch"
expect_err_match "--save-policy .*/missing/p.ini: directory .*/missing: No such file or directory" "... naming the directory"
expect_out_nomatch STARTED "... nothing launched"
expect_no_file "$T/ev2" "... no events file created"
run "$NUMARUN" --threads spread --interval 100ms --events /dev/full -- sh -c 'sleep 0.3; exit 4'
expect_rc 4 "--events /dev/full: the target's status"
expect_err_match "events /dev/full: No space left on device: no more events are written" "... the write error said"
[ "$(grep -c 'no more events' "$T/err")" = 1 ] && ok "... once" || not_ok "... once" "$(last_details)"
# The reader of --events - goes away: numarun's own SIGPIPE is not forwarded, the target is not orphaned.
( "$NUMARUN" --threads spread --interval 100ms --events - -- sh -c 'sleep 0.5; exit 3'; echo "$?" >"$T/pipe.rc" ) \
	2>"$T/err" | head -c 1 >/dev/null
rc=$(cat "$T/pipe.rc")
expect_rc 3 "--events - to a reader that went away: numarun exits with the target's status"
expect_err_match "events \(standard output\): Broken pipe: no more events are written" "... and says so"
"$NUMARUN" --threads spread --interval 100ms --events - -- sh -c 'echo STARTED >&2' >&- 2>"$T/err"
rc=$?
expect_rc 2 "--events - with standard output closed: refused before the launch"
expect_err_match "--events -: standard output is closed" "... and said"
if grep -q STARTED "$T/err"; then not_ok "... nothing launched" "$(cat "$T/err")"; else ok "... nothing launched"; fi
# numarun's own files do not take the closed descriptor: the target still starts without it.
"$NUMARUN" --threads spread --interval 100ms -- sh -c 'if [ -e /proc/self/fd/1 ]; then echo open >&2; else echo closed >&2; fi' \
	>&- 2>"$T/err"
expect_eq "$(grep -x -e open -e closed "$T/err")" closed "a target started with standard output closed has it closed"
finish
