# shape.sh - a scenario's guest shape: read its header, fill in defaults, check it (sourced; POSIX sh).
#
# Header variables a scenario sets (plain assignments at the top of the script):
#   VM_DESC            one line: what the scenario proves
#   VM_NODES           number of NUMA nodes (default 2)
#   VM_CPUS_PER_NODE   CPUs on every node (default 1), or
#   VM_NODE_CPUS       CPUs per node, one number a node ("2 2 0": node 2 has memory only)
#   VM_MEM_PER_NODE    MiB on every node (default 256), or
#   VM_NODE_MEM        MiB per node, one number a node
#   VM_DIST            distance matrix, rows separated by ';' ("10 21; 21 10"); default: QEMU's (10 / 20)
#   VM_TIMEOUT         seconds before the guest is declared hung (default 300)
#   VM_APPEND          extra kernel command-line arguments
#   VM_NUMA_BALANCING  value of kernel.numa_balancing in the guest (default 0: pages stay where placed)
#   VM_REQUIRES        host things the scenario cannot do without: "goprobe" (skipped without them)
#
# vm_shape_load prints the normalized shape as shell assignments; the host evals them and the guest gets
# the same text as /vm/shape, so both sides agree on the derived values:
#   VM_CPUS (total), VM_MEM (total MiB), VM_NODE_CPULIST ("0-1 2-3", "-" for a CPU-less node), VM_DIST
#   (full matrix, also when defaulted).

# Print the normalized shape of scenario file $1, or an error on stderr and return 1.
vm_shape_load() {
	(
		VM_DESC='' VM_NODES=2 VM_CPUS_PER_NODE=1 VM_NODE_CPUS='' VM_MEM_PER_NODE=256 VM_NODE_MEM=''
		VM_DIST='' VM_TIMEOUT=300 VM_APPEND='' VM_NUMA_BALANCING=0 VM_REQUIRES=''
		# shellcheck disable=SC1090
		. "$1" || exit 1
		[ -n "$VM_NODE_CPUS" ] || VM_NODE_CPUS=$(awk -v n="$VM_NODES" -v c="$VM_CPUS_PER_NODE" \
			'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? " " : ""), c }')
		[ -n "$VM_NODE_MEM" ] || VM_NODE_MEM=$(awk -v n="$VM_NODES" -v m="$VM_MEM_PER_NODE" \
			'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? " " : ""), m }')
		awk -v nodes="$VM_NODES" -v cpus="$VM_NODE_CPUS" -v mem="$VM_NODE_MEM" -v dist="$VM_DIST" \
			-v timeout="$VM_TIMEOUT" -v bal="$VM_NUMA_BALANCING" '
		function bad(msg) { print "vm: error: " FILENAME_ ": " msg > "/dev/stderr"; failed = 1; exit 1 }
		function isnum(s) { return s ~ /^[0-9]+$/ }
		BEGIN {
			FILENAME_ = ENVIRON["VM_SHAPE_FILE"]
			if (!isnum(nodes) || nodes < 1 || nodes > 64) bad("VM_NODES must be 1..64, not \"" nodes "\"")
			if (split(cpus, c, " ") != nodes) bad("VM_NODE_CPUS needs " nodes " numbers: \"" cpus "\"")
			if (split(mem, m, " ") != nodes) bad("VM_NODE_MEM needs " nodes " numbers: \"" mem "\"")
			if (!isnum(timeout) || timeout < 1) bad("VM_TIMEOUT must be a number of seconds")
			if (!isnum(bal)) bad("VM_NUMA_BALANCING must be a number")
			total = 0; totalmem = 0; list = ""
			for (i = 1; i <= nodes; i++) {
				if (!isnum(c[i])) bad("bad CPU count \"" c[i] "\"")
				if (!isnum(m[i]) || m[i] < 32) bad("bad memory size \"" m[i] "\" (MiB, at least 32)")
				if (c[i] == 0) l = "-"
				else if (c[i] == 1) l = total
				else l = total "-" (total + c[i] - 1)
				list = list (i > 1 ? " " : "") l
				total += c[i]; totalmem += m[i]
			}
			if (total < 1) bad("the guest needs at least one CPU")
			if (dist == "") {
				for (i = 0; i < nodes; i++)
					for (j = 0; j < nodes; j++)
						d[i, j] = (i == j) ? 10 : 20
			} else {
				if (split(dist, rows, ";") != nodes) bad("VM_DIST needs " nodes " rows separated by \";\"")
				for (i = 0; i < nodes; i++) {
					if (split(rows[i + 1], r, " ") != nodes) bad("VM_DIST row " i " needs " nodes " numbers")
					for (j = 0; j < nodes; j++) {
						if (!isnum(r[j + 1])) bad("VM_DIST: bad distance \"" r[j + 1] "\"")
						d[i, j] = r[j + 1] + 0
					}
					if (d[i, i] != 10) bad("VM_DIST: the distance of node " i " to itself must be 10")
				}
				for (i = 0; i < nodes; i++)
					for (j = 0; j < nodes; j++)
						if (i != j && (d[i, j] <= 10 || d[i, j] > 255))
							bad("VM_DIST: distance " i "-" j " must be 11..255")
			}
			dm = ""
			for (i = 0; i < nodes; i++) {
				row = ""
				for (j = 0; j < nodes; j++) row = row (j ? " " : "") d[i, j]
				dm = dm (i ? ";" : "") row
			}
			printf "VM_NODES=%d\nVM_NODE_CPUS=\047%s\047\nVM_NODE_MEM=\047%s\047\n", nodes, cpus, mem
			printf "VM_CPUS=%d\nVM_MEM=%d\nVM_NODE_CPULIST=\047%s\047\nVM_DIST=\047%s\047\n", total, totalmem, list, dm
			printf "VM_TIMEOUT=%d\nVM_NUMA_BALANCING=%d\n", timeout, bal
		}' || exit 1
		# Free text: quoted for the shell (no single quotes allowed in these).
		for _v in VM_DESC VM_APPEND VM_REQUIRES; do
			eval "_val=\$$_v"
			case $_val in *"'"*) echo "vm: error: $1: $_v must not contain a single quote" >&2; exit 1 ;; esac
			printf "%s='%s'\n" "$_v" "$_val"
		done
	)
}

# Print the qemu-system-x86_64 arguments that give the loaded shape (VM_* variables set by eval).
vm_shape_qemu_args() {
	awk -v nodes="$VM_NODES" -v cpus="$VM_NODE_CPUS" -v mem="$VM_NODE_MEM" -v list="$VM_NODE_CPULIST" \
		-v dist="$VM_DIST" -v total="$VM_CPUS" -v totalmem="$VM_MEM" '
	BEGIN {
		split(cpus, c, " "); split(mem, m, " "); split(list, l, " "); split(dist, rows, ";")
		uniform = 1
		for (i = 2; i <= nodes; i++) if (c[i] != c[1]) uniform = 0
		printf "-m %dM\n", totalmem
		if (uniform) printf "-smp %d,sockets=%d,cores=%d,threads=1\n", total, nodes, c[1]
		else printf "-smp %d\n", total
		for (i = 0; i < nodes; i++) {
			printf "-object memory-backend-ram,size=%dM,id=m%d\n", m[i + 1], i
			if (l[i + 1] == "-") printf "-numa node,nodeid=%d,memdev=m%d\n", i, i
			else printf "-numa node,nodeid=%d,cpus=%s,memdev=m%d\n", i, l[i + 1], i
		}
		for (i = 0; i < nodes; i++) {
			split(rows[i + 1], r, " ")
			for (j = 0; j < nodes; j++)
				if (i != j) printf "-numa dist,src=%d,dst=%d,val=%d\n", i, j, r[j + 1]
		}
	}'
}
