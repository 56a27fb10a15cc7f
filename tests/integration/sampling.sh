#!/bin/sh
# sampling.sh - the monitor's detection bounds with a table large enough that idle threads are not
# read every tick (numarun(1), "Sampling"): a thread created later is placed within one interval, also
# with a descriptor limit below the thread count; a thread that becomes busy is judged (its busy event)
# within period + 1 intervals, where period = threads_idle_period(n) ticks (4 for 1001 to 1024 threads).
. "$(dirname "$0")/lib.sh"
require_numarun
WORKERS="$top_builddir/tests/progs/workers"
[ -x "$WORKERS" ] || fail_all "workers was not built at $WORKERS"
set -- $(expand_list "$(status_field Cpus_allowed_list)")
[ $# -ge 2 ] || skip_all "needs two allowed CPUs (have: $*)"

# Seconds of scheduling slack on top of each bound (a loaded host delays ticks and the workers).
SLACK=${SAMPLING_SLACK:-0.4}

# first_t FILE EVENT COMM: the time of the first EVENT about thread COMM ("" when none)
first_t() {
	grep "\"event\":\"$2\"" "$1" | grep "\"comm\":\"$3\"" | head -n 1 | sed 's/^{"t":\([0-9.]*\),.*/\1/'
}

# within WHAT EVENT_T FROM BOUND: EVENT_T - FROM <= BOUND + SLACK, and not before FROM
within() {
	if [ -z "$2" ]; then
		not_ok "$1" "no event" "$(head -c 1500 "$ev")"
	elif awk -v t="$2" -v f="$3" -v b="$4" -v s="$SLACK" 'BEGIN { exit !(t >= f - 0.05 && t - f <= b + s) }'; then
		ok "$1 ($(awk -v t="$2" -v f="$3" 'BEGIN { printf "%.2f", t - f }') s after)"
	else
		not_ok "$1" "event at $2 s, from $3 s: bound $4 s (+ $SLACK s slack)" "$(tail -n 5 "$T/err")"
	fi
}

# New threads, 600 idle ones already there (period 3): placed within one interval of their creation.
for lim in "" 128; do
	ev="$T/new$lim.json"
	what="600 idle threads${lim:+, RLIMIT_NOFILE $lim}"
	if [ -n "$lim" ]; then
		run sh -c 'ulimit -n "$1" && shift && exec "$@"' sh "$lim" "$NUMARUN" --threads spread --monitor \
			--interval 500ms --events "$ev" -- "$WORKERS" -t 2 -i 600 -m 1 -s 4.5 -c 2.5
	else
		run "$NUMARUN" --threads spread --monitor --interval 500ms --events "$ev" -- \
			"$WORKERS" -t 2 -i 600 -m 1 -s 4.5 -c 2.5
	fi
	expect_rc 0 "$what: workers -c 2.5"
	created=$(sed -n 's/^workers: created //p' "$T/err")
	[ -n "$created" ] || created=2.5
	within "$what: worker0, created at $created s, placed within one interval" \
		"$(first_t "$ev" thread_new worker0)" "$created" 0.5
	within "$what: worker1 too" "$(first_t "$ev" thread_new worker1)" "$created" 0.5
	expect_eq "$(grep '"event":"thread_new"' "$ev" | grep '"comm":"worker[0-9]' | grep -c '"pinned":true')" 2 \
		"$what: both pinned"
	expect_eq "$(grep -c 'cannot read' "$T/err")" 0 "$what: the task list stays readable"
done

# A thread that becomes busy, among 1000 idle ones (period 4): judged within 5 intervals.
ev="$T/busy.json"
run "$NUMARUN" --threads spread --monitor --interval 500ms --events "$ev" -- \
	"$WORKERS" -t 1 -i 1000 -m 1 -s 7 -w 3.5
expect_rc 0 "1000 idle threads and worker0 busy from 3.5 s"
busy=$(sed -n 's/^workers: busy //p' "$T/err")
[ -n "$busy" ] || busy=3.5
within "worker0, busy from $busy s, judged within (4 + 1) intervals" "$(first_t "$ev" busy worker0)" "$busy" 2.5
expect_eq "$(grep '"event":"busy"' "$ev" | grep -c '"comm":"idle')" 0 "no idle thread judged busy"
finish
