#!/bin/sh
# numarun's and numad's own CPU time while each watches the same workers process (1000 threads of which 2
# busy, 10 000 idle) in a 2-node QEMU guest: numad looks at processes only on more than one node, so the
# comparison with bench/monitor_overhead.py on a one-node host says nothing of numad. Needs what make
# check-vm needs, plus numad (Debian package numad; apt-get install numad).
# Usage: bench/vm-overhead.sh   (from a built tree; NUMARUN and top_builddir as for tests/vm/run.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
extra=
command -v numad >/dev/null 2>&1 && extra=numad
NUMARUN=${NUMARUN:-$top/launcher/numarun} top_builddir=${top_builddir:-$top} NUMARUN_VM_EXTRA="$extra" \
	sh "$top/tests/vm/run.sh" -v --keep "$here/vm/overhead.sh" | tee /tmp/numarun-vm-overhead.log |
	sed -n 's/^    | # //p'
