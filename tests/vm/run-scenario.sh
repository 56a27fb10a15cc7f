#!/bin/sh
# run-scenario.sh - run one scenario of the test bed for debugging: the guest's console is shown as it
# comes and the scratch files (initramfs, console log) are kept.
#
#   run-scenario.sh SCENARIO [more run.sh options]
#
# Same environment as run.sh (NUMARUN, top_builddir, NUMARUN_VM_CACHE, NUMARUN_VM_EXTRA...).
if [ $# -lt 1 ]; then
	echo "usage: $0 SCENARIO [--verbose]" >&2
	exit 1
fi
exec /bin/sh "$(dirname "$0")/run.sh" --console --keep "$@"
