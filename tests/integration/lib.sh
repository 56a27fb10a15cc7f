# lib.sh - helpers shared by the integration tests (sourced, not run).
#
# The tests are run by automake with these in the environment:
#   NUMARUN       absolute path of the numarun binary under test
#   top_srcdir    absolute source directory
#   top_builddir  absolute build directory
#   GO            path of the go command, or empty when there is none
# Exit status: 0 pass, 77 skip, 1 fail. Each check prints a TAP-like line
# ("ok N - what" / "not ok N - what" followed by "#" detail lines).
# shellcheck shell=sh disable=SC2034

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${NUMARUN:=$top_builddir/launcher/numarun}"
TOPOLOGY_DIR="$top_srcdir/../shared/topologies"

tests_run=0
tests_failed=0

# The last command run by run(): its status, stdout and stderr files.
rc=0
last_cmd=
T=

# Temporary directory for this test, removed on exit. Tests that need more
# cleanup set cleanup_hook to a function name.
cleanup_hook=
# The shell that sourced this file ($$ is its PID in its subshells too). A subshell that a signal reaches
# before it has reset the traps it copied (a watchdog "(sleep 10; kill ...) &" killed at once) runs them:
# only this shell cleans up, so such a subshell cannot remove $T under the test.
lib_main_pid=$$
lib_cleanup() {
	# the PID of the shell running this: the parent of a process it execs
	[ "$(exec sh -c 'echo $PPID')" = "$lib_main_pid" ] || return 0
	if [ -n "$cleanup_hook" ]; then
		"$cleanup_hook"
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		rm -rf "$T"
	fi
}
T=$(mktemp -d "${TMPDIR:-/tmp}/numarun-test.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'lib_cleanup' EXIT
trap 'exit 1' HUP INT TERM

# ---- reporting ----

# ok DESCRIPTION
ok() {
	tests_run=$((tests_run + 1))
	printf "ok %s - %s\n" "$tests_run" "$*"
}

# not_ok DESCRIPTION [DETAIL...]: one "#" line per detail.
not_ok() {
	tests_run=$((tests_run + 1))
	tests_failed=$((tests_failed + 1))
	printf "not ok %s - %s\n" "$tests_run" "$1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# skip_check DESCRIPTION REASON: a check that cannot be made here.
skip_check() {
	tests_run=$((tests_run + 1))
	printf "ok %s - %s # SKIP %s\n" "$tests_run" "$1" "$2"
}

# skip_all REASON: the whole test cannot run here (exit 77).
skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

# fail_all REASON: the test cannot run although it should (exit 1).
fail_all() {
	echo "Bail out! $*"
	exit 1
}

# finish: print the plan line and exit with the overall status.
finish() {
	echo "1..$tests_run"
	if [ "$tests_failed" -ne 0 ]; then
		echo "# $tests_failed of $tests_run checks failed"
		exit 1
	fi
	exit 0
}

# Details of the last run(), for not_ok.
last_details() {
	printf 'command: %s\nexit status: %s\n' "$last_cmd" "$rc"
	printf 'stdout:\n'
	head -c 2000 "$T/out" | sed 's/^/  | /'
	printf 'stderr:\n'
	head -c 2000 "$T/err" | sed 's/^/  | /'
}

# ---- running ----

# run CMD [ARG...]: run a command with stdin from /dev/null; sets rc and
# leaves stdout in $T/out and stderr in $T/err.
run() {
	last_cmd=$(quote_args "$@")
	"$@" <"$T/empty" >"$T/out" 2>"$T/err"
	rc=$?
}
: >"$T/empty"

# quote_args ARG...: the arguments as a shell-quoted string (for messages).
quote_args() {
	out=
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./=:,+%@-]* | '')
			a="'$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
		esac
		out="$out${out:+ }$a"
	done
	printf '%s' "$out"
}

# ---- assertions on the last run ----

# expect_rc WANT DESCRIPTION
expect_rc() {
	if [ "$rc" -eq "$1" ]; then
		ok "$2 (exit $1)"
	else
		not_ok "$2 (exit $1)" "expected exit status $1, got $rc" "$(last_details)"
	fi
}

# expect_out_line LINE DESCRIPTION: stdout has exactly this line.
expect_out_line() {
	if grep -Fqx -e "$1" "$T/out"; then
		ok "$2"
	else
		not_ok "$2" "expected a stdout line: $1" "$(last_details)"
	fi
}

# expect_out_eq TEXT DESCRIPTION: stdout is exactly TEXT (plus newline).
expect_out_eq() {
	printf '%s\n' "$1" >"$T/want"
	if cmp -s "$T/want" "$T/out"; then
		ok "$2"
	else
		not_ok "$2" "expected stdout: $1" "$(last_details)"
	fi
}

# expect_out_match ERE DESCRIPTION: some stdout line matches ERE.
expect_out_match() {
	if grep -Eq -e "$1" "$T/out"; then
		ok "$2"
	else
		not_ok "$2" "expected a stdout line matching: $1" "$(last_details)"
	fi
}

# expect_out_nomatch ERE DESCRIPTION: no stdout line matches ERE.
expect_out_nomatch() {
	if grep -Eq -e "$1" "$T/out"; then
		not_ok "$2" "expected no stdout line matching: $1" "$(last_details)"
	else
		ok "$2"
	fi
}

# expect_out_nonempty DESCRIPTION
expect_out_nonempty() {
	if [ -s "$T/out" ]; then
		ok "$1"
	else
		not_ok "$1" "expected output on stdout" "$(last_details)"
	fi
}

# expect_err_match ERE DESCRIPTION: some stderr line matches ERE.
expect_err_match() {
	if grep -Eq -e "$1" "$T/err"; then
		ok "$2"
	else
		not_ok "$2" "expected a stderr line matching: $1" "$(last_details)"
	fi
}

# expect_err_fixed TEXT DESCRIPTION: some stderr line contains TEXT.
expect_err_fixed() {
	if grep -Fq -e "$1" "$T/err"; then
		ok "$2"
	else
		not_ok "$2" "expected stderr to contain: $1" "$(last_details)"
	fi
}

# expect_err_empty DESCRIPTION
expect_err_empty() {
	if [ -s "$T/err" ]; then
		not_ok "$1" "expected nothing on stderr" "$(last_details)"
	else
		ok "$1"
	fi
}

# expect_err_nonempty DESCRIPTION
expect_err_nonempty() {
	if [ -s "$T/err" ]; then
		ok "$1"
	else
		not_ok "$1" "expected a message on stderr" "$(last_details)"
	fi
}

# expect_no_file PATH DESCRIPTION: PATH was not created (nothing launched).
expect_no_file() {
	if [ -e "$1" ]; then
		not_ok "$2" "$1 exists: the command was launched" "$(last_details)"
	else
		ok "$2"
	fi
}

# expect_eq GOT WANT DESCRIPTION: two strings are equal.
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "expected: $2" "got:      $1" "$(last_details)"
	fi
}

# out_value KEY: the value of the first "KEY=value" line of stdout.
out_value() {
	sed -n "s/^$1=//p" "$T/out" | head -n 1
}

# ---- the binary and the machine ----

# require_numarun: fail (not skip) when the binary under test is missing.
require_numarun() {
	if [ ! -x "$NUMARUN" ]; then
		fail_all "numarun binary not found at $NUMARUN (build it first)"
	fi
}

# status_field NAME: a field of this shell's /proc/self/status.
status_field() {
	sed -n "s/^$1:[[:space:]]*//p" /proc/self/status
}

# expand_list LIST: "0-2,5" -> "0 1 2 5" (numbers in the given order).
expand_list() {
	echo "$1" | tr ',' '\n' | while IFS=- read -r lo hi; do
		[ -n "$lo" ] || continue
		[ -n "$hi" ] || hi=$lo
		i=$lo
		while [ "$i" -le "$hi" ]; do
			printf '%s ' "$i"
			i=$((i + 1))
		done
	done | sed 's/ $//'
}

# compress_list N...: sorted numbers -> "0-2,5".
compress_list() {
	printf '%s\n' "$@" | sort -n -u | awk '
		NR == 1 { lo = $1; hi = $1; next }
		$1 == hi + 1 { hi = $1; next }
		{ out = out sep (lo == hi ? lo : lo "-" hi); sep = ","; lo = $1; hi = $1 }
		END { if (NR) print out sep (lo == hi ? lo : lo "-" hi) }'
}

# The CPUs and memory nodes this test process may use.
ALLOWED_CPUS=$(status_field Cpus_allowed_list)
ALLOWED_MEMS=$(status_field Mems_allowed_list)
# shellcheck disable=SC2046
set -- $(expand_list "$ALLOWED_CPUS")
NCPUS=$#
CPU_FIRST=${1-}
CPU_SECOND=${2-}
set --

# node_cpus NODE: the allowed CPUs of a NUMA node as a list ("" if none).
node_cpus() {
	f=/sys/devices/system/node/node$1/cpulist
	[ -r "$f" ] || return 0
	nc=
	for c in $(expand_list "$(cat "$f")"); do
		for a in $(expand_list "$ALLOWED_CPUS"); do
			[ "$c" = "$a" ] && nc="$nc $c"
		done
	done
	# shellcheck disable=SC2086
	[ -n "$nc" ] && compress_list $nc
	return 0
}

# ---- cgroups ----

# cgroup_mount_v1 CONTROLLER: where a cgroup v1 hierarchy with CONTROLLER is
# mounted ("" if none).
cgroup_mount_v1() {
	awk -v c="$1" '{
		for (f = 7; f < NF && $f != "-"; f++) ;
		if ($(f + 1) != "cgroup") next
		n = split($(f + 3), opts, ",")
		for (i = 1; i <= n; i++) if (opts[i] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# cgroup_mount_v2: where the unified (v2) hierarchy is mounted ("" if none).
cgroup_mount_v2() {
	awk '{
		for (f = 7; f < NF && $f != "-"; f++) ;
		if ($(f + 1) == "cgroup2") { print $5; exit }
	}' /proc/self/mountinfo
}

# cgroup_path_v1 CONTROLLER: this process's cgroup in that v1 hierarchy.
cgroup_path_v1() {
	awk -F: -v c="$1" '{
		n = split($2, cs, ",")
		for (i = 1; i <= n; i++) if (cs[i] == c) { print $3; exit }
	}' /proc/self/cgroup
}

# cgroup_path_v2: this process's cgroup in the unified hierarchy.
cgroup_path_v2() {
	awk -F: '$1 == "0" && $2 == "" { print $3; exit }' /proc/self/cgroup
}

# cgroup_quota_cpus [PID]: ceil(quota / period) of the smallest CPU limit of
# the process's cgroup and its ancestors, v1 and v2; "" when unlimited.
# (The test's own reading of the rule numarun follows.)
cgroup_quota_cpus() {
	pid=${1:-self}
	best=
	m=$(cgroup_mount_v1 cpu)
	if [ -n "$m" ]; then
		p=$(awk -F: '{ n = split($2, cs, ","); for (i = 1; i <= n; i++) if (cs[i] == "cpu") { print $3; exit } }' \
			"/proc/$pid/cgroup")
		while :; do
			d="$m$p"
			if [ -r "$d/cpu.cfs_quota_us" ]; then
				q=$(cat "$d/cpu.cfs_quota_us") per=$(cat "$d/cpu.cfs_period_us")
				if [ "$q" -gt 0 ] && [ "$per" -gt 0 ]; then
					c=$(( (q + per - 1) / per ))
					[ "$c" -ge 1 ] || c=1
					if [ -z "$best" ] || [ "$c" -lt "$best" ]; then best=$c; fi
				fi
			fi
			[ -n "$p" ] && [ "$p" != / ] || break
			p=${p%/*}
		done
	fi
	m=$(cgroup_mount_v2)
	if [ -n "$m" ]; then
		p=$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' "/proc/$pid/cgroup")
		while :; do
			d="$m$p"
			if [ -r "$d/cpu.max" ]; then
				read -r q per <"$d/cpu.max"
				if [ "$q" != max ] && [ "${per:-0}" -gt 0 ]; then
					c=$(( (q + per - 1) / per ))
					[ "$c" -ge 1 ] || c=1
					if [ -z "$best" ] || [ "$c" -lt "$best" ]; then best=$c; fi
				fi
			fi
			[ -n "$p" ] && [ "$p" != / ] || break
			p=${p%/*}
		done
	fi
	echo "$best"
}

# ---- JSON (python3) ----

# The interpreter itself, not a wrapper script in PATH (faster to start).
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
[ -n "$PYTHON" ] && [ -x "$PYTHON" ] || PYTHON=$(command -v python3 2>/dev/null || true)

# json_valid FILE: exit 0 when FILE holds one valid JSON document.
json_valid() {
	"$PYTHON" -m json.tool "$1" >/dev/null 2>&1
}

# json_get FILE EXPR: print a Python expression evaluated on the document
# "j" (strings as they are, everything else as compact JSON).
json_get() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
try:
    v = eval(sys.argv[2], {"j": j})
except Exception as e:  # missing key and the like
    print("<error: %s: %s>" % (type(e).__name__, e))
    sys.exit(0)
if isinstance(v, str):
    print(v)
else:
    print(json.dumps(v, separators=(",", ":"), sort_keys=True))
EOF
}

# ---- Go test program ----

GOPROBE="$top_builddir/tests/progs/goprobe/goprobe"

# build_goprobe: build tests/progs/goprobe statically (CGO_ENABLED=0) into
# $GOPROBE, offline. Returns non-zero when there is no Go toolchain; fails
# the test when there is one and the build fails.
build_goprobe() {
	go=${GO-$(command -v go 2>/dev/null || true)}
	[ -n "$go" ] || return 1
	mkdir -p "$top_builddir/tests/progs/goprobe" || return 1
	gocache=$("$go" env GOCACHE 2>/dev/null)
	case $gocache in
	/*) ;;
	*) GOCACHE="${TMPDIR:-/tmp}/numarun-test-gocache-$(id -u)"; export GOCACHE ;;
	esac
	if ! (cd "$top_srcdir/tests/progs/goprobe" &&
		CGO_ENABLED=0 GOFLAGS='' GOPROXY=off GOTOOLCHAIN=local GOWORK=off \
			"$go" build -buildvcs=false -o "$GOPROBE" . ) >"$T/gobuild" 2>&1; then
		cat "$T/gobuild" | sed 's/^/# /'
		fail_all "go build of tests/progs/goprobe failed"
	fi
	return 0
}

# ---- Go programs built by given Go releases ----

# go_for_release RELEASE: how to run the go command of RELEASE ("1.26",
# "1.19", "1.24.0"): prints "GOCMD GOTOOLCHAIN" and returns 0, or prints why
# not and returns 1. Tried in order: $GO when it is that release; Debian's
# /usr/lib/go-RELEASE/bin/go (golang-go); for a full x.y.z, $GO (>= 1.21)
# switching with GOTOOLCHAIN=goRELEASE, which takes the toolchain from the
# module cache or GOPROXY.
go_for_release() {
	rel=$1
	if [ -n "${GO-}" ] && [ -x "$GO" ]; then
		have=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null)
		case $have in
		"go$rel" | "go$rel".*) echo "$GO local"; return 0 ;;
		esac
	fi
	minor=$(echo "$rel" | cut -d. -f1,2)
	for d in "/usr/lib/go-$minor/bin/go" "/usr/lib/go-$rel/bin/go"; do
		if [ -x "$d" ]; then
			case $("$d" env GOVERSION 2>/dev/null) in
			"go$rel" | "go$rel".*) echo "$d local"; return 0 ;;
			esac
		fi
	done
	case $rel in
	*.*.*)
		if [ -n "${GO-}" ] && [ -x "$GO" ]; then
			echo "$GO go$rel"
			return 0
		fi
		;;
	esac
	echo "no go$rel here (not \$GO=${GO:-unset}, not /usr/lib/go-$minor, and no \$GO to switch with GOTOOLCHAIN, which needs a full release x.y.z)"
	return 1
}

# build_go_probe RELEASE MODULE_GO_LINE OUT [PROGRAM]: build
# tests/progs/PROGRAM (default goprobe) with Go RELEASE as a module whose go.mod
# says "go MODULE_GO_LINE", CGO_ENABLED=0, into OUT. Returns 0 when built,
# else 1 with the reason in $go_skip_reason (for a skip line). A toolchain
# that runs but fails to build fails the test.
build_go_probe() {
	rel=$1 line=$2 out=$3 prog=${4:-goprobe}
	go_skip_reason=
	if ! how=$(go_for_release "$rel"); then
		go_skip_reason=$how
		return 1
	fi
	gocmd=${how% *} tc=${how##* }
	src="$T/gosrc-$prog-$rel-$line"
	rm -rf "$src"
	mkdir -p "$src" && cp "$top_srcdir/tests/progs/$prog/"*.go "$src/" ||
		fail_all "cannot copy tests/progs/$prog from $top_srcdir into $src"
	printf 'module numarun/%s\n\ngo %s\n' "$prog" "$line" >"$src/go.mod"
	gocache=$(GOTOOLCHAIN=local "$gocmd" env GOCACHE 2>/dev/null)
	case $gocache in
	/*) ;;
	*) GOCACHE="${TMPDIR:-/tmp}/numarun-test-gocache-$(id -u)"; export GOCACHE ;;
	esac
	if [ "$tc" != local ]; then
		# Fetch (or find in the module cache) the toolchain first, so that "cannot be had" is a skip
		# and not a build failure.
		if ! got=$(cd "$src" && GOTOOLCHAIN=$tc GOFLAGS='' GOWORK=off "$gocmd" env GOVERSION 2>&1) ||
			[ "${got%% *}" != "go$rel" ]; then
			go_skip_reason="GOTOOLCHAIN=$tc with $gocmd: $(printf '%s' "$got" | tail -n 1)"
			return 1
		fi
	fi
	if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS='' GOWORK=off GOTOOLCHAIN=$tc \
		"$gocmd" build -buildvcs=false -o "$out" .) >"$T/gobuild" 2>&1; then
		sed 's/^/# /' "$T/gobuild"
		fail_all "go$rel (GOTOOLCHAIN=$tc $gocmd) could not build tests/progs/$prog as a go $line module"
	fi
	return 0
}

# The Go builds the tests use: "NAME RELEASE MODULE_GO_LINE" per line.
# go119: Debian's Go 1.19; go124: a go 1.24 module by go1.24.0; go124by126: the
# same module by Go 1.26 (DefaultGODEBUG turns containermaxprocs off);
# go125: go1.25.0; go126: a go 1.26 module by Go 1.26.
GO_BUILDS='go119 1.19 1.19
go124 1.24.0 1.24
go124by126 1.26 1.24
go125 1.25.0 1.25
go126 1.26 1.26'

# cgroup_leaf_quota_cpus [PID]: ceil(quota / period) of the process's own
# cgroup only, as the Go runtime reads it (a v1 cpu hierarchy over v2); ""
# when unlimited.
cgroup_leaf_quota_cpus() {
	pid=${1:-self}
	m=$(cgroup_mount_v1 cpu)
	if [ -n "$m" ]; then
		p=$(awk -F: '{ n = split($2, cs, ","); for (i = 1; i <= n; i++) if (cs[i] == "cpu") { print $3; exit } }' \
			"/proc/$pid/cgroup")
		[ -n "$p" ] || return 0
		d="$m${p%/}"
		[ -r "$d/cpu.cfs_quota_us" ] || return 0
		q=$(cat "$d/cpu.cfs_quota_us") per=$(cat "$d/cpu.cfs_period_us")
		[ "$q" -gt 0 ] && [ "$per" -gt 0 ] && echo $(( (q + per - 1) / per ))
		return 0
	fi
	m=$(cgroup_mount_v2)
	[ -n "$m" ] || return 0
	p=$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' "/proc/$pid/cgroup")
	d="$m${p%/}"
	[ -r "$d/cpu.max" ] || return 0
	read -r q per <"$d/cpu.max"
	[ "$q" != max ] && [ "${per:-0}" -gt 0 ] && echo $(( (q + per - 1) / per ))
	return 0
}

# cgroup_mem_limit_bytes: the smallest memory limit of this process's cgroup
# and its ancestors (v2 memory.max, v1 memory.limit_in_bytes below 2^62); ""
# when unlimited.
cgroup_mem_limit_bytes() {
	best=
	for spec in "v1 $(cgroup_mount_v1 memory) $(cgroup_path_v1 memory)" "v2 $(cgroup_mount_v2) $(cgroup_path_v2)"; do
		set -- $spec
		[ $# -eq 3 ] || continue
		v=$1 m=$2 p=$3
		f=memory.max
		[ "$v" = v1 ] && f=memory.limit_in_bytes
		while :; do
			if [ -r "$m$p/$f" ]; then
				b=$(cat "$m$p/$f")
				case $b in
				max | '' | *[!0-9]*) ;;
				*) if [ "${#b}" -lt 19 ] && { [ -z "$best" ] || [ "$b" -lt "$best" ]; }; then best=$b; fi ;;
				esac
			fi
			[ -n "$p" ] && [ "$p" != / ] || break
			p=${p%/*}
		done
	done
	echo "$best"
}
