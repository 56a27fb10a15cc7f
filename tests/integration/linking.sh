#!/bin/sh
# linking.sh - the dynamic numarun: the shared libraries it needs (with configure --enable-static-deps
# only libc: libm is not needed either, as nothing calls it; libnuma never), no hwloc plugin loaded when
# hwloc is linked in statically, and the target's environment left as numarun was given it whatever
# numarun sets for hwloc while it loads the topology.
. "$(dirname "$0")/lib.sh"
require_numarun

# ---- the shared libraries ----
if command -v readelf >/dev/null 2>&1; then
	run readelf -dW "$NUMARUN"
	needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$T/out" | tr '\n' ' ')
	case " $needed" in
	*" libnuma."*) not_ok "readelf: libnuma is not needed" "NEEDED: $needed" ;;
	*) ok "readelf: libnuma is not needed (NEEDED: $needed)" ;;
	esac
	if [ "${NUMARUN_STATIC_DEPS-}" = yes ]; then
		# An ASan + UBSan build (NUMARUN_SANITIZERS) needs their runtimes too.
		allowed='libc'
		[ -z "${NUMARUN_SANITIZERS-}" ] || allowed='libc|libm|libasan|libubsan'
		extra=$(printf '%s\n' $needed | grep -Ev "^($allowed)\.so\.[0-9]+\$" | tr '\n' ' ')
		if [ "$rc" -eq 0 ] && [ -n "$needed" ] && [ -z "$extra" ]; then
			ok "static dependencies: only glibc's libraries are needed"
		else
			not_ok "static dependencies: only glibc's libraries are needed" "NEEDED: $needed" "$(last_details)"
		fi
	else
		skip_check "static dependencies: only glibc's libraries are needed" "configured with --disable-static-deps"
	fi
else
	skip_check "readelf: the shared libraries needed" "readelf is not installed"
fi

# ---- no hwloc plugin with a static hwloc ----
if [ "${NUMARUN_STATIC_DEPS-}" = yes ]; then
	mkdir "$T/plugins" && cp "$NUMARUN" "$T/plugins/hwloc_probe.so" || fail_all "cannot make $T/plugins"
	run env HWLOC_PLUGINS_PATH="$T/plugins" HWLOC_PLUGINS_BLACKLIST= HWLOC_PLUGINS_VERBOSE=1 "$NUMARUN" topology
	expect_rc 0 "topology with a plugin in HWLOC_PLUGINS_PATH"
	expect_err_fixed "numarun loads no shared objects for hwloc" "hwloc's dlopen of the plugin fails"
	if command -v strace >/dev/null 2>&1 && strace -f -o "$T/trace" /bin/true 2>/dev/null; then
		# LeakSanitizer cannot run under ptrace: its check at exit is left out there.
		run env HWLOC_PLUGINS_PATH="$T/plugins" HWLOC_PLUGINS_BLACKLIST= \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -e trace=open,openat -o "$T/trace" "$NUMARUN" topology
		if [ "$rc" -eq 0 ] && ! grep -q 'hwloc_probe\.so' "$T/trace"; then
			ok "strace: the plugin is not opened"
		else
			not_ok "strace: the plugin is not opened" "$(grep -E 'plugins|\.so' "$T/trace")" "$(last_details)"
		fi
	else
		skip_check "strace: the plugin is not opened" "strace is not installed or cannot trace here"
	fi
else
	skip_check "no hwloc plugin loaded" "configured with --disable-static-deps (the shared libhwloc loads its plugins)"
fi

# ---- the target's environment ----
# numarun sets HWLOC_PLUGINS_BLACKLIST around hwloc_topology_init() when the user has not: the target never
# sees it, nor anything else numarun set for itself, launched in place or from resident mode.
check_env() { # WHAT [VAR=VALUE...]
	what=$1
	shift
	env "$@" sh -c 'env' | grep -v '^_=' | sort >"$T/env.before"
	for mode in "" "--threads spread"; do
		# shellcheck disable=SC2086 # the mode is one or two words
		run env "$@" "$NUMARUN" --gomaxprocs=keep --gomemlimit=keep --omp-num-threads=keep $mode -- env
		grep -v '^_=' "$T/out" | sort >"$T/env.after"
		if [ "$rc" -eq 0 ] && cmp -s "$T/env.before" "$T/env.after"; then
			ok "${mode:-exec}: the target's environment is the one numarun was given ($what)"
		else
			not_ok "${mode:-exec}: the target's environment is the one numarun was given ($what)" \
				"$(diff "$T/env.before" "$T/env.after")" "$(last_details)"
		fi
	done
}
env -u HWLOC_PLUGINS_BLACKLIST -u HWLOC_PLUGINS_PATH true 2>/dev/null || fail_all "env -u is not supported"
check_env "no HWLOC_PLUGINS_*" -u HWLOC_PLUGINS_BLACKLIST -u HWLOC_PLUGINS_PATH -u HWLOC_COMPONENTS
check_env "HWLOC_PLUGINS_BLACKLIST=hwloc_pci set" HWLOC_PLUGINS_BLACKLIST=hwloc_pci
check_env "HWLOC_PLUGINS_BLACKLIST empty" HWLOC_PLUGINS_BLACKLIST=

finish
