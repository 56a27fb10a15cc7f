/* cgroup.h - CPU bandwidth limits (cgroup v2 cpu.max, v1 cpu.cfs_quota_us) and memory limits (v2
 * memory.max, v1 memory.limit_in_bytes): the tightest over the cgroup and its ancestors, or the leaf only
 * as the Go runtime reads it. */
#ifndef NUMARUN_CGROUP_H
#define NUMARUN_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

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
/* The same for process pid (0: ourselves), from /proc/PID/cgroup joined with our own mountinfo. */
int cgroup_limits_pid(const char *root, pid_t pid, struct cpu_limit *cpu, struct cpu_limit *leaf,
		      struct mem_limit *mem);

/* One cgroup directory of a hierarchy that may hold the cpu controller. */
struct cgroup_level {
	char dir[4096];           /* root + mount + path */
	size_t shown_off;         /* where the name shown in messages begins (after the test root) */
	int v2;                   /* the v2 hierarchy (cpu.max, throttled_usec), else v1 cpu */
};
/* The cgroups of process pid (0: ourselves) where a CPU quota may apply: in the v1 hierarchy holding the
 * cpu controller, then in the v2 hierarchy, each leaf first and then every ancestor up to the mount.
 * Returns how many were put in lv (at most max), or -errno when /proc/PID/cgroup cannot be read. */
long cgroup_cpu_levels(const char *root, pid_t pid, struct cgroup_level *lv, size_t max);

/* The bandwidth counters of cpu.stat. */
struct cgroup_cpu_stat {
	long long nr_periods, nr_throttled; /* -1 when absent */
	long long throttled_usec; /* v2 throttled_usec, v1 throttled_time / 1000; -1 when absent */
};
/* Parse cpu.stat text (v2: nr_periods, nr_throttled, throttled_usec; v1: throttled_time in ns). Returns 0,
 * or -1 when nr_periods or nr_throttled is missing (no cpu controller there: a v2 cgroup without it shows
 * usage only). */
int cgroup_parse_cpu_stat(const char *text, struct cgroup_cpu_stat *st);
/* Read a level's cpu.stat; path gets its name (for evidence). Returns 0, -ENODATA when it has no bandwidth
 * counters, or -errno. */
int cgroup_read_cpu_stat(const struct cgroup_level *lv, struct cgroup_cpu_stat *st, char *path, size_t pathlen);
/* A level's quota: v2 cpu.max, v1 cpu.cfs_quota_us and cpu.cfs_period_us; *quota -1 when unlimited;
 * source gets the quota file's name. Returns 0 or -errno (-ENODATA: not a quota). */
int cgroup_level_quota(const struct cgroup_level *lv, long long *quota, long long *period, char *source,
		       size_t sourcelen);

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
