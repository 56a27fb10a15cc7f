/* test_threads.c - the thread table: canned task lists merged into the previous table (new, continuing,
 * ended; a reused TID; lists that could not be read), the reader on this process, the PID-counter range
 * (which TIDs can be new since the last tick) and the schedule of idle threads' readings. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "testutil.h"
#include "threads.h"

static const struct thread_key prev3[] = {
	{100, 100, 5000},
	{100, 101, 5010},
	{100, 102, 5020},
};

static void read_of(struct task_read *r, pid_t target)
{
	memset(r, 0, sizeof(*r));
	r->target = target;
}

static void test_new_continue_departed(void **state)
{
	(void)state;
	struct task_read r;
	read_of(&r, 100);
	task_read_proc(&r, 100, 0);
	task_read_add(&r, 100, 103, 5100, 1, "new");
	task_read_add(&r, 100, 100, 5000, 1, "main");
	task_read_add(&r, 100, 102, 5020, 1, "w2");
	task_read_sort(&r);
	struct thread_merge m;
	assert_int_equal(threads_merge(prev3, 3, &r, &m), 0);
	assert_false(m.gone);
	assert_int_equal(m.kept, 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.rows[0].key.tid, 100);
	assert_int_equal(m.rows[0].prev, 0);
	assert_int_equal(m.rows[1].key.tid, 102);
	assert_int_equal(m.rows[1].prev, 2);
	assert_int_equal(m.rows[2].key.tid, 103);
	assert_int_equal(m.rows[2].prev, -1);
	assert_string_equal(r.v[m.rows[2].now].comm, "new");
	assert_int_equal(m.nnew, 1);
	assert_int_equal(m.ndeparted, 1);
	assert_int_equal(m.departed[0], 1);
	threads_merge_free(&m);
	task_read_free(&r);
}

/* TID 101 ended and the kernel gave its number to a new thread: a new record, not the dead one's. */
static void test_reused_tid_is_a_new_thread(void **state)
{
	(void)state;
	struct task_read r;
	read_of(&r, 100);
	task_read_proc(&r, 100, 0);
	task_read_add(&r, 100, 100, 5000, 1, "main");
	task_read_add(&r, 100, 101, 7777, 1, "other");
	task_read_add(&r, 100, 102, 5020, 1, "w2");
	struct thread_merge m;
	assert_int_equal(threads_merge(prev3, 3, &r, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.rows[1].key.tid, 101);
	assert_int_equal(m.rows[1].prev, -1);
	assert_int_equal(m.rows[1].key.start, 7777);
	assert_int_equal(m.nnew, 1);
	assert_int_equal(m.ndeparted, 1);
	assert_int_equal(m.departed[0], 1);
	assert_int_equal(m.rows[0].prev, 0);
	assert_int_equal(m.rows[2].prev, 2);
	threads_merge_free(&m);
	task_read_free(&r);
}

/* A start time that could not be read (out of descriptors) does not make the thread a new one. */
static void test_unknown_start_continues(void **state)
{
	(void)state;
	struct task_read r;
	read_of(&r, 100);
	task_read_proc(&r, 100, 0);
	task_read_add(&r, 100, 100, 5000, 1, "main");
	task_read_add(&r, 100, 101, 0, 0, NULL);
	task_read_add(&r, 100, 102, 5020, 1, "w2");
	struct thread_merge m;
	assert_int_equal(threads_merge(prev3, 3, &r, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.ndeparted, 0);
	assert_int_equal(m.nnew, 0);
	assert_int_equal(m.rows[1].prev, 1);
	assert_int_equal(m.rows[1].key.start, 5010); /* the one known before */
	assert_false(r.v[1].have_stat);
	threads_merge_free(&m);
	task_read_free(&r);
}

/* Out of file descriptors reading /proc/<target>/task: not "every thread exited". */
static void test_unreadable_list_keeps_the_table(void **state)
{
	(void)state;
	int errs[] = {-EMFILE, -ENFILE, -EACCES, -EIO};
	for (size_t e = 0; e < sizeof(errs) / sizeof(errs[0]); e++) {
		struct task_read r;
		read_of(&r, 100);
		task_read_proc(&r, 100, errs[e]);
		struct thread_merge m;
		assert_int_equal(threads_merge(prev3, 3, &r, &m), 0);
		assert_false(m.gone);
		assert_int_equal(m.kept, errs[e]);
		assert_int_equal(m.kept_pid, 100);
		assert_int_equal(m.n, 3);
		assert_int_equal(m.ndeparted, 0);
		assert_int_equal(m.nnew, 0);
		for (size_t i = 0; i < 3; i++) {
			assert_int_equal(m.rows[i].prev, (long)i);
			assert_int_equal(m.rows[i].now, -1);
			assert_int_equal(m.rows[i].key.start, prev3[i].start);
		}
		threads_merge_free(&m);
		task_read_free(&r);
	}
}

/* ENOENT or ESRCH of the target's list: it is gone, and its threads ended. */
static void test_gone_target(void **state)
{
	(void)state;
	int errs[] = {-ENOENT, -ESRCH};
	for (size_t e = 0; e < 2; e++) {
		struct task_read r;
		read_of(&r, 100);
		task_read_proc(&r, 100, errs[e]);
		struct thread_merge m;
		assert_int_equal(threads_merge(prev3, 3, &r, &m), 0);
		assert_true(m.gone);
		assert_int_equal(m.kept, 0);
		assert_int_equal(m.n, 0);
		assert_int_equal(m.ndeparted, 3);
		threads_merge_free(&m);
		task_read_free(&r);
	}
}

/* Child processes: one whose list cannot be read keeps its threads; one that ended loses them; when the
 * child processes cannot all be listed, those not looked at keep theirs. */
static void test_descendants(void **state)
{
	(void)state;
	static const struct thread_key prev[] = {
		{100, 100, 5000}, {200, 200, 6000}, {200, 201, 6001}, {300, 300, 7000}, {400, 400, 8000},
	};
	struct task_read r;
	read_of(&r, 100);
	task_read_proc(&r, 100, 0);
	task_read_add(&r, 100, 100, 5000, 1, "main");
	task_read_proc(&r, 200, -EMFILE);
	task_read_proc(&r, 300, -ENOENT);
	/* 400: no longer a child process, and the listing was whole */
	struct thread_merge m;
	assert_int_equal(threads_merge(prev, 5, &r, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.rows[1].key.pid, 200);
	assert_int_equal(m.rows[2].key.tid, 201);
	assert_int_equal(m.kept, -EMFILE);
	assert_int_equal(m.kept_pid, 200);
	assert_int_equal(m.ndeparted, 2);
	assert_int_equal(m.departed[0], 3);
	assert_int_equal(m.departed[1], 4);
	threads_merge_free(&m);
	r.descendants_err = -EMFILE; /* now the listing was cut short: 400 may still be there */
	assert_int_equal(threads_merge(prev, 5, &r, &m), 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(m.rows[3].key.pid, 400);
	assert_int_equal(m.ndeparted, 1);
	assert_int_equal(m.departed[0], 3);
	threads_merge_free(&m);
	task_read_free(&r);
}

static void *sleeper(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/* The reader on this process: every thread with its start time and name. */
static void test_read_real(void **state)
{
	(void)state;
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, sleeper, NULL), 0);
	pthread_setname_np(th, "sleeper");
	struct task_read r;
	threads_read(getpid(), 0, NULL, NULL, &r);
	assert_int_equal(r.nprocs, 1);
	assert_int_equal(r.procs[0].err, 0);
	assert_true(r.n >= 2);
	int found = 0;
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.v[i].key.pid, getpid());
		assert_true(r.v[i].have_stat);
		assert_true(r.v[i].key.start > 0);
		if (i)
			assert_true(r.v[i].key.tid > r.v[i - 1].key.tid);
		found += strcmp(r.v[i].comm, "sleeper") == 0;
	}
	assert_int_equal(found, 1);
	/* Merged into itself: everything continues. */
	struct thread_key *keys = calloc(r.n, sizeof(*keys));
	for (size_t i = 0; i < r.n; i++)
		keys[i] = r.v[i].key;
	struct thread_merge m;
	assert_int_equal(threads_merge(keys, r.n, &r, &m), 0);
	assert_int_equal(m.n, r.n);
	assert_int_equal(m.nnew + m.ndeparted, 0);
	threads_merge_free(&m);

	/* Out of file descriptors: the reading says so, and the merge keeps every thread. */
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int lowest = open("/dev/null", O_RDONLY | O_CLOEXEC); /* the lowest free descriptor */
	assert_true(lowest >= 0);
	close(lowest);
	low = old;
	low.rlim_cur = (rlim_t)lowest; /* every descriptor below the limit is in use: nothing left to open */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	struct task_read r2;
	threads_read(getpid(), 1, NULL, NULL, &r2);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(r2.procs[0].err, -EMFILE);
	assert_int_equal(r2.n, 0);
	assert_int_equal(threads_merge(keys, r.n, &r2, &m), 0);
	assert_false(m.gone);
	assert_int_equal(m.kept, -EMFILE);
	assert_int_equal(m.n, r.n);
	assert_int_equal(m.ndeparted, 0);
	threads_merge_free(&m);
	task_read_free(&r2);

	free(keys);
	task_read_free(&r);
	pthread_cancel(th);
	pthread_join(th, NULL);

	/* A process that does not exist is gone, and so are its threads. */
	static const struct thread_key ghost[] = {{999999999, 999999999, 1}, {999999999, 1000000000, 2}};
	threads_read(999999999, 1, NULL, NULL, &r);
	assert_int_equal(r.procs[0].err, -ENOENT);
	assert_int_equal(threads_merge(ghost, 2, &r, &m), 0);
	assert_true(m.gone);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.ndeparted, 2);
	threads_merge_free(&m);
	task_read_free(&r);
}

/* The range of PIDs handed out between two readings of the counter, straight and come round. */
static void test_pid_range(void **state)
{
	(void)state;
	struct pid_range r = {100, 105, 32768, 1};
	assert_int_equal(threads_range_size(&r), 5);
	assert_int_equal(threads_range_at(&r, 0), 101);
	assert_int_equal(threads_range_at(&r, 4), 105);
	assert_false(threads_range_has(&r, 100));
	assert_true(threads_range_has(&r, 101));
	assert_true(threads_range_has(&r, 105));
	assert_false(threads_range_has(&r, 106));
	/* Came round after 32767: (32760, 32768) then [1, 3]. */
	struct pid_range w = {32760, 3, 32768, 1};
	assert_int_equal(threads_range_size(&w), 10);
	assert_int_equal(threads_range_at(&w, 0), 32761);
	assert_int_equal(threads_range_at(&w, 6), 32767);
	assert_int_equal(threads_range_at(&w, 7), 1);
	assert_int_equal(threads_range_at(&w, 9), 3);
	assert_true(threads_range_has(&w, 32767));
	assert_true(threads_range_has(&w, 2));
	assert_false(threads_range_has(&w, 4));
	assert_false(threads_range_has(&w, 32760));
	/* Every PID of the range is one the range has, and the count matches. */
	long k;
	for (k = 0; k < threads_range_size(&w); k++)
		assert_true(threads_range_has(&w, threads_range_at(&w, k)));
	/* The counter did not move: nothing new; not read: any TID may be new. */
	struct pid_range same = {500, 500, 32768, 1}, unknown = {-1, 500, 32768, 0};
	assert_int_equal(threads_range_size(&same), 0);
	assert_false(threads_range_has(&same, 500));
	assert_int_equal(threads_range_size(&unknown), 0);
	assert_true(threads_range_has(&unknown, 42));
}

/* The idle period by table size: 1 to 256 threads every tick, then one tick more per 256, at most 8. */
static void test_idle_period(void **state)
{
	(void)state;
	assert_int_equal(threads_idle_period(0), 1);
	assert_int_equal(threads_idle_period(256), 1);
	assert_int_equal(threads_idle_period(257), 2);
	assert_int_equal(threads_idle_period(1000), 4);
	assert_int_equal(threads_idle_period(2048), 8);
	assert_int_equal(threads_idle_period(10000), THREADS_IDLE_MAX);
}

/*
 * The bound the monitor states: an idle thread's CPU time is read again at most period ticks after its
 * last reading, whatever its TID and the tick of that reading (so a thread that becomes busy is seen
 * using CPU time within period ticks and judged at the next tick: within period + 1 intervals), and the
 * readings are spread: in each tick about n / period of n consecutive TIDs are read.
 */
static void test_idle_due_bound(void **state)
{
	(void)state;
	for (unsigned period = 1; period <= THREADS_IDLE_MAX; period++)
		for (pid_t tid = 1000; tid < 1000 + 3 * (pid_t)period; tid++)
			for (unsigned long last = 5; last < 5 + 2 * period; last++) {
				unsigned long t = last + 1;
				while (!threads_idle_due(t, tid, last, period))
					t++;
				assert_true(t - last <= period);
			}
	for (unsigned period = 2; period <= THREADS_IDLE_MAX; period++)
		for (unsigned long tick = 100; tick < 100 + period; tick++) {
			unsigned due = 0;
			for (pid_t tid = 2000; tid < 2000 + 1024; tid++)
				due += (unsigned)threads_idle_due(tick, tid, tick - 1, period);
			assert_true(due >= 1024 / period && due <= 1024 / period + 1);
		}
}

/* The reader asks about each listed thread; the ones it is told are known get no stat reading. */
static int need_none(void *ctx, pid_t pid, pid_t tid)
{
	(void)pid;
	(void)tid;
	(*(int *)ctx)++;
	return 0;
}

static void test_read_known(void **state)
{
	(void)state;
	struct task_read r;
	int asked = 0;
	threads_read(getpid(), 0, need_none, &asked, &r);
	assert_true(r.n >= 1);
	assert_int_equal((size_t)asked, r.n);
	for (size_t k = 0; k < r.n; k++) {
		assert_int_equal(r.v[k].key.start, 0); /* unknown: the same thread to threads_merge */
		assert_false(r.v[k].have_stat);
	}
	task_read_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_continue_departed),
		cmocka_unit_test(test_reused_tid_is_a_new_thread),
		cmocka_unit_test(test_unknown_start_continues),
		cmocka_unit_test(test_unreadable_list_keeps_the_table),
		cmocka_unit_test(test_gone_target),
		cmocka_unit_test(test_descendants),
		cmocka_unit_test(test_read_real),
		cmocka_unit_test(test_pid_range),
		cmocka_unit_test(test_idle_period),
		cmocka_unit_test(test_idle_due_bound),
		cmocka_unit_test(test_read_known),
	};
	return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
