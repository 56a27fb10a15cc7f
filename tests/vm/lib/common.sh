# common.sh - shared helpers of the host side of the VM test bed (sourced; POSIX sh).

# Print a message on stderr, prefixed with the bed's name.
vm_say() {
	printf 'vm: %s\n' "$*" >&2
}

# Print an error and exit 1: the bed itself is broken (not a skip).
vm_die() {
	vm_say "error: $*"
	exit 1
}

# Print why the bed cannot run here and exit 77 (automake's "skipped").
vm_skip() {
	vm_say "SKIP: $*"
	exit 77
}

# Seconds since the epoch with fractions, for wall times.
vm_now() {
	date +%s.%N 2>/dev/null || date +%s
}

# Difference of two vm_now values, one decimal.
vm_elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

# The cache directory: $NUMARUN_VM_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/numarun/vm.
vm_cache_dir() {
	if [ -n "${NUMARUN_VM_CACHE:-}" ]; then
		printf '%s\n' "$NUMARUN_VM_CACHE"
	elif [ -n "${XDG_CACHE_HOME:-}" ]; then
		printf '%s\n' "$XDG_CACHE_HOME/numarun/vm"
	elif [ -n "${HOME:-}" ]; then
		printf '%s\n' "$HOME/.cache/numarun/vm"
	else
		printf '%s\n' "${TMPDIR:-/tmp}/numarun-vm-cache-$(id -u)"
	fi
}
