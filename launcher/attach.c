/* attach.c - numarun attach PID: the monitor's machinery driven on a process that already runs. The
 * target is not numarun's child: it is found through /proc, its rights are checked before anything is
 * changed, its end is seen through a pidfd (or its /proc entry), and numarun detaches on SIGINT, SIGTERM
 * or SIGHUP, leaving the masks as they are or, with --restore, as they were found. */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "attach.h"
#include "cgroup.h"
#include "cli.h"
#include "clock.h"
#include "events.h"
#include "launch.h"
#include "log.h"
#include "monitor.h"
#include "nodelist.h"
#include "numasys.h"
#include "pin.h"
#include "privs.h"
#include "procfs.h"

/* ---- pure ---- */

int attach_parse_pid(const char *arg, pid_t *pid, char *cause, size_t causelen)
{
	unsigned long long v = 0;
	const char *c = arg;
	if (!*c)
		goto bad;
	for (; *c; c++) {
		if (*c < '0' || *c > '9')
			goto bad;
		v = v * 10 + (unsigned long long)(*c - '0');
		if (v > INT_MAX) {
			snprintf(cause, causelen, "attach: '%s' is not a process ID (too large)", arg);
			return -1;
		}
	}
	if (v == 0) {
		snprintf(cause, causelen, "attach: '%s' is not a process ID (PIDs start at 1)", arg);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
bad:
	snprintf(cause, causelen, "attach: '%s' is not a process ID (a decimal number)", arg);
	return -1;
}


static void field_ids(const char *text, const char *key, unsigned ids[4])
{
	const char *v = procfs_field(text, key);
	ids[0] = ids[1] = ids[2] = ids[3] = 0;
	for (int i = 0; v && i < 4; i++) {
		char *end;
		unsigned long x = strtoul(v, &end, 10);
		if (end == v)
			break;
		ids[i] = (unsigned)x;
		v = end;
	}
}

int attach_parse_status(const char *text, struct attach_status *st)
{
	char w[64];
	memset(st, 0, sizeof(*st));
	st->tgid = st->pid = st->ppid = -1;
	procfs_field_str(text, "Pid", w, sizeof(w));
	if (!w[0])
		return -1;
	st->pid = (pid_t)atoi(w);
	procfs_field_str(text, "Tgid", w, sizeof(w));
	if (w[0])
		st->tgid = (pid_t)atoi(w);
	procfs_field_str(text, "PPid", w, sizeof(w));
	if (w[0])
		st->ppid = (pid_t)atoi(w);
	procfs_field_str(text, "Name", st->name, sizeof(st->name));
	procfs_field_str(text, "State", w, sizeof(w));
	st->state = w[0];
	procfs_field_str(text, "Kthread", w, sizeof(w));
	st->kthread = w[0] == '1';
	field_ids(text, "Uid", st->creds.uid);
	field_ids(text, "Gid", st->creds.gid);
	procfs_field_str(text, "CapEff", w, sizeof(w));
	st->creds.eff = strtoull(w, NULL, 16);
	procfs_field_str(text, "CapPrm", w, sizeof(w));
	st->creds.prm = strtoull(w, NULL, 16);
	procfs_field_str(text, "Cpus_allowed_list", st->cpus, sizeof(st->cpus));
	procfs_field_str(text, "Mems_allowed_list", st->mems, sizeof(st->mems));
	return 0;
}

static int has_cap(uint64_t set, int cap)
{
	return (set >> cap) & 1;
}

/* The first capabilities in a but not in b, named, into buf. */
static const char *caps_beyond(uint64_t a, uint64_t b, char *buf, size_t len)
{
	uint64_t d = a & ~b;
	size_t off = 0;
	int shown = 0, more = 0;
	buf[0] = '\0';
	for (int c = 0; c < 64; c++) {
		if (!has_cap(d, c))
			continue;
		if (shown == 3) {
			more++;
			continue;
		}
		char name[64];
		privs_cap_name(c, name, sizeof(name));
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", shown ? ", " : "", name);
		shown++;
	}
	if (more && off < len)
		snprintf(buf + off, len - off, " and %d more", more);
	return buf;
}

/* ptrace access (PTRACE_MODE_READ) with the real (real) or the filesystem credentials. 0, or why not. */
static int ptrace_read(const struct attach_creds *self, const struct attach_creds *tgt, int caps_count, int dumpable,
		       int real, pid_t pid, const char *what, char *why, size_t len)
{
	int ptrace_cap = caps_count && has_cap(self->eff, CAP_SYS_PTRACE);
	unsigned u = real ? self->uid[0] : self->uid[3], g = real ? self->gid[0] : self->gid[3];
	uint64_t mine = real ? self->prm : self->eff;
	const char *which = real ? "real" : "filesystem";
	if (ptrace_cap)
		return 0;
	if (!(u == tgt->uid[0] && u == tgt->uid[1] && u == tgt->uid[2] && g == tgt->gid[0] && g == tgt->gid[1] &&
	      g == tgt->gid[2])) {
		snprintf(why, len, "cannot %s process %d (uids %u/%u/%u, gids %u/%u/%u: real/effective/saved): "
			 "numarun runs as %s uid %u gid %u without CAP_SYS_PTRACE (the kernel's ptrace read access "
			 "check wants one uid and one gid matching all three)",
			 what, (int)pid, tgt->uid[0], tgt->uid[1], tgt->uid[2], tgt->gid[0], tgt->gid[1], tgt->gid[2], which,
			 u, g);
		return 1;
	}
	if (!dumpable) {
		snprintf(why, len, "cannot %s process %d: it is not dumpable (set-user-ID, file capabilities or "
			 "PR_SET_DUMPABLE 0), and numarun runs without CAP_SYS_PTRACE", what, (int)pid);
		return 1;
	}
	if (tgt->prm & ~mine) {
		char c[256];
		snprintf(why, len, "cannot %s process %d: it holds capabilities numarun does not (%s), and numarun "
			 "runs without CAP_SYS_PTRACE", what, (int)pid, caps_beyond(tgt->prm, mine, c, sizeof(c)));
		return 1;
	}
	return 0;
}

/* Add one explanation to why, "; "-separated. */
static void append(char *why, size_t len, const char *one)
{
	size_t l = strlen(why);
	if (l + 3 < len)
		snprintf(why + l, len - l, "%s%s", l ? "; " : "", one);
}

unsigned attach_rights(const struct attach_creds *self, const struct attach_creds *tgt, int caps_count, int dumpable,
		       pid_t pid, unsigned need, char *why, size_t len)
{
	unsigned missing = 0;
	char one[1024];
	why[0] = '\0';
	if (need & ATTACH_RIGHT_CPUS) {
		int nice = caps_count && has_cap(self->eff, CAP_SYS_NICE);
		unsigned e = self->uid[1];
		one[0] = '\0';
		if (!nice && e != tgt->uid[0] && e != tgt->uid[1]) {
			if (tgt->uid[0] == tgt->uid[1])
				snprintf(one, sizeof(one), "cannot set the CPUs of process %d (owned by uid %u): numarun runs "
					 "as uid %u without CAP_SYS_NICE", (int)pid, tgt->uid[1], e);
			else
				snprintf(one, sizeof(one), "cannot set the CPUs of process %d (real uid %u, effective uid %u): "
					 "numarun runs as uid %u without CAP_SYS_NICE", (int)pid, tgt->uid[0], tgt->uid[1], e);
		} else if (!nice && (tgt->prm & ~self->prm)) {
			char c[256];
			snprintf(one, sizeof(one), "cannot set the CPUs of process %d: it holds capabilities numarun does "
				 "not (%s), and numarun runs without CAP_SYS_NICE", (int)pid,
				 caps_beyond(tgt->prm, self->prm, c, sizeof(c)));
		}
		if (one[0]) {
			missing |= ATTACH_RIGHT_CPUS;
			append(why, len, one);
		}
	}
	if ((need & ATTACH_RIGHT_MIGRATE) &&
	    ptrace_read(self, tgt, caps_count, dumpable, 1, pid, "move the pages of", one, sizeof(one))) {
		missing |= ATTACH_RIGHT_MIGRATE;
		append(why, len, one);
	}
	if ((need & ATTACH_RIGHT_READ) &&
	    ptrace_read(self, tgt, caps_count, dumpable, 0, pid, "read the memory placement and CPU time of", one,
			sizeof(one))) {
		missing |= ATTACH_RIGHT_READ;
		append(why, len, one);
	}
	return missing;
}

int attach_common_mask(const hwloc_const_bitmap_t *masks, const pid_t *tids, size_t n, pid_t pid)
{
	int best = -1;
	size_t best_count = 0;
	int best_main = 0;
	for (size_t i = 0; i < n; i++) {
		size_t count = 0;
		int main_has = 0;
		for (size_t j = 0; j < n; j++)
			if (hwloc_bitmap_isequal(masks[i], masks[j])) {
				count++;
				main_has |= tids[j] == pid;
			}
		if (best < 0 || count > best_count || (count == best_count && main_has && !best_main)) {
			best = (int)i;
			best_count = count;
			best_main = main_has;
		}
	}
	return best;
}

/* ---- the target ---- */

static long read_status(pid_t pid, struct attach_status *st)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	long r = procfs_read(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return attach_parse_status(buf, st) < 0 ? -EINVAL : 0;
}

static unsigned long long start_ticks_of(pid_t pid)
{
	char path[64], buf[1024];
	struct task_stat ts;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) < 0 || procfs_parse_stat(buf, &ts) < 0)
		return 0;
	return ts.starttime;
}

/* Is numarun's own user namespace the target's, or the initial one (whose capabilities count in every
 * namespace)? */
static int caps_count_in(pid_t pid)
{
	char a[64], b[256], c[256];
	snprintf(a, sizeof(a), "/proc/%d/ns/user", (int)pid);
	ssize_t n1 = readlink("/proc/self/ns/user", b, sizeof(b) - 1), n2 = readlink(a, c, sizeof(c) - 1);
	if (n1 > 0 && n2 > 0) {
		b[n1] = c[n2] = '\0';
		if (strcmp(b, c) == 0)
			return 1;
	}
	char map[256];
	if (procfs_read("/proc/self/uid_map", map, sizeof(map)) <= 0)
		return 1; /* no user namespaces */
	unsigned long inside, outside, count;
	return sscanf(map, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && outside == 0 &&
	       count == 4294967295UL;
}

/* The cpuset's CPUs of process pid: cgroup v2 cpuset.cpus.effective, else v1 cpuset.effective_cpus, of
 * its cgroup or the nearest ancestor that has the file. Returns 0 with the file's name in from, -1. */
static int read_cpuset(pid_t pid, hwloc_bitmap_t cpus, char *from, size_t fromlen)
{
	char path[PATH_MAX + 64], mnt[PATH_MAX], mroot[PATH_MAX], text[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	char line[4096], v2mnt[PATH_MAX] = "", v2root[PATH_MAX] = "", v1mnt[PATH_MAX] = "", v1root[PATH_MAX] = "";
	while (fgets(line, sizeof(line), f)) {
		if (!v2mnt[0] && cgroup_parse_mount_line(line, 1, NULL, mnt, sizeof(mnt), mroot, sizeof(mroot))) {
			snprintf(v2mnt, sizeof(v2mnt), "%s", mnt);
			snprintf(v2root, sizeof(v2root), "%s", mroot);
		} else if (!v1mnt[0] && cgroup_parse_mount_line(line, 0, "cpuset", mnt, sizeof(mnt), mroot, sizeof(mroot))) {
			snprintf(v1mnt, sizeof(v1mnt), "%s", mnt);
			snprintf(v1root, sizeof(v1root), "%s", mroot);
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (procfs_read(path, text, sizeof(text)) < 0)
		return -1;
	for (int v = 1; v >= 0; v--) {
		const char *m = v ? v2mnt : v1mnt, *root = v ? v2root : v1root;
		if (!m[0])
			continue;
		char copy[4096], rel[PATH_MAX] = "";
		snprintf(copy, sizeof(copy), "%s", text);
		for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			const char *p = NULL;
			int kind = cgroup_parse_cgroup_line(l, "cpuset", &p);
			if (p && ((v && kind == 2) || (!v && kind == 1))) {
				snprintf(rel, sizeof(rel), "%s", p);
				break;
			}
		}
		if (!rel[0])
			continue;
		/* The path is relative to our cgroup namespace's root, which the mount shows as its root. */
		size_t rl = strlen(root);
		const char *tail = rel;
		if (strcmp(root, "/") != 0 && strncmp(rel, root, rl) == 0 && (rel[rl] == '/' || rel[rl] == '\0'))
			tail = rel + rl;
		if (strncmp(tail, "/..", 3) == 0 && (tail[3] == '/' || tail[3] == '\0'))
			continue; /* outside our cgroup namespace: not in the part of the hierarchy this mount shows */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s%s", m, strcmp(tail, "/") == 0 ? "" : tail);
		for (;;) {
			char *buf = NULL;
			snprintf(path, sizeof(path), "%s/%s", dir, v ? "cpuset.cpus.effective" : "cpuset.effective_cpus");
			if (procfs_read_alloc(path, &buf) > 0) {
				buf[strcspn(buf, "\n")] = '\0';
				if (buf[0] && hwloc_bitmap_list_sscanf(cpus, buf) == 0) {
					free(buf);
					snprintf(from, fromlen, "%.590s", path);
					return 0;
				}
			}
			free(buf);
			if (strlen(dir) <= strlen(m))
				break;
			char *slash = strrchr(dir, '/');
			if (!slash || slash < dir + strlen(m))
				break;
			*slash = '\0';
		}
	}
	return -1;
}

/* Is pid numarun itself or one of its ancestors? */
static int is_self_or_ancestor(pid_t pid)
{
	pid_t p = getpid();
	for (int depth = 0; p > 0 && depth < 4096; depth++) {
		if (p == pid)
			return 1;
		struct attach_status st;
		if (read_status(p, &st) < 0 || st.ppid == p)
			break;
		p = st.ppid;
	}
	return 0;
}

/* Is pid's parent a resident numarun (its executable has numarun's name)? Returns its PID, or 0. */
static pid_t managed_by(const struct attach_status *st)
{
	if (st->ppid <= 1)
		return 0;
	char path[64], exe[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)st->ppid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	char comm[64] = "";
	if (n > 0) {
		exe[n] = '\0';
		const char *base = strrchr(exe, '/');
		snprintf(comm, sizeof(comm), "%.63s", base ? base + 1 : exe);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)st->ppid);
		if (procfs_read(path, comm, sizeof(comm)) > 0)
			comm[strcspn(comm, "\n")] = '\0';
	}
	return strncmp(comm, "numarun", 7) == 0 ? st->ppid : 0;
}

void attach_target_free(struct attach_target *tg)
{
	hwloc_bitmap_free(tg->may_cpus);
	hwloc_bitmap_free(tg->may_nodes);
	tg->may_cpus = tg->may_nodes = NULL;
}

int attach_prepare(struct attach_target *tg, pid_t pid, struct topo *topo, char *cause, size_t causelen)
{
	memset(tg, 0, sizeof(*tg));
	tg->pid = pid;
	long r = read_status(pid, &tg->st);
	if (r == -ENOENT || r == -ESRCH) {
		snprintf(cause, causelen, "attach: no process %d", (int)pid);
		return EXIT_USAGE;
	}
	if (r < 0) {
		snprintf(cause, causelen, "attach: reading /proc/%d/status: %s", (int)pid, strerror((int)-r));
		return EXIT_FAILURE_NUMARUN;
	}
	const struct attach_status *st = &tg->st;
	if (st->tgid > 0 && st->tgid != pid) {
		snprintf(cause, causelen, "attach: %d is a thread of process %d, not a process (attach to %d: every "
			 "thread of it is placed)", (int)pid, (int)st->tgid, (int)st->tgid);
		return EXIT_USAGE;
	}
	if (st->kthread || pid == 2 || st->ppid == 2) {
		snprintf(cause, causelen, "attach: %d (%s) is a kernel thread, not a process numarun can place",
			 (int)pid, st->name);
		return EXIT_USAGE;
	}
	if (st->state == 'Z' || st->state == 'X') {
		snprintf(cause, causelen, "attach: process %d (%s) has ended (a zombie its parent has not reaped)",
			 (int)pid, st->name);
		return EXIT_USAGE;
	}
	if (is_self_or_ancestor(pid)) {
		snprintf(cause, causelen, "attach: %d is %s: numarun attaches to another process", (int)pid,
			 pid == getpid() ? "numarun itself" : "an ancestor of this numarun (it would place its own parent)");
		return EXIT_USAGE;
	}
	pid_t mgr = managed_by(st);
	if (mgr) {
		snprintf(cause, causelen, "attach: process %d (%s) is managed by the numarun that launched it (PID %d): "
			 "two would undo each other's placement", (int)pid, st->name, (int)mgr);
		return EXIT_USAGE;
	}
	tg->start_ticks = start_ticks_of(pid);
	char dir[64];
	struct stat sb;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	tg->dumpable = stat(dir, &sb) == 0 && sb.st_uid == st->creds.uid[1] && sb.st_gid == st->creds.gid[1];
	tg->caps_count = caps_count_in(pid);

	/* What it may use: its cpuset's CPUs (wider than its mask where it was bound), its Mems_allowed. */
	tg->may_cpus = hwloc_bitmap_alloc();
	tg->may_nodes = hwloc_bitmap_alloc();
	if (read_cpuset(pid, tg->may_cpus, tg->may_from, sizeof(tg->may_from)) < 0) {
		int e = pin_thread_get(pid, tg->may_cpus);
		if (e < 0 || hwloc_bitmap_iszero(tg->may_cpus)) {
			snprintf(cause, causelen, "attach: cannot read the CPUs process %d may use (no cpuset; "
				 "sched_getaffinity: %s)", (int)pid, strerror(e < 0 ? -e : EINVAL));
			return EXIT_FAILURE_NUMARUN;
		}
		snprintf(tg->may_from, sizeof(tg->may_from), "its current CPUs (sched_getaffinity; its cpuset could not "
			 "be read)");
	}
	if (!st->mems[0] || hwloc_bitmap_list_sscanf(tg->may_nodes, st->mems) < 0)
		hwloc_bitmap_copy(tg->may_nodes, topo->allowed_nodes);
	char a[512], b[512], c[512];
	log_info("attach: process %d (%s) may use CPUs %s (%s) and memory nodes %s", (int)pid, st->name,
		 nodelist_format(tg->may_cpus, a, sizeof(a)), tg->may_from, nodelist_format(tg->may_nodes, b, sizeof(b)));
	hwloc_bitmap_t both = hwloc_bitmap_alloc();
	hwloc_bitmap_and(both, tg->may_cpus, topo->allowed_cpus);
	if (hwloc_bitmap_iszero(both)) {
		snprintf(cause, causelen, "attach: process %d may use CPUs %s, numarun may use %s: none in common to plan "
			 "with", (int)pid, nodelist_format(tg->may_cpus, a, sizeof(a)),
			 nodelist_format(topo->allowed_cpus, b, sizeof(b)));
		hwloc_bitmap_free(both);
		return EXIT_FAILURE_NUMARUN;
	}
	if (!hwloc_bitmap_isequal(both, tg->may_cpus)) {
		hwloc_bitmap_t only = hwloc_bitmap_alloc();
		hwloc_bitmap_andnot(only, tg->may_cpus, topo->allowed_cpus);
		log_notice("attach: the plan is made of the CPUs both numarun and process %d may use (%s); it may also "
			   "use %s", (int)pid, nodelist_format(both, a, sizeof(a)), nodelist_format(only, c, sizeof(c)));
		hwloc_bitmap_free(only);
	}
	hwloc_bitmap_free(both);
	topology_restrict(topo, tg->may_cpus, tg->may_nodes);
	return 0;
}

void attach_keep_binding(struct attach_target *tg, struct topo *topo, const struct policy *p)
{
	/* A policy or options that choose CPUs (a list, nodes, a count) say where the process goes now, within
	 * its cpuset. Without them, the binding it runs with (the main thread's mask: taskset, numactl, a
	 * launcher) is someone's decision: the plan stays inside it, as a launch stays inside numarun's own. */
	if (p->cpu_list || p->nodes || p->cpus_kind != CPUS_ALL || p->planned_cpus)
		return;
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	/* from the kernel (sched_getaffinity), not the status text, which a buffer could cut short */
	if (pin_thread_get(tg->pid, now) < 0) {
		hwloc_bitmap_free(now);
		return;
	}
	hwloc_bitmap_and(now, now, topo->allowed_cpus);
	if (!hwloc_bitmap_iszero(now) && !hwloc_bitmap_isequal(now, topo->allowed_cpus)) {
		char a[512], b[512];
		log_notice("attach: no CPUs asked for: the plan keeps to the CPUs process %d runs on now (%s, of %s it "
			   "may use); -C, -N or --cpus choose others", (int)tg->pid, nodelist_format(now, a, sizeof(a)),
			   nodelist_format(topo->allowed_cpus, b, sizeof(b)));
		topology_restrict(topo, now, topo->allowed_nodes);
	}
	hwloc_bitmap_free(now);
}

/* ---- acting ---- */

struct found {
	pid_t *tids;
	hwloc_bitmap_t *masks;
	size_t n;
	int common;
};

static void found_free(struct found *f)
{
	for (size_t i = 0; i < f->n; i++)
		hwloc_bitmap_free(f->masks[i]);
	free(f->masks);
	free(f->tids);
	memset(f, 0, sizeof(*f));
}

/* Every thread's mask as found. Returns 0 or -errno. */
static int snapshot(pid_t pid, struct found *f)
{
	memset(f, 0, sizeof(*f));
	pid_t *tids = NULL;
	long n = procfs_list_tasks(pid, &tids);
	if (n < 0)
		return (int)n;
	f->tids = calloc((size_t)n + 1, sizeof(pid_t));
	f->masks = calloc((size_t)n + 1, sizeof(hwloc_bitmap_t));
	if (!f->tids || !f->masks) {
		free(tids);
		found_free(f);
		return -ENOMEM;
	}
	for (long i = 0; i < n; i++) {
		hwloc_bitmap_t m = hwloc_bitmap_alloc();
		if (pin_thread_get(tids[i], m) < 0) {
			hwloc_bitmap_free(m);
			continue; /* ended meanwhile */
		}
		f->tids[f->n] = tids[i];
		f->masks[f->n++] = m;
	}
	free(tids);
	if (f->n == 0)
		return -ESRCH;
	f->common = attach_common_mask((const hwloc_const_bitmap_t *)f->masks, f->tids, f->n, pid);
	return 0;
}

/* Pages of the process per node (OS index) from numa_maps. Returns 0 or -errno. */
static int pages_by_node(pid_t pid, unsigned long *pages, unsigned maxnode)
{
	char path[64], *text = NULL;
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	memset(pages, 0, maxnode * sizeof(*pages));
	long r = procfs_read_alloc(path, &text);
	if (r < 0)
		return (int)r;
	procfs_parse_numa_maps(text, pages, maxnode, 0);
	free(text);
	return 0;
}

static unsigned long sum_in(const unsigned long *pages, unsigned maxnode, hwloc_const_bitmap_t set, int in)
{
	unsigned long s = 0;
	for (unsigned i = 0; i < maxnode; i++)
		if ((hwloc_bitmap_isset(set, i) != 0) == in)
			s += pages[i];
	return s;
}

static void pages_text(const unsigned long *pages, unsigned maxnode, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < maxnode && off < len; i++)
		if (pages[i])
			off += (size_t)snprintf(buf + off, len - off, "%sN%u=%lu", off ? " " : "", i, pages[i]);
	if (!buf[0])
		snprintf(buf, len, "none");
}

static void ev_pages(struct events *ev, const char *key, const unsigned long *pages, unsigned maxnode)
{
	events_object(ev, key);
	for (unsigned i = 0; i < maxnode; i++)
		if (pages[i]) {
			char k[16];
			snprintf(k, sizeof(k), "%u", i);
			events_int(ev, k, (long long)pages[i]);
		}
	events_pop(ev);
}

/* Move the pages already there to the plan's memory nodes. Returns 0, or -1 (said) when the kernel
 * refused the migration itself. */
static int move_memory(struct monitor *m, const struct attach_target *tg, const struct plan *pl, const struct topo *t)
{
	char a[256], b[256], before_s[512], after_s[512];
	int last = hwloc_bitmap_last(t->node_set);
	unsigned maxnode = last >= 0 ? (unsigned)last + 1 : 1;
	hwloc_bitmap_t from = hwloc_bitmap_alloc();
	/* every node the kernel has that is not one of the plan's */
	hwloc_bitmap_andnot(from, t->node_set, pl->mem_nodes);
	unsigned long *before = calloc(maxnode, sizeof(unsigned long)), *after = calloc(maxnode, sizeof(unsigned long));
	/* One maxnode for both masks, each as long as it says (both are within the machine's nodes). */
	unsigned long maxn = (unsigned long)maxnode + 1;
	unsigned long *fm = pin_nodemask(from, &maxn), *tmask = pin_nodemask(pl->mem_nodes, &maxn);
	long r = 0;
	int rc = 0;
	if (!before || !after || !fm || !tmask) {
		log_error("attach: moving the pages of process %d: %s", (int)tg->pid, strerror(ENOMEM));
		rc = -1;
		goto out;
	}
	int rb = pages_by_node(tg->pid, before, maxnode);
	if (hwloc_bitmap_iszero(from)) {
		log_info("attach: the memory policy's nodes %s are all the nodes: no page to move",
			 nodelist_format(pl->mem_nodes, a, sizeof(a)));
		goto out;
	}
	double t0 = clock_seconds(CLOCK_MONOTONIC);
	r = numasys_migrate_pages(tg->pid, maxn, fm, tmask);
	int e = r < 0 ? errno : 0;
	double took = clock_seconds(CLOCK_MONOTONIC) - t0;
	if (r < 0 && e == ESRCH) {
		log_info("attach: process %d ended while its pages were being moved", (int)tg->pid);
		goto out;
	}
	if (r < 0) {
		log_error("attach: migrate_pages of process %d from nodes %s to %s: %s", (int)tg->pid,
			  nodelist_format(from, a, sizeof(a)), nodelist_format(pl->mem_nodes, b, sizeof(b)), strerror(e));
		rc = -1;
		goto out;
	}
	int ra = pages_by_node(tg->pid, after, maxnode);
	if (rb == 0 && ra == 0) {
		unsigned long was = sum_in(before, maxnode, pl->mem_nodes, 0), now = sum_in(after, maxnode, pl->mem_nodes, 0);
		unsigned long moved = was > now ? was - now : 0;
		pages_text(before, maxnode, before_s, sizeof(before_s));
		pages_text(after, maxnode, after_s, sizeof(after_s));
		log_notice("attach: moved %lu pages of process %d to nodes %s in %.2f s (%lu stay elsewhere; the kernel "
			   "could not move %ld); pages by node before: %s; after: %s", moved, (int)tg->pid,
			   nodelist_format(pl->mem_nodes, a, sizeof(a)), took, now, r, before_s, after_s);
		events_begin(&m->ev, clock_seconds(CLOCK_MONOTONIC), "attach_memory");
		events_int(&m->ev, "pid", tg->pid);
		events_str(&m->ev, "from", nodelist_format(from, a, sizeof(a)));
		events_str(&m->ev, "to", nodelist_format(pl->mem_nodes, b, sizeof(b)));
		ev_pages(&m->ev, "pages_before", before, maxnode);
		ev_pages(&m->ev, "pages_after", after, maxnode);
		events_int(&m->ev, "moved", (long long)moved);
		events_int(&m->ev, "not_moved", r);
		events_end(&m->ev);
	} else {
		log_notice("attach: migrate_pages moved the pages of process %d to nodes %s (%ld could not be moved; "
			   "numa_maps unreadable, no count)", (int)tg->pid, nodelist_format(pl->mem_nodes, a, sizeof(a)), r);
	}
out:
	free(fm);
	free(tmask);
	free(before);
	free(after);
	hwloc_bitmap_free(from);
	return rc;
}

/* Put back the masks found at attach on the threads numarun set (and still has its mask); threads created
 * since get the process's common mask. */
static void restore(struct monitor *m, const struct found *f)
{
	unsigned back = 0, fresh = 0, left = 0, gone = 0;
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		if (th->owner != OWNER_NUMARUN || !th->set_mask) {
			left += th->owner == OWNER_PROGRAM;
			continue;
		}
		if (pin_thread_get(th->tid, now) < 0) {
			gone++;
			continue;
		}
		if (!hwloc_bitmap_isequal(now, th->set_mask)) {
			left++; /* the program changed it since the last tick: its decision */
			continue;
		}
		hwloc_const_bitmap_t want = f->masks[f->common];
		int had = 0;
		for (size_t k = 0; k < f->n; k++)
			if (f->tids[k] == th->tid) {
				want = f->masks[k];
				had = 1;
			}
		int e = pin_thread_set(th->tid, want);
		if (e == 0) {
			char a[256];
			log_info("attach: tid %d (%s): CPUs %s restored%s", (int)th->tid, th->comm,
				 nodelist_format(want, a, sizeof(a)), had ? "" : " (created since: the process's common mask)");
			if (had)
				back++;
			else
				fresh++;
		} else if (e == -ESRCH) {
			gone++;
		} else {
			log_warn("attach: restoring tid %d: %s", (int)th->tid, strerror(-e));
		}
	}
	hwloc_bitmap_free(now);
	char a[256];
	log_notice("attach: --restore: %u thread%s back on the CPUs found at attach, %u created since on the common "
		   "mask %s, %u left as the program set them%s", back, back == 1 ? "" : "s", fresh,
		   nodelist_format(f->masks[f->common], a, sizeof(a)), left, gone ? " (some had ended)" : "");
	events_begin(&m->ev, clock_seconds(CLOCK_MONOTONIC), "restored");
	events_int(&m->ev, "threads", back);
	events_int(&m->ev, "created_since", fresh);
	events_int(&m->ev, "left", left);
	events_end(&m->ev);
}

/* The target is still the process attached to (not ended, not a zombie, its PID not reused). */
static int target_alive(const struct attach_target *tg)
{
	char path[64], buf[1024];
	struct task_stat ts;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tg->pid);
	if (procfs_read(path, buf, sizeof(buf)) < 0 || procfs_parse_stat(buf, &ts) < 0)
		return 0;
	if (tg->start_ticks && ts.starttime != tg->start_ticks)
		return 0; /* another process has its PID */
	if (ts.state == 'Z' || ts.state == 'X') {
		/* A main thread that ended leaves a zombie leader while the other threads run on: the task
		 * directory's link count is the threads + 2. */
		struct stat sb;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)tg->pid);
		return stat(path, &sb) == 0 && sb.st_nlink > 3;
	}
	return 1;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* A no-op change that the kernel answers with the same access checks as the real one: the main thread's
 * mask set to itself, and a migration from no node to the plan's memory nodes (the kernel checks the
 * rights and the nodes, then moves the pages of no node). 0, or with why. */
static int probe(const struct attach_target *tg, unsigned need, hwloc_const_bitmap_t to, char *why, size_t len)
{
	struct privs pv;
	privs_read(&pv);
	hwloc_bitmap_t mask = hwloc_bitmap_alloc();
	int e = pin_thread_get(tg->pid, mask);
	if (e == 0)
		e = pin_thread_set(tg->pid, mask);
	hwloc_bitmap_free(mask);
	if (e < 0 && e != -ESRCH) {
		char x[1024];
		if (privs_refused(&pv, -e))
			privs_explain(&pv, "sched_setaffinity", -e, CAP_SYS_NICE, x, sizeof(x));
		else
			snprintf(x, sizeof(x), "sched_setaffinity: %s", strerror(-e));
		snprintf(why, len, "cannot set the CPUs of process %d: %s", (int)tg->pid, x);
		return -1;
	}
	if (need & ATTACH_RIGHT_MIGRATE) {
		unsigned long maxnode = 0;
		unsigned long *tm = pin_nodemask(to, &maxnode);
		unsigned long *none = calloc(maxnode / (8 * sizeof(unsigned long)) + 1, sizeof(unsigned long));
		long r = tm && none ? numasys_migrate_pages(tg->pid, maxnode, none, tm) : (errno = ENOMEM, -1);
		int err = errno;
		free(tm);
		free(none);
		if (r < 0 && err != ESRCH) {
			char x[1024];
			if (privs_refused(&pv, err))
				privs_explain(&pv, "migrate_pages", err, CAP_SYS_PTRACE, x, sizeof(x));
			else
				snprintf(x, sizeof(x), "migrate_pages: %s", strerror(err));
			snprintf(why, len, "cannot move the pages of process %d: %s", (int)tg->pid, x);
			return -1;
		}
	}
	return 0;
}

int attach_run(struct attach_target *tg, const struct opts *o, struct topo *topo, struct plan *pl, struct policy *p)
{
	char cause[2048], a[512], b[512];
	int rc = EXIT_FAILURE_NUMARUN;
	pid_t pid = tg->pid;
	int move_mem = pl->mem == MEM_BIND || pl->mem == MEM_PREFERRED || pl->mem == MEM_INTERLEAVE;

	/* The rights first: nothing is changed when one is missing. */
	struct attach_status self;
	unsigned need = ATTACH_RIGHT_CPUS | (move_mem ? ATTACH_RIGHT_MIGRATE | ATTACH_RIGHT_READ : 0) |
			(p->monitor ? ATTACH_RIGHT_READ : 0);
	if (read_status(getpid(), &self) < 0) {
		log_error("attach: cannot read /proc/self/status");
		goto out;
	}
	unsigned missing = attach_rights(&self.creds, &tg->st.creds, tg->caps_count, tg->dumpable, pid, need, cause,
					 sizeof(cause));
	if (missing || probe(tg, need, pl->mem_nodes, cause, sizeof(cause)) < 0) {
		log_error("attach: %s; nothing was changed", cause);
		goto out;
	}
	if (!target_alive(tg)) {
		log_error("attach: process %d ended before it was attached to", (int)pid);
		rc = 0;
		goto out;
	}

	struct found f;
	int e = snapshot(pid, &f);
	if (e < 0) {
		log_error("attach: listing the threads of process %d: %s", (int)pid, strerror(-e));
		goto out;
	}

	struct monitor mon;
	int r = monitor_init(&mon, topo, pl, p, o->events_file, o->save_policy, cause, sizeof(cause));
	if (r < 0) {
		log_error("%s", cause);
		monitor_finish(&mon, 0);
		found_free(&f);
		rc = r == -1 ? EXIT_USAGE : EXIT_FAILURE_NUMARUN;
		goto out;
	}
	mon.attached = 1;

	/* Detaching is asked for with these; the target's own signals are its own. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN); /* a reader of --events - that left: a failed write, said once */
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	int pfd = open_pidfd(pid);
	if (pfd < 0)
		log_info("attach: pidfd_open: %s; the end of process %d is looked for every interval", strerror(errno),
			 (int)pid);

	/* The threads: those with the process's common mask are numarun's to place, the others pinned
	 * themselves and are left alone (the owner classification of a launch, with the mask found standing
	 * in for the launch mask). */
	monitor_start(&mon, pid);
	hwloc_bitmap_free(mon.seen_cpus); /* the allowed sets followed are numarun's own, not the target's */
	mon.seen_cpus = NULL;
	mon.quota = -1;
	hwloc_bitmap_copy(mon.launch_mask, f.masks[f.common]);
	if (monitor_tick(&mon) < 0) {
		log_error("attach: process %d ended while it was being attached to", (int)pid);
		rc = 0;
		goto finish;
	}
	hwloc_bitmap_copy(mon.launch_mask, pl->cpus);
	unsigned placed = 0, left = 0;
	for (size_t i = 0; i < mon.n; i++) {
		if (!mon.th[i].announced)
			continue;
		if (mon.th[i].owner == OWNER_PROGRAM)
			left++;
		else
			placed++;
	}
	log_notice("attach: process %d (%s): %u thread%s on CPUs %s (found on %s)%s, %u pinned by the program left "
		   "alone", (int)pid, tg->st.name, placed, placed == 1 ? "" : "s", nodelist_format(pl->cpus, a, sizeof(a)),
		   nodelist_format(f.masks[f.common], b, sizeof(b)),
		   p->threads == THREADS_NONE ? "" : p->threads == THREADS_SPREAD ? ", one CPU each (spread)"
										   : ", one CPU each (compact)",
		   left);

	int mem_failed = 0;
	if (move_mem) {
		mem_failed = move_memory(&mon, tg, pl, topo) < 0;
		if (mem_failed && pl->strict) {
			log_error("attach: --strict: detaching%s", o->restore ? " (the masks found are put back)" : "");
			if (o->restore)
				restore(&mon, &f);
			mon.end = "failed";
			goto finish;
		}
		if (mem_failed)
			log_warn("attach: placing the threads all the same (--strict detaches instead); the exit status "
				 "will be 1");
		log_notice("attach: the memory process %d allocates from now on follows its own memory policy: the "
			   "kernel lets no process set another's (numarun moved only the pages already there)", (int)pid);
	}

	/* Stay: ticks every interval, until the target ends or numarun is told to detach. */
	double interval = p->interval_ms / 1000.0, next = clock_seconds(CLOCK_MONOTONIC) + interval;
	int detached = 0, ended = 0;
	while (!detached && !ended) {
		double left_s = next - clock_seconds(CLOCK_MONOTONIC);
		int timeout = left_s > 0 ? (int)(left_s * 1000) + 1 : 0;
		struct pollfd pf[2] = {{.fd = sfd, .events = POLLIN}, {.fd = pfd, .events = POLLIN}};
		int n = poll(pf, pfd >= 0 ? 2 : 1, timeout);
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			log_info("attach: %s: detaching from process %d", strsignal((int)si.ssi_signo), (int)pid);
			detached = 1;
		}
		if (detached)
			break;
		if ((pfd >= 0 && (pf[1].revents & (POLLIN | POLLHUP))) || (pfd < 0 && !target_alive(tg))) {
			ended = 1;
			break;
		}
		if (clock_seconds(CLOCK_MONOTONIC) >= next) {
			/* alive first: a PID taken by another process is not placed for one tick */
			if (!target_alive(tg) || monitor_tick(&mon) < 0) {
				ended = 1;
				break;
			}
			next += interval;
			if (next < clock_seconds(CLOCK_MONOTONIC))
				next = clock_seconds(CLOCK_MONOTONIC) + interval;
		}
	}
	rc = (detached || ended) && !mem_failed ? 0 : EXIT_FAILURE_NUMARUN;
	if (ended) {
		log_info("attach: process %d ended", (int)pid);
		mon.end = "ended";
	} else if (detached) {
		mon.end = "detached";
		if (o->restore)
			restore(&mon, &f);
		else
			log_info("attach: detached from process %d: its threads keep the CPUs numarun gave them "
				 "(--restore puts back those found)", (int)pid);
	}
finish:
	if (!mon.end)
		mon.end = "failed";
	monitor_finish(&mon, 0);
	found_free(&f);
	if (pfd >= 0)
		close(pfd);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	attach_target_free(tg);
	return rc;
}
