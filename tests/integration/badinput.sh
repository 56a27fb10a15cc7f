#!/bin/sh
# badinput.sh - the catalogue of bad input (badinput.cases): for each case, numarun exits with the
# documented status, says on stderr what is wrong naming the offending thing (option, value,
# FILE:LINE and key, file, variable), prints nothing on stdout, launches nothing, and creates or
# truncates no file. A few positive controls (input that looks odd but is valid) are in the same
# table, with "launches" or "stdout any".
#
# The format of badinput.cases (one case a block, from its "case" line to the next):
#   case NAME            starts a case; NAME is unique
#   pending OWNER WHY    known to fail until OWNER's pending work lands: reported as "# TODO", not
#                        counted as a pass; a pending case that passes fails the run (drop the flag)
#   need SHELL-TEST      the case runs only where the test is true (else it is a skip)
#   file NAME            a file in the case's directory, its lines given by the "|" lines that follow
#   | TEXT               one line of the last file (after "| "; printf %b escapes: \t, \0000 a NUL)
#   setup SHELL          run in the case's directory before anything is recorded
#   env NAME=VALUE       in numarun's environment (VALUE expanded as by the shell)
#   unset NAME           removed from numarun's environment
#   prefix WORDS         run numarun under this command (taskset -c 0, say)
#   stdout closed        numarun starts with standard output closed
#   stdout full          numarun's standard output is /dev/full
#   as nobody            numarun runs as an unprivileged user (root goes through setpriv)
#   launches             a positive control: the command runs (it creates MARKER)
#   stdout any           a positive control that prints on stdout (numarun plan)
#   run ARGS             numarun's arguments, as shell words, in the case's directory
#   exit N               the exit status wanted
#   err ERE              a line of stderr must match ERE (grep -E); "err -": stderr must be empty
# Variables for setup, env, prefix and run: NUMARUN, TOPOLOGY_DIR, XML (a machine with 4 nodes),
# BIG (1024 CPUs), CPU_FIRST, CPU_SECOND, NCPUS, MARKER (the file the command creates: MARKER).
. "$(dirname "$0")/lib.sh"
require_numarun

CASES="$top_srcdir/tests/integration/badinput.cases"
[ -r "$CASES" ] || fail_all "cannot read $CASES"
XML="$TOPOLOGY_DIR/xeon-2s-cod-v1.xml"
BIG="$TOPOLOGY_DIR/synthetic-8s-16n-512c-1024t.xml"
MARKER=MARKER
TIMEOUT=$(command -v timeout 2>/dev/null || true)
export NUMARUN TOPOLOGY_DIR XML BIG CPU_FIRST CPU_SECOND NCPUS MARKER
# Cases that run as nobody need to reach their directory.
chmod 711 "$T"
mkdir "$T/cases"
chmod 711 "$T/cases"

passed=0 pending_failed=0 pending_passed=0 failed=0 skipped=0 ncases=0
pending_list=

# snapshot: every path under the case's directory, with the checksum of each regular file.
snapshot() {
	(cd "$dir" && find . -print | LC_ALL=C sort | while IFS= read -r p; do
		if [ -h "$p" ]; then
			printf '%s link %s\n' "$p" "$(readlink "$p")"
		elif [ -f "$p" ]; then
			printf '%s file %s\n' "$p" "$(cksum <"$p")"
		else
			printf '%s other\n' "$p"
		fi
	done)
}

# The case read so far, run and judged.
reset_case() {
	name= pending= need= setup= envs= unsets= prefix= stdout_mode=empty as= launches= args= want_rc= want_err=
	files= have_run=
}

run_case() {
	[ -n "$name" ] || return 0
	ncases=$((ncases + 1))
	if [ -z "$have_run" ] || [ -z "$want_rc" ] || [ -z "$want_err" ]; then
		not_ok "$name" "badinput.cases: the case needs run, exit and err lines"
		failed=$((failed + 1))
		return 0
	fi
	if [ -n "$need" ] && ! eval "$need"; then
		skip_check "$name" "needs: $need"
		skipped=$((skipped + 1))
		return 0
	fi
	if [ "$as" = nobody ] && [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
		skip_check "$name" "running as root without setpriv to become nobody"
		skipped=$((skipped + 1))
		return 0
	fi
	dir="$T/cases/$ncases"
	mkdir "$dir" && chmod 755 "$dir" || fail_all "cannot create $dir"
	# The files: "NAME<TAB>escaped line" records, in order.
	if [ -n "$files" ]; then
		printf '%s\n' "$files" | while IFS='	' read -r f line; do
			[ -n "$f" ] || continue
			mkdir -p "$dir/$(dirname "$f")" && printf '%b\n' "$line" >>"$dir/$f"
		done
	fi
	chmod -R go+rX "$dir"
	if [ -n "$setup" ] && ! (cd "$dir" && eval "$setup") >"$T/setup.out" 2>&1; then
		not_ok "$name" "setup failed: $setup" "$(cat "$T/setup.out")"
		failed=$((failed + 1))
		return 0
	fi
	snapshot >"$T/before"
	wrap=
	if [ "$as" = nobody ] && [ "$(id -u)" = 0 ]; then
		wrap='setpriv --reuid=65534 --regid=65534 --clear-groups'
	fi
	redir=
	[ "$stdout_mode" != closed ] || redir='>&-'
	[ "$stdout_mode" != full ] || redir='>/dev/full'
	last_cmd="numarun $args"
	# shellcheck disable=SC2086
	(
		cd "$dir" || exit 99
		# a runaway read fails instead of taking the machine's memory (under ASan, whose shadow needs
		# terabytes of address space, its allocator fails past the limit)
		if [ -n "${NUMARUN_SANITIZERS:-}" ]; then
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}soft_rss_limit_mb=1024:allocator_may_return_null=1"
			export ASAN_OPTIONS
		else
			ulimit -v 1048576 2>/dev/null
		fi
		for v in $unsets; do unset "$v"; done
		eval "for e in $envs; do export \"\$e\"; done"
		eval "set -- $args"
		eval "exec $wrap $prefix \${TIMEOUT:+\"\$TIMEOUT\" 10} \"\$NUMARUN\" \"\$@\" $redir"
	) <"$T/empty" >"$T/out" 2>"$T/err"
	rc=$?
	why=
	[ "$rc" -eq "$want_rc" ] || why="exit status $rc, expected $want_rc"
	[ "$rc" -ne 124 ] || why="timed out (10 s)"
	if [ "$want_err" = - ]; then
		[ ! -s "$T/err" ] || why="${why:+$why; }stderr is not empty"
	elif ! grep -Eq -e "$want_err" "$T/err"; then
		why="${why:+$why; }no stderr line matches: $want_err"
	fi
	if [ "$stdout_mode" = empty ] && [ -s "$T/out" ]; then
		why="${why:+$why; }stdout is not empty"
	fi
	if [ -n "$launches" ]; then
		[ -e "$dir/$MARKER" ] || why="${why:+$why; }the command did not run ($MARKER not created)"
		rm -f "$dir/$MARKER"
	fi
	snapshot >"$T/after"
	if ! cmp -s "$T/before" "$T/after"; then
		why="${why:+$why; }files were launched, created, changed or removed:
$(diff "$T/before" "$T/after" | sed -n 's/^[<>] //p')"
	fi
	if [ -n "$pending" ]; then
		pending_list="$pending_list${pending_list:+
}  $name ($pending)"
		if [ -n "$why" ]; then
			pending_failed=$((pending_failed + 1))
			tests_run=$((tests_run + 1))
			printf 'not ok %s - %s # TODO pending: %s\n' "$tests_run" "$name" "$pending"
			printf '%s\n' "$why" | sed 's/^/#   /'
		else
			pending_passed=$((pending_passed + 1))
			not_ok "$name # pending ($pending) but it passes: remove its pending line"
		fi
	elif [ -n "$why" ]; then
		failed=$((failed + 1))
		not_ok "$name" "$why" "$(last_details)"
	else
		passed=$((passed + 1))
		ok "$name"
	fi
}

reset_case
lastfile=
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'' | '#'*) continue ;;
	'| '* | '|')
		[ -n "$lastfile" ] || fail_all "badinput.cases: '|' line outside a file: $line"
		files="$files
$lastfile	${line#|}"
		files=$(printf '%s\n' "$files" | sed '$s/	 /	/')
		continue ;;
	esac
	word=${line%%[ 	]*}
	rest=${line#"$word"}
	rest=${rest#[ 	]}
	case $word in
	case)
		run_case
		reset_case
		lastfile=
		name=$rest
		;;
	pending) pending=$rest ;;
	need) need=$rest ;;
	file) lastfile=$rest ;;
	setup) setup="$setup${setup:+; }$rest" ;;
	env) envs="$envs $rest" ;;
	unset) unsets="$unsets $rest" ;;
	prefix) prefix=$rest ;;
	stdout)
		case $rest in
		closed | full) stdout_mode=$rest ;;
		any) stdout_mode=any ;;
		*) fail_all "badinput.cases: stdout $rest" ;;
		esac ;;
	as) as=$rest ;;
	launches) launches=1 ;;
	run) args=$rest have_run=1 ;;
	exit) want_rc=$rest ;;
	err) want_err=$rest ;;
	*) fail_all "badinput.cases: unknown line in case '$name': $line" ;;
	esac
done <"$CASES"
run_case

echo "# $ncases cases: $passed passed, $failed failed, $skipped skipped; $pending_failed pending" \
	"(known to fail, not counted as passes), $pending_passed pending that pass"
if [ -n "$pending_list" ]; then
	echo "# pending cases:"
	printf '%s\n' "$pending_list" | sed 's/^/#/'
fi
finish
