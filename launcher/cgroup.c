/* cgroup.c - cgroup v2 cpu.max and v1 cpu.cfs_quota_us / cpu.cfs_period_us, walking up to the mount. */
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

/* Walk from dir up to (and including) mnt, reading the limit files at each level. */
static void walk(const char *root, const char *mnt, const char *rel, int v2, struct cpu_limit *lim)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], buf[128], buf2[64];
	snprintf(dir, sizeof(dir), "%s%s%s", root, mnt, rel);
	size_t stop = strlen(root) + strlen(mnt);
	for (;;) {
		if (v2) {
			snprintf(path, sizeof(path), "%s/cpu.max", dir);
			long long q, p;
			if (read_small(path, buf, sizeof(buf)) == 0 && cgroup_parse_cpu_max(buf, &q, &p) == 0)
				consider(lim, q, p, path + strlen(root));
		} else {
			snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
			if (read_small(path, buf2, sizeof(buf2)) == 0) {
				snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
				if (read_small(path, buf, sizeof(buf)) == 0)
					consider(lim, atoll(buf), atoll(buf2), path + strlen(root));
			}
		}
		char *slash = strrchr(dir, '/');
		if (strlen(dir) <= stop || !slash || (size_t)(slash - dir) < stop)
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

/* Find the mount of a cgroup hierarchy: v2, or the v1 one whose super options name "cpu". */
static int find_mount(const char *root, int v2, char *mnt, size_t mntlen, char *mroot, size_t mrootlen)
{
	char path[PATH_MAX], line[4096];
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int found = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char r[PATH_MAX], mp[PATH_MAX], fstype[64], super[1024];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", r, mp) != 2 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
			continue;
		if (v2 ? strcmp(fstype, "cgroup2") == 0
		       : (strcmp(fstype, "cgroup") == 0 && has_token(super, "cpu"))) {
			snprintf(mnt, mntlen, "%s", mp);
			snprintf(mroot, mrootlen, "%s", r);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

int cgroup_cpu_limit(const char *root, struct cpu_limit *lim)
{
	char path[PATH_MAX], line[4096];
	memset(lim, 0, sizeof(*lim));
	snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		const char *ctrls = c1 + 1, *cg = c2 + 1;
		int v2 = strcmp(line, "0") == 0 && *ctrls == '\0';
		if (!v2 && !has_token(ctrls, "cpu"))
			continue;
		char mnt[PATH_MAX], mroot[PATH_MAX];
		if (find_mount(root, v2, mnt, sizeof(mnt), mroot, sizeof(mroot)) < 0)
			continue;
		/* The path in /proc/self/cgroup is relative to the hierarchy's root; the mount may show
		 * only a subtree of it (containers). */
		const char *rel = cg;
		size_t rl = strlen(mroot);
		if (strcmp(mroot, "/") != 0 && strncmp(cg, mroot, rl) == 0)
			rel = cg + rl;
		if (strcmp(rel, "/") == 0)
			rel = "";
		walk(root, strcmp(mnt, "/") == 0 ? "" : mnt, rel, v2, lim);
	}
	fclose(f);
	return 0;
}
