/* doctor.c - numarun doctor: two snapshots of a process's counters (cgroup cpu.stat of its cgroup and
 * ancestors, per-thread io and status, numa_maps) around a window, and findings from their deltas. The
 * observed process is only read: no affinity, no migration, no signal (but for a command doctor launched
 * itself, which it ends after the window). */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "clock.h"
#include "doctor.h"
#include "events.h"
#include "launch.h"
#include "log.h"
#include "procfs.h"
#include "runtime.h"
#include "source.h"

/* ---- pure parts ---- */

const char *doctor_severity_name(enum doctor_severity s)
{
	return s == DOCTOR_PROBLEM ? "problem" : s == DOCTOR_WARNING ? "warning" : "info";
}

static const char *const id_order[] = {"throttling", "gomaxprocs", "fd_limit", "syscalls", "cgo",
				       "numa_remote", "numa_balancing", "thp"};

int doctor_id_rank(const char *id)
{
	for (size_t i = 0; i < sizeof(id_order) / sizeof(id_order[0]); i++)
		if (strcmp(id, id_order[i]) == 0)
			return (int)i;
	return (int)(sizeof(id_order) / sizeof(id_order[0]));
}

static int before(const struct doctor_finding *a, const struct doctor_finding *b)
{
	if (a->severity != b->severity)
		return a->severity > b->severity;
	return doctor_id_rank(a->id) < doctor_id_rank(b->id);
}

void doctor_sort(struct doctor_report *r)
{
	/* insertion sort: stable, and there are a handful */
	for (size_t i = 1; i < r->nf; i++) {
		struct doctor_finding tmp = r->f[i];
		size_t j = i;
		while (j > 0 && before(&tmp, &r->f[j - 1])) {
			r->f[j] = r->f[j - 1];
			j--;
		}
		r->f[j] = tmp;
	}
}

int doctor_classify_throttling(long long periods, long long throttled)
{
	if (throttled <= 0 || periods <= 0)
		return -1;
	double share = (double)throttled / (double)periods;
	if (share >= DOCTOR_THROTTLE_PROBLEM)
		return DOCTOR_PROBLEM;
	if (share >= DOCTOR_THROTTLE_WARNING)
		return DOCTOR_WARNING;
	return DOCTOR_INFO;
}

int doctor_classify_fds(long open_fds, long long limit)
{
	if (limit <= 0 || open_fds < 0)
		return -1;
	double share = (double)open_fds / (double)limit;
	if (share >= DOCTOR_FD_PROBLEM)
		return DOCTOR_PROBLEM;
	if (share >= DOCTOR_FD_WARNING)
		return DOCTOR_WARNING;
	return -1;
}

int doctor_classify_syscalls(double calls_per_s, double bytes_per_call)
{
	if (!(calls_per_s >= DOCTOR_SYSCALL_RATE) || !(bytes_per_call < DOCTOR_SYSCALL_SMALL))
		return -1;
	return calls_per_s >= DOCTOR_SYSCALL_RATE_PROBLEM ? DOCTOR_PROBLEM : DOCTOR_WARNING;
}

int doctor_classify_gomaxprocs(long value, long usable, int managed)
{
	if (value <= 0 || usable <= 0)
		return -1;
	/* The runtime's own rule floors its quota term at 2: not a mistake of the user's. */
	if (value > usable && !(managed && value <= 2))
		return DOCTOR_PROBLEM;
	if (value < usable)
		return managed ? DOCTOR_INFO : DOCTOR_WARNING;
	return managed ? DOCTOR_INFO : -1;
}

int doctor_classify_remote(double remote)
{
	if (!(remote >= DOCTOR_REMOTE_WARNING))
		return -1;
	return remote >= DOCTOR_REMOTE_PROBLEM ? DOCTOR_PROBLEM : DOCTOR_WARNING;
}

/* A limit's word: a number, or "unlimited" (-1). 0 or -1. */
static int limit_word(const char *w, long long *v)
{
	if (strcmp(w, "unlimited") == 0) {
		*v = -1;
		return 0;
	}
	char *end;
	errno = 0;
	long long x = strtoll(w, &end, 10);
	if (end == w || *end || errno || x < 0)
		return -1;
	*v = x;
	return 0;
}

int doctor_parse_limits_nofile(const char *text, long long *soft, long long *hard)
{
	for (const char *line = text; line && *line;) {
		if (strncmp(line, "Max open files", 14) == 0) {
			char a[32], b[32];
			if (sscanf(line + 14, "%31s %31s", a, b) == 2 && limit_word(a, soft) == 0 &&
			    limit_word(b, hard) == 0)
				return 0;
			return -1;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}


int doctor_parse_task_io(const char *text, struct doctor_task_io *io)
{
	memset(io, 0, sizeof(*io));
	return procfs_field_ull(text, "rchar", &io->rchar) == 0 && procfs_field_ull(text, "wchar", &io->wchar) == 0 &&
			       procfs_field_ull(text, "syscr", &io->syscr) == 0 && procfs_field_ull(text, "syscw", &io->syscw) == 0
		       ? 0
		       : -1;
}

int doctor_parse_status(const char *text, struct doctor_status *st)
{
	unsigned long long v;
	memset(st, 0, sizeof(*st));
	st->tgid = -1;
	st->threads = st->vcs = st->nvcs = -1;
	st->thp_enabled = -1;
	if (!procfs_field(text, "Name") || !procfs_field(text, "Pid"))
		return -1;
	if (procfs_field_ull(text, "Tgid", &v) == 0)
		st->tgid = (pid_t)v;
	if (procfs_field_ull(text, "Threads", &v) == 0)
		st->threads = (long)v;
	if (procfs_field_ull(text, "voluntary_ctxt_switches", &v) == 0)
		st->vcs = (long long)v;
	if (procfs_field_ull(text, "nonvoluntary_ctxt_switches", &v) == 0)
		st->nvcs = (long long)v;
	if (procfs_field_ull(text, "THP_enabled", &v) == 0)
		st->thp_enabled = v ? 1 : 0;
	procfs_field_str(text, "Cpus_allowed_list", st->cpus_allowed, sizeof(st->cpus_allowed));
	return 0;
}

/* ceil() of a positive count of CPUs, without libm (numarun loads no libm at run time) */
static long ceil_long(double x)
{
	long n = (long)x;
	return (double)n < x ? n + 1 : n;
}

long doctor_cpulist_count(const char *list)
{
	long count = 0;
	const char *p = list;
	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return 0;
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -1;
		long a = strtol(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				return -1;
			b = strtol(p + 1, &end, 10);
			p = end;
		}
		if (b < a || b - a > 1L << 24)
			return -1;
		count += b - a + 1;
		if (*p == ',') {
			p++;
			continue;
		}
		return *p == '\0' || *p == '\n' ? count : -1;
	}
}

int doctor_parse_syscall(const char *text, long *nr, unsigned long long *sp, unsigned long long *pc)
{
	if (strncmp(text, "running", 7) == 0)
		return 2;
	char w[9][32];
	int n = sscanf(text, "%31s %31s %31s %31s %31s %31s %31s %31s %31s", w[0], w[1], w[2], w[3], w[4], w[5],
		       w[6], w[7], w[8]);
	if (n < 1)
		return -1;
	char *end;
	long x = strtol(w[0], &end, 10);
	if (end == w[0] || *end)
		return -1;
	/* "NR ARG1..ARG6 SP PC" (9 words), or "-1 SP PC" outside a system call */
	if ((x < 0 && n != 3) || (x >= 0 && n != 9))
		return -1;
	unsigned long long s = strtoull(w[n - 2], &end, 0);
	if (*end)
		return -1;
	unsigned long long c = strtoull(w[n - 1], &end, 0);
	if (*end)
		return -1;
	*nr = x;
	*sp = s;
	*pc = c;
	return x >= 0 ? 1 : 0;
}

void doctor_sysfs_choice(const char *text, char *out, size_t len)
{
	out[0] = '\0';
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;
	if (!a || !b)
		return;
	size_t n = (size_t)(b - a - 1);
	if (n >= len)
		n = len - 1;
	memcpy(out, a + 1, n);
	out[n] = '\0';
}

struct doctor_finding *doctor_add(struct doctor_report *r, const char *id, enum doctor_severity sev, const char *fmt, ...)
{
	if (r->nf >= DOCTOR_MAX_FINDINGS)
		return NULL;
	struct doctor_finding *f = &r->f[r->nf++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = sev;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	return f;
}

static struct doctor_evidence *ev_new(struct doctor_finding *f, const char *key, const char *source)
{
	if (!f || f->nev >= DOCTOR_MAX_EVIDENCE)
		return NULL;
	struct doctor_evidence *e = &f->ev[f->nev++];
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->source, sizeof(e->source), "%s", source ? source : "");
	return e;
}

void doctor_ev_num(struct doctor_finding *f, const char *key, double v, int decimals, const char *unit, const char *source)
{
	struct doctor_evidence *e = ev_new(f, key, source);
	if (!e)
		return;
	e->is_num = 1;
	e->num = v;
	e->decimals = decimals;
	snprintf(e->unit, sizeof(e->unit), "%s", unit ? unit : "");
}

void doctor_ev_str(struct doctor_finding *f, const char *key, const char *v, const char *source)
{
	struct doctor_evidence *e = ev_new(f, key, source);
	if (!e)
		return;
	size_t n = strlen(v);
	if (n >= sizeof(e->str))
		n = sizeof(e->str) - 1;
	memcpy(e->str, v, n);
	e->str[n] = '\0';
}

void doctor_note(struct doctor_report *r, const char *fmt, ...)
{
	if (r->nnotes >= DOCTOR_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

int doctor_exit_status(const struct doctor_report *r)
{
	for (size_t i = 0; i < r->nf; i++)
		if (r->f[i].severity == DOCTOR_PROBLEM)
			return EXIT_DOCTOR_PROBLEM;
	return 0;
}

static void describe_end(const struct doctor_report *r, char *buf, size_t len)
{
	buf[0] = '\0';
	if (r->exited) {
		if (WIFEXITED(r->status))
			snprintf(buf, len, "; it exited with status %d after %.1fs", WEXITSTATUS(r->status), r->observed);
		else if (WIFSIGNALED(r->status))
			snprintf(buf, len, "; it was killed by signal %d after %.1fs", WTERMSIG(r->status), r->observed);
	} else if (r->ended) {
		snprintf(buf, len, "; doctor then ended it (%s)", r->ended == SIGKILL ? "SIGKILL after the grace" : "SIGTERM");
	}
}

void doctor_print_text(FILE *f, const struct doctor_report *r, int verbosity)
{
	size_t counts[3] = {0, 0, 0};
	for (size_t i = 0; i < r->nf; i++)
		counts[r->f[i].severity]++;
	char end[128];
	describe_end(r, end, sizeof(end));
	if (verbosity > 0) {
		fprintf(f, "numarun doctor: process %d (%s), observed for %.1fs%s\n", (int)r->pid, r->comm, r->observed, end);
		fprintf(f, "%zu problem%s, %zu warning%s, %zu info\n", counts[DOCTOR_PROBLEM],
			counts[DOCTOR_PROBLEM] == 1 ? "" : "s", counts[DOCTOR_WARNING], counts[DOCTOR_WARNING] == 1 ? "" : "s",
			counts[DOCTOR_INFO]);
	}
	for (size_t i = 0; i < r->nf; i++) {
		const struct doctor_finding *x = &r->f[i];
		if (verbosity > 0)
			fputc('\n', f);
		fprintf(f, "%-7s %s: %s\n", doctor_severity_name(x->severity), x->id, x->summary);
		if (verbosity <= 0)
			continue;
		for (size_t k = 0; k < x->nev; k++) {
			const struct doctor_evidence *e = &x->ev[k];
			char val[600];
			if (e->is_num)
				snprintf(val, sizeof(val), "%.*f%s%s", e->decimals, e->num,
					 e->unit[0] && strcmp(e->unit, "%") != 0 ? " " : "", e->unit);
			else
				snprintf(val, sizeof(val), "%s", e->str);
			fprintf(f, "        %-22s %s%s%s%s\n", e->key, val, e->source[0] ? "  (" : "", e->source,
				e->source[0] ? ")" : "");
		}
		if (x->fix[0])
			fprintf(f, "        fix: %s\n", x->fix);
	}
	if (verbosity >= 2 && r->nnotes) {
		fprintf(f, "\nnot checked, or checked with less:\n");
		for (size_t i = 0; i < r->nnotes; i++)
			fprintf(f, "  - %s\n", r->notes[i]);
	}
}

void doctor_print_json(FILE *f, const struct doctor_report *r)
{
	fprintf(f, "{\"pid\":%d,\"command\":", (int)r->pid);
	json_string(f, r->comm);
	fputs(",\"duration\":", f);
	json_number(f, r->duration, 3);
	fputs(",\"observed\":", f);
	json_number(f, r->observed, 3);
	fprintf(f, ",\"launched\":%s,\"exited\":%s", r->launched ? "true" : "false", r->exited ? "true" : "false");
	fputs(",\"exit_status\":", f);
	if (r->exited && WIFEXITED(r->status))
		fprintf(f, "%d", WEXITSTATUS(r->status));
	else
		fputs("null", f);
	fputs(",\"ended_by\":", f);
	if (r->ended)
		json_string(f, r->ended == SIGKILL ? "SIGKILL" : "SIGTERM");
	else
		fputs("null", f);
	fputs(",\"findings\":[", f);
	for (size_t i = 0; i < r->nf; i++) {
		const struct doctor_finding *x = &r->f[i];
		fputs(i ? ",{\"id\":" : "{\"id\":", f);
		json_string(f, x->id);
		fputs(",\"severity\":", f);
		json_string(f, doctor_severity_name(x->severity));
		fputs(",\"summary\":", f);
		json_string(f, x->summary);
		fputs(",\"evidence\":{", f);
		for (size_t k = 0; k < x->nev; k++) {
			const struct doctor_evidence *e = &x->ev[k];
			if (k)
				fputc(',', f);
			json_string(f, e->key);
			fputs(":{\"value\":", f);
			if (e->is_num)
				json_number(f, e->num, e->decimals);
			else
				json_string(f, e->str);
			if (e->unit[0]) {
				fputs(",\"unit\":", f);
				json_string(f, e->unit);
			}
			fputs(",\"source\":", f);
			json_string(f, e->source);
			fputc('}', f);
		}
		fputs("},\"fix\":", f);
		if (x->fix[0])
			json_string(f, x->fix);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputs("],\"notes\":[", f);
	for (size_t i = 0; i < r->nnotes; i++) {
		if (i)
			fputc(',', f);
		json_string(f, r->notes[i]);
	}
	fputs("]}\n", f);
}

/* ---- observing ---- */

#define MAX_LEVELS 32

struct thr {
	pid_t tid;
	char comm[64];
	int have_io;
	struct doctor_task_io io;
	long long vcs, nvcs;
	unsigned long long ticks; /* utime + stime */
	int processor;
};

struct snap {
	double t;
	int cs_ok[MAX_LEVELS];
	struct cgroup_cpu_stat cs[MAX_LEVELS];
	struct thr *thr;
	size_t nthr;
	int io_denied;            /* a task's io could not be read for want of rights */
	int tasks_ok;
};

struct ctx {
	pid_t pid;
	struct doctor_report *r;
	struct cgroup_level lv[MAX_LEVELS];
	char lv_stat[MAX_LEVELS][PATH_MAX];
	size_t nlv;
	struct snap s0, s1;
	struct doctor_status st;  /* at the end (else the start) */
	struct target_info ti;
	int ti_ok;
	char *environ_text;       /* NUL-separated, NULL when unreadable */
	long environ_len;
	long gomaxprocs;          /* what the Go runtime uses, 0 when not Go or unknown */
	char gomaxprocs_src[160];
	double limit_cpus;        /* tightest quota over the cgroup and its ancestors, 0 none */
	char limit_src[512];
	double leaf_cpus;
	char leaf_src[512];
	/* numa_remote: the nodes, and the best remote-share source (source.c) started before the window */
	int nodes;
	int *cpu_node, ncpu;
	unsigned maxnode;
	int src_ok;
	struct source src;
	pid_t *src_tid;           /* the threads of the first snapshot, with their source state */
	struct source_thread *src_thr;
	size_t nsrc;
};

static void proc_path(char *buf, size_t len, pid_t pid, const char *what)
{
	snprintf(buf, len, "/proc/%d/%s", (int)pid, what);
}

static void take(struct ctx *c, struct snap *s)
{
	char path[PATH_MAX], buf[4096];
	memset(s, 0, sizeof(*s));
	s->t = clock_seconds(CLOCK_MONOTONIC);
	for (size_t i = 0; i < c->nlv; i++)
		s->cs_ok[i] = cgroup_read_cpu_stat(&c->lv[i], &s->cs[i], c->lv_stat[i], sizeof(c->lv_stat[i])) == 0;
	pid_t *tids = NULL;
	long n = procfs_list_tasks(c->pid, &tids);
	if (n < 0)
		return;
	s->tasks_ok = 1;
	s->thr = calloc((size_t)n + 1, sizeof(*s->thr));
	for (long i = 0; i < n && s->thr; i++) {
		struct thr *t = &s->thr[s->nthr];
		t->tid = tids[i];
		t->processor = -1;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)c->pid, (int)tids[i]);
		struct task_stat ts;
		if (procfs_read(path, buf, sizeof(buf)) < 0 || procfs_parse_stat(buf, &ts) < 0)
			continue; /* gone */
		snprintf(t->comm, sizeof(t->comm), "%s", ts.comm);
		t->ticks = ts.utime + ts.stime;
		t->processor = ts.processor;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/io", (int)c->pid, (int)tids[i]);
		long e = procfs_read(path, buf, sizeof(buf));
		if (e >= 0 && doctor_parse_task_io(buf, &t->io) == 0)
			t->have_io = 1;
		else if (e == -EACCES || e == -EPERM)
			s->io_denied = 1;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)c->pid, (int)tids[i]);
		struct doctor_status ts2;
		t->vcs = t->nvcs = -1;
		if (procfs_read(path, buf, sizeof(buf)) >= 0 && doctor_parse_status(buf, &ts2) == 0) {
			t->vcs = ts2.vcs;
			t->nvcs = ts2.nvcs;
		}
		s->nthr++;
	}
	free(tids);
}

static const struct thr *find_thr(const struct snap *s, pid_t tid)
{
	for (size_t i = 0; i < s->nthr; i++)
		if (s->thr[i].tid == tid)
			return &s->thr[i];
	return NULL;
}

static double window(const struct ctx *c)
{
	double w = c->s1.t - c->s0.t;
	return w > 0 ? w : 1e-9;
}

/* The environment variable name of environ text (NUL-separated), or NULL. */
static const char *env_get(const struct ctx *c, const char *name)
{
	if (!c->environ_text)
		return NULL;
	size_t n = strlen(name);
	for (long off = 0; off < c->environ_len;) {
		const char *e = c->environ_text + off;
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return e + n + 1;
		off += (long)strlen(e) + 1;
	}
	return NULL;
}

static void fmt_cpus(char *buf, size_t len, double cpus)
{
	snprintf(buf, len, "%.2f CPU%s", cpus, cpus == 1.0 ? "" : "s");
}

static void check_throttling(struct ctx *c)
{
	int best = -1;
	double best_share = -1;
	for (size_t i = 0; i < c->nlv; i++) {
		if (!c->s0.cs_ok[i] || !c->s1.cs_ok[i])
			continue;
		long long dp = c->s1.cs[i].nr_periods - c->s0.cs[i].nr_periods;
		long long dt = c->s1.cs[i].nr_throttled - c->s0.cs[i].nr_throttled;
		if (dt <= 0 || dp <= 0)
			continue;
		double share = (double)dt / (double)dp;
		if (share > best_share) {
			best_share = share;
			best = (int)i;
		}
	}
	if (best < 0)
		return;
	const struct cgroup_cpu_stat *a = &c->s0.cs[best], *b = &c->s1.cs[best];
	long long dp = b->nr_periods - a->nr_periods, dt = b->nr_throttled - a->nr_throttled;
	double tus = a->throttled_usec >= 0 && b->throttled_usec >= 0 ? (double)(b->throttled_usec - a->throttled_usec) : -1;
	int sev = doctor_classify_throttling(dp, dt);
	long long quota = -1, period = 0;
	char qsrc[PATH_MAX] = "", cpus[64] = "";
	cgroup_level_quota(&c->lv[best], &quota, &period, qsrc, sizeof(qsrc));
	if (quota > 0)
		fmt_cpus(cpus, sizeof(cpus), (double)quota / (double)period);
	int leaf = best == 0 || (c->lv[best].v2 && !c->lv[best - 1].v2);
	const char *where = leaf ? "its own cgroup" : "an ancestor of its cgroup";
	struct doctor_finding *f = doctor_add(
		c->r, "throttling", (enum doctor_severity)sev,
		"the CPU quota of %s%s%s%s throttled the process in %lld of %lld periods (%.0f%%) over %.1fs", where,
		quota > 0 ? " (" : "", quota > 0 ? cpus : "", quota > 0 ? ")" : "", dt, dp, 100.0 * (double)dt / (double)dp, window(c));
	if (!f)
		return;
	doctor_ev_num(f, "nr_throttled", (double)dt, 0, "periods", c->lv_stat[best]);
	doctor_ev_num(f, "nr_periods", (double)dp, 0, "periods", c->lv_stat[best]);
	doctor_ev_num(f, "throttled_share", 100.0 * (double)dt / (double)dp, 1, "%", "nr_throttled / nr_periods");
	if (tus >= 0)
		doctor_ev_num(f, "throttled_time", tus / 1e6, 3, "s", c->lv_stat[best]);
	if (quota > 0) {
		doctor_ev_num(f, "quota", (double)quota, 0, "us", qsrc);
		char psrc[PATH_MAX + 32];
		snprintf(psrc, sizeof(psrc), "%s", qsrc);
		char *q_at = strstr(psrc, "cpu.cfs_quota_us");
		if (q_at)
			memcpy(q_at, "cpu.cfs_period_us", sizeof("cpu.cfs_period_us"));
		doctor_ev_num(f, "period", (double)period, 0, "us", psrc);
		doctor_ev_num(f, "quota_cpus", (double)quota / (double)period, 2, "CPUs", "quota / period");
	}
	double hz = (double)sysconf(_SC_CLK_TCK), used = 0;
	for (size_t i = 0; i < c->s1.nthr; i++) {
		const struct thr *tb = &c->s1.thr[i], *ta = find_thr(&c->s0, tb->tid);
		if (ta && tb->ticks >= ta->ticks)
			used += (double)(tb->ticks - ta->ticks) / hz;
	}
	char tsrc[96];
	snprintf(tsrc, sizeof(tsrc), "/proc/%d/task/*/stat (utime + stime over the window)", (int)c->pid);
	doctor_ev_num(f, "cpu_used", used / window(c), 2, "CPUs", tsrc);
	/* the other levels that throttled too, named: also_throttled, also_throttled_2... (keys stay unique) */
	unsigned also = 0;
	for (size_t i = 0; i < c->nlv; i++) {
		if ((int)i == best || !c->s0.cs_ok[i] || !c->s1.cs_ok[i])
			continue;
		long long odt = c->s1.cs[i].nr_throttled - c->s0.cs[i].nr_throttled;
		long long odp = c->s1.cs[i].nr_periods - c->s0.cs[i].nr_periods;
		if (odt > 0 && odp > 0) {
			char v[96];
			snprintf(v, sizeof(v), "%lld of %lld periods", odt, odp);
			char key[32];
			if (also++)
				snprintf(key, sizeof(key), "also_throttled_%u", also);
			else
				snprintf(key, sizeof(key), "also_throttled");
			doctor_ev_str(f, key, v, c->lv_stat[i]);
		}
	}
	char path[64];
	proc_path(path, sizeof(path), c->pid, "status");
	if (c->st.cpus_allowed[0]) {
		doctor_ev_str(f, "cpus_allowed", c->st.cpus_allowed, path);
		doctor_ev_num(f, "cpus_allowed_count", (double)doctor_cpulist_count(c->st.cpus_allowed), 0, "CPUs", path);
	}
	if (c->st.threads >= 0)
		doctor_ev_num(f, "threads", (double)c->st.threads, 0, "", path);
	if (c->gomaxprocs > 0)
		doctor_ev_num(f, "gomaxprocs", (double)c->gomaxprocs, 0, "", c->gomaxprocs_src);
	long q = quota > 0 && period > 0 ? (long)((quota + period - 1) / period) : 0;
	if (q < 1)
		q = 1;
	/* a concrete raise: the quota of all its allowed CPUs, the most it could use */
	long allowed = c->st.cpus_allowed[0] ? doctor_cpulist_count(c->st.cpus_allowed) : 0;
	char raise[PATH_MAX + 96] = "";
	if (quota > 0 && allowed > 0 && (double)allowed * (double)period > (double)quota) {
		if (c->lv[best].v2)
			snprintf(raise, sizeof(raise), "; for its %ld allowed CPUs: echo \"%lld %lld\" > %s", allowed,
				 (long long)allowed * period, period, qsrc);
		else
			snprintf(raise, sizeof(raise), "; for its %ld allowed CPUs: echo %lld > %s", allowed,
				 (long long)allowed * period, qsrc);
	}
	if (quota > 0 && c->gomaxprocs > 0)
		snprintf(f->fix, sizeof(f->fix),
			 "raise the quota in %s (now %lld per %lld us period = %s%s), or lower the parallelism to the "
			 "quota: numarun --gomaxprocs=%ld -- COMMAND ([runtime] gomaxprocs = %ld; gomaxprocs = auto follows "
			 "the leaf cgroup's quota)", qsrc, quota, period, cpus, raise, q, q);
	else if (quota > 0)
		snprintf(f->fix, sizeof(f->fix),
			 "raise the quota in %s (now %lld per %lld us period = %s%s), or run fewer busy threads (at most "
			 "%ld at a time)", qsrc, quota, period, cpus, raise, q);
	else
		snprintf(f->fix, sizeof(f->fix), "raise the CPU quota of the cgroup whose cpu.stat shows it (%s)",
			 c->lv_stat[best]);
}

static void check_gomaxprocs(struct ctx *c)
{
	if (!c->ti_ok || !c->ti.is_go)
		return;
	char envp[64], statp[64];
	proc_path(envp, sizeof(envp), c->pid, "environ");
	proc_path(statp, sizeof(statp), c->pid, "status");
	long ncpus = c->st.cpus_allowed[0] ? doctor_cpulist_count(c->st.cpus_allowed) : -1;
	if (ncpus <= 0) {
		doctor_note(c->r, "gomaxprocs: the CPUs the process may use could not be read from %s", statp);
		return;
	}
	const char *env = env_get(c, "GOMAXPROCS"), *godebug = env_get(c, "GODEBUG");
	struct runtime_gomaxprocs g;
	long value = runtime_go_gomaxprocs(&c->ti, env, godebug, ncpus, c->leaf_cpus, &g);
	long usable = ncpus;
	long limit = c->limit_cpus > 0 ? ceil_long(c->limit_cpus) : 0;
	if (limit > 0 && limit < usable)
		usable = limit;
	int sev = doctor_classify_gomaxprocs(value, usable, g.managed);
	if (sev < 0)
		return;
	const char *ver = c->ti.go_version[0] ? c->ti.go_version : "Go (version unknown)";
	struct doctor_finding *f;
	if (sev == DOCTOR_INFO)
		f = doctor_add(c->r, "gomaxprocs", DOCTOR_INFO,
			       "the %s runtime sizes GOMAXPROCS itself (%ld now, from its %ld CPUs and %s)%s", ver, value,
			       ncpus, c->leaf_cpus > 0 ? "the leaf cgroup's quota" : "no cgroup quota",
			       g.updates ? " and updates it as they change" : ", at startup only");
	else
		f = doctor_add(c->r, "gomaxprocs", (enum doctor_severity)sev,
			       "GOMAXPROCS is %ld, %s the %ld CPU%s the process may use%s", value,
			       value > usable ? "above" : "below", usable, usable == 1 ? "" : "s",
			       value > usable ? ": more runnable threads than CPUs, they take turns (and a quota throttles them)"
					      : ": CPUs left idle");
	if (!f)
		return;
	doctor_ev_num(f, "gomaxprocs", (double)value, 0, "", env && g.from_env ? envp :
			  g.managed ? "Go's rule: min(CPUs, ceil(leaf quota)), that term at least 2" :
			  "the runtime's default: the CPUs of its affinity at startup");
	char bsrc[64];
	snprintf(bsrc, sizeof(bsrc), "build info of /proc/%d/exe", (int)c->pid);
	doctor_ev_str(f, "go_version", ver, bsrc);
	if (env)
		doctor_ev_str(f, "env_GOMAXPROCS", env, envp);
	else if (!c->environ_text)
		doctor_ev_str(f, "env_GOMAXPROCS", "unknown (environ unreadable)", envp);
	if (godebug)
		doctor_ev_str(f, "env_GODEBUG", godebug, envp);
	if (c->ti.default_godebug[0])
		doctor_ev_str(f, "DefaultGODEBUG", c->ti.default_godebug, bsrc);
	if (g.why[0])
		doctor_ev_str(f, "runtime", g.why, "build info and environment");
	doctor_ev_str(f, "cpus_allowed", c->st.cpus_allowed, statp);
	doctor_ev_num(f, "cpus_allowed_count", (double)ncpus, 0, "CPUs", statp);
	if (c->limit_cpus > 0)
		doctor_ev_num(f, "quota_cpus", c->limit_cpus, 2, "CPUs", c->limit_src);
	if (c->leaf_cpus > 0 && strcmp(c->leaf_src, c->limit_src) != 0)
		doctor_ev_num(f, "leaf_quota_cpus", c->leaf_cpus, 2, "CPUs", c->leaf_src);
	doctor_ev_num(f, "usable_cpus", (double)usable, 0, "CPUs", "min(cpus_allowed_count, ceil(quota_cpus))");
	if (sev != DOCTOR_INFO)
		snprintf(f->fix, sizeof(f->fix),
			 "numarun --gomaxprocs=%ld -- COMMAND, or leave it to numarun: [runtime] gomaxprocs = auto "
			 "(with %s unset in the service's environment)%s", usable, "GOMAXPROCS",
			 g.from_env ? "; it is set now, and the environment's value wins over the runtime's rule" : "");
}

static void check_fds(struct ctx *c)
{
	char path[64], lpath[64], buf[8192];
	proc_path(path, sizeof(path), c->pid, "fd");
	proc_path(lpath, sizeof(lpath), c->pid, "limits");
	DIR *d = opendir(path);
	if (!d) {
		doctor_note(c->r, "fd_limit: %s: %s (reading it needs the rights to ptrace-read the process)", path,
			    strerror(errno));
		return;
	}
	long n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	long long soft, hard;
	if (procfs_read(lpath, buf, sizeof(buf)) < 0 || doctor_parse_limits_nofile(buf, &soft, &hard) < 0) {
		doctor_note(c->r, "fd_limit: no \"Max open files\" in %s", lpath);
		return;
	}
	/* Go (1.19 on) raises its soft limit to the hard one at startup: the hard one is what counts. */
	int go_raises = c->ti_ok && c->ti.is_go && (c->ti.go_major > 1 || (c->ti.go_major == 1 && c->ti.go_minor >= 19));
	long long limit = go_raises ? hard : soft;
	int sev = doctor_classify_fds(n, limit);
	if (sev < 0)
		return;
	struct doctor_finding *f = doctor_add(c->r, "fd_limit", (enum doctor_severity)sev,
					      "%ld descriptors open of a limit of %lld (%.0f%%): opening more fails with EMFILE",
					      n, limit, 100.0 * (double)n / (double)limit);
	if (!f)
		return;
	doctor_ev_num(f, "open_fds", (double)n, 0, "", path);
	doctor_ev_num(f, "soft_limit", (double)soft, 0, "", lpath);
	doctor_ev_num(f, "hard_limit", (double)hard, 0, "", lpath);
	doctor_ev_str(f, "limit_used", go_raises ? "hard (the Go runtime raises its soft limit to it)" : "soft", "");
	doctor_ev_num(f, "share", 100.0 * (double)n / (double)limit, 1, "%", "open_fds / limit_used");
	long long want = limit * 4 > 1048576 ? limit * 4 : 1048576;
	if (!go_raises && (hard < 0 || soft < hard))
		snprintf(f->fix, sizeof(f->fix),
			 "raise the soft limit to the hard one (%lld): prlimit --pid %d --nofile=%lld:%lld now, and ulimit -n "
			 "%lld (or LimitNOFILE= in its systemd unit) where it is started; or find the descriptors it leaks",
			 hard, (int)c->pid, hard, hard, hard);
	else
		snprintf(f->fix, sizeof(f->fix),
			 "raise the hard limit where it is started (LimitNOFILE=%lld in its systemd unit, ulimit -Hn as "
			 "root, or prlimit --pid %d --nofile=%lld:%lld as root now); or find the descriptors it leaks",
			 want, (int)c->pid, want, want);
}

struct sys_row {
	const struct thr *t;
	double rate, bpc, vcs_rate, nvcs_rate;
	long long calls;
	double bytes;
	int sev;
};

static void check_syscalls(struct ctx *c)
{
	struct sys_row rows[8];
	size_t nrows = 0, nflag = 0;
	int worst = -1;
	double w = window(c);
	for (size_t i = 0; i < c->s1.nthr; i++) {
		const struct thr *b = &c->s1.thr[i], *a = find_thr(&c->s0, b->tid);
		/* counters that went back: the TID was reused by another thread within the window */
		if (!a || !a->have_io || !b->have_io || b->io.syscr < a->io.syscr || b->io.syscw < a->io.syscw ||
		    b->io.rchar < a->io.rchar || b->io.wchar < a->io.wchar)
			continue;
		long long calls = (long long)((b->io.syscr - a->io.syscr) + (b->io.syscw - a->io.syscw));
		double bytes = (double)((b->io.rchar - a->io.rchar) + (b->io.wchar - a->io.wchar));
		if (calls <= 0)
			continue;
		double rate = (double)calls / w, bpc = bytes / (double)calls;
		int sev = doctor_classify_syscalls(rate, bpc);
		if (sev < 0)
			continue;
		nflag++;
		if (sev > worst)
			worst = sev;
		struct sys_row row = {b, rate, bpc, -1, -1, calls, bytes, sev};
		if (a->vcs >= 0 && b->vcs >= 0 && a->nvcs >= 0 && b->nvcs >= 0) {
			row.vcs_rate = (double)(b->vcs - a->vcs) / w;
			row.nvcs_rate = (double)(b->nvcs - a->nvcs) / w;
		}
		/* keep the busiest few, by rate */
		size_t k = nrows < sizeof(rows) / sizeof(rows[0]) ? nrows++ : nrows - 1;
		if (k == nrows - 1 && nrows == sizeof(rows) / sizeof(rows[0]) && rows[k].rate >= rate)
			continue;
		rows[k] = row;
		while (k > 0 && rows[k].rate > rows[k - 1].rate) {
			struct sys_row tmp = rows[k];
			rows[k] = rows[k - 1];
			rows[k - 1] = tmp;
			k--;
		}
	}
	if (!nflag) {
		if (c->s1.io_denied || c->s0.io_denied)
			doctor_note(c->r, "syscalls: /proc/%d/task/*/io could not be read (it needs the rights to ptrace-read "
				    "the process: the same user without a stricter yama ptrace_scope, or CAP_SYS_PTRACE)",
				    (int)c->pid);
		return;
	}
	const struct thr *t = rows[0].t;
	struct doctor_finding *f = doctor_add(
		c->r, "syscalls", (enum doctor_severity)worst,
		"thread %s (%d) makes %.0f read/write calls a second of %.1f bytes each%s", t->comm, (int)t->tid,
		rows[0].rate, rows[0].bpc, nflag > 1 ? " (and other threads small calls too)" : "");
	if (!f)
		return;
	for (size_t i = 0; i < nrows && f->nev + 5 <= DOCTOR_MAX_EVIDENCE; i++) {
		/* the busiest thread's keys plain, the others' numbered from 2 */
		char sfx[16] = "", key[48], src[128], v[160];
		if (i)
			snprintf(sfx, sizeof(sfx), "_%zu", i + 1);
		snprintf(src, sizeof(src), "/proc/%d/task/%d/io", (int)c->pid, (int)rows[i].t->tid);
		snprintf(v, sizeof(v), "%s (%d)", rows[i].t->comm, (int)rows[i].t->tid);
		snprintf(key, sizeof(key), "thread%s", sfx);
		doctor_ev_str(f, key, v, src);
		snprintf(key, sizeof(key), "calls_per_s%s", sfx);
		doctor_ev_num(f, key, rows[i].rate, 0, "calls/s", src);
		snprintf(key, sizeof(key), "bytes_per_call%s", sfx);
		doctor_ev_num(f, key, rows[i].bpc, 1, "bytes", src);
		snprintf(src, sizeof(src), "/proc/%d/task/%d/status", (int)c->pid, (int)rows[i].t->tid);
		if (rows[i].vcs_rate >= 0) {
			snprintf(key, sizeof(key), "voluntary_ctxt_switches_per_s%s", sfx);
			doctor_ev_num(f, key, rows[i].vcs_rate, 0, "/s", src);
			snprintf(key, sizeof(key), "nonvoluntary_ctxt_switches_per_s%s", sfx);
			doctor_ev_num(f, key, rows[i].nvcs_rate, 0, "/s", src);
		}
	}
	snprintf(f->fix, sizeof(f->fix),
		 "batch the I/O: buffer it (stdio, bufio.Writer), gather writes with writev, read in larger blocks "
		 "(syscr/syscw count the read and write families only)");
}

/* CPU -> node from /sys/devices/system/node/node<N>/cpulist. Returns the number of nodes. */
static int read_nodes(int **cpu_node, int *ncpu, unsigned *maxnode)
{
	DIR *d = opendir("/sys/devices/system/node");
	*cpu_node = NULL;
	*ncpu = 0;
	*maxnode = 0;
	if (!d)
		return 0;
	int nodes = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		if (strncmp(de->d_name, "node", 4) != 0 || !isdigit((unsigned char)de->d_name[4]))
			continue;
		long node = strtol(de->d_name + 4, &end, 10);
		if (*end || node < 0 || node > 4095)
			continue;
		nodes++;
		if ((unsigned)node + 1 > *maxnode)
			*maxnode = (unsigned)node + 1;
		char path[PATH_MAX], buf[4096];
		snprintf(path, sizeof(path), "/sys/devices/system/node/%s/cpulist", de->d_name);
		if (procfs_read(path, buf, sizeof(buf)) < 0)
			continue;
		for (const char *p = buf; *p && isdigit((unsigned char)*p);) {
			long a = strtol(p, &end, 10), b = a;
			p = end;
			if (*p == '-') {
				b = strtol(p + 1, &end, 10);
				p = end;
			}
			for (long cpu = a; cpu <= b && cpu < 65536; cpu++) {
				if (cpu >= *ncpu) {
					int nn = (int)cpu + 64;
					int *v = realloc(*cpu_node, (size_t)nn * sizeof(int));
					if (!v)
						break;
					for (int k = *ncpu; k < nn; k++)
						v[k] = -1;
					*cpu_node = v;
					*ncpu = nn;
				}
				(*cpu_node)[cpu] = (int)node;
			}
			if (*p == ',')
				p++;
		}
	}
	closedir(d);
	return nodes;
}

/* Before the window: the nodes, and where there are several the best source of per-thread remote shares
 * (PMU loads counted over the window from here, NUMA hinting faults, or page placement). */
static void numa_start(struct ctx *c)
{
	c->nodes = read_nodes(&c->cpu_node, &c->ncpu, &c->maxnode);
	if (c->nodes <= 1)
		return;
	char cause[512];
	if (source_choose(&c->src, SOURCE_AUTO, c->maxnode, cause, sizeof(cause)) < 0) {
		doctor_note(c->r, "numa_remote: %s", cause);
		source_free(&c->src);
		return;
	}
	c->src_ok = 1;
	if (c->src.kind != SOURCE_PMU)
		return;
	pid_t *tids = NULL;
	long n = procfs_list_tasks(c->pid, &tids);
	if (n <= 0) {
		free(tids);
		return;
	}
	c->src_tid = tids;
	c->src_thr = calloc((size_t)n, sizeof(*c->src_thr));
	if (!c->src_thr)
		return;
	c->nsrc = (size_t)n;
	for (size_t i = 0; i < c->nsrc; i++) {
		struct thread_sample ts;
		source_thread_init(&c->src_thr[i]);
		source_sample_thread(&c->src, c->pid, tids[i], 0, &c->src_thr[i], &ts); /* the counters' start */
	}
}

static void numa_finish(struct ctx *c)
{
	for (size_t i = 0; i < c->nsrc; i++)
		source_thread_close(&c->src_thr[i]);
	free(c->src_thr);
	free(c->src_tid);
	if (c->src_ok)
		source_free(&c->src);
	free(c->cpu_node);
}

/* A thread's remote share from the source chosen, when it has enough events to judge by: 1, else 0. */
static int thread_remote(struct ctx *c, pid_t tid, int node, double *remote)
{
	if (!c->src_ok || c->src.kind == SOURCE_PAGES)
		return 0;
	struct source_thread none, *st = &none;
	source_thread_init(&none);
	if (c->src.kind == SOURCE_PMU) {
		st = NULL;
		for (size_t i = 0; i < c->nsrc; i++)
			if (c->src_tid[i] == tid)
				st = &c->src_thr[i];
		if (!st || st->fd[0] < 0)
			return 0; /* started during the window, or no counters */
	}
	struct thread_sample ts;
	if (source_sample_thread(&c->src, c->pid, tid, node, st, &ts) < 0 || !ts.valid)
		return 0;
	*remote = ts.remote;
	return 1;
}

static void check_numa(struct ctx *c)
{
	int *cpu_node = c->cpu_node, ncpu = c->ncpu;
	unsigned maxnode = c->maxnode;
	int nodes = c->nodes;
	char nm[64];
	proc_path(nm, sizeof(nm), c->pid, "numa_maps");
	if (nodes <= 1) {
		struct doctor_finding *f = doctor_add(c->r, "numa_remote", DOCTOR_INFO,
						      "one NUMA node: all memory is local, nothing to measure");
		doctor_ev_num(f, "nodes", nodes, 0, "", "/sys/devices/system/node");
		return;
	}
	char *text = NULL;
	long len = procfs_read_alloc(nm, &text);
	if (len < 0) {
		doctor_note(c->r, "numa_remote: %s: %s (it needs the rights to ptrace-read the process)", nm, strerror((int)-len));
		return;
	}
	unsigned long *pages = calloc(maxnode, sizeof(*pages));
	if (!pages) {
		free(text);
		return;
	}
	procfs_parse_numa_maps(text, pages, maxnode, 0);
	free(text);
	unsigned long total = 0;
	for (unsigned i = 0; i < maxnode; i++)
		total += pages[i];
	/* The busy threads (a tenth of a CPU or more over the window), weighted by their CPU time. */
	double w = window(c), hz = (double)sysconf(_SC_CLK_TCK), sum = 0, wsum = 0;
	unsigned long long *on_node = calloc(maxnode, sizeof(*on_node));
	size_t busy = 0, measured = 0;
	for (size_t i = 0; on_node && i < c->s1.nthr; i++) {
		const struct thr *b = &c->s1.thr[i], *a = find_thr(&c->s0, b->tid);
		if (!a || b->ticks < a->ticks || b->processor < 0 || b->processor >= ncpu || cpu_node[b->processor] < 0)
			continue;
		double used = (double)(b->ticks - a->ticks) / hz;
		if (used < 0.1 * w)
			continue;
		int node = cpu_node[b->processor];
		double remote;
		int best;
		if (thread_remote(c, b->tid, node, &remote))
			measured++;
		else if (!source_share(pages, maxnode, node, &remote, &best))
			continue;
		sum += remote * used;
		wsum += used;
		on_node[node] += (unsigned long long)(used * 1000);
		busy++;
	}
	if (total < 256 || wsum <= 0) {
		doctor_note(c->r, "numa_remote: %s (%lu pages with a node, %zu busy threads)",
			    total < 256 ? "too little memory placed to judge" : "no busy thread to judge", total, busy);
		goto out;
	}
	double remote = sum / wsum;
	int sev = doctor_classify_remote(remote);
	if (sev < 0)
		goto out;
	char mem[256] = "", run[256] = "";
	size_t mo = 0, ro = 0;
	for (unsigned i = 0; i < maxnode; i++) {
		if (pages[i] && mo < sizeof(mem))
			mo += (size_t)snprintf(mem + mo, sizeof(mem) - mo, "%snode %u: %.1f MiB", mo ? ", " : "", i,
					       (double)pages[i] * (double)sysconf(_SC_PAGESIZE) / 1048576.0);
		if (on_node[i] && ro < sizeof(run))
			ro += (size_t)snprintf(run + ro, sizeof(run) - ro, "%snode %u: %.2f CPU-s", ro ? ", " : "", i,
					       (double)on_node[i] / 1000.0);
	}
	struct doctor_finding *f = doctor_add(c->r, "numa_remote", (enum doctor_severity)sev,
					      "its busy threads run on one node and %.0f%% of its memory is on another",
					      100 * remote);
	if (!f)
		goto out;
	char how[1024];
	const char *kind = measured && c->src.kind == SOURCE_PMU ? "PMU local/remote DRAM loads over the window"
			   : measured ? "NUMA hinting faults (/proc/PID/task/TID/sched numa_faults)"
				      : "page placement (/proc/PID/numa_maps)";
	snprintf(how, sizeof(how), "%s, weighted by the threads' CPU time", kind);
	doctor_ev_num(f, "remote_share", 100 * remote, 1, "%", how);
	doctor_ev_str(f, "source", kind, measured < busy && measured ? "the other busy threads: page placement" : c->src_ok ? c->src.why : "");
	doctor_ev_num(f, "threads_measured", (double)measured, 0, "", "busy threads with enough events from the source");
	doctor_ev_str(f, "memory", mem, nm);
	char src[96];
	snprintf(src, sizeof(src), "/proc/%d/task/*/stat (processor, utime, stime)", (int)c->pid);
	doctor_ev_str(f, "busy_threads_on", run, src);
	doctor_ev_num(f, "busy_threads", (double)busy, 0, "", src);
	unsigned run_node = 0, mem_node = 0;
	for (unsigned i = 0; i < maxnode; i++) {
		if (on_node[i] > on_node[run_node])
			run_node = i;
		if (pages[i] > pages[mem_node])
			mem_node = i;
	}
	snprintf(f->fix, sizeof(f->fix),
		 "run it where its memory is: numarun -N %u -- COMMAND, or keep threads and memory together: numarun "
		 "-N %u -m %u -- COMMAND ([placement] nodes = %u, [memory] policy = bind, nodes = plan); if its memory "
		 "policy binds it elsewhere, that is where the remote share comes from", mem_node, run_node, run_node,
		 run_node);
out:
	free(on_node);
	free(pages);
}

static void check_balancing(struct ctx *c, int nodes)
{
	char buf[64];
	const char *p = "/proc/sys/kernel/numa_balancing";
	if (procfs_read(p, buf, sizeof(buf)) < 0) {
		doctor_note(c->r, "numa_balancing: %s is absent (a kernel without CONFIG_NUMA_BALANCING)", p);
		return;
	}
	long v = strtol(buf, NULL, 10);
	const char *what = v == 0 ? "off: the kernel does not move the memory of tasks towards where they run"
			   : v == 1 ? "on (normal): the kernel samples accesses and moves pages towards the threads using them"
			   : v == 2 ? "memory tiering only: hot pages move up from slower memory nodes, no NUMA placement"
			   : v == 3 ? "normal and memory tiering"
				    : "an unknown mode";
	struct doctor_finding *f = doctor_add(c->r, "numa_balancing", DOCTOR_INFO, "kernel NUMA balancing is %s%s", what,
					      nodes <= 1 ? " (one node here: it has nothing to do)" : "");
	doctor_ev_num(f, "numa_balancing", (double)v, 0, "", p);
}

static void check_thp(struct ctx *c)
{
	char en[128], df[128], ens[32], dfs[32], sp[64];
	const char *pe = "/sys/kernel/mm/transparent_hugepage/enabled", *pd = "/sys/kernel/mm/transparent_hugepage/defrag";
	if (procfs_read(pe, en, sizeof(en)) < 0) {
		doctor_note(c->r, "thp: %s is absent (no transparent huge pages in this kernel)", pe);
		return;
	}
	doctor_sysfs_choice(en, ens, sizeof(ens));
	dfs[0] = '\0';
	if (procfs_read(pd, df, sizeof(df)) >= 0)
		doctor_sysfs_choice(df, dfs, sizeof(dfs));
	proc_path(sp, sizeof(sp), c->pid, "status");
	const char *mean = strcmp(ens, "always") == 0 ? "every large enough anonymous mapping may get huge pages"
			   : strcmp(ens, "madvise") == 0 ? "only mappings the program marks with madvise(MADV_HUGEPAGE) get huge pages"
			   : strcmp(ens, "never") == 0 ? "no huge pages"
						       : "the kernel's setting";
	struct doctor_finding *f = doctor_add(c->r, "thp", DOCTOR_INFO, "transparent huge pages: %s (%s)%s", ens, mean,
					      c->st.thp_enabled == 0 ? "; turned off for this process (prctl PR_SET_THP_DISABLE)" : "");
	doctor_ev_str(f, "enabled", ens, pe);
	if (dfs[0])
		doctor_ev_str(f, "defrag", dfs, pd);
	if (c->st.thp_enabled >= 0)
		doctor_ev_num(f, "THP_enabled", c->st.thp_enabled, 0, "", sp);
}

/* The mapping holding address pc in /proc/PID/maps text: its path into path ("" anonymous). 1 found, 0 not. */
static int map_of(const char *maps, unsigned long long pc, char *path, size_t len)
{
	for (const char *line = maps; line && *line;) {
		unsigned long long a, b;
		int off = 0;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s%n", &a, &b, &off) >= 2 && pc >= a && pc < b) {
			const char *p = line + off;
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(path, p, n);
			path[n] = '\0';
			return 1;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

static void check_cgo(struct ctx *c)
{
	if (!c->ti_ok || !c->ti.is_go || c->ti.cgo_enabled != 1)
		return;
	char mp[64], ep[64], exe[PATH_MAX] = "";
	proc_path(mp, sizeof(mp), c->pid, "maps");
	proc_path(ep, sizeof(ep), c->pid, "exe");
	ssize_t el = readlink(ep, exe, sizeof(exe) - 1);
	if (el > 0)
		exe[el] = '\0';
	char *maps = NULL;
	long ml = procfs_read_alloc(mp, &maps);
	int libc = ml > 0 && (strstr(maps, "/libc.so") || strstr(maps, "/libc-"));
	long in_c = 0, in_go = 0, running = 0, idle = 0, unreadable = 0;
	char example[256] = "", lib[PATH_MAX] = "";
	pid_t example_tid = 0;
	pid_t *tids = NULL;
	long n = procfs_list_tasks(c->pid, &tids);
	for (long i = 0; i < n && ml > 0; i++) {
		char path[96], buf[512];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)c->pid, (int)tids[i]);
		long nr;
		unsigned long long sp, pc;
		if (procfs_read(path, buf, sizeof(buf)) < 0) {
			unreadable++;
			continue;
		}
		int k = doctor_parse_syscall(buf, &nr, &sp, &pc);
		if (k == 2) {
			running++;
			continue;
		}
		if (k != 1) {
			idle++;
			continue;
		}
		char where[PATH_MAX];
		if (!map_of(maps, pc, where, sizeof(where)) || (exe[0] && strcmp(where, exe) == 0) || !strchr(where, '/')) {
			in_go++;
			continue;
		}
		in_c++;
		if (!example[0]) {
			snprintf(lib, sizeof(lib), "%s", where);
			example_tid = tids[i];
			const struct thr *t = find_thr(&c->s1, tids[i]);
			snprintf(example, sizeof(example), "%s (%d): system call %ld from %.150s", t ? t->comm : "?",
				 (int)tids[i], nr, where);
		}
	}
	free(tids);
	free(maps);
	const char *confidence, *why;
	if (ml <= 0 || (unreadable && unreadable >= n)) {
		confidence = "low";
		why = "the threads' syscall files (or maps) could not be read: they need the rights to ptrace-attach "
		      "to the process (root, or CAP_SYS_PTRACE; yama ptrace_scope may forbid it to the same user)";
	} else if (in_c > 0 && libc) {
		confidence = "high";
		why = "threads blocked in system calls made from a shared library, not from the Go binary (Go makes "
		      "its system calls from its own code)";
	} else if (!libc) {
		confidence = "medium";
		why = "no shared libc is mapped (C linked statically into the binary cannot be told from Go by address)";
	} else {
		confidence = "medium";
		why = "no thread was seen blocked in C code at the end of the window; threads on a CPU cannot be "
		      "placed";
	}
	long threads = c->st.threads;
	struct doctor_finding *f;
	if (in_c > 0)
		f = doctor_add(c->r, "cgo", DOCTOR_WARNING,
			       "%ld of %ld threads are blocked in C code (cgo): each holds an OS thread outside "
			       "GOMAXPROCS, and calls into C cost more than Go calls", in_c, threads);
	else
		f = doctor_add(c->r, "cgo", DOCTOR_INFO, "built with cgo%s; no thread was seen in C code",
			       libc ? " and linked with the shared libc" : "");
	if (!f)
		return;
	char src[PATH_MAX];
	snprintf(src, sizeof(src), "build info of /proc/%d/exe", (int)c->pid);
	doctor_ev_str(f, "CGO_ENABLED", "1", src);
	snprintf(src, sizeof(src), "/proc/%d/task/*/syscall: the program counter in /proc/%d/maps", (int)c->pid, (int)c->pid);
	doctor_ev_num(f, "threads_in_c", (double)in_c, 0, "", src);
	doctor_ev_num(f, "threads_in_go", (double)in_go, 0, "", src);
	snprintf(src, sizeof(src), "/proc/%d/task/*/syscall (\"running\": on a CPU)", (int)c->pid);
	doctor_ev_num(f, "threads_running", (double)running, 0, "", src);
	snprintf(src, sizeof(src), "/proc/%d/task/*/syscall (not in a system call)", (int)c->pid);
	doctor_ev_num(f, "threads_outside_syscalls", (double)idle, 0, "", src);
	snprintf(src, sizeof(src), "/proc/%d/status", (int)c->pid);
	if (threads >= 0)
		doctor_ev_num(f, "threads", (double)threads, 0, "", src);
	if (c->gomaxprocs > 0)
		doctor_ev_num(f, "gomaxprocs", (double)c->gomaxprocs, 0, "", c->gomaxprocs_src);
	if (example[0]) {
		snprintf(src, sizeof(src), "/proc/%d/task/%d/syscall", (int)c->pid, (int)example_tid);
		doctor_ev_str(f, "example", example, src);
	}
	doctor_ev_str(f, "confidence", confidence, why);
	if (in_c > 0)
		snprintf(f->fix, sizeof(f->fix),
			 "keep blocking work out of C (use Go's own calls: time.Sleep, net, os), or bound the goroutines "
			 "that call into C (a semaphore) so that threads stay near GOMAXPROCS (%s)", lib);
}

/* Wait for a child to exit or the deadline; 1 exited (status set, not yet reaped: WNOWAIT), 0 deadline. */
static int wait_child(pid_t pid, double deadline, int *status)
{
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
			if (si.si_code == CLD_EXITED)
				*status = (si.si_status & 0xff) << 8;
			else
				*status = si.si_status & 0x7f;
			return 1;
		}
		double now = clock_seconds(CLOCK_MONOTONIC);
		if (now >= deadline)
			return 0;
		double left = deadline - now;
		struct timespec ts = {0, (long)((left < 0.05 ? left : 0.05) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

static int observe(pid_t pid, double duration, int json, int verbosity, int child)
{
	char path[64], buf[8192];
	struct doctor_report *r = calloc(1, sizeof(*r));
	struct ctx *c = calloc(1, sizeof(*c));
	int rc = EXIT_FAILURE_NUMARUN;
	if (!r || !c) {
		log_error("doctor: out of memory");
		goto out;
	}
	c->pid = pid;
	c->r = r;
	r->pid = pid;
	r->duration = duration;
	r->launched = child;
	proc_path(path, sizeof(path), pid, "status");
	long e = procfs_read(path, buf, sizeof(buf));
	if (e < 0 || doctor_parse_status(buf, &c->st) < 0) {
		if (e == -ENOENT || e == -ESRCH)
			log_error("doctor: no process %d", (int)pid);
		else
			log_error("doctor: cannot read %s: %s", path, strerror(e < 0 ? (int)-e : EINVAL));
		rc = e == -ENOENT || e == -ESRCH ? EXIT_USAGE : EXIT_FAILURE_NUMARUN;
		goto out;
	}
	if (c->st.tgid > 0 && c->st.tgid != pid) {
		log_error("doctor: %d is a thread of process %d: give the process's PID", (int)pid, (int)c->st.tgid);
		rc = EXIT_USAGE;
		goto out;
	}
	proc_path(path, sizeof(path), pid, "comm");
	if (procfs_read(path, r->comm, sizeof(r->comm)) >= 0)
		r->comm[strcspn(r->comm, "\n")] = '\0';

	/* What is fixed over the window: the binary, the environment, the cgroups and their limits. */
	proc_path(path, sizeof(path), pid, "exe");
	int te = runtime_inspect(path, &c->ti);
	c->ti_ok = te == 0;
	if (te < 0)
		doctor_note(r, "gomaxprocs, cgo: %s: %s (reading it needs the rights to ptrace-read the process)", path,
			    strerror(-te));
	proc_path(path, sizeof(path), pid, "environ");
	c->environ_len = procfs_read_alloc(path, &c->environ_text);
	if (c->environ_len < 0) {
		doctor_note(r, "%s: %s: GOMAXPROCS and GODEBUG taken as unset", path, strerror((int)-c->environ_len));
		c->environ_text = NULL;
	}
	long nl = cgroup_cpu_levels("", pid, c->lv, MAX_LEVELS);
	if (nl < 0) {
		doctor_note(r, "throttling: /proc/%d/cgroup: %s", (int)pid, strerror((int)-nl));
		nl = 0;
	}
	c->nlv = (size_t)nl;
	struct cpu_limit lim, leaf;
	struct mem_limit mem;
	if (cgroup_limits_pid("", pid, &lim, &leaf, &mem) == 0) {
		c->limit_cpus = lim.cpus;
		snprintf(c->limit_src, sizeof(c->limit_src), "%s", lim.source);
		c->leaf_cpus = leaf.cpus;
		snprintf(c->leaf_src, sizeof(c->leaf_src), "%s", leaf.source);
	}
	if (c->ti_ok && c->ti.is_go) {
		long ncpus = c->st.cpus_allowed[0] ? doctor_cpulist_count(c->st.cpus_allowed) : -1;
		struct runtime_gomaxprocs g;
		const char *env = env_get(c, "GOMAXPROCS");
		if (ncpus > 0) {
			c->gomaxprocs = runtime_go_gomaxprocs(&c->ti, env, env_get(c, "GODEBUG"), ncpus, c->leaf_cpus, &g);
			if (g.from_env)
				snprintf(c->gomaxprocs_src, sizeof(c->gomaxprocs_src), "GOMAXPROCS in /proc/%d/environ", (int)pid);
			else
				snprintf(c->gomaxprocs_src, sizeof(c->gomaxprocs_src), "the runtime's rule (numarun(1), DOCTOR)");
		}
	}

	numa_start(c);
	take(c, &c->s0);
	if (!c->s0.tasks_ok) {
		log_error("doctor: no process %d (it ended)", (int)pid);
		rc = EXIT_USAGE;
		goto out;
	}
	double deadline = c->s0.t + duration;
	if (child) {
		r->exited = wait_child(pid, deadline, &r->status);
	} else {
		for (;;) {
			double left = deadline - clock_seconds(CLOCK_MONOTONIC);
			if (left <= 0)
				break;
			struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
			if (nanosleep(&ts, NULL) == 0)
				break;
		}
	}
	take(c, &c->s1);
	proc_path(path, sizeof(path), pid, "status");
	struct doctor_status st1;
	if (procfs_read(path, buf, sizeof(buf)) >= 0 && doctor_parse_status(buf, &st1) == 0 && st1.threads > 0)
		c->st = st1;
	if (!c->s1.tasks_ok && !child) {
		log_error("doctor: process %d ended during the window", (int)pid);
		rc = EXIT_USAGE;
		goto out;
	}
	r->observed = c->s1.t - c->s0.t;

	check_throttling(c);
	check_gomaxprocs(c);
	check_fds(c);
	check_syscalls(c);
	check_cgo(c);
	check_numa(c);
	check_balancing(c, c->nodes);
	check_thp(c);
	if (r->exited)
		doctor_note(r, "the command exited before the window's end: what it left (its threads' counters) "
			       "could not all be read");

	if (child && !r->exited) {
		/* doctor launched it: end it now (SIGTERM, then SIGKILL after 2s) */
		kill(pid, SIGTERM);
		r->ended = SIGTERM;
		int st;
		if (!wait_child(pid, clock_seconds(CLOCK_MONOTONIC) + 2.0, &st)) {
			kill(pid, SIGKILL);
			r->ended = SIGKILL;
		}
	}
	if (child)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	child = 0; /* reaped */
	doctor_sort(r);
	if (json)
		doctor_print_json(stdout, r);
	else
		doctor_print_text(stdout, r, verbosity);
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("doctor: writing the report to standard output: %s", errno ? strerror(errno) : "write error");
		rc = EXIT_FAILURE_NUMARUN;
	} else {
		rc = doctor_exit_status(r);
	}
out:
	if (child) {
		/* a command doctor launched and stopped observing early: not left behind */
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (c) {
		numa_finish(c);
		free(c->s0.thr);
		free(c->s1.thr);
		free(c->environ_text);
	}
	free(c);
	free(r);
	return rc;
}

int doctor_run(pid_t pid, double duration, int json, int verbosity)
{
	return observe(pid, duration, json, verbosity, 0);
}

int doctor_launch(const struct plan *pl, const struct policy *p, const char *path, char *const argv[], double duration,
		  int json, int verbosity)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		log_error("doctor: pipe: %s", strerror(errno));
		return EXIT_FAILURE_NUMARUN;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		log_error("doctor: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_FAILURE_NUMARUN;
	}
	if (pid == 0) {
		char cause[2048];
		unsigned char code = EXIT_FAILURE_NUMARUN;
		close(pfd[0]);
		int e = runtime_apply_env(pl, p);
		if (e < 0)
			log_error("setting the environment: %s", strerror(-e));
		else if (launch_bind_self(pl, cause, sizeof(cause)) < 0)
			log_error("%s", cause);
		else {
			code = (unsigned char)launch_exec(path, argv, cause, sizeof(cause));
			log_error("%s", cause);
		}
		if (write(pfd[1], &code, 1) < 0)
			_exit(code);
		_exit(code);
	}
	close(pfd[1]);
	unsigned char code;
	ssize_t n;
	while ((n = read(pfd[0], &code, 1)) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (n == 1) {
		/* the launch failed before the command ran: its own message was said */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return code;
	}
	return observe(pid, duration, json, verbosity, 1);
}
