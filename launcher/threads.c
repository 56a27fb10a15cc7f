/* threads.c - the thread table: a pure merge of the previous table with a new reading of the task
 * lists, keyed by (pid, tid, start time); and the reading itself. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "procfs.h"
#include "threads.h"

void task_read_add(struct task_read *r, pid_t pid, pid_t tid, unsigned long long start, pid_t ppid,
		   const char *comm)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
	}
	struct task_entry *e = &r->v[r->n++];
	memset(e, 0, sizeof(*e));
	e->key.pid = pid;
	e->key.tid = tid;
	e->key.start = start;
	e->ppid = ppid;
	e->have_stat = comm != NULL;
	snprintf(e->comm, sizeof(e->comm), "%s", comm ? comm : "");
}

void task_read_proc(struct task_read *r, pid_t pid, int err)
{
	if (r->nprocs == r->capprocs) {
		r->capprocs = r->capprocs ? 2 * r->capprocs : 8;
		r->procs = realloc(r->procs, r->capprocs * sizeof(*r->procs));
	}
	r->procs[r->nprocs].pid = pid;
	r->procs[r->nprocs++].err = err;
}

static int cmp_key(const struct thread_key *x, const struct thread_key *y)
{
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_entry(const void *a, const void *b)
{
	return cmp_key(&((const struct task_entry *)a)->key, &((const struct task_entry *)b)->key);
}

void task_read_sort(struct task_read *r)
{
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), cmp_entry);
}

void task_read_free(struct task_read *r)
{
	free(r->v);
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

static int gone_err(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

/* Whether the threads of process pid, not listed this tick, are carried over: its list could not be read
 * (not because it is gone), or it was not looked at because the child processes could not be listed.
 * *why: the error; *looked: whether its own list was read. */
static int carried(const struct task_read *r, pid_t pid, int *why, int *looked)
{
	for (size_t k = 0; k < r->nprocs; k++)
		if (r->procs[k].pid == pid) {
			*why = r->procs[k].err;
			*looked = 1;
			return r->procs[k].err < 0 && !gone_err(r->procs[k].err);
		}
	*why = r->descendants_err;
	*looked = 0;
	return pid != r->target && r->descendants_err < 0 && !gone_err(r->descendants_err);
}

int threads_merge(const struct thread_key *prev, size_t nprev, const struct task_read *r, struct thread_merge *out)
{
	memset(out, 0, sizeof(*out));
	out->kept_pid = -1;
	size_t cap = nprev + r->n;
	out->rows = malloc((cap ? cap : 1) * sizeof(*out->rows));
	out->departed = malloc((nprev ? nprev : 1) * sizeof(*out->departed));
	if (!out->rows || !out->departed) {
		threads_merge_free(out);
		return -ENOMEM;
	}
	for (size_t k = 0; k < r->nprocs; k++)
		if (r->procs[k].pid == r->target && gone_err(r->procs[k].err))
			out->gone = 1;
	size_t i = 0, j = 0;
	while (i < nprev || j < r->n) {
		int c = i >= nprev ? 1 : j >= r->n ? -1 : cmp_key(&prev[i], &r->v[j].key);
		struct thread_row *row = &out->rows[out->n];
		if (c == 0) {
			unsigned long long was = prev[i].start, now = r->v[j].key.start;
			if (was && now && was != now) {
				/* The TID was reused: the thread of the record ended, this is another one. */
				out->departed[out->ndeparted++] = i++;
				continue; /* r->v[j] comes next as a new thread */
			}
			row->key = r->v[j].key;
			if (!now)
				row->key.start = was;
			row->prev = (long)i++;
			row->now = (long)j++;
			out->n++;
		} else if (c < 0) {
			int why, looked;
			if (carried(r, prev[i].pid, &why, &looked)) {
				if (!out->kept) {
					out->kept = why;
					out->kept_pid = looked ? prev[i].pid : -1;
				}
				row->key = prev[i];
				row->prev = (long)i;
				row->now = -1;
				out->n++;
			} else {
				out->departed[out->ndeparted++] = i;
			}
			i++;
		} else {
			row->key = r->v[j].key;
			row->prev = -1;
			row->now = (long)j++;
			out->n++;
			out->nnew++;
		}
	}
	return 0;
}

void threads_merge_free(struct thread_merge *m)
{
	free(m->rows);
	free(m->departed);
	m->rows = NULL;
	m->departed = NULL;
	m->n = m->ndeparted = 0;
}

static void read_process(struct task_read *r, pid_t pid, threads_need_stat need, void *ctx)
{
	pid_t *tids;
	long nt = procfs_list_tasks(pid, &tids);
	task_read_proc(r, pid, nt < 0 ? (int)nt : 0);
	for (long k = 0; k < nt; k++) {
		char path[96], buf[1024];
		struct task_stat st;
		if (need && !need(ctx, pid, tids[k])) {
			task_read_add(r, pid, tids[k], 0, 0, NULL); /* known, and its TID not handed out since */
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tids[k]);
		long n = procfs_read(path, buf, sizeof(buf));
		if (n == -ENOENT || n == -ESRCH)
			continue; /* ended since the listing */
		if (n > 0 && procfs_parse_stat(buf, &st) == 0)
			task_read_add(r, pid, tids[k], st.starttime, st.ppid, st.comm);
		else
			task_read_add(r, pid, tids[k], 0, 0, NULL); /* out of descriptors: known by its TID only */
	}
	if (nt >= 0)
		free(tids);
}

void threads_read(pid_t target, int descendants, threads_need_stat need, void *ctx, struct task_read *r)
{
	memset(r, 0, sizeof(*r));
	r->target = target;
	read_process(r, target, need, ctx);
	if (descendants) {
		pid_t *pids = NULL;
		int err = 0;
		long np = procfs_descendants(target, &pids, &err);
		r->descendants_err = np < 0 ? (int)np : err;
		for (long k = 0; k < np; k++)
			read_process(r, pids[k], need, ctx);
		free(pids);
	}
	task_read_sort(r);
}

long threads_range_size(const struct pid_range *r)
{
	if (!r->known || r->to == r->from)
		return 0;
	if (r->to > r->from)
		return r->to - r->from;
	/* Came round: (from, pid_max) then [1, to]. */
	return (r->pid_max - 1 - r->from) + r->to;
}

pid_t threads_range_at(const struct pid_range *r, long k)
{
	long v = r->from + 1 + k;
	if (v >= r->pid_max)
		v = v - r->pid_max + 1;
	return (pid_t)v;
}

int threads_range_has(const struct pid_range *r, pid_t tid)
{
	if (!r->known)
		return 1;
	if (r->to >= r->from)
		return tid > r->from && tid <= r->to;
	return tid > r->from || tid <= r->to;
}

unsigned threads_idle_period(size_t n)
{
	size_t k = (n + 255) / 256;
	return k < 1 ? 1 : k > THREADS_IDLE_MAX ? THREADS_IDLE_MAX : (unsigned)k;
}

int threads_idle_due(unsigned long tick, pid_t tid, unsigned long last_read, unsigned period)
{
	if (period <= 1 || tick - last_read >= period)
		return 1;
	return (tick + (unsigned long)tid) % period == 0;
}
