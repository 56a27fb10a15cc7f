/* threads.h - the thread table: which threads are new, which continue and which ended, from one tick's
 * reading of the task lists. A thread is (pid, tid, start time): a reused TID is a new thread. */
#ifndef NUMARUN_THREADS_H
#define NUMARUN_THREADS_H

#include <stddef.h>
#include <sys/types.h>

struct thread_key {
	pid_t pid, tid;           /* reached as /proc/<pid>/task/<tid> */
	unsigned long long start; /* task/<tid>/stat field 22 (clock ticks after boot); 0 unknown */
};

/* A thread as read this tick. */
struct task_entry {
	struct thread_key key;
	int have_stat;            /* stat was read: ppid and comm are known */
	pid_t ppid;               /* stat field 4 */
	char comm[64];
};

/* A process whose task list was looked at this tick, and how that went. */
struct task_proc {
	pid_t pid;
	int err;                  /* 0, or -errno of reading /proc/<pid>/task */
};

/* One tick's reading of the task lists of the target and (with descendants) its child processes. */
struct task_read {
	pid_t target;
	struct task_entry *v;     /* sorted by pid, tid */
	size_t n, cap;
	struct task_proc *procs;
	size_t nprocs, capprocs;
	int descendants_err;      /* 0, or -errno: the child processes could not all be listed */
};

/* One row of the new table. */
struct thread_row {
	struct thread_key key;    /* a start time read now, else the one known before */
	long prev;                /* its index in the previous table; -1: a new thread */
	long now;                 /* its entry in the reading; -1: carried over unread */
};

struct thread_merge {
	struct thread_row *rows;  /* sorted by pid, tid */
	size_t n;
	size_t *departed;         /* indexes in the previous table of the threads that ended */
	size_t ndeparted;
	size_t nnew;
	int gone;                 /* the target's task list is gone (ENOENT, ESRCH): it ended */
	int kept;                 /* 0, or the -errno for which threads were carried over unread */
	pid_t kept_pid;           /* the process whose list could not be read (-1: the child processes) */
};

/* Add a thread to a reading; comm NULL: its stat could not be read (start, ppid unknown). */
void task_read_add(struct task_read *r, pid_t pid, pid_t tid, unsigned long long start, pid_t ppid,
		   const char *comm);
/* Record how reading a process's task list went (err 0 or -errno). */
void task_read_proc(struct task_read *r, pid_t pid, int err);
/* Sort the entries by pid, tid. */
void task_read_sort(struct task_read *r);
void task_read_free(struct task_read *r);

/*
 * Merge a reading into the previous table (prev[0..nprev), sorted by pid, tid). Pure. A thread listed
 * again with the same start time continues (an unknown start time on either side counts as the same);
 * listed with another start time, it is a new thread and the old one ended. A thread not listed ended
 * when its process's list was read, or is gone (ENOENT, ESRCH), or is no longer a child process; when
 * the list could not be read for another reason (EMFILE, ENFILE, EACCES...), or the child processes
 * could not all be listed, the threads of that process are carried over as they were (kept says why).
 * Returns 0, or -ENOMEM.
 */
int threads_merge(const struct thread_key *prev, size_t nprev, const struct task_read *r, struct thread_merge *out);
void threads_merge_free(struct thread_merge *m);

/* Whether a thread listed again needs its stat read (its identity checked): 0 when (pid, tid) is in the
 * table and its TID cannot have been given to another thread since the last reading. */
typedef int (*threads_need_stat)(void *ctx, pid_t pid, pid_t tid);

/* Read the task lists of target and, with descendants, of its child processes, with each thread's
 * start time, parent and name (from task/<tid>/stat) where need(ctx, pid, tid) says so (need NULL:
 * every thread); the others are added with an unknown start time (the same thread to threads_merge).
 * The only part of this module that reads task lists. */
void threads_read(pid_t target, int descendants, threads_need_stat need, void *ctx, struct task_read *r);

/*
 * The PIDs handed out since the PID counter (/proc/sys/kernel/ns_last_pid, the last PID allocated in
 * our namespace) was last read: (from, to] in the kernel's cyclic order, which goes back to low PIDs
 * after pid_max - 1. A TID that is not in the range cannot belong to a thread created since (a PID is
 * only reused when the counter comes round to it); a range of pid_max PIDs or more in one interval
 * (the counter went round whole) is not seen as such. known 0: the counter could not be read.
 */
struct pid_range {
	long from, to, pid_max;
	int known;
};
/* How many PIDs the range holds (0 when the counter did not move); pure. */
long threads_range_size(const struct pid_range *r);
/* The k-th PID of the range, k < threads_range_size(r); pure. */
pid_t threads_range_at(const struct pid_range *r, long k);
/* Whether tid may have been handed out within the range (always when it is not known); pure. */
int threads_range_has(const struct pid_range *r, pid_t tid);

/* How many ticks apart an idle thread's CPU time is read, for a table of n threads: 1 up to 256 threads,
 * then one more per 256, at most THREADS_IDLE_MAX. */
#define THREADS_IDLE_MAX 8
unsigned threads_idle_period(size_t n);
/* Whether an idle thread is read at tick: spread by TID over the period, and never more than period
 * ticks after its last reading (last_read, the tick of it); pure. */
int threads_idle_due(unsigned long tick, pid_t tid, unsigned long last_read, unsigned period);

#endif
