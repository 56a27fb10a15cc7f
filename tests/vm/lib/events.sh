# events.sh - reading numarun's JSON-lines event stream in guest scenarios (sourced; busybox sh).

# The last event named $2 in events file $1, flattened (see json.awk), on stdout.
vm_event() {
	grep "\"event\":\"$2\"" "$1" | tail -n 1 | vm_json
}

# Count of events named $2 in file $1, optionally only those whose line also contains $3.
vm_event_count() {
	if [ -n "${3:-}" ]; then
		grep "\"event\":\"$2\"" "$1" | grep -c -- "$3"
	else
		grep -c "\"event\":\"$2\"" "$1"
	fi
}

# From the exit event of file $1: one line per thread, "comm node remote moves cpu".
vm_exit_threads() {
	vm_event "$1" exit | awk -F'\t' '
		$1 ~ /^threads\.[0-9]+\./ {
			split($1, p, ".")
			v[p[2], p[3]] = $2
			if (p[2] + 1 > n) n = p[2] + 1
		}
		END { for (i = 0; i < n; i++) print v[i, "comm"], v[i, "node"], v[i, "remote"], v[i, "moves"], v[i, "cpu"] }'
}

# Seconds ("t") of the first event named $2 in file $1 whose line contains $3.
vm_event_time() {
	grep "\"event\":\"$2\"" "$1" | grep -- "$3" | head -n 1 | vm_json | vm_json_get t
}
