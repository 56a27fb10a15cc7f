/* test_owner.c - telling the masks numarun set (or a new thread inherited from one) from the program's. */
#include "config.h"
#include <stdlib.h>
#include "testutil.h"
#include "owner.h"

static hwloc_bitmap_t set_of(const char *list)
{
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	hwloc_bitmap_list_sscanf(b, list);
	return b;
}

#define TOL 0.01

static enum thread_owner classify_in(const struct owner_log *l, const char *launch, const char *mask, double start,
				     pid_t creator)
{
	hwloc_bitmap_t a = set_of(launch), b = set_of(mask);
	enum thread_owner o = owner_classify(l, a, b, start, creator, TOL);
	hwloc_bitmap_free(a);
	hwloc_bitmap_free(b);
	return o;
}

/* A new thread of process 100 (its creator is in the same process). */
static enum thread_owner classify(const struct owner_log *l, const char *launch, const char *mask, double start)
{
	return classify_in(l, launch, mask, start, 100);
}

static long open_at(struct owner_log *l, const char *cpus, double from)
{
	hwloc_bitmap_t b = set_of(cpus);
	long id = owner_log_open(l, b, 100, from);
	hwloc_bitmap_free(b);
	return id;
}

/* The mask the target was launched with is numarun's; any other mask, with nothing set yet, is the
 * program's (a taskset in the command line, a thread that pinned itself before numarun first looked). */
static void test_launch_mask_and_program_masks(void **state)
{
	(void)state;
	struct owner_log l = {0};
	assert_int_equal(classify(&l, "0-3", "0-3", 10.0), OWNER_NUMARUN);
	assert_int_equal(classify(&l, "0-3", "1", 10.0), OWNER_PROGRAM);
	assert_int_equal(classify(&l, "0-3", "0-7", 10.0), OWNER_PROGRAM); /* wider than the launch: still its own */
	assert_int_equal(classify(&l, "0-3", "0-2", -1), OWNER_PROGRAM);
	owner_log_free(&l);
}

/* A new thread created by a thread numarun pinned inherits that one-CPU mask: numarun's, so it is placed
 * again, not taken for the program's. One that pinned itself to that CPU before numarun pinned anything
 * is the program's. */
static void test_inherited_from_a_pinned_creator(void **state)
{
	(void)state;
	struct owner_log l = {0};
	open_at(&l, "0", 20.0); /* numarun pinned the main thread to CPU 0 at t = 20 s */
	assert_int_equal(classify(&l, "0-3", "0", 21.5), OWNER_NUMARUN);  /* created after: inherited */
	assert_int_equal(classify(&l, "0-3", "0", 20.005), OWNER_NUMARUN); /* within the start time's resolution */
	assert_int_equal(classify(&l, "0-3", "0", 19.0), OWNER_PROGRAM);  /* started before numarun pinned anything */
	assert_int_equal(classify(&l, "0-3", "1", 21.5), OWNER_PROGRAM);  /* a mask numarun never set */
	assert_int_equal(classify(&l, "0-3", "0", -1), OWNER_NUMARUN);    /* start unknown: any mask numarun set */
	/* Only a mask set in the creator's process is inherited: a process whose parent (200) numarun never
	 * pinned to CPU 0, found on CPU 0, was pinned there by the program (a taskset in a child). */
	assert_int_equal(classify_in(&l, "0-3", "0", 21.5, 200), OWNER_PROGRAM);
	assert_int_equal(classify_in(&l, "0-3", "0", 21.5, 100), OWNER_NUMARUN); /* forked by the pinned thread */
	assert_int_equal(classify_in(&l, "0-3", "0", 21.5, 0), OWNER_NUMARUN);   /* creator unknown */
	owner_log_free(&l);
}

/* A mask numarun replaced still counts for threads that started while it was in effect, and no longer
 * once pruned. */
static void test_replaced_masks_and_pruning(void **state)
{
	(void)state;
	struct owner_log l = {0};
	long a = open_at(&l, "2", 5.0);
	long b = open_at(&l, "3", 6.0);
	owner_log_close(&l, a, 8.0); /* moved from CPU 2 at t = 8 */
	assert_int_equal(classify(&l, "0-3", "2", 7.0), OWNER_NUMARUN);
	assert_int_equal(classify(&l, "0-3", "2", 9.0), OWNER_PROGRAM); /* created after the move: not from numarun */
	assert_int_equal(classify(&l, "0-3", "3", 9.0), OWNER_NUMARUN);
	owner_log_close(&l, a, 99.0); /* closing twice keeps the first end */
	assert_int_equal(classify(&l, "0-3", "2", 9.0), OWNER_PROGRAM);
	owner_log_prune(&l, 8.5);
	assert_int_equal(l.n, 1);
	assert_int_equal(classify(&l, "0-3", "2", 7.0), OWNER_PROGRAM);
	owner_log_close(&l, b, 10.0);
	owner_log_prune(&l, 9.0);
	assert_int_equal(l.n, 1); /* ended after the horizon: kept */
	owner_log_prune(&l, 11.0);
	assert_int_equal(l.n, 0);
	/* Many entries: closing finds each by id. */
	long ids[300];
	for (int i = 0; i < 300; i++)
		ids[i] = open_at(&l, i % 2 ? "1" : "0", 30.0 + i);
	for (int i = 0; i < 300; i += 3)
		owner_log_close(&l, ids[i], 400.0);
	owner_log_prune(&l, 500.0);
	assert_int_equal(l.n, 200);
	owner_log_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_launch_mask_and_program_masks),
		cmocka_unit_test(test_inherited_from_a_pinned_creator),
		cmocka_unit_test(test_replaced_masks_and_pruning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
