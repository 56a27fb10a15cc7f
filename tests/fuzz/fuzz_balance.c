/*
 * fuzz_balance.c - balance_decide over random sample sequences: a plan's CPU slots per node, threads that
 * numarun pinned into them (movable) or not, and per tick each thread's samples (busy, remote share, best
 * node), the clock and the scan sequence. Checked on every tick:
 *   no action names a thread or node outside the plan (a thread moved only to a node where the plan has a
 *   free CPU slot, memory migrated only to a node the memory policy allows), no action on a thread that
 *   was frozen, a swap exchanges two movable threads, and the moves (thread moves, swaps, migrations) in
 *   any 60 seconds stay within max_moves_per_min.
 */
#include "config.h"
#include "balance.h"
#include "fuzz.h"

#define MAX_NODES 8
#define MAX_THREADS 48
#define MAX_ACTIONS 64
#define MAX_TICKS 64
/* Every move made, with its time (a harness-side log, independent of balance.c's ring). */
#define MAX_LOG (MAX_TICKS * MAX_ACTIONS)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct bal_config c;
	memset(&c, 0, sizeof(c));
	c.threshold = fuzz_share(&in);
	c.sustain = fuzz_below(&in, 5);
	c.settle = fuzz_below(&in, 6);
	c.refresh_seqs = fuzz_below(&in, 4);
	c.refresh_ticks = fuzz_below(&in, 4);
	c.refresh_max_ticks = fuzz_below(&in, 10);
	unsigned mm = fuzz_u8(&in);
	/* The policy allows 1 to 100000 a minute; mostly small. */
	c.max_moves_per_min = mm & 0x80 ? 1 + fuzz_u16(&in) % 1000 : mm % 20;
	unsigned f = fuzz_u8(&in);
	c.mode = (enum bal_mode)(f % 3);
	c.interleaved = f >> 2 & 1;
	c.kernel_migrates = f >> 3 & 1;

	unsigned nnodes = 1 + fuzz_below(&in, MAX_NODES);
	unsigned node_slots[MAX_NODES], free_slots[MAX_NODES];
	unsigned char mem_ok[MAX_NODES];
	for (unsigned i = 0; i < nnodes; i++) {
		node_slots[i] = fuzz_below(&in, 9);
		mem_ok[i] = (unsigned char)(fuzz_u8(&in) & 1);
	}
	struct bal_world w;
	memset(&w, 0, sizeof(w));
	w.nnodes = nnodes;
	w.free_slots = free_slots;
	w.node_slots = f >> 4 & 1 ? NULL : node_slots;
	w.mem_ok = f >> 5 & 1 ? NULL : mem_ok;
	w.scan_seq = f >> 6 & 1 ? -1 : 0;

	/* Threads: the movable ones hold a slot of the plan on their node. */
	size_t n = fuzz_below(&in, MAX_THREADS + 1);
	struct bal_thread th[MAX_THREADS];
	unsigned used[MAX_NODES] = {0};
	for (size_t i = 0; i < n; i++) {
		balance_thread_init(&th[i], (pid_t)(1000 + i));
		int node = (int)fuzz_below(&in, nnodes);
		th[i].movable = (fuzz_u8(&in) & 1) && used[node] < node_slots[node];
		if (th[i].movable)
			used[node]++;
		th[i].node = node;
	}
	for (unsigned i = 0; i < nnodes; i++)
		free_slots[i] = node_slots[i] - used[i];

	static double log_t[MAX_LOG];
	size_t nlog = 0;
	struct bal_action out[MAX_ACTIONS];
	unsigned ticks = fuzz_below(&in, MAX_TICKS + 1);
	for (unsigned tick = 0; tick < ticks && in.n; tick++) {
		w.tick = tick;
		w.now += fuzz_u8(&in) / 8.0; /* 0 to 32 s a tick */
		if (w.scan_seq >= 0)
			w.scan_seq += fuzz_below(&in, 3);
		int frozen[MAX_THREADS];
		for (size_t i = 0; i < n; i++) {
			struct bal_thread *t = &th[i];
			unsigned s = fuzz_u8(&in);
			t->present = !(s & 1) || (s & 2);
			t->busy = !!(s & 4);
			t->best_node = (int)fuzz_below(&in, nnodes + 1) - 1;
			t->remote = fuzz_share(&in);
			/* A thread numarun did not pin runs where the scheduler puts it. */
			if (!t->movable && (s & 8))
				t->node = (int)fuzz_below(&in, nnodes + 1) - 1;
			frozen[i] = t->frozen;
		}
		unsigned free_before[MAX_NODES];
		memcpy(free_before, free_slots, sizeof(free_slots));
		int conv = -1;
		size_t na = balance_decide(&c, &w, th, n, out, MAX_ACTIONS, &conv);
		FUZZ_CHECK(na <= MAX_ACTIONS);
		FUZZ_CHECK(conv == 0 || conv == 1);
		for (size_t k = 0; k < na; k++) {
			const struct bal_action *a = &out[k];
			FUZZ_CHECK(a->a < n && a->b < n);
			FUZZ_CHECK(!frozen[a->a] && !frozen[a->b]);
			FUZZ_CHECK(a->from >= 0 && a->from < (int)nnodes && a->to >= 0 && a->to < (int)nnodes);
			switch (a->kind) {
			case BAL_MOVE:
				FUZZ_CHECK(th[a->a].movable);
				FUZZ_CHECK(th[a->a].node == a->to);
				/* A slot free then (one another move of this tick may have freed). */
				FUZZ_CHECK(free_before[a->to] > 0);
				free_before[a->to]--;
				free_before[a->from]++;
				if (w.node_slots)
					FUZZ_CHECK(node_slots[a->to] > 0);
				FUZZ_CHECK(c.mode != BAL_MODE_NONE);
				break;
			case BAL_SWAP:
				FUZZ_CHECK(a->a != a->b && th[a->a].movable && th[a->b].movable);
				FUZZ_CHECK(th[a->a].node == a->to && th[a->b].node == a->from);
				FUZZ_CHECK(c.mode == BAL_MODE_MOVE);
				break;
			case BAL_MIGRATE:
				/* Memory goes to the thread's node, one the memory policy allows. */
				FUZZ_CHECK(!w.mem_ok || mem_ok[a->to]);
				FUZZ_CHECK(th[a->a].node == a->to);
				FUZZ_CHECK(c.mode != BAL_MODE_NONE);
				break;
			case BAL_FREEZE:
				FUZZ_CHECK(th[a->a].frozen);
				break;
			case BAL_UNFIXABLE:
				break;
			}
			if (a->kind == BAL_MOVE || a->kind == BAL_SWAP || a->kind == BAL_MIGRATE) {
				FUZZ_CHECK(nlog < MAX_LOG);
				log_t[nlog++] = w.now;
			}
		}
		FUZZ_CHECK(memcmp(free_before, free_slots, sizeof(free_slots)) == 0);
		for (unsigned i = 0; i < nnodes; i++) {
			FUZZ_CHECK(free_slots[i] <= 1000); /* never wrapped below zero */
			if (w.node_slots)
				FUZZ_CHECK(free_slots[i] <= node_slots[i]);
		}
		/* The rate limit, over the last minute (whatever the limit: the policy takes up to 100000). */
		unsigned recent = 0;
		for (size_t k = 0; k < nlog; k++)
			recent += w.now - log_t[k] < 60.0;
		FUZZ_CHECK(recent <= c.max_moves_per_min);
	}
	balance_world_free(&w);
	return 0;
}
