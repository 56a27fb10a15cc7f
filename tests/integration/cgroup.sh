#!/bin/sh
# cgroup.sh - a cgroup CPU quota caps GOMAXPROCS (v1 cpu.cfs_quota_us /
# cpu.cfs_period_us, v2 cpu.max; ancestors too, the smallest limit wins), and
# a cgroup cpuset limits what can be planned. Creates cgroups of its own
# (needs root) and removes them on exit.
. "$(dirname "$0")/lib.sh"
require_numarun

[ "$(id -u)" -eq 0 ] || skip_all "creating cgroups needs root"
build_goprobe || skip_all "no Go toolchain (GO is empty)"
[ -x "$GOPROBE" ] || fail_all "goprobe was not built at $GOPROBE"
"$GOPROBE" >"$T/ver"
go_minor=$(sed -n 's/^go_version=go1\.\([0-9]*\).*/\1/p' "$T/ver")
[ -n "$go_minor" ] && [ "$go_minor" -lt 25 ] ||
	skip_all "goprobe is built with Go >= 1.25, for which numarun leaves GOMAXPROCS alone"

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

# quota_check DESC CGROUP WANT: goprobe under numarun in CGROUP sees WANT.
quota_check() {
	in_cgroup "$2" env -u GOMAXPROCS "$NUMARUN" -- "$GOPROBE"
	if [ "$rc" -eq 99 ]; then
		not_ok "$1" "could not move a process into $2" "$(last_details)"
		return
	fi
	got_procs=$(out_value GOMAXPROCS)
	got_env=$(out_value env_GOMAXPROCS)
	if [ "$rc" -eq 0 ] && [ "$got_procs" = "$3" ] && [ "$got_env" = "$3" ]; then
		ok "$1: GOMAXPROCS=$3"
	else
		not_ok "$1: GOMAXPROCS=$3" "got GOMAXPROCS=$got_procs env_GOMAXPROCS=$got_env" "$(last_details)"
	fi
}

# min A B
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

# The quota this test runs under already (normally none).
outer=$(cgroup_quota_cpus)
cap() { if [ -n "$outer" ]; then min "$1" "$outer"; else echo "$1"; fi; }

tested=

# ---- cgroup v1: cpu controller ----
m=$(cgroup_mount_v1 cpu)
p=$(cgroup_path_v1 cpu)
base="$m${p%/}"
if [ -n "$m" ] && [ -w "$base" ] && mkcg "$base/$name"; then
	tested=1
	cg="$base/$name"
	echo "# cgroup v1 cpu controller: $cg"
	if echo 100000 >"$cg/cpu.cfs_period_us" && echo 50000 >"$cg/cpu.cfs_quota_us"; then
		quota_check "v1 quota 50000/100000 (0.5 CPU)" "$cg" "$(cap 1)"
		if [ -n "$PYTHON" ]; then
			in_cgroup "$cg" env -u GOMAXPROCS "$NUMARUN" plan --json -- "$GOPROBE"
			expect_eq "$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["value"]')" "$(cap 1)" \
				"v1 quota 0.5 CPU: plan --json gomaxprocs value 1"
			expect_eq "$(json_get "$T/out" 'j["cpu_count"]')" "$NCPUS" \
				"v1 quota 0.5 CPU: the quota does not reduce the planned CPUs ($NCPUS)"
		fi
		in_cgroup "$cg" env -u GOMAXPROCS "$NUMARUN" -- env
		expect_out_nomatch '^GOMAXPROCS=' "v1 quota: a non-Go program still gets no GOMAXPROCS"
		in_cgroup "$cg" env GOMAXPROCS=5 "$NUMARUN" -- "$GOPROBE"
		expect_out_line env_GOMAXPROCS=5 "v1 quota: the user's GOMAXPROCS=5 is kept"

		echo 150000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 150000/100000 (1.5 CPUs), $NCPUS CPUs" "$cg" "$(cap "$(min 2 "$NCPUS")")"
		if [ "$NCPUS" -ge 2 ]; then
			in_cgroup "$cg" env -u GOMAXPROCS "$NUMARUN" -C "$CPU_FIRST" -- "$GOPROBE"
			expect_out_line GOMAXPROCS=1 "v1 quota 1.5 CPUs with -C $CPU_FIRST: the CPU count (1) is smaller"
		fi
		echo 30000 >"$cg/cpu.cfs_period_us"
		echo 60000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 60000/30000 (2 CPUs, other period)" "$cg" "$(cap "$(min 2 "$NCPUS")")"
		echo 100000 >"$cg/cpu.cfs_period_us"
		echo 1000 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 quota 1000/100000 (0.01 CPU): at least 1" "$cg" 1
		echo -1 >"$cg/cpu.cfs_quota_us"
		quota_check "v1 no quota (-1): all CPUs" "$cg" "$(cap "$NCPUS")"

		# A quota on the parent only still applies to the child.
		if mkcg "$cg/child"; then
			echo 50000 >"$cg/cpu.cfs_quota_us"
			quota_check "v1 quota 0.5 CPU on the parent, none on the child" "$cg/child" 1
			# The smallest limit wins (v1 requires child <= parent).
			echo 150000 >"$cg/cpu.cfs_quota_us"
			echo 50000 >"$cg/child/cpu.cfs_quota_us"
			quota_check "v1 parent 1.5 CPUs, child 0.5 CPU: the child's wins" "$cg/child" 1
			echo -1 >"$cg/child/cpu.cfs_quota_us"
			quota_check "v1 parent 1.5 CPUs, child unlimited: the parent's wins" "$cg/child" \
				"$(cap "$(min 2 "$NCPUS")")"
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
if [ -n "$m" ] && [ -r "$base/cgroup.controllers" ] && grep -qw cpu "$base/cgroup.controllers" &&
	[ -w "$base" ] && mkcg "$base/$name"; then
	cg="$base/$name"
	if [ -e "$cg/cpu.max" ] || { echo +cpu >"$base/cgroup.subtree_control"; } 2>/dev/null &&
		[ -e "$cg/cpu.max" ]; then
		tested=1
		echo "# cgroup v2: $cg"
		echo "50000 100000" >"$cg/cpu.max"
		quota_check "v2 cpu.max 50000 100000 (0.5 CPU)" "$cg" 1
		echo "150000 100000" >"$cg/cpu.max"
		quota_check "v2 cpu.max 150000 100000 (1.5 CPUs)" "$cg" "$(cap "$(min 2 "$NCPUS")")"
		echo "max 100000" >"$cg/cpu.max"
		quota_check "v2 cpu.max max: all CPUs" "$cg" "$(cap "$NCPUS")"
		if mkcg "$cg/child" && echo +cpu >"$cg/cgroup.subtree_control"; then
			echo "50000 100000" >"$cg/cpu.max"
			quota_check "v2 cpu.max 0.5 CPU on the parent, max on the child" "$cg/child" 1
			echo "150000 100000" >"$cg/cpu.max"
			echo "50000 100000" >"$cg/child/cpu.max"
			quota_check "v2 parent 1.5 CPUs, child 0.5 CPU: the smallest wins" "$cg/child" 1
			echo "50000 100000" >"$cg/cpu.max"
			echo "150000 100000" >"$cg/child/cpu.max"
			quota_check "v2 parent 0.5 CPU, child 1.5 CPUs: the smallest wins" "$cg/child" 1
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
