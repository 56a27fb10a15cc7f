/* monitor.c - per tick: enumerate threads, place new ones, sample, decide (balance), act, log events.
 * The parts live apart: CPU slots (slots.c), the thread table (threads.c), the event stream (events.c),
 * the saved policy (saved.c), the decisions (balance.c); this file runs them. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "clock.h"
#include "log.h"
#include "monitor.h"
#include "privs.h"
#include "allocator.h"
#include "nodelist.h"
#include "pin.h"
#include "procfs.h"
#include "saved.h"
#include "threads.h"

#define MAX_ACTIONS 64

static double now_s(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* ---- events ---- */

static void ev_begin(struct monitor *m, const char *name)
{
	events_begin(&m->ev, now_s(), name);
}

static unsigned node_os(const struct monitor *m, int idx)
{
	return idx >= 0 ? m->t->nodes[idx].os_index : (unsigned)-1;
}

/* A node in an event: its OS index, or null for a CPU in no NUMA node (never (unsigned)-1). */
static void ev_node(struct monitor *m, const char *key, int idx)
{
	if (idx >= 0)
		events_int(&m->ev, key, node_os(m, idx));
	else
		events_null(&m->ev, key);
}

static void ev_thread(struct monitor *m, const struct mthread *th)
{
	events_int(&m->ev, "pid", th->pid);
	events_int(&m->ev, "tid", th->tid);
	events_str(&m->ev, "comm", th->comm);
}

/* A busy thread's judged remote share, written when it is its first, its node changed or it moved by
 * MONITOR_SAMPLE_STEP or more since the last one written: the report's timeline, in few lines. */
static void ev_sample(struct monitor *m, struct mthread *th, int node, double remote)
{
	if (th->sample_said && th->said_node == node && fabs(remote - th->said_remote) < MONITOR_SAMPLE_STEP)
		return;
	th->sample_said = 1;
	th->said_node = node;
	th->said_remote = remote;
	ev_begin(m, "sample");
	ev_thread(m, th);
	ev_node(m, "node", node);
	events_num(&m->ev, "remote", remote, 3);
	events_end(&m->ev);
}

/* ---- slots ---- */

static int match_rule(const struct monitor *m, const char *comm)
{
	for (size_t r = 0; r < m->p->nrules; r++)
		if (fnmatch(m->p->rules[r].glob, comm, 0) == 0)
			return (int)r;
	return -1;
}

static int slot_node(const struct monitor *m, int slot)
{
	return slot >= 0 ? m->slots.node[slot] : -1;
}

/* The mask numarun set on th stops being in effect now (changed, taken by the program, or gone). */
static void forget_set(struct monitor *m, struct mthread *th)
{
	if (th->epoch >= 0)
		owner_log_close(&m->olog, th->epoch, clock_seconds(CLOCK_BOOTTIME));
	th->epoch = -1;
	hwloc_bitmap_free(th->set_mask);
	th->set_mask = NULL;
}

/* numarun just set th's mask: remember it as the kernel reports it, for the per-tick comparison, and
 * in the owner log, for the threads th creates from now on. */
static void record_set(struct monitor *m, struct mthread *th, hwloc_const_bitmap_t wanted)
{
	forget_set(m, th);
	th->set_mask = hwloc_bitmap_alloc();
	if (pin_thread_get(th->tid, th->set_mask) < 0)
		hwloc_bitmap_copy(th->set_mask, wanted);
	th->epoch = owner_log_open(&m->olog, th->set_mask, th->pid, clock_seconds(CLOCK_BOOTTIME));
}

/* Set a thread's CPUs. Returns 0 or -errno (-ESRCH: gone). */
static int set_cpus(struct monitor *m, struct mthread *th, hwloc_const_bitmap_t cpus)
{
	int rc = pin_thread_set(th->tid, cpus);
	if (rc == 0) {
		record_set(m, th, cpus);
	} else if (rc != -ESRCH) {
		char a[256];
		log_warn("sched_setaffinity tid %d cpus %s: %s", (int)th->tid, nodelist_format(cpus, a, sizeof(a)),
			 strerror(-rc));
	}
	return rc;
}

/* Set a thread's CPU to a slot's; its slot record is the caller's. Returns 0 or -errno. */
static int set_slot_cpu(struct monitor *m, struct mthread *th, int slot)
{
	hwloc_bitmap_only(m->mask, m->pl->order[slot]);
	return set_cpus(m, th, m->mask);
}

/* Pin a thread to a slot's CPU. Returns 0 or -errno (-ESRCH: gone). */
static int pin_to(struct monitor *m, struct mthread *th, int slot)
{
	int rc = set_slot_cpu(m, th, slot);
	if (rc == 0)
		slots_assign(&m->slots, &th->slot, slot);
	return rc;
}

/* The mask numarun expects th to have: the one it set, else the one the target was launched with. */
static hwloc_const_bitmap_t expected_mask(const struct monitor *m, const struct mthread *th)
{
	return th->set_mask ? th->set_mask : m->launch_mask;
}

/* Place a thread of numarun's by the rules and the placement policy (m->mask holds its mask now).
 * Returns 1 when it was (re)pinned. */
static int place(struct monitor *m, struct mthread *th)
{
	if (th->owner != OWNER_NUMARUN)
		return 0;
	int r = match_rule(m, th->comm);
	th->rule_nodes = r;
	if ((r >= 0 && !m->rule_sets[r]) || (r < 0 && m->p->threads == THREADS_NONE)) {
		/* Left unpinned. A new thread inherits the affinity of the thread that created it, which may be
		 * one CPU numarun pinned that one to: give it the whole plan. A mask the program set is not
		 * numarun's to change (owner), and the launch mask is the plan already. */
		th->excluded = r >= 0;
		if (th->slot >= 0)
			slots_assign(&m->slots, &th->slot, -1);
		if (!hwloc_bitmap_isequal(m->mask, m->pl->cpus))
			set_cpus(m, th, m->pl->cpus);
		return 0;
	}
	th->excluded = 0;
	hwloc_const_bitmap_t nodes = r >= 0 ? m->rule_sets[r] : NULL;
	if (th->slot >= 0 && slots_allowed(&m->slots, th->slot, nodes))
		return 0;
	enum thread_placement how = m->p->threads == THREADS_NONE ? THREADS_COMPACT : m->p->threads;
	int slot = slots_choose(&m->slots, nodes, how);
	if (slot < 0)
		return 0;
	if (th->slot >= 0)
		slots_assign(&m->slots, &th->slot, -1);
	return pin_to(m, th, slot) == 0;
}

/* ---- setup ---- */

/* The plan's memory policy is a contract the balancer keeps: pages only go to the policy's nodes (bind,
 * preferred, interleave; the allowed nodes for local and default), a thread's memory is judged to be on
 * the policy's nodes, threads go only to the plan's CPUs, and interleaved memory is remote by design. */
static void memory_contract(struct monitor *m)
{
	const struct topo *t = m->t;
	const struct plan *pl = m->pl;
	int explicit_nodes = pl->mem == MEM_BIND || pl->mem == MEM_PREFERRED || pl->mem == MEM_INTERLEAVE;
	hwloc_const_bitmap_t set = explicit_nodes ? pl->mem_nodes : t->allowed_nodes;
	int last = hwloc_bitmap_last(t->node_set);
	m->node_slots = calloc(t->nnodes ? t->nnodes : 1, sizeof(*m->node_slots));
	m->mem_ok = calloc(t->nnodes ? t->nnodes : 1, 1);
	m->best_in = calloc(last >= 0 ? (size_t)last + 1 : 1, 1);
	slots_count(&m->slots, m->node_slots, NULL);
	for (unsigned i = 0; i < t->nnodes; i++) {
		int in = hwloc_bitmap_isset(set, t->nodes[i].os_index);
		m->mem_ok[i] = (unsigned char)in;
		if (explicit_nodes && pl->mem != MEM_INTERLEAVE)
			m->best_in[t->nodes[i].os_index] = (unsigned char)in;
	}
	m->bw.node_slots = m->node_slots;
	m->bw.mem_ok = m->mem_ok;
	m->src.best_in = explicit_nodes && pl->mem != MEM_INTERLEAVE ? m->best_in : NULL;
	m->bc.interleaved = pl->mem == MEM_INTERLEAVE;
	m->bc.kernel_migrates = pl->kernel_balancing == 1;
	if (m->sampling && m->bc.interleaved) {
		char a[256];
		log_notice("memory is interleaved over nodes %s: remote accesses are by design, no thread is moved "
			   "for them", nodelist_format(pl->mem_nodes, a, sizeof(a)));
	}
}

static int read_allowed(hwloc_bitmap_t cpus, hwloc_bitmap_t nodes);

/* The plan's CPU slots, node maps and [threads] rules (again after a re-plan). Returns 0 or -1 with cause. */
static int build_slots(struct monitor *m, int lenient, char *cause, size_t causelen)
{
	char a[1024], b[1024];
	const struct topo *t = m->t;
	const struct plan *pl = m->pl;
	const struct policy *p = m->p;
	int lastcpu = hwloc_bitmap_last(t->cpus);
	m->ncpu_node = lastcpu >= 0 ? (unsigned)lastcpu + 1 : 1;
	m->cpu_node = malloc(m->ncpu_node * sizeof(*m->cpu_node));
	for (unsigned c = 0; c < m->ncpu_node; c++)
		m->cpu_node[c] = -1;
	for (unsigned i = 0; i < t->nnodes; i++) {
		unsigned c;
		hwloc_bitmap_foreach_begin(c, t->nodes[i].cpus) {
			if (c < m->ncpu_node)
				m->cpu_node[c] = (int)i;
		}
		hwloc_bitmap_foreach_end();
	}
	int *node = malloc((pl->ncpus ? pl->ncpus : 1) * sizeof(*node));
	for (unsigned s = 0; s < pl->ncpus; s++)
		node[s] = pl->order[s] < m->ncpu_node ? m->cpu_node[pl->order[s]] : -1;
	slots_init(&m->slots, pl->ncpus, t->nnodes, node);
	free(node);
	m->free_now = calloc(t->nnodes ? t->nnodes : 1, sizeof(*m->free_now));

	m->rule_sets = calloc(p->nrules ? p->nrules : 1, sizeof(*m->rule_sets));
	hwloc_bitmap_t os = hwloc_bitmap_alloc();
	int rc = 0;
	for (size_t r = 0; r < p->nrules && rc == 0; r++) {
		if (!p->rules[r].nodes)
			continue;
		if (nodelist_parse(p->rules[r].nodes, pl->cpu_nodes, os, a, sizeof(a)) < 0) {
			snprintf(cause, causelen, "[threads] node.%s: %s", p->rules[r].glob, a);
			rc = -1;
			break;
		}
		unsigned n;
		int bad = -1;
		hwloc_bitmap_foreach_begin(n, os) {
			if (!hwloc_bitmap_isset(pl->cpu_nodes, n))
				bad = (int)n;
		}
		hwloc_bitmap_foreach_end();
		if (bad >= 0 || hwloc_bitmap_iszero(os)) {
			snprintf(cause, causelen, "[threads] node.%s = %s: node %s has no CPU in the plan (plan nodes: %s)",
				 p->rules[r].glob, p->rules[r].nodes, bad >= 0 ? (snprintf(b, sizeof(b), "%d", bad), b) : "-",
				 nodelist_format(pl->cpu_nodes, a, sizeof(a)));
			if (!lenient) {
				rc = -1;
				break;
			}
			/* After a re-plan: the threads it matches stay unpinned until the node is back. */
			log_warn("%s: its threads are left unpinned", cause);
			continue;
		}
		/* The slots know nodes by index. */
		m->rule_sets[r] = hwloc_bitmap_alloc();
		hwloc_bitmap_foreach_begin(n, os) {
			int idx = topology_node_index(t, n);
			if (idx >= 0)
				hwloc_bitmap_set(m->rule_sets[r], (unsigned)idx);
		}
		hwloc_bitmap_foreach_end();
	}
	hwloc_bitmap_free(os);
	return rc;
}

static void free_slots(struct monitor *m)
{
	for (size_t r = 0; m->rule_sets && r < m->p->nrules; r++)
		hwloc_bitmap_free(m->rule_sets[r]);
	free(m->rule_sets);
	slots_free(&m->slots);
	free(m->free_now);
	free(m->cpu_node);
	m->rule_sets = NULL;
	m->free_now = NULL;
	m->cpu_node = NULL;
}

/* The directory part of path into dir ("." when it has none, "/" for the root); returns the name part. */
static const char *split_dir(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(dir, len, ".");
		return path;
	}
	if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

/*
 * Where a path leads: the file itself when it exists, else its directory's real path and its name, with
 * a dangling symbolic link followed (up to 8 links), so that "./F" and "F", or a link to F, compare equal
 * before either exists. Into out; 0, or -1 when it cannot be told.
 */
static int resolve(const char *path, char *out, size_t len)
{
	char cur[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", path);
	for (int hop = 0; hop < 8; hop++) {
		char *r = realpath(cur, NULL);
		if (r) {
			snprintf(out, len, "%s", r);
			free(r);
			return 0;
		}
		char dir[PATH_MAX], target[PATH_MAX];
		const char *base = split_dir(cur, dir, sizeof(dir));
		int has_dir = base != cur;
		ssize_t n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0) {
			char *rd = realpath(dir, NULL);
			if (!rd)
				return -1;
			int w = snprintf(out, len, "%s/%s", strcmp(rd, "/") == 0 ? "" : rd, base);
			free(rd);
			return w < 0 || (size_t)w >= len ? -1 : 0;
		}
		target[n] = '\0';
		if (target[0] == '/' || !has_dir)
			snprintf(cur, sizeof(cur), "%s", target);
		else {
			char next[PATH_MAX];
			int w = snprintf(next, sizeof(next), "%s/%s", dir, target);
			if (w < 0 || (size_t)w >= sizeof(next))
				return -1;
			memcpy(cur, next, (size_t)w + 1);
		}
	}
	return -1;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (strcmp(a, b) == 0)
		return 1;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino; /* hard links too */
	char ra[PATH_MAX], rb[PATH_MAX];
	return resolve(a, ra, sizeof(ra)) == 0 && resolve(b, rb, sizeof(rb)) == 0 && strcmp(ra, rb) == 0;
}

int monitor_init(struct monitor *m, const struct topo *t, const struct plan *pl, const struct policy *p,
		 const char *events_path, const char *save_path, char *cause, size_t causelen)
{
	memset(m, 0, sizeof(*m));
	m->t = t;
	m->pl = pl;
	m->p = p;
	m->save_path = save_path;
	m->t0 = now_s();
	m->launch_mask = hwloc_bitmap_dup(pl->cpus);
	m->mask = hwloc_bitmap_alloc();
	m->task_fd = m->lastpid_fd = -1;
	m->last_pid = -1;
	long tck = sysconf(_SC_CLK_TCK);
	m->clk_tck = tck > 0 ? 1.0 / (double)tck : 0.01;
	if (build_slots(m, pl->relocated[0] != '\0', cause, causelen) < 0)
		return -1;

	m->sampling = p->monitor;
	if (m->sampling) {
		int last = hwloc_bitmap_last(t->node_set);
		if (source_choose(&m->src, p->source, last >= 0 ? (unsigned)last + 1 : 1, cause, causelen) < 0) {
			/* Refused (permissions or the seccomp filter), not absent: monitor with what still works. */
			if (!(p->source == SOURCE_PMU && m->src.pmu_refused))
				return -1;
			if (p->strict) {
				size_t l = strlen(cause);
				snprintf(cause + l, causelen - l, "; --strict: not launched");
				return -2; /* refused by the kernel: exit status 1 */
			}
			log_warn("%s; monitoring with another source (--strict refuses instead)", cause);
			free(m->src.pages);
			free(m->src.faults);
			if (source_choose(&m->src, SOURCE_AUTO, last >= 0 ? (unsigned)last + 1 : 1, cause, causelen) < 0)
				return -1;
		}
		m->bc.threshold = p->threshold;
		m->bc.sustain = p->sustain;
		m->bc.settle = p->settle;
		m->bc.refresh_seqs = 2;
		m->bc.refresh_ticks = p->sustain > 2 ? p->sustain : 2;
		m->bc.refresh_max_ticks = 4 * m->bc.refresh_ticks;
		m->bc.max_moves_per_min = p->max_moves;
		m->bc.mode = p->action == ACTION_MOVE ? BAL_MODE_MOVE : p->action == ACTION_MIGRATE ? BAL_MODE_MIGRATE
												    : BAL_MODE_NONE;
	}
	if (m->sampling && m->bc.mode == BAL_MODE_MIGRATE) {
		/* action = migrate: is migrate_pages allowed here (podman's and Docker's default seccomp profiles
		 * refuse it)? A no-op migration of ourselves answers. */
		int first = hwloc_bitmap_first(t->allowed_nodes);
		long r = first >= 0 ? pin_migrate_pages(getpid(), (unsigned)first, (unsigned)first) : 0;
		struct privs pv;
		privs_read(&pv);
		if (r < 0 && privs_refused(&pv, (int)-r)) {
			char why[1024];
			privs_explain(&pv, "migrate_pages", (int)-r, -1, why, sizeof(why));
			if (p->strict) {
				snprintf(cause, causelen, "action = migrate: %s; --strict: not launched", why);
				return -2;
			}
			log_warn("action = migrate: %s; moving threads instead of migrating pages (--strict refuses "
				 "instead)", why);
			m->bc.mode = BAL_MODE_MOVE;
			snprintf(m->degraded, sizeof(m->degraded), "migrations (%s)", why);
		}
	}
	m->bw.nnodes = t->nnodes;
	m->bw.free_slots = m->free_now;
	m->bw.scan_seq = -1;
	memory_contract(m);

	if (events_path && save_path && strcmp(events_path, "-") != 0 && same_file(events_path, save_path)) {
		snprintf(cause, causelen, "--events and --save-policy name the same file (%s)", save_path);
		return -1;
	}
	if (save_path) {
		/* Found out now, not at convergence. */
		char dir[PATH_MAX];
		split_dir(save_path, dir, sizeof(dir));
		struct stat st;
		int e = stat(dir, &st) < 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : access(dir, W_OK) < 0 ? errno : 0;
		if (e) {
			snprintf(cause, causelen, "--save-policy %s: directory %s: %s", save_path, dir, strerror(e));
			return -1;
		}
		if (stat(save_path, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(cause, causelen, "--save-policy %s: %s", save_path, strerror(EISDIR));
			return -1;
		}
	}
	if (events_open(&m->ev, events_path, m->t0, cause, causelen) < 0)
		return -2;
	if (m->sampling)
		log_notice("monitoring with %s (%s)",
			   m->src.kind == SOURCE_PMU      ? "PMU DRAM load counters"
			   : m->src.kind == SOURCE_FAULTS ? "NUMA hinting faults"
							  : "page placement",
			   m->src.why);
	return 0;
}

void monitor_start(struct monitor *m, pid_t pid)
{
	char a[1024];
	/* A file descriptor per thread: raise our own limit (the target, already forked, keeps its own). */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Below the limit, room stays for listing the task directories, the events file, the sources'
	 * descriptors of busy threads and a re-plan: threads past it have their CPU time read by path. */
	long fdlim = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 1L << 20;
	long reserve = 16 + fdlim / 16;
	if (reserve > 256)
		reserve = 256;
	m->hold_below = fdlim > INT_MAX ? INT_MAX : (int)(fdlim - reserve);
	m->pid = pid;
	snprintf(a, sizeof(a), "/proc/%d/task", (int)pid);
	m->task_fd = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	m->lastpid_fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	char num[32];
	m->pid_max = procfs_read("/proc/sys/kernel/pid_max", num, sizeof(num)) > 0 ? strtol(num, NULL, 10) : 0;
	if (m->pid_max <= 0) {
		if (m->lastpid_fd >= 0)
			close(m->lastpid_fd);
		m->lastpid_fd = -1; /* no counter to follow: every tick lists the threads */
	}
	m->t0 = now_s();
	m->seen_cpus = hwloc_bitmap_alloc();
	m->seen_nodes = hwloc_bitmap_alloc();
	m->now_cpus = hwloc_bitmap_alloc();
	m->now_nodes = hwloc_bitmap_alloc();
	struct cpu_limit lim;
	m->quota = m->t->this_system && cgroup_cpu_limit("", &lim) == 0 ? lim.cpus : -1;
	m->quota_was = m->quota > 0 ? m->quota : 0;
	if (read_allowed(m->seen_cpus, m->seen_nodes) < 0) {
		hwloc_bitmap_free(m->seen_cpus);
		m->seen_cpus = NULL; /* no re-planning */
	}
	m->ev.t0 = m->t0;
	ev_begin(m, "start");
	events_int(&m->ev, "pid", pid);
	if (m->attached)
		events_bool(&m->ev, "attached", 1);
	events_str(&m->ev, "cpus", nodelist_format(m->pl->cpus, a, sizeof(a)));
	events_str(&m->ev, "nodes", nodelist_format(m->pl->cpu_nodes, a, sizeof(a)));
	events_str(&m->ev, "memory", policy_mem_name(m->pl->mem));
	if (m->pl->mem != MEM_LOCAL && m->pl->mem != MEM_DEFAULT)
		events_str(&m->ev, "memory_nodes", nodelist_format(m->pl->mem_nodes, a, sizeof(a)));
	if (m->pl->kernel_balancing < 0)
		events_null(&m->ev, "kernel_balancing");
	else
		events_bool(&m->ev, "kernel_balancing", m->pl->kernel_balancing);
	events_str(&m->ev, "kernel_balancing_reason", m->pl->kernel_balancing_why);
	events_bool(&m->ev, "interleaved", m->pl->mem == MEM_INTERLEAVE);
	if (m->pl->relocated[0])
		events_str(&m->ev, "relocated", m->pl->relocated);
	if (m->t->allocator[0])
		events_str(&m->ev, "allocator", m->t->allocator);
	if (m->pl->dropped[0] || m->degraded[0]) {
		char d[2048];
		snprintf(d, sizeof(d), "%s%s%s", m->pl->dropped, m->pl->dropped[0] && m->degraded[0] ? "; " : "", m->degraded);
		events_str(&m->ev, "dropped", d);
	}
	events_str(&m->ev, "threads", policy_threads_name(m->p->threads));
	if (m->sampling) {
		events_str(&m->ev, "source", policy_source_name(m->src.kind));
		events_str(&m->ev, "source_why", m->src.why);
		events_str(&m->ev, "action", policy_action_name(m->p->action));
		events_int(&m->ev, "interval_ms", m->p->interval_ms);
		events_num(&m->ev, "threshold", m->p->threshold, 3);
	} else {
		events_null(&m->ev, "source");
	}
	events_end(&m->ev);
}

/* ---- enumeration ---- */

static void read_comm(struct mthread *th)
{
	char path[96], buf[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)th->pid, (int)th->tid);
	if (procfs_read(path, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(th->comm, sizeof(th->comm), "%s", buf);
	}
}

/* "pinned_by": who set the thread's CPU mask (null: nobody, it has the CPUs the target was launched
 * with), and "affinity": that mask. */
static void ev_owner(struct monitor *m, const struct mthread *th)
{
	char a[1024];
	if (th->owner == OWNER_PROGRAM)
		events_str(&m->ev, "pinned_by", "program");
	else if (th->set_mask && !hwloc_bitmap_isequal(th->set_mask, m->launch_mask))
		events_str(&m->ev, "pinned_by", "numarun");
	else
		events_null(&m->ev, "pinned_by");
	events_str(&m->ev, "affinity",
		   nodelist_format(th->owner == OWNER_PROGRAM ? m->mask : expected_mask(m, th), a, sizeof(a)));
}

static void ev_new(struct monitor *m, const struct mthread *th)
{
	ev_begin(m, "thread_new");
	ev_thread(m, th);
	if (th->slot >= 0) {
		events_int(&m->ev, "cpu", m->pl->order[th->slot]);
		ev_node(m, "node", slot_node(m, th->slot));
	} else {
		events_null(&m->ev, "cpu");
		events_null(&m->ev, "node");
	}
	events_bool(&m->ev, "pinned", th->slot >= 0);
	ev_owner(m, th);
	events_end(&m->ev);
}

static void thread_final(const struct monitor *m, size_t i, struct mdeparted *d)
{
	const struct mthread *th = &m->th[i];
	int node = th->slot >= 0 ? slot_node(m, th->slot) : m->bt[i].node;
	d->tid = th->tid;
	snprintf(d->comm, sizeof(d->comm), "%s", th->comm);
	d->node = node >= 0 ? (int)node_os(m, node) : -1;
	d->cpu = th->slot >= 0 ? (int)m->pl->order[th->slot] : -1;
	d->remote = th->last.remote;
	d->remote_valid = th->last.valid;
	d->moves = m->bt[i].moves;
	d->frozen = m->bt[i].frozen;
	d->owner = th->owner;
}

/* The k-th thread of the exit report: those still listed, then the last ones that ended before the
 * target (k < m->n + m->ndeparted). */
static void report_thread(const struct monitor *m, size_t k, struct mdeparted *d)
{
	if (k < m->n)
		thread_final(m, k, d);
	else
		*d = m->departed[(m->departed_head + MONITOR_MAX_DEPARTED - m->ndeparted + (k - m->n)) %
				 MONITOR_MAX_DEPARTED];
}

static void remember_departed(struct monitor *m, size_t i)
{
	thread_final(m, i, &m->departed[m->departed_head]);
	m->departed_head = (m->departed_head + 1) % MONITOR_MAX_DEPARTED;
	if (m->ndeparted < MONITOR_MAX_DEPARTED)
		m->ndeparted++;
}

/* The process of the thread that created th: its own for a thread, the parent for a process's first
 * thread (0 unknown). */
static pid_t creator_of(const struct mthread *th, const struct task_entry *e)
{
	if (th->tid != th->pid)
		return th->pid;
	return e && e->have_stat ? e->ppid : 0;
}

/* A thread seen for the first time. */
static void new_thread(const struct monitor *m, struct mthread *th, struct bal_thread *bt, const struct thread_key *key,
		       const struct task_entry *e)
{
	memset(th, 0, sizeof(*th));
	th->pid = key->pid;
	th->tid = key->tid;
	th->start_ticks = key->start;
	th->slot = -1;
	th->rule_nodes = -1;
	th->epoch = -1;
	/* When it started (CLOCK_BOOTTIME seconds), -1 unknown. */
	th->start = key->start ? (double)key->start * m->clk_tck : -1;
	th->seen = 0; /* new: no CPU time baseline yet */
	th->schedstat_fd = -1;
	th->hot = MONITOR_HOT_TICKS; /* read on its first ticks: its name again, a first interval of CPU time */
	th->creator = creator_of(th, e);
	source_thread_init(&th->src);
	if (e && e->have_stat)
		snprintf(th->comm, sizeof(th->comm), "%s", e->comm);
	else
		read_comm(th);
	balance_thread_init(bt, th->tid);
}

/* threads_read's question: a thread listed again is known by its TID alone unless its TID was handed
 * out since the last tick (the table is sorted by pid, tid). */
static int need_stat(void *ctx, pid_t pid, pid_t tid)
{
	const struct monitor *m = ctx;
	if (threads_range_has(&m->range, tid))
		return 1;
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mthread *th = &m->th[mid];
		if (th->pid == pid && th->tid == tid)
			return 0;
		if (th->pid < pid || (th->pid == pid && th->tid < tid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 1;
}

static long read_last_pid(const struct monitor *m)
{
	char buf[32], *end;
	if (m->lastpid_fd < 0)
		return -1;
	ssize_t n = pread(m->lastpid_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	long v = strtol(buf, &end, 10);
	return end == buf || v < 0 || v >= m->pid_max ? -1 : v;
}

/*
 * Whether the task list must be read this tick. A thread created since the last tick has a TID the PID
 * counter handed out since (m->range): each of those is looked up in /proc/<target>/task (one lookup,
 * no listing); then the directory's link count, the number of threads + 2 (fs/proc/base.c,
 * proc_task_getattr), tells whether one ended (or was created after the counter was read). When the
 * counter moved by more PIDs than half the table, cannot be read, or with descendants, the list is read.
 */
static int tasks_changed(struct monitor *m)
{
	long now = read_last_pid(m);
	m->range.known = m->last_pid >= 0 && now >= 0;
	m->range.from = m->last_pid;
	m->range.to = now;
	m->range.pid_max = m->pid_max;
	m->last_pid = now;
	if (!m->range.known || m->p->descendants || m->task_fd < 0 || m->kept_last || m->n == 0)
		return 1;
	long d = threads_range_size(&m->range);
	if (d > (long)(m->n / 2) + 16)
		return 1;
	struct stat st;
	for (long k = 0; k < d; k++) {
		char name[24];
		snprintf(name, sizeof(name), "%d", (int)threads_range_at(&m->range, k));
		if (fstatat(m->task_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 1; /* a new thread, or a TID given again */
	}
	if (fstat(m->task_fd, &st) < 0)
		return 1;
	return st.st_nlink != (nlink_t)m->n + 2;
}

/* Read the task lists and merge them into the table. Returns -ESRCH when the target's own task list is
 * gone. A list that cannot be read for another reason (out of file descriptors...) is not an exit: the
 * threads it held stay as they were this tick, and that is said once. */
static int refresh_tasks(struct monitor *m, struct task_read *rd)
{
	threads_read(m->pid, m->p->descendants, need_stat, m, rd);
	struct thread_key *keys = malloc((m->n ? m->n : 1) * sizeof(*keys));
	for (size_t i = 0; i < m->n; i++)
		keys[i] = (struct thread_key){m->th[i].pid, m->th[i].tid, m->th[i].start_ticks};
	struct thread_merge mg;
	int rc = threads_merge(keys, m->n, rd, &mg);
	free(keys);
	if (rc < 0) {
		m->kept_last = 1; /* out of memory: the table stays, the next tick tries again */
		return 0;
	}
	m->kept_last = mg.kept != 0;
	if (mg.kept && !m->list_warned) {
		char who[64];
		if (mg.kept_pid > 0)
			snprintf(who, sizeof(who), "/proc/%d/task", (int)mg.kept_pid);
		else
			snprintf(who, sizeof(who), "the child processes of %d", (int)m->pid);
		log_warn("cannot read %s: %s: its threads are kept as they were until it can be read", who,
			 strerror(-mg.kept));
		m->list_warned = 1;
	}
	for (size_t k = 0; k < mg.ndeparted; k++) {
		/* gone: remember how it ended for the exit report */
		struct mthread *th = &m->th[mg.departed[k]];
		if (th->announced) /* one seen only as it vanished has no record to report */
			remember_departed(m, mg.departed[k]);
		slots_assign(&m->slots, &th->slot, -1);
		forget_set(m, th);
		source_thread_close(&th->src);
		if (th->schedstat_fd >= 0)
			close(th->schedstat_fd);
	}
	struct mthread *nth = calloc(mg.n ? mg.n : 1, sizeof(*nth));
	struct bal_thread *nbt = calloc(mg.n ? mg.n : 1, sizeof(*nbt));
	for (size_t k = 0; k < mg.n; k++) {
		const struct thread_row *row = &mg.rows[k];
		if (row->prev >= 0) {
			nth[k] = m->th[row->prev];
			nbt[k] = m->bt[row->prev];
			nth[k].start_ticks = row->key.start;
		} else {
			new_thread(m, &nth[k], &nbt[k], &row->key, row->now >= 0 ? &rd->v[row->now] : NULL);
		}
	}
	free(m->th);
	free(m->bt);
	m->th = nth;
	m->bt = nbt;
	m->n = mg.n;
	rc = mg.gone ? -ESRCH : 0;
	threads_merge_free(&mg);
	return rc;
}

/* ---- acting ---- */

static void ev_move(struct monitor *m, const struct mthread *th, const char *kind, int from, int to, double remote,
		    const char *reason)
{
	ev_begin(m, "move");
	ev_thread(m, th);
	events_str(&m->ev, "kind", kind);
	ev_node(m, "from", from);
	ev_node(m, "to", to);
	events_num(&m->ev, "remote", remote, 3);
	if (th->slot >= 0)
		events_int(&m->ev, "cpu", m->pl->order[th->slot]);
	events_str(&m->ev, "reason", reason);
	events_end(&m->ev);
}

/* The two threads of a swap, for slots_swap's pin callback. */
struct swap_pair {
	struct monitor *m;
	struct mthread *th[2];
};

static int swap_pin(void *ctx, int who, int slot)
{
	struct swap_pair *sp = ctx;
	return set_slot_cpu(sp->m, sp->th[who], slot);
}

static void act(struct monitor *m, const struct bal_action *a)
{
	struct mthread *th = &m->th[a->a];
	struct bal_thread *bt = &m->bt[a->a];
	/* Nothing is done to a thread frozen for bouncing, nor with it as the other half of a swap. */
	if (a->kind != BAL_FREEZE && (bt->frozen || (a->kind == BAL_SWAP && m->bt[a->b].frozen)))
		return;
	switch (a->kind) {
	case BAL_MOVE: {
		int s = slots_first_free(&m->slots, a->to);
		if (s < 0 || pin_to(m, th, s) < 0) {
			bt->node = a->from; /* not done: the thread stays */
			return;
		}
		m->moves++;
		ev_move(m, th, "thread", a->from, a->to, a->remote, a->reason);
		log_info("moved tid %d (%s) from node %u to node %u: remote share %.0f%%", (int)th->tid, th->comm,
			 node_os(m, a->from), node_os(m, a->to), a->remote * 100);
		break;
	}
	case BAL_SWAP: {
		struct mthread *o = &m->th[a->b];
		struct swap_pair sp = {m, {th, o}};
		if (th->slot < 0 || o->slot < 0)
			return;
		if (slots_swap(&m->slots, &th->slot, &o->slot, swap_pin, &sp) < 0) {
			/* Not done, or undone: each thread is where the kernel has it. */
			bt->node = slot_node(m, th->slot);
			m->bt[a->b].node = slot_node(m, o->slot);
			return;
		}
		m->moves += 2;
		ev_move(m, th, "swap", a->from, a->to, a->remote, a->reason);
		ev_move(m, o, "swap", a->to, a->from, m->bt[a->b].remote, a->reason);
		break;
	}
	case BAL_MIGRATE: {
		/* migrate_pages moves the whole process: once per process and direction in a tick. */
		if (m->last_migration.tick == m->ticks && m->last_migration.pid == th->pid &&
		    m->last_migration.from == a->from && m->last_migration.to == a->to)
			return;
		m->last_migration.tick = m->ticks;
		m->last_migration.pid = th->pid;
		m->last_migration.from = a->from;
		m->last_migration.to = a->to;
		long r = pin_migrate_pages(th->pid, node_os(m, a->from), node_os(m, a->to));
		if (r < 0) {
			log_warn("migrate_pages pid %d from node %u to node %u: %s", (int)th->pid, node_os(m, a->from),
				 node_os(m, a->to), strerror((int)-r));
			return;
		}
		m->migrations++;
		ev_move(m, th, "memory", a->from, a->to, a->remote, a->reason);
		break;
	}
	case BAL_UNFIXABLE: {
		char mem[256];
		ev_begin(m, "unfixable");
		ev_thread(m, th);
		ev_node(m, "node", a->from);
		ev_node(m, "memory_node", a->to);
		events_num(&m->ev, "remote", a->remote, 3);
		events_str(&m->ev, "memory", policy_mem_name(m->pl->mem));
		if (m->pl->mem != MEM_LOCAL && m->pl->mem != MEM_DEFAULT)
			events_str(&m->ev, "memory_nodes", nodelist_format(m->pl->mem_nodes, mem, sizeof(mem)));
		events_str(&m->ev, "reason", a->reason);
		events_end(&m->ev);
		log_info("tid %d (%s) on node %u, memory on node %u (%.0f%% remote): nothing within the plan helps (%s "
			 "memory policy); left as it is", (int)th->tid, th->comm, node_os(m, a->from), node_os(m, a->to),
			 a->remote * 100, policy_mem_name(m->pl->mem));
		break;
	}
	case BAL_FREEZE:
		ev_begin(m, "frozen");
		ev_thread(m, th);
		ev_node(m, "node", a->from);
		events_num(&m->ev, "remote", a->remote, 3);
		events_str(&m->ev, "reason", a->reason);
		events_end(&m->ev);
		log_warn("tid %d (%s) keeps bouncing between nodes %u and %u: left on node %u", (int)th->tid, th->comm,
			 node_os(m, a->from), node_os(m, a->to), node_os(m, a->from));
		break;
	}
}

/* ---- saving the converged placement ---- */

/* Write the saved policy (saved_policy) to m->save_path, through a temporary file. */
static void write_policy(struct monitor *m, const struct policy *pol)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", m->save_path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		log_warn("%s: cannot write: %s", tmp, strerror(errno));
		return;
	}
	plan_print_ini(f, m->pl, m->t, pol);
	if (fclose(f) != 0 || rename(tmp, m->save_path) != 0) {
		log_warn("%s: cannot write: %s", m->save_path, strerror(errno));
		return;
	}
	m->saved = 1;
	log_notice("converged placement saved to %s", m->save_path);
}

static void save_policy(struct monitor *m)
{
	struct saved_thread *st = calloc(m->n ? m->n : 1, sizeof(*st));
	for (size_t i = 0; i < m->n; i++) {
		int node = slot_node(m, m->th[i].slot);
		st[i].comm = m->th[i].comm;
		st[i].node = node >= 0 ? (int)node_os(m, node) : -1;
	}
	struct policy pol;
	char note[256];
	saved_policy(&pol, m->p, st, m->n, note, sizeof(note));
	free(st);
	if (note[0])
		log_notice("--save-policy: %s", note);
	write_policy(m, &pol);
	policy_free(&pol);
}

/* ---- whose mask it is ---- */

static void log_program_pin(const struct monitor *m, const struct mthread *th, const char *how)
{
	char a[256], b[256];
	log_info("tid %d (%s): %s to CPUs %s (%s %s): left alone", (int)th->tid, th->comm, how,
		 nodelist_format(m->mask, a, sizeof(a)), !m->attached ? "launched on" : m->ticks <= 1 ? "the process's common mask" : "the plan's CPUs",
		 nodelist_format(m->launch_mask, b, sizeof(b)));
}

/* An event about a thread changing hands: "released" (the program set its mask) or "reclaimed". */
static void ev_owned(struct monitor *m, const struct mthread *th, const char *name, const char *reason)
{
	ev_begin(m, name);
	ev_thread(m, th);
	ev_owner(m, th);
	events_str(&m->ev, "reason", reason);
	events_end(&m->ev);
}

/* The program changed the mask of a thread numarun managed: it is the program's from now on. numarun
 * frees its slot, stops judging it, and says so. */
static void release(struct monitor *m, size_t i)
{
	struct mthread *th = &m->th[i];
	char was[256], reason[400];
	nodelist_format(expected_mask(m, th), was, sizeof(was));
	snprintf(reason, sizeof(reason), "the program changed its CPU mask from %s (numarun's)", was);
	forget_set(m, th);
	if (th->slot >= 0)
		slots_assign(&m->slots, &th->slot, -1);
	th->owner = OWNER_PROGRAM;
	m->bt[i].above = m->bt[i].under = 0;
	m->released++;
	ev_owned(m, th, "released", reason);
	log_program_pin(m, th, "re-pinned by the program");
}

/* ---- the tick ---- */

/* CPU time of a thread, through a kept file descriptor (falls back to opening each time when out of
 * descriptors). */
static int read_schedstat(const struct monitor *m, struct mthread *th, unsigned long long *run)
{
	char path[96], buf[128];
	if (th->schedstat_fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)th->pid, (int)th->tid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno == EMFILE || errno == ENFILE ? -EAGAIN : -errno;
		if (fd < m->hold_below) {
			th->schedstat_fd = fd;
		} else {
			/* Near the descriptor limit: read, and keep the descriptors for what must still open. */
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			int e = errno;
			close(fd);
			if (n <= 0)
				return n < 0 ? -e : -ESRCH;
			buf[n] = '\0';
			return procfs_parse_schedstat(buf, run) < 0 ? -EINVAL : 0;
		}
	}
	ssize_t n = pread(th->schedstat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	buf[n] = '\0';
	return procfs_parse_schedstat(buf, run) < 0 ? -EINVAL : 0;
}

/* ---- the cgroup changes: re-plan ---- */

/* The CPUs and memory nodes we may use now: our own affinity (the kernel rewrites it when the cpuset
 * changes; numarun never binds itself) and Mems_allowed. One system call and one small read. */
static int read_allowed(hwloc_bitmap_t cpus, hwloc_bitmap_t nodes)
{
	char buf[4096], why[128];
	if (pin_thread_get(0, cpus) < 0)
		return -1;
	if (procfs_read("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	char *p = strstr(buf, "\nMems_allowed_list:");
	if (!p)
		return -1;
	p += strlen("\nMems_allowed_list:");
	p += strspn(p, " \t");
	p[strcspn(p, "\n")] = '\0';
	return nodelist_parse(p, NULL, nodes, why, sizeof(why));
}

static int allowed_changed(struct monitor *m)
{
	if (!m->seen_cpus || read_allowed(m->now_cpus, m->now_nodes) < 0)
		return 0;
	return !hwloc_bitmap_isequal(m->now_cpus, m->seen_cpus) || !hwloc_bitmap_isequal(m->now_nodes, m->seen_nodes);
}

/* What becomes of GOMAXPROCS when the CPUs or the quota change (what: "the new CPU set ...", "the quota");
 * the runtime read it, or sized it, when it started. want: what it would be now, -1 unknown. */
static void gomaxprocs_after(const struct monitor *m, const char *what, long want, char *out, size_t len)
{
	const struct plan *pl = m->pl;
	const char *go = pl->go_version[0] ? pl->go_version : NULL;
	out[0] = '\0';
	if (pl->gomaxprocs_managed < 0)
		return;
	if (pl->gomaxprocs.action == KNOB_SET) {
		if (want < 0 || pl->gomaxprocs.value != want)
			snprintf(out, len, "GOMAXPROCS stays %ld (numarun set it in the environment at the start; the "
				 "runtime cannot change it): restart the service to follow %s", pl->gomaxprocs.value, what);
	} else if (pl->gomaxprocs_managed) {
		snprintf(out, len, "the Go runtime (%s) updates GOMAXPROCS itself from %s", go ? go : "Go 1.25 or later",
			 what);
	} else {
		snprintf(out, len, "%s sized GOMAXPROCS once at its start and cannot follow %s: restart the service "
			 "(Go 1.25 and later follow by themselves)", go ? go : "this Go runtime", what);
	}
}


/* The cpuset changed under us (the kubelet's CPU manager, an in-place resize, podman update): plan again
 * with the same policy inside the new sets, re-pin numarun's threads, and say so. */
static void replan(struct monitor *m)
{
	char cause[1024], oc[1024], nc[1024], on[256], nn[256], ac[1024], an[256], gmp[512];
	struct topo *nt = calloc(1, sizeof(*nt));
	struct plan *np = calloc(1, sizeof(*np));
	hwloc_bitmap_copy(m->seen_cpus, m->now_cpus);
	hwloc_bitmap_copy(m->seen_nodes, m->now_nodes);
	nodelist_format(m->now_cpus, ac, sizeof(ac));
	nodelist_format(m->now_nodes, an, sizeof(an));
	int ok = topology_load(nt, NULL, cause, sizeof(cause)) == 0;
	if (ok) {
		nt->kmem = m->t->kmem;
		nt->privs = m->t->privs;
		alloc_apply(nt);
		ok = plan_compute(nt, m->p, np, cause, sizeof(cause)) == 0;
		if (!ok)
			topology_free(nt);
	}
	if (!ok) {
		log_warn("the cpuset changed to CPUs %s, memory nodes %s, but numarun cannot plan there: %s; its threads stay "
			 "where the kernel put them", ac, an, cause);
		/* The kernel's masks are numarun's from now on, not the program's. */
		for (size_t i = 0; i < m->n; i++)
			if (m->th[i].announced && m->th[i].owner == OWNER_NUMARUN && pin_thread_get(m->th[i].tid, m->mask) == 0)
				record_set(m, &m->th[i], m->mask);
		ev_begin(m, "replan");
		events_str(&m->ev, "allowed_cpus", ac);
		events_str(&m->ev, "allowed_nodes", an);
		events_bool(&m->ev, "ok", 0);
		events_str(&m->ev, "reason", cause);
		events_end(&m->ev);
		free(nt);
		free(np);
		return;
	}
	/* What the running process was given at its start cannot change: its environment, and a memory policy
	 * the kernel refused at the launch (the kernel itself rebinds one that was set to the new nodes). */
	if (m->pl->mem == MEM_DEFAULT && np->mem != MEM_DEFAULT) {
		plan_drop_memory(nt, np, "not set at the launch");
		snprintf(np->dropped, sizeof(np->dropped), "%s", m->pl->dropped);
	}
	np->gomaxprocs = m->pl->gomaxprocs;
	np->omp = m->pl->omp;
	np->gomemlimit = m->pl->gomemlimit;
	np->gomaxprocs_managed = m->pl->gomaxprocs_managed;
	snprintf(np->go_version, sizeof(np->go_version), "%s", m->pl->go_version);
	nodelist_format(m->pl->cpus, oc, sizeof(oc));
	nodelist_format(m->pl->cpu_nodes, on, sizeof(on));
	nodelist_format(np->cpus, nc, sizeof(nc));
	nodelist_format(np->cpu_nodes, nn, sizeof(nn));
	char what[64];
	snprintf(what, sizeof(what), "the new CPU set of %u CPU%s", np->ncpus, np->ncpus == 1 ? "" : "s");
	gomaxprocs_after(m, what, np->ncpus, gmp, sizeof(gmp));

	/* Swap in the new plan; the old one (ours, or main's) is no longer looked at. */
	free_slots(m);
	free(m->node_slots);
	free(m->mem_ok);
	free(m->best_in);
	if (m->own_plan) {
		plan_free(m->own_plan);
		free(m->own_plan);
		topology_free(m->own_topo);
		free(m->own_topo);
	}
	m->own_plan = np;
	m->own_topo = nt;
	m->pl = np;
	m->t = nt;
	build_slots(m, 1, cause, sizeof(cause));
	memory_contract(m);
	hwloc_bitmap_copy(m->launch_mask, np->cpus);
	m->bw.nnodes = nt->nnodes;
	m->bw.free_slots = m->free_now;

	unsigned repinned = 0, left = 0;
	hwloc_bitmap_t before = hwloc_bitmap_alloc();
	for (size_t i = 0; i < m->n; i++)
		m->th[i].slot = -1; /* indexes into the old plan's slots */
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		if (!th->announced)
			continue; /* new this tick: classified against the new launch mask below */
		if (th->owner != OWNER_NUMARUN) {
			left++;
			continue;
		}
		if (pin_thread_get(th->tid, m->mask) < 0)
			continue;
		hwloc_bitmap_copy(before, m->mask);
		m->bt[i].above = m->bt[i].under = 0;
		forget_set(m, th);
		place(m, th);
		if (!th->set_mask && !hwloc_bitmap_isequal(before, np->cpus))
			set_cpus(m, th, np->cpus); /* unpinned: the whole new plan */
		if (th->set_mask && !hwloc_bitmap_isequal(th->set_mask, before))
			repinned++;
	}
	hwloc_bitmap_free(before);
	m->replans++;
	ev_begin(m, "replan");
	events_str(&m->ev, "allowed_cpus", ac);
	events_str(&m->ev, "allowed_nodes", an);
	events_bool(&m->ev, "ok", 1);
	events_str(&m->ev, "old_cpus", oc);
	events_str(&m->ev, "cpus", nc);
	events_str(&m->ev, "old_nodes", on);
	events_str(&m->ev, "nodes", nn);
	events_int(&m->ev, "repinned", repinned);
	events_int(&m->ev, "left_alone", left);
	if (np->relocated[0])
		events_str(&m->ev, "relocated", np->relocated);
	if (gmp[0])
		events_str(&m->ev, "gomaxprocs", gmp);
	events_end(&m->ev);
	log_notice("the cpuset changed to CPUs %s, memory nodes %s: re-planned from CPUs %s to %s with the same policy, "
		   "%u threads re-pinned%s%s", ac, an, oc, nc, repinned, gmp[0] ? "; " : "", gmp);
}

/* The CPU quota changed (podman update --cpus, an in-place resize): the CPUs stay, but what the runtime
 * sized from the quota at its start does not follow. Read every few seconds. */
static void check_quota(struct monitor *m)
{
	unsigned every = m->p->interval_ms ? (5000 + m->p->interval_ms - 1) / m->p->interval_ms : 5;
	if (m->quota < 0 || m->ticks - m->quota_tick < every)
		return;
	m->quota_tick = m->ticks;
	struct cpu_limit lim;
	if (cgroup_cpu_limit("", &lim) < 0 || fabs(lim.cpus - m->quota) < 0.001)
		return;
	char q1[32], q2[32], gmp[512] = "";
	snprintf(q1, sizeof(q1), m->quota > 0 ? "%.2f" : "none", m->quota);
	snprintf(q2, sizeof(q2), lim.cpus > 0 ? "%.2f" : "none", lim.cpus);
	gomaxprocs_after(m, "the quota", -1, gmp, sizeof(gmp));
	m->quota = lim.cpus;
	m->replans++;
	ev_begin(m, "replan");
	events_str(&m->ev, "reason", "cpu quota");
	events_bool(&m->ev, "ok", 1);
	if (m->quota_was > 0)
		events_num(&m->ev, "old_quota", m->quota_was, 2);
	else
		events_null(&m->ev, "old_quota");
	if (lim.cpus > 0)
		events_num(&m->ev, "quota", lim.cpus, 2);
	else
		events_null(&m->ev, "quota");
	if (gmp[0])
		events_str(&m->ev, "gomaxprocs", gmp);
	events_end(&m->ev);
	m->quota_was = lim.cpus > 0 ? lim.cpus : 0;
	log_notice("the CPU quota changed from %s to %s CPUs: the CPUs stay as planned%s%s", q1, q2, gmp[0] ? "; " : "",
		   gmp);
}

int monitor_tick(struct monitor *m)
{
	char path[128], buf[512];
	double now = now_s();
	m->ticks++;
	m->list_at = clock_seconds(CLOCK_BOOTTIME);
	if (tasks_changed(m)) {
		struct task_read rd;
		int rc = refresh_tasks(m, &rd);
		task_read_free(&rd);
		if (rc < 0)
			return rc;
	}
	if (allowed_changed(m))
		replan(m);
	check_quota(m);

	/* Which threads are read this tick: new ones and those busy lately every tick, the others every
	 * period ticks, spread over the ticks by TID. */
	unsigned long long window = (unsigned long long)m->p->interval_ms * 1000000ULL;
	double threshold_ns = m->p->min_cpu * (double)window;
	unsigned period = threads_idle_period(m->n);
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		th->due = !th->announced || th->hot > 0 || threads_idle_due(m->ticks, th->tid, th->read_tick, period);
	}

	/* Whose mask each thread has (numarun(1), "Threads the program pins"), then placement: new threads
	 * within one interval of their creation. A thread may be renamed just after it starts: its name is
	 * read again on its next tick, and rules apply to the new name. */
	if (m->prev_list_at > 0)
		owner_log_prune(&m->olog, m->prev_list_at - 2 * m->clk_tck);
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		if (!th->due)
			continue; /* its mask is looked at when its CPU time is read */
		if (pin_thread_get(th->tid, m->mask) < 0)
			continue; /* gone since the listing */
		if (!th->announced) {
			/* Once, however long its CPU time cannot be read (out of descriptors): a thread is new once. */
			th->announced = 1;
			th->owner = owner_classify(&m->olog, m->launch_mask, m->mask, th->start, th->creator, m->clk_tck);
			if (th->owner == OWNER_PROGRAM) {
				m->released++;
				log_program_pin(m, th, "pinned by the program when first seen");
			}
			place(m, th);
			ev_new(m, th);
			continue;
		}
		if (th->owner == OWNER_NUMARUN && !hwloc_bitmap_isequal(m->mask, expected_mask(m, th))) {
			/* The kernel rewrites the masks when the cpuset changes: that is not the program. */
			if (allowed_changed(m)) {
				replan(m);
				continue;
			}
			release(m, i);
			continue;
		}
		if (th->owner == OWNER_PROGRAM) {
			/* Widened back to the CPUs the target was launched with: numarun's to place again. */
			if (hwloc_bitmap_isequal(m->mask, m->launch_mask)) {
				th->owner = OWNER_NUMARUN;
				place(m, th);
				ev_owned(m, th, "reclaimed", "the program gave it back the CPUs the target was launched with");
				log_info("tid %d (%s): back on the launch CPUs: numarun places it again", (int)th->tid, th->comm);
			}
			continue;
		}
		if (th->seen == 1) {
			char old[64];
			snprintf(old, sizeof(old), "%s", th->comm);
			read_comm(th);
			if (strcmp(old, th->comm) != 0)
				place(m, th);
			th->seen = 2;
		}
	}
	m->prev_list_at = m->list_at;

	pid_t sampled_pid = 0; /* process-wide data is read once a tick, and only when a thread needs it */
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		struct bal_thread *bt = &m->bt[i];
		bt->present = 1;
		bt->movable = th->slot >= 0;
		bt->busy = 0;
		if (!th->due)
			continue; /* idle when last read: not judged this tick */
		unsigned long long run = 0;
		if (read_schedstat(m, th, &run) < 0) {
			bt->present = 0; /* exited between the listing and now */
			continue;
		}
		int first = !th->seen;
		unsigned long long delta = first ? 0 : run - th->run_ns;
		int consecutive = !first && m->ticks - th->read_tick == 1;
		th->run_ns = run;
		th->read_tick = m->ticks;
		th->seen = th->seen ? th->seen : 1;
		/* Busy: min_cpu of the last interval. A thread that used that much since it was last read,
		 * however many ticks ago, is read every tick from now on, and judged from the next. */
		if (!first && (double)delta >= threshold_ns)
			th->hot = MONITOR_HOT_TICKS;
		else if (th->hot > 0)
			th->hot--;
		bt->busy = consecutive && (double)delta >= threshold_ns;
		/* A thread the program pinned is the program's decision: never judged, never moved. */
		if (th->owner == OWNER_PROGRAM)
			bt->busy = 0;
		if (bt->busy && !th->busy_said) {
			th->busy_said = 1;
			ev_begin(m, "busy");
			ev_thread(m, th);
			events_num(&m->ev, "cpu", (double)delta / (double)window, 3);
			events_end(&m->ev);
		}
		if (!m->sampling || !bt->busy)
			continue;
		int node = slot_node(m, th->slot);
		if (node < 0) {
			struct task_stat st;
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)th->pid, (int)th->tid);
			if (procfs_read(path, buf, sizeof(buf)) > 0 && procfs_parse_stat(buf, &st) == 0 &&
			    st.processor >= 0 && (unsigned)st.processor < m->ncpu_node)
				node = m->cpu_node[st.processor];
		}
		if (th->pid != sampled_pid) {
			sampled_pid = th->pid;
			source_sample_process(&m->src, th->pid);
		}
		struct thread_sample smp;
		int e = source_sample_thread(&m->src, th->pid, th->tid, node >= 0 ? (int)node_os(m, node) : -1,
					     &th->src, &smp);
		if (e < 0) {
			bt->present = e != -ENOENT && e != -ESRCH;
			bt->busy = 0;
			continue;
		}
		th->last = smp;
		if (smp.valid)
			ev_sample(m, th, node, smp.remote);
		bt->node = node;
		bt->best_node = smp.best_node >= 0 ? topology_node_index(m->t, (unsigned)smp.best_node) : -1;
		bt->remote = smp.remote;
		bt->busy = smp.valid;
	}

	if (m->sampling) {
		struct bal_action acts[MAX_ACTIONS];
		int conv = 0;
		m->bw.tick = (long)m->ticks;
		m->bw.now = now - m->t0;
		m->bw.scan_seq = m->src.kind == SOURCE_FAULTS ? m->src.scan_seq : -1;
		slots_count(&m->slots, NULL, m->free_now); /* this tick's free slots, for the decision */
		size_t na = balance_decide(&m->bc, &m->bw, m->bt, m->n, acts, MAX_ACTIONS, &conv);
		for (size_t k = 0; k < na; k++)
			act(m, &acts[k]);
		if (conv) {
			m->converged = 1;
			m->converged_at = now - m->t0;
			unsigned judged = 0;
			for (size_t i = 0; i < m->n; i++)
				judged += m->bt[i].judged;
			if (m->save_path && !m->saved)
				save_policy(m);
			ev_begin(m, "converged");
			events_int(&m->ev, "moves", (long long)m->moves);
			events_int(&m->ev, "migrations", (long long)m->migrations);
			events_int(&m->ev, "judged", judged);
			if (m->saved)
				events_str(&m->ev, "saved", m->save_path);
			events_end(&m->ev);
			log_notice("converged after %.1f s: %u busy threads under %.0f%% remote, %lu moves", m->converged_at,
				   judged, m->p->threshold * 100, m->moves);
		}
	}
	return 0;
}

void monitor_finish(struct monitor *m, int status)
{
	if (events_on(&m->ev)) {
		ev_begin(m, "exit");
		if (m->attached) {
			/* not numarun's child: its exit status is its parent's to read */
			events_bool(&m->ev, "attached", 1);
			events_str(&m->ev, "end", m->end);
			events_null(&m->ev, "status");
		} else if (WIFSIGNALED(status)) {
			events_int(&m->ev, "signal", WTERMSIG(status));
			events_int(&m->ev, "status", 128 + WTERMSIG(status));
		} else {
			events_int(&m->ev, "status", WEXITSTATUS(status));
		}
		events_int(&m->ev, "moves", (long long)m->moves);
		events_int(&m->ev, "migrations", (long long)m->migrations);
		events_int(&m->ev, "ticks", (long long)m->ticks);
		events_int(&m->ev, "replans", (long long)m->replans);
		events_bool(&m->ev, "converged", m->converged);
		/* Each thread as last seen: where it ran, its last judged remote share. */
		events_array(&m->ev, "threads");
		for (size_t k = 0; k < m->n + m->ndeparted; k++) {
			struct mdeparted d;
			if (k < m->n && !m->th[k].announced)
				continue; /* never announced: listed once, gone before it could be read */
			report_thread(m, k, &d);
			events_object(&m->ev, NULL);
			events_int(&m->ev, "tid", d.tid);
			events_str(&m->ev, "comm", d.comm);
			if (d.node >= 0)
				events_int(&m->ev, "node", d.node);
			else
				events_null(&m->ev, "node");
			if (d.cpu >= 0)
				events_int(&m->ev, "cpu", d.cpu);
			else
				events_null(&m->ev, "cpu");
			if (d.remote_valid)
				events_num(&m->ev, "remote", d.remote, 3);
			else
				events_null(&m->ev, "remote");
			events_int(&m->ev, "moves", d.moves);
			events_bool(&m->ev, "frozen", d.frozen);
			if (d.owner == OWNER_PROGRAM)
				events_str(&m->ev, "pinned_by", "program");
			else if (d.cpu >= 0)
				events_str(&m->ev, "pinned_by", "numarun");
			else
				events_null(&m->ev, "pinned_by");
			events_pop(&m->ev);
		}
		events_pop(&m->ev);
		events_end(&m->ev);
	}
	if (m->pid && m->save_path && !m->saved)
		log_warn("the placement did not converge before the target ended: %s not written", m->save_path);
	if (m->pid && log_get_level() >= LOG_VERBOSE) {
		log_info("monitor: %lu ticks, %lu thread moves, %lu memory migrations%s", m->ticks, m->moves,
			 m->migrations, m->converged ? ", converged" : "");
		if (m->released)
			log_info("  %lu thread%s pinned by the program: left alone", m->released, m->released == 1 ? "" : "s");
		for (size_t k = 0; k < m->n + m->ndeparted; k++) {
			struct mdeparted d;
			char where[64];
			if (k < m->n && !m->th[k].announced)
				continue;
			report_thread(m, k, &d);
			if (d.owner == OWNER_PROGRAM)
				snprintf(where, sizeof(where), "pinned by the program");
			else if (d.node >= 0)
				snprintf(where, sizeof(where), "%snode %d", d.cpu >= 0 ? "" : "unpinned, last on ", d.node);
			else
				snprintf(where, sizeof(where), "unpinned");
			if (d.remote_valid)
				log_info("  tid %d (%s): %s, remote %.0f%%", (int)d.tid, d.comm, where, d.remote * 100);
			else
				log_info("  tid %d (%s): %s, not judged", (int)d.tid, d.comm, where);
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		source_thread_close(&m->th[i].src);
		if (m->th[i].schedstat_fd >= 0)
			close(m->th[i].schedstat_fd);
		hwloc_bitmap_free(m->th[i].set_mask);
	}
	if (m->task_fd >= 0)
		close(m->task_fd);
	if (m->lastpid_fd >= 0)
		close(m->lastpid_fd);
	owner_log_free(&m->olog);
	hwloc_bitmap_free(m->launch_mask);
	hwloc_bitmap_free(m->mask);
	events_finish(&m->ev);
	if (m->sampling)
		source_free(&m->src);
	free_slots(m);
	free(m->th);
	free(m->bt);
	free(m->node_slots);
	free(m->mem_ok);
	free(m->best_in);
	balance_world_free(&m->bw);
	if (m->own_plan) {
		plan_free(m->own_plan);
		free(m->own_plan);
		topology_free(m->own_topo);
		free(m->own_topo);
	}
	hwloc_bitmap_free(m->seen_cpus);
	hwloc_bitmap_free(m->seen_nodes);
	hwloc_bitmap_free(m->now_cpus);
	hwloc_bitmap_free(m->now_nodes);
	memset(m, 0, sizeof(*m));
}
