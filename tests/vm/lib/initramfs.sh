# initramfs.sh - build the guest's initramfs (sourced; POSIX sh).
#
# The initramfs is two gzip'd newc cpio archives, one after the other (the kernel unpacks both):
#   base      busybox and its applet links, numarun (/usr/bin/numarun), the test programs (/vm/bin),
#             every shared library ldd names for them (the dynamic loader included), /init, /vm/guest.sh,
#             /vm/json.awk; built once a run;
#   scenario  /vm/scenario.sh and /vm/shape; one per scenario.

# Copy the ELF file $1 to $2/$3 and every shared library ldd names for it to the same path under $2.
vm_copy_elf() {
	mkdir -p "$2/$(dirname "$3")" || return 1
	cp -L "$1" "$2/$3" || return 1
	chmod 755 "$2/$3"
	_c_ldd=$(LC_ALL=C ldd "$1" 2>&1)
	case $_c_ldd in
	*"not a dynamic executable"* | *"statically linked"*) return 0 ;;
	*"not found"*)
		vm_say "error: ldd $1: a library is missing:"
		printf '%s\n' "$_c_ldd" | grep 'not found' >&2
		return 1
		;;
	esac
	for _c_lib in $(printf '%s\n' "$_c_ldd" |
		awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }'); do
		[ -e "$2$_c_lib" ] && continue
		mkdir -p "$2$(dirname "$_c_lib")" && cp -L "$_c_lib" "$2$_c_lib" || return 1
	done
}

# Pack directory $1 into the gzip'd newc cpio archive $2 (files owned by root).
vm_pack() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 -n >"$2"
}

# Build the base archive $1 in the scratch directory $2. Uses NUMARUN, top_builddir, VM_LIBDIR,
# VM_GOPROBE and VM_GOTHREADS (built Go programs, or empty) and NUMARUN_VM_EXTRA (more host programs, for debugging).
vm_initramfs_base() {
	_i_root=$2/root
	rm -rf "$_i_root"
	mkdir -p "$_i_root" && (cd "$_i_root" &&
		mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp run root etc vm/bin) || return 1
	chmod 1777 "$_i_root/tmp"

	_i_bb=$(command -v busybox) || return 1
	vm_copy_elf "$_i_bb" "$_i_root" bin/busybox || return 1
	for _i_applet in $("$_i_bb" --list-full); do
		[ -e "$_i_root/$_i_applet" ] || ln -s /bin/busybox "$_i_root/$_i_applet"
	done
	[ -e "$_i_root/bin/sh" ] || ln -s busybox "$_i_root/bin/sh"

	vm_copy_elf "$NUMARUN" "$_i_root" usr/bin/numarun || return 1
	for _i_prog in memtouch exitwith workers; do
		vm_copy_elf "$top_builddir/tests/progs/$_i_prog" "$_i_root" "vm/bin/$_i_prog" || return 1
	done
	if [ -n "${VM_GOPROBE:-}" ]; then
		vm_copy_elf "$VM_GOPROBE" "$_i_root" vm/bin/goprobe || return 1
	fi
	if [ -n "${VM_GOPROBE_NEW:-}" ]; then
		vm_copy_elf "$VM_GOPROBE_NEW" "$_i_root" vm/bin/goprobe-new || return 1
	fi
	if [ -n "${VM_GOTHREADS:-}" ]; then
		vm_copy_elf "$VM_GOTHREADS" "$_i_root" vm/bin/gothreads || return 1
	fi
	for _i_extra in ${NUMARUN_VM_EXTRA:-}; do
		_i_path=$(command -v "$_i_extra") || { vm_say "error: NUMARUN_VM_EXTRA: $_i_extra not found"; return 1; }
		vm_copy_elf "$_i_path" "$_i_root" "vm/bin/$(basename "$_i_path")" || return 1
	done

	cp "$VM_LIBDIR/init" "$_i_root/init" && chmod 755 "$_i_root/init" &&
		cp "$VM_LIBDIR/guest.sh" "$VM_LIBDIR/events.sh" "$VM_LIBDIR/tuner.sh" "$VM_LIBDIR/json.awk" "$_i_root/vm/" || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$_i_root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$_i_root/etc/group"
	vm_pack "$_i_root" "$1"
}

# Build the scenario archive $1 in the scratch directory $2 from scenario file $3 and its normalized
# shape text $4.
vm_initramfs_scenario() {
	_i_root=$2/sroot
	rm -rf "$_i_root"
	mkdir -p "$_i_root/vm" || return 1
	cp "$3" "$_i_root/vm/scenario.sh" || return 1
	printf '%s\n' "$4" >"$_i_root/vm/shape"
	vm_pack "$_i_root" "$1"
}
