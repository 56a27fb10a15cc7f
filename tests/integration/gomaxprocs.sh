#!/bin/sh
# gomaxprocs.sh - GOMAXPROCS (and OMP_NUM_THREADS) for the target, checked
# with a real Go program (tests/progs/goprobe) built with CGO_ENABLED=0.
. "$(dirname "$0")/lib.sh"
require_numarun

build_goprobe || skip_all "no Go toolchain (GO is empty)"
[ -x "$GOPROBE" ] || fail_all "goprobe was not built at $GOPROBE"

# probe_check DESC WANT-GOMAXPROCS WANT-ENV [ENV=VAL...] -- NUMARUN-ARGS...
# Runs goprobe under numarun and checks what the Go runtime and the
# environment say.
probe_check() {
	desc=$1 want_procs=$2 want_env=$3
	shift 3
	envs=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086
	run env -u GOMAXPROCS -u OMP_NUM_THREADS $envs "$NUMARUN" "$@" -- "$PROBE"
	if [ "$rc" -ne 0 ]; then
		not_ok "$desc" "exit status $rc" "$(last_details)"
		return
	fi
	got_procs=$(out_value GOMAXPROCS)
	got_env=$(out_value env_GOMAXPROCS)
	if [ "$got_procs" = "$want_procs" ] && [ "$got_env" = "$want_env" ]; then
		ok "$desc"
	else
		not_ok "$desc" "expected GOMAXPROCS=$want_procs env_GOMAXPROCS=$want_env" \
			"got      GOMAXPROCS=$got_procs env_GOMAXPROCS=$got_env" "$(last_details)"
	fi
}

# The Go release goprobe was built with decides what "auto" does.
"$GOPROBE" >"$T/gobuild.ver"
go_version=$(sed -n 's/^go_version=//p' "$T/gobuild.ver")
go_minor=$(echo "$go_version" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ -n "$go_minor" ] || fail_all "cannot tell goprobe's Go version from '$go_version'"

# make_version_copy DST MINOR: a copy of goprobe whose embedded Go version
# (build info and runtime) says go1.MINOR, same length, so that numarun's
# version check can be tested with one toolchain.
make_version_copy() {
	"$PYTHON" - "$GOPROBE" "$1" "$go_version" "$2" <<'EOF'
import sys
src, dst, ver, minor = sys.argv[1:5]
old = ver.encode()
parts = ver[2:].split(".")          # "1", "19", "8"
parts[1] = minor
new = ("go" + ".".join(parts)).encode()
if len(new) != len(old):
    sys.exit("cannot patch %s to the same length as %s" % (new, old))
data = open(src, "rb").read()
if data.count(old) == 0:
    sys.exit("version string %s not found" % old)
open(dst, "wb").write(data.replace(old, new))
EOF
	chmod 755 "$1"
}

OLD="$T/goprobe-old"
NEW="$T/goprobe-new"
if [ "$go_minor" -lt 25 ]; then
	cp "$GOPROBE" "$OLD"
	if [ -n "$PYTHON" ] && make_version_copy "$NEW" 25; then :; else NEW=; fi
else
	cp "$GOPROBE" "$NEW"
	if [ -n "$PYTHON" ] && make_version_copy "$OLD" 19; then :; else OLD=; fi
fi

c0=$CPU_FIRST
c01=$(compress_list "$CPU_FIRST" "$CPU_SECOND")

if [ -n "$OLD" ]; then
	PROBE=$OLD
	# auto: a Go < 1.25 binary gets GOMAXPROCS = the planned CPU count.
	probe_check "auto, Go < 1.25, -C $c0: GOMAXPROCS=1 set in the environment" 1 1 -- -C "$c0"
	run env -u GOMAXPROCS "$NUMARUN" -C "$c0" -- "$PROBE"
	expect_out_line "affinity=$c0" "goprobe's sched_getaffinity shows CPU $c0"
	if [ "$NCPUS" -ge 2 ]; then
		if [ "$(cgroup_quota_cpus)" = 1 ]; then
			skip_check "auto, Go < 1.25, -C $c01: GOMAXPROCS=2" "this test runs under a CPU quota of 1"
		else
			probe_check "auto, Go < 1.25, -C $c01: GOMAXPROCS=2" 2 2 -- -C "$c01"
		fi
		run env -u GOMAXPROCS "$NUMARUN" -C "$c01" -- "$PROBE"
		expect_out_line "affinity=$c01" "goprobe's affinity is $c01"
		probe_check "auto, Go < 1.25, -c 1: GOMAXPROCS=1" 1 1 -- -c 1
	fi
	want=$NCPUS
	quota=$(cgroup_quota_cpus)
	if [ -n "$quota" ] && [ "$quota" -lt "$want" ]; then want=$quota; fi
	probe_check "auto, Go < 1.25, no options: GOMAXPROCS = allowed CPUs ($NCPUS), capped by the quota (${quota:-none})" \
		"$want" "$want" --
	probe_check "--gomaxprocs=auto given explicitly" 1 1 -- --gomaxprocs=auto -C "$c0"

	# The user's GOMAXPROCS is kept under auto.
	probe_check "auto keeps GOMAXPROCS=3 set by the user" 3 3 GOMAXPROCS=3 -- -C "$c0"
	# N, keep, off, always.
	probe_check "--gomaxprocs=4 sets 4" 4 4 -- --gomaxprocs=4 -C "$c0"
	probe_check "--gomaxprocs=4 replaces the user's GOMAXPROCS=3" 4 4 GOMAXPROCS=3 -- --gomaxprocs=4
	probe_check "--gomaxprocs=keep leaves it unset (Go sees the affinity: 1)" 1 unset -- --gomaxprocs=keep -C "$c0"
	probe_check "--gomaxprocs=keep keeps the user's 3" 3 3 GOMAXPROCS=3 -- --gomaxprocs=keep -C "$c0"
	probe_check "--gomaxprocs=off removes the user's GOMAXPROCS" 1 unset GOMAXPROCS=3 -- --gomaxprocs=off -C "$c0"
	probe_check "--gomaxprocs=always sets the CPU count" 1 1 -- --gomaxprocs=always -C "$c0"
	probe_check "--gomaxprocs 2 (value as the next argument)" 2 2 -- --gomaxprocs 2 -C "$c0"

	# plan: the Go binary and the reason.
	if [ -n "$PYTHON" ]; then
		run env -u GOMAXPROCS "$NUMARUN" plan --json -C "$c0" -- "$PROBE"
		expect_rc 0 "plan --json -- goprobe"
		expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["value"]]')" \
			'["set",1]' "plan --json -- goprobe (Go < 1.25): gomaxprocs set to 1"
		reason=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["reason"]')
		if [ -n "$reason" ]; then ok "plan --json: gomaxprocs has a reason ($reason)"; else
			not_ok "plan --json: gomaxprocs has a reason" "$(last_details)"; fi
		run env -u GOMAXPROCS "$NUMARUN" plan -C "$c0" -- "$PROBE"
		expect_rc 0 "plan -- goprobe (text)"
		expect_out_match 'GOMAXPROCS' "plan text mentions GOMAXPROCS"
		if [ -n "$reason" ] && grep -Fq -e "$reason" "$T/out"; then
			ok "plan text gives the reason: $reason"
		else
			not_ok "plan text gives the reason: $reason" "$(last_details)"
		fi
		run env GOMAXPROCS=3 "$NUMARUN" plan --json -- "$PROBE"
		expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["action"]')" none \
			"plan --json with GOMAXPROCS already set: action none"
	fi
else
	skip_check "Go < 1.25 checks" "cannot make a Go < 1.25 binary from $go_version"
fi

if [ -n "$NEW" ]; then
	PROBE=$NEW
	# auto: Go >= 1.25 sizes itself from affinity and quota: left unset.
	probe_check "auto, Go >= 1.25: GOMAXPROCS left unset" 1 unset -- -C "$c0"
	probe_check "auto, Go >= 1.25: the user's GOMAXPROCS=3 kept" 3 3 GOMAXPROCS=3 -- -C "$c0"
	probe_check "--gomaxprocs=always, Go >= 1.25: set anyway" 1 1 -- --gomaxprocs=always -C "$c0"
	probe_check "--gomaxprocs=5, Go >= 1.25: 5" 5 5 -- --gomaxprocs=5 -C "$c0"
	if [ -n "$PYTHON" ]; then
		run env -u GOMAXPROCS "$NUMARUN" plan --json -C "$c0" -- "$PROBE"
		expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["action"]')" none \
			"plan --json -- Go >= 1.25 binary: action none"
	fi
else
	skip_check "Go >= 1.25 checks" "cannot make a Go >= 1.25 binary from $go_version"
fi

# Programs that are not Go binaries do not get GOMAXPROCS under auto.
run env -u GOMAXPROCS "$NUMARUN" -C "$c0" -- env
expect_rc 0 "auto -- env"
expect_out_nomatch '^GOMAXPROCS=' "auto: a non-Go program (env) gets no GOMAXPROCS"
run env -u GOMAXPROCS "$NUMARUN" -C "$c0" -- sh -c 'echo "${GOMAXPROCS-unset}"'
expect_out_eq unset "auto: a shell script gets no GOMAXPROCS"
run env -u GOMAXPROCS "$NUMARUN" -C "$c0" --gomaxprocs=always -- env
expect_out_line GOMAXPROCS=1 "--gomaxprocs=always: a non-Go program gets GOMAXPROCS=1"
run env -u GOMAXPROCS "$NUMARUN" --gomaxprocs=7 -- env
expect_out_line GOMAXPROCS=7 "--gomaxprocs=7: a non-Go program gets GOMAXPROCS=7"
run env GOMAXPROCS=9 "$NUMARUN" -- env
expect_out_line GOMAXPROCS=9 "auto: a non-Go program keeps the user's GOMAXPROCS=9"
if [ -n "$PYTHON" ]; then
	run env -u GOMAXPROCS "$NUMARUN" plan --json -- env
	expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["action"]')" none \
		"plan --json -- env: gomaxprocs action none"
fi

# A policy's [runtime] gomaxprocs, and the command line over it.
printf '[runtime]\ngomaxprocs = 2\n' >"$T/gmp.ini"
PROBE=$GOPROBE
probe_check "policy gomaxprocs = 2" 2 2 -- -p "$T/gmp.ini" -C "$c0"
probe_check "--gomaxprocs=keep overrides policy gomaxprocs = 2" 1 unset -- -p "$T/gmp.ini" --gomaxprocs=keep -C "$c0"

# OMP_NUM_THREADS: keep by default, auto sets the planned count when unset.
run env -u OMP_NUM_THREADS "$NUMARUN" -C "$c0" -- env
expect_out_nomatch '^OMP_NUM_THREADS=' "default omp_num_threads = keep: not set"
printf '[runtime]\nomp_num_threads = auto\n' >"$T/omp.ini"
run env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -C "$c0" -- env
expect_out_line OMP_NUM_THREADS=1 "omp_num_threads = auto, -C $c0: OMP_NUM_THREADS=1"
run env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -- env
expect_out_line "OMP_NUM_THREADS=$NCPUS" "omp_num_threads = auto: OMP_NUM_THREADS=$NCPUS (all CPUs)"
run env OMP_NUM_THREADS=6 "$NUMARUN" -p "$T/omp.ini" -- env
expect_out_line OMP_NUM_THREADS=6 "omp_num_threads = auto keeps the user's OMP_NUM_THREADS=6"
printf '[runtime]\nomp_num_threads = off\n' >"$T/omp-off.ini"
run env OMP_NUM_THREADS=6 "$NUMARUN" -p "$T/omp-off.ini" -- env
expect_out_nomatch '^OMP_NUM_THREADS=' "omp_num_threads = off removes OMP_NUM_THREADS"
printf '[runtime]\nomp_num_threads = 3\n' >"$T/omp-3.ini"
run env OMP_NUM_THREADS=6 "$NUMARUN" -p "$T/omp-3.ini" -- env
expect_out_line OMP_NUM_THREADS=3 "omp_num_threads = 3 sets 3"

finish
