#!/bin/sh
# cli.sh - command line: help, version, usage errors, modes, argument passing.
. "$(dirname "$0")/lib.sh"
require_numarun

version=$(sed -n 's/^AC_INIT(\[numarun\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")

# --help / -h: exit 0, usage on stdout, nothing on stderr.
for opt in --help -h; do
	run "$NUMARUN" "$opt"
	expect_rc 0 "$opt"
	expect_out_match 'numarun' "$opt prints a usage text on stdout"
	expect_err_empty "$opt prints nothing on stderr"
done
run "$NUMARUN" --help
for word in plan topology --cpunodebind --physcpubind --membind --interleave \
	--preferred --localalloc --cpus --placement --smt --gomaxprocs --policy \
	--topology --json --ini --verbose --quiet --version --help; do
	expect_out_match "(^|[^a-z-])$word([^a-z-]|\$)" "--help mentions $word"
done

# --version / -V: the version of configure.ac.
for opt in --version -V; do
	run "$NUMARUN" "$opt"
	expect_rc 0 "$opt"
	expect_out_match "numarun.*$version" "$opt prints 'numarun' and the version $version"
	expect_err_empty "$opt prints nothing on stderr"
done

# Usage errors: exit 2, "numarun: MESSAGE" on stderr, nothing launched.
marker="$T/launched"
run "$NUMARUN" --no-such-option -- touch "$marker"
expect_rc 2 "unknown long option"
expect_err_match '^numarun: .*no-such-option' "unknown long option: 'numarun: ' message naming it"
expect_no_file "$marker" "unknown long option: nothing launched"

run "$NUMARUN" -Z -- touch "$marker"
expect_rc 2 "unknown short option -Z"
expect_err_match '^numarun: ' "unknown short option: 'numarun: ' message"
expect_no_file "$marker" "unknown short option: nothing launched"

run "$NUMARUN" -C
expect_rc 2 "-C without its argument"
expect_err_match '^numarun: ' "-C without its argument: 'numarun: ' message"

for bad in --placement=diagonal --smt=maybe --gomaxprocs=lots --gomaxprocs=-1 \
	--cpus=many --physcpubind=0-x --cpunodebind=zero --membind=0-x; do
	run "$NUMARUN" "$bad" -- touch "$marker"
	expect_rc 2 "bad value $bad"
	expect_err_match '^numarun: ' "bad value $bad: 'numarun: ' message"
	expect_no_file "$marker" "bad value $bad: nothing launched"
done

run "$NUMARUN" plan --placement=diagonal
expect_rc 2 "plan with a bad value"
expect_out_nomatch '.' "plan with a bad value prints no plan"

# No command at all is a usage error.
run "$NUMARUN"
expect_rc 2 "no command"
expect_err_match '^numarun: ' "no command: 'numarun: ' message"
run "$NUMARUN" -C "$CPU_FIRST" --
expect_rc 2 "options and -- but no command"

# An unknown first word is not a subcommand: it is the command to run.
run "$NUMARUN" numarun-no-such-subcommand arg
expect_rc 127 "unknown subcommand is run as a command (not found)"
expect_err_match '^numarun: .*numarun-no-such-subcommand' "unknown subcommand: message names it"

# plan and topology are subcommands only as the first argument; after --
# they are commands to run.
if ! command -v plan >/dev/null 2>&1; then
	run "$NUMARUN" -- plan
	expect_rc 127 "'numarun -- plan' runs a command called plan"
else
	skip_check "'numarun -- plan' runs a command called plan" "a 'plan' command exists in PATH"
fi
mkdir "$T/bin"
printf '#!/bin/sh\necho "plan-program $*"\n' >"$T/bin/plan"
printf '#!/bin/sh\necho "topology-program $*"\n' >"$T/bin/topology"
chmod +x "$T/bin/plan" "$T/bin/topology"
run env PATH="$T/bin:$PATH" "$NUMARUN" -- plan --json
expect_rc 0 "'numarun -- plan --json' with a plan program in PATH"
expect_out_eq "plan-program --json" "'numarun -- plan --json' runs the program, not the subcommand"
run env PATH="$T/bin:$PATH" "$NUMARUN" -C "$CPU_FIRST" topology x
expect_out_eq "topology-program x" "'numarun -C N topology x' runs the program, not the subcommand"

# Subcommands themselves.
run "$NUMARUN" plan
expect_rc 0 "plan"
expect_out_nonempty "plan prints a plan on stdout"
run "$NUMARUN" plan --json
expect_rc 0 "plan --json"
if [ -n "$PYTHON" ]; then
	if json_valid "$T/out"; then ok "plan --json is valid JSON"; else
		not_ok "plan --json is valid JSON" "$(last_details)"; fi
	expect_eq "$(json_get "$T/out" 'j["numarun_plan"]')" 1 "plan --json: numarun_plan is 1"
	expect_eq "$(json_get "$T/out" 'j["topology"]["source"]')" live "plan --json: topology source live"
	expect_eq "$(json_get "$T/out" 'j["allowed"]["cpus"]')" "$ALLOWED_CPUS" \
		"plan --json: allowed cpus are this process's ($ALLOWED_CPUS)"
	expect_eq "$(json_get "$T/out" 'j["command"]')" null "plan --json without command: command is null"
	run "$NUMARUN" plan --json -- sh -c 'echo "$@"' x -v --foo
	expect_eq "$(json_get "$T/out" 'j["command"]')" '["sh","-c","echo \"$@\"","x","-v","--foo"]' \
		"plan --json with a command: command array in order"
else
	skip_check "plan --json field checks" "no python3"
fi
run "$NUMARUN" plan --ini
expect_rc 0 "plan --ini"
expect_out_match '^\[placement\]' "plan --ini prints a [placement] section"
run "$NUMARUN" topology
expect_rc 0 "topology"
expect_out_nonempty "topology prints the machine"
run "$NUMARUN" topology --json
expect_rc 0 "topology --json"
if [ -n "$PYTHON" ]; then
	if json_valid "$T/out"; then ok "topology --json is valid JSON"; else
		not_ok "topology --json is valid JSON" "$(last_details)"; fi
fi

# Options after the command go to the command, unreordered.
run "$NUMARUN" -- sh -c 'echo "$@"' x -v --foo
expect_rc 0 "launch with --"
expect_out_eq "-v --foo" "target args after -- are passed as given"
run "$NUMARUN" sh -c 'echo "$@"' x -v --foo -C 0 --help
expect_out_eq "-v --foo -C 0 --help" "without --, parsing stops at the command"
run "$NUMARUN" -C "$CPU_FIRST" sh -c 'echo "$@"' x -- --json -q
expect_out_eq "-- --json -q" "a -- after the command is the command's"
run "$NUMARUN" -- sh -c 'printf "%s|" "$@"; echo' x 'a b' '' '*' '$HOME' '--'
expect_out_eq 'a b||*|$HOME|--|' "arguments with spaces, empty, glob characters and -- arrive unchanged"

# stdin, stdout and stderr are the target's.
out=$(echo from-stdin | "$NUMARUN" -- cat 2>"$T/err")
expect_eq "$out" from-stdin "stdin reaches the target"
run "$NUMARUN" -- sh -c 'echo to-stderr >&2'
expect_err_fixed to-stderr "the target's stderr is passed through"

# Exec in place: no resident parent, the target has numarun's PID.
run sh -c 'echo $$; exec "$1" -- sh -c "echo \$\$"' sh "$NUMARUN"
first=$(sed -n 1p "$T/out")
second=$(sed -n 2p "$T/out")
if [ -n "$first" ] && [ "$first" = "$second" ]; then
	ok "the target runs with numarun's PID (exec in place)"
else
	not_ok "the target runs with numarun's PID (exec in place)" "$(last_details)"
fi

# -q: nothing on stderr; -v: the plan summary on stderr before launch.
run "$NUMARUN" -q -- true
expect_rc 0 "-q -- true"
expect_err_empty "-q prints nothing on stderr"
run "$NUMARUN" -- true
expect_err_empty "a plain launch prints nothing on stderr"
run "$NUMARUN" -v -- true
expect_rc 0 "-v -- true"
expect_err_nonempty "-v prints the plan summary on stderr"
expect_out_nomatch '.' "-v prints nothing on stdout"

finish
