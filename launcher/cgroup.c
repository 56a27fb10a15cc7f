/* cgroup.c - cgroup v2 cpu.max / memory.max and v1 cpu.cfs_quota_us, cpu.cfs_period_us /
 * memory.limit_in_bytes: the leaf, or the leaf and its ancestors up to the mount. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
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

/* The text of a small file, NUL-terminated, in buf (at most len - 1 bytes of it): 0 or -errno. One
 * open, read and close: these files are read at every launch. */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	while (n < len - 1) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(fd);
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

/* As sscanf's %s (or %*s where out is NULL, width then unbounded): blanks skipped, then at most width
 * bytes of a word into out. Where the word ends, or NULL when there is none. sscanf takes most of the
 * time of a launch's cgroup reads otherwise. */
static const char *scan_word(const char *p, char *out, size_t width)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p)
		return NULL;
	size_t n = 0;
	while (*p && !isspace((unsigned char)*p) && (!out || n < width)) {
		if (out)
			out[n] = *p;
		n++;
		p++;
	}
	if (out)
		out[n] = '\0';
	return p;
}

int cgroup_parse_mount_line(const char *line, int v2, const char *ctrl, char *mnt, size_t mntlen, char *mroot,
			    size_t mrootlen)
{
	char r[PATH_MAX], mp[PATH_MAX], fstype[64], super[1024];
	const char *dash = strstr(line, " - "), *p;
	if (!dash)
		return 0;
	/* Most mounts are not cgroups: told by the start of their type before any word is copied. */
	for (p = dash + 3; *p && isspace((unsigned char)*p); p++)
		;
	if (strncmp(p, "cgroup", 6) != 0)
		return 0;
	/* " - " FSTYPE SOURCE SUPER-OPTIONS, then ID PARENT MAJ:MIN ROOT MOUNT-POINT at the start */
	if (!(p = scan_word(dash + 3, fstype, sizeof(fstype) - 1)) || !(p = scan_word(p, NULL, 0)) ||
	    !scan_word(p, super, sizeof(super) - 1))
		return 0;
	if (v2 ? strcmp(fstype, "cgroup2") != 0 : (strcmp(fstype, "cgroup") != 0 || !has_token(super, ctrl)))
		return 0;
	p = line;
	for (int i = 0; i < 3 && p; i++)
		p = scan_word(p, NULL, 0);
	if (!p || !(p = scan_word(p, r, sizeof(r) - 1)) || !scan_word(p, mp, sizeof(mp) - 1))
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

/* The controllers whose v1 hierarchies locate() finds, besides the v2 one. */
enum { CG_CPU, CG_MEMORY, CG_NCTRL };
static const char *const cg_ctrl[CG_NCTRL] = {"cpu", "memory"};

/* Where our cgroup is: in the v1 hierarchy of each controller and in the v2 hierarchy. */
struct cg_where {
	struct cg_loc v1[CG_NCTRL];
	struct cg_loc v2;
};

/* A hierarchy's place, from its line of /proc/self/cgroup and its mount. */
struct cg_found {
	char path[PATH_MAX];      /* as /proc/self/cgroup gives it */
	int mounted;
	char mnt[PATH_MAX], mroot[PATH_MAX];
};

static void place(struct cg_loc *l, const struct cg_found *f, const char *root)
{
	l->listed = 1;
	if (!f->mounted)
		return;
	/* The path in /proc/self/cgroup is relative to the hierarchy's root; the mount may show only a
	 * subtree of it (containers). */
	const char *rel = f->path;
	size_t rl = strlen(f->mroot);
	if (strcmp(f->mroot, "/") != 0 && strncmp(f->path, f->mroot, rl) == 0)
		rel = f->path + rl;
	if (strcmp(rel, "/") == 0)
		rel = "";
	const char *m = strcmp(f->mnt, "/") == 0 ? "" : f->mnt;
	int n = snprintf(l->dir, sizeof(l->dir), "%s%s%s", root, m, rel);
	if (n < 0 || (size_t)n >= sizeof(l->dir))
		return; /* no such directory */
	l->stop = strlen(root) + strlen(m);
	l->mounted = 1;
}

/* Locate the cgroup of process pid (0: our own) in the v1 hierarchy of each controller and in the v2
 * hierarchy: one read of /proc/PID/cgroup and one of our own mountinfo (the paths another process's file
 * shows are relative to the reader's cgroup namespace, so they join with the reader's mounts). 0, or
 * -errno when /proc/PID/cgroup cannot be read. */
static int locate(const char *root, pid_t pid, struct cg_where *w)
{
	char path[PATH_MAX], line[4096], cut[4096];
	/* v1 of each controller, then v2 */
	struct cg_found found[CG_NCTRL + 1];
	int listed[CG_NCTRL + 1] = {0};
	memset(w, 0, sizeof(*w));
	if (pid > 0)
		snprintf(path, sizeof(path), "%s/proc/%d/cgroup", root, (int)pid);
	else
		snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line) + 1; /* the line only, not the whole buffer, for each controller */
		for (int c = 0; c < CG_NCTRL; c++) {
			const char *cg;
			memcpy(cut, line, len);
			int kind = cgroup_parse_cgroup_line(cut, cg_ctrl[c], &cg);
			int k = kind == 2 ? CG_NCTRL : c;
			if (!kind || listed[k])
				continue;
			listed[k] = 1;
			found[k].mounted = 0;
			snprintf(found[k].path, sizeof(found[k].path), "%s", cg);
		}
	}
	fclose(f);
	int want = 0;
	for (int k = 0; k <= CG_NCTRL; k++)
		want += listed[k];
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	f = want ? fopen(path, "r") : NULL;
	while (f && want && fgets(line, sizeof(line), f)) {
		for (int k = 0; k <= CG_NCTRL; k++) {
			struct cg_found *x = &found[k];
			if (listed[k] && !x->mounted &&
			    cgroup_parse_mount_line(line, k == CG_NCTRL, k == CG_NCTRL ? "" : cg_ctrl[k], x->mnt,
						    sizeof(x->mnt), x->mroot, sizeof(x->mroot))) {
				x->mounted = 1;
				want--;
			}
		}
	}
	if (f)
		fclose(f);
	for (int c = 0; c < CG_NCTRL; c++)
		if (listed[c])
			place(&w->v1[c], &found[c], root);
	if (listed[CG_NCTRL])
		place(&w->v2, &found[CG_NCTRL], root);
	return 0;
}

/* The tightest limit of one kind over the cgroup and its ancestors, in the v1 and v2 hierarchies alike. */
static void tightest(const struct cg_where *w, size_t rootlen, enum limit_kind kind, struct cpu_limit *cpu,
		     struct mem_limit *mem)
{
	const struct cg_loc *v1 = &w->v1[kind == LIMIT_CPU ? CG_CPU : CG_MEMORY];
	if (v1->mounted)
		walk(v1, rootlen, 0, 0, kind, cpu, mem);
	if (w->v2.mounted)
		walk(&w->v2, rootlen, 1, 0, kind, cpu, mem);
}

/* The leaf's CPU limit, as the Go runtime reads it. */
static void leaf_cpu(const struct cg_where *w, size_t rootlen, struct cpu_limit *lim)
{
	/* A v1 hierarchy with the cpu controller is the CPU controller, mounted or not. */
	if (w->v1[CG_CPU].listed) {
		if (w->v1[CG_CPU].mounted)
			walk(&w->v1[CG_CPU], rootlen, 0, 1, LIMIT_CPU, lim, NULL);
	} else if (w->v2.mounted) {
		walk(&w->v2, rootlen, 1, 1, LIMIT_CPU, lim, NULL);
	}
}

int cgroup_cpu_limit(const char *root, struct cpu_limit *lim)
{
	struct cg_where w;
	memset(lim, 0, sizeof(*lim));
	int rc = locate(root, 0, &w);
	if (rc == 0)
		tightest(&w, strlen(root), LIMIT_CPU, lim, NULL);
	return rc;
}

int cgroup_cpu_limit_leaf(const char *root, struct cpu_limit *lim)
{
	struct cg_where w;
	memset(lim, 0, sizeof(*lim));
	int rc = locate(root, 0, &w);
	if (rc == 0)
		leaf_cpu(&w, strlen(root), lim);
	return rc;
}

int cgroup_mem_limit(const char *root, struct mem_limit *lim)
{
	struct cg_where w;
	memset(lim, 0, sizeof(*lim));
	int rc = locate(root, 0, &w);
	if (rc == 0)
		tightest(&w, strlen(root), LIMIT_MEM, NULL, lim);
	return rc;
}

int cgroup_limits(const char *root, struct cpu_limit *cpu, struct cpu_limit *leaf, struct mem_limit *mem)
{
	return cgroup_limits_pid(root, 0, cpu, leaf, mem);
}

int cgroup_limits_pid(const char *root, pid_t pid, struct cpu_limit *cpu, struct cpu_limit *leaf,
		      struct mem_limit *mem)
{
	struct cg_where w;
	memset(cpu, 0, sizeof(*cpu));
	memset(leaf, 0, sizeof(*leaf));
	memset(mem, 0, sizeof(*mem));
	int rc = locate(root, pid, &w);
	if (rc < 0)
		return rc;
	tightest(&w, strlen(root), LIMIT_CPU, cpu, NULL);
	leaf_cpu(&w, strlen(root), leaf);
	tightest(&w, strlen(root), LIMIT_MEM, NULL, mem);
	return 0;
}

/* Append the levels of one hierarchy, leaf first, up to and including its mount. */
static size_t add_levels(const struct cg_loc *l, size_t rootlen, int v2, struct cgroup_level *lv, size_t n, size_t max)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", l->dir);
	while (n < max) {
		snprintf(lv[n].dir, sizeof(lv[n].dir), "%s", dir);
		lv[n].shown_off = rootlen;
		lv[n].v2 = v2;
		n++;
		char *slash = strrchr(dir, '/');
		if (strlen(dir) <= l->stop || !slash || (size_t)(slash - dir) < l->stop)
			break;
		*slash = '\0';
	}
	return n;
}

long cgroup_cpu_levels(const char *root, pid_t pid, struct cgroup_level *lv, size_t max)
{
	struct cg_where w;
	int rc = locate(root, pid, &w);
	if (rc < 0)
		return rc;
	size_t n = 0;
	if (w.v1[CG_CPU].mounted)
		n = add_levels(&w.v1[CG_CPU], strlen(root), 0, lv, n, max);
	if (w.v2.mounted)
		n = add_levels(&w.v2, strlen(root), 1, lv, n, max);
	return (long)n;
}

int cgroup_parse_cpu_stat(const char *text, struct cgroup_cpu_stat *st)
{
	st->nr_periods = st->nr_throttled = st->throttled_usec = -1;
	for (const char *line = text; line && *line;) {
		char key[64];
		long long v;
		if (sscanf(line, "%63s %lld", key, &v) == 2 && v >= 0) {
			if (strcmp(key, "nr_periods") == 0)
				st->nr_periods = v;
			else if (strcmp(key, "nr_throttled") == 0)
				st->nr_throttled = v;
			else if (strcmp(key, "throttled_usec") == 0)
				st->throttled_usec = v;
			else if (strcmp(key, "throttled_time") == 0 && st->throttled_usec < 0)
				st->throttled_usec = v / 1000; /* v1: nanoseconds */
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return st->nr_periods >= 0 && st->nr_throttled >= 0 ? 0 : -1;
}

int cgroup_read_cpu_stat(const struct cgroup_level *lv, struct cgroup_cpu_stat *st, char *path, size_t pathlen)
{
	char full[PATH_MAX + 16], buf[1024];
	snprintf(full, sizeof(full), "%s/cpu.stat", lv->dir);
	snprintf(path, pathlen, "%s", full + lv->shown_off);
	int e = read_small(full, buf, sizeof(buf));
	if (e < 0)
		return e;
	return cgroup_parse_cpu_stat(buf, st) == 0 ? 0 : -ENODATA;
}

int cgroup_level_quota(const struct cgroup_level *lv, long long *quota, long long *period, char *source,
		       size_t sourcelen)
{
	char path[PATH_MAX + 32], buf[128], buf2[64];
	*quota = -1;
	*period = 0;
	if (lv->v2) {
		snprintf(path, sizeof(path), "%s/cpu.max", lv->dir);
		snprintf(source, sourcelen, "%s", path + lv->shown_off);
		int e = read_small(path, buf, sizeof(buf));
		if (e < 0)
			return e;
		return cgroup_parse_cpu_max(buf, quota, period) == 0 ? 0 : -ENODATA;
	}
	snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", lv->dir);
	int e = read_small(path, buf2, sizeof(buf2));
	if (e < 0)
		return e;
	snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", lv->dir);
	snprintf(source, sourcelen, "%s", path + lv->shown_off);
	if ((e = read_small(path, buf, sizeof(buf))) < 0)
		return e;
	long long q = atoll(buf), p = atoll(buf2);
	if (p <= 0)
		return -ENODATA;
	*period = p;
	*quota = q > 0 ? q : -1;
	return 0;
}
