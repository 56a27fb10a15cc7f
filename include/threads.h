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

/* Read the task lists of target and, with descendants, of its child processes, with each thread's
 * start time, parent and name (from task/<tid>/stat). The only part of this module that reads /proc. */
void threads_read(pid_t target, int descendants, struct task_read *r);

#endif
