/* test_doctor.c - numarun doctor's pure parts: the /proc and cgroup parsers it adds, the thresholds, the
 * order of findings, the JSON it writes, and the cgroup levels of another process. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"
#include "cgroup.h"
#include "cli.h"
#include "doctor.h"
#include "runtime.h"

static void test_cpu_stat(void **state)
{
	(void)state;
	struct cgroup_cpu_stat st;
	/* v2, with the cpu controller */
	assert_int_equal(cgroup_parse_cpu_stat("usage_usec 123\nuser_usec 100\nsystem_usec 23\nnr_periods 50\n"
					       "nr_throttled 48\nthrottled_usec 3900000\nnr_bursts 0\n", &st), 0);
	assert_true(st.nr_periods == 50 && st.nr_throttled == 48 && st.throttled_usec == 3900000);
	/* v1: throttled_time in nanoseconds */
	assert_int_equal(cgroup_parse_cpu_stat("nr_periods 10\nnr_throttled 9\nthrottled_time 7000000000\n", &st), 0);
	assert_true(st.nr_periods == 10 && st.nr_throttled == 9 && st.throttled_usec == 7000000);
	/* v2 without the cpu controller: usage only */
	assert_int_equal(cgroup_parse_cpu_stat("usage_usec 5\nuser_usec 3\nsystem_usec 2\n", &st), -1);
	assert_int_equal(cgroup_parse_cpu_stat("", &st), -1);
	/* a key that only begins like one does not count */
	assert_int_equal(cgroup_parse_cpu_stat("nr_periods_x 5\nnr_throttled 1\n", &st), -1);
}

static void test_levels_of_pid(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	/* process 4242 in cpu:/a/b (v1) and 0::/x (v2); we read the mounts of our own */
	tu_write(dir, "proc/4242/cgroup", "3:cpu,cpuacct:/a/b\n0::/x\n");
	tu_write(dir, "proc/self/cgroup", "3:cpu,cpuacct:/\n0::/\n");
	tu_write(dir, "proc/self/mountinfo",
		 "30 20 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
		 "31 20 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
	tu_write(dir, "sys/fs/cgroup/cpu,cpuacct/a/b/cpu.stat", "nr_periods 10\nnr_throttled 0\nthrottled_time 0\n");
	tu_write(dir, "sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_quota_us", "20000\n");
	tu_write(dir, "sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_period_us", "100000\n");
	tu_write(dir, "sys/fs/cgroup/cpu,cpuacct/a/b/cpu.cfs_quota_us", "-1\n");
	tu_write(dir, "sys/fs/cgroup/cpu,cpuacct/a/b/cpu.cfs_period_us", "100000\n");
	struct cgroup_level lv[8];
	long n = cgroup_cpu_levels(dir, 4242, lv, 8);
	/* v1: a/b, a, the root; v2: x, the root */
	assert_int_equal(n, 5);
	assert_string_equal(lv[0].dir + lv[0].shown_off, "/sys/fs/cgroup/cpu,cpuacct/a/b");
	assert_string_equal(lv[1].dir + lv[1].shown_off, "/sys/fs/cgroup/cpu,cpuacct/a");
	assert_string_equal(lv[2].dir + lv[2].shown_off, "/sys/fs/cgroup/cpu,cpuacct");
	assert_false(lv[2].v2);
	assert_string_equal(lv[3].dir + lv[3].shown_off, "/sys/fs/cgroup/unified/x");
	assert_true(lv[3].v2);
	long long q, p;
	char src[4096];
	assert_int_equal(cgroup_level_quota(&lv[1], &q, &p, src, sizeof(src)), 0);
	assert_true(q == 20000 && p == 100000);
	assert_string_equal(src, "/sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_quota_us");
	assert_int_equal(cgroup_level_quota(&lv[0], &q, &p, src, sizeof(src)), 0);
	assert_true(q == -1);
	struct cgroup_cpu_stat st;
	assert_int_equal(cgroup_read_cpu_stat(&lv[0], &st, src, sizeof(src)), 0);
	assert_string_equal(src, "/sys/fs/cgroup/cpu,cpuacct/a/b/cpu.stat");
	assert_true(st.nr_periods == 10);
	assert_true(cgroup_read_cpu_stat(&lv[1], &st, src, sizeof(src)) < 0);
	/* the ancestor's quota is the tightest limit of process 4242, its leaf has none */
	struct cpu_limit lim, leaf;
	struct mem_limit mem;
	assert_int_equal(cgroup_limits_pid(dir, 4242, &lim, &leaf, &mem), 0);
	assert_true(lim.cpus > 0.19 && lim.cpus < 0.21);
	assert_true(leaf.cpus == 0);
	/* v2: cpu.max */
	tu_write(dir, "sys/fs/cgroup/unified/x/cpu.max", "50000 100000\n");
	assert_int_equal(cgroup_level_quota(&lv[3], &q, &p, src, sizeof(src)), 0);
	assert_true(q == 50000 && p == 100000);
	assert_string_equal(src, "/sys/fs/cgroup/unified/x/cpu.max");
	tu_write(dir, "sys/fs/cgroup/unified/x/cpu.max", "max 100000\n");
	assert_int_equal(cgroup_level_quota(&lv[3], &q, &p, src, sizeof(src)), 0);
	assert_true(q == -1);
	/* no such process */
	assert_true(cgroup_cpu_levels(dir, 4343, lv, 8) < 0);
	tu_rmrf(dir);
	free(dir);
}

static void test_limits(void **state)
{
	(void)state;
	long long s, h;
	const char *t = "Limit                     Soft Limit           Hard Limit           Units     \n"
			"Max cpu time              unlimited            unlimited            seconds   \n"
			"Max open files            256                  524288               files     \n";
	assert_int_equal(doctor_parse_limits_nofile(t, &s, &h), 0);
	assert_true(s == 256 && h == 524288);
	assert_int_equal(doctor_parse_limits_nofile("Max open files            unlimited            unlimited            files\n",
						    &s, &h), 0);
	assert_true(s == -1 && h == -1);
	assert_int_equal(doctor_parse_limits_nofile("Max cpu time unlimited unlimited seconds\n", &s, &h), -1);
	assert_int_equal(doctor_parse_limits_nofile("Max open files            x     1 files\n", &s, &h), -1);
}

static void test_io_status(void **state)
{
	(void)state;
	struct doctor_task_io io;
	assert_int_equal(doctor_parse_task_io("rchar: 10\nwchar: 2000\nsyscr: 3\nsyscw: 2000\nread_bytes: 0\n"
					      "write_bytes: 0\ncancelled_write_bytes: 0\n", &io), 0);
	assert_true(io.rchar == 10 && io.wchar == 2000 && io.syscr == 3 && io.syscw == 2000);
	assert_int_equal(doctor_parse_task_io("rchar: 10\nwchar: 2\n", &io), -1);
	struct doctor_status st;
	assert_int_equal(doctor_parse_status("Name:\tworkers\nUmask:\t0022\nState:\tR (running)\nTgid:\t100\nPid:\t101\n"
					     "Threads:\t5\nTHP_enabled:\t1\nCpus_allowed_list:\t0-3,8\n"
					     "voluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t9\n", &st), 0);
	assert_int_equal(st.tgid, 100);
	assert_int_equal(st.threads, 5);
	assert_string_equal(st.cpus_allowed, "0-3,8");
	assert_true(st.vcs == 7 && st.nvcs == 9 && st.thp_enabled == 1);
	assert_int_equal(doctor_parse_status("nothing\n", &st), -1);
	assert_int_equal(doctor_cpulist_count("0-3,8"), 5);
	assert_int_equal(doctor_cpulist_count("1"), 1);
	assert_int_equal(doctor_cpulist_count("0-1\n"), 2);
	assert_int_equal(doctor_cpulist_count(""), 0);
	assert_int_equal(doctor_cpulist_count("3-1"), -1);
	assert_int_equal(doctor_cpulist_count("0-"), -1);
	assert_int_equal(doctor_cpulist_count("a"), -1);
}

static void test_syscall_line(void **state)
{
	(void)state;
	long nr;
	unsigned long long sp, pc;
	assert_int_equal(doctor_parse_syscall("230 0x0 0x0 0x7ffd 0x0 0x0 0x0 0x7ffc1234 0x7f12abcd\n", &nr, &sp, &pc), 1);
	assert_int_equal(nr, 230);
	assert_true(sp == 0x7ffc1234ULL && pc == 0x7f12abcdULL);
	assert_int_equal(doctor_parse_syscall("-1 0x7ffc0000 0x401000\n", &nr, &sp, &pc), 0);
	assert_true(nr == -1 && pc == 0x401000ULL);
	assert_int_equal(doctor_parse_syscall("running\n", &nr, &sp, &pc), 2);
	assert_int_equal(doctor_parse_syscall("230 0x0\n", &nr, &sp, &pc), -1);
	assert_int_equal(doctor_parse_syscall("x y z\n", &nr, &sp, &pc), -1);
	assert_int_equal(doctor_parse_syscall("", &nr, &sp, &pc), -1);
	char out[32];
	doctor_sysfs_choice("always [madvise] never\n", out, sizeof(out));
	assert_string_equal(out, "madvise");
	doctor_sysfs_choice("always madvise never\n", out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_thresholds(void **state)
{
	(void)state;
	assert_int_equal(doctor_classify_throttling(50, 0), -1);
	assert_int_equal(doctor_classify_throttling(0, 0), -1);
	assert_int_equal(doctor_classify_throttling(100, 1), DOCTOR_INFO);
	assert_int_equal(doctor_classify_throttling(100, 5), DOCTOR_WARNING);
	assert_int_equal(doctor_classify_throttling(100, 24), DOCTOR_WARNING);
	assert_int_equal(doctor_classify_throttling(100, 25), DOCTOR_PROBLEM);
	assert_int_equal(doctor_classify_throttling(50, 50), DOCTOR_PROBLEM);

	assert_int_equal(doctor_classify_fds(243, 256), DOCTOR_PROBLEM);
	assert_int_equal(doctor_classify_fds(200, 256), DOCTOR_WARNING);
	assert_int_equal(doctor_classify_fds(25, 256), -1);
	assert_int_equal(doctor_classify_fds(25, -1), -1);

	assert_int_equal(doctor_classify_syscalls(500000, 1), DOCTOR_PROBLEM);
	assert_int_equal(doctor_classify_syscalls(20000, 8), DOCTOR_WARNING);
	assert_int_equal(doctor_classify_syscalls(500000, 65536), -1);
	assert_int_equal(doctor_classify_syscalls(16, 65536), -1);
	assert_int_equal(doctor_classify_syscalls(9000, 1), -1);

	assert_int_equal(doctor_classify_gomaxprocs(64, 2, 0), DOCTOR_PROBLEM);
	assert_int_equal(doctor_classify_gomaxprocs(1, 2, 0), DOCTOR_WARNING);
	assert_int_equal(doctor_classify_gomaxprocs(2, 2, 0), -1);
	assert_int_equal(doctor_classify_gomaxprocs(2, 2, 1), DOCTOR_INFO);
	/* the runtime's floor of 2 under a 0.2 CPU quota is its own rule */
	assert_int_equal(doctor_classify_gomaxprocs(2, 1, 1), DOCTOR_INFO);
	assert_int_equal(doctor_classify_gomaxprocs(8, 2, 1), DOCTOR_PROBLEM);

	assert_int_equal(doctor_classify_remote(0.9), DOCTOR_PROBLEM);
	assert_int_equal(doctor_classify_remote(0.3), DOCTOR_WARNING);
	assert_int_equal(doctor_classify_remote(0.01), -1);
}

static void test_go_rule(void **state)
{
	(void)state;
	struct target_info ti;
	memset(&ti, 0, sizeof(ti));
	ti.found = ti.is_go = 1;
	ti.go_major = 1;
	ti.go_minor = 26;
	snprintf(ti.go_version, sizeof(ti.go_version), "go1.26.0");
	struct runtime_gomaxprocs g;
	assert_int_equal(runtime_go_gomaxprocs(&ti, "64", NULL, 2, 0, &g), 64);
	assert_true(g.from_env && !g.managed);
	assert_int_equal(runtime_go_gomaxprocs(&ti, NULL, NULL, 8, 1.5, &g), 2);
	assert_true(g.managed && g.updates);
	assert_int_equal(runtime_go_gomaxprocs(&ti, NULL, "updatemaxprocs=0", 8, 0.2, &g), 2);
	assert_true(g.managed && !g.updates);
	assert_int_equal(runtime_go_gomaxprocs(&ti, NULL, "containermaxprocs=0", 8, 0.2, &g), 8);
	assert_false(g.managed);
	/* an invalid GOMAXPROCS is ignored by the runtime */
	assert_int_equal(runtime_go_gomaxprocs(&ti, "lots", NULL, 4, 0, &g), 4);
	ti.go_minor = 19;
	assert_int_equal(runtime_go_gomaxprocs(&ti, NULL, NULL, 8, 1.5, &g), 8);
	assert_false(g.managed);
}

static void test_order_and_json(void **state)
{
	(void)state;
	struct doctor_report *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->pid = 12;
	snprintf(r->comm, sizeof(r->comm), "a\"b");
	r->duration = r->observed = 2;
	doctor_add(r, "thp", DOCTOR_INFO, "t");
	doctor_add(r, "syscalls", DOCTOR_WARNING, "s");
	struct doctor_finding *f = doctor_add(r, "throttling", DOCTOR_PROBLEM, "q");
	doctor_ev_num(f, "nr_throttled", 48, 0, "periods", "/x/cpu.stat");
	doctor_ev_str(f, "cpus_allowed", "0-1", "/proc/12/status");
	snprintf(f->fix, sizeof(f->fix), "raise it");
	doctor_add(r, "numa_remote", DOCTOR_INFO, "n");
	doctor_add(r, "fd_limit", DOCTOR_PROBLEM, "f");
	doctor_note(r, "a note");
	doctor_sort(r);
	assert_string_equal(r->f[0].id, "throttling");
	assert_string_equal(r->f[1].id, "fd_limit");
	assert_string_equal(r->f[2].id, "syscalls");
	assert_string_equal(r->f[3].id, "numa_remote");
	assert_string_equal(r->f[4].id, "thp");
	assert_int_equal(doctor_exit_status(r), EXIT_DOCTOR_PROBLEM);
	char buf[8192];
	FILE *m = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(m);
	doctor_print_json(m, r);
	fclose(m);
	assert_non_null(strstr(buf, "\"command\":\"a\\\"b\""));
	assert_non_null(strstr(buf, "{\"id\":\"throttling\",\"severity\":\"problem\",\"summary\":\"q\",\"evidence\":"
				    "{\"nr_throttled\":{\"value\":48,\"unit\":\"periods\",\"source\":\"/x/cpu.stat\"},"
				    "\"cpus_allowed\":{\"value\":\"0-1\",\"source\":\"/proc/12/status\"}},\"fix\":\"raise it\"}"));
	assert_non_null(strstr(buf, "\"notes\":[\"a note\"]"));
	m = fmemopen(buf, sizeof(buf), "w");
	doctor_print_text(m, r, 1);
	fclose(m);
	assert_non_null(strstr(buf, "problem throttling: q\n"));
	assert_non_null(strstr(buf, "fix: raise it"));
	assert_non_null(strstr(buf, "2 problems, 1 warning, 2 info"));
	/* no problem: status 0 */
	r->nf = 0;
	doctor_add(r, "thp", DOCTOR_INFO, "t");
	doctor_add(r, "syscalls", DOCTOR_WARNING, "s");
	assert_int_equal(doctor_exit_status(r), 0);
	free(r);
}

/* cli_parse of doctor's operands (its errors are in tests/integration/badinput.cases). */
static void test_cli(void **state)
{
	(void)state;
	struct opts o;
	char cause[512];
	char *a1[] = {"numarun", "doctor", "--json", "--duration", "500ms", "4242", NULL};
	assert_int_equal(cli_parse(6, a1, &o, cause, sizeof(cause)), 0);
	assert_int_equal(o.cmd, CMD_DOCTOR);
	assert_int_equal(o.doctor_pid, 4242);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_true(o.duration > 0.49 && o.duration < 0.51);
	assert_int_equal(o.argc, 0);
	cli_free(&o);
	char *a2[] = {"numarun", "doctor", "-N", "1", "--", "4242", "x", NULL};
	assert_int_equal(cli_parse(7, a2, &o, cause, sizeof(cause)), 0);
	assert_int_equal(o.doctor_pid, 0);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "4242"); /* after --: a command, even one named by digits */
	assert_true(o.duration == DOCTOR_DEFAULT_DURATION);
	cli_free(&o);
	char *a3[] = {"numarun", "doctor", "--duration", "1.5", "7", NULL};
	assert_int_equal(cli_parse(5, a3, &o, cause, sizeof(cause)), 0);
	assert_true(o.duration > 1.49 && o.duration < 1.51);
	cli_free(&o);
	/* options after the PID too; after --, the command's own */
	char *a5[] = {"numarun", "doctor", "7", "--json", "--duration", "2s", NULL};
	assert_int_equal(cli_parse(6, a5, &o, cause, sizeof(cause)), 0);
	assert_int_equal(o.doctor_pid, 7);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_true(o.duration > 1.99 && o.duration < 2.01);
	cli_free(&o);
	char *a6[] = {"numarun", "doctor", "--", "prog", "--json", NULL};
	assert_int_equal(cli_parse(5, a6, &o, cause, sizeof(cause)), 0);
	assert_int_equal(o.format, FORMAT_TEXT);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[1], "--json");
	cli_free(&o);
	char *a4[] = {"numarun", "doctor", "0", NULL};
	assert_int_equal(cli_parse(3, a4, &o, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "'0' is not a PID"));
	cli_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_stat),
		cmocka_unit_test(test_levels_of_pid),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_io_status),
		cmocka_unit_test(test_syscall_line),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_go_rule),
		cmocka_unit_test(test_order_and_json),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests_name("doctor", tests, NULL, NULL);
}
