/* test_plan.c - the pure planner on synthetic topologies: node choice, CPU order, memory, errors. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "nodelist.h"
#include "plan.h"
#include "policy.h"

/* 2 packages x 2 nodes x 4 cores x 2 PUs: nodes 0-3 with PUs 8n..8n+7; core k of node n = PUs 8n+2k, +1. */
#define SNC "pack:2 numa:2 core:4 pu:2"

struct fixture {
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[1024];
	int have_plan;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	tu_synthetic(&f->t, SNC);
	policy_init(&f->p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->have_plan)
		plan_free(&f->pl);
	policy_free(&f->p);
	topology_free(&f->t);
	free(f);
	return 0;
}

static void ok_plan(struct fixture *f)
{
	if (f->have_plan)
		plan_free(&f->pl);
	f->have_plan = 0;
	if (plan_compute(&f->t, &f->p, &f->pl, f->cause, sizeof(f->cause)) < 0)
		fail_msg("plan_compute failed: %s", f->cause);
	f->have_plan = 1;
}

static void bad_plan(struct fixture *f, const char *needle)
{
	struct plan pl;
	assert_int_equal(plan_compute(&f->t, &f->p, &pl, f->cause, sizeof(f->cause)), -1);
	if (!strstr(f->cause, needle))
		fail_msg("error '%s' does not mention '%s'", f->cause, needle);
}

static void assert_order(const struct plan *pl, const unsigned *want, unsigned n)
{
	assert_int_equal(pl->ncpus, n);
	for (unsigned i = 0; i < n; i++)
		if (pl->order[i] != want[i])
			fail_msg("order[%u] = %u, expected %u", i, pl->order[i], want[i]);
}

static void test_default_is_everything(void **state)
{
	struct fixture *f = *state;
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpus), "0-31");
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0-3");
	assert_int_equal(f->pl.mem, MEM_DEFAULT);
	assert_true(hwloc_bitmap_iszero(f->pl.mem_nodes));
	/* Whole cores first: the 16 first PUs of each core come before any sibling. */
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(f->pl.order[i] % 2, 0);
	for (unsigned i = 16; i < 32; i++)
		assert_int_equal(f->pl.order[i] % 2, 1);
}

static void test_compact_one_node_whole_cores_first(void **state)
{
	struct fixture *f = *state;
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 6;
	ok_plan(f);
	unsigned want[] = {0, 2, 4, 6, 1, 3};
	assert_order(&f->pl, want, 6);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0");
}

static void test_compact_prefers_nearest_pair(void **state)
{
	struct fixture *f = *state;
	/* Make 0 and 2 the nearest pair, and 1-3 next: 10 CPUs need two nodes. */
	const uint64_t d[16] = {10, 30, 12, 30, 30, 10, 30, 20, 12, 30, 10, 30, 30, 20, 30, 10};
	tu_set_distances(&f->t, d);
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 10;
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0,2");
	/* Whole cores of both nodes (node 0's, then node 2's) before the first siblings. */
	unsigned want[] = {0, 2, 4, 6, 16, 18, 20, 22, 1, 3};
	assert_order(&f->pl, want, 10);
	/* Without SMT 10 CPUs need three nodes: 0 and 2, then 1 (1 and 3 are equally far: lower index). */
	f->p.smt = 0;
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0-2");
}

static void test_compact_uses_same_package_by_default_distances(void **state)
{
	struct fixture *f = *state;
	const uint64_t d[16] = {10, 11, 21, 21, 11, 10, 21, 21, 21, 21, 10, 11, 21, 21, 11, 10};
	tu_set_distances(&f->t, d);
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 9;
	ok_plan(f);
	/* 9 > 8 PUs of one node: two nodes of the same package. */
	assert_int_equal(hwloc_bitmap_weight(f->pl.cpu_nodes), 2);
	hwloc_bitmap_t a = tu_set("0-1"), b = tu_set("2-3");
	assert_true(hwloc_bitmap_isequal(f->pl.cpu_nodes, a) || hwloc_bitmap_isequal(f->pl.cpu_nodes, b));
	hwloc_bitmap_free(a);
	hwloc_bitmap_free(b);
}

static void test_compact_prefers_free_memory(void **state)
{
	struct fixture *f = *state;
	f->t.nodes[2].free_memory = f->t.nodes[2].memory * 2;
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 2;
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "2");
	assert_string_equal(tu_list(f->pl.cpus), "16,18");
}

static void test_compact_near_explicit_memory(void **state)
{
	struct fixture *f = *state;
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 2;
	f->p.mem = MEM_BIND;
	f->p.mem_nodes = strdup("3");
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "3");
	/* Interleaved over 1 and 3: CPUs on one of them. */
	f->p.mem = MEM_INTERLEAVE;
	free(f->p.mem_nodes);
	f->p.mem_nodes = strdup("1,3");
	ok_plan(f);
	hwloc_bitmap_t one = tu_set("1"), three = tu_set("3");
	assert_true(hwloc_bitmap_isequal(f->pl.cpu_nodes, one) || hwloc_bitmap_isequal(f->pl.cpu_nodes, three));
	hwloc_bitmap_free(one);
	hwloc_bitmap_free(three);
}

static void test_spread_one_core_per_node(void **state)
{
	struct fixture *f = *state;
	f->p.strategy = STRATEGY_SPREAD;
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 4;
	ok_plan(f);
	unsigned want[] = {0, 8, 16, 24};
	assert_order(&f->pl, want, 4);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0-3");
	f->p.cpus_value = 9;
	ok_plan(f);
	unsigned want9[] = {0, 8, 16, 24, 2, 10, 18, 26, 4};
	assert_order(&f->pl, want9, 9);
	/* 20 PUs: all 16 cores, then siblings round-robin. */
	f->p.cpus_value = 20;
	ok_plan(f);
	assert_int_equal(f->pl.order[16] % 2, 1);
	assert_int_equal(f->pl.order[15] % 2, 0);
}

static void test_smt_no_one_pu_per_core(void **state)
{
	struct fixture *f = *state;
	f->p.smt = 0;
	ok_plan(f);
	assert_int_equal(f->pl.ncpus, 16);
	assert_string_equal(tu_list(f->pl.cpus), "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30");
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 17;
	bad_plan(f, "asked for 17 CPUs");
	assert_non_null(strstr(f->cause, "only 16 are available"));
	assert_non_null(strstr(f->cause, "smt = no"));
}

static void test_cpus_share_and_nodes(void **state)
{
	struct fixture *f = *state;
	f->p.cpus_kind = CPUS_PERCENT;
	f->p.cpus_value = 50;
	ok_plan(f);
	assert_int_equal(f->pl.ncpus, 16);
	assert_int_equal(hwloc_bitmap_weight(f->pl.cpu_nodes), 2);
	f->p.cpus_value = 10;
	ok_plan(f);
	assert_int_equal(f->pl.ncpus, 4);
	f->p.cpus_kind = CPUS_NODES;
	f->p.cpus_value = 1;
	ok_plan(f);
	assert_int_equal(f->pl.ncpus, 8);
	assert_int_equal(hwloc_bitmap_weight(f->pl.cpu_nodes), 1);
	f->p.cpus_value = 1.5;
	ok_plan(f);
	assert_int_equal(f->pl.ncpus, 12);
	assert_int_equal(hwloc_bitmap_weight(f->pl.cpu_nodes), 2);
}

static void test_explicit_nodes(void **state)
{
	struct fixture *f = *state;
	f->p.nodes = strdup("1");
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpus), "8-15");
	assert_string_equal(tu_list(f->pl.cpu_nodes), "1");
	free(f->p.nodes);
	f->p.nodes = strdup("!0-1");
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpus), "16-31");
	free(f->p.nodes);
	f->p.nodes = strdup("+1");
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpus), "8-15");
	free(f->p.nodes);
	f->p.nodes = strdup("5");
	bad_plan(f, "node 5 does not exist (nodes: 0-3)");
	free(f->p.nodes);
	f->p.nodes = strdup("1-2");
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 17;
	bad_plan(f, "asked for 17 CPUs");
	assert_non_null(strstr(f->cause, "on nodes 1-2"));
}

static void test_explicit_cpu_list(void **state)
{
	struct fixture *f = *state;
	f->p.cpu_list = strdup("3,0,5,0");
	ok_plan(f);
	/* an explicit list is used in its order (plan --ini writes the plan's order so) */
	unsigned want[] = {3, 0, 5};
	assert_order(&f->pl, want, 3);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0");
	plan_free(&f->pl);
	free(f->p.cpu_list);
	/* a set is ordered by numarun: whole cores first (0 and 2 are cores 0 and 1, then their siblings) */
	f->p.cpu_list = strdup("!4-31");
	ok_plan(f);
	unsigned want2[] = {0, 2, 1, 3};
	assert_order(&f->pl, want2, 4);
	plan_free(&f->pl);
	free(f->p.cpu_list);
	f->p.cpu_list = strdup("40");
	bad_plan(f, "CPU 40 does not exist");
	free(f->p.cpu_list);
	f->p.cpu_list = strdup("9");
	f->p.nodes = strdup("0");
	bad_plan(f, "CPU 9 is not on nodes 0");
}

static void test_memory_policies(void **state)
{
	struct fixture *f = *state;
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 10;
	f->p.mem = MEM_BIND;
	ok_plan(f);
	assert_true(hwloc_bitmap_isequal(f->pl.mem_nodes, f->pl.cpu_nodes));
	assert_int_equal(hwloc_bitmap_weight(f->pl.mem_nodes), 2);

	f->p.mem = MEM_INTERLEAVE;
	f->p.mem_nodes = strdup("all");
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.mem_nodes), "0-3");

	f->p.mem = MEM_PREFERRED;
	free(f->p.mem_nodes);
	f->p.mem_nodes = NULL;
	/* the plan's nodes: two of them, preferred with MPOL_PREFERRED_MANY (it was the first only) */
	ok_plan(f);
	assert_true(hwloc_bitmap_isequal(f->pl.mem_nodes, f->pl.cpu_nodes));
	assert_int_equal(hwloc_bitmap_weight(f->pl.mem_nodes), 2);
	assert_int_equal(f->pl.mpol, MPOL_PREFERRED_MANY);
	f->p.cpus_value = 4;
	ok_plan(f);
	assert_int_equal(hwloc_bitmap_weight(f->pl.mem_nodes), 1);
	assert_int_equal(hwloc_bitmap_first(f->pl.mem_nodes), hwloc_bitmap_first(f->pl.cpu_nodes));
	assert_int_equal(f->pl.mpol, MPOL_PREFERRED);
	/* several nodes: MPOL_PREFERRED_MANY, unless the kernel is known to refuse it (before 5.15) */
	f->p.mem_nodes = strdup("0,1");
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.mem_nodes), "0-1");
	assert_int_equal(f->pl.mpol, MPOL_PREFERRED_MANY);
	assert_false(f->pl.balancing); /* not known to take MPOL_F_NUMA_BALANCING with it */
	assert_non_null(strstr(f->pl.notes[f->pl.nnotes - 1], "preferred on nodes 0-1: MPOL_PREFERRED_MANY"));
	f->t.kmem.known = 1;
	f->t.kmem.numa_balancing = 1;
	f->t.kmem.inherited_mode = -1;
	f->t.kmem.preferred_many = 1;
	f->t.kmem.preferred_many_balancing = 1;
	ok_plan(f);
	assert_int_equal(f->pl.mpol, MPOL_PREFERRED_MANY);
	assert_true(f->pl.balancing);
	f->t.kmem.preferred_many = 0;
	f->t.kmem.preferred_many_balancing = 0;
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.mem_nodes), "0");
	assert_int_equal(f->pl.mpol, MPOL_PREFERRED);
	assert_non_null(strstr(f->pl.notes[f->pl.nnotes - 1], "this kernel refuses MPOL_PREFERRED_MANY"));
	assert_non_null(strstr(f->pl.dropped, "MPOL_PREFERRED_MANY on nodes 0-1 (this kernel refuses it)"));
	f->p.strict = 1;
	bad_plan(f, "--strict: not planned on the first node alone");
	f->p.strict = 0;
	memset(&f->t.kmem, 0, sizeof(f->t.kmem));

	f->p.mem = MEM_LOCAL;
	bad_plan(f, "only used with bind, interleave or preferred");

	f->p.mem = MEM_BIND;
	free(f->p.mem_nodes);
	f->p.mem_nodes = strdup("7");
	bad_plan(f, "node 7 does not exist");
}

static void test_restricted_cpuset(void **state)
{
	struct fixture *f = *state;
	hwloc_bitmap_t cpus = tu_set("0-11"), nodes = tu_set("0-1");
	topology_restrict(&f->t, cpus, nodes);
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpus), "0-11");
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0-1");

	f->p.nodes = strdup("2");
	bad_plan(f, "node 2 is outside the allowed CPUs");
	assert_non_null(strstr(f->cause, "allowed CPUs 0-11"));
	free(f->p.nodes);
	f->p.nodes = NULL;

	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 13;
	bad_plan(f, "only 12 are available");

	f->p.cpus_value = 4;
	f->p.mem = MEM_BIND;
	f->p.mem_nodes = strdup("3");
	bad_plan(f, "node 3 is outside the allowed memory nodes");

	/* Node 1 keeps only 4 PUs (2 cores): a 6-CPU request fits node 0 alone. */
	free(f->p.mem_nodes);
	f->p.mem_nodes = NULL;
	f->p.cpus_value = 6;
	ok_plan(f);
	assert_string_equal(tu_list(f->pl.cpu_nodes), "0");
	f->p.nodes = strdup("1");
	f->p.cpus_value = 5;
	bad_plan(f, "only 4 are available on nodes 1");
	hwloc_bitmap_free(cpus);
	hwloc_bitmap_free(nodes);
}

static void test_cpuless_nodes(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[512];
	/* Each package has a DRAM node (0, 2) and a second memory-only node (1, 3). */
	tu_synthetic(&t, "pack:2 [numa(memory=1GB)] [numa(memory=2GB)] core:2 pu:2");
	assert_true(t.nodes[0].has_cpus);
	assert_false(t.nodes[1].has_cpus);
	assert_true(t.nodes[2].has_cpus);
	assert_false(t.nodes[3].has_cpus);
	assert_true(hwloc_bitmap_iszero(t.nodes[1].cpus));
	policy_init(&p);
	p.nodes = strdup("1");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "node 1 has no CPUs"));
	free(p.nodes);
	p.nodes = strdup("0");
	p.mem = MEM_BIND;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0");
	plan_free(&pl);
	p.include_cpuless = 1;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0-1");
	assert_string_equal(tu_list(pl.cpus), "0-3");
	plan_free(&pl);
	/* "all" stays on CPU nodes unless CPU-less ones are asked for. */
	p.include_cpuless = 0;
	p.mem_nodes = strdup("all");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0,2");
	plan_free(&pl);
	free(p.mem_nodes);
	p.mem_nodes = strdup("3");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "3");
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);
}

static const char offline_sparse_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">\n"
	"<topology version=\"2.0\">\n"
	" <object type=\"Machine\" os_index=\"0\" cpuset=\"0x0000000d\" complete_cpuset=\"0x0000000f\""
	" allowed_cpuset=\"0x0000000d\" nodeset=\"0x00000021\" complete_nodeset=\"0x00000021\""
	" allowed_nodeset=\"0x00000021\" gp_index=\"1\">\n"
	"  <object type=\"Group\" cpuset=\"0x00000001\" complete_cpuset=\"0x00000003\" nodeset=\"0x00000001\""
	" complete_nodeset=\"0x00000001\" gp_index=\"7\" kind=\"1001\" subkind=\"0\">\n"
	"   <object type=\"NUMANode\" os_index=\"0\" cpuset=\"0x00000001\" complete_cpuset=\"0x00000003\""
	" nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"6\" local_memory=\"1073741824\"/>\n"
	"   <object type=\"Core\" os_index=\"0\" cpuset=\"0x00000001\" complete_cpuset=\"0x00000001\""
	" nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"3\">\n"
	"    <object type=\"PU\" os_index=\"0\" cpuset=\"0x00000001\" complete_cpuset=\"0x00000001\""
	" nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"2\"/>\n"
	"   </object>\n"
	"  </object>\n"
	"  <object type=\"Group\" cpuset=\"0x0000000c\" complete_cpuset=\"0x0000000c\" nodeset=\"0x00000020\""
	" complete_nodeset=\"0x00000020\" gp_index=\"13\" kind=\"1001\" subkind=\"0\">\n"
	"   <object type=\"NUMANode\" os_index=\"5\" cpuset=\"0x0000000c\" complete_cpuset=\"0x0000000c\""
	" nodeset=\"0x00000020\" complete_nodeset=\"0x00000020\" gp_index=\"12\" local_memory=\"1073741824\"/>\n"
	"   <object type=\"Core\" os_index=\"2\" cpuset=\"0x00000004\" complete_cpuset=\"0x00000004\""
	" nodeset=\"0x00000020\" complete_nodeset=\"0x00000020\" gp_index=\"9\">\n"
	"    <object type=\"PU\" os_index=\"2\" cpuset=\"0x00000004\" complete_cpuset=\"0x00000004\""
	" nodeset=\"0x00000020\" complete_nodeset=\"0x00000020\" gp_index=\"8\"/>\n"
	"   </object>\n"
	"   <object type=\"Core\" os_index=\"3\" cpuset=\"0x00000008\" complete_cpuset=\"0x00000008\""
	" nodeset=\"0x00000020\" complete_nodeset=\"0x00000020\" gp_index=\"11\">\n"
	"    <object type=\"PU\" os_index=\"3\" cpuset=\"0x00000008\" complete_cpuset=\"0x00000008\""
	" nodeset=\"0x00000020\" complete_nodeset=\"0x00000020\" gp_index=\"10\"/>\n"
	"   </object>\n"
	"  </object>\n"
	" </object>\n"
	"</topology>\n";

static void test_offline_cpu_and_sparse_nodes(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[512], path[512];
	char *dir = tu_tmpdir();
	tu_write(dir, "t.xml", offline_sparse_xml);
	snprintf(path, sizeof(path), "%s/t.xml", dir);
	if (topology_load(&t, path, cause, sizeof(cause)) < 0)
		fail_msg("%s", cause);
	assert_false(t.this_system);
	assert_int_equal(t.nnodes, 2);
	assert_int_equal(t.nodes[1].os_index, 5);
	assert_string_equal(tu_list(t.cpus), "0,2-3");
	assert_int_equal(t.npus_total, 4);
	policy_init(&p);
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "0,2-3");
	plan_free(&pl);
	p.cpu_list = strdup("1");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "CPU 1 does not exist or is offline (online CPUs: 0,2-3)"));
	free(p.cpu_list);
	p.cpu_list = NULL;
	p.nodes = strdup("5");
	p.mem = MEM_BIND;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "2-3");
	assert_string_equal(tu_list(pl.mem_nodes), "5");
	plan_free(&pl);
	free(p.nodes);
	p.nodes = strdup("+1");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpu_nodes), "5");
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);
	tu_rmrf(dir);
	free(dir);
}

/* Whether the kernel will balance the target's memory, and MPOL_F_NUMA_BALANCING, from the kernel's
 * facts (pure: fed what mempolicy_read_kernel and the probe would find). */
static void set_kernel(struct fixture *f, int numa_balancing, unsigned modes, int inherited, int mof)
{
	memset(&f->t.kmem, 0, sizeof(f->t.kmem));
	f->t.kmem.known = 1;
	f->t.kmem.numa_balancing = numa_balancing;
	f->t.kmem.probed_modes = 1;
	f->t.kmem.balancing_modes = modes;
	f->t.kmem.inherited_mode = inherited;
	f->t.kmem.inherited_mof = mof;
}

static void test_kernel_balancing(void **state)
{
	struct fixture *f = *state;
	unsigned bind_only = 1u << MEM_BIND;
	/* Not this system: unknown; bind still asks for the flag (what 5.12 and later take). */
	ok_plan(f);
	assert_int_equal(f->pl.kernel_balancing, -1);
	assert_int_equal(f->pl.balancing, 0);
	assert_non_null(strstr(f->pl.kernel_balancing_why, "not this system"));
	/* No memory policy, balancing on: the kernel balances the inherited default policy. */
	set_kernel(f, 1, bind_only, 0, 0);
	ok_plan(f);
	assert_int_equal(f->pl.mem, MEM_DEFAULT);
	assert_int_equal(f->pl.kernel_balancing, 1);
	assert_int_equal(f->pl.balancing, 0);
	/* ... unless numarun itself was started under an explicit policy without the flag. */
	set_kernel(f, 1, bind_only, 2 /* MPOL_BIND */, 0);
	ok_plan(f);
	assert_int_equal(f->pl.kernel_balancing, 0);
	assert_non_null(strstr(f->pl.kernel_balancing_why, "inherits numarun's own bind memory policy"));
	set_kernel(f, 1, bind_only, 2, 1);
	ok_plan(f);
	assert_int_equal(f->pl.kernel_balancing, 1);
	/* Balancing off in the kernel: no. Tiering only (2): bit 0 off, no. */
	set_kernel(f, 0, bind_only, 0, 0);
	ok_plan(f);
	assert_int_equal(f->pl.kernel_balancing, 0);
	assert_non_null(strstr(f->pl.kernel_balancing_why, "kernel.numa_balancing is 0"));
	set_kernel(f, 2, bind_only, 0, 0);
	ok_plan(f);
	assert_int_equal(f->pl.kernel_balancing, 0);
	/* An explicit local policy: the kernel does not balance it (6.1 takes the flag with bind only). */
	set_kernel(f, 1, bind_only, 0, 0);
	f->p.mem = MEM_LOCAL;
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 0);
	assert_int_equal(f->pl.kernel_balancing, 0);
	assert_non_null(strstr(f->pl.kernel_balancing_why, "explicit local policy"));
	/* A kernel that takes the flag with local too: asked for under auto. */
	set_kernel(f, 1, bind_only | (1u << MEM_LOCAL), 0, 0);
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 1);
	assert_int_equal(f->pl.kernel_balancing, 1);
	/* bind: auto asks for the flag while the kernel balances; no never; yes even when it is off. */
	f->p.mem = MEM_BIND;
	set_kernel(f, 1, bind_only, 0, 0);
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 1);
	assert_int_equal(f->pl.kernel_balancing, 1);
	f->p.balancing = BALANCING_NO;
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 0);
	assert_int_equal(f->pl.kernel_balancing, 0);
	assert_non_null(strstr(f->pl.kernel_balancing_why, "balancing = no"));
	set_kernel(f, 0, bind_only, 0, 0);
	f->p.balancing = BALANCING_AUTO;
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 0);
	f->p.balancing = BALANCING_YES;
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 1);
	assert_int_equal(f->pl.kernel_balancing, 0);
	/* yes with a policy the kernel does not take it with: an error naming both. */
	f->p.mem = MEM_INTERLEAVE;
	bad_plan(f, "does not take MPOL_F_NUMA_BALANCING with the interleave memory policy");
	f->p.balancing = BALANCING_AUTO;
	set_kernel(f, 1, bind_only, 0, 0);
	ok_plan(f);
	assert_int_equal(f->pl.balancing, 0);
	assert_int_equal(f->pl.kernel_balancing, 0);
}


static void restrict_cpus(struct topo *t, const char *list)
{
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	char why[128];
	assert_int_equal(nodelist_parse(list, NULL, b, why, sizeof(why)), 0);
	topology_restrict(t, b, NULL);
	hwloc_bitmap_free(b);
}

static void load(struct fixture *f, const char *text)
{
	policy_free(&f->p);
	policy_init(&f->p);
	if (policy_load_string(&f->p, "handoff.ini", text, f->cause, sizeof(f->cause)) < 0)
		fail_msg("policy: %s", f->cause);
}

/* A policy planned in another cpuset (Kubernetes: the init container's CPUs are not the app's): the CPU list
 * becomes its count, with the same strategy, inside the CPUs allowed here. */
static void test_relocate_planned_elsewhere(void **state)
{
	struct fixture *f = *state;
	char a[256];
	restrict_cpus(&f->t, "8-15");
	load(f, "[placement]\ncpu_list = 0-1\nplanned_cpus = 0-7\nplanned_nodes = 0-3\nstrategy = compact\n");
	ok_plan(f);
	assert_string_equal(nodelist_format(f->pl.cpus, a, sizeof(a)), "8,10");
	assert_non_null(strstr(f->pl.relocated, "planned where CPUs 0-7 and nodes 0-3 were allowed; here CPUs 8-15 and nodes 0-3"));
	assert_non_null(strstr(f->pl.relocated, "cpu_list 0-1 as 2 CPUs, compact"));
	assert_string_equal(f->pl.planned_cpus, "0-7");
	/* strict: refused, with both sets named */
	f->p.strict = 1;
	bad_plan(f, "planned where CPUs 0-7 and nodes 0-3 were allowed; here CPUs 8-15 and nodes 0-3 are allowed (strict");
}

/* The same allowed sets: the policy is exact, nothing re-planned. */
static void test_relocate_same_place(void **state)
{
	struct fixture *f = *state;
	char a[256];
	load(f, "[placement]\ncpu_list = 0,9\nplanned_cpus = 0-31\nplanned_nodes = 0-3\n");
	ok_plan(f);
	assert_string_equal(nodelist_format(f->pl.cpus, a, sizeof(a)), "0,9");
	assert_string_equal(f->pl.relocated, "");
}

/* No record of where it was planned, but its lists are not allowed here: the same, from the lists. */
static void test_relocate_lists_not_allowed(void **state)
{
	struct fixture *f = *state;
	char a[256];
	restrict_cpus(&f->t, "16-31");
	load(f, "[placement]\nnodes = 0\nstrategy = spread\n[memory]\npolicy = bind\nnodes = 0\n");
	ok_plan(f);
	/* one node's worth of CPUs, spread over the allowed nodes 2-3; memory on the new CPU nodes */
	assert_int_equal(f->pl.ncpus, 8);
	assert_string_equal(nodelist_format(f->pl.cpu_nodes, a, sizeof(a)), "2-3");
	assert_string_equal(nodelist_format(f->pl.mem_nodes, a, sizeof(a)), "2-3");
	assert_non_null(strstr(f->pl.relocated, "nodes 0 as 1 node"));
	assert_non_null(strstr(f->pl.relocated, "memory nodes 0 as the plan's nodes"));
	/* "all" is relative to what is allowed: never a reason to re-plan */
	load(f, "[placement]\nnodes = all\n");
	ok_plan(f);
	assert_string_equal(f->pl.relocated, "");
}

/* Lists given on the command line are taken as given: the planner's error, not a re-plan. */
static void test_relocate_not_cli_lists(void **state)
{
	struct fixture *f = *state;
	restrict_cpus(&f->t, "8-15");
	free(f->p.cpu_list);
	f->p.cpu_list = strdup("0");
	bad_plan(f, "CPU 0 is outside the allowed CPUs (allowed: 8-15)");
}

/* plan --ini records where it was planned, and reads back to the same plan. */
static void test_ini_records_planned_sets(void **state)
{
	struct fixture *f = *state;
	char *text = NULL, a[256], b[256];
	size_t len = 0;
	restrict_cpus(&f->t, "4-19");
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 6;
	f->p.strategy = STRATEGY_SPREAD;
	ok_plan(f);
	FILE *m = open_memstream(&text, &len);
	plan_print_ini(m, &f->pl, &f->t, &f->p);
	fclose(m);
	assert_non_null(strstr(text, "\nplanned_cpus = 4-19\nplanned_nodes = 0-3\n"));
	nodelist_format(f->pl.cpus, a, sizeof(a));
	load(f, text);
	ok_plan(f);
	assert_string_equal(nodelist_format(f->pl.cpus, b, sizeof(b)), a);
	assert_string_equal(f->pl.relocated, "");
	free(text);
}

/* plan --ini writes the count asked for (cpus =): that intent is kept where fewer CPUs are allowed. */
static void test_relocate_keeps_count_intent(void **state)
{
	struct fixture *f = *state;
	char a[256];
	restrict_cpus(&f->t, "8-11");
	load(f, "[placement]\ncpu_list = 0-15\ncpus = all\nplanned_cpus = 0-15\nplanned_nodes = 0-3\n");
	ok_plan(f);
	assert_string_equal(nodelist_format(f->pl.cpus, a, sizeof(a)), "8-11");
	assert_non_null(strstr(f->pl.relocated, "cpu_list 0-15 as cpus = all"));
	/* without the count, a list larger than what is allowed becomes all that is allowed */
	load(f, "[placement]\ncpu_list = 0-15\nplanned_cpus = 0-15\nplanned_nodes = 0-3\n");
	ok_plan(f);
	assert_string_equal(nodelist_format(f->pl.cpus, a, sizeof(a)), "8-11");
	assert_non_null(strstr(f->pl.relocated, "as 4 CPUs (all that are allowed here)"));
	/* strict with nothing of the file's to re-plan: nothing to refuse */
	load(f, "[placement]\nplanned_cpus = 0-15\nplanned_nodes = 0-3\nstrict = yes\n");
	ok_plan(f);
	assert_string_equal(f->pl.relocated, "");
}

/* A CPU count past 32 bits is that many, not what it wraps to. */
static void test_count_does_not_wrap(void **state)
{
	struct fixture *f = *state;
	f->p.cpus_kind = CPUS_COUNT;
	f->p.cpus_value = 4294967297.0;
	bad_plan(f, "asked for 4294967297 CPUs");
	f->p.cpus_kind = CPUS_NODES;
	f->p.cpus_value = 1e30;
	bad_plan(f, "only 32 are available");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_is_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_one_node_whole_cores_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_prefers_nearest_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_uses_same_package_by_default_distances, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_prefers_free_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_near_explicit_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spread_one_core_per_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smt_no_one_pu_per_core, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpus_share_and_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_cpu_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restricted_cpuset, setup, teardown),
		cmocka_unit_test(test_cpuless_nodes),
		cmocka_unit_test_setup_teardown(test_kernel_balancing, setup, teardown),
		cmocka_unit_test(test_offline_cpu_and_sparse_nodes),
		cmocka_unit_test_setup_teardown(test_relocate_planned_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_same_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_lists_not_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_not_cli_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ini_records_planned_sets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_keeps_count_intent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_does_not_wrap, setup, teardown),
	};
	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
