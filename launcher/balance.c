/* balance.c - pure re-pin decisions: hysteresis, refresh after a move, capacity, swaps, bounces, rate. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "balance.h"

void balance_thread_init(struct bal_thread *t, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->node = t->best_node = t->moved_from = -1;
	t->moved_seq = t->moved_tick = -1;
	t->unfixable_node = -1;
	t->last_remote = -1;
	t->last_seq = -1;
}

unsigned balance_recent_moves(const struct bal_world *w)
{
	unsigned k = 0;
	for (unsigned i = 0; i < w->move_count; i++)
		if (w->now - w->move_times[i] < 60.0)
			k++;
	return k;
}

void balance_world_free(struct bal_world *w)
{
	free(w->move_times);
	w->move_times = NULL;
	w->move_cap = w->move_head = w->move_count = 0;
}

/* Room for the last `want` moves, oldest first from move_head (the order record_move keeps). */
static void reserve_moves(struct bal_world *w, unsigned want)
{
	if (want <= w->move_cap)
		return;
	double *v = malloc(want * sizeof(*v));
	if (!v)
		return; /* the ring keeps its size: the limit still holds up to it */
	unsigned k = 0;
	for (unsigned i = 0; i < w->move_count; i++)
		v[k++] = w->move_times[(w->move_head + w->move_cap - w->move_count + i) % w->move_cap];
	free(w->move_times);
	w->move_times = v;
	w->move_cap = want;
	w->move_head = k % want;
}

/* A move now. The ring holds the last max_moves_per_min moves: when it is full and its oldest is less
 * than a minute old, the limit is reached, so nothing older is ever needed. */
static void record_move(struct bal_world *w)
{
	if (!w->move_cap)
		return;
	w->move_times[w->move_head] = w->now;
	w->move_head = (w->move_head + 1) % w->move_cap;
	if (w->move_count < w->move_cap)
		w->move_count++;
}

/* A moved thread is judged again only once its data describes the new placement. */
static int refreshed(const struct bal_config *c, const struct bal_world *w, const struct bal_thread *t)
{
	if (t->moved_tick < 0)
		return 1;
	if (w->scan_seq >= 0 && t->moved_seq >= 0 && c->refresh_seqs) {
		if (w->scan_seq >= t->moved_seq + (long)c->refresh_seqs)
			return 1;
		/* NUMA balancing backs its scan period off (up to a minute) once placement is stable: a thread
		 * whose samples stopped changing is judged on them after refresh_max_ticks. */
		return c->refresh_max_ticks && w->tick >= t->moved_tick + (long)c->refresh_max_ticks;
	}
	return w->tick >= t->moved_tick + (long)c->refresh_ticks;
}

static int candidate(const struct bal_config *c, const struct bal_thread *t)
{
	return !c->interleaved && t->judged && !t->frozen && t->above >= c->sustain && t->best_node >= 0 &&
	       t->node >= 0 && t->best_node != t->node && t->best_node != t->unfixable_node;
}

/* Its memory calls it back to the node it was moved from: the memory follows it around. */
static int bouncing(const struct bal_thread *t)
{
	return t->moved_from >= 0 && t->moved_from == t->best_node;
}

static int mem_allowed(const struct bal_world *w, int node)
{
	return !w->mem_ok || (node >= 0 && w->mem_ok[node]);
}

/* Count one more sample above the threshold. With the kernel migrating the memory, only a sample from
 * a new scan whose remote share did not fall counts: while it falls the kernel is fixing it. */
static void count_above(const struct bal_config *c, const struct bal_world *w, struct bal_thread *t)
{
	/* The kernel moves pages only to a node the policy allows: for a thread running elsewhere it cannot
	 * help, and the samples count as usual. */
	if (!c->kernel_migrates || !mem_allowed(w, t->node)) {
		t->above++;
		return;
	}
	if (w->scan_seq >= 0 && t->last_seq == w->scan_seq)
		return; /* the same data as last time */
	if (t->last_remote >= 0 && t->remote < t->last_remote - 0.02)
		t->above = 0;
	else
		t->above++;
	t->last_remote = t->remote;
	t->last_seq = w->scan_seq;
}


static void moved(const struct bal_world *w, struct bal_thread *t, int to)
{
	t->moved_from = t->node;
	t->node = to;
	t->moved_seq = w->scan_seq;
	t->moved_tick = w->tick;
	t->above = t->under = 0;
	t->moves++;
}

/* Move thread t to a free slot on node `to` (a->reason set by the caller). */
static void move_thread(struct bal_world *w, struct bal_thread *t, struct bal_action *a, int from, int to)
{
	a->kind = BAL_MOVE;
	a->from = from;
	a->to = to;
	w->free_slots[to]--;
	w->free_slots[from]++;
	moved(w, t, to);
	record_move(w);
}

size_t balance_decide(const struct bal_config *c, struct bal_world *w, struct bal_thread *th, size_t n,
		      struct bal_action *out, size_t maxout, int *converged_now)
{
	size_t na = 0;
	int any_judged = 0, all_settled = 1, any_above = 0;
	*converged_now = 0;
	reserve_moves(w, c->max_moves_per_min);

	for (size_t i = 0; i < n; i++) {
		struct bal_thread *t = &th[i];
		t->judged = 0;
		if (!t->present || !t->busy || t->frozen)
			continue;
		if (!refreshed(c, w, t)) {
			t->above = t->under = 0;
			all_settled = 0;
			continue;
		}
		t->judged = 1;
		any_judged = 1;
		if (t->remote > c->threshold) {
			count_above(c, w, t);
			t->under = 0;
			any_above = 1;
		} else {
			t->under++;
			t->above = 0;
			t->last_remote = -1;
		}
		if (t->under < c->settle)
			all_settled = 0;
	}

	/* Worst first. */
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	size_t nc = 0;
	for (size_t i = 0; i < n; i++)
		if (candidate(c, &th[i]))
			order[nc++] = i;
	for (size_t x = 1; x < nc; x++)
		for (size_t y = x; y > 0 && th[order[y]].remote > th[order[y - 1]].remote; y--) {
			size_t tmp = order[y];
			order[y] = order[y - 1];
			order[y - 1] = tmp;
		}

	for (size_t k = 0; k < nc && na < maxout; k++) {
		size_t i = order[k];
		struct bal_thread *t = &th[i];
		if (!candidate(c, t))
			continue; /* already handled as the other half of a swap */
		struct bal_action *a = &out[na];
		memset(a, 0, sizeof(*a));
		a->a = a->b = i;
		a->remote = t->remote;
		if (bouncing(t)) {
			/* It would go back where it came from: the memory follows it around. Stop. */
			t->frozen = 1;
			a->kind = BAL_FREEZE;
			a->from = t->node;
			a->to = t->best_node;
			snprintf(a->reason, sizeof(a->reason),
				 "would return to node index %d it left: bouncing, frozen", t->best_node);
			na++;
			continue;
		}
		if (c->mode == BAL_MODE_NONE)
			continue;
		if (balance_recent_moves(w) >= c->max_moves_per_min)
			continue;
		int from = t->node, to = t->best_node;
		if (c->mode == BAL_MODE_MOVE && t->movable && w->free_slots[to] > 0) {
			snprintf(a->reason, sizeof(a->reason), "remote share above threshold for %u samples", t->above);
			move_thread(w, t, a, from, to);
			na++;
			continue;
		}
		if (c->mode == BAL_MODE_MOVE && t->movable) {
			/* No free slot there: swap with a thread that wants to come here. */
			size_t j;
			/* Not one that would go back where it came from: that is a bounce, it is frozen (below),
			 * and no swap takes it round the freeze. */
			for (j = 0; j < n; j++)
				if (j != i && th[j].movable && candidate(c, &th[j]) && th[j].node == to &&
				    th[j].best_node == from && !bouncing(&th[j]))
					break;
			if (j < n) {
				a->kind = BAL_SWAP;
				a->b = j;
				a->from = from;
				a->to = to;
				snprintf(a->reason, sizeof(a->reason),
					 "each thread's memory is on the other's node: swapped");
				moved(w, t, to);
				moved(w, &th[j], from);
				record_move(w);
				na++;
				continue;
			}
		}
		/* A move is possible later while the plan has CPUs on the memory's node. */
		int can_move_later = c->mode == BAL_MODE_MOVE && t->movable && (!w->node_slots || w->node_slots[to] > 0);
		if (!mem_allowed(w, from)) {
			if (can_move_later)
				continue; /* wait for a free slot there */
			/* In migrate mode a thread move is the other way to bring them together. */
			if (c->mode == BAL_MODE_MIGRATE && t->movable && w->free_slots[to] > 0) {
				snprintf(a->reason, sizeof(a->reason),
					 "the memory policy keeps its pages off the node it ran on: thread moved instead");
				move_thread(w, t, a, from, to);
				na++;
				continue;
			}
			/* Nothing within the policy helps: say so once. */
			t->unfixable_node = to;
			a->kind = BAL_UNFIXABLE;
			a->from = from;
			a->to = to;
			snprintf(a->reason, sizeof(a->reason),
				 "its memory is on another node, %s, and the memory policy keeps pages off the node it runs on",
				 !t->movable ? "it is not pinned by numarun" : "the plan has no CPU there");
			na++;
			continue;
		}
		/* The kernel is migrating this memory page by page towards the threads that touch it: a
		 * process-wide migrate_pages would also carry off the pages of the other threads on that node.
		 * Only an explicit action = migrate does it. */
		if (c->kernel_migrates && c->mode != BAL_MODE_MIGRATE)
			continue;
		/* migrate mode, or the thread cannot be moved: bring its memory to it. */
		a->kind = BAL_MIGRATE;
		a->from = to;
		a->to = from;
		snprintf(a->reason, sizeof(a->reason), "%s: memory migrated to the thread's node",
			 c->mode == BAL_MODE_MIGRATE ? "action = migrate"
			 : t->movable           ? "no free CPU slot on the memory's node"
						: "thread not pinned by numarun");
		t->moved_from = -1;
		t->moved_seq = w->scan_seq;
		t->moved_tick = w->tick;
		t->above = t->under = 0;
		record_move(w);
		na++;
	}
	free(order);

	if (any_above)
		w->converged = 0;
	if (any_judged && all_settled && !w->converged) {
		w->converged = 1;
		*converged_now = 1;
	}
	return na;
}
