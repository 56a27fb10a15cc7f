/* test_cgroup.c - cpu.max parsing and the CPU limit of our cgroup and its ancestors, v2 and v1, over a
 * fake root directory. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "cgroup.h"

#define V2_MOUNT "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
#define V1_CPU_MOUNT                                                                                       \
	"35 25 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup " \
	"rw,cpu,cpuacct\n"
#define V1_MEM_MOUNT                                                                                      \
	"36 25 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory\n"
#define V1_CPUSET_MOUNT                                                                                   \
	"37 25 0:33 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,cpuset\n"
#define OTHER_MOUNTS                                                                                      \
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"                                         \
	"23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

/* ---- cgroup_parse_cpu_max ---- */

static void test_parse_max(void **state)
{
	(void)state;
	long long q = 0, p = 0;
	assert_int_equal(cgroup_parse_cpu_max("max 100000\n", &q, &p), 0);
	assert_int_equal(q, -1);
	assert_int_equal(p, 100000);
}

static void test_parse_quota(void **state)
{
	(void)state;
	long long q = 0, p = 0;
	assert_int_equal(cgroup_parse_cpu_max("50000 100000\n", &q, &p), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(p, 100000);
	assert_int_equal(cgroup_parse_cpu_max("250000 50000", &q, &p), 0);
	assert_int_equal(q, 250000);
	assert_int_equal(p, 50000);
}

static void test_parse_max_alone(void **state)
{
	(void)state;
	long long q = 0, p = 0;
	assert_int_equal(cgroup_parse_cpu_max("max", &q, &p), 0);
	assert_int_equal(q, -1);
	assert_int_equal(p, 100000);
	q = p = 0;
	assert_int_equal(cgroup_parse_cpu_max("20000\n", &q, &p), 0);
	assert_int_equal(q, 20000);
	assert_int_equal(p, 100000);
}

static void test_parse_garbage(void **state)
{
	(void)state;
	long long q = 7, p = 7;
	assert_int_equal(cgroup_parse_cpu_max("garbage", &q, &p), -1);
	assert_int_equal(cgroup_parse_cpu_max("", &q, &p), -1);
	assert_int_equal(cgroup_parse_cpu_max("12x 100000", &q, &p), -1);
	assert_int_equal(cgroup_parse_cpu_max("0 100000", &q, &p), -1);
	assert_int_equal(cgroup_parse_cpu_max("-5 100000", &q, &p), -1);
	assert_int_equal(cgroup_parse_cpu_max("50000 0", &q, &p), -1);
	assert_int_equal(cgroup_parse_cpu_max("50000 -100000", &q, &p), -1);
	assert_int_equal(q, 7);
	assert_int_equal(p, 7);
}

/* ---- cgroup_cpu_limit over a fake root ---- */

static void test_v2_ancestor_limit(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup", "0::/a/b\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
	tu_write(root, "sys/fs/cgroup/a/cpu.max", "150000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 1.5))
		fail_msg("cpus %g, expected 1.5 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/a/cpu.max"));
	assert_null(strstr(lim.source, "a/b/cpu.max"));
	/* Named relative to the root, not with the test directory in front. */
	assert_null(strstr(lim.source, root));
	tu_rmrf(root);
	free(root);
}

static void test_v2_tighter_level_wins(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup", "0::/a/b/c\n");
	tu_write(root, "proc/self/mountinfo", V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/a/b/c/cpu.max", "300000 100000\n");
	tu_write(root, "sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
	tu_write(root, "sys/fs/cgroup/a/cpu.max", "200000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 2.0))
		fail_msg("cpus %g, expected 2 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/a/cpu.max"));
	tu_rmrf(root);
	free(root);

	/* The other way round: the leaf is tighter than its ancestor. */
	root = tu_tmpdir();
	tu_write(root, "proc/self/cgroup", "0::/a/b\n");
	tu_write(root, "proc/self/mountinfo", V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/a/b/cpu.max", "50000 100000\n");
	tu_write(root, "sys/fs/cgroup/a/cpu.max", "400000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 0.5))
		fail_msg("cpus %g, expected 0.5 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/a/b/cpu.max"));
	tu_rmrf(root);
	free(root);
}

static void test_v2_walk_stops_at_mount(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup", "0::/svc\n");
	tu_write(root, "proc/self/mountinfo", V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/svc/cpu.max", "max 100000\n");
	tu_write(root, "sys/fs/cgroup/cpu.max", "400000 100000\n");   /* the mount itself: read */
	tu_write(root, "sys/fs/cpu.max", "10000 100000\n");           /* above the mount: not read */
	tu_write(root, "sys/cpu.max", "10000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 4.0))
		fail_msg("cpus %g, expected 4 (%s)", lim.cpus, lim.source);
	tu_rmrf(root);
	free(root);
}

static void test_v1_quota_levels(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup",
		 "12:memory:/x/y\n"
		 "4:cpu,cpuacct:/x/y\n"
		 "3:cpuset:/x/y\n"
		 "1:name=systemd:/x/y\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V1_MEM_MOUNT V1_CPU_MOUNT V1_CPUSET_MOUNT);
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/x/y/cpu.cfs_quota_us", "-1\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/x/y/cpu.cfs_period_us", "100000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us", "50000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_period_us", "100000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
	/* Files of the same names in other hierarchies must not count. */
	tu_write(root, "sys/fs/cgroup/memory/x/y/cpu.cfs_quota_us", "10000\n");
	tu_write(root, "sys/fs/cgroup/memory/x/y/cpu.cfs_period_us", "100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 0.5))
		fail_msg("cpus %g, expected 0.5 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us"));
	assert_null(strstr(lim.source, "x/y/"));
	tu_rmrf(root);
	free(root);
}

static void test_v1_container_subtree_mount(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup", "4:cpu,cpuacct:/docker/abc\n");
	tu_write(root, "proc/self/mountinfo",
		 "1200 1100 0:31 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:15 - "
		 "cgroup cgroup rw,cpu,cpuacct\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "200000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
	/* Where a reader that ignored the mount's root would look (and find a tighter limit). */
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "10000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 2.0))
		fail_msg("cpus %g, expected 2 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"));
	tu_rmrf(root);
	free(root);
}

static void test_v2_container_subtree_mount(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup", "0::/kubepods/pod1/ctr/sub\n");
	tu_write(root, "proc/self/mountinfo",
		 "500 400 0:26 /kubepods/pod1/ctr /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n");
	tu_write(root, "sys/fs/cgroup/sub/cpu.max", "max 100000\n");
	tu_write(root, "sys/fs/cgroup/cpu.max", "75000 100000\n");
	tu_write(root, "sys/fs/cgroup/kubepods/pod1/ctr/sub/cpu.max", "1000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	if (!near(lim.cpus, 0.75))
		fail_msg("cpus %g, expected 0.75 (%s)", lim.cpus, lim.source);
	tu_rmrf(root);
	free(root);
}

static void test_no_limits(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	memset(&lim, 0x7f, sizeof(lim));
	tu_write(root, "proc/self/cgroup", "0::/a/b\n");
	tu_write(root, "proc/self/mountinfo", V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
	tu_write(root, "sys/fs/cgroup/a/cpu.max", "max 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	assert_true(lim.cpus == 0);
	assert_string_equal(lim.source, "");
	tu_rmrf(root);
	free(root);

	/* No limit files at all, v1 quota -1 everywhere, no cgroup mount: still 0. */
	root = tu_tmpdir();
	tu_write(root, "proc/self/cgroup", "0::/a\n4:cpu,cpuacct:/a\n");
	tu_write(root, "proc/self/mountinfo", V2_MOUNT V1_CPU_MOUNT);
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_quota_us", "-1\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_period_us", "100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	assert_true(lim.cpus == 0);
	tu_rmrf(root);
	free(root);

	root = tu_tmpdir();
	tu_write(root, "proc/self/cgroup", "0::/a\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS);
	tu_write(root, "sys/fs/cgroup/a/cpu.max", "50000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	assert_true(lim.cpus == 0);
	tu_rmrf(root);
	free(root);
}

static void test_missing_proc_self_cgroup(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/mountinfo", V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/cpu.max", "50000 100000\n");
	assert_int_equal(cgroup_cpu_limit(root, &lim), -ENOENT);
	tu_rmrf(root);
	free(root);
}

static void test_real_system(void **state)
{
	(void)state;
	struct cpu_limit lim;
	assert_int_equal(cgroup_cpu_limit("", &lim), 0);
	assert_true(lim.cpus >= 0);
	if (lim.cpus > 0)
		assert_true(lim.source[0] == '/');
	else
		assert_string_equal(lim.source, "");
}

int main(void)
{
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(test_parse_max),
		cmocka_unit_test(test_parse_quota),
		cmocka_unit_test(test_parse_max_alone),
		cmocka_unit_test(test_parse_garbage),
	};
	const struct CMUnitTest limit[] = {
		cmocka_unit_test(test_v2_ancestor_limit),
		cmocka_unit_test(test_v2_tighter_level_wins),
		cmocka_unit_test(test_v2_walk_stops_at_mount),
		cmocka_unit_test(test_v1_quota_levels),
		cmocka_unit_test(test_v1_container_subtree_mount),
		cmocka_unit_test(test_v2_container_subtree_mount),
		cmocka_unit_test(test_no_limits),
		cmocka_unit_test(test_missing_proc_self_cgroup),
		cmocka_unit_test(test_real_system),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("cgroup_parse_cpu_max", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("cgroup_cpu_limit", limit, NULL, NULL);
	return failed ? 1 : 0;
}
