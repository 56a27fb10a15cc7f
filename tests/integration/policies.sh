#!/bin/sh
# policies.sh - the example policies parse and plan; --ini round-trips; bad
# policies are refused with FILE:LINE messages, exit 2 and nothing launched.
. "$(dirname "$0")/lib.sh"
require_numarun

# same_plan A.json B.json: the two plans are equal, the sentences for people
# ("notes", runtime "reason") aside.
same_plan() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d.pop("notes", None)  # explanations for people
    for v in (d.get("runtime") or {}).values():
        if isinstance(v, dict):
            v.pop("reason", None)
if a != b:
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            print("%s: %s != %s" % (k, json.dumps(a.get(k)), json.dumps(b.get(k))))
    sys.exit(1)
EOF
}

# ---- the example policies ----
set -- "$top_srcdir"/policies/*.ini
[ -e "$1" ] || fail_all "no policies/*.ini in $top_srcdir"
for f in "$@"; do
	name=policies/$(basename "$f")
	run "$NUMARUN" plan -p "$f"
	expect_rc 0 "plan -p $name"
	expect_out_nonempty "plan -p $name prints a plan"
	expect_err_empty "plan -p $name: no warnings"

	run "$NUMARUN" plan -p "$f" --json
	expect_rc 0 "plan -p $name --json"
	cp "$T/out" "$T/plan.json"
	if [ -n "$PYTHON" ]; then
		if json_valid "$T/plan.json"; then ok "$name: --json is valid JSON"; else
			not_ok "$name: --json is valid JSON" "$(last_details)"; fi
	fi

	run "$NUMARUN" plan -p "$f" --ini
	expect_rc 0 "plan -p $name --ini"
	cp "$T/out" "$T/replan.ini"
	run "$NUMARUN" plan -p "$T/replan.ini" --json
	expect_rc 0 "$name: the --ini output is a valid policy"
	cp "$T/out" "$T/replan.json"
	if [ -n "$PYTHON" ]; then
		if diffs=$(same_plan "$T/plan.json" "$T/replan.json"); then
			ok "$name: the --ini output re-read with -p gives the same plan"
		else
			not_ok "$name: the --ini output re-read with -p gives the same plan" \
				"$diffs" "--ini output:" "$(cat "$T/replan.ini")"
		fi
	else
		skip_check "$name: --ini round trip" "no python3"
	fi

	run "$NUMARUN" -p "$f" -- true
	expect_rc 0 "launch with -p $name"
done

# What the example policies say, as the plan shows it.
if [ -n "$PYTHON" ]; then
	run "$NUMARUN" plan --json -p "$top_srcdir/policies/latency-critical.ini"
	expect_eq "$(json_get "$T/out" 'j["memory"]["policy"]')" bind "latency-critical: memory bind"
	expect_eq "$(json_get "$T/out" 'len(j["nodes"])')" 1 "latency-critical: one node"
	expect_eq "$(json_get "$T/out" 'j["smt"]')" false "latency-critical: smt false"
	expect_eq "$(json_get "$T/out" 'j["memory"]["nodes"] == j["nodes"]')" true \
		"latency-critical: memory nodes are the plan's nodes"
	run "$NUMARUN" plan --json -p "$top_srcdir/policies/memory-bandwidth.ini"
	expect_eq "$(json_get "$T/out" 'j["strategy"]')" spread "memory-bandwidth: strategy spread"
	expect_eq "$(json_get "$T/out" 'j["memory"]["policy"]')" interleave "memory-bandwidth: memory interleave"
	# omp_num_threads = auto: OpenMP takes the plan from its affinity; set only under a quota below it.
	q=$(cgroup_quota_cpus)
	ncpu=$(json_get "$T/out" 'j["cpu_count"]')
	if [ -n "$q" ] && [ "$q" -lt "$ncpu" ]; then
		expect_eq "$(json_get "$T/out" '[j["runtime"]["omp_num_threads"]["action"], j["runtime"]["omp_num_threads"]["value"]]')" \
			"[\"set\",$q]" "memory-bandwidth: OMP_NUM_THREADS is the CPU quota $q"
	else
		expect_eq "$(json_get "$T/out" 'j["runtime"]["omp_num_threads"]["action"]')" none \
			"memory-bandwidth: OMP_NUM_THREADS left to OpenMP (its affinity is the plan)"
	fi
	run "$NUMARUN" plan --json -p "$top_srcdir/policies/memory-bandwidth.ini" --threads spread
	expect_eq "$(json_get "$T/out" 'j["runtime"]["omp_num_threads"]["value"] == min(j["cpu_count"], '"${q:-9999}"')')" true \
		"memory-bandwidth with --threads spread: OMP_NUM_THREADS is the CPU count (capped by the quota)"
	run "$NUMARUN" plan --json -p "$top_srcdir/policies/go-service.ini"
	expect_eq "$(json_get "$T/out" 'j["strategy"]')" compact "go-service: strategy compact"
	expect_eq "$(json_get "$T/out" 'j["smt"]')" true "go-service: smt true"
	expect_eq "$(json_get "$T/out" 'j["memory"]["policy"]')" default "go-service: memory policy left to the kernel (default)"
fi

# ---- precedence: defaults < policy < command line ----
cat >"$T/prec.ini" <<EOF
[placement]
strategy = spread
smt = no

[memory]
policy = interleave

[runtime]
gomaxprocs = 3

[env]
NUMARUN_PREC = from-policy
EOF
if [ -n "$PYTHON" ]; then
	run "$NUMARUN" plan --json
	expect_eq "$(json_get "$T/out" '[j["strategy"], j["smt"], j["memory"]["policy"]]')" \
		'["compact",true,"default"]' "defaults: compact, smt, no memory policy set (default)"
	run "$NUMARUN" plan --json -p "$T/prec.ini"
	expect_eq "$(json_get "$T/out" '[j["strategy"], j["smt"], j["memory"]["policy"]]')" \
		'["spread",false,"interleave"]' "policy overrides the defaults"
	expect_eq "$(json_get "$T/out" 'j["env"]')" '{"NUMARUN_PREC":"from-policy"}' "policy [env] in the plan"
	run "$NUMARUN" plan --json -p "$T/prec.ini" --placement=compact --smt=yes -l
	expect_eq "$(json_get "$T/out" '[j["strategy"], j["smt"], j["memory"]["policy"]]')" \
		'["compact",true,"local"]' "command line overrides the policy"
	run "$NUMARUN" plan --json --placement=compact -p "$T/prec.ini"
	expect_eq "$(json_get "$T/out" 'j["strategy"]')" compact \
		"command line wins even when given before -p"
	run "$NUMARUN" plan --json -p "$T/prec.ini" --gomaxprocs=5 -- true
	expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["value"]]')" \
		'["set",5]' "--gomaxprocs=5 overrides policy gomaxprocs = 3"
fi
run "$NUMARUN" -p "$T/prec.ini" --gomaxprocs=keep -- sh -c 'echo "${GOMAXPROCS-unset}"'
expect_out_eq unset "--gomaxprocs=keep overrides policy gomaxprocs = 3 at launch"
run "$NUMARUN" -p "$T/prec.ini" -- sh -c 'echo "${GOMAXPROCS-unset}"'
expect_out_eq 3 "policy gomaxprocs = 3 sets GOMAXPROCS=3 at launch"

# ---- valid syntax variants ----
cat >"$T/syntax.ini" <<EOF
# a comment
; another comment

[memory]
   policy   =   bind
nodes=plan

[placement]
  # indented comment
strategy=compact
cpus = 1
EOF
run "$NUMARUN" plan -p "$T/syntax.ini"
expect_rc 0 "comments, blank lines, spacing and section order are accepted"
for v in "cpus = all" "cpus = 1" "cpus = 100%" "cpus = 50%" "cpus = 1 node" "nodes = auto" "nodes = all" \
	"nodes = +0" "cpu_list = $CPU_FIRST" "cpu_list = +0" "strategy = spread" "smt = no"; do
	printf '[placement]\n%s\n' "$v" >"$T/v.ini"
	run "$NUMARUN" plan -p "$T/v.ini"
	expect_rc 0 "[placement] $v"
done
mem0=${ALLOWED_MEMS%%[-,]*}
for v in "policy = local" "policy = default" "policy = preferred\nnodes = $mem0" "policy = interleave" \
	"policy = bind\nnodes = all" "nodes = plan" "policy = bind\nnodes = all" "policy = bind\nnodes = $mem0" \
	"policy = interleave\nnodes = +0" "include_cpuless = yes" "include_cpuless = no"; do
	printf '[memory]\n%b\n' "$v" >"$T/v.ini"
	run "$NUMARUN" plan -p "$T/v.ini"
	expect_rc 0 "[memory] $v"
done
for v in "gomaxprocs = auto" "gomaxprocs = always" "gomaxprocs = keep" "gomaxprocs = off" \
	"gomaxprocs = 8" "omp_num_threads = auto" "omp_num_threads = keep" "omp_num_threads = off" \
	"omp_num_threads = 4"; do
	printf '[runtime]\n%s\n' "$v" >"$T/v.ini"
	run "$NUMARUN" plan -p "$T/v.ini"
	expect_rc 0 "[runtime] $v"
done

# ---- bad policies: FILE:LINE: message, exit 2, nothing launched ----
marker="$T/launched"
# bad_policy NAME EXPECTED-STDERR-ERE CONTENT: write CONTENT to $T/NAME.ini
# and check that plan and launch refuse it.
bad_policy() {
	f="$T/$1.ini"
	printf '%s\n' "$3" >"$f"
	rm -f "$marker"
	run "$NUMARUN" plan -p "$f"
	expect_rc 2 "$1: plan refuses it"
	expect_out_nomatch '.' "$1: plan prints no plan"
	run "$NUMARUN" -p "$f" -- touch "$marker"
	expect_rc 2 "$1: launch refuses it"
	expect_err_match "^(numarun: )?$2" "$1: message"
	expect_no_file "$marker" "$1: nothing launched"
}
# ERE-escape a path for the expected messages.
P=$(printf '%s' "$T" | sed 's/[].[^$*+?(){}|\\]/\\&/g')

# An unknown section is reported at its [header] line or at its first key.
bad_policy unknown-section "$P/unknown-section\\.ini:[12]: unknown section 'placment'\$" \
'[placment]
nodes = all'
bad_policy unknown-section-later "$P/unknown-section-later\\.ini:[45]: unknown section 'cpu'\$" \
'[placement]
nodes = all

[cpu]
smt = no'
# ... and also when it holds no key at all.
bad_policy unknown-section-empty "$P/unknown-section-empty\\.ini:3: unknown section 'bogus'\$" \
'[placement]
smt = no
[bogus]'
bad_policy unknown-key "$P/unknown-key\\.ini:3: unknown key 'interleve' in \\[memory\\]\$" \
'[memory]
policy = interleave
interleve = 0'
bad_policy unknown-key-placement "$P/unknown-key-placement\\.ini:2: unknown key 'cpulist' in \\[placement\\]\$" \
'[placement]
cpulist = 0'
bad_policy key-in-wrong-section "$P/key-in-wrong-section\\.ini:2: unknown key 'strategy' in \\[memory\\]\$" \
'[memory]
strategy = spread'
bad_policy bad-strategy "$P/bad-strategy\\.ini:3: bad value 'diagonal' for 'strategy' \\(expected compact or spread\\)\$" \
'# comment
[placement]
strategy = diagonal'
bad_policy bad-smt "$P/bad-smt\\.ini:2: bad value 'maybe' for 'smt'" \
'[placement]
smt = maybe'
bad_policy bad-cpus "$P/bad-cpus\\.ini:2: bad value 'lots' for 'cpus'" \
'[placement]
cpus = lots'
bad_policy bad-cpus-negative "$P/bad-cpus-negative\\.ini:2: bad value '-2' for 'cpus'" \
'[placement]
cpus = -2'
bad_policy bad-nodes "$P/bad-nodes\\.ini:2: bad value '0-x' for 'nodes'" \
'[placement]
nodes = 0-x'
bad_policy bad-cpu-list "$P/bad-cpu-list\\.ini:2: bad value 'zero' for 'cpu_list'" \
'[placement]
cpu_list = zero'
bad_policy bad-mem-policy "$P/bad-mem-policy\\.ini:2: bad value 'firsttouch' for 'policy'" \
'[memory]
policy = firsttouch'
bad_policy bad-mem-nodes "$P/bad-mem-nodes\\.ini:3: bad value 'near' for 'nodes'" \
'[memory]
policy = bind
nodes = near'
bad_policy bad-cpuless "$P/bad-cpuless\\.ini:2: bad value 'sometimes' for 'include_cpuless'" \
'[memory]
include_cpuless = sometimes'
bad_policy bad-gomaxprocs "$P/bad-gomaxprocs\\.ini:2: bad value 'many' for 'gomaxprocs'" \
'[runtime]
gomaxprocs = many'
bad_policy bad-omp "$P/bad-omp\\.ini:2: bad value 'always' for 'omp_num_threads'" \
'[runtime]
omp_num_threads = always'
bad_policy not-ini "$P/not-ini\\.ini:1: " \
'this is not an ini file'

# A request the machine cannot meet: exit 2 too.
printf '[placement]\ncpus = %s\n' $((NCPUS + 1)) >"$T/toomany.ini"
run "$NUMARUN" -p "$T/toomany.ini" -- touch "$marker"
expect_rc 2 "policy asking for more CPUs than allowed"
expect_no_file "$marker" "policy asking for more CPUs than allowed: nothing launched"

# Unreadable files.
run "$NUMARUN" -p "$T/does-not-exist.ini" -- touch "$marker"
expect_rc 2 "missing policy file"
expect_err_match "^(numarun: )?$P/does-not-exist\\.ini: cannot open: No such file or directory\$" \
	"missing policy file: 'FILE: cannot open: No such file or directory'"
expect_no_file "$marker" "missing policy file: nothing launched"
run "$NUMARUN" plan -p "$T/does-not-exist.ini"
expect_rc 2 "plan with a missing policy file"

mkdir "$T/dir.ini"
run "$NUMARUN" -p "$T/dir.ini" -- touch "$marker"
expect_rc 2 "a directory as the policy file"
expect_err_match "^(numarun: )?$P/dir\\.ini: " "a directory as the policy file: FILE: message"
expect_no_file "$marker" "a directory as the policy file: nothing launched"

printf '[placement]\nsmt = no\n' >"$T/noperm.ini"
chmod 000 "$T/noperm.ini"
if [ "$(id -u)" -ne 0 ]; then
	run "$NUMARUN" -p "$T/noperm.ini" -- touch "$marker"
	expect_rc 2 "unreadable policy file"
	expect_err_match "^(numarun: )?$P/noperm\\.ini: cannot open: Permission denied\$" \
		"unreadable policy file: 'FILE: cannot open: Permission denied'"
	expect_no_file "$marker" "unreadable policy file: nothing launched"
else
	skip_check "unreadable policy file (mode 000)" "root can read it"
fi

finish
