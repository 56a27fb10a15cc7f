#!/bin/sh
# Scenario 1 of the runtime tuner in a 2-node QEMU guest, side by side with the kernel's NUMA balancing
# alone and with numad (Debian package numad, at its shortest interval): time until both workers are
# under 10% remote accesses, and the final remote share. Then 8 workers with memory of their own in a
# 4-node guest: numarun pinning them beside the kernel alone. Needs what make check-vm needs, plus numad.
# Usage: bench/vm-compare.sh   (from a built tree; NUMARUN and top_builddir as for tests/vm/run.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
extra=
command -v numad >/dev/null 2>&1 && extra=numad
NUMARUN=${NUMARUN:-$top/launcher/numarun} top_builddir=${top_builddir:-$top} NUMARUN_VM_EXTRA="$extra" \
	sh "$top/tests/vm/run.sh" -v --keep "$here/vm/compare.sh" "$here/vm/compare-own.sh" | tee /tmp/numarun-vm-compare.log |
	sed -n 's/^    | # //p'
