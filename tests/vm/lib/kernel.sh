# kernel.sh - find, fetch and cache the guest kernel: Debian's own (sourced; POSIX sh).
#
# The kernel is the vmlinuz of the package that linux-image-amd64 depends on (linux-image-<version>-amd64),
# taken out of the .deb with dpkg-deb --fsys-tarfile and kept in the cache directory as vmlinuz-<version>.
# The .deb itself is not kept. Order of choice:
#   1. $NUMARUN_VM_KERNEL, a kernel image given by hand;
#   2. the cached vmlinuz of the package apt names now;
#   3. that package, downloaded with apt-get download (needs apt lists: apt-get update);
#   4. the newest vmlinuz-* already in the cache (apt offline or package gone).

# Set VM_KERNEL to a usable kernel image; on failure set VM_KERNEL_WHY and return 1.
vm_kernel_find() {
	VM_KERNEL=
	VM_KERNEL_WHY=
	if [ -n "${NUMARUN_VM_KERNEL:-}" ]; then
		if [ -r "$NUMARUN_VM_KERNEL" ]; then
			VM_KERNEL=$NUMARUN_VM_KERNEL
			return 0
		fi
		VM_KERNEL_WHY="NUMARUN_VM_KERNEL=$NUMARUN_VM_KERNEL is not a readable file"
		return 1
	fi

	_k_cache=$(vm_cache_dir)
	if ! mkdir -p "$_k_cache" 2>/dev/null; then
		VM_KERNEL_WHY="cannot create the cache directory $_k_cache (set NUMARUN_VM_CACHE)"
		return 1
	fi

	_k_pkg=
	if command -v apt-cache >/dev/null 2>&1; then
		_k_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	if [ -n "$_k_pkg" ]; then
		_k_ver=${_k_pkg#linux-image-}
		if [ -s "$_k_cache/vmlinuz-$_k_ver" ]; then
			VM_KERNEL=$_k_cache/vmlinuz-$_k_ver
			return 0
		fi
		if vm_kernel_fetch "$_k_pkg" "$_k_cache"; then
			VM_KERNEL=$_k_cache/vmlinuz-$_k_ver
			return 0
		fi
	else
		VM_KERNEL_WHY="apt does not know linux-image-amd64 (no apt, or run apt-get update)"
	fi

	# Offline fallback: whatever an earlier run cached.
	_k_old=$(ls -t "$_k_cache"/vmlinuz-* 2>/dev/null | head -n 1)
	if [ -n "$_k_old" ] && [ -s "$_k_old" ]; then
		[ -n "$VM_KERNEL_WHY" ] && vm_say "note: $VM_KERNEL_WHY; using the cached $_k_old"
		VM_KERNEL=$_k_old
		return 0
	fi
	return 1
}

# Download package $1 and put its boot/vmlinuz-* into directory $2. Sets VM_KERNEL_WHY on failure.
vm_kernel_fetch() {
	for _k_tool in apt-get dpkg-deb tar; do
		if ! command -v "$_k_tool" >/dev/null 2>&1; then
			VM_KERNEL_WHY="$_k_tool not found: cannot fetch the kernel package $1"
			return 1
		fi
	done
	_k_tmp=$(mktemp -d "$2/fetch.XXXXXX") || {
		VM_KERNEL_WHY="cannot create a directory in $2"
		return 1
	}
	# apt's download sandbox user (_apt) may not reach a private directory: download as ourselves.
	chmod 755 "$_k_tmp"
	vm_say "fetching the kernel: apt-get download $1 (cached in $2)"
	if ! (cd "$_k_tmp" && apt-get -q -o APT::Sandbox::User="$(id -un)" download "$1") >"$_k_tmp/log" 2>&1; then
		VM_KERNEL_WHY="apt-get download $1 failed: $(tail -n 2 "$_k_tmp/log" | tr '\n' ' ')"
		rm -rf "$_k_tmp"
		return 1
	fi
	_k_deb=$(ls "$_k_tmp"/*.deb 2>/dev/null | head -n 1)
	if [ -z "$_k_deb" ] ||
		! dpkg-deb --fsys-tarfile "$_k_deb" | (cd "$_k_tmp" && tar -xf - --wildcards './boot/vmlinuz-*'); then
		VM_KERNEL_WHY="no boot/vmlinuz-* in the package $1"
		rm -rf "$_k_tmp"
		return 1
	fi
	_k_img=$(ls "$_k_tmp"/boot/vmlinuz-* | head -n 1)
	mv -f "$_k_img" "$2/vmlinuz-${1#linux-image-}"
	rm -rf "$_k_tmp"
	# Kernels of earlier Debian updates are not needed any more.
	for _k_f in "$2"/vmlinuz-*; do
		[ "$_k_f" = "$2/vmlinuz-${1#linux-image-}" ] || rm -f "$_k_f"
	done
	return 0
}
