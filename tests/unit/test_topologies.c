/* test_topologies.c - golden properties of plans on the real machine topologies (hwloc XML). */
#include "config.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "plan.h"
#include "policy.h"

static int load(struct topo *t, const char *name)
{
	char path[1024], cause[1024];
	const char *dir = tu_shared_dir();
	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (topology_load(t, path, cause, sizeof(cause)) < 0)
		fail_msg("%s", cause);
	return 0;
}

#define LOAD_OR_SKIP(t, name)             \
	do {                              \
		if (load(t, name) < 0)    \
			skip();           \
	} while (0)

/* The SMT level of a PU: its index within its core. */
static int pu_level(const struct topo *t, unsigned pu)
{
	for (unsigned c = 0; c < t->ncores; c++)
		if (hwloc_bitmap_isset(t->cores[c].pus, pu)) {
			int k = 0;
			unsigned x;
			hwloc_bitmap_foreach_begin(x, t->cores[c].pus) {
				if (x == pu)
					return k;
				k++;
			}
			hwloc_bitmap_foreach_end();
		}
	fail_msg("PU %u is in no allowed core", pu);
	return -1;
}

/* Every plan: CPUs allowed, order a permutation of the set, whole cores before siblings, CPU nodes. */
static void check_plan_shape(const struct topo *t, const struct plan *pl)
{
	assert_true(hwloc_bitmap_isincluded(pl->cpus, t->allowed_cpus));
	assert_int_equal((unsigned)hwloc_bitmap_weight(pl->cpus), pl->ncpus);
	hwloc_bitmap_t seen = hwloc_bitmap_alloc();
	int last = 0;
	for (unsigned i = 0; i < pl->ncpus; i++) {
		assert_false(hwloc_bitmap_isset(seen, pl->order[i]));
		hwloc_bitmap_set(seen, pl->order[i]);
		int lv = pu_level(t, pl->order[i]);
		if (lv < last)
			fail_msg("order[%u]=%u is SMT level %d after level %d", i, pl->order[i], lv, last);
		last = lv;
	}
	assert_true(hwloc_bitmap_isequal(seen, pl->cpus));
	hwloc_bitmap_free(seen);
	unsigned n;
	hwloc_bitmap_foreach_begin(n, pl->cpu_nodes) {
		int i = topology_node_index(t, n);
		assert_true(i >= 0);
		assert_true(t->nodes[i].has_cpus);
		assert_true(hwloc_bitmap_intersects(t->nodes[i].allowed_cpus, pl->cpus));
	}
	hwloc_bitmap_foreach_end();
}

static unsigned node_pus(const struct topo *t, unsigned i)
{
	return (unsigned)hwloc_bitmap_weight(t->nodes[i].allowed_cpus);
}

/* Generic checks run on every shared topology. */
/* pu_core says, for every PU, the core whose PUs hold it, and nothing for a PU no core holds. */
static void check_pu_core(const struct topo *t)
{
	unsigned held = 0;
	for (unsigned c = 0; c < t->ncores; c++) {
		held += t->cores[c].npus;
		for (int pu = hwloc_bitmap_first(t->cores[c].pus); pu >= 0; pu = hwloc_bitmap_next(t->cores[c].pus, pu)) {
			assert_true((unsigned)pu < t->npu_core);
			assert_int_equal(t->pu_core[pu], (int)c);
		}
	}
	unsigned mapped = 0;
	for (unsigned pu = 0; pu < t->npu_core; pu++)
		mapped += t->pu_core[pu] >= 0;
	assert_int_equal(mapped, held);
}

static void check_generic(const char *name)
{
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	if (load(&t, name) < 0)
		skip();
	policy_init(&p);

	check_pu_core(&t);
	/* Default: everything allowed. */
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	check_plan_shape(&t, &pl);
	hwloc_bitmap_t cpu_node_cpus = hwloc_bitmap_alloc();
	unsigned ncpunodes = 0, maxcap = 0;
	for (unsigned i = 0; i < t.nnodes; i++)
		if (t.nodes[i].has_cpus && node_pus(&t, i)) {
			hwloc_bitmap_or(cpu_node_cpus, cpu_node_cpus, t.nodes[i].allowed_cpus);
			ncpunodes++;
			maxcap = node_pus(&t, i) > maxcap ? node_pus(&t, i) : maxcap;
		}
	assert_true(hwloc_bitmap_isequal(pl.cpus, cpu_node_cpus));
	unsigned total = pl.ncpus;
	plan_free(&pl);

	/* One CPU: one node. */
	p.cpus_kind = CPUS_COUNT;
	p.cpus_value = 1;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	check_plan_shape(&t, &pl);
	assert_int_equal(pl.ncpus, 1);
	assert_int_equal(hwloc_bitmap_weight(pl.cpu_nodes), 1);
	plan_free(&pl);

	/* More than allowed: an error that names both numbers. */
	p.cpus_value = total + 1;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	char want[128];
	snprintf(want, sizeof(want), "asked for %u CPUs", total + 1);
	assert_non_null(strstr(cause, want));
	snprintf(want, sizeof(want), "only %u are available", total);
	assert_non_null(strstr(cause, want));

	/* Each CPU node alone. */
	for (unsigned i = 0; i < t.nnodes; i++) {
		if (!t.nodes[i].has_cpus || !node_pus(&t, i))
			continue;
		char list[32];
		snprintf(list, sizeof(list), "%u", t.nodes[i].os_index);
		free(p.nodes);
		p.nodes = strdup(list);
		p.cpus_kind = CPUS_ALL;
		assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
		assert_true(hwloc_bitmap_isequal(pl.cpus, t.nodes[i].allowed_cpus));
		check_plan_shape(&t, &pl);
		plan_free(&pl);
	}
	free(p.nodes);
	p.nodes = NULL;

	/* spread: one CPU per node. */
	p.strategy = STRATEGY_SPREAD;
	p.cpus_kind = CPUS_COUNT;
	p.cpus_value = ncpunodes;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_int_equal((unsigned)hwloc_bitmap_weight(pl.cpu_nodes), ncpunodes);
	check_plan_shape(&t, &pl);
	plan_free(&pl);

	/* compact, one PU more than the largest node: two nodes at the smallest distance possible. */
	if (ncpunodes > 1) {
		p.strategy = STRATEGY_COMPACT;
		p.cpus_value = maxcap + 1;
		assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
		check_plan_shape(&t, &pl);
		uint64_t best = UINT64_MAX;
		for (unsigned a = 0; a < t.nnodes; a++)
			for (unsigned b = a + 1; b < t.nnodes; b++)
				if (t.nodes[a].has_cpus && t.nodes[b].has_cpus &&
				    node_pus(&t, a) + node_pus(&t, b) >= maxcap + 1) {
					uint64_t d = topology_distance(&t, a, b) + topology_distance(&t, b, a);
					best = d < best ? d : best;
				}
		if (best != UINT64_MAX) {
			assert_int_equal(hwloc_bitmap_weight(pl.cpu_nodes), 2);
			int a = topology_node_index(&t, (unsigned)hwloc_bitmap_first(pl.cpu_nodes));
			int b = topology_node_index(&t, (unsigned)hwloc_bitmap_last(pl.cpu_nodes));
			assert_int_equal(topology_distance(&t, a, b) + topology_distance(&t, b, a), best);
		}
		plan_free(&pl);
	}
	hwloc_bitmap_free(cpu_node_cpus);

	/* Restricted to every other allowed PU (as a CPU allocator's hand-off is): the index follows, and the
	 * plan uses only what is left. */
	hwloc_bitmap_t half = hwloc_bitmap_alloc();
	unsigned k = 0;
	for (int pu = hwloc_bitmap_first(t.allowed_cpus); pu >= 0; pu = hwloc_bitmap_next(t.allowed_cpus, pu))
		if (k++ % 2 == 0)
			hwloc_bitmap_set(half, (unsigned)pu);
	topology_restrict(&t, half, NULL);
	check_pu_core(&t);
	if (plan_compute(&t, &p, &pl, cause, sizeof(cause)) == 0) {
		assert_true(hwloc_bitmap_isincluded(pl.cpus, half));
		check_plan_shape(&t, &pl);
		plan_free(&pl);
	}
	hwloc_bitmap_free(half);
	policy_free(&p);
	topology_free(&t);
}

static void test_every_shared_topology(void **state)
{
	(void)state;
	const char *dir = tu_shared_dir();
	if (!dir)
		skip();
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		print_message("  %s\n", e->d_name);
		check_generic(e->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 10);
}

static void test_cgroup_restricted_opteron(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	LOAD_OR_SKIP(&t, "opteron-4s-8n-cgroup2.xml");
	assert_string_equal(tu_list(t.allowed_cpus), "0-5");
	assert_string_equal(tu_list(t.allowed_nodes), "0-5");
	policy_init(&p);
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "0-5");
	assert_string_equal(tu_list(pl.cpu_nodes), "0-1");
	plan_free(&pl);
	p.nodes = strdup("2");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "node 2 is outside the allowed CPUs (its CPUs 8-11; allowed CPUs 0-5)"));
	free(p.nodes);
	p.nodes = NULL;
	p.mem = MEM_BIND;
	p.mem_nodes = strdup("6");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "node 6 is outside the allowed memory nodes"));
	/* Node 5 has no allowed CPU but its memory is allowed. */
	free(p.mem_nodes);
	p.mem_nodes = strdup("5");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "5");
	plan_free(&pl);
	p.cpu_list = strdup("6");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "CPU 6 is outside the allowed CPUs (allowed: 0-5)"));
	policy_free(&p);
	topology_free(&t);
}

static void test_sparse_node_numbers(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	LOAD_OR_SKIP(&t, "opteron-4s-8n-sparse.xml");
	assert_string_equal(tu_list(t.node_set), "0-2,33-34,45,72-73");
	assert_true(t.dist_from_matrix);
	policy_init(&p);
	p.nodes = strdup("33");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "18-23");
	plan_free(&pl);
	free(p.nodes);
	p.nodes = strdup("+3");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpu_nodes), "33");
	plan_free(&pl);
	free(p.nodes);
	p.nodes = strdup("3");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "node 3 does not exist (nodes: 0-2,33-34,45,72-73)"));
	policy_free(&p);
	topology_free(&t);
}

static void test_memory_only_nodes(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	LOAD_OR_SKIP(&t, "knl-snc4-hybrid.xml");
	for (unsigned i = 0; i < t.nnodes; i++) {
		int mcdram = strcmp(t.nodes[i].subtype, "MCDRAM") == 0;
		assert_int_equal(t.nodes[i].has_cpus, !mcdram);
	}
	policy_init(&p);
	p.nodes = strdup("4");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "node 4 has no CPUs (memory-only MCDRAM node)"));
	free(p.nodes);
	/* Node 0's MCDRAM is node 7 (same cluster): added only when asked. */
	p.nodes = strdup("0");
	p.mem = MEM_BIND;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0");
	plan_free(&pl);
	p.include_cpuless = 1;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0,7");
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);

	LOAD_OR_SKIP(&t, "qemu-heteromemtiers.xml");
	hwloc_bitmap_t cpu_nodes = hwloc_bitmap_alloc();
	for (unsigned i = 0; i < t.nnodes; i++)
		if (t.nodes[i].has_cpus)
			hwloc_bitmap_set(cpu_nodes, t.nodes[i].os_index);
	assert_string_equal(tu_list(cpu_nodes), "0-2");
	hwloc_bitmap_free(cpu_nodes);
	/* Each memory-only node goes with the CPUs hwloc attaches it beside, not to the first node of a
	 * distance tie (all of them are at 20): node 1 has HBM 4 and NVM 6 with it. */
	const char *want[] = {"0,8", "1,4,6", "2,9"};
	policy_init(&p);
	p.mem = MEM_BIND;
	p.include_cpuless = 1;
	for (unsigned n = 0; n < 3; n++) {
		char list[8];
		snprintf(list, sizeof(list), "%u", n);
		free(p.nodes);
		p.nodes = strdup(list);
		assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
		assert_string_equal(tu_list(pl.mem_nodes), want[n]);
		plan_free(&pl);
	}
	policy_free(&p);
	topology_free(&t);
}

/* Some note of plan pl mentions text. */
static void assert_note(const struct plan *pl, const char *text)
{
	for (int i = 0; i < pl->nnotes; i++)
		if (strstr(pl->notes[i], text))
			return;
	fail_msg("no note of the plan mentions '%s' (%d notes%s%s)", text, pl->nnotes, pl->nnotes ? ", first: " : "",
		 pl->nnotes ? pl->notes[0] : "");
}

/* include_cpuless on the hand-made topologies: hwloc's locality first, then memory attributes, then
 * distances (ties shared, not given to the first node). */
static void test_cpuless_locality(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	/* POWER9: three GPU-memory nodes in each package, all at the same distance from both DRAM nodes. */
	tu_load_data(&t, "power9-2s-6gpumem.xml");
	policy_init(&p);
	p.mem = MEM_BIND;
	p.include_cpuless = 1;
	p.nodes = strdup("0");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0,252-254");
	assert_note(&pl, "memory-only nodes 252-254 (GPUMemory) added: in the hwloc locality of node 0's CPUs");
	plan_free(&pl);
	free(p.nodes);
	p.nodes = strdup("8");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "8,255-257");
	plan_free(&pl);
	free(p.nodes);
	p.nodes = NULL;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0,8,252-257");
	plan_free(&pl);
	/* without include_cpuless: the DRAM node alone */
	p.include_cpuless = 0;
	p.nodes = strdup("8");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "8");
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);

	/* CXL attached to the machine: node 2's bandwidth and latency favour package 1; node 3 has no memory
	 * attributes and is as far from both: it belongs to both. */
	tu_load_data(&t, "cxl-2s-rootmem.xml");
	assert_string_equal(tu_list(t.nodes[2].near_nodes), "1");
	assert_non_null(strstr(t.nodes[2].near_why, "highest bandwidth from node 1"));
	assert_string_equal(tu_list(t.nodes[3].near_nodes), "0-1");
	policy_init(&p);
	p.mem = MEM_BIND;
	p.include_cpuless = 1;
	p.nodes = strdup("0");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "0,3");
	assert_note(&pl, "shared by them");
	plan_free(&pl);
	free(p.nodes);
	p.nodes = strdup("1");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.mem_nodes), "1-3");
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);
}

static void test_smt4_order(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	LOAD_OR_SKIP(&t, "power7-8n-smt4.xml");
	policy_init(&p);
	p.cpus_kind = CPUS_COUNT;
	p.cpus_value = 16;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	/* 16 of a node's 32 PUs: its 8 cores, then each core's second PU. */
	assert_int_equal(hwloc_bitmap_weight(pl.cpu_nodes), 1);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(pu_level(&t, pl.order[i]), 0);
	for (unsigned i = 8; i < 16; i++)
		assert_int_equal(pu_level(&t, pl.order[i]), 1);
	plan_free(&pl);
	p.smt = 0;
	p.cpus_kind = CPUS_ALL;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_int_equal(pl.ncpus, 64);
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);
}

static void test_large_synthetic_groups(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	LOAD_OR_SKIP(&t, "synthetic-8s-16n-512c-1024t.xml");
	assert_int_equal(hwloc_bitmap_weight(t.cpus), 1024);
	assert_int_equal(t.ncores, 512);
	policy_init(&p);
	/* 128 PUs = 2 nodes: the two nodes of one package (distance 12). */
	p.cpus_kind = CPUS_COUNT;
	p.cpus_value = 128;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_int_equal(hwloc_bitmap_weight(pl.cpu_nodes), 2);
	int a = topology_node_index(&t, (unsigned)hwloc_bitmap_first(pl.cpu_nodes));
	int b = topology_node_index(&t, (unsigned)hwloc_bitmap_last(pl.cpu_nodes));
	assert_int_equal(topology_distance(&t, a, b), 12);
	plan_free(&pl);
	/* 256 PUs = 4 nodes, all within one 4-socket half (no distance 31 inside the set). */
	p.cpus_value = 256;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_int_equal(hwloc_bitmap_weight(pl.cpu_nodes), 4);
	unsigned x, y;
	hwloc_bitmap_foreach_begin(x, pl.cpu_nodes) {
		hwloc_bitmap_foreach_begin(y, pl.cpu_nodes) {
			assert_true(topology_distance(&t, topology_node_index(&t, x), topology_node_index(&t, y)) <= 21);
		}
		hwloc_bitmap_foreach_end();
	}
	hwloc_bitmap_foreach_end();
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);
}

static void test_v1_xml_and_hybrid(void **state)
{
	(void)state;
	struct topo t;
	LOAD_OR_SKIP(&t, "xeon-2s-cod-v1.xml");
	assert_int_equal(t.nnodes, 4);
	assert_int_equal(t.ncores, 28);
	assert_true(t.dist_from_matrix);
	topology_free(&t);
	LOAD_OR_SKIP(&t, "raptorlake-hybrid.xml");
	assert_int_equal(t.nnodes, 1);
	assert_int_equal(t.ncores, 14);
	assert_int_equal(hwloc_bitmap_weight(t.allowed_cpus), 20);
	topology_free(&t);
}

/* topology_load of a file that is not a topology: -2, and a cause that names the file and says why. */
static void expect_refused(const char *xml, const char *want)
{
	struct topo t;
	char cause[1024] = "";
	assert_int_equal(topology_load(&t, xml, cause, sizeof(cause)), -2);
	if (!strstr(cause, want))
		fail_msg("cause '%s' does not contain '%s'", cause, want);
}

static void test_bad_xml_files(void **state)
{
	(void)state;
	char *dir = tu_tmpdir(), path[1024], want[1100];
	struct { const char *name, *text, *why; } cases[] = {
		{"empty.xml", "", "empty file"},
		{"blank.xml", " \n\t\n", "nothing but white space"},
		{"junk.xml", "hello\n", "not an hwloc XML topology (not XML"},
		{"page.xml", "<?xml version=\"1.0\"?>\n<html/>\n", "not an hwloc XML topology (no <topology>"},
		{"trunc.xml", "<?xml version=\"1.0\"?>\n<topology version=\"2.0\">\n<object type=\"Machine\"",
		 "truncated hwloc XML topology"},
		{"sub/d.xml/x", "", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_write(dir, cases[i].name, cases[i].text);
		if (!cases[i].why)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, cases[i].name);
		snprintf(want, sizeof(want), "--topology %s: %s", path, cases[i].why);
		expect_refused(path, want);
	}
	snprintf(path, sizeof(path), "%s/sub/d.xml", dir);
	snprintf(want, sizeof(want), "--topology %s: is a directory", path);
	expect_refused(path, want);
	snprintf(path, sizeof(path), "%s/missing.xml", dir);
	snprintf(want, sizeof(want), "--topology %s: cannot open: No such file or directory", path);
	expect_refused(path, want);
	expect_refused("/dev/zero", "--topology /dev/zero: not a regular file");
	expect_refused("", "--topology '': cannot open: No such file or directory");

	/* hwloc's variables are said by name, and not replaced by the live machine. */
	snprintf(path, sizeof(path), "%s/junk.xml", dir);
	setenv("HWLOC_XMLFILE", path, 1);
	snprintf(want, sizeof(want), "HWLOC_XMLFILE=%s: not an hwloc XML topology", path);
	expect_refused(NULL, want);
	snprintf(path, sizeof(path), "%s/missing.xml", dir);
	setenv("HWLOC_XMLFILE", path, 1);
	snprintf(want, sizeof(want), "HWLOC_XMLFILE=%s: cannot open: No such file or directory", path);
	expect_refused(NULL, want);
	setenv("HWLOC_SYNTHETIC", "junk", 1);
	expect_refused(NULL, "HWLOC_SYNTHETIC=junk: bad synthetic topology");
	unsetenv("HWLOC_SYNTHETIC");
	unsetenv("HWLOC_XMLFILE");
	tu_rmrf(dir);
	free(dir);
}

/* A machine whose node 0 is offline: package 0's 9 CPUs are in no NUMA node. They are planned (with node
 * 1's memory), not dropped: a default launch gets all 17 CPUs. */
static void test_cpus_in_no_node(void **state)
{
	(void)state;
	struct topo t;
	struct policy p;
	struct plan pl;
	char cause[2048];
	tu_load_data(&t, "offline-node0-17c.xml");
	assert_int_equal(t.ngroups, 1);
	assert_string_equal(tu_list(t.groups[0].cpus), "0-8");
	assert_string_equal(tu_list(t.groups[0].mem_nodes), "1");
	policy_init(&p);
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "0-16");
	assert_note(&pl, "CPUs 0-8 are in no NUMA node");
	plan_free(&pl);
	/* 9 CPUs: the 9 in no node hold them (one place, as compact wants) */
	p.cpus_kind = CPUS_COUNT;
	p.cpus_value = 9;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "0-8");
	plan_free(&pl);
	p.cpus_value = 18;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), -1);
	assert_non_null(strstr(cause, "only 17 are available on nodes 1 and in no node: CPUs 0-8"));
	/* spread: round-robin over node 1 and the CPUs in no node */
	p.cpus_value = 4;
	p.strategy = STRATEGY_SPREAD;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "0-1,9-10");
	plan_free(&pl);
	/* -C of them, memory bound to the plan: node 1's */
	p.strategy = STRATEGY_COMPACT;
	p.cpus_kind = CPUS_ALL;
	p.cpu_list = strdup("0-3");
	p.mem = MEM_BIND;
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "0-3");
	assert_true(hwloc_bitmap_iszero(pl.cpu_nodes));
	assert_string_equal(tu_list(pl.mem_nodes), "1");
	plan_free(&pl);
	/* -N 1 names node 1: its CPUs only */
	free(p.cpu_list);
	p.cpu_list = NULL;
	p.nodes = strdup("1");
	assert_int_equal(plan_compute(&t, &p, &pl, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(pl.cpus), "9-16");
	plan_free(&pl);
	policy_free(&p);
	topology_free(&t);
}

/* The live machine read from sysfs alone (a launch of an explicit CPU list) is what hwloc shows of it: the
 * same nodes with the same CPUs, allowed sets and distances, the same cores (as sets), and their index. */
static void test_sysfs_matches_hwloc(void **state)
{
	(void)state;
	struct topo s, h;
	char cause[1024];
	if (topology_load_sysfs(&s) != 0)
		skip(); /* not a machine sysfs alone describes: hwloc's view is used */
	assert_int_equal(topology_load(&h, NULL, cause, sizeof(cause)), 0);
	assert_true(h.this_system && s.this_system);
	assert_true(hwloc_bitmap_isequal(s.cpus, h.cpus));
	assert_true(hwloc_bitmap_isequal(s.allowed_cpus, h.allowed_cpus));
	assert_true(hwloc_bitmap_isequal(s.affinity, h.affinity));
	assert_true(hwloc_bitmap_isequal(s.node_set, h.node_set));
	assert_true(hwloc_bitmap_isequal(s.allowed_nodes, h.allowed_nodes));
	assert_int_equal(s.npus_total, h.npus_total);
	assert_int_equal(s.nnodes, h.nnodes);
	assert_int_equal(h.ngroups, 0);
	for (unsigned i = 0; i < s.nnodes; i++) {
		assert_int_equal(s.nodes[i].os_index, h.nodes[i].os_index);
		assert_int_equal(s.nodes[i].has_cpus, h.nodes[i].has_cpus);
		assert_int_equal(s.nodes[i].allowed, h.nodes[i].allowed);
		assert_int_equal(s.nodes[i].ncores, h.nodes[i].ncores);
		assert_true(hwloc_bitmap_isequal(s.nodes[i].cpus, h.nodes[i].cpus));
		assert_true(hwloc_bitmap_isequal(s.nodes[i].allowed_cpus, h.nodes[i].allowed_cpus));
		assert_true(s.nodes[i].memory > 0);
		if (h.dist_from_matrix)
			for (unsigned j = 0; j < s.nnodes; j++)
				assert_int_equal(topology_distance(&s, i, j), topology_distance(&h, i, j));
	}
	assert_int_equal(s.ncores, h.ncores);
	check_pu_core(&s);
	for (unsigned pu = 0; pu < s.npu_core; pu++) {
		assert_int_equal(s.pu_core[pu] >= 0, pu < h.npu_core && h.pu_core[pu] >= 0);
		if (s.pu_core[pu] >= 0) {
			const struct topo_core *a = &s.cores[s.pu_core[pu]], *b = &h.cores[h.pu_core[pu]];
			assert_true(hwloc_bitmap_isequal(a->pus, b->pus));
			assert_int_equal(a->node, b->node);
		}
	}
	topology_free(&s);
	topology_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shared_topology),
		cmocka_unit_test(test_cpuless_locality),
		cmocka_unit_test(test_cpus_in_no_node),
		cmocka_unit_test(test_cgroup_restricted_opteron),
		cmocka_unit_test(test_sparse_node_numbers),
		cmocka_unit_test(test_memory_only_nodes),
		cmocka_unit_test(test_smt4_order),
		cmocka_unit_test(test_large_synthetic_groups),
		cmocka_unit_test(test_v1_xml_and_hybrid),
		cmocka_unit_test(test_bad_xml_files),
		cmocka_unit_test(test_sysfs_matches_hwloc),
	};
	return cmocka_run_group_tests_name("topologies", tests, NULL, NULL);
}
