#!/bin/sh
# soak.sh - numarun's resident mode under thread churn, for a long time: does numarun keep its long-lived
# threads pinned, hold its file descriptors and memory, stay alive, and exit with the target's status?
#
#   bench/soak.sh [SECONDS]          (from a built tree; default 600 s, or SOAK_SECONDS)
#
# It runs
#   numarun --threads spread --monitor --interval 1s --events FILE -- tests/progs/churn -t 4 ...
# where churn keeps 4 long-lived threads (long0..3, lightly busy) and a churner thread creating and
# joining 5000 short-lived threads a second. (Not as fast as it can: at some 33000 a second on a 2-CPU
# guest the kernel fell behind freeing the stacks of ended threads, 24 GB of vmalloc'ed kernel stacks
# within 4 minutes, and the whole machine ran out of memory.) Every SOAK_SAMPLE seconds (default 5) it samples
# numarun's own process: open descriptors (entries of /proc/PID/fd), VmRSS (/proc/PID/status), CPU
# time (utime + stime of /proc/PID/stat, in clock ticks, numarun alone: its children are not counted
# before they are reaped; and the run time of /proc/PID/schedstat, in ns, numarun being one thread) and the CPU mask of each long-lived thread of the target (Cpus_allowed_list of
# /proc/TPID/task/TID/status), and prints one table row per sample. At the end it checks:
#   - every long-lived thread (main, churner, long0..) had a single CPU of the plan at every sample
#     after the warm-up (SOAK_WARMUP, default 5 s), and churn found the same from inside (its own
#     sched_getaffinity every 200 ms);
#   - numarun's descriptor count at the last sample <= the first after the warm-up + SOAK_FD_SLACK (2);
#   - its VmRSS at the last sample <= the first after the warm-up + SOAK_RSS_SLACK_KB (1024 kB);
#   - numarun stayed alive until the target ended, and exited with the target's status (churn -x 7);
#   - with events: one start and one exit event, each long-lived thread announced once by thread_new,
#     and no more thread_new events than threads that existed.
# Timing is reported, never checked: the figures are for notes. Exit status 0 when every check holds,
# 1 with a "soak: FAIL" line for each that does not, 2 when it cannot run.
#
# Environment: NUMARUN, CHURN (the programs; default the build tree's), SOAK_SECONDS, SOAK_SAMPLE,
# SOAK_WARMUP, SOAK_LONG (long-lived threads, 4), SOAK_RATE (short-lived threads a second churn aims
# at, 5000; 0 = as fast as it can, see above), SOAK_BATCH (short-lived threads alive at once, 4), SOAK_INTERVAL
# (numarun's --interval, 1s), SOAK_EVENTS (1; 0 runs without --events), SOAK_FD_SLACK,
# SOAK_RSS_SLACK_KB, SOAK_KEEP=DIR (keep the events, churn's report and numarun's stderr there).
# Faults, to see the checks fail: SOAK_KILL_AFTER=N (SIGKILL numarun after N s), SOAK_UNPIN_AFTER=N
# (churn's long0 re-pins itself to every launch CPU from N s on).
set -u
LC_ALL=C
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
builddir=${top_builddir:-$top}
NUMARUN=${NUMARUN:-$builddir/launcher/numarun}
CHURN=${CHURN:-$builddir/tests/progs/churn}
SECONDS_RUN=${1:-${SOAK_SECONDS:-600}}
SAMPLE=${SOAK_SAMPLE:-5}
WARMUP=${SOAK_WARMUP:-5}
NLONG=${SOAK_LONG:-4}
RATE=${SOAK_RATE:-5000}
BATCH=${SOAK_BATCH:-4}
INTERVAL=${SOAK_INTERVAL:-1s}
EVENTS=${SOAK_EVENTS:-1}
FD_SLACK=${SOAK_FD_SLACK:-2}
RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-1024}
KILL_AFTER=${SOAK_KILL_AFTER:-}
UNPIN_AFTER=${SOAK_UNPIN_AFTER:-}
EXPECT_STATUS=7

say() { printf 'soak: %s\n' "$*"; }
die() { printf 'soak: cannot run: %s\n' "$*" >&2; exit 2; }
[ -x "$NUMARUN" ] || die "no numarun at $NUMARUN (build first, or set NUMARUN)"
[ -x "$CHURN" ] || die "no churn at $CHURN (make check builds tests/progs/churn, or set CHURN)"
case $SECONDS_RUN$SAMPLE$WARMUP in *[!0-9]*) die "SECONDS, SOAK_SAMPLE and SOAK_WARMUP are whole seconds" ;; esac
[ "$SECONDS_RUN" -gt "$WARMUP" ] || die "the run ($SECONDS_RUN s) must be longer than the warm-up ($WARMUP s)"
[ "$SAMPLE" -ge 1 ] || die "SOAK_SAMPLE must be at least 1"

D=$(mktemp -d "${TMPDIR:-/tmp}/numarun-soak.XXXXXX") || die "mktemp"
npid= tpid=
cleanup() {
	# Whatever is left of the run: numarun first (it forwards SIGTERM), then a target it left behind.
	[ -n "$npid" ] && kill -TERM "$npid" 2>/dev/null
	[ -n "$tpid" ] && kill -TERM "$tpid" 2>/dev/null
	if [ -n "${SOAK_KEEP:-}" ]; then
		mkdir -p "$SOAK_KEEP" && cp "$D"/* "$SOAK_KEEP"/ 2>/dev/null
	fi
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

CLK_TCK=$(getconf CLK_TCK)
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# expand LIST: "0-2,5" -> "0 1 2 5"
expand() {
	printf '%s\n' "$1" | tr ',' '\n' | awk -F- 'NF == 1 && $1 != "" { print $1 } NF == 2 { for (i = $1; i <= $2; i++) print i }'
}

plan_cpus=$("$NUMARUN" plan --json --threads spread -- "$CHURN" 2>"$D/plan.err" |
	sed -n 's/.*"allowed":{[^}]*},"cpus":"\([^"]*\)".*/\1/p')
[ -n "$plan_cpus" ] || die "numarun plan gave no CPU list: $(cat "$D/plan.err")"
plan_set=" $(expand "$plan_cpus" | tr '\n' ' ')"

set -- --threads spread --monitor --interval "$INTERVAL"
[ "$EVENTS" = 1 ] && set -- "$@" --events "$D/events.json"
set -- "$@" -- "$CHURN" -t "$NLONG" -s "$SECONDS_RUN" -r "$RATE" -k "$BATCH" -c 200 -g "$WARMUP" -i "$SAMPLE" \
	-x "$EXPECT_STATUS"
[ -n "$UNPIN_AFTER" ] && set -- "$@" -u "$UNPIN_AFTER"

say "numarun $("$NUMARUN" --version 2>&1 | head -n 1); $(nproc) CPUs online, plan CPUs $plan_cpus; load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "running for $SECONDS_RUN s: $(basename "$NUMARUN") $*"
t0=$(uptime_s)
"$NUMARUN" "$@" </dev/null >"$D/churn.out" 2>"$D/numarun.err" &
npid=$!

# The target and its long-lived threads, from churn's "started" line.
i=0
while ! grep -q '^churn: started' "$D/churn.out" 2>/dev/null; do
	if [ $i -ge 200 ] || ! kill -0 "$npid" 2>/dev/null; then
		say "FAIL: churn did not start under numarun within 20 s"
		sed 's/^/  numarun: /' "$D/numarun.err" | head -n 20
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
started=$(grep -m 1 '^churn: started' "$D/churn.out")
tpid=$(printf '%s\n' "$started" | sed -n 's/.* pid=\([0-9]*\).*/\1/p')
churner=$(printf '%s\n' "$started" | sed -n 's/.* churner=\([0-9]*\).*/\1/p')
longs=$(printf '%s\n' "$started" | sed -n 's/.* long=\([0-9,]*\).*/\1/p' | tr ',' ' ')
watched="$tpid $churner $longs"
say "numarun pid $npid, target pid $tpid; long-lived threads (main, churner, long0..): $watched"

# One sample: "t fds rss_kb cpu_s threads thread_new created" on stdout; pinning findings in $D/pins.
sample() {
	t=$(awk -v a="$(uptime_s)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
	[ -r "/proc/$npid/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$npid/stat" | cut -d' ' -f1)
	[ "$state" != Z ] || return 1
	fds=$(ls "/proc/$npid/fd" 2>/dev/null | wc -l)
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$npid/status")
	cpu=$(sed 's/.*) //' "/proc/$npid/stat" | awk -v hz="$CLK_TCK" '{ printf "%.2f", ($12 + $13) / hz }')
	ss=$(awk '{ printf "%.1f", $1 / 1e6 }' "/proc/$npid/schedstat" 2>/dev/null)
	thr=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$tpid/status" 2>/dev/null)
	tn=-
	[ "$EVENTS" = 1 ] && tn=$(grep -c '"event":"thread_new"' "$D/events.json" 2>/dev/null)
	created=$(grep '^churn: progress' "$D/churn.out" | tail -n 1 | sed -n 's/.* created=\([0-9]*\).*/\1/p')
	cpus=
	for tid in $watched; do
		l=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$tpid/task/$tid/status" 2>/dev/null)
		cpus="$cpus${cpus:+ }${l:-gone}"
		if awk -v a="$t" -v b="$WARMUP" 'BEGIN { exit !(a >= b) }'; then
			case $l in
			'') echo "t=$t tid $tid: gone (no /proc/$tpid/task/$tid) while the target runs" >>"$D/pins" ;;
			*[!0-9]*) echo "t=$t tid $tid: Cpus_allowed_list $l (not a single CPU)" >>"$D/pins" ;;
			*) case $plan_set in *" $l "*) ;; *) echo "t=$t tid $tid: CPU $l is not in the plan ($plan_cpus)" >>"$D/pins" ;; esac ;;
			esac
		fi
	done
	echo "$t $fds $rss $cpu ${ss:--} ${thr:--} ${tn:-0} ${created:--} $cpus"
}

: >"$D/pins"
: >"$D/samples"
printf '%8s %5s %9s %8s %10s %7s %10s %11s  %s\n' t_s fds rss_kB cpu_s run_ms threads thread_new created "CPUs of $watched"
deadline=$((SECONDS_RUN + 120))
killed=
n=0
while :; do
	if ! row=$(sample); then
		break
	fi
	printf '%s\n' "$row" >>"$D/samples"
	printf '%s\n' "$row" | awk '{ printf "%8s %5s %9s %8s %10s %7s %10s %11s ", $1, $2, $3, $4, $5, $6, $7, $8;
		for (i = 9; i <= NF; i++) printf " %s", $i; printf "\n" }'
	n=$((n + 1))
	# Sleep to the next sample, looking every second whether numarun is still there.
	k=0
	while [ $k -lt "$SAMPLE" ] && kill -0 "$npid" 2>/dev/null; do
		sleep 1
		k=$((k + 1))
		el=$(awk -v a="$(uptime_s)" -v b="$t0" 'BEGIN { printf "%d", a - b }')
		if [ -n "$KILL_AFTER" ] && [ -z "$killed" ] && [ "$el" -ge "$KILL_AFTER" ]; then
			say "fault: SIGKILL to numarun at t=$el s (SOAK_KILL_AFTER)"
			kill -KILL "$npid"
			killed=1
		fi
		if [ "$el" -ge "$deadline" ]; then
			say "FAIL: numarun still running $((deadline - SECONDS_RUN)) s after the target's planned end"
			exit 1
		fi
	done
	state=$(sed 's/.*) //' "/proc/$npid/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ] || break
done
wait "$npid"
nrc=$?
t_end=$(awk -v a="$(uptime_s)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
npid=
# A target numarun left behind (it was reparented): end it, let it report, and say so.
orphan=
if kill -0 "$tpid" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$tpid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; then
	orphan=1
	kill -TERM "$tpid" 2>/dev/null
	i=0
	while kill -0 "$tpid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
tpid=

# ---- figures ----
fail=0
failed() { say "FAIL: $*"; fail=1; }
done_line=$(grep '^churn: done' "$D/churn.out" | tail -n 1)
field() { printf '%s\n' "$done_line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
echo
say "numarun exited with status $nrc after $t_end s ($n samples, every $SAMPLE s)"
# First sample after the warm-up, and the last one.
first=$(awk -v w="$WARMUP" '$1 >= w { print; exit }' "$D/samples")
last=$(tail -n 1 "$D/samples")
if [ -n "$first" ] && [ "$first" != "$last" ]; then
	set -- $first
	f_t=$1 f_fd=$2 f_rss=$3 f_cpu=$4 f_run=$5
	set -- $last
	l_t=$1 l_fd=$2 l_rss=$3 l_cpu=$4 l_run=$5
	max_fd=$(awk -v w="$WARMUP" '$1 >= w && $2 > m { m = $2 } END { print m }' "$D/samples")
	max_rss=$(awk -v w="$WARMUP" '$1 >= w && $3 > m { m = $3 } END { print m }' "$D/samples")
	say "numarun's open descriptors (entries of /proc/PID/fd): $f_fd at t=$f_t s, $l_fd at t=$l_t s, at most $max_fd"
	say "numarun's VmRSS: $f_rss kB at t=$f_t s, $l_rss kB at t=$l_t s, at most $max_rss kB"
	say "numarun's CPU time (utime+stime): $f_cpu s at t=$f_t s, $l_cpu s at t=$l_t s:" \
		"$(awk -v a="$f_cpu" -v b="$l_cpu" -v x="$f_t" -v y="$l_t" 'BEGIN { printf "%.2f%% of one CPU", (b - a) / (y - x) * 100 }')"
	say "numarun's run time (first field of /proc/PID/schedstat, ns): $f_run ms at t=$f_t s, $l_run ms at t=$l_t s:" \
		"$(awk -v a="$f_run" -v b="$l_run" -v x="$f_t" -v y="$l_t" 'BEGIN { printf "%.3f%% of one CPU", (b - a) / (y - x) / 10 }')"
	[ "$l_fd" -le $((f_fd + FD_SLACK)) ] ||
		failed "numarun's descriptors grew: $f_fd at t=$f_t s, $l_fd at t=$l_t s (bound: first + $FD_SLACK)"
	[ "$l_rss" -le $((f_rss + RSS_SLACK_KB)) ] ||
		failed "numarun's VmRSS grew: $f_rss kB at t=$f_t s, $l_rss kB at t=$l_t s (bound: first + $RSS_SLACK_KB kB)"
else
	failed "fewer than two samples after the warm-up of $WARMUP s: nothing to compare (numarun ended at t=$t_end s)"
fi
if [ -n "$done_line" ]; then
	say "churn: $(field created) short-lived threads created in $(field seconds) s: $(field rate) (batches of $BATCH," \
		"$(field create_failed) failed creations), measured by churn itself"
else
	failed "churn did not report its end (no 'churn: done' line)"
fi

# ---- checks ----
if [ -n "$killed" ] || [ -n "$orphan" ]; then
	failed "numarun ended (status $nrc) at t=$t_end s while the target was still running${killed:+ (killed by SOAK_KILL_AFTER)}"
elif [ "$nrc" -ne "$EXPECT_STATUS" ]; then
	failed "numarun exited with status $nrc, not the target's $EXPECT_STATUS ($(grep -c . "$D/numarun.err") lines on its stderr:" \
		"$(tail -n 3 "$D/numarun.err" | tr '\n' ' '))"
else
	say "ok: numarun stayed alive to the end and exited with the target's status $nrc"
fi
npins=$(grep -c . "$D/pins")
if [ "$npins" -gt 0 ]; then
	failed "$npins samples of a long-lived thread not on a single CPU of the plan, the first ones:"
	head -n 5 "$D/pins" | sed 's/^/  /'
else
	say "ok: every long-lived thread ($watched) had a single CPU of the plan ($plan_cpus) at every sample after $WARMUP s"
fi
bad_inside=$(field unpinned_long)
if [ -n "$done_line" ] && [ "$bad_inside" != 0 ]; then
	failed "churn found $bad_inside long-lived threads unpinned from inside (sched_getaffinity every 200 ms):"
	grep '^churn: long.*pinned=no' "$D/churn.out" | sed 's/^/  /'
elif [ -n "$done_line" ]; then
	say "ok: churn found each long-lived thread pinned from inside at every check:" \
		"$(grep '^churn: long' "$D/churn.out" | sed -n 's/.*name=\([^ ]*\) checks=\([0-9]*\).* first_pinned_s=\([^ ]*\).* cpu_changes=\([0-9]*\).*/\1 \2 checks, pinned at \3 s, \4 CPU changes/p' | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
fi
if [ "$EVENTS" = 1 ]; then
	ev=$D/events.json
	nnew=$(grep -c '"event":"thread_new"' "$ev")
	say "events: $nnew thread_new for $(field created) short-lived threads created (plus $((NLONG + 2)) long-lived);" \
		"$(grep -c '"event":"released"' "$ev") released, $(grep -c '"event":"reclaimed"' "$ev") reclaimed," \
		"$(grep -c '"event":"move"' "$ev") move; $(wc -c <"$ev") bytes"
	for e in start exit; do
		c=$(grep -c "\"event\":\"$e\"" "$ev")
		[ "$c" = 1 ] || failed "$c $e events, not one"
	done
	for tid in $watched; do
		c=$(grep '"event":"thread_new"' "$ev" | grep -c "\"tid\":$tid,")
		[ "$c" = 1 ] || failed "long-lived thread $tid announced $c times by thread_new, not once"
	done
	created=$(field created)
	if [ -n "$created" ] && [ "$nnew" -gt $((created + NLONG + 2)) ]; then
		failed "$nnew thread_new events for $((created + NLONG + 2)) threads that ever existed"
	fi
fi
if [ "$fail" = 0 ]; then
	say "all checks passed"
	exit 0
fi
say "numarun's stderr (last lines):"
tail -n 10 "$D/numarun.err" | sed 's/^/  /'
exit 1
