#!/bin/sh
# exitstatus.sh - the target's exit status and signals pass through; exec
# failures are 126/127; usage and policy errors are 2; messages on stderr.
. "$(dirname "$0")/lib.sh"
require_numarun

EXITWITH="$top_builddir/tests/progs/exitwith"
[ -x "$EXITWITH" ] || fail_all "$EXITWITH not built (make check builds it)"

# ---- the target's own status ----
for status in 0 1 2 3 125 126 127 255; do
	run "$NUMARUN" -- "$EXITWITH" "$status"
	expect_rc "$status" "target exit status $status passes through"
	expect_err_empty "target exit status $status: numarun adds nothing on stderr"
done
run "$NUMARUN" -C "$CPU_FIRST" -m "${ALLOWED_MEMS%%[-,]*}" -- "$EXITWITH" 3
expect_rc 3 "exit status 3 with binding options"
run "$NUMARUN" -- sh -c 'exit 42'
expect_rc 42 "shell target exit 42"

# ---- death by signal: the parent sees the signal, not an exit code ----
# The shell reports 128+N for both; python tells them apart.
for sig in 15 9 2; do
	run sh -c '"$1" -- "$2" signal "$3"; echo "status=$?"' sh "$NUMARUN" "$EXITWITH" "$sig"
	expect_out_line "status=$((128 + sig))" "signal $sig: the shell sees status $((128 + sig))"
	if [ -n "$PYTHON" ]; then
		run "$PYTHON" -c '
import subprocess, sys
p = subprocess.run(sys.argv[1:])
print("returncode=%d" % p.returncode)
' "$NUMARUN" -- "$EXITWITH" signal "$sig"
		expect_out_line "returncode=-$sig" "signal $sig: the parent sees death by signal $sig (not exit $((128 + sig)))"
	else
		skip_check "signal $sig: death by signal seen by the parent" "no python3"
	fi
done

# ---- exec failures ----
run "$NUMARUN" -- "$T/no-such-command"
expect_rc 127 "nonexistent path"
expect_err_match "^numarun: .*$T/no-such-command" "nonexistent path: 'numarun: ' message naming it"
run "$NUMARUN" -- numarun-test-no-such-command-in-path
expect_rc 127 "command not in PATH"
expect_err_match '^numarun: .*numarun-test-no-such-command-in-path' "command not in PATH: message naming it"
run env PATH="$T/empty-path-dir" "$NUMARUN" -- true
expect_rc 127 "command not found with a PATH that lacks it"

printf '#!/bin/sh\necho should-not-run\n' >"$T/not-exec"
chmod 644 "$T/not-exec"
run "$NUMARUN" -- "$T/not-exec"
expect_rc 126 "file without execute permission"
expect_err_match "^numarun: .*$T/not-exec" "not executable: 'numarun: ' message naming it"
expect_out_nomatch 'should-not-run' "not executable: nothing ran"

mkdir "$T/a-directory"
run "$NUMARUN" -- "$T/a-directory"
expect_rc 126 "a directory"
expect_err_match "^numarun: .*$T/a-directory" "a directory: 'numarun: ' message naming it"

mkdir "$T/pathdir"
printf '#!/bin/sh\nexit 0\n' >"$T/pathdir/numarun-test-noexec"
chmod 644 "$T/pathdir/numarun-test-noexec"
run env PATH="$T/pathdir" "$NUMARUN" -- numarun-test-noexec
expect_rc 126 "found in PATH but not executable"

# ---- usage and policy errors: 2, nothing launched ----
marker="$T/launched"
printf '[placement]\nstrategy = diagonal\n' >"$T/bad.ini"
run "$NUMARUN" -p "$T/bad.ini" -- touch "$marker"
expect_rc 2 "bad policy"
expect_err_match "^(numarun: )?$T/bad.ini:2: " "bad policy: FILE:LINE: message"
expect_no_file "$marker" "bad policy: nothing launched"

run "$NUMARUN" -p "$T/no-such-policy.ini" -- touch "$marker"
expect_rc 2 "missing policy file"
expect_err_fixed "$T/no-such-policy.ini: cannot open: No such file or directory" \
	"missing policy file: 'FILE: cannot open: No such file or directory'"
expect_no_file "$marker" "missing policy file: nothing launched"

run "$NUMARUN" --smt=perhaps -- touch "$marker"
expect_rc 2 "bad option value"
expect_no_file "$marker" "bad option value: nothing launched"

finish
