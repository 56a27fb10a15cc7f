/* cgroup.h - CPU bandwidth limits from cgroup v2 (cpu.max) and v1 (cpu.cfs_quota_us), ancestors too. */
#ifndef NUMARUN_CGROUP_H
#define NUMARUN_CGROUP_H

#include <stddef.h>

struct cpu_limit {
	double cpus;              /* quota / period of the tightest limit; 0 when there is none */
	char source[512];         /* which file set it, for messages */
};

/*
 * Find the CPU limit of our own cgroup and of every ancestor, v2 and v1 alike. root prefixes every path
 * ("" for the real system; tests pass a directory holding proc/self/{cgroup,mountinfo} and the cgroup
 * trees). Returns 0 (limit->cpus 0 when unlimited), or -errno when /proc/self/cgroup cannot be read.
 */
int cgroup_cpu_limit(const char *root, struct cpu_limit *limit);
/* Parse cpu.max text ("max 100000", "50000 100000"): quota -1 when unlimited. Returns 0 or -1. */
int cgroup_parse_cpu_max(const char *text, long long *quota, long long *period);

#endif
