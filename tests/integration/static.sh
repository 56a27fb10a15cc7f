#!/bin/sh
# static.sh - numarun-static (configure --enable-static-numarun): statically linked, loads no shared
# object (no hwloc plugin, whatever the environment says), leaves the target's environment as it was, and
# answers and launches as the dynamic numarun does.
. "$(dirname "$0")/lib.sh"
require_numarun

[ -n "${NUMARUN_STATIC-}" ] || skip_all "numarun-static was not configured (./configure --enable-static-numarun)"
[ -x "$NUMARUN_STATIC" ] || fail_all "numarun-static not found at $NUMARUN_STATIC (build it first)"
S=$NUMARUN_STATIC
D=$NUMARUN

# ---- statically linked ----
if command -v readelf >/dev/null 2>&1; then
	run readelf -lW "$S"
	if [ "$rc" -eq 0 ] && grep -q 'LOAD' "$T/out" && ! grep -q 'INTERP' "$T/out"; then
		ok "readelf: no program interpreter"
	else
		not_ok "readelf: no program interpreter" "$(last_details)"
	fi
	run readelf -dW "$S"
	if [ "$rc" -eq 0 ] && ! grep -q 'NEEDED' "$T/out"; then
		ok "readelf: no shared library needed"
	else
		not_ok "readelf: no shared library needed" "$(last_details)"
	fi
else
	skip_check "readelf: no program interpreter, no shared library" "readelf is not installed"
fi
if command -v file >/dev/null 2>&1; then
	run file -L "$S"
	expect_out_match 'statically linked' "file: statically linked"
else
	skip_check "file: statically linked" "file is not installed"
fi
if command -v ldd >/dev/null 2>&1; then
	run ldd "$S"
	if grep -Eq 'not a dynamic executable|statically linked' "$T/out" "$T/err" && ! grep -q '=>' "$T/out"; then
		ok "ldd: not a dynamic executable"
	else
		not_ok "ldd: not a dynamic executable" "$(last_details)"
	fi
else
	skip_check "ldd: not a dynamic executable" "ldd is not installed"
fi

# ---- the same answers as the dynamic numarun ----

# same WHAT ARG...: both binaries print the same, with the same status (free memory masked).
same() {
	what=$1
	shift
	run "$D" "$@"
	drc=$rc
	sed -e 's/"free_memory":[0-9]*/"free_memory":N/g' -e 's/(free [^)]*)/(free N)/' "$T/out" >"$T/dyn.out"
	cp "$T/err" "$T/dyn.err"
	run "$S" "$@"
	sed -e 's/"free_memory":[0-9]*/"free_memory":N/g' -e 's/(free [^)]*)/(free N)/' "$T/out" >"$T/sta.out"
	if [ "$rc" -eq "$drc" ] && cmp -s "$T/dyn.out" "$T/sta.out" && cmp -s "$T/dyn.err" "$T/err"; then
		ok "$what: as the dynamic numarun (exit $rc)"
	else
		not_ok "$what: as the dynamic numarun" "dynamic: exit $drc" \
			"$(diff "$T/dyn.out" "$T/sta.out"; diff "$T/dyn.err" "$T/err")" "$(last_details)"
	fi
}

same "--version" --version
same "topology" topology
same "topology --json" topology --json
same "plan -C $CPU_FIRST -m ${ALLOWED_MEMS%%[,-]*}" plan --json -C "$CPU_FIRST" -m "${ALLOWED_MEMS%%[,-]*}" -- /bin/true
same "plan --ini" plan --ini -- /bin/true
same "plan --placement=spread --threads spread" plan --json --placement=spread --threads spread -- /bin/true
same "a usage error" --no-such-option -- /bin/true
if [ -d "$TOPOLOGY_DIR" ]; then
	n=0
	for xml in "$TOPOLOGY_DIR"/*.xml; do
		[ -r "$xml" ] || continue
		same "topology --json --topology $(basename "$xml")" topology --json --topology "$xml"
		same "plan -c '1 node' --topology $(basename "$xml")" plan --json -c '1 node' --topology "$xml"
		n=$((n + 1))
		[ "$n" -lt 3 ] || break
	done
else
	skip_check "XML topologies as the dynamic numarun" "no topology directory $TOPOLOGY_DIR"
fi

# ---- launching ----
run "$S" -C "$CPU_FIRST" -- /bin/true
expect_rc 0 "-C $CPU_FIRST -- /bin/true"
run "$S" -C "$CPU_FIRST" -- grep Cpus_allowed_list /proc/self/status
expect_out_match "^Cpus_allowed_list:[[:space:]]+$CPU_FIRST\$" "-C $CPU_FIRST: the target is bound to CPU $CPU_FIRST"
run "$S" -- sh -c 'exit 3'
expect_rc 3 "the target's exit status"
run "$S" -- "$T/no-such-program"
expect_rc 127 "a command that is not there"
run "$S" --threads spread -- sh -c 'sleep 0.2; exit 4'
expect_rc 4 "resident (--threads spread): the target's exit status"

# ---- no shared object loaded, and the environment left as it was ----
# hwloc lists HWLOC_PLUGINS_PATH and dlopens each hwloc_*.so there that HWLOC_PLUGINS_BLACKLIST does not
# name; numarun-static must open none, whatever the two say.
mkdir "$T/plugins" && cp "$D" "$T/plugins/hwloc_probe.so" || fail_all "cannot make $T/plugins"
HWLOC_PLUGINS_PATH=$T/plugins HWLOC_PLUGINS_BLACKLIST= HWLOC_PLUGINS_VERBOSE=1
export HWLOC_PLUGINS_PATH HWLOC_PLUGINS_BLACKLIST HWLOC_PLUGINS_VERBOSE
run "$S" topology
expect_rc 0 "topology with a plugin in HWLOC_PLUGINS_PATH"
expect_err_fixed "numarun loads no shared objects for hwloc" "hwloc's dlopen of the plugin fails"
if command -v strace >/dev/null 2>&1 && strace -f -o "$T/trace" /bin/true 2>/dev/null; then
	run strace -f -e trace=open,openat -o "$T/trace" "$S" topology
	if [ "$rc" -eq 0 ] && grep -q "$T/plugins" "$T/trace" && ! grep -q '\.so' "$T/trace"; then
		ok "strace: the plugin directory is listed, no .so file is opened"
	else
		not_ok "strace: the plugin directory is listed, no .so file is opened" \
			"$(grep -E 'plugins|\.so' "$T/trace")" "$(last_details)"
	fi
else
	skip_check "strace: no .so file is opened" "strace is not installed or cannot trace here"
fi

env | grep -v '^_=' | sort >"$T/env.before"
for mode in "" "--threads spread"; do
	# shellcheck disable=SC2086 # the mode is one or two words
	run "$S" --gomaxprocs=keep $mode -- env
	grep -v '^_=' "$T/out" | sort >"$T/env.after"
	if [ "$rc" -eq 0 ] && cmp -s "$T/env.before" "$T/env.after"; then
		ok "${mode:-exec}: the target's environment is the one numarun was given (HWLOC_PLUGINS_* set)"
	else
		not_ok "${mode:-exec}: the target's environment is the one numarun was given (HWLOC_PLUGINS_* set)" \
			"$(diff "$T/env.before" "$T/env.after")" "$(last_details)"
	fi
done
unset HWLOC_PLUGINS_PATH HWLOC_PLUGINS_BLACKLIST HWLOC_PLUGINS_VERBOSE
env | grep -v '^_=' | sort >"$T/env.before"
run "$S" --gomaxprocs=keep -- env
grep -v '^_=' "$T/out" | sort >"$T/env.after"
if [ "$rc" -eq 0 ] && cmp -s "$T/env.before" "$T/env.after"; then
	ok "the target's environment is the one numarun was given (no HWLOC_PLUGINS_*)"
else
	not_ok "the target's environment is the one numarun was given (no HWLOC_PLUGINS_*)" \
		"$(diff "$T/env.before" "$T/env.after")" "$(last_details)"
fi

finish
