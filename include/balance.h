/* balance.h - pure re-pin decisions: thresholds, hysteresis, capacity, swaps, bounces, rate limits. */
#ifndef NUMARUN_BALANCE_H
#define NUMARUN_BALANCE_H

#include <stddef.h>
#include <sys/types.h>

enum bal_mode { BAL_MODE_MOVE, BAL_MODE_MIGRATE, BAL_MODE_NONE };
enum bal_kind { BAL_MOVE, BAL_SWAP, BAL_MIGRATE, BAL_FREEZE, BAL_UNFIXABLE };

struct bal_config {
	double threshold;         /* remote share (0..1) above which a thread is a candidate */
	unsigned sustain;         /* consecutive samples above the threshold before acting */
	unsigned settle;          /* samples under it, for every judged thread, to call it converged */
	unsigned refresh_seqs;    /* scan-sequence advances a moved thread waits (faults source) */
	unsigned refresh_ticks;   /* ticks it waits when there is no scan sequence */
	unsigned refresh_max_ticks; /* at most this many ticks for the scan sequence (the kernel scans less
				     * often once placement is stable); 0: no limit */
	unsigned max_moves_per_min;
	enum bal_mode mode;
	int interleaved;          /* the memory is interleaved by policy: remote by design, nobody is a candidate */
	int kernel_migrates;      /* the kernel's NUMA balancing migrates the target's memory: a thread counts
				   * as above the threshold only while its remote share is not falling, once per
				   * scan (the kernel is given its chance first) */
};

/* One thread: its sample (filled by the caller each tick) and the state kept here across ticks. */
struct bal_thread {
	pid_t tid;
	int present;              /* still exists this tick */
	int busy;                 /* enough CPU time and samples in the window to be judged */
	int movable;              /* pinned by numarun (its slot can change) */
	int node;                 /* node index it runs on, -1 unknown */
	int best_node;            /* node index holding most of the memory it touches, -1 unknown */
	double remote;            /* share of its accesses that were remote, 0..1 */
	/* state */
	unsigned above, under;
	long moved_seq, moved_tick;   /* when it was last moved; -1 never */
	int moved_from;           /* node before its last move, -1 */
	int frozen;
	unsigned moves;
	int judged;               /* set by balance_decide: judged this tick */
	int unfixable_node;       /* best_node when no move or migration within the policy could help, -1 */
	double last_remote;       /* the remote share last judged (kernel_migrates), -1 none */
	long last_seq;            /* the scan sequence it was judged at, -1 */
};

struct bal_world {
	unsigned nnodes;
	unsigned *free_slots;     /* per node index: CPU slots without a pinned thread, counted by the caller
				   * from its slots before each call; balance_decide takes the ones it plans */
	const unsigned *node_slots; /* per node index: CPU slots of the plan; NULL: unknown (any may free up) */
	const unsigned char *mem_ok; /* per node index: the memory policy lets pages go there; NULL: any */
	long scan_seq;            /* mm->numa_scan_seq now (faults source), -1 when there is none */
	long tick;
	double now;               /* seconds, for the rate limit */
	double *move_times;       /* the last moves, a ring of move_cap (grown to max_moves_per_min by
				   * balance_decide, so that the limit holds for any value); free with balance_world_free */
	unsigned move_cap, move_head, move_count;
	int converged;            /* converged, reported */
};

struct bal_action {
	enum bal_kind kind;
	size_t a, b;              /* thread indexes (b: the other thread of a swap) */
	int from, to;             /* node indexes: thread moves from->to; memory migrates from->to */
	double remote;
	char reason[200];
};

/* Initialise a thread's state (call when it is first seen). */
void balance_thread_init(struct bal_thread *t, pid_t tid);
/*
 * Decide this tick's actions and update the threads' state as if they were carried out (node, slots).
 * Pure: no system calls. Returns the number of actions written to out; *converged_now is 1 on the tick
 * where every judged thread has stayed under the threshold for settle samples (reported once, until a
 * thread rises again).
 */
size_t balance_decide(const struct bal_config *c, struct bal_world *w, struct bal_thread *th, size_t n,
		      struct bal_action *out, size_t maxout, int *converged_now);
/* Moves within the last minute (up to max_moves_per_min of them are kept: all the limit needs). */
unsigned balance_recent_moves(const struct bal_world *w);
/* Release what balance_decide keeps in w. */
void balance_world_free(struct bal_world *w);

#endif
