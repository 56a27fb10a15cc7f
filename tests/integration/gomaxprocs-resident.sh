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

finish
