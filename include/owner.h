/* owner.h - who decided a thread's CPU mask: numarun or the program. Pure: the caller reads masks and
 * start times and keeps the log of the masks numarun set. */
#ifndef NUMARUN_OWNER_H
#define NUMARUN_OWNER_H

#include <stddef.h>
#include <sys/types.h>
#include <hwloc.h>

enum thread_owner { OWNER_NUMARUN, OWNER_PROGRAM };

/* A mask numarun set on one thread of process pid, in effect from `from` until `until` (seconds,
 * CLOCK_BOOTTIME; until < 0 while it still is). A thread (or process) created meanwhile by that thread
 * inherits it. */
struct owner_epoch {
	long id;
	pid_t pid;
	hwloc_bitmap_t cpus;
	double from, until;
};

struct owner_log {
	struct owner_epoch *e;
	size_t n, cap;
	long next_id;
};

/* Record that numarun set cpus on a thread of process pid at time from. Returns the entry's id. */
long owner_log_open(struct owner_log *l, hwloc_const_bitmap_t cpus, pid_t pid, double from);
/* That mask stopped being in effect at until (numarun changed it, the program did, or the thread ended). */
void owner_log_close(struct owner_log *l, long id, double until);
/* Forget the entries that ended before horizon: no thread seen from now on can have inherited them. */
void owner_log_prune(struct owner_log *l, double horizon);
void owner_log_free(struct owner_log *l);

/*
 * Who set the mask of a thread numarun sees for the first time, started at start (-1 unknown) by a
 * thread of process creator (its own process for a thread, the parent for a process's first thread;
 * 0 unknown): numarun, when the mask is the one the target was launched with (launch), or one numarun
 * had set on a thread of the creator's process at the moment this one started (inherited from its
 * creator; tol is the start time's resolution); otherwise the program (a taskset in the command,
 * sched_setaffinity in the program).
 */
enum thread_owner owner_classify(const struct owner_log *l, hwloc_const_bitmap_t launch, hwloc_const_bitmap_t mask,
				 double start, pid_t creator, double tol);

#endif
