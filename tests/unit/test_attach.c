/* test_attach.c - numarun attach's pure parts: the PID argument, /proc/PID/status, the rights decision as
 * the kernel makes it, and the process's common mask. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include "testutil.h"
#include "attach.h"

static void test_parse_pid(void **state)
{
	(void)state;
	char cause[256];
	pid_t pid = -1;
	assert_int_equal(attach_parse_pid("1", &pid, cause, sizeof(cause)), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(attach_parse_pid("4194304", &pid, cause, sizeof(cause)), 0);
	assert_int_equal(pid, 4194304);
	assert_int_equal(attach_parse_pid("2147483647", &pid, cause, sizeof(cause)), 0);
	assert_int_equal(pid, 2147483647);
	pid = 7;
	const char *bad[] = {"", "0", "-1", "+1", "12x", " 12", "12 ", "0x10", "1e3", "2147483648",
			     "99999999999999999999999", "٣"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause[0] = '\0';
		assert_int_equal(attach_parse_pid(bad[i], &pid, cause, sizeof(cause)), -1);
		assert_non_null(strstr(cause, "is not a process ID"));
		assert_int_equal(pid, 7); /* untouched */
	}
	attach_parse_pid("0", &pid, cause, sizeof(cause));
	assert_non_null(strstr(cause, "PIDs start at 1"));
	attach_parse_pid("2147483648", &pid, cause, sizeof(cause));
	assert_non_null(strstr(cause, "too large"));
}

static const char *STATUS =
	"Name:\tworkers\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t4242\n"
	"Ngid:\t0\n"
	"Pid:\t4243\n"
	"PPid:\t100\n"
	"TracerPid:\t0\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t50\t51\t52\t53\n"
	"CapPrm:\t0000000000800000\n"
	"CapEff:\t0000000000000001\n"
	"Kthread:\t0\n"
	"Cpus_allowed:\t3\n"
	"Cpus_allowed_list:\t0-1\n"
	"Mems_allowed:\t00000000,00000001\n"
	"Mems_allowed_list:\t0\n";

static void test_parse_status(void **state)
{
	(void)state;
	struct attach_status st;
	assert_int_equal(attach_parse_status(STATUS, &st), 0);
	assert_string_equal(st.name, "workers");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.tgid, 4242);
	assert_int_equal(st.pid, 4243);
	assert_int_equal(st.ppid, 100);
	assert_int_equal(st.kthread, 0);
	assert_int_equal(st.creds.uid[0], 1000);
	assert_int_equal(st.creds.uid[3], 1003);
	assert_int_equal(st.creds.gid[1], 51);
	assert_true(st.creds.prm == 1ULL << CAP_SYS_NICE);
	assert_true(st.creds.eff == 1);
	assert_string_equal(st.cpus, "0-1"); /* not Cpus_allowed: the key is matched whole */
	assert_string_equal(st.mems, "0");
	assert_int_equal(attach_parse_status("Name:\tx\nState:\tR\n", &st), -1);
	assert_int_equal(attach_parse_status("Pid:\t9\nKthread:\t1\nState:\tZ (zombie)\n", &st), 0);
	assert_int_equal(st.kthread, 1);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.tgid, -1);
	assert_string_equal(st.cpus, "");
}

static struct attach_creds creds(unsigned uid, unsigned gid, uint64_t eff, uint64_t prm)
{
	struct attach_creds c;
	for (int i = 0; i < 4; i++) {
		c.uid[i] = uid;
		c.gid[i] = gid;
	}
	c.eff = eff;
	c.prm = prm;
	return c;
}

#define CAP(x) (1ULL << (x))
#define ALL (ATTACH_RIGHT_CPUS | ATTACH_RIGHT_MIGRATE | ATTACH_RIGHT_READ)

static void test_rights_owner_and_caps(void **state)
{
	(void)state;
	char why[2048];
	struct attach_creds root = creds(0, 0, ~0ULL >> 23, ~0ULL >> 23), nobody = creds(65534, 65534, 0, 0),
			    user = creds(1000, 1000, 0, 0);
	/* Same user, no capabilities on either side: all there. */
	assert_int_equal(attach_rights(&user, &user, 1, 1, 10, ALL, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	/* Root with every capability: all there, whoever owns it. */
	assert_int_equal(attach_rights(&root, &user, 1, 1, 10, ALL, why, sizeof(why)), 0);
	assert_int_equal(attach_rights(&root, &root, 1, 0, 10, ALL, why, sizeof(why)), 0);
	/* Nobody against root: every right missing, the CPUs said first, exactly. */
	assert_int_equal(attach_rights(&nobody, &root, 1, 1, 123, ALL, why, sizeof(why)), ALL);
	assert_non_null(strstr(why, "cannot set the CPUs of process 123 (owned by uid 0): numarun runs as uid 65534 "
				    "without CAP_SYS_NICE"));
	assert_true(strncmp(why, "cannot set the CPUs", 19) == 0);
	assert_non_null(strstr(why, "cannot move the pages of process 123"));
	assert_non_null(strstr(why, "without CAP_SYS_PTRACE"));
	/* Only what is asked for is checked. */
	assert_int_equal(attach_rights(&nobody, &root, 1, 1, 123, ATTACH_RIGHT_MIGRATE, why, sizeof(why)),
			 ATTACH_RIGHT_MIGRATE);
	assert_null(strstr(why, "CPUs"));
	/* The capabilities, where they count. */
	struct attach_creds nice = creds(65534, 65534, CAP(CAP_SYS_NICE), CAP(CAP_SYS_NICE));
	assert_int_equal(attach_rights(&nice, &user, 1, 1, 5, ALL, why, sizeof(why)),
			 ATTACH_RIGHT_MIGRATE | ATTACH_RIGHT_READ);
	assert_int_equal(attach_rights(&nice, &user, 0, 1, 5, ALL, why, sizeof(why)), ALL); /* another namespace's */
	struct attach_creds ptr = creds(65534, 65534, CAP(CAP_SYS_PTRACE), CAP(CAP_SYS_PTRACE));
	assert_int_equal(attach_rights(&ptr, &user, 1, 1, 5, ALL, why, sizeof(why)), ATTACH_RIGHT_CPUS);
	assert_int_equal(attach_rights(&ptr, &user, 1, 0, 5, ATTACH_RIGHT_READ, why, sizeof(why)), 0);
}

static void test_rights_kernel_rules(void **state)
{
	(void)state;
	char why[2048];
	struct attach_creds user = creds(1000, 1000, 0, 0);
	/* sched_setaffinity: numarun's euid is the target's real uid (a set-user-ID program run by the user). */
	struct attach_creds setuid_prog = creds(1000, 1000, 0, 0);
	setuid_prog.uid[1] = setuid_prog.uid[2] = setuid_prog.uid[3] = 0;
	assert_int_equal(attach_rights(&user, &setuid_prog, 1, 1, 7, ATTACH_RIGHT_CPUS, why, sizeof(why)), 0);
	/* ... but ptrace read access wants real, effective and saved all matching. */
	assert_int_equal(attach_rights(&user, &setuid_prog, 1, 1, 7, ATTACH_RIGHT_MIGRATE, why, sizeof(why)),
			 ATTACH_RIGHT_MIGRATE);
	assert_non_null(strstr(why, "uids 1000/0/0"));
	/* Only the euid counts for sched_setaffinity: a real uid of the target's is not enough. */
	struct attach_creds caller = creds(1000, 1000, 0, 0);
	caller.uid[1] = 2000;
	assert_int_equal(attach_rights(&caller, &user, 1, 1, 7, ATTACH_RIGHT_CPUS, why, sizeof(why)), ATTACH_RIGHT_CPUS);
	assert_non_null(strstr(why, "numarun runs as uid 2000"));
	/* Real credentials for migrate_pages, filesystem ones for numa_maps. */
	caller = creds(1000, 1000, 0, 0);
	caller.uid[3] = 3000;
	assert_int_equal(attach_rights(&caller, &user, 1, 1, 7, ATTACH_RIGHT_MIGRATE, why, sizeof(why)), 0);
	assert_int_equal(attach_rights(&caller, &user, 1, 1, 7, ATTACH_RIGHT_READ, why, sizeof(why)), ATTACH_RIGHT_READ);
	assert_non_null(strstr(why, "filesystem uid 3000"));
	/* A gid that differs is enough to refuse ptrace read access. */
	struct attach_creds sgid = user;
	sgid.gid[1] = 5;
	assert_int_equal(attach_rights(&user, &sgid, 1, 1, 7, ATTACH_RIGHT_READ, why, sizeof(why)), ATTACH_RIGHT_READ);
	/* Not dumpable: refused without CAP_SYS_PTRACE even to its own user. */
	assert_int_equal(attach_rights(&user, &user, 1, 0, 7, ALL, why, sizeof(why)),
			 ATTACH_RIGHT_MIGRATE | ATTACH_RIGHT_READ);
	assert_non_null(strstr(why, "not dumpable"));
	/* A target holding capabilities numarun lacks (commoncap): the CPUs need CAP_SYS_NICE, the reads
	 * CAP_SYS_PTRACE, also for the same user. */
	struct attach_creds capped = creds(1000, 1000, CAP(CAP_NET_ADMIN), CAP(CAP_NET_ADMIN));
	assert_int_equal(attach_rights(&user, &capped, 1, 1, 7, ALL, why, sizeof(why)), ALL);
	assert_non_null(strstr(why, "it holds capabilities numarun does not (CAP_NET_ADMIN)"));
	struct attach_creds more = creds(1000, 1000, CAP(CAP_NET_ADMIN), CAP(CAP_NET_ADMIN) | CAP(CAP_SYS_NICE));
	assert_int_equal(attach_rights(&more, &capped, 1, 1, 7, ATTACH_RIGHT_CPUS, why, sizeof(why)), 0);
	/* The READ check compares with numarun's effective set, MIGRATE with its permitted set. */
	assert_int_equal(attach_rights(&more, &capped, 1, 1, 7, ATTACH_RIGHT_MIGRATE, why, sizeof(why)), 0);
	more.eff = 0;
	assert_int_equal(attach_rights(&more, &capped, 1, 1, 7, ATTACH_RIGHT_READ, why, sizeof(why)), ATTACH_RIGHT_READ);
}

static void test_common_mask(void **state)
{
	(void)state;
	hwloc_bitmap_t m[4];
	pid_t tids[4] = {10, 11, 12, 13};
	m[0] = tu_set("0-3");
	m[1] = tu_set("1");
	m[2] = tu_set("1");
	m[3] = tu_set("0-3");
	/* 2 against 2: the main thread's. */
	assert_int_equal(attach_common_mask((const hwloc_const_bitmap_t *)m, tids, 4, 10), 0);
	/* Main thread 12: its mask wins the tie. */
	assert_int_equal(attach_common_mask((const hwloc_const_bitmap_t *)m, tids, 4, 12), 1);
	/* Most threads, over the main thread's. */
	hwloc_bitmap_only(m[3], 1);
	assert_int_equal(attach_common_mask((const hwloc_const_bitmap_t *)m, tids, 4, 10), 1);
	/* One thread; none. */
	assert_int_equal(attach_common_mask((const hwloc_const_bitmap_t *)m, tids, 1, 99), 0);
	assert_int_equal(attach_common_mask((const hwloc_const_bitmap_t *)m, tids, 0, 10), -1);
	for (int i = 0; i < 4; i++)
		hwloc_bitmap_free(m[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_pid),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_rights_owner_and_caps),
		cmocka_unit_test(test_rights_kernel_rules),
		cmocka_unit_test(test_common_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
