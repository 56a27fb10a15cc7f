/* cgroup.h - CPU bandwidth limits (cgroup v2 cpu.max, v1 cpu.cfs_quota_us) and memory limits (v2
 * memory.max, v1 memory.limit_in_bytes): the tightest over the cgroup and its ancestors, or the leaf only
 * as the Go runtime reads it. */
#ifndef NUMARUN_CGROUP_H
#define NUMARUN_CGROUP_H

#include <stddef.h>

struct cpu_limit {
	double cpus;              /* quota / period of the tightest limit; 0 when there is none */
	char source[512];         /* which file set it, for messages */
};

struct mem_limit {
	unsigned long long bytes; /* the tightest limit; 0 when there is none */
	char source[512];
};

/*
 * Find the CPU limit of our own cgroup and of every ancestor, v2 and v1 alike. root prefixes every path
 * ("" for the real system; tests pass a directory holding proc/self/{cgroup,mountinfo} and the cgroup
 * trees). Returns 0 (limit->cpus 0 when unlimited), or -errno when /proc/self/cgroup cannot be read.
 */
int cgroup_cpu_limit(const char *root, struct cpu_limit *limit);
/*
 * The CPU limit as the Go runtime (1.25 and later) reads it: the leaf cgroup only (the one holding the
 * process), no ancestors; a v1 hierarchy with the cpu controller takes precedence over v2. Same returns.
 */
int cgroup_cpu_limit_leaf(const char *root, struct cpu_limit *limit);
/* The tightest memory limit of our cgroup and its ancestors (v2 memory.max, v1 memory.limit_in_bytes).
 * Returns 0 (limit->bytes 0 when unlimited), or -errno when /proc/self/cgroup cannot be read. */
int cgroup_mem_limit(const char *root, struct mem_limit *limit);
/* All three at once, as a launch needs them (cgroup_cpu_limit, cgroup_cpu_limit_leaf, cgroup_mem_limit),
 * from one read of /proc/self/cgroup and mountinfo. Returns 0, or -errno when /proc/self/cgroup cannot be
 * read (then all three unlimited). */
int cgroup_limits(const char *root, struct cpu_limit *cpu, struct cpu_limit *leaf, struct mem_limit *mem);
/* Parse cpu.max text ("max 100000", "50000 100000"): quota -1 when unlimited. Returns 0 or -1. */
int cgroup_parse_cpu_max(const char *text, long long *quota, long long *period);
/*
 * Parse memory.max ("max", "1073741824") or memory.limit_in_bytes text. *bytes 0 when unlimited: "max",
 * or a v1 value above 2^62 (v1 shows "no limit" as the largest page multiple below 2^63). Returns 0 or
 * -1 when the text is not a number.
 */
int cgroup_parse_mem_max(const char *text, unsigned long long *bytes);

/* One line of /proc/self/mountinfo: is it the mount of the v2 hierarchy (v2), or of the v1 hierarchy whose
 * super options name ctrl? Then 1, with its mount point in mnt and the root of the hierarchy it shows in
 * mroot; else 0. */
int cgroup_parse_mount_line(const char *line, int v2, const char *ctrl, char *mnt, size_t mntlen, char *mroot,
			    size_t mrootlen);
/* One line of /proc/self/cgroup ("ID:controllers:path", cut in place): 2 for the v2 hierarchy, 1 for a v1
 * hierarchy holding ctrl, 0 otherwise; *path set for 1 and 2. */
int cgroup_parse_cgroup_line(char *line, const char *ctrl, const char **path);
#endif
