/* test_balance.c - the re-pin decision on canned sample sequences. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "balance.h"

struct bed {
	struct bal_config c;
	struct bal_world w;
	unsigned slots[4];
	struct bal_thread th[8];
	size_t n;
	struct bal_action act[16];
};

static void bed_init(struct bed *b, unsigned nnodes, unsigned free_per_node)
{
	memset(b, 0, sizeof(*b));
	b->c.threshold = 0.3;
	b->c.sustain = 3;
	b->c.settle = 3;
	b->c.refresh_seqs = 2;
	b->c.refresh_ticks = 3;
	b->c.max_moves_per_min = 10;
	b->c.mode = BAL_MODE_MOVE;
	b->w.nnodes = nnodes;
	b->w.free_slots = b->slots;
	b->w.scan_seq = -1;
	for (unsigned i = 0; i < nnodes; i++)
		b->slots[i] = free_per_node;
}

static size_t add(struct bed *b, int node, int best, double remote)
{
	struct bal_thread *t = &b->th[b->n];
	balance_thread_init(t, (pid_t)(100 + b->n));
	t->present = t->busy = t->movable = 1;
	t->node = node;
	t->best_node = best;
	t->remote = remote;
	return b->n++;
}

/* One tick: returns the number of actions. */
static size_t tick(struct bed *b, int *conv)
{
	int c;
	size_t na = balance_decide(&b->c, &b->w, b->th, b->n, b->act, 16, &c);
	b->w.tick++;
	b->w.now += 1.0;
	if (conv)
		*conv = c;
	return na;
}

static void test_hysteresis_needs_sustain(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 1);
	size_t t = add(&b, 1, 0, 0.9);
	assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(tick(&b, NULL), 0);
	/* A dip resets the count. */
	b.th[t].remote = 0.1;
	assert_int_equal(tick(&b, NULL), 0);
	b.th[t].remote = 0.9;
	assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MOVE);
	assert_int_equal(b.act[0].from, 1);
	assert_int_equal(b.act[0].to, 0);
	assert_int_equal(b.th[t].node, 0);
	assert_int_equal(b.slots[0], 0);
	assert_int_equal(b.slots[1], 2);
	balance_world_free(&b.w);
}

static void test_idle_threads_not_judged(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 1);
	size_t t = add(&b, 1, 0, 1.0);
	b.th[t].busy = 0;
	for (int i = 0; i < 10; i++)
		assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(b.th[t].above, 0);
	assert_false(b.th[t].judged);
	balance_world_free(&b.w);
}

static void test_no_capacity_no_partner_migrates(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 0);
	add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MIGRATE);
	/* memory goes from node 0 to the thread's node 1 */
	assert_int_equal(b.act[0].from, 0);
	assert_int_equal(b.act[0].to, 1);
	assert_int_equal(b.th[0].node, 1);
	balance_world_free(&b.w);
}

static void test_swap_when_full(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 0);
	add(&b, 1, 0, 0.8);
	add(&b, 0, 1, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_SWAP);
	/* the worse thread (index 1, remote 0.9) leads */
	assert_int_equal(b.act[0].a, 1);
	assert_int_equal(b.act[0].b, 0);
	assert_int_equal(b.th[0].node, 0);
	assert_int_equal(b.th[1].node, 1);
	balance_world_free(&b.w);
}

static void test_migrate_mode(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 4);
	b.c.mode = BAL_MODE_MIGRATE;
	add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MIGRATE);
	assert_int_equal(b.th[0].node, 1);
	assert_int_equal(b.slots[0], 4);
	balance_world_free(&b.w);
}

static void test_observe_only(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 4);
	b.c.mode = BAL_MODE_NONE;
	add(&b, 1, 0, 0.9);
	for (int i = 0; i < 6; i++)
		assert_int_equal(tick(&b, NULL), 0);
	assert_true(b.th[0].above >= 3);
	balance_world_free(&b.w);
}

static void test_refresh_waits_for_scan_seq(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 2);
	b.w.scan_seq = 10;
	add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	/* Its old samples still say remote: it is not judged until the sequence moved on twice. */
	b.th[0].best_node = 1;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(tick(&b, NULL), 0);
		assert_false(b.th[0].judged);
	}
	b.w.scan_seq = 11;
	tick(&b, NULL);
	assert_false(b.th[0].judged);
	b.w.scan_seq = 12;
	tick(&b, NULL);
	assert_true(b.th[0].judged);
	balance_world_free(&b.w);
}

static void test_refresh_gives_up_waiting_for_a_slow_scan(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 2);
	b.c.refresh_max_ticks = 8;
	b.w.scan_seq = 10;
	add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1); /* moved at tick 2 */
	b.th[0].remote = 0.0;
	for (int i = 0; i < 7; i++) {
		tick(&b, NULL);
		assert_false(b.th[0].judged);
	}
	/* The scan sequence never moved: after 8 ticks its (unchanging) samples are judged. */
	tick(&b, NULL);
	assert_true(b.th[0].judged);
	int conv = 0;
	for (int i = 0; i < 3 && !conv; i++)
		tick(&b, &conv);
	assert_true(conv);
	balance_world_free(&b.w);
}

static void test_bounce_freezes(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 2);
	add(&b, 1, 0, 0.9);
	for (int i = 0; i < 3; i++)
		tick(&b, NULL);
	assert_int_equal(b.th[0].node, 0);
	/* The memory followed it: now node 1 looks best again. */
	b.th[0].best_node = 1;
	size_t na = 0;
	for (int i = 0; i < 10 && !na; i++)
		na = tick(&b, NULL);
	assert_int_equal(na, 1);
	assert_int_equal(b.act[0].kind, BAL_FREEZE);
	assert_true(b.th[0].frozen);
	assert_int_equal(b.th[0].node, 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(b.th[0].moves, 1);
	balance_world_free(&b.w);
}

static void test_rate_limit(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 8);
	b.c.max_moves_per_min = 2;
	for (int i = 0; i < 4; i++)
		add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 2);
	/* The other two wait for the minute to pass. */
	for (int i = 0; i < 50; i++)
		assert_int_equal(tick(&b, NULL), 0);
	b.w.now += 10;
	assert_int_equal(tick(&b, NULL), 2);
	balance_world_free(&b.w);
}

/* The limit holds for any max_moves_per_minute: past 256 a minute too (a fixed ring of 256 counted no
 * more than 256, and let every candidate through). */
static void test_rate_limit_past_256(void **state)
{
	(void)state;
	enum { N = 1500 };
	struct bal_config c;
	struct bal_world w;
	unsigned slots[2] = {N, 0};
	struct bal_thread *th = calloc(N, sizeof(*th));
	struct bal_action *act = calloc(N, sizeof(*act));
	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	c.threshold = 0.3;
	c.sustain = 1;
	c.settle = 3;
	c.refresh_ticks = 3;
	c.max_moves_per_min = 1000;
	c.mode = BAL_MODE_MOVE;
	w.nnodes = 2;
	w.free_slots = slots;
	w.scan_seq = -1;
	for (size_t i = 0; i < N; i++) {
		balance_thread_init(&th[i], (pid_t)(1000 + i));
		th[i].present = th[i].busy = th[i].movable = 1;
		th[i].node = 1;
		th[i].best_node = 0;
		th[i].remote = 0.9;
	}
	int conv;
	size_t moved = 0;
	for (int t = 0; t < 30; t++) {
		moved += balance_decide(&c, &w, th, N, act, N, &conv);
		w.tick++;
		w.now += 1.0;
	}
	assert_int_equal(moved, 1000);
	assert_int_equal(balance_recent_moves(&w), 1000);
	assert_int_equal(slots[0], N - 1000);
	/* A minute after the first moves, the rest. */
	w.now += 31;
	size_t more = balance_decide(&c, &w, th, N, act, N, &conv);
	assert_int_equal(more, N - 1000);
	assert_int_equal(balance_recent_moves(&w), N - 1000);
	balance_world_free(&w);
	free(th);
	free(act);
}

/* A thread that would bounce back to the node it was moved from is frozen, not swapped back as the other
 * half of another thread's swap; and nothing is done to it from then on. */
static void test_no_swap_round_the_freeze(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 0);
	size_t a = add(&b, 1, 0, 0.95); /* wants node 0, leads (the worse) */
	size_t o = add(&b, 0, 1, 0.8);  /* moved here from node 1, its memory followed it: a bounce */
	b.th[o].moved_from = 1;
	b.th[o].moves = 1;
	size_t na = 0;
	for (int i = 0; i < 3; i++)
		na = tick(&b, NULL);
	int froze = 0;
	for (size_t k = 0; k < na; k++) {
		assert_int_not_equal(b.act[k].kind, BAL_SWAP);
		if (b.act[k].kind == BAL_FREEZE) {
			assert_int_equal(b.act[k].a, o);
			froze = 1;
		}
	}
	assert_true(froze);
	assert_true(b.th[o].frozen);
	assert_int_equal(b.th[o].node, 0);
	assert_int_equal(b.th[o].moves, 1);
	/* Later ticks: still no action that names it, as either thread. */
	for (int i = 0; i < 20; i++) {
		na = tick(&b, NULL);
		for (size_t k = 0; k < na; k++) {
			assert_int_not_equal(b.act[k].a, o);
			if (b.act[k].kind == BAL_SWAP)
				assert_int_not_equal(b.act[k].b, o);
		}
	}
	assert_int_equal(b.th[o].node, 0);
	assert_int_equal(b.th[a].node, 1);
	balance_world_free(&b.w);
	balance_world_free(&b.w);
}

static void test_thread_exits_mid_sample(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 1);
	add(&b, 1, 0, 0.9);
	add(&b, 1, 0, 0.95);
	tick(&b, NULL);
	tick(&b, NULL);
	b.th[1].present = 0; /* gone: ESRCH on its files */
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].a, 0);
	assert_int_equal(b.th[0].node, 0);
	balance_world_free(&b.w);
}

static void test_convergence(void **state)
{
	(void)state;
	struct bed b;
	int conv;
	bed_init(&b, 2, 2);
	add(&b, 0, 0, 0.05);
	add(&b, 1, 1, 0.02);
	tick(&b, &conv);
	assert_false(conv);
	tick(&b, &conv);
	assert_false(conv);
	tick(&b, &conv);
	assert_true(conv);
	tick(&b, &conv);
	assert_false(conv); /* reported once */
	b.th[0].remote = 0.9;
	tick(&b, &conv);
	assert_false(b.w.converged);
	b.th[0].remote = 0.0;
	for (int i = 0; i < 2; i++) {
		tick(&b, &conv);
		assert_false(conv);
	}
	tick(&b, &conv);
	assert_true(conv);
	balance_world_free(&b.w);
}

static void test_unpinned_thread_gets_memory(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 4);
	add(&b, 1, 0, 0.9);
	b.th[0].movable = 0;
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MIGRATE);
	assert_non_null(strstr(b.act[0].reason, "not pinned"));
	balance_world_free(&b.w);
}

/* The memory policy is a contract: memory bound to node 0, the plan's CPUs on node 1 only. No move (no
 * CPU there), no migration (outside the policy): one "unfixable" action, then silence. */
static void test_unfixable_within_the_policy(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 0);
	unsigned node_slots[2] = {0, 2};
	unsigned char mem_ok[2] = {1, 0};
	b.w.node_slots = node_slots;
	b.w.mem_ok = mem_ok;
	size_t t = add(&b, 1, 0, 0.95);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_UNFIXABLE);
	assert_int_equal(b.act[0].from, 1);
	assert_int_equal(b.act[0].to, 0);
	assert_non_null(strstr(b.act[0].reason, "the plan has no CPU there"));
	for (int k = 0; k < 10; k++)
		assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(b.th[t].node, 1);
	assert_int_equal(b.th[t].moves, 0);
	/* A thread numarun does not pin (--monitor alone): the same, for that reason. */
	balance_world_free(&b.w);
	bed_init(&b, 2, 0);
	b.w.node_slots = node_slots;
	b.w.mem_ok = mem_ok;
	t = add(&b, 1, 0, 0.95);
	b.th[t].movable = 0;
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_UNFIXABLE);
	assert_non_null(strstr(b.act[0].reason, "not pinned by numarun"));
	/* If its memory later sits elsewhere, it is judged afresh. */
	unsigned char mem_ok3[3] = {1, 0, 1};
	unsigned node_slots3[3] = {0, 2, 0};
	balance_world_free(&b.w);
	bed_init(&b, 3, 0);
	b.w.node_slots = node_slots3;
	b.w.mem_ok = mem_ok3;
	t = add(&b, 1, 0, 0.95);
	for (int k = 0; k < 3; k++)
		tick(&b, NULL);
	assert_int_equal(b.act[0].kind, BAL_UNFIXABLE);
	b.th[t].best_node = 2; /* still above the threshold all along: judged at once */
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_UNFIXABLE);
	assert_int_equal(b.act[0].to, 2);
	balance_world_free(&b.w);
}

/* With CPUs on the memory's node but none free, a thread whose own node is outside the policy waits for
 * a slot instead of migrating memory out of the policy's nodes. Once one frees up, it moves. */
static void test_never_migrates_outside_the_policy(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 0);
	unsigned node_slots[2] = {2, 2};
	unsigned char mem_ok[2] = {1, 0};
	b.w.node_slots = node_slots;
	b.w.mem_ok = mem_ok;
	size_t t = add(&b, 1, 0, 0.9);
	for (int k = 0; k < 8; k++)
		assert_int_equal(tick(&b, NULL), 0);
	b.slots[0] = 1;
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MOVE);
	assert_int_equal(b.th[t].node, 0);
	/* Migrate mode: the memory may not come, so the thread goes to it. */
	balance_world_free(&b.w);
	bed_init(&b, 2, 1);
	b.c.mode = BAL_MODE_MIGRATE;
	b.w.node_slots = node_slots;
	b.w.mem_ok = mem_ok;
	t = add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MOVE);
	/* Both nodes in the policy (bind 0,1): migration to the thread's node is allowed. */
	unsigned char both[2] = {1, 1};
	balance_world_free(&b.w);
	bed_init(&b, 2, 0);
	b.c.mode = BAL_MODE_MIGRATE;
	b.w.node_slots = node_slots;
	b.w.mem_ok = both;
	t = add(&b, 1, 0, 0.9);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MIGRATE);
	assert_int_equal(b.act[0].to, 1);
	balance_world_free(&b.w);
}

/* Interleaved memory is remote by design: nobody is a candidate, whatever the share. */
static void test_interleaved_never_acts(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 2);
	b.c.interleaved = 1;
	add(&b, 1, 0, 0.5);
	add(&b, 0, 1, 0.99);
	for (int k = 0; k < 20; k++)
		assert_int_equal(tick(&b, NULL), 0);
	assert_int_equal(b.th[0].moves + b.th[1].moves, 0);
	balance_world_free(&b.w);
}

/* The kernel migrates the memory too: while a thread's remote share falls from scan to scan, the kernel
 * is fixing it and numarun leaves it; samples from the same scan count once; a share that stays up for
 * sustain scans is acted on. */
static void test_kernel_migrating_is_given_its_chance(void **state)
{
	(void)state;
	struct bed b;
	bed_init(&b, 2, 1);
	b.c.kernel_migrates = 1;
	b.w.scan_seq = 10;
	size_t t = add(&b, 1, 0, 0.9);
	static const double falling[] = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.2, 0.1};
	for (size_t k = 0; k < sizeof(falling) / sizeof(falling[0]); k++) {
		b.th[t].remote = falling[k];
		assert_int_equal(tick(&b, NULL), 0);
		/* The same scan's data, read again, does not count either. */
		assert_int_equal(tick(&b, NULL), 0);
		b.w.scan_seq++;
	}
	assert_int_equal(b.th[t].moves, 0);
	/* Stuck high: three scans without improvement, then a move. */
	b.th[t].remote = 0.9;
	size_t na = 0;
	int ticks = 0;
	while (!na && ticks < 20) {
		na = tick(&b, NULL);
		na += tick(&b, NULL);
		b.w.scan_seq++;
		ticks += 2;
	}
	assert_int_equal(na, 1);
	assert_int_equal(b.act[0].kind, BAL_MOVE);
	assert_int_equal(ticks, 6); /* 3 scans, 2 ticks each */
	/* No free slot on the memory's node and no partner: with the kernel migrating, no process-wide
	 * migration (it would carry off the other threads' pages); with action = migrate, the user's choice. */
	balance_world_free(&b.w);
	bed_init(&b, 2, 0);
	b.c.kernel_migrates = 1;
	b.w.scan_seq = 1;
	add(&b, 1, 0, 0.9);
	for (int k = 0; k < 12; k++) {
		assert_int_equal(tick(&b, NULL), 0);
		b.w.scan_seq++;
	}
	b.c.mode = BAL_MODE_MIGRATE;
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_MIGRATE);
	/* The kernel cannot bring pages to a node the policy excludes (bind 0, thread on node 1): nothing to
	 * wait for, the samples count as usual and the thread is reported at once. */
	unsigned node_slots[2] = {0, 2};
	unsigned char mem_ok[2] = {1, 0};
	balance_world_free(&b.w);
	bed_init(&b, 2, 0);
	b.c.kernel_migrates = 1;
	b.w.node_slots = node_slots;
	b.w.mem_ok = mem_ok;
	b.w.scan_seq = 3;
	add(&b, 1, 0, 1.0);
	tick(&b, NULL);
	tick(&b, NULL);
	assert_int_equal(tick(&b, NULL), 1);
	assert_int_equal(b.act[0].kind, BAL_UNFIXABLE);
	balance_world_free(&b.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hysteresis_needs_sustain),
		cmocka_unit_test(test_idle_threads_not_judged),
		cmocka_unit_test(test_no_capacity_no_partner_migrates),
		cmocka_unit_test(test_swap_when_full),
		cmocka_unit_test(test_migrate_mode),
		cmocka_unit_test(test_observe_only),
		cmocka_unit_test(test_refresh_waits_for_scan_seq),
		cmocka_unit_test(test_refresh_gives_up_waiting_for_a_slow_scan),
		cmocka_unit_test(test_bounce_freezes),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_rate_limit_past_256),
		cmocka_unit_test(test_no_swap_round_the_freeze),
		cmocka_unit_test(test_thread_exits_mid_sample),
		cmocka_unit_test(test_convergence),
		cmocka_unit_test(test_unpinned_thread_gets_memory),
		cmocka_unit_test(test_unfixable_within_the_policy),
		cmocka_unit_test(test_never_migrates_outside_the_policy),
		cmocka_unit_test(test_interleaved_never_acts),
		cmocka_unit_test(test_kernel_migrating_is_given_its_chance),
	};
	return cmocka_run_group_tests_name("balance", tests, NULL, NULL);
}
