/* slots.h - the plan's CPU slots (one a CPU, in the plan's order): which node each is on and how many
 * threads numarun pinned to it. What is free on a node is counted from the loads, never kept apart. */
#ifndef NUMARUN_SLOTS_H
#define NUMARUN_SLOTS_H

#include <hwloc.h>
#include "policy.h"

struct slots {
	unsigned n;               /* slots */
	unsigned nnodes;          /* node indexes are < nnodes */
	int *node;                /* node index of each slot, -1 unknown */
	unsigned *load;           /* threads pinned to each slot */
};

/* n slots over nnodes nodes, node[s] the node index of slot s (-1 unknown); all unloaded. */
void slots_init(struct slots *s, unsigned n, unsigned nnodes, const int *node);
void slots_free(struct slots *s);
/* Whether slot k is on one of nodes (a set of node indexes; NULL: any node, also an unknown one). */
int slots_allowed(const struct slots *s, int k, hwloc_const_bitmap_t nodes);
/*
 * The slot a new thread takes among those on nodes (node indexes, NULL: any): spread, the node with the
 * fewest pinned threads, then its least-loaded slot; compact, the first slot (plan order) among the
 * least loaded. Returns a slot or -1 (none allowed).
 */
int slots_choose(const struct slots *s, hwloc_const_bitmap_t nodes, enum thread_placement how);
/* Move a thread's record from slot *at (-1: none) to slot to (-1: none). */
void slots_assign(struct slots *s, int *at, int to);
/* Slots on a node, and those of them without a pinned thread (counted from the loads). */
unsigned slots_on(const struct slots *s, int node);
unsigned slots_free_on(const struct slots *s, int node);
/* Both, for every node (arrays of nnodes). */
void slots_count(const struct slots *s, unsigned *on, unsigned *free);
/* The first slot on node without a pinned thread, or -1. */
int slots_first_free(const struct slots *s, int node);

/* Set thread who (0 or 1) of a swap to slot's CPU: 0, or -errno when the kernel refused (the thread's
 * CPUs then stay as they were). */
typedef int (*slots_pin_fn)(void *ctx, int who, int slot);
/*
 * Exchange the slots of two threads (*a and *b, both >= 0) through pin. The records afterwards say what
 * the kernel has: when the second thread cannot be set, the first is set back; when that fails too, the
 * first stays recorded on the slot it now runs on. Returns 0, or the -errno that stopped the swap.
 */
int slots_swap(struct slots *s, int *a, int *b, slots_pin_fn pin, void *ctx);

#endif
