#!/bin/sh
# gomaxprocs.sh - GOMAXPROCS, GOMEMLIMIT and OMP_NUM_THREADS for the target,
# checked with a real Go program (tests/progs/goprobe) built, CGO_ENABLED=0, by
# every Go release that can be had here (see GO_BUILDS in lib.sh): numarun sets
# GOMAXPROCS for runtimes that do not size it themselves (before Go 1.25, or a
# go.mod older than 1.25, or GODEBUG=containermaxprocs=0) and leaves it to
# those that do.
. "$(dirname "$0")/lib.sh"
require_numarun

[ -n "${GO-}" ] || [ -x /usr/lib/go-1.19/bin/go ] || skip_all "no Go toolchain (GO is empty)"

# Build the probes; a release that cannot be had is a skip line naming it.
built=
while read -r name rel line; do
	if build_go_probe "$rel" "$line" "$T/$name"; then
		built="$built $name"
		echo "# $name: $("$T/$name" | sed -n 's/^go_version=//p'), module go $line"
	else
		skip_check "goprobe by go$rel as a go $line module" "$go_skip_reason"
	fi
done <<EOB
$GO_BUILDS
EOB
[ -n "$built" ] || skip_all "no Go release could build goprobe"
has() { case " $built " in *" $1 "*) return 0 ;; esac; return 1; }

# probe_check DESC WANT-GOMAXPROCS WANT-ENV [ENV=VAL...] -- NUMARUN-ARGS...
# Runs $PROBE under numarun and checks what the Go runtime and the
# environment say.
probe_check() {
	desc=$1 want_procs=$2 want_env=$3
	shift 3
	envs=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086
	run env -u GOMAXPROCS -u OMP_NUM_THREADS -u GODEBUG -u GOMEMLIMIT $envs "$NUMARUN" "$@" -- "$PROBE"
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

c0=$CPU_FIRST
c01=$(compress_list "$CPU_FIRST" "$CPU_SECOND")
# Go's rule for the CPUs of a plan: min(CPUs, max(2, ceil(leaf quota))); the
# leaf quota of this test's own cgroup is normally none.
leaf_quota=$(cgroup_leaf_quota_cpus)
go_rule() {
	if [ -n "$leaf_quota" ]; then
		q=$leaf_quota
		[ "$q" -ge 2 ] || q=2
		if [ "$q" -lt "$1" ]; then echo "$q"; return; fi
	fi
	echo "$1"
}

# ---- every build: what plan says, and what its runtime then uses ----
for name in $built; do
	PROBE=$T/$name
	case $name in
	go125 | go126) managed=true want_action=none want_env=unset ;;
	*) managed=false want_action=set want_env=$(go_rule "$NCPUS") ;;
	esac
	if [ -n "$PYTHON" ]; then
		run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" plan --json -- "$PROBE"
		expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["managed_by_runtime"]]')" \
			"[\"$want_action\",$managed]" "$name: plan --json gomaxprocs action $want_action, managed_by_runtime $managed"
		expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["go_version"]')" \
			"$("$PROBE" | sed -n 's/^go_version=//p')" "$name: plan --json names the Go release"
	fi
	probe_check "$name: auto, no options: the runtime uses $(go_rule "$NCPUS") (GOMAXPROCS $want_env in its environment)" \
		"$(go_rule "$NCPUS")" "$want_env" --
	probe_check "$name: auto, -C $c0: 1 CPU" 1 "$( [ "$managed" = true ] && echo unset || echo 1)" -- -C "$c0"
	probe_check "$name: the user's GOMAXPROCS=3 is kept" 3 3 GOMAXPROCS=3 -- -C "$c0"
done

# ---- the environment's GODEBUG, over the build's DefaultGODEBUG ----
if has go126; then
	PROBE=$T/go126
	probe_check "go126 with GODEBUG=containermaxprocs=0: numarun sets GOMAXPROCS" 1 1 GODEBUG=containermaxprocs=0 -- -C "$c0"
	probe_check "go126 with GODEBUG=containermaxprocs=0,containermaxprocs=1 (the last wins): left unset" 1 unset \
		GODEBUG=containermaxprocs=0,containermaxprocs=1 -- -C "$c0"
	if [ -n "$PYTHON" ]; then
		run env -u GOMAXPROCS GODEBUG=containermaxprocs=0 "$NUMARUN" plan --json -- "$PROBE"
		expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["managed_by_runtime"]]')" \
			'["set",false]' "go126, GODEBUG=containermaxprocs=0: plan --json action set, not managed"
		reason=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["reason"]')
		case $reason in
		*"GODEBUG=containermaxprocs=0 in the environment"*) ok "the reason names the environment's GODEBUG ($reason)" ;;
		*) not_ok "the reason names the environment's GODEBUG" "reason: $reason" ;;
		esac
		# A policy's [env] is the target's environment too.
		printf '[env]\nGODEBUG = containermaxprocs=0\n' >"$T/godebug.ini"
		run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" plan --json -p "$T/godebug.ini" -- "$PROBE"
		expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["action"]')" set \
			"go126, policy [env] GODEBUG = containermaxprocs=0: action set"
		run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" plan -- "$PROBE"
		expect_out_match '^  Go runtime: +go1\.26[.0-9]* manages GOMAXPROCS itself$' "go126: plan text says the runtime manages it"
	fi
fi
if has go124by126 && [ -n "$PYTHON" ]; then
	run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" plan --json -- "$T/go124by126"
	reason=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["reason"]')
	case $reason in
	*"DefaultGODEBUG has containermaxprocs=0"*) ok "go124by126: the reason names DefaultGODEBUG ($reason)" ;;
	*) not_ok "go124by126: the reason names DefaultGODEBUG" "reason: $reason" ;;
	esac
	# The environment turns it back on.
	run env -u GOMAXPROCS GODEBUG=containermaxprocs=1 "$NUMARUN" plan --json -- "$T/go124by126"
	expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["managed_by_runtime"]]')" \
		'["none",true]' "go124by126 with GODEBUG=containermaxprocs=1: managed, action none"
fi

# ---- the modes, on a runtime numarun sets GOMAXPROCS for ----
OLD=
for name in go124by126 go124 go119; do has "$name" && { OLD=$T/$name; break; }; done
if [ -n "$OLD" ]; then
	PROBE=$OLD
	echo "# modes checked with $(basename "$OLD")"
	run env -u GOMAXPROCS "$NUMARUN" -C "$c0" -- "$PROBE"
	expect_out_line "affinity=$c0" "goprobe's sched_getaffinity shows CPU $c0"
	if [ "$NCPUS" -ge 2 ]; then
		probe_check "auto, -C $c01: GOMAXPROCS=$(go_rule 2)" "$(go_rule 2)" "$(go_rule 2)" -- -C "$c01"
		run env -u GOMAXPROCS "$NUMARUN" -C "$c01" -- "$PROBE"
		expect_out_line "affinity=$c01" "goprobe's affinity is $c01"
		probe_check "auto, -c 1: GOMAXPROCS=1" 1 1 -- -c 1
	fi
	probe_check "--gomaxprocs=auto given explicitly" 1 1 -- --gomaxprocs=auto -C "$c0"
	probe_check "auto replaces a GOMAXPROCS=0 the runtime would ignore" 1 1 GOMAXPROCS=0 -- -C "$c0"
	probe_check "--gomaxprocs=4 sets 4" 4 4 -- --gomaxprocs=4 -C "$c0"
	probe_check "--gomaxprocs=4 replaces the user's GOMAXPROCS=3" 4 4 GOMAXPROCS=3 -- --gomaxprocs=4
	probe_check "--gomaxprocs=keep leaves it unset (Go sees the affinity: 1)" 1 unset -- --gomaxprocs=keep -C "$c0"
	probe_check "--gomaxprocs=keep keeps the user's 3" 3 3 GOMAXPROCS=3 -- --gomaxprocs=keep -C "$c0"
	probe_check "--gomaxprocs=off removes the user's GOMAXPROCS" 1 unset GOMAXPROCS=3 -- --gomaxprocs=off -C "$c0"
	probe_check "--gomaxprocs=always sets the CPU count" 1 1 -- --gomaxprocs=always -C "$c0"
	probe_check "--gomaxprocs 2 (value as the next argument)" 2 2 -- --gomaxprocs 2 -C "$c0"
	if [ -n "$PYTHON" ]; then
		run env -u GOMAXPROCS "$NUMARUN" plan --json -C "$c0" -- "$PROBE"
		expect_rc 0 "plan --json -- goprobe"
		expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["value"]]')" \
			'["set",1]' "plan --json -- goprobe: gomaxprocs set to 1"
		reason=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["reason"]')
		run env -u GOMAXPROCS "$NUMARUN" plan -C "$c0" -- "$PROBE"
		expect_rc 0 "plan -- goprobe (text)"
		if [ -n "$reason" ] && grep -Fq -e "set to 1: $reason" "$T/out"; then
			ok "plan text gives the value and the reason: $reason"
		else
			not_ok "plan text gives the value and the reason: $reason" "$(last_details)"
		fi
		expect_out_match '^  Go runtime: +go1\.[0-9.]+ does not manage GOMAXPROCS itself$' "plan text: the runtime does not manage it"
		run env GOMAXPROCS=3 "$NUMARUN" plan --json -- "$PROBE"
		expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["action"]')" none \
			"plan --json with GOMAXPROCS already set: action none"
	fi
	# A policy's [runtime] gomaxprocs, and the command line over it.
	printf '[runtime]\ngomaxprocs = 2\n' >"$T/gmp.ini"
	probe_check "policy gomaxprocs = 2" 2 2 -- -p "$T/gmp.ini" -C "$c0"
	probe_check "--gomaxprocs=keep overrides policy gomaxprocs = 2" 1 unset -- -p "$T/gmp.ini" --gomaxprocs=keep -C "$c0"
else
	skip_check "GOMAXPROCS modes" "no build whose runtime leaves GOMAXPROCS to numarun"
fi
for name in go126 go125; do
	has "$name" || continue
	PROBE=$T/$name
	probe_check "$name: --gomaxprocs=always: set anyway" 1 1 -- --gomaxprocs=always -C "$c0"
	probe_check "$name: --gomaxprocs=5: 5" 5 5 -- --gomaxprocs=5 -C "$c0"
	break
done

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
	expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["managed_by_runtime"]]')" \
		'["none",null]' "plan --json -- env: gomaxprocs action none, managed_by_runtime null"
fi

# ---- GOMEMLIMIT ----
MEMPROBE=
for name in go126 go125 go124by126 go124 go119; do has "$name" && { MEMPROBE=$T/$name; break; }; done
nolimit=9223372036854775807   # math.MaxInt64: the runtime's "no limit"
if [ -n "$MEMPROBE" ]; then
	run env -u GOMEMLIMIT "$NUMARUN" -- "$MEMPROBE"
	expect_eq "$(out_value memlimit) $(out_value env_GOMEMLIMIT)" "$nolimit unset" "gomemlimit = keep (default): no limit, none set"
	run env GOMEMLIMIT=1GiB "$NUMARUN" -- "$MEMPROBE"
	expect_eq "$(out_value memlimit)" 1073741824 "gomemlimit = keep: the user's GOMEMLIMIT=1GiB reaches the runtime"
	run env GOMEMLIMIT=1GiB "$NUMARUN" --gomemlimit=512MiB -- "$MEMPROBE"
	expect_eq "$(out_value memlimit) $(out_value env_GOMEMLIMIT)" "536870912 536870912" "--gomemlimit=512MiB: 536870912 bytes"
	run env GOMEMLIMIT=1GiB "$NUMARUN" --gomemlimit=off -- "$MEMPROBE"
	expect_eq "$(out_value memlimit) $(out_value env_GOMEMLIMIT)" "$nolimit unset" "--gomemlimit=off removes the user's GOMEMLIMIT"
	run env -u GOMEMLIMIT "$NUMARUN" --gomemlimit=auto -- "$MEMPROBE"
	expect_eq "$(out_value env_GOMEMLIMIT)" unset "--gomemlimit=auto without a bind or preferred policy: not set"
	node=${ALLOWED_MEMS%%[-,]*}
	if [ -n "$PYTHON" ]; then
		run env -u GOMEMLIMIT "$NUMARUN" plan --json -m "$node" --gomemlimit=auto -- "$MEMPROBE"
		action=$(json_get "$T/out" 'j["runtime"]["gomemlimit"]["action"]')
		value=$(json_get "$T/out" 'j["runtime"]["gomemlimit"]["value"]')
		reason=$(json_get "$T/out" 'j["runtime"]["gomemlimit"]["reason"]')
		echo "# -m $node --gomemlimit=auto: $action $value ($reason)"
		# The test's own reading: 90% of the node's MemTotal against the cgroup memory limit.
		node_kib=$(sed -n 's/^Node [0-9]* MemTotal: *\([0-9]*\) kB$/\1/p' "/sys/devices/system/node/node$node/meminfo" 2>/dev/null)
		memcg=$(cgroup_mem_limit_bytes)
		if [ -n "$node_kib" ] && { [ -z "$memcg" ] || [ "$memcg" -gt $((node_kib * 1024)) ]; }; then
			expect_eq "$action" set "-m $node --gomemlimit=auto: node $node holds less than the cgroup allows (${memcg:-no limit}): set"
			lo=$((node_kib * 1024 / 100 * 85)) hi=$((node_kib * 1024 / 100 * 95))
			if [ "$action" = set ] && [ "$value" -ge "$lo" ] && [ "$value" -le "$hi" ]; then
				ok "-m $node --gomemlimit=auto: $value is 90% of the node's memory (MemTotal ${node_kib} kB, hwloc may differ a little)"
			else
				not_ok "-m $node --gomemlimit=auto: about 90% of ${node_kib} kB" "got $action $value"
			fi
			run env -u GOMEMLIMIT "$NUMARUN" -m "$node" --gomemlimit=auto -- "$MEMPROBE"
			expect_eq "$(out_value memlimit) $(out_value env_GOMEMLIMIT)" "$value $value" \
				"-m $node --gomemlimit=auto: the Go runtime's limit is the planned $value"
			run env GOMEMLIMIT=1GiB "$NUMARUN" -m "$node" --gomemlimit=auto -- "$MEMPROBE"
			expect_eq "$(out_value memlimit)" 1073741824 "--gomemlimit=auto keeps the user's GOMEMLIMIT=1GiB"
			run env -u GOMEMLIMIT "$NUMARUN" -m "$node" --gomemlimit=auto -- env
			expect_out_nomatch '^GOMEMLIMIT=' "--gomemlimit=auto: a non-Go program gets no GOMEMLIMIT"
			run env -u GOMEMLIMIT "$NUMARUN" plan -m "$node" --gomemlimit=auto -- "$MEMPROBE"
			expect_out_match "^  GOMEMLIMIT: +set to $value: gomemlimit = auto: 90% of " "plan text: GOMEMLIMIT set, with the share"
		elif [ -n "$node_kib" ]; then
			expect_eq "$action" none "-m $node --gomemlimit=auto: the cgroup limit $memcg is below node $node's memory: not set"
		else
			skip_check "GOMEMLIMIT auto on node $node" "no /sys/devices/system/node/node$node/meminfo"
		fi
	fi
else
	skip_check "GOMEMLIMIT" "no Go build"
fi

# ---- OMP_NUM_THREADS ----
# keep by default; auto sets it only where OpenMP would size its team wrong:
# under a CPU quota below the plan, or when numarun pins individual threads.
omp_quota=$(cgroup_quota_cpus)
run env -u OMP_NUM_THREADS "$NUMARUN" -C "$c0" -- env
expect_out_nomatch '^OMP_NUM_THREADS=' "default omp_num_threads = keep: not set"
printf '[runtime]\nomp_num_threads = auto\n' >"$T/omp.ini"
if [ -z "$omp_quota" ] || [ "$omp_quota" -ge "$NCPUS" ]; then
	run env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -- env
	expect_out_nomatch '^OMP_NUM_THREADS=' "omp_num_threads = auto, no quota below the plan: left to OpenMP (the affinity is the plan)"
	run env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -C "$c0" -- env
	expect_out_nomatch '^OMP_NUM_THREADS=' "omp_num_threads = auto, -C $c0: not set either"
	want=$NCPUS
else
	run env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -- env
	expect_out_line "OMP_NUM_THREADS=$omp_quota" "omp_num_threads = auto under a quota of $omp_quota CPUs: $omp_quota"
	want=$omp_quota
fi
run env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" --threads spread -- env
expect_out_line "OMP_NUM_THREADS=$want" "omp_num_threads = auto with --threads spread: the plan's $want CPUs"
if [ -n "$PYTHON" ]; then
	run env -u OMP_NUM_THREADS "$NUMARUN" plan --json -p "$T/omp.ini" --threads spread
	reason=$(json_get "$T/out" 'j["runtime"]["omp_num_threads"]["reason"]')
	case $reason in
	*"threads = spread"*) ok "omp auto: the reason names the thread pinning ($reason)" ;;
	*) not_ok "omp auto: the reason names the thread pinning" "reason: $reason" ;;
	esac
fi
run env OMP_NUM_THREADS=6 "$NUMARUN" -p "$T/omp.ini" --threads spread -- env
expect_out_line OMP_NUM_THREADS=6 "omp_num_threads = auto keeps the user's OMP_NUM_THREADS=6"
printf '[runtime]\nomp_num_threads = off\n' >"$T/omp-off.ini"
run env OMP_NUM_THREADS=6 "$NUMARUN" -p "$T/omp-off.ini" -- env
expect_out_nomatch '^OMP_NUM_THREADS=' "omp_num_threads = off removes OMP_NUM_THREADS"
printf '[runtime]\nomp_num_threads = 3\n' >"$T/omp-3.ini"
run env OMP_NUM_THREADS=6 "$NUMARUN" -p "$T/omp-3.ini" -- env
expect_out_line OMP_NUM_THREADS=3 "omp_num_threads = 3 sets 3"

finish
