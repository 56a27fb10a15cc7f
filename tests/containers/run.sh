#!/bin/sh
# run.sh - numarun in real containers (podman + runc, no daemon): PID 1 and signals, capabilities, seccomp
# profiles, the Kubernetes hand-off (two containers on different cpusets sharing a volume, and a Pod
# manifest with an init container through podman kube play), podman update of the cpuset, and the files
# in contrib/. Run by make check-containers.
#
# Environment: NUMARUN_STATIC (the static numarun; default $top_builddir/launcher/numarun-static),
# top_srcdir, top_builddir, NUMARUN_CONTAINERS_CACHE (where the Debian rootfs made by debootstrap is kept;
# default ${XDG_CACHE_HOME:-$HOME/.cache}/numarun/containers), NUMARUN_CONTAINERS_MIRROR (the Debian
# mirror for debootstrap; default the first deb.debian.org-like URI of apt's sources, else
# http://deb.debian.org/debian).
# Exit status: 0 pass, 1 a check failed, 77 no container engine can run here.
# The engine's settings are this test's own: a containers.conf passed through CONTAINERS_CONF (runc, and
# ulimits this machine can grant); nothing under /etc is changed.

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/integration/lib.sh"
: "${NUMARUN_STATIC:=$top_builddir/launcher/numarun-static}"
CACHE=${NUMARUN_CONTAINERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/numarun/containers}
TAG=$$
PREFIX=localhost/numarun-ct
containers=
cleanup_containers() {
	for c in $containers; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
	podman pod rm -f numarun-example >/dev/null 2>&1
	for i in scratch test example example-app; do
		podman rmi -f "$PREFIX-$i:$TAG" >/dev/null 2>&1
	done
	podman rmi -f localhost/numarun-example:latest localhost/numarun-example-app:latest >/dev/null 2>&1
}
cleanup_hook=cleanup_containers

# ---- the engine ----
command -v podman >/dev/null 2>&1 || skip_all "podman is not installed"
command -v runc >/dev/null 2>&1 || skip_all "runc is not installed"
[ -x "$NUMARUN_STATIC" ] || fail_all "no static numarun at $NUMARUN_STATIC (configure --enable-static-numarun)"
cat >"$T/containers.conf" <<EOF
[engine]
runtime = "runc"
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
EOF
CONTAINERS_CONF=$T/containers.conf
export CONTAINERS_CONF
BUSYBOX=$(command -v busybox)
case $(file -b "$BUSYBOX" 2>/dev/null) in *static*) ;; *) skip_all "busybox is not static (install busybox-static)" ;; esac

# A FROM scratch image: the static numarun and busybox, nothing else (a distroless-like app image too).
mkdir -p "$T/scratch/bin"
cp "$NUMARUN_STATIC" "$T/scratch/numarun"
cp "$BUSYBOX" "$T/scratch/bin/busybox"
for a in sh cat grep sleep true cp ls wc head sed kill tr; do ln -s busybox "$T/scratch/bin/$a"; done
printf 'FROM scratch\nCOPY bin /bin\nCOPY numarun /numarun\n' >"$T/scratch/Containerfile"
if ! podman build -q --pull=never -t "$PREFIX-scratch:$TAG" "$T/scratch" >"$T/build.log" 2>&1; then
	cat "$T/build.log"
	skip_all "podman cannot build an image here"
fi
IMG=$PREFIX-scratch:$TAG
if ! podman run --rm --pull=never "$IMG" /bin/true >"$T/run.log" 2>&1; then
	cat "$T/run.log"
	skip_all "podman cannot run a container here"
fi
echo "# engine: $(podman --version), runtime $(runc --version | head -1)"

# prun ARG...: podman run --rm --pull=never with the test's output files, as run() does.
prun() {
	run podman run --rm --pull=never "$@"
}
# status_of NAME: the exit code of a stopped container.
status_of() {
	podman inspect --format '{{.State.ExitCode}}' "$1" 2>/dev/null
}
# wait_file FILE PATTERN SECONDS: until FILE has a line matching PATTERN.
wait_file() {
	n=0
	while [ "$n" -lt "$(($3 * 10))" ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# stop_container NAME TIMEOUT WHAT IMAGE [ARG...]: start a container, podman stop it after 1 s; sets
# stop_s (seconds the stop took) and stop_status (its exit code) and prints both.
stop_container() {
	_name=$1 _timeout=$2 _what=$3
	shift 3
	containers="$containers $_name"
	podman run -d --pull=never --name "$_name" "$@" >/dev/null
	sleep 1
	_t0=$(now)
	podman stop -t "$_timeout" "$_name" >/dev/null 2>&1
	stop_s=$(elapsed "$_t0" "$(now)")
	stop_status=$(status_of "$_name")
	echo "# podman stop, $_what: $stop_s s, status $stop_status"
	podman rm -f "$_name" >/dev/null 2>&1
}
# stopped_at_once WHAT: the last stop_container ended with SIGTERM (143) well before its timeout.
stopped_at_once() {
	if [ "$stop_status" = 143 ] && awk -v s="$stop_s" 'BEGIN { exit !(s < 5) }'; then
		ok "$1 (143, $stop_s s)"
	else
		not_ok "$1" "status $stop_status, $stop_s s"
	fi
}
ncpu=$(nproc)

# ---- PID 1: stays the init, forwards, reaps, exits with the target's status ----
prun "$IMG" /numarun -- sh -c 'exit 7'
expect_rc 7 "PID 1: the target's exit status passes through"
prun "$IMG" /numarun -- sh -c 'kill -USR1 $$; sleep 1'
expect_rc 138 "PID 1: a target killed by SIGUSR1: 128+10"
prun "$IMG" /numarun -- sh -c '(sleep 0.3 &) ; sleep 1.5; grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l'
expect_rc 0 "PID 1: orphans are reaped"
expect_out_match '^0$' "PID 1: no zombie left after the orphan ended"

stop_container "nrct-stop-$TAG" 10 "numarun as PID 1 (resident)" "$IMG" /numarun -- sleep 1000
stopped_at_once "PID 1: podman stop ends the target with SIGTERM at once"
stop_container "nrct-exec-$TAG" 2 "--exec (sleep is PID 1)" "$IMG" /numarun --exec -- sleep 1000
if [ "$stop_status" = 137 ]; then
	ok "--exec: the exec'd PID 1 ignores SIGTERM and is killed after the timeout (137, $stop_s s): why numarun stays the init"
else
	not_ok "--exec: the exec'd PID 1 is killed after the timeout" "status $stop_status, $stop_s s"
fi

name=nrct-usr1-$TAG
containers="$containers $name"
podman run -d --pull=never --name "$name" "$IMG" /numarun -- sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done' >/dev/null
sleep 1
podman kill --signal USR1 "$name" >/dev/null 2>&1
podman wait "$name" >/dev/null 2>&1
expect_eq "$(status_of "$name")" 42 "PID 1: podman kill --signal USR1 reaches the target (it exits 42)"
podman rm -f "$name" >/dev/null 2>&1

# ---- capabilities: the target's sets are what they would be without numarun ----
capsets='grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
for opts in "" "--cap-add SYS_NICE" "--cap-drop ALL" "--user 1000:1000" "--cap-drop ALL --cap-add SYS_NICE"; do
	# shellcheck disable=SC2086
	prun $opts "$IMG" sh -c "$capsets"
	cp "$T/out" "$T/caps-direct"
	for mode in "--exec" "" "--threads spread"; do
		# shellcheck disable=SC2086
		prun $opts "$IMG" /numarun $mode -- sh -c "$capsets"
		if [ "$rc" = 0 ] && cmp -s "$T/out" "$T/caps-direct"; then
			ok "capabilities [${opts:-default}] numarun ${mode:-(PID 1 resident)}: the target's five sets are unchanged"
		else
			not_ok "capabilities [${opts:-default}] numarun ${mode:-(PID 1 resident)}: the target's five sets are unchanged" \
				"without numarun:" "$(cat "$T/caps-direct")" "$(last_details)"
		fi
	done
	[ -z "$opts" ] && echo "# capabilities of the target (default container):" && sed 's/^/#   /' "$T/caps-direct"
done
# What numarun itself holds after the launch (it is PID 1; the target reads /proc/1/status).
held() {
	sed -n 's/^CapEff:[[:space:]]*//p' "$T/out"
}
# numarun drops them just after the exec: the target waits for it (at most 10 s) rather than race it.
prun "$IMG" /numarun -- sh -c 'mine=$(grep ^CapEff /proc/self/status); i=0
	while [ "$(grep ^CapEff /proc/1/status)" = "$mine" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	grep ^CapEff /proc/1/status'
expect_eq "$(held)" 0000000000000020 "numarun as PID 1 without monitoring keeps CAP_KILL only (to signal a target that switches user)"
# podman's default set has neither CAP_SYS_NICE nor CAP_SYS_PTRACE: to set the target's CPUs numarun must
# then hold every capability the target holds (the kernel's rule), and keeps them.
prun "$IMG" /numarun --threads spread --interval 200ms -- sh -c 'sleep 1; grep ^CapEff /proc/1/status; grep ^CapEff /proc/self/status; grep ^Cpus_allowed_list /proc/self/status'
if [ "$rc" = 0 ] && [ "$(sed -n 1p "$T/out" | cut -f2)" = "$(sed -n 2p "$T/out" | cut -f2)" ]; then
	ok "numarun --threads (podman's default capabilities, no CAP_SYS_NICE): keeps the target's capabilities"
else
	not_ok "numarun --threads (podman's default capabilities, no CAP_SYS_NICE): keeps the target's capabilities" "$(last_details)"
fi
expect_out_match "^Cpus_allowed_list:[[:space:]]+[0-9]+$" "numarun --threads (no CAP_SYS_NICE): the target's thread is pinned to one CPU"
prun --cap-add SYS_NICE "$IMG" /numarun --threads spread --interval 200ms -- sh -c 'sleep 1; grep ^CapEff /proc/1/status; grep ^Cpus_allowed_list /proc/self/status'
expect_eq "$(held)" 0000000000800020 "numarun --threads (--cap-add SYS_NICE): keeps CAP_KILL and CAP_SYS_NICE only"
expect_out_match "^Cpus_allowed_list:[[:space:]]+[0-9]+$" "numarun --threads (CAP_SYS_NICE): the target's thread is pinned to one CPU"
prun --cap-add ALL "$IMG" /numarun --threads spread -- sh -c 'sleep 0.5; grep -E "^Cap(Eff|Prm|Bnd|Amb)" /proc/1/status'
expect_out_eq "$(printf 'CapPrm:\t0000000000800020\nCapEff:\t0000000000800020\nCapBnd:\t0000000000800020\nCapAmb:\t0000000000000000')" \
	"numarun --threads (--cap-add ALL): permitted, effective and bounding sets down to CAP_KILL and CAP_SYS_NICE"
prun --cap-add SYS_NICE --cap-add SYS_PTRACE "$IMG" /numarun --monitor --interval 200ms -- sh -c 'sleep 1; grep ^CapEff /proc/1/status'
expect_eq "$(held)" 0000000000880020 "numarun --monitor: keeps CAP_KILL, CAP_SYS_NICE and CAP_SYS_PTRACE only"
prun --user 1000:1000 "$IMG" /numarun --threads spread -- sh -c 'sleep 0.5; grep ^CapEff /proc/1/status'
expect_eq "$(held)" 0000000000000000 "numarun as another user than root holds nothing"
prun "$IMG" /numarun -v --threads spread -- true
expect_err_match "capabilities: dropped [0-9]+; kept CAP_KILL \(forwarding signals" "-v: numarun says what it kept and why"
echo "# held by a resident numarun: $(grep 'capabilities: dropped' "$T/err" | sed 's/^numarun: //')"
prun "$IMG" /numarun plan --threads spread -- true
expect_out_match "^  keeps: +CAP_KILL \(held\): forwarding signals" "plan shows what a resident numarun keeps and why"
expect_out_match "^  seccomp: +filter on" "plan shows the seccomp filter"

# ---- seccomp ----
first=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | cut -d, -f1 | cut -d- -f1)
memcheck="grep -E '^(Cpus|Mems)_allowed_list' /proc/self/status; grep -c 'bind:0' /proc/self/numa_maps || true"
prun "$IMG" /numarun -C "$first" -m 0 -- sh -c "$memcheck"
expect_rc 0 "seccomp (podman's default profile): -C $first -m 0 launches"
expect_out_match "^[1-9][0-9]*$" "seccomp (podman's default profile): the memory policy is in effect (bind:0 in numa_maps)"
expect_err_empty "seccomp (podman's default profile): no warning"
prun "$IMG" /numarun --threads spread --monitor --action migrate --interval 200ms -- sleep 0.5
expect_rc 0 "seccomp (podman's default): --action migrate still runs"
expect_err_match "migrate_pages: EPERM from the seccomp filter" "seccomp (podman's default): migrate_pages is refused by the filter, and numarun says so"
expect_err_match "moving threads instead of migrating pages" "seccomp (podman's default): thread moves instead of migrations"
echo "# podman's default profile: $(grep -o 'migrate_pages: [^;]*' "$T/err" | head -1)"
prun "$IMG" /numarun --strict --threads spread --monitor --action migrate -- sh -c 'echo STARTED'
expect_rc 1 "seccomp (podman's default): --strict refuses to launch without migrations (exit 1)"
expect_out_nomatch STARTED "seccomp (podman's default): --strict: the target did not run"

# Docker's rule without CAP_SYS_NICE: the NUMA memory-policy calls fail with EPERM.
python3 - /usr/share/containers/seccomp.json >"$T/refuse-numa.json" <<'EOF'
import json, sys
calls = ["get_mempolicy", "set_mempolicy", "mbind"]
p = json.load(open(sys.argv[1]))
rules = []
for r in p["syscalls"]:
    names = [n for n in r.get("names", []) if n not in calls]
    if names:
        rules.append(dict(r, names=names))
rules.append({"names": calls, "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
json.dump(dict(p, syscalls=rules), sys.stdout)
EOF
prun --security-opt seccomp="$T/refuse-numa.json" "$IMG" /numarun -C "$first" -m 0 -- sh -c "$memcheck"
expect_rc 0 "seccomp (set_mempolicy refused): the launch goes on"
expect_out_match "^Cpus_allowed_list:[[:space:]]+$first$" "seccomp (set_mempolicy refused): the CPU binding is kept"
expect_out_match "^0$" "seccomp (set_mempolicy refused): no memory policy"
expect_err_match "EPERM from the seccomp filter" "seccomp (set_mempolicy refused): told apart from a missing capability"
expect_err_match "--cap-add SYS_NICE" "seccomp (set_mempolicy refused): the fix is named"
expect_err_match "launching without it" "seccomp (set_mempolicy refused): what was dropped is said"
echo "# Docker-like profile: $(head -1 "$T/err")"
prun --security-opt seccomp="$T/refuse-numa.json" "$IMG" /numarun --strict -C "$first" -m 0 -- sh -c 'echo STARTED'
expect_rc 1 "seccomp (set_mempolicy refused): --strict refuses (exit 1)"
expect_out_nomatch STARTED "seccomp (set_mempolicy refused): --strict: the target did not run"
prun --security-opt seccomp="$T/refuse-numa.json" "$IMG" /numarun --threads spread -C "$first" -m 0 -- sh -c "$memcheck"
expect_rc 0 "seccomp (set_mempolicy refused): resident mode goes on too"
expect_out_match "^0$" "seccomp (set_mempolicy refused): resident: no memory policy"
prun --security-opt seccomp="$T/refuse-numa.json" "$IMG" /numarun plan -m 0 -- true
expect_out_match "^  left out: +memory policy bind on nodes 0" "seccomp (set_mempolicy refused): plan shows what would be left out"

# contrib/docker/seccomp-numa.json: the NUMA calls without CAP_SYS_NICE.
profile=$top_srcdir/contrib/docker/seccomp-numa.json
prun --cap-drop ALL --security-opt seccomp="$profile" "$IMG" /numarun -C "$first" -m 0 -- sh -c "$memcheck"
expect_rc 0 "seccomp-numa.json, no capabilities: -m 0 launches"
expect_out_match "^[1-9][0-9]*$" "seccomp-numa.json, no capabilities: the memory policy is in effect"
expect_err_empty "seccomp-numa.json, no capabilities: no warning"
prun --cap-drop ALL --security-opt seccomp="$profile" "$IMG" /numarun --threads spread --monitor --action migrate \
	--interval 200ms -- sleep 0.5
expect_rc 0 "seccomp-numa.json: --action migrate runs"
expect_err_nomatch() { # PATTERN DESCRIPTION
	if grep -Eq -e "$1" "$T/err"; then not_ok "$2" "$(last_details)"; else ok "$2"; fi
}
expect_err_nomatch "migrate_pages" "seccomp-numa.json: migrate_pages is allowed (no warning)"
python3 "$top_srcdir/contrib/docker/seccomp-numa.py" /usr/share/containers/seccomp.json >"$T/derived.json"
if cmp -s "$T/derived.json" "$profile"; then
	ok "seccomp-numa.json is what seccomp-numa.py derives from this podman's default profile"
else
	not_ok "seccomp-numa.json is what seccomp-numa.py derives from this podman's default profile" \
		"$(diff "$profile" "$T/derived.json" | head -20)"
fi
prun "$IMG" /numarun --monitor --source pmu --interval 200ms -- sleep 0.3
if grep -q "PMU: perf_event_open: EPERM from the seccomp filter" "$T/err"; then
	expect_rc 0 "seccomp (podman's default): source = pmu refused by the filter: monitoring goes on with another source"
	expect_err_match "monitoring with another source" "seccomp: the PMU fallback is said"
else
	skip_check "seccomp: PMU refused by the filter" "$(head -1 "$T/err")"
fi

# ---- Kubernetes: hand over intent, not CPU numbers ----
if [ "$ncpu" -ge 2 ]; then
	mkdir -p "$T/shared"
	prun --cpuset-cpus 0 -v "$T/shared:/shared" "$IMG" sh -c '/numarun plan --ini -c 1 > /shared/policy.ini'
	expect_rc 0 "hand-off: the init container (CPU 0) writes the plan"
	grep -q '^planned_cpus = 0$' "$T/shared/policy.ini" && ok "hand-off: the policy records where it was planned" ||
		not_ok "hand-off: the policy records where it was planned" "$(cat "$T/shared/policy.ini")"
	prun --cpuset-cpus 1 -v "$T/shared:/shared" "$IMG" /numarun -p /shared/policy.ini -- sh -c 'grep ^Cpus_allowed_list /proc/self/status'
	expect_rc 0 "hand-off: the app container (CPU 1) runs the policy planned on CPU 0"
	expect_out_match "^Cpus_allowed_list:[[:space:]]+1$" "hand-off: the target runs on CPU 1"
	expect_err_match "planned where CPUs 0 and nodes 0 were allowed; here CPUs 1 and nodes 0 are: re-planned" \
		"hand-off: one line names both sets"
	echo "# $(head -1 "$T/err")"
	prun --cpuset-cpus 1 -v "$T/shared:/shared" "$IMG" /numarun --strict -p /shared/policy.ini -- true
	expect_rc 2 "hand-off: --strict refuses a policy planned elsewhere (exit 2)"
	prun --cpuset-cpus 1 -v "$T/shared:/shared" "$IMG" /numarun -p /shared/policy.ini --events - -- true
	expect_out_match '"event":"start".*"relocated":"the policy was planned where CPUs 0' "hand-off: the start event says so"
	# An allocator's hand-off file, as nri-plugins mounts it.
	mkdir -p "$T/nri"
	printf 'EXCLUSIVE_CPUS="1"\nSHARED_CPUS="0"\nALL_MEMS="0"\n' >"$T/nri/resources.sh"
	prun -v "$T/nri:/.nri-resource-policy:ro" "$IMG" /numarun -- sh -c 'grep ^Cpus_allowed_list /proc/self/status'
	expect_out_match "^Cpus_allowed_list:[[:space:]]+1$" "nri-plugins resources.sh: the target runs on the exclusive CPUs"
	prun -v "$T/nri:/.nri-resource-policy:ro" "$IMG" /numarun plan -- true
	expect_out_match "^  allocator: +exclusive CPUs 1, shared CPUs 0.* from /.nri-resource-policy/resources.sh" \
		"nri-plugins resources.sh: plan says what it read"
	prun -e DRA_CPUSET_0b6c1a2e-claim=1 "$IMG" /numarun -- sh -c 'grep ^Cpus_allowed_list /proc/self/status'
	expect_out_match "^Cpus_allowed_list:[[:space:]]+1$" "DRA_CPUSET_*: the target runs on the claimed CPUs"
else
	skip_check "hand-off between cpusets" "one CPU"
fi

# ---- contrib/docker/Dockerfile on a Debian base (debootstrap, cached), and contrib/kubernetes/pod.yaml ----
base=localhost/debian:bookworm-slim
if ! podman image exists "$base"; then
	tar=$CACHE/debian-bookworm-minbase.tar
	if [ ! -s "$tar" ]; then
		command -v debootstrap >/dev/null 2>&1 || fail_all "debootstrap is not installed (needed for the Debian base image)"
		mirror=${NUMARUN_CONTAINERS_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p; s/^deb \(http[^ ]*\) .*/\1/p' \
			/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -m1 debian)}
		mirror=${mirror:-http://deb.debian.org/debian}
		mkdir -p "$CACHE"
		echo "# debootstrap bookworm from $mirror into $CACHE (once)"
		if ! debootstrap --variant=minbase bookworm "$T/rootfs" "$mirror" >"$T/debootstrap.log" 2>&1; then
			tail -5 "$T/debootstrap.log"
			fail_all "debootstrap failed"
		fi
		tar -C "$T/rootfs" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
		rm -rf "$T/rootfs"
	fi
	podman import -q "$tar" "$base" >/dev/null || fail_all "podman import of the Debian rootfs failed"
fi
mkdir -p "$T/ctx/launcher"
cp "$NUMARUN_STATIC" "$T/ctx/launcher/numarun-static"
cp -r "$top_srcdir/policies" "$T/ctx/policies"
if podman build -q --pull=never -f "$top_srcdir/contrib/docker/Dockerfile" -t localhost/numarun-example:latest \
	"$T/ctx" >"$T/build.log" 2>&1; then
	ok "contrib/docker/Dockerfile builds"
else
	not_ok "contrib/docker/Dockerfile builds" "$(tail -5 "$T/build.log")"
fi
prun localhost/numarun-example:latest sh -c 'grep ^Cpus_allowed_list /proc/self/status; exit 3'
expect_rc 3 "Dockerfile: ENTRYPOINT numarun runs the CMD and passes its status"
stop_container "nrct-example-$TAG" 10 "the Dockerfile's image (ENTRYPOINT numarun, CMD sleep infinity)" \
	localhost/numarun-example:latest
stopped_at_once "Dockerfile: podman stop ends it with SIGTERM at once"

# The app image of pod.yaml: distroless-like, FROM scratch with a static shell only.
mkdir -p "$T/app/bin"
cp "$BUSYBOX" "$T/app/bin/busybox"
for a in sh grep cat; do ln -s busybox "$T/app/bin/$a"; done
printf 'FROM scratch\nCOPY bin /bin\n' >"$T/app/Containerfile"
podman build -q --pull=never -t localhost/numarun-example-app:latest "$T/app" >/dev/null 2>&1
run podman kube play "$top_srcdir/contrib/kubernetes/pod.yaml"
expect_rc 0 "pod.yaml: podman kube play starts the pod"
podman wait numarun-example-app >/dev/null 2>&1
expect_eq "$(status_of numarun-example-app)" 0 "pod.yaml: the app container, prefixed with the init container's numarun, exits 0"
podman logs numarun-example-app >"$T/out" 2>"$T/err"
expect_out_match "^Cpus_allowed_list:" "pod.yaml: the app ran under numarun"
podman pod rm -f numarun-example >/dev/null 2>&1

# ---- podman update: the cpuset changes while the service runs ----
if [ "$ncpu" -ge 2 ] && [ -x "$top_builddir/tests/progs/workers" ]; then
	mkdir -p "$T/ev"
	printf 'FROM localhost/numarun-example:latest\nCOPY workers /usr/local/bin/workers\n' >"$T/ev/Containerfile"
	cp "$top_builddir/tests/progs/workers" "$T/ev/workers"
	podman build -q --pull=never -t "$PREFIX-test:$TAG" "$T/ev" >/dev/null 2>&1
	name=nrct-update-$TAG
	containers="$containers $name"
	podman run -d --pull=never --name "$name" --cpuset-cpus 0-1 -v "$T/ev:/ev" --entrypoint /usr/local/bin/numarun \
		"$PREFIX-test:$TAG" --threads spread --interval 200ms --events /ev/events.jsonl -- workers -t 3 -s 30 -i 1 \
		>/dev/null
	wait_file "$T/ev/events.jsonl" '"event":"start"' 10
	sleep 1
	if podman update --cpuset-cpus 1 "$name" >"$T/update.log" 2>&1; then
		if wait_file "$T/ev/events.jsonl" '"event":"replan".*,"cpus":"1"' 10; then
			ok "podman update --cpuset-cpus 1: a replan event within a few intervals"
			echo "# $(grep '"event":"replan"' "$T/ev/events.jsonl" | head -1)"
		else
			not_ok "podman update --cpuset-cpus 1: a replan event" "$(tail -3 "$T/ev/events.jsonl")"
		fi
		sleep 1
		pid=$(podman inspect --format '{{.State.Pid}}' "$name")
		child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | awk '{print $1}')
		masks=$(for t in /proc/"$child"/task/*; do sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status"; done | sort -u | tr '\n' ' ')
		expect_eq "$masks" "1 " "podman update: every thread of the target is on CPU 1"
		podman update --cpuset-cpus 0-1 "$name" >/dev/null 2>&1
		if wait_file "$T/ev/events.jsonl" '"event":"replan".*,"cpus":"0-1"' 10; then
			sleep 1
			masks=$(for t in /proc/"$child"/task/*; do sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status"; done | sort -u | tr '\n' ' ')
			expect_eq "$masks" "0 1 " "podman update back to 0-1: the threads are spread over both CPUs again"
		else
			not_ok "podman update back to 0-1: a replan event" "$(tail -3 "$T/ev/events.jsonl")"
		fi
		# The CPU quota changes: the CPUs stay, the event says so (read every 5 s).
		if podman update --cpus 1 "$name" >"$T/update.log" 2>&1; then
			if wait_file "$T/ev/events.jsonl" '"event":"replan","reason":"cpu quota".*"quota":1.00' 12; then
				ok "podman update --cpus 1: a replan event for the CPU quota"
				echo "# $(grep '"reason":"cpu quota"' "$T/ev/events.jsonl" | head -1)"
			else
				not_ok "podman update --cpus 1: a replan event for the CPU quota" "$(tail -3 "$T/ev/events.jsonl")"
			fi
		else
			skip_check "podman update --cpus" "$(tail -1 "$T/update.log")"
		fi
	else
		skip_check "podman update of the cpuset" "$(tail -1 "$T/update.log")"
	fi
	podman rm -f -t 0 "$name" >/dev/null 2>&1
else
	skip_check "podman update of the cpuset" "one CPU or no tests/progs/workers"
fi

finish
