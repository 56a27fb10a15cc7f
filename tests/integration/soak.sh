#!/bin/sh
# soak.sh - bench/soak.sh for 60 seconds: numarun --threads spread --monitor --events over
# tests/progs/churn (long-lived threads beside thousands of short-lived ones a second). Its checks are
# about pinning, leaks and liveness, never timing: every long-lived thread on a single CPU of the plan
# at every sample, numarun's descriptors and RSS bounded, numarun alive to the end and exiting with the
# target's status. Then twice more, shortly, with a fault each, to see those checks fail: numarun killed
# in the middle, and a long-lived thread that re-pins itself to every CPU.
. "$(dirname "$0")/lib.sh"
require_numarun

CHURN="$top_builddir/tests/progs/churn"
[ -x "$CHURN" ] || fail_all "test programs not built (make check builds them)"
SOAK="$top_srcdir/bench/soak.sh"
export NUMARUN CHURN top_builddir

# soak NAME SECONDS [VAR=VALUE...]: bench/soak.sh in the environment given; rc, $T/NAME.out.
soak() {
	name=$1 secs=$2
	shift 2
	last_cmd="$* bench/soak.sh $secs"
	env SOAK_SAMPLE=3 "$@" sh "$SOAK" "$secs" <"$T/empty" >"$T/$name.out" 2>&1
	rc=$?
	# Its findings without the table (for the details of a failed check).
	grep -e '^soak' -e '^  [^ ]' "$T/$name.out" >"$T/out"
	: >"$T/err"
}

soak long "${SOAK_TEST_SECONDS:-60}" SOAK_WARMUP=10
expect_rc 0 "60 s of thread churn under numarun: every soak check holds"
expect_out_match "^soak: ok: every long-lived thread .* had a single CPU of the plan" "... long-lived threads pinned throughout"
expect_out_match "^soak: ok: numarun stayed alive to the end and exited with the target's status 7" "... numarun alive, the target's status"
expect_out_match "^soak: churn: [0-9]+ short-lived threads created" "... the churn rate is reported"
expect_out_nomatch "FAIL" "... no check failed"
sed -n 's/^soak: /# /p' "$T/long.out"

# The checks can fail: numarun killed half-way (the target is left behind, reparented, and ended).
soak killed 12 SOAK_KILL_AFTER=6
expect_rc 1 "soak with numarun killed after 6 s: fails"
expect_out_match "^soak: FAIL: numarun ended \(status 137\) at t=[0-9.]+ s while the target was still running" \
	"... saying numarun ended before the target"

# A long-lived thread that gives itself every CPU back, again and again, from 7 s on.
soak unpinned 12 SOAK_UNPIN_AFTER=7
expect_rc 1 "soak with a long-lived thread unpinning itself: fails"
expect_out_match "^soak: FAIL: churn found 1 long-lived threads unpinned from inside" "... churn's own check says so"
expect_out_match "^soak: FAIL: [0-9]+ samples of a long-lived thread not on a single CPU of the plan" \
	"... and so does the sampling from outside"
finish
