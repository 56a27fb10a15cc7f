/* cgroup.c - cgroup v2 cpu.max / memory.max and v1 cpu.cfs_quota_us, cpu.cfs_period_us /
 * memory.limit_in_bytes: the leaf, or the leaf and its ancestors up to the mount. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"

int cgroup_parse_cpu_max(const char *text, long long *quota, long long *period)
{
	char q[32];
	long long p = 100000;
	int n = sscanf(text, "%31s %lld", q, &p);
	if (n < 1 || p <= 0)
		return -1;
	if (strcmp(q, "max") == 0) {
		*quota = -1;
	} else {
		char *end;
		long long v = strtoll(q, &end, 10);
		if (*end || v <= 0)
			return -1;
		*quota = v;
	}
	*period = p;
	return 0;
}

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

int cgroup_parse_mem_max(const char *text, unsigned long long *bytes)
{
	char w[32];
	if (sscanf(text, "%31s", w) != 1)
		return -1;
	if (strcmp(w, "max") == 0) {
		*bytes = 0;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(w, &end, 10);
	if (*end || w[0] == '-' || errno == ERANGE)
		return -1;
	*bytes = v > (1ULL << 62) ? 0 : v;
	return 0;
}

static void consider(struct cpu_limit *lim, long long quota, long long period, const char *what)
{
	if (quota <= 0 || period <= 0)
		return;
	double cpus = (double)quota / (double)period;
	if (lim->cpus == 0 || cpus < lim->cpus) {
		lim->cpus = cpus;
		snprintf(lim->source, sizeof(lim->source), "%s: %lld/%lld", what, quota, period);
	}
}

/* Where one hierarchy holds our cgroup: root + mount + path, and where the mount begins in dir. */
struct cg_loc {
	int listed;               /* /proc/self/cgroup names this hierarchy */
	int mounted;              /* and its mount was found */
	char dir[PATH_MAX];
	size_t stop;
};

enum limit_kind { LIMIT_CPU, LIMIT_MEM };

/* Read the limit files of one cgroup directory into cpu or mem. shown_off: where the name shown in
 * messages begins (after the test root). */
static void read_level(const char *dir, size_t shown_off, int v2, enum limit_kind kind, struct cpu_limit *cpu,
		       struct mem_limit *mem)
{
	char path[PATH_MAX + 32], buf[128], buf2[64];
	if (kind == LIMIT_MEM) {
		snprintf(path, sizeof(path), "%s/%s", dir, v2 ? "memory.max" : "memory.limit_in_bytes");
		unsigned long long b;
		if (read_small(path, buf, sizeof(buf)) == 0 && cgroup_parse_mem_max(buf, &b) == 0 && b > 0 &&
		    (mem->bytes == 0 || b < mem->bytes)) {
			mem->bytes = b;
			snprintf(mem->source, sizeof(mem->source), "%s: %llu", path + shown_off, b);
		}
	} else if (v2) {
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		long long q, p;
		if (read_small(path, buf, sizeof(buf)) == 0 && cgroup_parse_cpu_max(buf, &q, &p) == 0)
			consider(cpu, q, p, path + shown_off);
	} else {
		snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
		if (read_small(path, buf2, sizeof(buf2)) == 0) {
			snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
			if (read_small(path, buf, sizeof(buf)) == 0)
				consider(cpu, atoll(buf), atoll(buf2), path + shown_off);
		}
	}
}

/* The leaf, then (unless leaf_only) each ancestor up to and including the mount. */
static void walk(const struct cg_loc *l, size_t rootlen, int v2, int leaf_only, enum limit_kind kind,
		 struct cpu_limit *cpu, struct mem_limit *mem)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", l->dir);
	for (;;) {
		read_level(dir, rootlen, v2, kind, cpu, mem);
		char *slash = strrchr(dir, '/');
		if (leaf_only || strlen(dir) <= l->stop || !slash || (size_t)(slash - dir) < l->stop)
			break;
		*slash = '\0';
	}
}

static int has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && strncmp(p, tok, n) == 0)
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

int cgroup_parse_mount_line(const char *line, int v2, const char *ctrl, char *mnt, size_t mntlen, char *mroot,
			    size_t mrootlen)
{
	char r[PATH_MAX], mp[PATH_MAX], fstype[64], super[1024];
	const char *dash = strstr(line, " - ");
	if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", r, mp) != 2 ||
	    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
		return 0;
	if (v2 ? strcmp(fstype, "cgroup2") != 0 : (strcmp(fstype, "cgroup") != 0 || !has_token(super, ctrl)))
		return 0;
	snprintf(mnt, mntlen, "%s", mp);
	snprintf(mroot, mrootlen, "%s", r);
	return 1;
}

int cgroup_parse_cgroup_line(char *line, const char *ctrl, const char **path)
{
	line[strcspn(line, "\n")] = '\0';
	char *c1 = strchr(line, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return 0;
	*c1 = *c2 = '\0';
	const char *ctrls = c1 + 1;
	*path = c2 + 1;
	if (strcmp(line, "0") == 0 && *ctrls == '\0')
		return 2;
	return has_token(ctrls, ctrl) ? 1 : 0;
}

/* Find the mount of a cgroup hierarchy: v2, or the v1 one whose super options name ctrl. */
static int find_mount(const char *root, int v2, const char *ctrl, char *mnt, size_t mntlen, char *mroot,
		      size_t mrootlen)
{
	char path[PATH_MAX], line[4096];
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int found = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (cgroup_parse_mount_line(line, v2, ctrl, mnt, mntlen, mroot, mrootlen)) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Locate our cgroup in the v1 hierarchy holding ctrl and in the v2 hierarchy. */
static int locate(const char *root, const char *ctrl, struct cg_loc *v1, struct cg_loc *v2)
{
	char path[PATH_MAX], line[4096];
	memset(v1, 0, sizeof(*v1));
	memset(v2, 0, sizeof(*v2));
	snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *cg;
		int kind = cgroup_parse_cgroup_line(line, ctrl, &cg);
		if (!kind)
			continue;
		int is_v2 = kind == 2;
		struct cg_loc *l = is_v2 ? v2 : v1;
		if (l->listed)
			continue;
		l->listed = 1;
		char mnt[PATH_MAX], mroot[PATH_MAX];
		if (find_mount(root, is_v2, ctrl, mnt, sizeof(mnt), mroot, sizeof(mroot)) < 0)
			continue;
		/* The path in /proc/self/cgroup is relative to the hierarchy's root; the mount may show
		 * only a subtree of it (containers). */
		const char *rel = cg;
		size_t rl = strlen(mroot);
		if (strcmp(mroot, "/") != 0 && strncmp(cg, mroot, rl) == 0)
			rel = cg + rl;
		if (strcmp(rel, "/") == 0)
			rel = "";
		const char *m = strcmp(mnt, "/") == 0 ? "" : mnt;
		snprintf(l->dir, sizeof(l->dir), "%s%s%s", root, m, rel);
		l->stop = strlen(root) + strlen(m);
		l->mounted = 1;
	}
	fclose(f);
	return 0;
}

/* The tightest limit of one kind over the cgroup and its ancestors, in the v1 and v2 hierarchies alike. */
static int tightest(const char *root, const char *controller, enum limit_kind kind, struct cpu_limit *cpu,
		    struct mem_limit *mem)
{
	struct cg_loc v1, v2;
	int rc = locate(root, controller, &v1, &v2);
	if (rc < 0)
		return rc;
	if (v1.mounted)
		walk(&v1, strlen(root), 0, 0, kind, cpu, mem);
	if (v2.mounted)
		walk(&v2, strlen(root), 1, 0, kind, cpu, mem);
	return 0;
}

int cgroup_cpu_limit(const char *root, struct cpu_limit *lim)
{
	memset(lim, 0, sizeof(*lim));
	return tightest(root, "cpu", LIMIT_CPU, lim, NULL);
}

int cgroup_cpu_limit_leaf(const char *root, struct cpu_limit *lim)
{
	struct cg_loc v1, v2;
	memset(lim, 0, sizeof(*lim));
	int rc = locate(root, "cpu", &v1, &v2);
	if (rc < 0)
		return rc;
	/* A v1 hierarchy with the cpu controller is the CPU controller, mounted or not. */
	if (v1.listed) {
		if (v1.mounted)
			walk(&v1, strlen(root), 0, 1, LIMIT_CPU, lim, NULL);
	} else if (v2.mounted) {
		walk(&v2, strlen(root), 1, 1, LIMIT_CPU, lim, NULL);
	}
	return 0;
}

int cgroup_mem_limit(const char *root, struct mem_limit *lim)
{
	memset(lim, 0, sizeof(*lim));
	return tightest(root, "memory", LIMIT_MEM, NULL, lim);
}
