#!/bin/sh
# run.sh - numarun's multi-node test bed: boot small Linux guests with 2 and more NUMA nodes under QEMU
# and check inside them that numarun places threads and memory where it says. See tests/vm/README.md.
#
#   run.sh [--console] [--keep] [--verbose] [SCENARIO...]
#   run.sh --list
#
# SCENARIO: a name in tests/vm/scenarios (without .sh) or a path to a scenario script; none: all of them.
# Environment: NUMARUN (the numarun binary; default $top_builddir/launcher/numarun), top_builddir (where
# tests/progs/memtouch and exitwith were built; default the source tree), NUMARUN_VM_CACHE (kernel cache),
# NUMARUN_VM_KERNEL (a kernel image to use instead of Debian's), NUMARUN_VM_EXTRA (more host programs to
# put in the guest's /vm/bin, e.g. "numactl"), GO (the Go compiler for the goprobe test program).
# Exit status: 0 all scenarios passed; 1 a scenario failed or the bed is broken; 77 the bed cannot run
# here (no QEMU, busybox, cpio or kernel), or every scenario was skipped.

set -u

usage() {
	sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//'
}

VM_DIR=$(cd "$(dirname "$0")" && pwd)
VM_LIBDIR=$VM_DIR/lib
. "$VM_LIBDIR/common.sh"
. "$VM_LIBDIR/kernel.sh"
. "$VM_LIBDIR/shape.sh"
. "$VM_LIBDIR/initramfs.sh"
. "$VM_LIBDIR/qemu.sh"

top_srcdir=${top_srcdir:-$(cd "$VM_DIR/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NUMARUN=${NUMARUN:-$top_builddir/launcher/numarun}

VM_SHOW_CONSOLE=0
keep=0
verbose=0
list=0
names=
while [ $# -gt 0 ]; do
	case $1 in
	--console) VM_SHOW_CONSOLE=1 ;;
	--keep) keep=1 ;;
	-v | --verbose) verbose=1 ;;
	--list) list=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; names="$names $*"; break ;;
	-*) vm_say "unknown option $1"; usage >&2; exit 1 ;;
	*) names="$names $1" ;;
	esac
	shift
done

# ---- which scenarios ----
scenarios=
if [ -z "$names" ]; then
	for f in "$VM_DIR"/scenarios/*.sh; do
		[ -f "$f" ] && scenarios="$scenarios $f"
	done
else
	for n in $names; do
		if [ -f "$n" ]; then
			f=$(cd "$(dirname "$n")" && pwd)/$(basename "$n")
		elif [ -f "$VM_DIR/scenarios/${n%.sh}.sh" ]; then
			f=$VM_DIR/scenarios/${n%.sh}.sh
		else
			vm_die "no scenario '$n' (see $0 --list)"
		fi
		scenarios="$scenarios $f"
	done
fi
[ -n "$scenarios" ] || vm_die "no scenarios in $VM_DIR/scenarios"

if [ "$list" = 1 ]; then
	for f in $scenarios; do
		shape=$(VM_SHAPE_FILE=$f vm_shape_load "$f") || exit 1
		eval "$shape"
		printf '%-16s %d nodes, %d CPUs, %d MiB: %s\n' "$(basename "$f" .sh)" "$VM_NODES" "$VM_CPUS" \
			"$VM_MEM" "$VM_DESC"
	done
	exit 0
fi

# ---- what the bed needs ----
command -v "$VM_QEMU" >/dev/null 2>&1 ||
	vm_skip "$VM_QEMU not found (Debian: apt-get install --no-install-recommends qemu-system-x86)"
command -v busybox >/dev/null 2>&1 || vm_skip "busybox not found (Debian: apt-get install busybox-static)"
command -v cpio >/dev/null 2>&1 || vm_skip "cpio not found (Debian: apt-get install cpio)"
for tool in gzip ldd timeout; do
	command -v "$tool" >/dev/null 2>&1 || vm_skip "$tool not found"
done
[ -x "$NUMARUN" ] || vm_die "numarun is not built: $NUMARUN (run make, or make check-vm)"
for prog in memtouch exitwith workers; do
	[ -x "$top_builddir/tests/progs/$prog" ] ||
		vm_die "test program not built: $top_builddir/tests/progs/$prog (make check-vm builds it)"
done
vm_kernel_find || vm_skip "no guest kernel: $VM_KERNEL_WHY"

work=$(mktemp -d "${TMPDIR:-/tmp}/numarun-vm.XXXXXX") || vm_die "cannot create a scratch directory"
failed=0
cleanup() {
	if [ "$keep" = 1 ] || [ "$failed" -gt 0 ]; then
		vm_say "scratch files (initramfs, console logs) kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

t_start=$(vm_now)

# ---- the Go test programs, when Go is there ----
VM_GOPROBE=
VM_GOPROBE_NEW=
VM_GOTHREADS=
GO=${GO:-go}
# Build tests/progs/$1 with Go into $work/$1, offline and self-contained (no module downloads, no
# toolchain switch, a cache even without $HOME). With $2, a copy of the program whose module says
# "go $2" is built into $work/$3.
vm_go_build() {
	_g_src=$top_srcdir/tests/progs/$1
	if [ -n "${2:-}" ]; then
		mkdir -p "$work/src-$3" && cp "$_g_src"/*.go "$work/src-$3/" &&
			printf 'module numarun/%s\n\ngo %s\n' "$3" "$2" >"$work/src-$3/go.mod" || return 1
		_g_src=$work/src-$3
		set -- "$3"
	fi
	[ -f "$_g_src/main.go" ] || { vm_say "note: no $_g_src/main.go"; return 1; }
	_g_cache=$(vm_cache_dir)
	if ! (cd "$_g_src" &&
		if [ -z "${HOME:-}" ]; then
			GOCACHE=${GOCACHE:-$_g_cache/go-build} GOPATH=${GOPATH:-$_g_cache/go}
			export GOCACHE GOPATH
		fi &&
		CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOFLAGS='' "$GO" build -o "$work/$1" .) \
		>"$work/$1.log" 2>&1; then
		cat "$work/$1.log" >&2
		failed=1
		vm_die "building $1 ($GO build in $_g_src) failed"
	fi
}
if ! command -v "$GO" >/dev/null 2>&1; then
	vm_say "note: no Go compiler: the Go checks are skipped (Debian: apt-get install golang-go)"
else
	vm_go_build goprobe && VM_GOPROBE=$work/goprobe
	vm_go_build gothreads && VM_GOTHREADS=$work/gothreads
	# The same probe from a module on the compiler's own go line: for Go >= 1.25 a runtime that sizes
	# GOMAXPROCS itself, to compare numarun's value for the old-module probe with.
	_g_line=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null | sed -n 's/^go\(1\.[0-9]*\).*/\1/p')
	case $_g_line in
	1.2[5-9] | 1.[3-9][0-9]) vm_go_build goprobe "$_g_line" goprobe-new && VM_GOPROBE_NEW=$work/goprobe-new ;;
	*) vm_say "note: $GO is go${_g_line:-?}: no runtime that sizes GOMAXPROCS itself to compare with" ;;
	esac
fi

# ---- the common part of the initramfs ----
vm_initramfs_base "$work/base.cpio.gz" "$work" || { failed=1; vm_die "building the initramfs failed"; }
vm_say "kernel $VM_KERNEL, initramfs $(($(wc -c <"$work/base.cpio.gz") / 1024)) KiB, numarun $NUMARUN"

# ---- the scenarios ----
passed=0
skipped=0
for f in $scenarios; do
	name=$(basename "$f" .sh)
	if ! shape=$(VM_SHAPE_FILE=$f vm_shape_load "$f"); then
		echo "FAIL $name: bad scenario header"
		failed=$((failed + 1))
		continue
	fi
	eval "$shape"
	why=
	for req in $VM_REQUIRES; do
		case $req in
		goprobe) [ -n "$VM_GOPROBE" ] || why="needs the Go probe (no Go compiler)" ;;
		gothreads) [ -n "$VM_GOTHREADS" ] || why="needs the Go thread program (no Go compiler)" ;;
		*) why="unknown requirement '$req'" ;;
		esac
	done
	if [ -n "$why" ]; then
		echo "SKIP $name: $why"
		skipped=$((skipped + 1))
		continue
	fi

	vm_initramfs_scenario "$work/$name.cpio.gz" "$work" "$f" "$shape" || vm_die "packing $name failed"
	cat "$work/base.cpio.gz" "$work/$name.cpio.gz" >"$work/$name.initrd.gz"
	log=$work/$name.console
	[ "$VM_SHOW_CONSOLE" = 1 ] && vm_say "booting $name: $VM_NODES nodes, $VM_CPUS CPUs, $VM_MEM MiB"
	t0=$(vm_now)
	vm_boot "$VM_KERNEL" "$work/$name.initrd.gz" "$log"
	t1=$(vm_now)
	secs=$(vm_elapsed "$t0" "$t1")
	rm -f "$work/$name.initrd.gz" "$work/$name.cpio.gz"

	# Files the guest brought back (vm_bring_back) into files/$name; an events file is rendered here with
	# numarun report, checked (one mark per move event), and the checks are added to the guest's.
	mkdir -p "$work/files/$name"
	awk -v dir="$work/files/$name" '{
		sub(/\r$/, "")
		i = index($0, "@@NUMARUN-VM-FILE ")
		if (!i) next
		rest = substr($0, i + 18)
		j = index(rest, "@@")
		fname = substr(rest, 1, j - 1)
		if (fname !~ /^[A-Za-z0-9._-]+$/) next
		print substr(rest, j + 2) > (dir "/" fname)
	}' "$log"
	for ev in "$work/files/$name"/*.json; do
		[ -f "$ev" ] || continue
		html=${ev%.json}.html
		what="host: numarun report renders $(basename "$ev")"
		if "$NUMARUN" report -o "$html" "$ev" 2>"$ev.err"; then
			marks=$(grep -o 'class="mark ' "$html" | wc -l)
			moves=$(grep -c '"event":"move"' "$ev")
			if [ "$marks" -eq "$moves" ] && grep -q '<svg' "$html"; then
				echo "ok - $what ($moves moves and migrations marked)" >>"$log"
			else
				echo "not ok - $what: $marks marks for $moves move events" >>"$log"
			fi
		else
			echo "not ok - $what: $(cat "$ev.err")" >>"$log"
		fi
	done
	result=$(grep -o '@@NUMARUN-VM-RESULT [^@]*@@' "$log" | tail -n 1)
	n_ok=$(grep -c '^ok - ' "$log")
	n_skip=$(grep -c '^ok - .* # SKIP' "$log")
	n_fail=$(grep -c '^not ok - ' "$log")
	shape_txt="$VM_NODES nodes x $(echo "$VM_NODE_CPUS" | tr ' ' '/') CPUs"
	if [ -z "$result" ]; then
		if [ "$VM_QEMU_RC" = 124 ] || [ "$VM_QEMU_RC" = 137 ]; then
			why="guest hung: no result after ${VM_TIMEOUT}s"
		elif grep -q '@@NUMARUN-VM-BEGIN@@' "$log"; then
			why="guest stopped before the end of the scenario (qemu exit $VM_QEMU_RC)"
		else
			why="guest did not boot (qemu exit $VM_QEMU_RC)"
		fi
		echo "FAIL $name ($secs s, $shape_txt): $why; last console lines:"
		tail -n 30 "$log" | sed 's/^/    | /'
		failed=$((failed + 1))
	elif [ "$n_fail" -gt 0 ] || ! echo "$result" | grep -q ' failed=0 '; then
		echo "FAIL $name ($secs s, $shape_txt): $n_fail of $((n_ok + n_fail)) checks failed; guest output:"
		sed -n '/@@NUMARUN-VM-BEGIN@@/,$p' "$log" | sed 's/^/    | /'
		failed=$((failed + 1))
	else
		extra=
		[ "$n_skip" -gt 0 ] && extra=", $n_skip skipped"
		echo "PASS $name ($secs s, $shape_txt): $((n_ok - n_skip)) checks passed$extra"
		if [ "$verbose" = 1 ]; then
			grep -E '^(ok|not ok) - |^# ' "$log" | sed 's/^/    | /'
		fi
		passed=$((passed + 1))
	fi
done

echo "total wall time: $(vm_elapsed "$t_start" "$(vm_now)") s"
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
if [ "$failed" -gt 0 ]; then
	exit 1
elif [ "$passed" -eq 0 ]; then
	exit 77
fi
exit 0
