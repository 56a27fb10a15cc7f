#!/bin/sh
# ownpinning.sh - numarun never fights a mask it did not set: the user's taskset inside the command, a
# program whose threads pin themselves before or after numarun placed them, a mask widened back, and a
# new thread that merely inherits a one-CPU mask numarun gave its creator (numarun's to place).
. "$(dirname "$0")/lib.sh"
require_numarun
SELFPIN="$top_builddir/tests/progs/selfpin"
[ -x "$SELFPIN" ] || fail_all "selfpin was not built at $SELFPIN"
set -- $(expand_list "$(status_field Cpus_allowed_list)")
[ $# -ge 2 ] || skip_all "needs two allowed CPUs (have: $*)"
c0=$1 c1=$2
all=$(status_field Cpus_allowed_list)

# events_of FILE EVENT COMM: the EVENT lines about thread COMM
events_of() {
	grep "\"event\":\"$2\"" "$1" | grep "\"comm\":\"$3\"" || true
}

for mode in "--monitor" "--threads spread" "--threads spread --monitor"; do
	# shellcheck disable=SC2086
	run "$NUMARUN" $mode --interval 100ms --events "$T/ts.json" -- taskset -c "$c1" sh -c \
		'sleep 0.6; grep Cpus_allowed_list /proc/self/status'
	expect_rc 0 "$mode -- taskset -c $c1 sh"
	expect_out_line "$(printf 'Cpus_allowed_list:\t%s' "$c1")" "$mode: the user's taskset -c $c1 in the command is kept"
	expect_eq "$(events_of "$T/ts.json" thread_new sh | grep -c '"pinned_by":"program"')" 1 \
		"$mode: thread_new says the program pinned it"

	# Threads that pin themselves at once, before numarun first looks at them.
	# shellcheck disable=SC2086
	run "$NUMARUN" $mode --interval 100ms --events "$T/sp0.json" -- "$SELFPIN" -d 0 -s 1.5 "$c0" "$c1"
	expect_rc 0 "$mode -- selfpin (pins at once)"
	expect_out_line "pin0 cpus=$c0" "$mode: a thread that pinned itself to CPU $c0 at start keeps CPU $c0"
	expect_out_line "pin1 cpus=$c1" "$mode: a thread that pinned itself to CPU $c1 at start keeps CPU $c1"
	expect_eq "$(events_of "$T/sp0.json" thread_new 'pin[01]' | grep -c '"pinned_by":"program"')" 2 \
		"$mode: both reported pinned_by program when first seen"
	expect_eq "$(grep '"event":"exit"' "$T/sp0.json" | grep -o '"comm":"pin[01]"[^}]*"pinned_by":"program"' | wc -l)" 2 \
		"$mode: the exit report says both were the program's"
	expect_eq "$(grep -c '"event":"move"' "$T/sp0.json")" 0 "$mode: no move of a thread the program pinned"

	# Threads that pin themselves 500 ms in, after numarun placed them: released at the next tick.
	# shellcheck disable=SC2086
	run "$NUMARUN" $mode --interval 100ms --events "$T/sp5.json" -- "$SELFPIN" -d 500 -s 1.5 "$c0" "$c1"
	expect_rc 0 "$mode -- selfpin (pins after 500 ms)"
	expect_out_line "pin0 cpus=$c0" "$mode: re-pinned by the program after numarun placed it: keeps CPU $c0"
	expect_out_line "pin1 cpus=$c1" "$mode: re-pinned by the program after numarun placed it: keeps CPU $c1"
	# Normally placed first and then released; on a loaded machine numarun's first look may come after
	# the pinning, and the thread is the program's from the start. Either way, once each.
	expect_eq "$(grep -E '"event":"(released|thread_new)"' "$T/sp5.json" | grep -E '"comm":"pin[01]"' | grep -c '"pinned_by":"program"')" 2 \
		"$mode: each is reported the program's once (released, or at first sight)"
	expect_eq "$(grep -c '"event":"move"' "$T/sp5.json")" 0 "$mode: no move of a thread the program re-pinned"
done

# The case a reset was once made for: a thread created by a thread numarun pinned to one CPU inherits
# that CPU. It is numarun's, and is placed like any new thread (spread: the other CPU).
run "$NUMARUN" --threads spread --interval 100ms --events "$T/inh.json" -- "$SELFPIN" -i -d 500 -s 1.2
expect_rc 0 "--threads spread -- selfpin -i (a plain thread created after the main thread was pinned)"
expect_eq "$(events_of "$T/inh.json" thread_new plain | grep -c '"pinned_by":"numarun"')" 1 \
	"a thread that inherited its creator's one-CPU mask from numarun is numarun's to place"
main_cpu=$(events_of "$T/inh.json" thread_new selfpin | sed -n 's/.*"cpu":\([0-9]*\).*/\1/p')
expect_out_nomatch "^plain cpus=$main_cpu\$" "spread placed it away from its creator's CPU $main_cpu"
expect_out_match '^plain cpus=[0-9]+$' "and on one CPU of the plan"
# Without per-thread placement the inherited mask goes back to the whole plan.
printf '[threads]\nplacement = spread\nexclude = plain\n' >"$T/excl.ini"
run "$NUMARUN" -p "$T/excl.ini" --interval 100ms -- "$SELFPIN" -i -d 500 -s 1.2
expect_out_line "plain cpus=$all" "exclude = plain: the inherited one-CPU mask is widened to the plan ($all)"

# Widened back to the launch CPUs: numarun's again (reclaimed, then placed).
run "$NUMARUN" --threads spread --interval 100ms --events "$T/wid.json" -- "$SELFPIN" -d 0 -w 500 -s 1.5 "$c0" "$c1"
expect_rc 0 "--threads spread -- selfpin -w 500 (widens back)"
expect_eq "$(grep '"event":"exit"' "$T/wid.json" | grep -o '"comm":"pin[01]"[^}]*"pinned_by":"numarun"' | wc -l)" 2 \
	"a thread the program widened back to the launch CPUs is numarun's again at the end (exit report)"
n=$(events_of "$T/wid.json" reclaimed 'pin[01]' | grep -c '"pinned_by":"numarun"')
if [ "$n" = 2 ]; then ok "both reclaimed (reclaimed events)"; else
	skip_check "both reclaimed (reclaimed events)" "$n reclaimed: numarun first looked after they widened (a loaded machine)"; fi
expect_out_match '^pin0 cpus=[0-9]+$' "after the reclaim, pin0 is on one CPU again"

# A child process the program pins (descendants = yes): the child's own mask is the program's too.
printf '[threads]\nplacement = spread\n[monitor]\nenabled = yes\ninterval = 100ms\ndescendants = yes\n' >"$T/desc.ini"
run "$NUMARUN" -p "$T/desc.ini" --events "$T/desc.json" -- sh -c \
	"sleep 0.3; taskset -c $c1 sh -c 'sleep 0.8; grep Cpus_allowed_list /proc/self/status'"
expect_rc 0 "descendants = yes -- sh -c 'taskset -c $c1 sh'"
expect_out_line "$(printf 'Cpus_allowed_list:\t%s' "$c1")" "descendants: a child process pinned by the program keeps CPU $c1"
# Its mask is CPU $c1, which numarun also gave another child (sleep 0.3): only a mask set in the creator's
# process counts as inherited, so this one is the program's.
# Seen before taskset set the mask it is released, after it is the program's at first sight; seen before
# its exec it is still named taskset.
n=$(grep -E '"event":"(thread_new|released)"' "$T/desc.json" | grep -E '"comm":"(sh|taskset)"' | grep -c '"pinned_by":"program"')
if [ "$n" -ge 1 ]; then ok "descendants: the taskset child is reported pinned by the program"
elif grep '"event":"thread_new"' "$T/desc.json" | grep '"comm":"taskset"' | grep -q "\"pinned_by\":\"numarun\",\"affinity\":\"$c1\""; then
	# Seen before taskset set its mask, and numarun happened to place it on CPU $c1 itself: the mask
	# taskset then set is the one numarun had set, which nobody can tell apart (numarun(1)).
	skip_check "descendants: the taskset child is reported pinned by the program" \
		"numarun placed it on CPU $c1 before taskset set the same mask (a loaded machine)"
else
	not_ok "descendants: the taskset child is reported pinned by the program" "$(cat "$T/desc.json")"; fi

# -v says what it left alone.
run "$NUMARUN" --threads spread --interval 100ms -v -- "$SELFPIN" -d 300 -s 1 "$c0" "$c1"
expect_err_match "tid [0-9]+ \(pin0\): (re-pinned by the program|pinned by the program when first seen) to CPUs $c0 .*left alone" \
	"-v names the thread left alone"
expect_err_match "2 threads pinned by the program: left alone" "-v summary counts them"
finish
