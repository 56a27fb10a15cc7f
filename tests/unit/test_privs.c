/* test_privs.c - which capabilities a resident numarun keeps and why; telling a seccomp refusal apart
 * from a missing capability. Pure: the facts are given, not read. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include "testutil.h"
#include "policy.h"
#include "privs.h"

#define BIT(c) (1ULL << (c))
#define ALL 0x1ffffffffffULL

static struct privs root_container(uint64_t caps)
{
	struct privs pv;
	memset(&pv, 0, sizeof(pv));
	pv.known = 1;
	pv.seccomp = 2;
	pv.eff = pv.prm = pv.bnd = caps;
	pv.last_cap = 40;
	pv.euid = 0;
	pv.perf_paranoid = 2;
	return pv;
}

static int has(const struct privs_need *n, size_t k, int cap)
{
	for (size_t i = 0; i < k; i++)
		if (n[i].cap == cap)
			return 1;
	return 0;
}

static void test_exec_mode_keeps_nothing(void **state)
{
	(void)state;
	struct privs pv = root_container(ALL);
	struct policy p;
	struct privs_need n[PRIVS_MAX_NEED];
	policy_init(&p);
	assert_int_equal(privs_needed(&pv, &p, 0, 0, 0, n, PRIVS_MAX_NEED), 0);
	policy_free(&p);
}

static void test_resident_needs(void **state)
{
	(void)state;
	struct privs pv = root_container(ALL);
	struct policy p;
	struct privs_need n[PRIVS_MAX_NEED];
	policy_init(&p);
	/* PID 1 only: signals to a target that may switch user (root with CAP_SETUID) */
	size_t k = privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED);
	assert_int_equal(k, 1);
	assert_int_equal(n[0].cap, CAP_KILL);
	/* pinning threads */
	p.threads = THREADS_SPREAD;
	k = privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED);
	assert_true(has(n, k, CAP_KILL) && has(n, k, CAP_SYS_NICE) && !has(n, k, CAP_SYS_PTRACE));
	assert_int_equal(privs_keep_for_target(&pv, n, k), 0);
	/* monitoring: numa_maps; migrate: pages too */
	p.monitor = 1;
	p.action = ACTION_MIGRATE;
	k = privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED);
	assert_true(has(n, k, CAP_SYS_PTRACE));
	/* the PMU only above perf_event_paranoid 2 */
	assert_false(has(n, privs_needed(&pv, &p, 1, 1, 0, n, PRIVS_MAX_NEED), CAP_PERFMON));
	pv.perf_paranoid = 3;
	k = privs_needed(&pv, &p, 1, 1, 0, n, PRIVS_MAX_NEED);
	assert_true(has(n, k, CAP_PERFMON));
	pv.last_cap = 37; /* before Linux 5.8 */
	k = privs_needed(&pv, &p, 1, 1, 0, n, PRIVS_MAX_NEED);
	assert_true(has(n, k, CAP_SYS_ADMIN) && !has(n, k, CAP_PERFMON));
	policy_free(&p);
}

/* Without CAP_SETUID anywhere the target stays numarun's user: no CAP_KILL needed. */
static void test_no_user_switch(void **state)
{
	(void)state;
	struct privs pv = root_container(ALL & ~BIT(CAP_SETUID));
	struct policy p;
	struct privs_need n[PRIVS_MAX_NEED];
	policy_init(&p);
	assert_int_equal(privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED), 0);
	pv = root_container(ALL);
	pv.euid = 1000;
	assert_int_equal(privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED), 0);
	pv.amb = BIT(CAP_SETUID);
	assert_int_equal(privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED), 1);
	policy_free(&p);
}

/* podman's default set: no CAP_SYS_NICE, so the target's own capabilities must stay (the kernel's rule). */
static void test_keep_for_target(void **state)
{
	(void)state;
	struct privs pv = root_container(0xa80425fbULL);
	struct policy p;
	struct privs_need n[PRIVS_MAX_NEED];
	policy_init(&p);
	p.threads = THREADS_COMPACT;
	size_t k = privs_needed(&pv, &p, 1, 0, 0, n, PRIVS_MAX_NEED);
	assert_true(privs_keep_for_target(&pv, n, k) != 0);
	pv = root_container(0xa80425fbULL | BIT(CAP_SYS_NICE));
	assert_int_equal(privs_keep_for_target(&pv, n, k), 0);
	policy_free(&p);
}

static void test_explain(void **state)
{
	(void)state;
	char b[1024];
	struct privs pv = root_container(0xa80425fbULL);
	privs_explain(&pv, "set_mempolicy", EPERM, -1, b, sizeof(b));
	assert_non_null(strstr(b, "set_mempolicy: EPERM from the seccomp filter"));
	assert_non_null(strstr(b, "--cap-add SYS_NICE"));
	assert_non_null(strstr(b, "seccomp-numa.json"));
	/* podman's defaultErrnoRet is ENOSYS: a refusal under a filter */
	assert_true(privs_refused(&pv, ENOSYS));
	privs_explain(&pv, "migrate_pages", ENOSYS, -1, b, sizeof(b));
	assert_non_null(strstr(b, "ENOSYS from the seccomp filter"));
	assert_non_null(strstr(b, "whatever the capabilities"));
	/* a capability that is needed and not held is named as such */
	privs_explain(&pv, "sched_setaffinity", EPERM, CAP_SYS_NICE, b, sizeof(b));
	assert_non_null(strstr(b, "EPERM without CAP_SYS_NICE"));
	assert_non_null(strstr(b, "--cap-add SYS_NICE"));
	/* no filter: neither */
	pv.seccomp = 0;
	assert_false(privs_refused(&pv, ENOSYS));
	privs_explain(&pv, "set_mempolicy", EINVAL, -1, b, sizeof(b));
	assert_non_null(strstr(b, "no seccomp filter"));
	char name[64];
	assert_string_equal(privs_cap_name(CAP_SYS_NICE, name, sizeof(name)), "CAP_SYS_NICE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_mode_keeps_nothing),
		cmocka_unit_test(test_resident_needs),
		cmocka_unit_test(test_no_user_switch),
		cmocka_unit_test(test_keep_for_target),
		cmocka_unit_test(test_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
