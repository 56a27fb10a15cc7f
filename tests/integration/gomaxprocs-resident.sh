#!/bin/sh
# gomaxprocs-resident.sh - GOMAXPROCS stays what the plan says while numarun
# pins the target's threads (resident mode). Go >= 1.25 recomputes GOMAXPROCS
# once a second from the affinity of its sysmon thread; numarun pins threads
# to one CPU each, so without an explicit GOMAXPROCS the runtime would fall to
# 1. tests/progs/gomaxprocs-watch prints runtime.GOMAXPROCS(0) every 100 ms
# for 3 s; it is built by every Go release that can be had (GO_BUILDS).
. "$(dirname "$0")/lib.sh"
require_numarun

[ -n "${GO-}" ] || [ -x /usr/lib/go-1.19/bin/go ] || skip_all "no Go toolchain (GO is empty)"
[ -n "$PYTHON" ] || skip_all "python3 is needed to read plan --json"
[ "$NCPUS" -ge 2 ] || skip_all "one CPU: pinning a thread cannot lower GOMAXPROCS"

built=
while read -r name rel line; do
	if build_go_probe "$rel" "$line" "$T/$name" gomaxprocs-watch; then
		built="$built $name"
	else
		skip_check "gomaxprocs-watch by go$rel as a go $line module" "$go_skip_reason"
	fi
done <<EOB
$GO_BUILDS
EOB
[ -n "$built" ] || skip_all "no Go release could build gomaxprocs-watch"

# values: the distinct GOMAXPROCS values printed, with counts ("31x2").
values() {
	sed -n 's/^gomaxprocs=//p' "$T/out" | sort -n | uniq -c | awk '{ printf "%s%dx%s", sep, $1, $2; sep = " " }'
}

for name in $built; do
	W=$T/$name
	for mode in "--threads spread --interval 100ms" "--threads spread --monitor --interval 100ms"; do
		# shellcheck disable=SC2086
		run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" plan --json $mode -- "$W"
		want=$(json_get "$T/out" 'j["cpu_count"]')
		action=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["action"]')
		value=$(json_get "$T/out" 'j["runtime"]["gomaxprocs"]["value"]')
		# Go's rule caps the plan by the leaf cgroup's quota (at least 2).
		q=$(cgroup_leaf_quota_cpus)
		if [ -n "$q" ]; then
			[ "$q" -ge 2 ] || q=2
			[ "$q" -ge "$want" ] || want=$q
		fi
		expect_eq "$action $value" "set $want" "$name, $mode: plan sets GOMAXPROCS to $want"
		# shellcheck disable=SC2086
		run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" $mode -- "$W"
		n=$(grep -c '^gomaxprocs=' "$T/out")
		bad=$(sed -n 's/^gomaxprocs=//p' "$T/out" | grep -vx "$want" | head -n 1)
		if [ "$rc" -eq 0 ] && [ "$n" -ge 25 ] && [ -z "$bad" ]; then
			ok "$name, $mode: all $n values are $want"
		else
			not_ok "$name, $mode: every GOMAXPROCS value is $want" "values: $(values)" "$(last_details)"
		fi
	done
	# Without numarun's GOMAXPROCS, for the record: what the runtime does on its own under pinning.
	run env -u GOMAXPROCS -u GODEBUG "$NUMARUN" --threads spread --interval 100ms --gomaxprocs=keep -- "$W"
	echo "# $name under --threads spread with --gomaxprocs=keep: GOMAXPROCS $(values)"
done

# The cpuset shrinks under a resident numarun (v1 or v2, where this machine lets the test make one): the
# replan event says what becomes of GOMAXPROCS. numarun's own GOMAXPROCS cannot change in a running
# process; a runtime that manages it (Go >= 1.25) follows by itself; older ones read it once.
cpuset_dir=
m=$(cgroup_mount_v1 cpuset)
p=$(cgroup_path_v1 cpuset)
if [ -n "$m" ] && [ -w "$m${p%/}" ]; then
	cpuset_dir="$m${p%/}/numarun-gmp-$$"
	if mkdir "$cpuset_dir" 2>/dev/null && cat "$m${p%/}/cpuset.mems" >"$cpuset_dir/cpuset.mems"; then :; else
		cpuset_dir=
	fi
fi
rm_cpuset() { [ -n "$cpuset_dir" ] && rmdir "$cpuset_dir" 2>/dev/null; }
cleanup_hook=rm_cpuset
set -- $(expand_list "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)")
if [ -n "$cpuset_dir" ] && [ $# -ge 2 ]; then
	both="$1,$2"
	for name in $built; do
		W=$T/$name
		for knob in auto keep; do
			echo "$both" >"$cpuset_dir/cpuset.cpus"
			rm -f "$T/ev"
			# gomaxprocs-watch runs 3 s; the cpuset shrinks to one CPU after 1 s.
			sh -c "echo \$\$ >'$cpuset_dir/tasks'; exec env -u GOMAXPROCS -u GODEBUG '$NUMARUN' --monitor --interval 100ms \
				--gomaxprocs=$knob --events '$T/ev' -- '$W'" >"$T/out" 2>"$T/err" &
			bg=$!
			sleep 1
			echo "$2" >"$cpuset_dir/cpuset.cpus"
			wait "$bg"
			ev=$(grep '"event":"replan"' "$T/ev" | head -n 1)
			if [ -z "$ev" ]; then
				not_ok "$name, --gomaxprocs=$knob: a replan event when the cpuset shrinks" "$(cat "$T/err")"
				continue
			fi
			after=$(sed -n 's/^gomaxprocs=//p' "$T/out" | tail -n 1)
			case $knob:$name in
			*:go125 | *:go126)
				# auto leaves GOMAXPROCS to a runtime that manages it (numarun pins nothing here).
				echo "$ev" | grep -q 'updates GOMAXPROCS itself from the new CPU set' &&
					[ "$after" = 1 ] && ok "$name, $knob: the runtime follows the new CPU set itself (1), as the event says" ||
					not_ok "$name, $knob: the runtime follows the new CPU set itself, as the event says" "event: $ev" "last value $after" ;;
			auto:*)
				echo "$ev" | grep -q '"gomaxprocs":"GOMAXPROCS stays 2 (numarun set it in the environment' &&
					[ "$after" = 2 ] && ok "$name: GOMAXPROCS numarun set stays 2, and the replan event says so" ||
					not_ok "$name: GOMAXPROCS numarun set stays 2, and the replan event says so" "event: $ev" "last value $after" ;;
			keep:*)
				echo "$ev" | grep -q 'sized GOMAXPROCS once at its start and cannot follow' &&
					[ "$after" = 2 ] && ok "$name, keep: the runtime keeps 2 and the event says it cannot follow" ||
					not_ok "$name, keep: the event says the runtime cannot follow" "event: $ev" "last value $after" ;;
			esac
		done
	done
else
	skip_check "GOMAXPROCS when the cpuset shrinks" "no writable v1 cpuset hierarchy or one CPU"
fi

finish
