#!/bin/sh
# manpages.sh - the manual pages format without warnings and document what
# the program and the policy format offer.
. "$(dirname "$0")/lib.sh"

command -v groff >/dev/null 2>&1 || skip_all "groff is not installed"

pages="$top_srcdir/man/numarun.1 $top_srcdir/man/numarun.ini.5"

for page in $pages; do
	name=man/$(basename "$page")
	if [ ! -r "$page" ]; then
		not_ok "$name exists"
		continue
	fi
	for macros in -man -mandoc; do
		run groff "$macros" -ww -z "$page"
		if [ "$rc" -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then
			ok "$name: groff $macros -ww -z: no warnings"
		else
			not_ok "$name: groff $macros -ww -z: no warnings" "$(last_details)"
		fi
	done
	run groff -man -Tutf8 -ww "$page"
	if [ "$rc" -eq 0 ] && [ -s "$T/out" ] && [ ! -s "$T/err" ]; then
		ok "$name: renders for a terminal"
	else
		not_ok "$name: renders for a terminal" "$(last_details)"
	fi
	# Lines longer than 80 columns in the rendered page (at 80 columns)
	# mean an example or a tag that does not fit.
	run groff -man -Tascii -rLL=78n "$page"
	long=$(awk '{ gsub(/.\010/, ""); if (length > 80) print }' "$T/out")
	if [ -z "$long" ]; then
		ok "$name: fits 80 columns"
	else
		not_ok "$name: fits 80 columns" "$long"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		run mandoc -T lint -W warning "$page"
		if [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then
			ok "$name: mandoc -T lint -W warning: clean"
		else
			not_ok "$name: mandoc -T lint -W warning: clean" "$(last_details)"
		fi
	else
		skip_check "$name: mandoc -T lint" "mandoc is not installed"
	fi
	if command -v man >/dev/null 2>&1; then
		run env MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$page"
		if [ "$rc" -eq 0 ] && [ -s "$T/out" ] && [ ! -s "$T/err" ]; then
			ok "$name: man -l shows it"
		else
			not_ok "$name: man -l shows it" "$(last_details)"
		fi
	fi
done

# Plain text of a page, for the content checks below.
text() {
	groff -man -Tascii "$1" 2>/dev/null | awk '{ gsub(/.\010/, ""); print }'
}
text "$top_srcdir/man/numarun.1" >"$T/numarun.1.txt"
text "$top_srcdir/man/numarun.ini.5" >"$T/numarun.ini.5.txt"

# contains FILE WORD DESC
contains() {
	if grep -Fq -e "$2" "$1"; then ok "$3"; else not_ok "$3" "'$2' not found"; fi
}

for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO" \
	"LIST SYNTAX" PRECEDENCE "GOMAXPROCS AND OMP_NUM_THREADS" "CGROUP LIMITS" "PLAN JSON" \
	"RESIDENT MODE" "Thread placement" "Metric sources" Decisions Convergence EVENTS REPORT ATTACH; do
	if sed "s/^ *//" "$T/numarun.1.txt" | grep -Fqx -e "$s"; then ok "numarun.1 has a $s section"; else
		not_ok "numarun.1 has a $s section"; fi
done
for o in --cpunodebind --physcpubind --membind --interleave --preferred --localalloc --cpus \
	--placement --smt --gomaxprocs --policy --topology --json --ini --verbose --quiet --version --help --omp-num-threads \
	--balancing --threads= --monitor --source= --action= --interval= --events= --save-policy= \
	--exec --signal-group --output= --svg --restore -N -C -m -i -l -b -c -p -g -v -q -V -h -o; do
	contains "$T/numarun.1.txt" "$o" "numarun.1 documents $o"
done
for w in plan topology compact spread auto always keep "cpu.max" cpu.cfs_quota_us cpu.cfs_period_us \
	HWLOC_THISSYSTEM GOMAXPROCS OMP_NUM_THREADS 1.25 127 126 numarun_plan cpu_order cpu_count \
	this_system allowed notes "ExecStart=" ENTRYPOINT initContainers "numarun plan --ini" \
	"numactl(8)" "hwloc-bind(1)" "taskset(1)" "numad(8)" "numarun.ini(5)" \
	MPOL_F_NUMA_BALANCING PR_SET_CHILD_SUBREAPER SIGWINCH close-on-exec "tcsetpgrp(3)" WUNTRACED "tini -g" \
	/proc/PID/task /proc/PID/numa_maps numa_faults "mm->numa_scan_seq" kernel.numa_balancing \
	kernel.perf_event_paranoid CAP_PERFMON CAP_SYS_NICE 0x01D3 0x02D3 0x0843 0x4043 0x0844 0x4044 \
	"0.1%" "migrate_pages(2)" min_cpu sustain settle max_moves_per_minute descendants exclude \
	"resident:" source_why thread_new interval_ms pinned frozen converged \
	"KillMode=mixed" "SuccessExitStatus=143" "--save-policy=/var/lib/db/numa.ini" \
	"numarun attach" "pidfd_open(2)" PTRACE_MODE_ATTACH CAP_SYS_PTRACE attach_memory "attach: no process"; do
	contains "$T/numarun.1.txt" "$w" "numarun.1 mentions $w"
done

for s in "SECTION [placement]" "SECTION [memory]" "SECTION [runtime]" "SECTION [monitor]" \
	"SECTION [threads]" "SECTION [env]" ERRORS EXAMPLES; do
	if grep -Fqx -e "$s" "$T/numarun.ini.5.txt"; then ok "numarun.ini.5 has a $s section"; else
		not_ok "numarun.ini.5 has a $s section"; fi
done
for k in "nodes = auto | all | LIST" "cpus = all | N | P% | F node(s)" "cpu_list = LIST" \
	"strategy = compact | spread" "smt = yes | no" \
	"policy = local | bind | interleave | preferred | default" "nodes = plan | all | LIST" \
	"include_cpuless = yes | no" "gomaxprocs = auto | always | keep | off | N" \
	"omp_num_threads = auto | keep | off | N" "balancing = auto | yes | no" \
	"enabled = yes | no" "interval = DURATION" "source = auto | pmu | faults | pages" \
	"action = move | migrate | none" "threshold = SHARE" "sustain = N" "settle = N" \
	"max_moves_per_minute = N" "min_cpu = SHARE" "descendants = yes | no" \
	"placement = none | spread | compact" "exclude = GLOB[,GLOB...]" "node.GLOB = NODES" \
	"MPOL_F_NUMA_BALANCING" "bad value '130%' for 'threshold'" continuation \
	"unknown section" "unknown key 'interleve' in [memory]" \
	"bad value 'x' for 'strategy' (expected compact or spread)" \
	"cannot open: No such file or directory" "exit status 2" "numarun(1)"; do
	contains "$T/numarun.ini.5.txt" "$k" "numarun.ini.5 documents: $k"
done

# Every long option that the program's --help lists is in numarun.1.
if [ -x "$NUMARUN" ]; then
	run "$NUMARUN" --help
	grep -o -e '--[a-z][a-z-]*' "$T/out" | sort -u >"$T/help-opts"
	if [ -s "$T/help-opts" ]; then
		missing=
		while read -r o; do
			grep -Fq -e "$o" "$T/numarun.1.txt" || missing="$missing $o"
		done <"$T/help-opts"
		if [ -z "$missing" ]; then
			ok "every option of numarun --help is in numarun.1"
		else
			not_ok "every option of numarun --help is in numarun.1" "not in numarun.1:$missing"
		fi
	else
		not_ok "numarun --help lists long options" "$(last_details)"
	fi
else
	skip_check "options of numarun --help in numarun.1" "numarun not built"
fi

finish
