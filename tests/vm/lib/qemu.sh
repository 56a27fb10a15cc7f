# qemu.sh - boot one guest and collect its serial console (sourced; POSIX sh).

VM_QEMU=${NUMARUN_VM_QEMU:-qemu-system-x86_64}

# Boot kernel $1 with initramfs $2 in the shape of the VM_* variables; the console goes to file $3
# (carriage returns removed) and, with VM_SHOW_CONSOLE=1, to stderr as it comes. Sets VM_QEMU_RC
# (124: killed after VM_TIMEOUT seconds).
vm_boot() {
	_q_args=$(vm_shape_qemu_args)
	# The shape arguments hold no spaces: let the shell split them.
	# shellcheck disable=SC2086
	set -- "$1" "$2" "$3" -accel tcg -cpu max $(printf '%s\n' "$_q_args" | tr '\n' ' ') \
		-kernel "$1" -initrd "$2" \
		-append "console=ttyS0 loglevel=1 panic=-1 nowatchdog edd=off ${VM_APPEND:-}" \
		-nographic -no-reboot -nic none
	_q_log=$3
	shift 3
	if [ "${VM_SHOW_CONSOLE:-0}" = 1 ]; then
		vm_say "$VM_QEMU $*"
		{
			timeout -k 10 "$VM_TIMEOUT" "$VM_QEMU" "$@" </dev/null 2>&1
			echo $? >"$_q_log.rc"
		} | tr -d '\r' | tee "$_q_log" >&2
	else
		{
			timeout -k 10 "$VM_TIMEOUT" "$VM_QEMU" "$@" </dev/null 2>&1
			echo $? >"$_q_log.rc"
		} | tr -d '\r' >"$_q_log"
	fi
	VM_QEMU_RC=$(cat "$_q_log.rc" 2>/dev/null || echo 1)
	return 0
}
