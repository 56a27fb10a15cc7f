/* test_cgroup.c - cpu.max / memory.max parsing, the CPU limit of our cgroup and its ancestors (and of the
 * leaf alone, as Go reads it) and the memory limit, v2 and v1, over a fake root directory. */
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

/* ---- cgroup_cpu_limit_leaf: the leaf only, as Go reads it ---- */

static void test_leaf_ignores_ancestors(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	tu_write(root, "proc/self/cgroup", "0::/a/b\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
	tu_write(root, "sys/fs/cgroup/a/cpu.max", "50000 100000\n");
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), 0);
	if (lim.cpus != 0)
		fail_msg("leaf: cpus %g (%s), expected none: the limit is on the parent", lim.cpus, lim.source);
	assert_string_equal(lim.source, "");
	/* The ancestor walk still sees it. */
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	assert_true(near(lim.cpus, 0.5));

	/* A leaf limit looser than the parent's is what the leaf reader reports. */
	tu_write(root, "sys/fs/cgroup/a/b/cpu.max", "250000 100000\n");
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), 0);
	if (!near(lim.cpus, 2.5))
		fail_msg("leaf: cpus %g, expected 2.5 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/a/b/cpu.max: 250000/100000"));
	assert_null(strstr(lim.source, root));
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	assert_true(near(lim.cpus, 0.5));
	tu_rmrf(root);
	free(root);
}

static void test_leaf_v1_over_v2(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	/* Hybrid: v1 has the cpu controller, so v2's cpu.max (which a v2 reader would take) is not read. */
	tu_write(root, "proc/self/cgroup", "0::/svc\n4:cpu,cpuacct:/svc\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V2_MOUNT V1_CPU_MOUNT);
	tu_write(root, "sys/fs/cgroup/svc/cpu.max", "20000 100000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/svc/cpu.cfs_quota_us", "150000\n");
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/svc/cpu.cfs_period_us", "100000\n");
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), 0);
	if (!near(lim.cpus, 1.5))
		fail_msg("leaf: cpus %g, expected 1.5 from v1 (%s)", lim.cpus, lim.source);
	assert_non_null(strstr(lim.source, "cpu.cfs_quota_us: 150000/100000"));
	/* No v1 quota (-1): still v1, so no limit, not v2's. */
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/svc/cpu.cfs_quota_us", "-1\n");
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), 0);
	assert_true(lim.cpus == 0);
	/* The tightest-of-all reader takes v2's. */
	assert_int_equal(cgroup_cpu_limit(root, &lim), 0);
	assert_true(near(lim.cpus, 0.2));
	tu_rmrf(root);
	free(root);

	/* v2 only: its leaf is read. */
	root = tu_tmpdir();
	tu_write(root, "proc/self/cgroup", "0::/svc\n3:cpuset:/\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V2_MOUNT V1_CPUSET_MOUNT);
	tu_write(root, "sys/fs/cgroup/svc/cpu.max", "20000 100000\n");
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), 0);
	if (!near(lim.cpus, 0.2))
		fail_msg("leaf v2: cpus %g, expected 0.2 (%s)", lim.cpus, lim.source);
	tu_rmrf(root);
	free(root);
}

static void test_leaf_container_root(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct cpu_limit lim;
	/* Inside a container the leaf is the mount itself. */
	tu_write(root, "proc/self/cgroup", "0::/kubepods/pod1/ctr\n");
	tu_write(root, "proc/self/mountinfo", "500 400 0:26 /kubepods/pod1/ctr /sys/fs/cgroup ro - cgroup2 cgroup rw\n");
	tu_write(root, "sys/fs/cgroup/cpu.max", "75000 100000\n");
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), 0);
	if (!near(lim.cpus, 0.75))
		fail_msg("leaf: cpus %g, expected 0.75 (%s)", lim.cpus, lim.source);
	tu_rmrf(root);
	free(root);

	root = tu_tmpdir();
	tu_write(root, "proc/self/mountinfo", V2_MOUNT);
	assert_int_equal(cgroup_cpu_limit_leaf(root, &lim), -ENOENT);
	tu_rmrf(root);
	free(root);
}

/* ---- memory limits ---- */

static void test_parse_mem_max(void **state)
{
	(void)state;
	unsigned long long b = 7;
	assert_int_equal(cgroup_parse_mem_max("max\n", &b), 0);
	assert_true(b == 0);
	assert_int_equal(cgroup_parse_mem_max("1073741824\n", &b), 0);
	assert_true(b == 1073741824ULL);
	/* v1's "no limit" on 4 KiB and 64 KiB pages. */
	assert_int_equal(cgroup_parse_mem_max("9223372036854771712\n", &b), 0);
	assert_true(b == 0);
	assert_int_equal(cgroup_parse_mem_max("9223372036854710272", &b), 0);
	assert_true(b == 0);
	b = 7;
	assert_int_equal(cgroup_parse_mem_max("", &b), -1);
	assert_int_equal(cgroup_parse_mem_max("12k", &b), -1);
	assert_int_equal(cgroup_parse_mem_max("-1", &b), -1);
	assert_int_equal(cgroup_parse_mem_max("99999999999999999999999", &b), -1);
	assert_true(b == 7);
}

static void test_mem_limit_v2_ancestors(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct mem_limit lim;
	tu_write(root, "proc/self/cgroup", "0::/a/b\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V2_MOUNT);
	tu_write(root, "sys/fs/cgroup/a/b/memory.max", "max\n");
	tu_write(root, "sys/fs/cgroup/a/memory.max", "2147483648\n");
	assert_int_equal(cgroup_mem_limit(root, &lim), 0);
	assert_true(lim.bytes == 2147483648ULL);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/a/memory.max: 2147483648"));
	assert_null(strstr(lim.source, root));
	tu_write(root, "sys/fs/cgroup/a/b/memory.max", "1073741824\n");
	assert_int_equal(cgroup_mem_limit(root, &lim), 0);
	assert_true(lim.bytes == 1073741824ULL);
	assert_non_null(strstr(lim.source, "/a/b/memory.max"));
	tu_write(root, "sys/fs/cgroup/a/b/memory.max", "max\n");
	tu_write(root, "sys/fs/cgroup/a/memory.max", "max\n");
	assert_int_equal(cgroup_mem_limit(root, &lim), 0);
	assert_true(lim.bytes == 0);
	assert_string_equal(lim.source, "");
	tu_rmrf(root);
	free(root);
}

static void test_mem_limit_v1(void **state)
{
	(void)state;
	char *root = tu_tmpdir();
	struct mem_limit lim;
	tu_write(root, "proc/self/cgroup", "12:memory:/x/y\n4:cpu,cpuacct:/x/y\n");
	tu_write(root, "proc/self/mountinfo", OTHER_MOUNTS V1_MEM_MOUNT V1_CPU_MOUNT);
	tu_write(root, "sys/fs/cgroup/memory/x/y/memory.limit_in_bytes", "9223372036854771712\n");
	tu_write(root, "sys/fs/cgroup/memory/x/memory.limit_in_bytes", "536870912\n");
	tu_write(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	/* The same name in another hierarchy must not count. */
	tu_write(root, "sys/fs/cgroup/cpu,cpuacct/x/y/memory.limit_in_bytes", "1048576\n");
	assert_int_equal(cgroup_mem_limit(root, &lim), 0);
	assert_true(lim.bytes == 536870912ULL);
	assert_non_null(strstr(lim.source, "/sys/fs/cgroup/memory/x/memory.limit_in_bytes"));
	tu_rmrf(root);
	free(root);

	root = tu_tmpdir();
	tu_write(root, "proc/self/mountinfo", V1_MEM_MOUNT);
	assert_int_equal(cgroup_mem_limit(root, &lim), -ENOENT);
	tu_rmrf(root);
	free(root);
}

static void test_mem_limit_real_system(void **state)
{
	(void)state;
	struct mem_limit lim;
	assert_int_equal(cgroup_mem_limit("", &lim), 0);
	if (lim.bytes > 0)
		assert_true(lim.source[0] == '/');
	else
		assert_string_equal(lim.source, "");
	struct cpu_limit leaf, all;
	assert_int_equal(cgroup_cpu_limit_leaf("", &leaf), 0);
	assert_int_equal(cgroup_cpu_limit("", &all), 0);
	/* The tightest over all levels is never looser than the leaf's own. */
	if (leaf.cpus > 0)
		assert_true(all.cpus > 0 && all.cpus <= leaf.cpus);
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
	const struct CMUnitTest leaf[] = {
		cmocka_unit_test(test_leaf_ignores_ancestors),
		cmocka_unit_test(test_leaf_v1_over_v2),
		cmocka_unit_test(test_leaf_container_root),
	};
	const struct CMUnitTest mem[] = {
		cmocka_unit_test(test_parse_mem_max),
		cmocka_unit_test(test_mem_limit_v2_ancestors),
		cmocka_unit_test(test_mem_limit_v1),
		cmocka_unit_test(test_mem_limit_real_system),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("cgroup_parse_cpu_max", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("cgroup_cpu_limit", limit, NULL, NULL);
	failed += cmocka_run_group_tests_name("cgroup_cpu_limit_leaf", leaf, NULL, NULL);
	failed += cmocka_run_group_tests_name("cgroup_mem_limit", mem, NULL, NULL);
	return failed ? 1 : 0;
}
