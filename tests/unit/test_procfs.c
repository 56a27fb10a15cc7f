/* test_procfs.c - the /proc parsers on canned text, and task enumeration on this process. */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include "testutil.h"
#include "procfs.h"

static const char sched_text[] =
	"worker (4123, #threads: 3)\n"
	"-------------------------------------------------------------------\n"
	"se.exec_start                                :        997330.601623\n"
	"se.sum_exec_runtime                          :          1476.639447\n"
	"mm->numa_scan_seq                            :                    7\n"
	"numa_pages_migrated                          :                    0\n"
	"numa_preferred_nid                           :                    0\n"
	"total_numa_faults                            :                  540\n"
	"current_node=1, numa_group_id=0\n"
	"numa_faults node=0 task_private=500 task_shared=20 group_private=0 group_shared=0\n"
	"numa_faults node=1 task_private=15 task_shared=5 group_private=0 group_shared=0\n";

static void test_sched(void **state)
{
	(void)state;
	unsigned long faults[4];
	struct sched_numa s = {.faults = faults, .maxnode = 4};
	assert_int_equal(procfs_parse_sched(sched_text, &s), 0);
	assert_int_equal(s.scan_seq, 7);
	assert_int_equal(s.current_node, 1);
	assert_int_equal(s.preferred_nid, 0);
	assert_true(s.have_faults);
	assert_int_equal(faults[0], 520);
	assert_int_equal(faults[1], 20);
	assert_int_equal(faults[2], 0);
}

static void test_sched_without_balancing(void **state)
{
	(void)state;
	unsigned long faults[2] = {9, 9};
	struct sched_numa s = {.faults = faults, .maxnode = 2};
	assert_int_equal(procfs_parse_sched("sh (1, #threads: 1)\n----------\nse.vruntime : 1.0\n", &s), 0);
	assert_int_equal(s.scan_seq, -1);
	assert_false(s.have_faults);
	assert_int_equal(faults[0], 0);
	assert_int_equal(procfs_parse_sched("not a sched file", &s), -1);
}

static void test_stat(void **state)
{
	(void)state;
	struct task_stat st;
	/* comm with spaces and a parenthesis; processor is field 39. */
	const char *t = "4123 (my (odd) name) R 4100 4123 4100 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 3 0 "
			"12345 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 5 0 0 0 0 0\n";
	assert_int_equal(procfs_parse_stat(t, &st), 0);
	assert_string_equal(st.comm, "my (odd) name");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 4100);
	assert_int_equal(st.utime, 250);
	assert_int_equal(st.stime, 30);
	assert_int_equal(st.processor, 5);
	assert_int_equal(st.starttime, 12345); /* field 22 */
	assert_int_equal(procfs_parse_stat("garbage", &st), -1);
}

static void test_schedstat(void **state)
{
	(void)state;
	unsigned long long ns;
	assert_int_equal(procfs_parse_schedstat("123456789 1000 42\n", &ns), 0);
	assert_int_equal(ns, 123456789ULL);
	assert_int_equal(procfs_parse_schedstat("", &ns), -1);
}

static void test_numa_maps(void **state)
{
	(void)state;
	const char *t = "55801f566000 default file=/usr/bin/x mapped=2 N0=2 kernelpagesize_kB=4\n"
			"7f0000000000 bind:0 anon=16384 dirty=16384 N0=16000 N1=384 kernelpagesize_kB=4\n"
			"7f1000000000 interleave:0-1 anon=100 dirty=100 N0=50 N1=50 kernelpagesize_kB=4\n"
			"7ffd00000000 default stack anon=3 dirty=3 N1=3 kernelpagesize_kB=4\n";
	unsigned long pages[2] = {0, 0};
	assert_int_equal(procfs_parse_numa_maps(t, pages, 2, 1), 3);
	assert_int_equal(pages[0], 16050);
	assert_int_equal(pages[1], 437);
	memset(pages, 0, sizeof(pages));
	assert_int_equal(procfs_parse_numa_maps(t, pages, 2, 0), 4);
	assert_int_equal(pages[0], 16052);
	/* Nodes past maxnode are ignored, not written. */
	unsigned long one[1] = {0};
	procfs_parse_numa_maps(t, one, 1, 1);
	assert_int_equal(one[0], 16050);
}

static void *sleeper(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static void test_list_tasks_real(void **state)
{
	(void)state;
	pthread_t th;
	pid_t *tids;
	long n0 = procfs_list_tasks(getpid(), &tids);
	assert_true(n0 >= 1);
	assert_int_equal(tids[0], getpid());
	free(tids);
	assert_int_equal(pthread_create(&th, NULL, sleeper, NULL), 0);
	long n1 = procfs_list_tasks(getpid(), &tids);
	assert_int_equal(n1, n0 + 1);
	for (long i = 1; i < n1; i++)
		assert_true(tids[i] > tids[i - 1]);
	free(tids);
	pthread_cancel(th);
	pthread_join(th, NULL);
	assert_int_equal(procfs_list_tasks(999999999, &tids), -ENOENT);
}

static void test_descendants_real(void **state)
{
	(void)state;
	pid_t child = fork();
	if (child == 0) {
		/* a child with a grandchild */
		if (fork() == 0) {
			pause();
			_exit(0);
		}
		pause();
		_exit(0);
	}
	pid_t *pids = NULL;
	long n = 0;
	for (int i = 0; i < 200 && n < 2; i++) {
		free(pids);
		pids = NULL;
		usleep(10000);
		int err;
		n = procfs_descendants(getpid(), &pids, &err);
		assert_int_equal(err, 0);
	}
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], child);
	kill(child, SIGKILL);
	kill(pids[1], SIGKILL);
	free(pids);
	waitpid(child, NULL, 0);
}

/* More children than a page of their PIDs holds: the children file is read whole (it was cut at 4 KiB,
 * 682 of 800 five-digit PIDs). */
static void test_descendants_many(void **state)
{
	(void)state;
	enum { N = 900 };
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	static pid_t kids[N];
	int made = 0;
	for (; made < N; made++) {
		pid_t c = fork();
		if (c < 0)
			break;
		if (c == 0) {
			char b;
			close(fds[1]);
			while (read(fds[0], &b, 1) < 0)
				;
			_exit(0);
		}
		kids[made] = c;
	}
	close(fds[0]);
	pid_t *pids = NULL;
	int err = 0;
	long n = made == N ? procfs_descendants(getpid(), &pids, &err) : -1;
	close(fds[1]); /* every child reads end-of-file and exits */
	for (int i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	if (made < N) {
		free(pids);
		skip(); /* no room for that many processes here */
	}
	assert_int_equal(err, 0);
	assert_int_equal(n, N);
	size_t len = 0;
	for (long i = 0; i < n; i++)
		len += (size_t)snprintf(NULL, 0, "%d ", (int)pids[i]);
	assert_true(len > 4096); /* the case that was cut */
	free(pids);
}

/* The parser of a children file, fed more than a page. */
static void test_parse_pids(void **state)
{
	(void)state;
	char *text = malloc(20000);
	size_t off = 0;
	for (int i = 0; i < 1500; i++)
		off += (size_t)sprintf(text + off, "%d ", 30000 + i);
	pid_t *v = NULL;
	size_t cap = 0;
	size_t n = procfs_parse_pids(text, &v, 0, &cap);
	assert_int_equal(n, 1500);
	assert_int_equal(v[0], 30000);
	assert_int_equal(v[1499], 31499);
	n = procfs_parse_pids("7 8\n", &v, n, &cap); /* appends */
	assert_int_equal(n, 1502);
	assert_int_equal(v[1501], 8);
	assert_int_equal(procfs_parse_pids("", &v, 0, &cap), 0);
	free(v);
	free(text);
}

static void test_read_grow(void **state)
{
	(void)state;
	char *dir = tu_tmpdir(), path[4096];
	char *big = malloc(10001);
	memset(big, 'x', 10000);
	big[10000] = '\0';
	tu_write(dir, "big", big);
	snprintf(path, sizeof(path), "%s/big", dir);
	char *buf = NULL;
	size_t cap = 0;
	assert_int_equal(procfs_read_grow(path, &buf, &cap), 10000);
	assert_int_equal(strlen(buf), 10000);
	assert_true(cap > 10000);
	assert_int_equal(procfs_read_grow("/proc/self/nonexistent", &buf, &cap), -ENOENT);
	free(buf);
	free(big);
	tu_rmrf(dir);
	free(dir);
}

static void test_fields(void **state)
{
	(void)state;
	const char *text = "Name:\tworker 1  \nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\nPid:\t43\n"
			   "Threads:\t7\nCpus_allowed_list:\t0-3,8\nrchar: 123\nNegative:\t-5\nEmpty:\n";
	assert_string_equal(procfs_field(text, "Tgid"), "42\nPid:\t43\nThreads:\t7\nCpus_allowed_list:\t0-3,8\n"
			    "rchar: 123\nNegative:\t-5\nEmpty:\n");
	assert_null(procfs_field(text, "Tg"));      /* a prefix of a key is not the key */
	assert_null(procfs_field(text, "Missing"));
	char w[64];
	assert_int_equal(procfs_field_str(text, "Name", w, sizeof(w)), 0);
	assert_string_equal(w, "worker 1");          /* inner blanks kept, trailing ones cut */
	assert_int_equal(procfs_field_str(text, "State", w, 2), 0);
	assert_string_equal(w, "S");                 /* cut to the buffer */
	assert_int_equal(procfs_field_str(text, "Empty", w, sizeof(w)), 0);
	assert_string_equal(w, "");
	assert_int_equal(procfs_field_str(text, "Missing", w, sizeof(w)), -1);
	assert_string_equal(w, "");
	unsigned long long v = 99;
	assert_int_equal(procfs_field_ull(text, "Threads", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(procfs_field_ull(text, "rchar", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(procfs_field_ull(text, "Negative", &v), -1);
	assert_int_equal(procfs_field_ull(text, "Name", &v), -1);
	assert_int_equal(procfs_field_ull(text, "Empty", &v), -1);
	assert_int_equal(v, 123);
}

static void test_read(void **state)
{
	(void)state;
	char buf[16];
	assert_true(procfs_read("/proc/self/stat", buf, sizeof(buf)) == 15);
	assert_int_equal(strlen(buf), 15);
	assert_int_equal(procfs_read("/proc/self/nonexistent", buf, sizeof(buf)), -ENOENT);
	char *all;
	long n = procfs_read_alloc("/proc/self/maps", &all);
	assert_true(n > 0);
	assert_int_equal((long)strlen(all), n);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched),
		cmocka_unit_test(test_sched_without_balancing),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_schedstat),
		cmocka_unit_test(test_numa_maps),
		cmocka_unit_test(test_list_tasks_real),
		cmocka_unit_test(test_descendants_real),
		cmocka_unit_test(test_descendants_many),
		cmocka_unit_test(test_parse_pids),
		cmocka_unit_test(test_read_grow),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
