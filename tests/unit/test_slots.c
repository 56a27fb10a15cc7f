/* test_slots.c - CPU slots: choosing (compact, spread, within nodes), taking and releasing, free counts
 * derived from the loads, and a swap that the kernel half refuses. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "slots.h"

/* 2 nodes, 3 slots each: slots 0-2 on node 0, 3-5 on node 1. */
static void two_nodes(struct slots *s)
{
	static const int node[6] = {0, 0, 0, 1, 1, 1};
	slots_init(s, 6, 2, node);
}

static void test_compact_fills_in_order(void **state)
{
	(void)state;
	struct slots s;
	two_nodes(&s);
	int at[7];
	for (int i = 0; i < 6; i++) {
		at[i] = -1;
		slots_assign(&s, &at[i], slots_choose(&s, NULL, THREADS_COMPACT));
		assert_int_equal(at[i], i);
	}
	/* All loaded once: the next doubles up on the first. */
	at[6] = -1;
	slots_assign(&s, &at[6], slots_choose(&s, NULL, THREADS_COMPACT));
	assert_int_equal(at[6], 0);
	assert_int_equal(s.load[0], 2);
	slots_free(&s);
}

static void test_spread_alternates_nodes(void **state)
{
	(void)state;
	struct slots s;
	two_nodes(&s);
	int want[6] = {0, 3, 1, 4, 2, 5};
	for (int i = 0; i < 6; i++) {
		int at = -1;
		slots_assign(&s, &at, slots_choose(&s, NULL, THREADS_SPREAD));
		assert_int_equal(at, want[i]);
	}
	slots_free(&s);
}

static void test_within_nodes(void **state)
{
	(void)state;
	struct slots s;
	two_nodes(&s);
	hwloc_bitmap_t n1 = tu_set("1");
	int at = -1;
	slots_assign(&s, &at, slots_choose(&s, n1, THREADS_COMPACT));
	assert_int_equal(at, 3);
	assert_true(slots_allowed(&s, 4, n1));
	assert_false(slots_allowed(&s, 0, n1));
	assert_true(slots_allowed(&s, 0, NULL));
	hwloc_bitmap_t none = tu_set("7");
	assert_int_equal(slots_choose(&s, none, THREADS_SPREAD), -1);
	hwloc_bitmap_free(n1);
	hwloc_bitmap_free(none);
	slots_free(&s);
}

/* Free counts come from the loads: they follow every take and release, whatever the order. */
static void test_free_is_derived(void **state)
{
	(void)state;
	struct slots s;
	two_nodes(&s);
	unsigned on[2], fr[2];
	slots_count(&s, on, fr);
	assert_int_equal(on[0], 3);
	assert_int_equal(on[1], 3);
	assert_int_equal(fr[0], 3);
	int a = -1, b = -1;
	slots_assign(&s, &a, 3);
	slots_assign(&s, &b, 3); /* two threads on one slot */
	assert_int_equal(slots_free_on(&s, 1), 2);
	slots_assign(&s, &a, 0);
	assert_int_equal(slots_free_on(&s, 1), 2); /* b still there */
	assert_int_equal(slots_free_on(&s, 0), 2);
	slots_assign(&s, &b, -1);
	assert_int_equal(slots_free_on(&s, 1), 3);
	assert_int_equal(slots_first_free(&s, 0), 1);
	assert_int_equal(b, -1);
	slots_assign(&s, &b, -1); /* releasing nothing changes nothing */
	slots_count(&s, on, fr);
	assert_int_equal(fr[0], 2);
	assert_int_equal(fr[1], 3);
	slots_free(&s);
}

/* A fake kernel: the CPU (slot) each thread has, and the calls that fail. */
struct kernel {
	int cpu[2];
	int calls, fail_at[3];
};

static int fake_pin(void *ctx, int who, int slot)
{
	struct kernel *k = ctx;
	int n = k->calls++;
	for (int i = 0; i < 3; i++)
		if (k->fail_at[i] == n)
			return -EINVAL; /* refused: the thread keeps its CPU */
	k->cpu[who] = slot;
	return 0;
}

static void swap_with(struct kernel *k, int *a, int *b, int *rc, struct slots *s)
{
	two_nodes(s);
	*a = *b = -1;
	slots_assign(s, a, 1);
	slots_assign(s, b, 4);
	k->cpu[0] = 1;
	k->cpu[1] = 4;
	*rc = slots_swap(s, a, b, fake_pin, k);
}

static void test_swap(void **state)
{
	(void)state;
	struct slots s;
	struct kernel k = {.fail_at = {-1, -1, -1}};
	int a, b, rc;
	swap_with(&k, &a, &b, &rc, &s);
	assert_int_equal(rc, 0);
	assert_int_equal(a, 4);
	assert_int_equal(b, 1);
	assert_int_equal(s.load[1], 1);
	assert_int_equal(s.load[4], 1);
	slots_free(&s);
}

/* The kernel refuses one half of a swap: the records must say what the kernel has, not "unpinned". */
static void test_swap_half_refused(void **state)
{
	(void)state;
	struct slots s;
	int a, b, rc;
	/* The first thread refused: nothing changed. */
	struct kernel k1 = {.fail_at = {0, -1, -1}};
	swap_with(&k1, &a, &b, &rc, &s);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(a, k1.cpu[0]);
	assert_int_equal(b, k1.cpu[1]);
	assert_int_equal(a, 1);
	assert_int_equal(s.load[1] + s.load[4], 2);
	slots_free(&s);
	/* The second refused: the first is set back. */
	struct kernel k2 = {.fail_at = {1, -1, -1}};
	swap_with(&k2, &a, &b, &rc, &s);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(a, k2.cpu[0]);
	assert_int_equal(b, k2.cpu[1]);
	assert_int_equal(a, 1);
	assert_int_equal(b, 4);
	assert_int_equal(s.load[1], 1);
	assert_int_equal(s.load[4], 1);
	slots_free(&s);
	/* The second refused and setting the first back too: both on the second's slot, as the kernel has. */
	struct kernel k3 = {.fail_at = {1, 2, -1}};
	swap_with(&k3, &a, &b, &rc, &s);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(a, k3.cpu[0]);
	assert_int_equal(b, k3.cpu[1]);
	assert_int_equal(a, 4);
	assert_int_equal(b, 4);
	assert_int_equal(s.load[4], 2);
	assert_int_equal(s.load[1], 0);
	slots_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_fills_in_order),
		cmocka_unit_test(test_spread_alternates_nodes),
		cmocka_unit_test(test_within_nodes),
		cmocka_unit_test(test_free_is_derived),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_swap_half_refused),
	};
	return cmocka_run_group_tests_name("slots", tests, NULL, NULL);
}
