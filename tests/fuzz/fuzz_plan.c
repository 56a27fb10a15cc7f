/*
 * fuzz_plan.c - plan_compute over random synthetic hwloc topologies (packages, NUMA nodes, cores, PUs,
 * CPU-less nodes attached at several levels, a random distance matrix, allowed sets narrowed as a cgroup
 * would) and random placement requests, checking what a plan promises:
 *   every planned CPU is allowed, the fill order holds each of them once, the plan's nodes are exactly the
 *   CPU nodes of its CPUs (a CPU-less node carries none), counts are what was asked for, no SMT sibling is
 *   used with smt off, an explicit CPU list is planned as given, memory nodes are allowed and fit the
 *   memory policy; and that the policy plan --ini writes for it plans the same again.
 */
#include "config.h"
#include <math.h>
#include "fuzz.h"
#include "nodelist.h"
#include "plan.h"
#include "policy.h"
#include "topology.h"

static FILE *devnull;

/* A list over [0, max) as the planner reads them: NULL, "all", or indexes, maybe after '!' or '+'. */
static char *random_list(struct fuzz_in *in, unsigned max)
{
	unsigned mode = fuzz_u8(in);
	if (mode % 4 == 0)
		return NULL;
	if (mode % 8 == 1)
		return strdup(mode & 0x10 ? "!all" : "all");
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	for (unsigned i = 0; i < max; i += 8) {
		unsigned byte = fuzz_u8(in);
		for (unsigned k = 0; k < 8 && i + k < max; k++)
			if (byte >> k & 1)
				hwloc_bitmap_set(b, i + k);
	}
	char *list;
	if (hwloc_bitmap_iszero(b))
		list = strdup("");
	else if (hwloc_bitmap_list_asprintf(&list, b) < 0)
		abort();
	hwloc_bitmap_free(b);
	const char *prefix = mode & 0x20 ? "!" : "";
	const char *rel = mode & 0x40 ? "+" : "";
	char *s = malloc(strlen(list) + 3);
	sprintf(s, "%s%s%s", prefix, rel, list);
	free(list);
	return s;
}

/*
 * A synthetic description from the input: packages, NUMA nodes in each, L3 groups, cores, PUs; or memory
 * nodes attached with hwloc's [numa] notation, some of them CPU-less (hwloc 2.9 leaks when [numa]
 * attachments and a numa:N level are combined, so the nodes inside a package then hang below L3 groups).
 */
static void describe(struct fuzz_in *in, char *d, size_t len)
{
	unsigned pack = 1 + fuzz_below(in, 4), numa = fuzz_below(in, 5), l3 = fuzz_below(in, 3);
	unsigned core = 1 + fuzz_below(in, 8), pu = 1 + fuzz_below(in, 4), extra = fuzz_u8(in);
	size_t o = 0;
	if (!(extra & 7)) {
		o += (size_t)snprintf(d + o, len - o, "pack:%u ", pack);
		if (numa)
			o += (size_t)snprintf(d + o, len - o, "numa:%u ", numa);
		if (l3)
			o += (size_t)snprintf(d + o, len - o, "l3:%u ", l3);
		snprintf(d + o, len - o, "core:%u pu:%u", core, pu);
		return;
	}
	if (extra & 1) /* a CPU-less node for the whole machine (CXL, far memory) */
		o += (size_t)snprintf(d + o, len - o, "[numa(memory=%uGB)] ", 1 + (extra >> 4));
	o += (size_t)snprintf(d + o, len - o, "pack:%u ", pack);
	if (extra & 2) /* a package-wide node besides those of its L3 groups, or the package's only one */
		o += (size_t)snprintf(d + o, len - o, "[numa(memory=%uMB)] ", 512 + 256 * (extra >> 5));
	if (extra & 4) /* a second node on the same CPUs: only one of them carries them */
		o += (size_t)snprintf(d + o, len - o, "[numa] ");
	if (numa)
		o += (size_t)snprintf(d + o, len - o, "l3:%u [numa] ", numa);
	else if (l3)
		o += (size_t)snprintf(d + o, len - o, "l3:%u ", l3);
	snprintf(d + o, len - o, "core:%u pu:%u", core, pu);
}

/* The CPU nodes (OS indexes) whose CPUs the plan uses. */
static void nodes_of(const struct topo *t, hwloc_const_bitmap_t cpus, hwloc_bitmap_t out)
{
	hwloc_bitmap_zero(out);
	for (unsigned i = 0; i < t->nnodes; i++)
		if (hwloc_bitmap_intersects(t->nodes[i].cpus, cpus))
			hwloc_bitmap_set(out, t->nodes[i].os_index);
}

static void check_plan(const struct topo *t, const struct policy *p, const struct plan *pl)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	/* CPUs: allowed, online, each once in the order. */
	FUZZ_CHECK(!hwloc_bitmap_iszero(pl->cpus));
	FUZZ_CHECK(hwloc_bitmap_isincluded(pl->cpus, t->allowed_cpus));
	FUZZ_CHECK(hwloc_bitmap_isincluded(pl->cpus, t->cpus));
	FUZZ_CHECK((int)pl->ncpus == hwloc_bitmap_weight(pl->cpus));
	for (unsigned i = 0; i < pl->ncpus; i++) {
		FUZZ_CHECK(hwloc_bitmap_isset(pl->cpus, pl->order[i]));
		FUZZ_CHECK(!hwloc_bitmap_isset(set, pl->order[i]));
		hwloc_bitmap_set(set, pl->order[i]);
	}

	/* Nodes: exactly those of the CPUs, all of them CPU nodes. */
	nodes_of(t, pl->cpus, set);
	FUZZ_CHECK(hwloc_bitmap_isequal(set, pl->cpu_nodes));
	for (unsigned i = 0; i < t->nnodes; i++)
		if (hwloc_bitmap_isset(pl->cpu_nodes, t->nodes[i].os_index))
			FUZZ_CHECK(t->nodes[i].has_cpus && !hwloc_bitmap_iszero(t->nodes[i].cpus));
		else if (!t->nodes[i].has_cpus)
			FUZZ_CHECK(!hwloc_bitmap_intersects(t->nodes[i].cpus, pl->cpus));

	/* Memory. */
	if (pl->mem == MEM_LOCAL || pl->mem == MEM_DEFAULT) {
		FUZZ_CHECK(hwloc_bitmap_iszero(pl->mem_nodes));
	} else {
		FUZZ_CHECK(!hwloc_bitmap_iszero(pl->mem_nodes));
		FUZZ_CHECK(hwloc_bitmap_isincluded(pl->mem_nodes, t->allowed_nodes));
		FUZZ_CHECK(hwloc_bitmap_isincluded(pl->mem_nodes, t->node_set));
		/* preferred on several nodes is MPOL_PREFERRED_MANY */
		FUZZ_CHECK(pl->mpol == mempolicy_mode_nodes(pl->mem, pl->mem_nodes));
		if (pl->mem == MEM_PREFERRED)
			FUZZ_CHECK((hwloc_bitmap_weight(pl->mem_nodes) > 1) == (pl->mpol == MPOL_PREFERRED_MANY));
		if (!p->mem_nodes && !p->include_cpuless && !pl->relocated[0])
			for (unsigned i = 0; i < t->nnodes; i++)
				if (!t->nodes[i].has_cpus)
					FUZZ_CHECK(!hwloc_bitmap_isset(pl->mem_nodes, t->nodes[i].os_index));
	}
	if (p->strict)
		FUZZ_CHECK(!pl->relocated[0]);

	/* The request, where the policy was taken as given. */
	if (!pl->relocated[0]) {
		char why[256];
		hwloc_bitmap_t universe = hwloc_bitmap_alloc(), cand = hwloc_bitmap_alloc();
		for (unsigned i = 0; i < t->nnodes; i++)
			if (t->nodes[i].has_cpus && !hwloc_bitmap_iszero(t->nodes[i].allowed_cpus))
				hwloc_bitmap_set(universe, t->nodes[i].os_index);
		if (!p->nodes)
			hwloc_bitmap_copy(cand, universe);
		else
			FUZZ_CHECK(nodelist_parse(p->nodes, universe, cand, why, sizeof(why)) == 0);
		FUZZ_CHECK(hwloc_bitmap_isincluded(pl->cpu_nodes, cand));
		if (p->cpu_list) {
			FUZZ_CHECK(nodelist_parse(p->cpu_list, t->allowed_cpus, set, why, sizeof(why)) == 0);
			FUZZ_CHECK(hwloc_bitmap_isequal(set, pl->cpus));
		} else {
			/* What the candidate nodes offer: their cores, or all their PUs with smt. */
			unsigned offer = 0;
			for (unsigned c = 0; c < t->ncores; c++) {
				const struct topo_core *co = &t->cores[c];
				/* CPUs in no NUMA node are offered when no nodes are named */
				if (co->node < 0 ? co->group < 0 || p->nodes
						 : !hwloc_bitmap_isset(cand, t->nodes[co->node].os_index))
					continue;
				offer += p->smt ? co->npus : 1;
			}
			if (p->cpus_kind == CPUS_ALL)
				FUZZ_CHECK(pl->ncpus == offer);
			if (p->cpus_kind == CPUS_COUNT)
				FUZZ_CHECK(pl->ncpus == (p->cpus_value < 1 ? 1 : (unsigned)p->cpus_value));
			if (p->cpus_kind == CPUS_PERCENT) {
				double w = ceil(p->cpus_value * offer / 100.0 - 1e-9);
				FUZZ_CHECK(pl->ncpus == (w < 1 ? 1 : (unsigned)w));
			}
		}
		hwloc_bitmap_free(universe);
		hwloc_bitmap_free(cand);
	}

	/* smt = no: one PU per core (unless CPUs were listed). */
	if (!p->smt && !p->cpu_list)
		for (unsigned c = 0; c < t->ncores; c++) {
			hwloc_bitmap_and(set, t->cores[c].pus, pl->cpus);
			FUZZ_CHECK(hwloc_bitmap_weight(set) <= 1);
		}
	hwloc_bitmap_free(set);
}

/* plan --ini writes a policy that reproduces the plan here. */
static void check_ini(const struct topo *t, const struct policy *p, const struct plan *pl)
{
	char *ini = NULL, cause[1024];
	size_t len = 0;
	FILE *f = open_memstream(&ini, &len);
	if (!f)
		abort();
	plan_print_ini(f, pl, t, p);
	fclose(f);
	struct policy q;
	policy_init(&q);
	if (policy_load_string(&q, "plan.ini", ini, cause, sizeof(cause)) < 0) {
		fprintf(stderr, "plan --ini wrote a policy it cannot read: %s\n%s", cause, ini);
		abort();
	}
	struct plan again;
	if (plan_compute(t, &q, &again, cause, sizeof(cause)) < 0) {
		fprintf(stderr, "the policy plan --ini wrote does not plan: %s\n%s", cause, ini);
		abort();
	}
	FUZZ_CHECK(hwloc_bitmap_isequal(again.cpus, pl->cpus));
	FUZZ_CHECK(again.mem == pl->mem);
	FUZZ_CHECK(hwloc_bitmap_isequal(again.mem_nodes, pl->mem_nodes));
	plan_free(&again);
	policy_free(&q);
	free(ini);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	struct fuzz_in in = {data, size};
	char desc[256], cause[1024];
	describe(&in, desc, sizeof(desc));
	struct topo t;
	if (topology_load_synthetic(&t, desc, cause, sizeof(cause)) < 0)
		return 0;
	unsigned npus = (unsigned)hwloc_bitmap_last(t.cpus) + 1;
	unsigned maxnode = (unsigned)hwloc_bitmap_last(t.node_set) + 1;

	/* A distance matrix, not always symmetric. */
	unsigned dm = fuzz_u8(&in);
	if (dm & 1) {
		for (unsigned a = 0; a < t.nnodes; a++)
			for (unsigned b = 0; b < t.nnodes; b++)
				t.dist[a * t.nnodes + b] = a == b ? 10 : 11 + fuzz_u8(&in) % 64;
		if (dm & 2)
			for (unsigned a = 0; a < t.nnodes; a++)
				for (unsigned b = 0; b < a; b++)
					t.dist[a * t.nnodes + b] = t.dist[b * t.nnodes + a];
		t.dist_from_matrix = 1;
	}
	/* Allowed sets narrowed (a cgroup's cpuset.cpus and cpuset.mems). */
	if (dm & 4) {
		char *cl = random_list(&in, npus), *nl = random_list(&in, maxnode);
		hwloc_bitmap_t cs = hwloc_bitmap_alloc(), ns = hwloc_bitmap_alloc();
		/* A cpuset is never empty: the kernel refuses that. */
		int okc = cl && nodelist_parse(cl, t.allowed_cpus, cs, cause, sizeof(cause)) == 0 &&
			  hwloc_bitmap_intersects(cs, t.allowed_cpus);
		int okn = nl && nodelist_parse(nl, t.allowed_nodes, ns, cause, sizeof(cause)) == 0 &&
			  hwloc_bitmap_intersects(ns, t.allowed_nodes);
		topology_restrict(&t, okc ? cs : NULL, okn ? ns : NULL);
		hwloc_bitmap_free(cs);
		hwloc_bitmap_free(ns);
		free(cl);
		free(nl);
	}

	struct policy p;
	policy_init(&p);
	p.nodes = random_list(&in, maxnode + 1);
	p.cpu_list = fuzz_u8(&in) % 3 == 0 ? random_list(&in, npus + 2) : NULL;
	unsigned k = fuzz_u8(&in);
	p.cpus_kind = (enum cpus_kind)(k % 4);
	switch (p.cpus_kind) {
	case CPUS_ALL: p.cpus_value = 0; break;
	/* What the policy reader and the command line take: a count in [1, 65536], a share in (0, 100] %,
	 * nodes > 0. */
	case CPUS_COUNT: p.cpus_value = k & 0x80 ? 65536 : 1 + fuzz_u8(&in) % (npus + 3); break;
	case CPUS_PERCENT: p.cpus_value = (1 + fuzz_u8(&in) % 200) / 2.0; break;
	case CPUS_NODES: p.cpus_value = (1 + fuzz_u8(&in) % 16) / 4.0; break;
	}
	unsigned flags = fuzz_u16(&in);
	p.strategy = flags & 1 ? STRATEGY_SPREAD : STRATEGY_COMPACT;
	p.smt = flags >> 1 & 1;
	p.mem = (enum mem_policy)((flags >> 2 & 7) % 5);
	p.include_cpuless = flags >> 5 & 1;
	p.strict = flags >> 6 & 1;
	p.from_file = flags >> 7 & 15;
	if (flags >> 11 & 1)
		p.mem_nodes = random_list(&in, maxnode + 1);
	if (flags >> 12 & 1)
		p.planned_cpus = random_list(&in, npus);
	if (flags >> 13 & 1)
		p.planned_nodes = random_list(&in, maxnode);

	struct plan pl;
	memset(cause, 'x', sizeof(cause));
	if (plan_compute(&t, &p, &pl, cause, sizeof(cause)) == 0) {
		check_plan(&t, &p, &pl);
		plan_print_text(devnull, &pl, &t, NULL);
		plan_print_json(devnull, &pl, &t, &p, NULL);
		check_ini(&t, &p, &pl);
		plan_free(&pl);
	} else {
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL && cause[0]);
	}
	policy_free(&p);
	topology_free(&t);
	return 0;
}
