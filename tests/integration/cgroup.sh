#!/bin/sh
# cgroup.sh - a cgroup CPU quota and GOMAXPROCS: where numarun sets
# GOMAXPROCS it follows Go's own rule (min(CPUs, max(2, ceil(quota/period)))
# of the leaf cgroup only, v1 cpu.cfs_quota_us / cpu.cfs_period_us or v2
# cpu.max). Checked against the Go runtime itself: goprobe built by $GO as a
# go 1.24 module (DefaultGODEBUG turns the runtime's cgroup reading off, so
# numarun sets GOMAXPROCS) must get from numarun what the same toolchain's
# runtime computes itself for a module of its own release, in the same
# cgroup. A cgroup cpuset limits what can be planned. Creates cgroups of its
# own (needs root) and removes them on exit.
. "$(dirname "$0")/lib.sh"
require_numarun

[ "$(id -u)" -eq 0 ] || skip_all "creating cgroups needs root"

# The two probes: OLD (numarun sets GOMAXPROCS), NEW (the runtime sizes it).
OLD= NEW=
own=$( [ -n "${GO-}" ] && GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null | sed -n 's/^go\(1\.[0-9]*\).*/\1/p')
own_minor=${own#1.}
if [ -z "$own" ]; then
	quota_skip="no Go toolchain (GO is empty)"
elif [ "$own_minor" -lt 25 ]; then
	quota_skip="\$GO is go$own: comparing with the runtime's own GOMAXPROCS needs Go >= 1.25"
else
	build_go_probe "$own" 1.24 "$T/old" && OLD=$T/old
	build_go_probe "$own" "$own" "$T/new" && NEW=$T/new
	quota_skip=${go_skip_reason:-}
	[ -n "$OLD" ] && [ -n "$NEW" ] || quota_skip="goprobe cannot be built: $quota_skip"
fi
[ -n "$OLD" ] && echo "# numarun's GOMAXPROCS: goprobe by go$own as a go 1.24 module; the runtime's own: as a go $own module"

name="numarun-test-$$"
created=
# Remove the cgroups made here, innermost first. Processes put into them
# have exited by now (each one is a finished run()).
remove_cgroups() {
	for d in $created; do
		[ -d "$d" ] || continue
		i=0
		while ! rmdir "$d" 2>/dev/null && [ "$i" -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		[ -d "$d" ] && echo "# could not remove cgroup $d"
	done
}
cleanup_hook=remove_cgroups

# mkcg DIR: create a cgroup (remembered for removal, innermost first).
mkcg() {
	mkdir "$1" 2>/dev/null || return 1
	created="$1 $created"
}

# in_cgroup DIR CMD...: run CMD (via run) as a process moved into DIR.
in_cgroup() {
	d=$1
	shift
	run sh -c 'echo $$ >"$1/cgroup.procs" || exit 99; shift; exec "$@"' sh "$d" "$@"
}

# quota_check DESC CGROUP [NUMARUN-ARGS...]: in CGROUP, the GOMAXPROCS numarun
# gives OLD equals the one NEW's runtime computes itself (and numarun sets
# none for NEW).
quota_check() {
	qdesc=$1 qcg=$2
	shift 2
	in_cgroup "$qcg" env -u GOMAXPROCS -u GODEBUG "$NUMARUN" "$@" -- "$NEW"
	if [ "$rc" -eq 99 ]; then
		not_ok "$qdesc" "could not move a process into $qcg" "$(last_details)"
		return
	fi
	runtime_procs=$(out_value GOMAXPROCS) runtime_env=$(out_value env_GOMAXPROCS)
	new_details=$(last_details)
	in_cgroup "$qcg" env -u GOMAXPROCS -u GODEBUG "$NUMARUN" "$@" -- "$OLD"
	got_procs=$(out_value GOMAXPROCS)
	got_env=$(out_value env_GOMAXPROCS)
	if [ "$rc" -eq 0 ] && [ -n "$runtime_procs" ] && [ "$runtime_env" = unset ] &&
		[ "$got_procs" = "$runtime_procs" ] && [ "$got_env" = "$runtime_procs" ]; then
		ok "$qdesc: numarun sets GOMAXPROCS=$got_procs, the go$own runtime computes $runtime_procs"
	else
		not_ok "$qdesc: numarun's GOMAXPROCS is the runtime's own" \
			"numarun set GOMAXPROCS=$got_env (the old runtime uses $got_procs)" \
			"the go$own runtime computes $runtime_procs (env GOMAXPROCS $runtime_env)" "$(last_details)" "$new_details"
	fi
}

tested=

# ---- cgroup v1: cpu controller ----
m=$(cgroup_mount_v1 cpu)
p=$(cgroup_path_v1 cpu)
base="$m${p%/}"
if [ -z "$OLD" ]; then
	skip_check "GOMAXPROCS under cgroup CPU quotas" "$quota_skip"
elif [ -n "$m" ] && [ -w "$base" ] && mkcg "$base/$name"; then
	tested=1
	cg="$base/$name"
	echo "# cgroup v1 cpu controller: $cg"
	if echo 100000 >"$cg/cpu.cfs_period_us" && echo 50000 >"$cg/cpu.cfs_quota_us"; then
		quota_check "v1 quota 50000/100000 (0.5 CPU)" "$cg"
		if [ -n "$PYTHON" ]; then
			in_cgroup "$cg" env -u GOMAXPROCS "$NUMARUN" plan --json -- "$OLD"
			expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["value"]')" "$runtime_procs" \
				"v1 quota 0.5 CPU: plan --json gomaxprocs value is the runtime's $runtime_procs"
			expect_eq "$(json_get "$T/out" 'j["cpu_count"]')" "$NCPUS" \
				"v1 quota 0.5 CPU: the quota does not reduce the planned CPUs ($NCPUS)"
			in_cgroup "$cg" env -u GOMAXPROCS "$NUMARUN" plan --json -- "$NEW"
			expect_eq "$(json_get "$T/out" '[j["runtime"]["gomaxprocs"]["action"], j["runtime"]["gomaxprocs"]["managed_by_runtime"]]')" \
				'["none",true]' "v1 quota 0.5 CPU: the go$own-module build is left to its runtime"
		fi
		in_cgroup "$cg" env -u GOMAXPROCS "$NUMARUN" -- env
		expect_out_nomatch '^GOMAXPROCS=' "v1 quota: a non-Go program still gets no GOMAXPROCS"
		in_cgroup "$cg" env GOMAXPROCS=5 "$NUMARUN" -- "$OLD"
		expect_out_line env_GOMAXPROCS=5 "v1 quota: the user's GOMAXPROCS=5 is kept"
		printf '[runtime]\nomp_num_threads = auto\n' >"$T/omp.ini"
		in_cgroup "$cg" env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -- env
		expect_out_line OMP_NUM_THREADS=1 "v1 quota 0.5 CPU: omp_num_threads = auto sets 1 (rounded up, at least 1)"

		echo 100000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 100000/100000 (1 CPU)" "$cg"
		echo 150000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 150000/100000 (1.5 CPUs), $NCPUS CPUs" "$cg"
		if [ "$NCPUS" -ge 2 ]; then
			quota_check "v1 quota 1.5 CPUs with -C $CPU_FIRST" "$cg" -C "$CPU_FIRST"
		fi
		if [ "$NCPUS" -gt 2 ]; then
			in_cgroup "$cg" env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -- env
			expect_out_line OMP_NUM_THREADS=2 "v1 quota 1.5 CPUs: omp_num_threads = auto sets 2"
		fi
		echo 30000 >"$cg/cpu.cfs_period_us"
		echo 60000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 60000/30000 (2 CPUs, other period)" "$cg"
		echo 100000 >"$cg/cpu.cfs_period_us"
		echo 1000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 1000/100000 (0.01 CPU)" "$cg"
		echo -1 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 no quota (-1)" "$cg"
		in_cgroup "$cg" env -u OMP_NUM_THREADS "$NUMARUN" -p "$T/omp.ini" -- env
		expect_out_nomatch '^OMP_NUM_THREADS=' "v1 no quota: omp_num_threads = auto leaves it to OpenMP"

		# A quota on the parent only: Go reads the leaf alone, and so does numarun's rule.
		if mkcg "$cg/child"; then
			echo 50000 >"$cg/cpu.cfs_quota_us"
			quota_check "v1 quota 0.5 CPU on the parent, none on the child" "$cg/child"
			if [ -n "$PYTHON" ]; then
				in_cgroup "$cg/child" env -u GOMAXPROCS "$NUMARUN" plan --json -- "$OLD"
				reason=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["reason"]')
				case $reason in
				*"an ancestor's limit 0.50"*"Go does not read it either"*) ok "v1 parent quota: the reason says so ($reason)" ;;
				*) not_ok "v1 parent quota: the reason names the ancestor's tighter limit" "reason: $reason" ;;
				esac
			fi
			echo 150000 >"$cg/cpu.cfs_quota_us"
			echo 50000 >"$cg/child/cpu.cfs_quota_us"
			quota_check "v1 parent 1.5 CPUs, child 0.5 CPU" "$cg/child"
			echo -1 >"$cg/child/cpu.cfs_quota_us"
			quota_check "v1 parent 1.5 CPUs, child unlimited" "$cg/child"
			echo -1 >"$cg/cpu.cfs_quota_us"
		else
			not_ok "v1: create a child cgroup" "mkdir $cg/child failed"
		fi
	else
		not_ok "v1: set cpu.cfs_quota_us in $cg" "write refused"
	fi
fi

# ---- cgroup v2: cpu.max ----
m=$(cgroup_mount_v2)
p=$(cgroup_path_v2)
base="$m${p%/}"
if [ -n "$OLD" ] && [ -n "$m" ] && [ -z "$(cgroup_mount_v1 cpu)" ] && [ -r "$base/cgroup.controllers" ] &&
	grep -qw cpu "$base/cgroup.controllers" && [ -w "$base" ] && mkcg "$base/$name"; then
	cg="$base/$name"
	if [ -e "$cg/cpu.max" ] || { echo +cpu >"$base/cgroup.subtree_control"; } 2>/dev/null &&
		[ -e "$cg/cpu.max" ]; then
		tested=1
		echo "# cgroup v2: $cg"
		echo "50000 100000" >"$cg/cpu.max"
		quota_check "v2 cpu.max 50000 100000 (0.5 CPU)" "$cg"
		echo "150000 100000" >"$cg/cpu.max"
		quota_check "v2 cpu.max 150000 100000 (1.5 CPUs)" "$cg"
		echo "max 100000" >"$cg/cpu.max"
		quota_check "v2 cpu.max max" "$cg"
		if mkcg "$cg/child" && echo +cpu >"$cg/cgroup.subtree_control"; then
			echo "50000 100000" >"$cg/cpu.max"
			quota_check "v2 cpu.max 0.5 CPU on the parent, max on the child" "$cg/child"
			echo "150000 100000" >"$cg/cpu.max"
			echo "50000 100000" >"$cg/child/cpu.max"
			quota_check "v2 parent 1.5 CPUs, child 0.5 CPU" "$cg/child"
		else
			skip_check "v2 parent/child quotas" "cannot enable the cpu controller for a child"
		fi
	else
		echo "# cgroup v2: the cpu controller cannot be enabled under $base"
	fi
fi

# ---- cgroup v1 cpuset: what may be planned ----
m=$(cgroup_mount_v1 cpuset)
p=$(cgroup_path_v1 cpuset)
base="$m${p%/}"
if [ "$NCPUS" -ge 2 ] && [ -n "$m" ] && [ -w "$base" ] && mkcg "$base/$name"; then
	cg="$base/$name"
	if cat "$base/cpuset.mems" >"$cg/cpuset.mems" && echo "$CPU_SECOND" >"$cg/cpuset.cpus"; then
		tested=1
		echo "# cgroup v1 cpuset: $cg (cpus $CPU_SECOND)"
		in_cgroup "$cg" "$NUMARUN" -- grep Cpus_allowed_list /proc/self/status
		expect_out_match "^Cpus_allowed_list:[[:space:]]+$CPU_SECOND\$" "v1 cpuset $CPU_SECOND: the target runs there"
		if [ -n "$PYTHON" ]; then
			in_cgroup "$cg" "$NUMARUN" plan --json
			expect_eq "$(json_get "$T/out" 'j["allowed"]["cpus"]')" "$CPU_SECOND" \
				"v1 cpuset $CPU_SECOND: plan --json allowed cpus"
			in_cgroup "$cg" "$NUMARUN" plan --json -C +0
			expect_eq "$(json_get "$T/out" 'j["cpus"]')" "$CPU_SECOND" "v1 cpuset: -C +0 is the cpuset's first CPU"
		fi
		in_cgroup "$cg" "$NUMARUN" -C "$CPU_FIRST" -- true
		expect_rc 2 "v1 cpuset $CPU_SECOND: -C $CPU_FIRST is outside the cpuset"
		expect_err_fixed "$CPU_SECOND" "v1 cpuset: the message names the allowed CPU $CPU_SECOND"
		in_cgroup "$cg" "$NUMARUN" -c 2 -- true
		expect_rc 2 "v1 cpuset of one CPU: -c 2 is more than allowed"
	fi
fi

# ---- cgroup v2 cpuset ----
m=$(cgroup_mount_v2)
p=$(cgroup_path_v2)
base="$m${p%/}"
if [ "$NCPUS" -ge 2 ] && [ -n "$m" ] && [ -r "$base/cgroup.controllers" ] &&
	grep -qw cpuset "$base/cgroup.controllers" && [ -d "$base/$name" ]; then
	cg="$base/$name"
	if { [ -e "$cg/cpuset.cpus" ] || echo +cpuset >"$base/cgroup.subtree_control"; } 2>/dev/null &&
		mkcg "$cg/cs" 2>/dev/null && { echo +cpuset >"$cg/cgroup.subtree_control"; } 2>/dev/null &&
		echo "$CPU_SECOND" >"$cg/cs/cpuset.cpus" 2>/dev/null; then
		tested=1
		in_cgroup "$cg/cs" "$NUMARUN" -C "$CPU_FIRST" -- true
		expect_rc 2 "v2 cpuset $CPU_SECOND: -C $CPU_FIRST is outside the cpuset"
		in_cgroup "$cg/cs" "$NUMARUN" -- grep Cpus_allowed_list /proc/self/status
		expect_out_match "^Cpus_allowed_list:[[:space:]]+$CPU_SECOND\$" "v2 cpuset $CPU_SECOND: the target runs there"
	fi
fi

[ -n "$tested" ] || skip_all "no writable cgroup cpu controller (v1 or v2)"
finish
