#!/bin/sh
# deploy.sh - what deployments rely on, on the host: a policy planned where other CPUs were allowed is
# re-planned with the same intent (--strict refuses), allocator hand-offs narrow the plan, a resident
# numarun drops the capabilities it does not need while the target keeps its own, and contrib/ files are
# valid (systemd-analyze verify, the seccomp profile). The container side is make check-containers.
. "$(dirname "$0")/lib.sh"
require_numarun

cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
set -- $(expand_list "$cpus")
if [ $# -ge 2 ] && command -v taskset >/dev/null 2>&1; then
	a=$1 b=$2
	run taskset -c "$a" "$NUMARUN" plan --ini -c 1
	expect_rc 0 "plan --ini on CPU $a"
	cp "$T/out" "$T/p.ini"
	expect_out_line "planned_cpus = $a" "plan --ini records the allowed CPUs"
	expect_out_match "^planned_nodes = " "plan --ini records the allowed nodes"
	run taskset -c "$b" "$NUMARUN" -p "$T/p.ini" -- grep ^Cpus_allowed_list /proc/self/status
	expect_rc 0 "the policy planned on CPU $a launches on CPU $b"
	expect_out_match "^Cpus_allowed_list:[[:space:]]+$b\$" "re-planned: the target runs on CPU $b"
	expect_err_match "planned where CPUs $a and nodes [0-9,-]+ were allowed; here CPUs $b and nodes [0-9,-]+ are: re-planned with the same intent \(cpu_list $a as cpus = 1, compact\)" \
		"one line at the default verbosity names both sets and the intent"
	[ "$(wc -l <"$T/err")" -eq 1 ] && ok "re-planned: one line only" || not_ok "re-planned: one line only" "$(last_details)"
	run taskset -c "$b" "$NUMARUN" -q -p "$T/p.ini" -- true
	expect_err_empty "re-planned: -q says nothing"
	run taskset -c "$b" "$NUMARUN" --strict -p "$T/p.ini" -- echo STARTED
	expect_rc 2 "--strict refuses a policy planned elsewhere"
	expect_out_nomatch STARTED "--strict: nothing launched"
	expect_err_match "strict: not re-planned" "--strict says why"
	sed -i 's/^strict = no$/strict = yes/' "$T/p.ini"; grep -q '^strict = yes' "$T/p.ini" && ok 'plan --ini writes strict' || not_ok 'plan --ini writes strict'
	run taskset -c "$b" "$NUMARUN" -p "$T/p.ini" -- true
	expect_rc 2 "strict = yes in [placement] does the same"
	run taskset -c "$b" "$NUMARUN" plan -p "$T/p.ini" -- true
	expect_rc 2 "plan: strict too"
	# The default plan (all allowed CPUs) handed to fewer CPUs: the same intent, all of them.
	run taskset -c "$a,$b" "$NUMARUN" plan --ini
	cp "$T/out" "$T/all.ini"
	run taskset -c "$b" "$NUMARUN" -p "$T/all.ini" -- grep ^Cpus_allowed_list /proc/self/status
	expect_rc 0 "a policy planned on CPUs $a,$b (cpus = all) launches where only CPU $b is allowed"
	expect_out_match "^Cpus_allowed_list:[[:space:]]+$b\$" "... on CPU $b"
	expect_err_match "as cpus = all" "... with the intent it recorded (cpus = all)"
	# Where it was planned: exact.
	run taskset -c "$a" "$NUMARUN" -p "$T/p.ini" -- grep ^Cpus_allowed_list /proc/self/status
	expect_out_match "^Cpus_allowed_list:[[:space:]]+$a\$" "where it was planned the policy is exact"
	expect_err_empty "where it was planned nothing is said"
	# A command-line list is taken as given (an error when not allowed), as numactl would.
	run taskset -c "$b" "$NUMARUN" -C "$a" -- true
	expect_rc 2 "-C of a CPU outside the allowed set: still an error"
	# The JSON plan says what was re-planned.
	grep -v '^strict' "$T/p.ini" >"$T/q.ini"
	run taskset -c "$b" "$NUMARUN" plan --json -p "$T/q.ini"
	expect_eq "$(json_get "$T/out" 'j["relocated"]["planned_cpus"]')" "$a" "plan --json: relocated.planned_cpus"
	# Allocator hand-offs: DRA_CPUSET_<claim> narrows the plan, and is named.
	run env "DRA_CPUSET_4f1c-claim=$b" "$NUMARUN" -- grep ^Cpus_allowed_list /proc/self/status
	expect_out_match "^Cpus_allowed_list:[[:space:]]+$b\$" "DRA_CPUSET_*: the target runs on the claimed CPU"
	run env "DRA_CPUSET_4f1c-claim=$b" "$NUMARUN" plan --json
	expect_eq "$(json_get "$T/out" 'j["allocator"]' | grep -c "DRA_CPUSET_4f1c-claim")" 1 "plan --json names the hand-off read"
	run env "DRA_CPUSET_x=1-" "$NUMARUN" -- true
	expect_rc 0 "a malformed DRA_CPUSET_* is ignored"
	expect_err_match "DRA_CPUSET_x: '1-' is not a CPU list: ignored" "... with a warning that names it"
else
	skip_check "policies planned elsewhere" "one CPU or no taskset"
fi

# Capabilities: the target's are its own; the resident parent keeps only what its actions need.
caps='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
sh -c "$caps" >"$T/direct"
for mode in "" "--threads spread" "--monitor"; do
	run "$NUMARUN" $mode -- sh -c "$caps"
	if cmp -s "$T/out" "$T/direct"; then
		ok "capabilities: the target's five sets are unchanged (${mode:-exec mode})"
	else
		not_ok "capabilities: the target's five sets are unchanged (${mode:-exec mode})" "$(cat "$T/direct")" "$(last_details)"
	fi
done
eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "$T/direct")
if [ "$(id -u)" = 0 ] && [ $((0x$eff & 0x800020)) = $((0x800020)) ]; then
	# numarun drops them just after the exec: wait for it (at most 10 s) rather than race it.
	run "$NUMARUN" -v --threads spread -- sh -c 'mine=$(grep ^CapEff /proc/self/status); i=0
		while [ "$(grep ^CapEff /proc/$PPID/status)" = "$mine" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		grep ^CapEff /proc/$PPID/status'
	expect_out_match "^CapEff:[[:space:]]+0000000000800020$" "resident (--threads) as root: numarun keeps CAP_KILL and CAP_SYS_NICE only"
	expect_err_match "capabilities: dropped [0-9]+; kept CAP_KILL \(forwarding signals to a target that switches to another user\), CAP_SYS_NICE \(setting the CPUs of the target.s threads \(placement" \
		"-v: what was kept and why"
	run "$NUMARUN" plan --threads spread -- true
	expect_out_match "^  keeps: +CAP_KILL \(held\)" "plan: what a resident numarun keeps"
	run "$NUMARUN" plan -- true
	expect_out_match "^  keeps: +none after the exec" "plan: exec mode keeps nothing of its own"
	run "$NUMARUN" plan --json --monitor -- true
	expect_eq "$(json_get "$T/out" '",".join(k["capability"] for k in j["privileges"]["keeps"])')" \
		"CAP_KILL,CAP_SYS_NICE,CAP_SYS_PTRACE" "plan --json: privileges.keeps"
else
	skip_check "what a resident numarun keeps" "not root with CAP_KILL and CAP_SYS_NICE"
fi

# contrib/: the systemd unit verifies; the seccomp profile is what its generator makes.
unit=$top_srcdir/contrib/systemd/numarun-example.service
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/man/man1" "$T/man/man5"
	cp "$top_srcdir/man/numarun.1" "$T/man/man1/" && cp "$top_srcdir/man/numarun.ini.5" "$T/man/man5/"
	sed -e "s#/usr/local/bin/numarun#$NUMARUN#" -e "s#/usr/local/share/doc/numarun/policies#$top_srcdir/policies#" \
		-e "s#/usr/bin/sleep#$(command -v sleep)#" "$unit" >"$T/numarun-example.service"
	run env MANPATH="$T/man" systemd-analyze verify "$T/numarun-example.service"
	expect_rc 0 "contrib/systemd/numarun-example.service: systemd-analyze verify"
	expect_err_empty "systemd-analyze verify: no complaint"
else
	skip_check "systemd-analyze verify" "no systemd-analyze"
fi
grep -q '^ExecStart=/usr/local/bin/numarun ' "$unit" && ok "the unit runs numarun in ExecStart=" || not_ok "the unit runs numarun in ExecStart="
profile=$top_srcdir/contrib/docker/seccomp-numa.json
run python3 -c "import json,sys; p=json.load(open(sys.argv[1])); r=[s for s in p['syscalls'] if 'set_mempolicy' in s['names']]; print(len(r), r[0]['action'], sorted(r[0].get('includes',{})))" "$profile"
expect_out_eq "1 SCMP_ACT_ALLOW []" "seccomp-numa.json: set_mempolicy in one rule, allowed with no capability"
if [ -r /usr/share/containers/seccomp.json ]; then
	run python3 "$top_srcdir/contrib/docker/seccomp-numa.py" /usr/share/containers/seccomp.json
	cmp -s "$T/out" "$profile" && ok "seccomp-numa.json is seccomp-numa.py's output for this machine's podman profile" ||
		not_ok "seccomp-numa.json is seccomp-numa.py's output for this machine's podman profile" "$(diff "$T/out" "$profile" | head)"
else
	skip_check "seccomp-numa.py against podman's default profile" "no /usr/share/containers/seccomp.json"
fi

finish
