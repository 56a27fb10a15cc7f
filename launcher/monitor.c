/* monitor.c - per tick: enumerate threads, place new ones, sample, decide (balance), act, log events. */
#include "config.h"
#include <errno.h>
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

#define MAX_ACTIONS 64

static double now_s(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* ---- events: one JSON object a line ---- */

static void ev_begin(struct monitor *m, const char *name)
{
	fprintf(m->events, "{\"t\":%.3f,\"event\":\"%s\"", now_s() - m->t0, name);
}

static void ev_end(struct monitor *m)
{
	errno = 0;
	fputs("}\n", m->events);
	int bad = fflush(m->events) != 0 || ferror(m->events), e = errno ? errno : EIO;
	if (bad) {
		/* A full disk, a closed standard output, a reader that went away: say so once, then stop writing
		 * events (the target and the monitor carry on). */
		log_warn("events %s: %s: no more events are written", m->events_path, strerror(e));
		if (m->own_events)
			fclose(m->events);
		m->events = fopen("/dev/null", "we");
		m->own_events = 1;
	}
}

static void ev_str(struct monitor *m, const char *key, const char *v)
{
	fprintf(m->events, ",\"%s\":", key);
	json_string(m->events, v);
}

static unsigned node_os(const struct monitor *m, int idx)
{
	return idx >= 0 ? m->t->nodes[idx].os_index : (unsigned)-1;
}

static void ev_thread(struct monitor *m, const struct mthread *th)
{
	fprintf(m->events, ",\"pid\":%d,\"tid\":%d", (int)th->pid, (int)th->tid);
	ev_str(m, "comm", th->comm);
}

/* ---- slots ---- */

static void recount_free(struct monitor *m)
{
	memset(m->free_slots, 0, m->t->nnodes * sizeof(*m->free_slots));
	for (unsigned s = 0; s < m->nslots; s++)
		if (m->slot_load[s] == 0 && m->slot_node[s] >= 0)
			m->free_slots[m->slot_node[s]]++;
}

static int slot_allowed(const struct monitor *m, unsigned s, hwloc_const_bitmap_t nodes)
{
	return !nodes || (m->slot_node[s] >= 0 && hwloc_bitmap_isset(nodes, node_os(m, m->slot_node[s])));
}

/* spread: the node with fewest pinned threads, then its least-loaded slot; compact: the first node (plan
 * order) holding a least-loaded slot, then that slot. Returns a slot or -1. */
static int choose_slot(const struct monitor *m, hwloc_const_bitmap_t nodes, enum thread_placement how)
{
	unsigned minload = (unsigned)-1;
	for (unsigned s = 0; s < m->nslots; s++)
		if (slot_allowed(m, s, nodes) && m->slot_load[s] < minload)
			minload = m->slot_load[s];
	if (minload == (unsigned)-1)
		return -1;
	if (how == THREADS_SPREAD) {
		int best_node = -1;
		unsigned best_pinned = (unsigned)-1;
		for (unsigned s = 0; s < m->nslots; s++) {
			if (!slot_allowed(m, s, nodes) || m->slot_load[s] != minload)
				continue;
			unsigned pinned = 0;
			for (unsigned k = 0; k < m->nslots; k++)
				if (m->slot_node[k] == m->slot_node[s])
					pinned += m->slot_load[k];
			if (pinned < best_pinned) {
				best_pinned = pinned;
				best_node = m->slot_node[s];
			}
		}
		for (unsigned s = 0; s < m->nslots; s++)
			if (slot_allowed(m, s, nodes) && m->slot_load[s] == minload && m->slot_node[s] == best_node)
				return (int)s;
		return -1;
	}
	for (unsigned s = 0; s < m->nslots; s++)
		if (slot_allowed(m, s, nodes) && m->slot_load[s] == minload)
			return (int)s;
	return -1;
}

static int match_rule(const struct monitor *m, const char *comm)
{
	for (size_t r = 0; r < m->p->nrules; r++)
		if (fnmatch(m->p->rules[r].glob, comm, 0) == 0)
			return (int)r;
	return -1;
}

static void set_slot(struct monitor *m, struct mthread *th, int slot)
{
	if (th->slot >= 0)
		m->slot_load[th->slot]--;
	th->slot = slot;
	if (slot >= 0)
		m->slot_load[slot]++;
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

/* Pin a thread to a slot's CPU. Returns 0 or -errno (-ESRCH: gone). */
static int pin_to(struct monitor *m, struct mthread *th, int slot)
{
	hwloc_bitmap_only(m->mask, m->pl->order[slot]);
	int rc = set_cpus(m, th, m->mask);
	if (rc == 0)
		set_slot(m, th, slot);
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
			set_slot(m, th, -1);
		if (!hwloc_bitmap_isequal(m->mask, m->pl->cpus))
			set_cpus(m, th, m->pl->cpus);
		return 0;
	}
	th->excluded = 0;
	if (th->slot >= 0 && slot_allowed(m, (unsigned)th->slot, r >= 0 ? m->rule_sets[r] : NULL))
		return 0;
	enum thread_placement how = m->p->threads == THREADS_NONE ? THREADS_COMPACT : m->p->threads;
	int slot = choose_slot(m, r >= 0 ? m->rule_sets[r] : NULL, how);
	if (slot < 0)
		return 0;
	if (th->slot >= 0)
		set_slot(m, th, -1);
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
	for (unsigned s = 0; s < m->nslots; s++)
		if (m->slot_node[s] >= 0)
			m->node_slots[m->slot_node[s]]++;
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
	m->nslots = pl->ncpus;
	m->slot_node = calloc(m->nslots ? m->nslots : 1, sizeof(*m->slot_node));
	m->slot_load = calloc(m->nslots ? m->nslots : 1, sizeof(*m->slot_load));
	m->free_slots = calloc(t->nnodes, sizeof(*m->free_slots));
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
	for (unsigned s = 0; s < m->nslots; s++)
		m->slot_node[s] = pl->order[s] < m->ncpu_node ? m->cpu_node[pl->order[s]] : -1;
	recount_free(m);

	m->rule_sets = calloc(p->nrules ? p->nrules : 1, sizeof(*m->rule_sets));
	for (size_t r = 0; r < p->nrules; r++) {
		if (!p->rules[r].nodes)
			continue;
		m->rule_sets[r] = hwloc_bitmap_alloc();
		if (nodelist_parse(p->rules[r].nodes, pl->cpu_nodes, m->rule_sets[r], a, sizeof(a)) < 0) {
			snprintf(cause, causelen, "[threads] node.%s: %s", p->rules[r].glob, a);
			return -1;
		}
		unsigned n;
		int bad = -1;
		hwloc_bitmap_foreach_begin(n, m->rule_sets[r]) {
			if (!hwloc_bitmap_isset(pl->cpu_nodes, n))
				bad = (int)n;
		}
		hwloc_bitmap_foreach_end();
		if (bad >= 0 || hwloc_bitmap_iszero(m->rule_sets[r])) {
			snprintf(cause, causelen, "[threads] node.%s = %s: node %s has no CPU in the plan (plan nodes: %s)",
				 p->rules[r].glob, p->rules[r].nodes, bad >= 0 ? (snprintf(b, sizeof(b), "%d", bad), b) : "-",
				 nodelist_format(pl->cpu_nodes, a, sizeof(a)));
			if (!lenient)
				return -1;
			/* After a re-plan: the threads it matches stay unpinned until the node is back. */
			log_warn("%s: its threads are left unpinned", cause);
			hwloc_bitmap_free(m->rule_sets[r]);
			m->rule_sets[r] = NULL;
		}
	}

	return 0;
}

static void free_slots(struct monitor *m)
{
	for (size_t r = 0; r < m->p->nrules; r++)
		hwloc_bitmap_free(m->rule_sets[r]);
	free(m->rule_sets);
	free(m->slot_node);
	free(m->slot_load);
	free(m->free_slots);
	free(m->cpu_node);
	m->rule_sets = NULL;
	m->slot_node = NULL;
	m->slot_load = m->free_slots = NULL;
	m->cpu_node = NULL;
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
	long tck = sysconf(_SC_CLK_TCK);
	m->clk_tck = tck > 0 ? 1.0 / (double)tck : 0.01;
	if (build_slots(m, pl->relocated[0] != '\0', cause, causelen) < 0)
		return -1;

	m->sampling = p->monitor;	if (m->sampling) {
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
	m->bw.free_slots = m->free_slots;
	m->bw.scan_seq = -1;
	memory_contract(m);

	m->events_path = events_path ? (strcmp(events_path, "-") == 0 ? "(standard output)" : events_path) : "";
	if (events_path && save_path && strcmp(events_path, "-") != 0) {
		struct stat a, b;
		if (strcmp(events_path, save_path) == 0 ||
		    (stat(events_path, &a) == 0 && stat(save_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
			snprintf(cause, causelen, "--events and --save-policy name the same file (%s)", save_path);
			return -1;
		}
	}
	if (save_path) {
		/* Found out now, not at convergence. */
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", save_path);
		char *slash = strrchr(dir, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		struct stat st;
		int e = stat(dir, &st) < 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : access(dir, W_OK) < 0 ? errno : 0;
		if (e) {
			snprintf(cause, causelen, "--save-policy %s: directory %s: %s", save_path, dir, strerror(e));
			return -1;
		}
	}
	if (events_path) {
		if (strcmp(events_path, "-") == 0) {
			m->events = stdout;
		} else {
			m->events = fopen(events_path, "we");
			if (!m->events) {
				snprintf(cause, causelen, "%s: cannot write events: %s", events_path, strerror(errno));
				return -2;
			}
			m->own_events = 1;
		}
	} else {
		m->events = fopen("/dev/null", "we");
		m->own_events = 1;
	}
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
	m->pid = pid;
	m->t0 = now_s();
	m->seen_cpus = hwloc_bitmap_alloc();
	m->seen_nodes = hwloc_bitmap_alloc();
	m->now_cpus = hwloc_bitmap_alloc();
	m->now_nodes = hwloc_bitmap_alloc();
	struct cpu_limit lim;
	m->quota = m->t->this_system && cgroup_cpu_limit("", &lim) == 0 ? lim.cpus : -1;
	if (m->quota > 0)
		snprintf(m->quota_was_json, sizeof(m->quota_was_json), "%.2f", m->quota);
	else
		snprintf(m->quota_was_json, sizeof(m->quota_was_json), "null");
	if (read_allowed(m->seen_cpus, m->seen_nodes) < 0) {
		hwloc_bitmap_free(m->seen_cpus);
		m->seen_cpus = NULL; /* no re-planning */
	}
	ev_begin(m, "start");
	fprintf(m->events, ",\"pid\":%d", (int)pid);
	ev_str(m, "cpus", nodelist_format(m->pl->cpus, a, sizeof(a)));
	ev_str(m, "nodes", nodelist_format(m->pl->cpu_nodes, a, sizeof(a)));
	ev_str(m, "memory", policy_mem_name(m->pl->mem));
	if (m->pl->mem != MEM_LOCAL && m->pl->mem != MEM_DEFAULT)
		ev_str(m, "memory_nodes", nodelist_format(m->pl->mem_nodes, a, sizeof(a)));
	fprintf(m->events, ",\"kernel_balancing\":%s",
		m->pl->kernel_balancing < 0 ? "null" : m->pl->kernel_balancing ? "true" : "false");
	ev_str(m, "kernel_balancing_reason", m->pl->kernel_balancing_why);
	fprintf(m->events, ",\"interleaved\":%s", m->pl->mem == MEM_INTERLEAVE ? "true" : "false");
	if (m->pl->relocated[0])
		ev_str(m, "relocated", m->pl->relocated);
	if (m->t->allocator[0])
		ev_str(m, "allocator", m->t->allocator);
	if (m->pl->dropped[0] || m->degraded[0]) {
		char d[2048];
		snprintf(d, sizeof(d), "%s%s%s", m->pl->dropped, m->pl->dropped[0] && m->degraded[0] ? "; " : "", m->degraded);
		ev_str(m, "dropped", d);
	}
	ev_str(m, "threads", policy_threads_name(m->p->threads));
	if (m->sampling) {
		ev_str(m, "source", policy_source_name(m->src.kind));
		ev_str(m, "source_why", m->src.why);
		ev_str(m, "action", policy_action_name(m->p->action));
		fprintf(m->events, ",\"interval_ms\":%u,\"threshold\":%.3f", m->p->interval_ms, m->p->threshold);
	} else {
		fputs(",\"source\":null", m->events);
	}
	ev_end(m);
}

/* ---- enumeration ---- */

struct task_ref {
	pid_t pid, tid;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct task_ref *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

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
		ev_str(m, "pinned_by", "program");
	else if (th->set_mask && !hwloc_bitmap_isequal(th->set_mask, m->launch_mask))
		ev_str(m, "pinned_by", "numarun");
	else
		fputs(",\"pinned_by\":null", m->events);
	ev_str(m, "affinity", nodelist_format(th->owner == OWNER_PROGRAM ? m->mask : expected_mask(m, th), a, sizeof(a)));
}

static void ev_new(struct monitor *m, const struct mthread *th)
{
	ev_begin(m, "thread_new");
	ev_thread(m, th);
	if (th->slot >= 0)
		fprintf(m->events, ",\"cpu\":%u,\"node\":%u", m->pl->order[th->slot], node_os(m, m->slot_node[th->slot]));
	else
		fputs(",\"cpu\":null,\"node\":null", m->events);
	fprintf(m->events, ",\"pinned\":%s", th->slot >= 0 ? "true" : "false");
	ev_owner(m, th);
	ev_end(m);
}

static void thread_final(const struct monitor *m, size_t i, struct mdeparted *d)
{
	const struct mthread *th = &m->th[i];
	int node = th->slot >= 0 ? m->slot_node[th->slot] : m->bt[i].node;
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

/* Merge the live task list into the table (both sorted by pid, tid). Returns -ESRCH when the target's
 * own task list is gone. */
static int refresh_tasks(struct monitor *m)
{
	size_t nref = 0, capref = 256;
	struct task_ref *refs = malloc(capref * sizeof(*refs));
	pid_t *pids = NULL;
	long np = 0;
	if (m->p->descendants) {
		int err;
		np = procfs_descendants(m->pid, &pids, &err);
		if (np < 0)
			np = 0; /* the target's own list, read below, says why */
	}
	int rc = 0;
	for (long k = -1; k < np; k++) {
		pid_t pid = k < 0 ? m->pid : pids[k];
		pid_t *tids;
		long nt = procfs_list_tasks(pid, &tids);
		if (nt < 0) {
			if (k < 0)
				rc = (int)nt;
			continue;
		}
		for (long i = 0; i < nt; i++) {
			if (nref == capref) {
				capref *= 2;
				refs = realloc(refs, capref * sizeof(*refs));
			}
			refs[nref].pid = pid;
			refs[nref++].tid = tids[i];
		}
		free(tids);
	}
	free(pids);
	qsort(refs, nref, sizeof(*refs), cmp_ref);

	struct mthread *nth = calloc(nref ? nref : 1, sizeof(*nth));
	struct bal_thread *nbt = calloc(nref ? nref : 1, sizeof(*nbt));
	size_t i = 0, j = 0, k = 0;
	while (i < m->n || j < nref) {
		int c = i >= m->n ? 1 : j >= nref ? -1 : cmp_ref(&(struct task_ref){m->th[i].pid, m->th[i].tid}, &refs[j]);
		if (c < 0) {
			/* gone: remember how it ended for the exit report */
			remember_departed(m, i);
			set_slot(m, &m->th[i], -1);
			forget_set(m, &m->th[i]);
			source_thread_close(&m->th[i].src);
			if (m->th[i].schedstat_fd >= 0)
				close(m->th[i].schedstat_fd);
			i++;
		} else if (c == 0) {
			nth[k] = m->th[i];
			nbt[k] = m->bt[i];
			k++;
			i++;
			j++;
		} else {
			struct mthread *th = &nth[k];
			th->pid = refs[j].pid;
			th->tid = refs[j].tid;
			th->slot = -1;
			th->rule_nodes = -1;
			th->epoch = -1;
			th->start = -1;
			th->seen = 0; /* new: no CPU time baseline yet */
			th->schedstat_fd = -1;
			source_thread_init(&th->src);
			read_comm(th);
			balance_thread_init(&nbt[k], th->tid);
			k++;
			j++;
		}
	}
	free(m->th);
	free(m->bt);
	free(refs);
	m->th = nth;
	m->bt = nbt;
	m->n = k;
	return rc;
}

/* ---- acting ---- */

static int free_slot_on(const struct monitor *m, int node)
{
	for (unsigned s = 0; s < m->nslots; s++)
		if (m->slot_node[s] == node && m->slot_load[s] == 0)
			return (int)s;
	return -1;
}

static void ev_move(struct monitor *m, const struct mthread *th, const char *kind, int from, int to, double remote,
		    const char *reason)
{
	ev_begin(m, "move");
	ev_thread(m, th);
	ev_str(m, "kind", kind);
	fprintf(m->events, ",\"from\":%u,\"to\":%u,\"remote\":%.3f", node_os(m, from), node_os(m, to), remote);
	if (th->slot >= 0)
		fprintf(m->events, ",\"cpu\":%u", m->pl->order[th->slot]);
	ev_str(m, "reason", reason);
	ev_end(m);
}

static void act(struct monitor *m, const struct bal_action *a)
{
	struct mthread *th = &m->th[a->a];
	struct bal_thread *bt = &m->bt[a->a];
	switch (a->kind) {
	case BAL_MOVE: {
		int s = free_slot_on(m, a->to);
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
		int sa = th->slot, sb = o->slot;
		if (sa < 0 || sb < 0)
			return;
		set_slot(m, th, -1);
		set_slot(m, o, -1);
		if (pin_to(m, th, sb) < 0 || pin_to(m, o, sa) < 0)
			return;
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
		fprintf(m->events, ",\"node\":%u,\"memory_node\":%u,\"remote\":%.3f", node_os(m, a->from),
			node_os(m, a->to), a->remote);
		ev_str(m, "memory", policy_mem_name(m->pl->mem));
		if (m->pl->mem != MEM_LOCAL && m->pl->mem != MEM_DEFAULT)
			ev_str(m, "memory_nodes", nodelist_format(m->pl->mem_nodes, mem, sizeof(mem)));
		ev_str(m, "reason", a->reason);
		ev_end(m);
		log_info("tid %d (%s) on node %u, memory on node %u (%.0f%% remote): nothing within the plan helps (%s "
			 "memory policy); left as it is", (int)th->tid, th->comm, node_os(m, a->from), node_os(m, a->to),
			 a->remote * 100, policy_mem_name(m->pl->mem));
		break;
	}
	case BAL_FREEZE:
		ev_begin(m, "frozen");
		ev_thread(m, th);
		fprintf(m->events, ",\"node\":%u,\"remote\":%.3f", node_os(m, a->from), a->remote);
		ev_str(m, "reason", a->reason);
		ev_end(m);
		log_warn("tid %d (%s) keeps bouncing between nodes %u and %u: left on node %u", (int)th->tid, th->comm,
			 node_os(m, a->from), node_os(m, a->to), node_os(m, a->from));
		break;
	}
}

/* ---- saving the converged placement ---- */

/* A comm as a glob that matches itself and fits an INI key. */
static void comm_glob(const char *comm, char *out, size_t len)
{
	size_t k = 0;
	for (const char *c = comm; *c && k + 2 < len; c++) {
		if (strchr("=:;#[]*?\\ \t", *c))
			out[k++] = '?';
		else
			out[k++] = *c;
	}
	out[k] = '\0';
}

static void save_policy(struct monitor *m)
{
	struct policy copy;
	policy_copy(&copy, m->p);
	for (size_t r = 0; r < copy.nrules; r++) {
		free(copy.rules[r].glob);
		free(copy.rules[r].nodes);
	}
	copy.nrules = 0;
	for (size_t r = 0; r < m->p->nrules; r++)
		if (!m->p->rules[r].nodes)
			policy_add_rule(&copy, m->p->rules[r].glob, NULL);
	/* One rule per thread name: where the threads of that name ended up. */
	for (size_t i = 0; i < m->n; i++) {
		if (m->th[i].slot < 0)
			continue;
		char glob[80];
		comm_glob(m->th[i].comm, glob, sizeof(glob));
		int done = 0;
		for (size_t r = 0; r < copy.nrules; r++)
			if (strcmp(copy.rules[r].glob, glob) == 0)
				done = 1;
		if (done)
			continue;
		/* The nodes that threads of this name ended on: one node, or the set they are spread over. */
		hwloc_bitmap_t nodes = hwloc_bitmap_alloc();
		for (size_t j = i; j < m->n; j++) {
			char g2[80];
			comm_glob(m->th[j].comm, g2, sizeof(g2));
			if (m->th[j].slot >= 0 && strcmp(g2, glob) == 0 && m->slot_node[m->th[j].slot] >= 0)
				hwloc_bitmap_set(nodes, node_os(m, m->slot_node[m->th[j].slot]));
		}
		if (!hwloc_bitmap_iszero(nodes)) {
			char list[256];
			policy_add_rule(&copy, glob, nodelist_format(nodes, list, sizeof(list)));
		}
		hwloc_bitmap_free(nodes);
	}
	if (copy.threads == THREADS_NONE)
		copy.threads = THREADS_COMPACT;
	copy.monitor = 1;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", m->save_path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		log_warn("%s: cannot write: %s", tmp, strerror(errno));
	} else {
		plan_print_ini(f, m->pl, m->t, &copy);
		if (fclose(f) != 0 || rename(tmp, m->save_path) != 0)
			log_warn("%s: cannot write: %s", m->save_path, strerror(errno));
		else {
			m->saved = 1;
			log_notice("converged placement saved to %s", m->save_path);
		}
	}
	policy_free(&copy);
}

/* ---- whose mask it is ---- */

/* When a thread started, CLOCK_BOOTTIME seconds (stat field 22), -1 unknown; and the process of the
 * thread that created it: its own for a thread, the parent (field 4) for a process's first thread. */
static double thread_start(const struct monitor *m, const struct mthread *th, pid_t *creator)
{
	char path[96], buf[1024];
	struct task_stat st;
	*creator = th->tid == th->pid ? 0 : th->pid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)th->pid, (int)th->tid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0 || procfs_parse_stat(buf, &st) < 0 || !st.starttime)
		return -1;
	if (th->tid == th->pid)
		*creator = st.ppid;
	return (double)st.starttime * m->clk_tck;
}

static void log_program_pin(const struct monitor *m, const struct mthread *th, const char *how)
{
	char a[256], b[256];
	log_info("tid %d (%s): %s to CPUs %s (launched on %s): left alone", (int)th->tid, th->comm, how,
		 nodelist_format(m->mask, a, sizeof(a)), nodelist_format(m->launch_mask, b, sizeof(b)));
}

/* An event about a thread changing hands: "released" (the program set its mask) or "reclaimed". */
static void ev_owned(struct monitor *m, const struct mthread *th, const char *name, const char *reason)
{
	ev_begin(m, name);
	ev_thread(m, th);
	ev_owner(m, th);
	ev_str(m, "reason", reason);
	ev_end(m);
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
		set_slot(m, th, -1);
	th->owner = OWNER_PROGRAM;
	m->bt[i].above = m->bt[i].under = 0;
	m->released++;
	ev_owned(m, th, "released", reason);
	log_program_pin(m, th, "re-pinned by the program");
}

/* ---- the tick ---- */

/* CPU time of a thread, through a kept file descriptor (falls back to opening each time when out of
 * descriptors). */
static int read_schedstat(struct mthread *th, unsigned long long *run)
{
	char path[96], buf[128];
	if (th->schedstat_fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)th->pid, (int)th->tid);
		th->schedstat_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (th->schedstat_fd < 0) {
			if (errno != EMFILE && errno != ENFILE)
				return -errno;
			long n = procfs_read(path, buf, sizeof(buf));
			if (n < 0)
				return (int)n;
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
			if (m->th[i].seen && m->th[i].owner == OWNER_NUMARUN && pin_thread_get(m->th[i].tid, m->mask) == 0)
				record_set(m, &m->th[i], m->mask);
		ev_begin(m, "replan");
		ev_str(m, "allowed_cpus", ac);
		ev_str(m, "allowed_nodes", an);
		fputs(",\"ok\":false", m->events);
		ev_str(m, "reason", cause);
		ev_end(m);
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
	m->bw.free_slots = m->free_slots;

	unsigned repinned = 0, left = 0;
	hwloc_bitmap_t before = hwloc_bitmap_alloc();
	for (size_t i = 0; i < m->n; i++)
		m->th[i].slot = -1; /* indexes into the old plan's slots */
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		if (!th->seen)
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
	recount_free(m);
	m->replans++;
	ev_begin(m, "replan");
	ev_str(m, "allowed_cpus", ac);
	ev_str(m, "allowed_nodes", an);
	fputs(",\"ok\":true", m->events);
	ev_str(m, "old_cpus", oc);
	ev_str(m, "cpus", nc);
	ev_str(m, "old_nodes", on);
	ev_str(m, "nodes", nn);
	fprintf(m->events, ",\"repinned\":%u,\"left_alone\":%u", repinned, left);
	if (np->relocated[0])
		ev_str(m, "relocated", np->relocated);
	if (gmp[0])
		ev_str(m, "gomaxprocs", gmp);
	ev_end(m);
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
	ev_str(m, "reason", "cpu quota");
	fprintf(m->events, ",\"ok\":true,\"old_quota\":%s,\"quota\":%s", m->quota_was_json, lim.cpus > 0 ? q2 : "null");
	if (gmp[0])
		ev_str(m, "gomaxprocs", gmp);
	ev_end(m);
	snprintf(m->quota_was_json, sizeof(m->quota_was_json), "%s", lim.cpus > 0 ? q2 : "null");
	log_notice("the CPU quota changed from %s to %s CPUs: the CPUs stay as planned%s%s", q1, q2, gmp[0] ? "; " : "",
		   gmp);
}

int monitor_tick(struct monitor *m)
{
	char path[128], buf[512];
	double now = now_s();
	m->ticks++;
	m->list_at = clock_seconds(CLOCK_BOOTTIME);
	int rc = refresh_tasks(m);
	if (rc < 0)
		return rc;
	if (allowed_changed(m))
		replan(m);
	check_quota(m);

	/* Whose mask each thread has (numarun(1), "Threads the program pins"), then placement: new threads
	 * within one interval of their creation. A thread may be renamed just after it starts: its name is
	 * read again on its next tick, and rules apply to the new name. */
	if (m->prev_list_at > 0)
		owner_log_prune(&m->olog, m->prev_list_at - 2 * m->clk_tck);
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		if (pin_thread_get(th->tid, m->mask) < 0)
			continue; /* gone since the listing */
		if (!th->seen) {
			pid_t creator;
			th->start = thread_start(m, th, &creator);
			th->owner = owner_classify(&m->olog, m->launch_mask, m->mask, th->start, creator, m->clk_tck);
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
	unsigned long long window = (unsigned long long)m->p->interval_ms * 1000000ULL;
	for (size_t i = 0; i < m->n; i++) {
		struct mthread *th = &m->th[i];
		struct bal_thread *bt = &m->bt[i];
		bt->present = 1;
		bt->movable = th->slot >= 0;
		unsigned long long run = 0;
		if (read_schedstat(th, &run) < 0) {
			bt->present = 0; /* exited between the listing and now */
			continue;
		}
		int first = !th->seen;
		unsigned long long delta = first ? 0 : run - th->run_ns;
		th->run_ns = run;
		th->seen = th->seen ? th->seen : 1;
		bt->busy = !first && (double)delta >= m->p->min_cpu * (double)window;
		/* A thread the program pinned is the program's decision: never judged, never moved. */
		if (th->owner == OWNER_PROGRAM)
			bt->busy = 0;
		if (!m->sampling || !bt->busy)
			continue;
		int node = th->slot >= 0 ? m->slot_node[th->slot] : -1;
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
		recount_free(m);
		size_t na = balance_decide(&m->bc, &m->bw, m->bt, m->n, acts, MAX_ACTIONS, &conv);
		for (size_t k = 0; k < na; k++)
			act(m, &acts[k]);
		recount_free(m);
		if (conv) {
			m->converged = 1;
			m->converged_at = now - m->t0;
			unsigned judged = 0;
			for (size_t i = 0; i < m->n; i++)
				judged += m->bt[i].judged;
			if (m->save_path && !m->saved)
				save_policy(m);
			ev_begin(m, "converged");
			fprintf(m->events, ",\"moves\":%lu,\"migrations\":%lu,\"judged\":%u", m->moves, m->migrations,
				judged);
			if (m->saved)
				ev_str(m, "saved", m->save_path);
			ev_end(m);
			log_notice("converged after %.1f s: %u busy threads under %.0f%% remote, %lu moves", m->converged_at,
				   judged, m->p->threshold * 100, m->moves);
		}
	}
	return 0;
}

void monitor_finish(struct monitor *m, int status)
{
	if (m->events) {
		ev_begin(m, "exit");
		if (WIFSIGNALED(status))
			fprintf(m->events, ",\"signal\":%d,\"status\":%d", WTERMSIG(status), 128 + WTERMSIG(status));
		else
			fprintf(m->events, ",\"status\":%d", WEXITSTATUS(status));
		fprintf(m->events, ",\"moves\":%lu,\"migrations\":%lu,\"ticks\":%lu,\"replans\":%lu,\"converged\":%s",
			m->moves, m->migrations, m->ticks, m->replans, m->converged ? "true" : "false");
		/* Each thread as last seen: where it ran, its last judged remote share. */
		fputs(",\"threads\":[", m->events);
		for (size_t k = 0; k < m->n + m->ndeparted; k++) {
			struct mdeparted d;
			report_thread(m, k, &d);
			fprintf(m->events, "%s{\"tid\":%d,\"comm\":", k ? "," : "", (int)d.tid);
			json_string(m->events, d.comm);
			if (d.node >= 0)
				fprintf(m->events, ",\"node\":%d", d.node);
			else
				fputs(",\"node\":null", m->events);
			if (d.cpu >= 0)
				fprintf(m->events, ",\"cpu\":%d", d.cpu);
			else
				fputs(",\"cpu\":null", m->events);
			if (d.remote_valid)
				fprintf(m->events, ",\"remote\":%.3f", d.remote);
			else
				fputs(",\"remote\":null", m->events);
			fprintf(m->events, ",\"moves\":%u,\"frozen\":%s", d.moves, d.frozen ? "true" : "false");
			if (d.owner == OWNER_PROGRAM)
				fputs(",\"pinned_by\":\"program\"", m->events);
			else
				fprintf(m->events, ",\"pinned_by\":%s", d.cpu >= 0 ? "\"numarun\"" : "null");
			fputc('}', m->events);
		}
		fputc(']', m->events);
		ev_end(m);
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
	owner_log_free(&m->olog);
	hwloc_bitmap_free(m->launch_mask);
	hwloc_bitmap_free(m->mask);
	if (m->own_events && m->events)
		fclose(m->events);
	else if (m->events)
		fflush(m->events);
	if (m->sampling)
		source_free(&m->src);
	for (size_t r = 0; m->rule_sets && r < m->p->nrules; r++)
		hwloc_bitmap_free(m->rule_sets[r]);
	free(m->rule_sets);
	free(m->th);
	free(m->bt);
	free(m->slot_node);
	free(m->slot_load);
	free(m->free_slots);
	free(m->node_slots);
	free(m->mem_ok);
	free(m->best_in);
	free(m->cpu_node);
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
