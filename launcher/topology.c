/* topology.c - hwloc: load live / XML / synthetic topologies, nodes, cores, distances, allowed sets. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodelist.h"
#include "numasys.h"
#include "topology.h"

/* Plugins numarun never needs; loading them costs most of hwloc's start-up (dlopen of GL, OpenCL...). */
#define SKIP_PLUGINS "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_cuda,hwloc_nvml,hwloc_rsmi,hwloc_levelzero,hwloc_xml_libxml"

/* hwloc reads HWLOC_PLUGINS_BLACKLIST at init; set it for that call only so that the target's
 * environment stays as the user gave it. */
static int init_quietly(hwloc_topology_t *h)
{
	const char *old = getenv("HWLOC_PLUGINS_BLACKLIST");
	char *saved = old ? strdup(old) : NULL;
	if (!old)
		setenv("HWLOC_PLUGINS_BLACKLIST", SKIP_PLUGINS, 1);
	int rc = hwloc_topology_init(h);
	if (saved) {
		setenv("HWLOC_PLUGINS_BLACKLIST", saved, 1);
		free(saved);
	} else {
		unsetenv("HWLOC_PLUGINS_BLACKLIST");
	}
	return rc;
}

int topology_node_index(const struct topo *t, unsigned os_index)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i].os_index == os_index)
			return (int)i;
	return -1;
}

uint64_t topology_distance(const struct topo *t, unsigned a, unsigned b)
{
	return t->dist[(size_t)a * t->nnodes + b];
}

static int is_dram(const hwloc_obj_t o)
{
	return !o->subtype || strcmp(o->subtype, "DRAM") == 0;
}

/* A node is memory-only when another node serves a subset of its locality better: a node with a
 * strictly smaller cpuset (a CXL or GPU memory node attached high in the tree), or one with the same
 * cpuset that is DRAM where this one is not (KNL MCDRAM, HBM, NVM tiers), or the same kind with a lower
 * OS index. Exactly one node per locality keeps the CPUs. */
static int node_is_cpuless(hwloc_obj_t *objs, unsigned n, unsigned i)
{
	hwloc_obj_t me = objs[i];
	if (!me->cpuset || hwloc_bitmap_iszero(me->cpuset))
		return 1;
	for (unsigned j = 0; j < n; j++) {
		hwloc_obj_t o = objs[j];
		if (j == i || !o->cpuset || hwloc_bitmap_iszero(o->cpuset))
			continue;
		if (!hwloc_bitmap_isincluded(o->cpuset, me->cpuset))
			continue;
		if (!hwloc_bitmap_isequal(o->cpuset, me->cpuset))
			return 1;
		if (is_dram(o) && !is_dram(me))
			return 1;
		if (is_dram(o) == is_dram(me) && o->os_index < me->os_index)
			return 1;
	}
	return 0;
}

/* Whether the kernel has memory policies, as libnuma's numa_available() says (which would bring libnuma's
 * start-up, reading /proc and sysfs, into every launch). */
static int kernel_has_numa(void)
{
	return !(numasys_get_mempolicy(NULL, NULL, 0, NULL, 0) < 0 && (errno == ENOSYS || errno == EPERM));
}

/* A small sysfs or procfs file into buf (NUL-terminated, trailing newline kept); its length, or -1. */
static ssize_t read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && ((r = read(fd, buf + n, len - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* The free memory of a node, from its sysfs meminfo ("Node 0 MemFree: 123 kB"): 0 with *bytes set, or -1.
 * What libnuma's numa_node_size64() reports, in one read. */
static int node_free_memory(unsigned node, uint64_t *bytes)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/meminfo", node);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	const char *p = strstr(buf, " MemFree:");
	if (!p)
		return -1;
	p += strlen(" MemFree:");
	char *end;
	errno = 0;
	unsigned long long kb = strtoull(p, &end, 10);
	if (end == p || errno == ERANGE || kb > UINT64_MAX >> 10)
		return -1;
	*bytes = (uint64_t)kb << 10;
	return 0;
}

static int cmp_obj_os(const void *a, const void *b)
{
	const hwloc_obj_t x = *(const hwloc_obj_t *)a, y = *(const hwloc_obj_t *)b;
	return x->os_index < y->os_index ? -1 : x->os_index > y->os_index;
}

/* The first non-memory ancestor: where a node hangs in the tree. */
static hwloc_obj_t node_parent(hwloc_obj_t o)
{
	hwloc_obj_t p = o->parent;
	while (p && p->type == HWLOC_OBJ_MEMCACHE)
		p = p->parent;
	return p;
}

/* Without a matrix: 10 for the node itself, growing with the hops to the common ancestor. */
static uint64_t tree_distance(hwloc_topology_t h, hwloc_obj_t a, hwloc_obj_t b)
{
	if (a == b)
		return 10;
	hwloc_obj_t pa = node_parent(a), pb = node_parent(b);
	hwloc_obj_t c = hwloc_get_common_ancestor_obj(h, pa, pb);
	unsigned hops = (pa->depth - c->depth) + (pb->depth - c->depth);
	return 12 + 4 * (uint64_t)hops;
}

static void load_distances(struct topo *t, hwloc_obj_t *objs)
{
	unsigned n = t->nnodes;
	t->dist = calloc((size_t)n * n, sizeof(*t->dist));
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++)
			t->dist[(size_t)a * n + b] = tree_distance(t->h, objs[a], objs[b]);

	struct hwloc_distances_s *d[4];
	unsigned nr = 4;
	if (hwloc_distances_get_by_type(t->h, HWLOC_OBJ_NUMANODE, &nr, d,
					HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) < 0 || nr == 0)
		return;
	struct hwloc_distances_s *m = d[0];
	t->dist_from_matrix = 1;
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++) {
			hwloc_uint64_t v1, v2;
			if (hwloc_distances_obj_pair_values(m, objs[a], objs[b], &v1, &v2) == 0)
				t->dist[(size_t)a * n + b] = v1;
			else
				t->dist_from_matrix = 0; /* partial matrix: the rest stays tree-derived */
		}
	for (unsigned i = 0; i < nr; i++)
		hwloc_distances_release(t->h, d[i]);
}

/* The values of a memory attribute of node m from each candidate CPU node's CPUs (initiator: the node's
 * cpuset); keeps in cand those with the best value when the values tell them apart (higher is better
 * unless low_best). Returns 1 when it narrowed cand, 0 when the attribute says nothing here. */
static int narrow_by_memattr(struct topo *t, hwloc_obj_t *objs, unsigned m, hwloc_memattr_id_t id, int low_best,
			     hwloc_bitmap_t cand)
{
	hwloc_uint64_t best = 0, v;
	int have = 0;
	unsigned c;
	hwloc_bitmap_t keep = hwloc_bitmap_alloc();
	hwloc_bitmap_foreach_begin(c, cand) {
		struct hwloc_location loc = {.type = HWLOC_LOCATION_TYPE_CPUSET};
		loc.location.cpuset = objs[topology_node_index(t, c)]->cpuset;
		if (hwloc_memattr_get_value(t->h, id, objs[m], &loc, 0, &v) < 0)
			continue; /* no value from there: worse than any value */
		if (!have || (low_best ? v < best : v > best)) {
			best = v;
			hwloc_bitmap_only(keep, c);
		} else if (v == best) {
			hwloc_bitmap_set(keep, c);
		}
		have = 1;
	}
	hwloc_bitmap_foreach_end();
	int narrowed = have && !hwloc_bitmap_isequal(keep, cand);
	if (narrowed)
		hwloc_bitmap_copy(cand, keep);
	hwloc_bitmap_free(keep);
	return narrowed;
}

/*
 * Which CPU nodes each memory-only node belongs to (the rule of numarun.ini(5), include_cpuless):
 * 1. hwloc's locality: the CPU nodes whose local NUMA nodes (hwloc_get_local_numanode_objs() on the node's
 *    cpuset, with larger localities) include it, that is those within the part of the tree it is attached
 *    to (a memory-only node's cpuset is its parent's);
 * 2. when that is several: the best by hwloc's memory attributes from each one's CPUs (bandwidth, then
 *    latency: ACPI HMAT where the machine has it);
 * 3. then the nearest by distance, ties kept: a node equally near several CPU nodes belongs to each;
 * without any CPU node in its locality, the nearest CPU nodes by distance.
 */
static void memory_locality(struct topo *t, hwloc_obj_t *objs)
{
	unsigned n = t->nnodes;
	hwloc_obj_t *local = calloc(n, sizeof(*local));
	hwloc_bitmap_t *of = calloc(n, sizeof(*of)); /* per node: the CPU nodes whose local nodes include it */
	for (unsigned i = 0; i < n; i++) {
		t->nodes[i].near_nodes = hwloc_bitmap_alloc();
		of[i] = hwloc_bitmap_alloc();
	}
	for (unsigned c = 0; c < n; c++) {
		if (!t->nodes[c].has_cpus || !objs[c]->cpuset)
			continue;
		struct hwloc_location loc = {.type = HWLOC_LOCATION_TYPE_CPUSET};
		loc.location.cpuset = objs[c]->cpuset;
		unsigned nr = n;
		if (hwloc_get_local_numanode_objs(t->h, &loc, &nr, local, HWLOC_LOCAL_NUMANODE_FLAG_LARGER_LOCALITY) < 0)
			continue;
		for (unsigned k = 0; k < nr && k < n; k++) {
			int j = topology_node_index(t, local[k]->os_index);
			if (j >= 0)
				hwloc_bitmap_set(of[j], t->nodes[c].os_index);
		}
	}
	char a[64], b[64];
	for (unsigned i = 0; i < n; i++) {
		struct topo_node *m = &t->nodes[i];
		if (m->has_cpus)
			continue;
		hwloc_bitmap_t cand = m->near_nodes;
		hwloc_bitmap_copy(cand, of[i]);
		int in_locality = !hwloc_bitmap_iszero(cand);
		snprintf(a, sizeof(a), "%s", nodelist_format(cand, b, sizeof(b)));
		const char *how = NULL;
		if (hwloc_bitmap_weight(cand) > 1) {
			if (narrow_by_memattr(t, objs, i, HWLOC_MEMATTR_ID_BANDWIDTH, 0, cand))
				how = "highest bandwidth";
			else if (narrow_by_memattr(t, objs, i, HWLOC_MEMATTR_ID_LATENCY, 1, cand))
				how = "lowest latency";
		}
		if (!in_locality) /* no CPU node in its locality: every CPU node, by distance */
			for (unsigned c = 0; c < n; c++)
				if (t->nodes[c].has_cpus)
					hwloc_bitmap_set(cand, t->nodes[c].os_index);
		uint64_t dmin = UINT64_MAX;
		int equal = 1;
		if (!how && hwloc_bitmap_weight(cand) > 1) {
			unsigned c;
			hwloc_bitmap_foreach_begin(c, cand) {
				uint64_t d = topology_distance(t, i, (unsigned)topology_node_index(t, c));
				if (dmin != UINT64_MAX && d != dmin)
					equal = 0;
				if (d < dmin)
					dmin = d;
			}
			hwloc_bitmap_foreach_end();
			hwloc_bitmap_t keep = hwloc_bitmap_alloc();
			hwloc_bitmap_foreach_begin(c, cand) {
				if (topology_distance(t, i, (unsigned)topology_node_index(t, c)) == dmin)
					hwloc_bitmap_set(keep, c);
			}
			hwloc_bitmap_foreach_end();
			hwloc_bitmap_copy(cand, keep);
			hwloc_bitmap_free(keep);
		}
		nodelist_format(cand, b, sizeof(b));
		int several = hwloc_bitmap_weight(cand) > 1;
		if (!in_locality)
			snprintf(m->near_why, sizeof(m->near_why), "no CPU node in its hwloc locality; nearest by "
				 "distance: node%s %s", several ? "s" : "", b);
		else if (how)
			snprintf(m->near_why, sizeof(m->near_why), "in the hwloc locality of nodes %s; %s from node%s %s "
				 "(memory attributes)", a, how, several ? "s" : "", b);
		else if (hwloc_bitmap_weight(of[i]) == 1)
			snprintf(m->near_why, sizeof(m->near_why), "in the hwloc locality of node %s's CPUs", b);
		else if (equal)
			snprintf(m->near_why, sizeof(m->near_why), "in the hwloc locality of nodes %s, at the same "
				 "distance from each: shared by them", a);
		else
			snprintf(m->near_why, sizeof(m->near_why), "in the hwloc locality of nodes %s; nearest by "
				 "distance: node%s %s", a, several ? "s" : "", b);
	}
	for (unsigned i = 0; i < n; i++)
		hwloc_bitmap_free(of[i]);
	free(of);
	free(local);
}

/*
 * An online PU in no NUMA node (its node offline or absent): its group, made on first sight. The group is
 * the highest ancestor whose nodeset is empty (a package whose node is offline); its memory is the nodes of
 * the nearest ancestor that has some (hwloc's locality: for a package, the machine's nodes), the CPU nodes
 * among them when there are any, narrowed by hwloc's memory attributes from the group's CPUs where those
 * tell them apart. Returns the group's index, or -1.
 */
static int nodeless_group(struct topo *t, hwloc_obj_t *objs, hwloc_obj_t pu, hwloc_obj_t *keys)
{
	hwloc_obj_t child = pu, a = pu->parent;
	while (a && (!a->nodeset || hwloc_bitmap_iszero(a->nodeset))) {
		child = a;
		a = a->parent;
	}
	if (!a)
		return -1;
	for (unsigned g = 0; g < t->ngroups; g++)
		if (keys[g] == child)
			return (int)g;
	struct topo_group *g = &t->groups[t->ngroups];
	g->cpus = hwloc_bitmap_alloc();
	g->mem_nodes = hwloc_bitmap_alloc();
	hwloc_bitmap_and(g->cpus, child->cpuset, t->cpus);
	int cpu_nodes = 0;
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i].has_cpus && hwloc_bitmap_isset(a->nodeset, t->nodes[i].os_index))
			cpu_nodes = 1;
	for (unsigned i = 0; i < t->nnodes; i++)
		if (hwloc_bitmap_isset(a->nodeset, t->nodes[i].os_index) && (t->nodes[i].has_cpus || !cpu_nodes))
			hwloc_bitmap_set(g->mem_nodes, t->nodes[i].os_index);
	static const struct { hwloc_memattr_id_t id; int low_best; } attrs[] = {
		{HWLOC_MEMATTR_ID_BANDWIDTH, 0}, {HWLOC_MEMATTR_ID_LATENCY, 1}};
	for (size_t k = 0; k < 2 && hwloc_bitmap_weight(g->mem_nodes) > 1; k++) {
		struct hwloc_location loc = {.type = HWLOC_LOCATION_TYPE_CPUSET};
		loc.location.cpuset = child->cpuset;
		hwloc_bitmap_t keep = hwloc_bitmap_alloc();
		hwloc_uint64_t best = 0, v;
		int have = 0;
		unsigned n;
		hwloc_bitmap_foreach_begin(n, g->mem_nodes) {
			if (hwloc_memattr_get_value(t->h, attrs[k].id, objs[topology_node_index(t, n)], &loc, 0, &v) < 0)
				continue;
			if (!have || (attrs[k].low_best ? v < best : v > best)) {
				best = v;
				hwloc_bitmap_only(keep, n);
			} else if (v == best) {
				hwloc_bitmap_set(keep, n);
			}
			have = 1;
		}
		hwloc_bitmap_foreach_end();
		if (have)
			hwloc_bitmap_copy(g->mem_nodes, keep);
		hwloc_bitmap_free(keep);
	}
	if (hwloc_bitmap_iszero(g->mem_nodes)) {
		hwloc_bitmap_free(g->cpus);
		hwloc_bitmap_free(g->mem_nodes);
		return -1;
	}
	g->near = topology_node_index(t, (unsigned)hwloc_bitmap_first(g->mem_nodes));
	keys[t->ngroups] = child;
	return (int)t->ngroups++;
}

static int finish_load(struct topo *t, char *cause, size_t causelen)
{
	hwloc_topology_t h = t->h;

	t->cpus = hwloc_bitmap_dup(hwloc_topology_get_topology_cpuset(h));
	t->allowed_cpus = hwloc_bitmap_alloc();
	hwloc_bitmap_and(t->allowed_cpus, hwloc_topology_get_allowed_cpuset(h), t->cpus);
	t->affinity = hwloc_bitmap_dup(t->cpus);
	if (t->this_system) {
		if (hwloc_get_cpubind(h, t->affinity, HWLOC_CPUBIND_THREAD) < 0) {
			snprintf(cause, causelen, "sched_getaffinity: %s", strerror(errno));
			return -1;
		}
		hwloc_bitmap_and(t->allowed_cpus, t->allowed_cpus, t->affinity);
	}
	t->node_set = hwloc_bitmap_dup(hwloc_topology_get_topology_nodeset(h));
	t->allowed_nodes = hwloc_bitmap_dup(hwloc_topology_get_allowed_nodeset(h));
	t->npus_total = hwloc_bitmap_weight(hwloc_topology_get_complete_cpuset(h));

	int nn = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
	if (nn <= 0) {
		snprintf(cause, causelen, "the topology has no NUMA node");
		return -1;
	}
	t->nnodes = (unsigned)nn;
	hwloc_obj_t *objs = calloc(t->nnodes, sizeof(*objs));
	t->nodes = calloc(t->nnodes, sizeof(*t->nodes));
	for (unsigned i = 0; i < t->nnodes; i++)
		objs[i] = hwloc_get_obj_by_type(h, HWLOC_OBJ_NUMANODE, i);
	qsort(objs, t->nnodes, sizeof(*objs), cmp_obj_os);

	int live_numa = t->this_system && kernel_has_numa();
	for (unsigned i = 0; i < t->nnodes; i++) {
		struct topo_node *n = &t->nodes[i];
		n->os_index = objs[i]->os_index;
		n->has_cpus = !node_is_cpuless(objs, t->nnodes, i);
		n->allowed = hwloc_bitmap_isset(t->allowed_nodes, n->os_index);
		n->cpus = hwloc_bitmap_alloc();
		n->allowed_cpus = hwloc_bitmap_alloc();
		n->memory = objs[i]->attr->numanode.local_memory;
		n->free_memory = n->memory;
		uint64_t freeb;
		if (live_numa && node_free_memory(n->os_index, &freeb) == 0)
			n->free_memory = freeb;
		if (objs[i]->subtype)
			snprintf(n->subtype, sizeof(n->subtype), "%s", objs[i]->subtype);
	}

	/* Each online PU's home: the smallest CPU node containing it. */
	unsigned pu;
	hwloc_bitmap_foreach_begin(pu, t->cpus) {
		int best = -1;
		for (unsigned i = 0; i < t->nnodes; i++) {
			if (!t->nodes[i].has_cpus || !hwloc_bitmap_isset(objs[i]->cpuset, pu))
				continue;
			if (best < 0 || hwloc_bitmap_weight(objs[i]->cpuset) <
					    hwloc_bitmap_weight(objs[best]->cpuset))
				best = (int)i;
		}
		if (best >= 0) {
			hwloc_bitmap_set(t->nodes[best].cpus, pu);
			if (hwloc_bitmap_isset(t->allowed_cpus, pu))
				hwloc_bitmap_set(t->nodes[best].allowed_cpus, pu);
		}
	}
	hwloc_bitmap_foreach_end();

	/* Cores in logical order, each with its allowed PUs; a PU without a Core object is its own core. */
	int npu = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);
	t->cores = calloc(npu > 0 ? (size_t)npu : 1, sizeof(*t->cores));
	/* Which core holds each PU, by OS index, for the planner (a core's bitmap is as long as the machine). */
	int lastpu = hwloc_bitmap_last(t->allowed_cpus);
	t->npu_core = lastpu >= 0 ? (unsigned)lastpu + 1 : 0;
	t->pu_core = malloc((t->npu_core ? t->npu_core : 1) * sizeof(int));
	for (unsigned i = 0; i < t->npu_core; i++)
		t->pu_core[i] = -1;
	t->groups = calloc(npu > 0 ? (size_t)npu : 1, sizeof(*t->groups));
	hwloc_obj_t *group_keys = calloc(npu > 0 ? (size_t)npu : 1, sizeof(*group_keys));
	hwloc_obj_t prev = NULL;
	for (hwloc_obj_t p = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_PU, NULL); p;
	     p = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_PU, p)) {
		if (!hwloc_bitmap_isset(t->allowed_cpus, p->os_index))
			continue;
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_CORE, p);
		hwloc_obj_t key = core ? core : p;
		if (key != prev) {
			struct topo_core *c = &t->cores[t->ncores++];
			c->pus = hwloc_bitmap_alloc();
			c->node = -1;
			c->group = -1;
			for (unsigned i = 0; i < t->nnodes; i++)
				if (hwloc_bitmap_isset(t->nodes[i].cpus, p->os_index))
					c->node = (int)i;
			if (c->node >= 0)
				t->nodes[c->node].ncores++;
			else if ((c->group = nodeless_group(t, objs, p, group_keys)) >= 0)
				t->groups[c->group].ncores++;
			prev = key;
		}
		struct topo_core *c = &t->cores[t->ncores - 1];
		hwloc_bitmap_set(c->pus, p->os_index);
		c->npus++;
		if (p->os_index < t->npu_core)
			t->pu_core[p->os_index] = (int)(t->ncores - 1);
	}

	free(group_keys);
	load_distances(t, objs);
	memory_locality(t, objs);
	free(objs);
	return 0;
}

/* A kernel CPU or node list file ("0-3,8\n") into a bitmap; 0, or -1. */
static int read_list(const char *path, hwloc_bitmap_t out)
{
	char buf[8192];
	ssize_t n = read_text(path, buf, sizeof(buf));
	if (n < 0 || (size_t)n >= sizeof(buf) - 1)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (n == 0) {
		hwloc_bitmap_zero(out);
		return 0;
	}
	return hwloc_bitmap_list_sscanf(out, buf) < 0 ? -1 : 0;
}

/*
 * The live machine from sysfs and procfs alone, as numactl reads it, without hwloc's discovery (which reads
 * every cache of every CPU, /proc/cpuinfo and DMI: some 90 files on 2 CPUs, thousands on large machines).
 * Only for a machine hwloc would show plainly: every online CPU in exactly one node, every node with CPUs
 * and memory, no CPU in no node. Returns 0; 1 when the machine is not such a one or a file is missing (use
 * topology_load); t is then freed. The cores are in OS order of their first PU, which may differ from
 * hwloc's logical order: callers use this only for plans that do not depend on the cores' order.
 */
int topology_load_sysfs(struct topo *t)
{
	char path[128], buf[16384]; /* /proc/self/status grows with the possible CPUs and nodes */
	memset(t, 0, sizeof(*t));
	t->this_system = 1;
	snprintf(t->source, sizeof(t->source), "live");
	snprintf(t->label, sizeof(t->label), "live");
	t->cpus = hwloc_bitmap_alloc();
	t->allowed_cpus = hwloc_bitmap_alloc();
	t->affinity = hwloc_bitmap_alloc();
	t->node_set = hwloc_bitmap_alloc();
	t->allowed_nodes = hwloc_bitmap_alloc();
	hwloc_bitmap_t present = hwloc_bitmap_alloc(), seen = hwloc_bitmap_alloc();
	unsigned *osn = NULL;
	int rc = 1;
	if (read_list("/sys/devices/system/cpu/online", t->cpus) < 0 || hwloc_bitmap_iszero(t->cpus) ||
	    read_list("/sys/devices/system/cpu/present", present) < 0 ||
	    read_list("/sys/devices/system/node/online", t->node_set) < 0 || hwloc_bitmap_iszero(t->node_set) ||
	    !kernel_has_numa())
		goto out;
	t->npus_total = (unsigned)hwloc_bitmap_weight(present);

	/* Our affinity, as sched_getaffinity gives it; the cpuset's CPUs hold it (the kernel keeps it so). */
	int last = hwloc_bitmap_last(present) > hwloc_bitmap_last(t->cpus) ? hwloc_bitmap_last(present)
									  : hwloc_bitmap_last(t->cpus);
	size_t ncpu = (size_t)last + 1 > 1024 ? (size_t)last + 1 : 1024;
	cpu_set_t *set;
	size_t setsz;
	for (;;) {
		/* The kernel wants room for all its possible CPUs (EINVAL otherwise), which may be more. */
		set = CPU_ALLOC(ncpu);
		setsz = CPU_ALLOC_SIZE(ncpu);
		if (set && sched_getaffinity(0, setsz, set) == 0)
			break;
		int e = errno;
		CPU_FREE(set);
		if (!set || e != EINVAL || ncpu >= 65536)
			goto out;
		ncpu *= 2;
	}
	for (size_t c = 0; c < ncpu; c++)
		if (CPU_ISSET_S(c, setsz, set))
			hwloc_bitmap_set(t->affinity, (unsigned)c);
	CPU_FREE(set);
	hwloc_bitmap_and(t->allowed_cpus, t->cpus, t->affinity);

	/* The memory nodes the cpuset allows this task. */
	if (read_text("/proc/self/status", buf, sizeof(buf)) <= 0)
		goto out;
	const char *ma = strstr(buf, "\nMems_allowed_list:");
	if (!ma)
		goto out;
	ma += strlen("\nMems_allowed_list:");
	while (*ma == ' ' || *ma == '\t')
		ma++;
	char mlist[1024];
	size_t ml = strcspn(ma, "\n");
	if (ml >= sizeof(mlist))
		goto out;
	memcpy(mlist, ma, ml);
	mlist[ml] = '\0';
	if (hwloc_bitmap_list_sscanf(t->allowed_nodes, mlist) < 0)
		goto out;
	hwloc_bitmap_and(t->allowed_nodes, t->allowed_nodes, t->node_set);

	t->nnodes = (unsigned)hwloc_bitmap_weight(t->node_set);
	t->nodes = calloc(t->nnodes, sizeof(*t->nodes));
	osn = calloc(t->nnodes, sizeof(*osn));
	unsigned k = 0;
	for (int n = hwloc_bitmap_first(t->node_set); n >= 0; n = hwloc_bitmap_next(t->node_set, n))
		osn[k++] = (unsigned)n;
	for (unsigned i = 0; i < t->nnodes; i++) {
		struct topo_node *nd = &t->nodes[i];
		nd->os_index = osn[i];
		nd->has_cpus = 1;
		nd->allowed = hwloc_bitmap_isset(t->allowed_nodes, osn[i]);
		nd->cpus = hwloc_bitmap_alloc();
		nd->allowed_cpus = hwloc_bitmap_alloc();
		nd->near_nodes = hwloc_bitmap_alloc();
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist", osn[i]);
		if (read_list(path, nd->cpus) < 0)
			goto out;
		hwloc_bitmap_and(nd->cpus, nd->cpus, t->cpus);
		/* A memory-only node, or two nodes claiming a CPU: hwloc's locality decides those. */
		if (hwloc_bitmap_iszero(nd->cpus) || hwloc_bitmap_intersects(nd->cpus, seen))
			goto out;
		hwloc_bitmap_or(seen, seen, nd->cpus);
		hwloc_bitmap_and(nd->allowed_cpus, nd->cpus, t->allowed_cpus);
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/meminfo", osn[i]);
		if (read_text(path, buf, sizeof(buf)) <= 0)
			goto out;
		const char *mt = strstr(buf, " MemTotal:"), *mf = strstr(buf, " MemFree:");
		if (!mt || !mf)
			goto out;
		unsigned long long tot = strtoull(mt + strlen(" MemTotal:"), NULL, 10);
		unsigned long long fr = strtoull(mf + strlen(" MemFree:"), NULL, 10);
		if (tot == 0 || tot > UINT64_MAX >> 10)
			goto out;
		nd->memory = (uint64_t)tot << 10;
		nd->free_memory = (uint64_t)fr << 10;
	}
	/* A CPU in no node: hwloc's tree says whose memory serves it. */
	if (!hwloc_bitmap_isequal(seen, t->cpus))
		goto out;

	t->dist = calloc((size_t)t->nnodes * t->nnodes, sizeof(*t->dist));
	for (unsigned i = 0; i < t->nnodes; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/distance", osn[i]);
		if (read_text(path, buf, sizeof(buf)) <= 0)
			goto out;
		/* One value per online node... of every possible node: the file lists the nodes in order. */
		char *q = buf;
		unsigned j = 0;
		for (int n = hwloc_bitmap_first(t->node_set); n >= 0; n = hwloc_bitmap_next(t->node_set, n)) {
			char *end;
			unsigned long v = strtoul(q, &end, 10);
			if (end == q)
				goto out;
			t->dist[(size_t)i * t->nnodes + j++] = v;
			q = end;
		}
	}
	t->dist_from_matrix = 1;

	/* Cores: each allowed PU with its SMT siblings (thread_siblings_list), in order of their first PU. */
	unsigned npu = (unsigned)hwloc_bitmap_weight(t->allowed_cpus);
	t->cores = calloc(npu ? npu : 1, sizeof(*t->cores));
	int lastpu = hwloc_bitmap_last(t->allowed_cpus);
	t->npu_core = lastpu >= 0 ? (unsigned)lastpu + 1 : 0;
	t->pu_core = malloc((t->npu_core ? t->npu_core : 1) * sizeof(int));
	for (unsigned i = 0; i < t->npu_core; i++)
		t->pu_core[i] = -1;
	hwloc_bitmap_t sib = hwloc_bitmap_alloc();
	for (int pu = hwloc_bitmap_first(t->allowed_cpus); pu >= 0; pu = hwloc_bitmap_next(t->allowed_cpus, pu)) {
		if (t->pu_core[pu] >= 0)
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", pu);
		if (read_list(path, sib) < 0 || !hwloc_bitmap_isset(sib, (unsigned)pu)) {
			hwloc_bitmap_free(sib);
			goto out;
		}
		hwloc_bitmap_and(sib, sib, t->allowed_cpus);
		struct topo_core *c = &t->cores[t->ncores];
		c->pus = hwloc_bitmap_dup(sib);
		c->npus = (unsigned)hwloc_bitmap_weight(sib);
		c->node = -1;
		c->group = -1;
		for (unsigned i = 0; i < t->nnodes; i++)
			if (hwloc_bitmap_isset(t->nodes[i].cpus, (unsigned)pu))
				c->node = (int)i;
		/* Siblings on two nodes: not a machine to read without hwloc. */
		if (c->node < 0 || !hwloc_bitmap_isincluded(sib, t->nodes[c->node].cpus)) {
			hwloc_bitmap_free(c->pus);
			hwloc_bitmap_free(sib);
			goto out;
		}
		t->nodes[c->node].ncores++;
		for (int q = hwloc_bitmap_first(sib); q >= 0; q = hwloc_bitmap_next(sib, q))
			if ((unsigned)q < t->npu_core && t->pu_core[q] < 0)
				t->pu_core[q] = (int)t->ncores;
		t->ncores++;
	}
	hwloc_bitmap_free(sib);
	rc = 0;
out:
	free(osn);
	hwloc_bitmap_free(present);
	hwloc_bitmap_free(seen);
	if (rc)
		topology_free(t);
	return rc;
}

/* How much of an XML file's start and end is looked at to say what is wrong with it. */
#define XML_PEEK 4096

/* The first non-blank byte of buf (after a UTF-8 byte order mark), or NULL. */
static const char *xml_start(const char *buf, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i < n ? buf + i : NULL;
}

static int has_text(const char *buf, size_t n, const char *text)
{
	size_t k = strlen(text);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(buf + i, text, k) == 0)
			return 1;
	return 0;
}

/* What hwloc would make of the file named by label, checked where that is cheap (stat, the first
 * bytes) before hwloc reads it all: 0, or -1 with the reason in cause. A device is refused (hwloc
 * would read /dev/zero until memory runs out); a pipe is left to hwloc. */
static int xml_precheck(const char *path, const char *label, char *cause, size_t causelen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(cause, causelen, "%s: cannot open: %s", label, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(cause, causelen, "%s: is a directory (expected an hwloc XML topology, as 'lstopo FILE.xml' "
			 "writes)", label);
		return -1;
	}
	if (S_ISFIFO(st.st_mode))
		return 0;
	if (!S_ISREG(st.st_mode)) {
		snprintf(cause, causelen, "%s: not a regular file (expected an hwloc XML topology, as 'lstopo "
			 "FILE.xml' writes)", label);
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(cause, causelen, "%s: cannot open: %s", label, strerror(errno));
		return -1;
	}
	char buf[XML_PEEK];
	ssize_t n = read(fd, buf, sizeof(buf));
	int e = errno;
	close(fd);
	if (n < 0) {
		snprintf(cause, causelen, "%s: cannot read: %s", label, strerror(e));
		return -1;
	}
	const char *p = xml_start(buf, (size_t)n);
	if (!p) {
		snprintf(cause, causelen, "%s: %s (expected an hwloc XML topology, as 'lstopo FILE.xml' writes)",
			 label, n == 0 ? "empty file" : "nothing but white space");
		return -1;
	}
	if (*p != '<') {
		snprintf(cause, causelen, "%s: not an hwloc XML topology (not XML: it does not start with '<')", label);
		return -1;
	}
	return 0;
}

/* Why hwloc could not load the XML file named by label (err: its errno), said in cause. */
static void xml_explain(const char *path, const char *label, int err, char *cause, size_t causelen)
{
	char head[XML_PEEK], tail[64];
	ssize_t nh = -1, nt = -1;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		nh = read(fd, head, sizeof(head));
		off_t at = st.st_size > (off_t)sizeof(tail) ? st.st_size - (off_t)sizeof(tail) : 0;
		nt = pread(fd, tail, sizeof(tail), at);
	}
	if (fd >= 0)
		close(fd);
	if (nh > 0 && !has_text(head, (size_t)nh, "<topology")) {
		snprintf(cause, causelen, "%s: not an hwloc XML topology (no <topology> element)", label);
		return;
	}
	if (nt > 0) {
		size_t k = (size_t)nt;
		while (k > 0 && (tail[k - 1] == ' ' || tail[k - 1] == '\t' || tail[k - 1] == '\n' || tail[k - 1] == '\r'))
			k--;
		if (k < 11 || memcmp(tail + k - 11, "</topology>", 11) != 0) {
			snprintf(cause, causelen, "%s: truncated hwloc XML topology (it does not end with </topology>)",
				 label);
			return;
		}
	}
	snprintf(cause, causelen, "%s: hwloc cannot load it as an XML topology: %s (HWLOC_XML_VERBOSE=1 says "
		 "where)", label, strerror(err));
}

/* label: what named the XML file or synthetic description, for messages ("--topology FILE",
 * "HWLOC_XMLFILE=FILE"); NULL for the live machine. live: the running system's own sysfs (not
 * HWLOC_FSROOT or HWLOC_CPUID_PATH). */
static int load_common(struct topo *t, const char *xml, const char *synthetic, const char *label, int live,
		       char *cause, size_t causelen)
{
	memset(t, 0, sizeof(*t));
	if (xml && xml_precheck(xml, label, cause, causelen) < 0)
		return -2;
	if (init_quietly(&t->h) < 0) {
		snprintf(cause, causelen, "hwloc_topology_init: %s", strerror(errno));
		return -1;
	}
	unsigned long flags = HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED;
#if HWLOC_API_VERSION >= 0x00020800
	/* CPU kinds (three sysfs reads per CPU) are never looked at. */
	flags |= HWLOC_TOPOLOGY_FLAG_NO_CPUKINDS;
#endif
	hwloc_topology_set_flags(t->h, flags);
	hwloc_topology_set_io_types_filter(t->h, HWLOC_TYPE_FILTER_KEEP_NONE);
	/* Caches are never looked at either, but they are levels of the tree that tree_distance() counts:
	 * they are left out of the live machine only, whose distances come from the kernel's matrix (an
	 * XML or synthetic topology without one keeps the distances it had). */
	if (live) {
		hwloc_topology_set_cache_types_filter(t->h, HWLOC_TYPE_FILTER_KEEP_NONE);
		hwloc_topology_set_icache_types_filter(t->h, HWLOC_TYPE_FILTER_KEEP_NONE);
	}
	/* The x86 backend reads CPUID by moving this thread onto every PU in turn (milliseconds of
	 * migrations at start-up); the Linux backend's sysfs view has all that planning needs. */
	if (!xml && !synthetic)
		hwloc_topology_set_components(t->h, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
	if (xml) {
		snprintf(t->source, sizeof(t->source), "%s", xml);
		if (hwloc_topology_set_xml(t->h, xml) < 0) {
			xml_explain(xml, label, errno, cause, causelen);
			goto fail;
		}
	} else if (synthetic) {
		snprintf(t->source, sizeof(t->source), "synthetic:%s", synthetic);
		if (hwloc_topology_set_synthetic(t->h, synthetic) < 0) {
			snprintf(cause, causelen, "%s: bad synthetic topology (expected a description such as "
				 "'pack:2 numa:2 core:4 pu:2')", label);
			goto fail;
		}
	} else {
		snprintf(t->source, sizeof(t->source), "live");
	}
	if (hwloc_topology_load(t->h) < 0) {
		int e = errno;
		if (xml)
			xml_explain(xml, label, e, cause, causelen);
		else
			snprintf(cause, causelen, "%s%shwloc_topology_load: %s", label ? label : "", label ? ": " : "",
				 strerror(e));
		goto fail;
	}
	t->this_system = hwloc_topology_is_thissystem(t->h);
	if (finish_load(t, cause, causelen) < 0) {
		if (label) {
			char why[512];
			snprintf(why, sizeof(why), "%s", cause);
			snprintf(cause, causelen, "%s: %s", label, why);
		}
		goto fail;
	}
	snprintf(t->label, sizeof(t->label), "%s", label ? label : "live");
	return 0;
fail:
	topology_free(t);
	return label ? -2 : -1;
}

static const char *env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int topology_load(struct topo *t, const char *xml, char *cause, size_t causelen)
{
	char label[600];
	if (xml) {
		snprintf(label, sizeof(label), "--topology %s", *xml ? xml : "''");
		return load_common(t, xml, NULL, label, 0, cause, causelen);
	}
	/* hwloc's own variables, in hwloc's order, said by name: hwloc takes HWLOC_SYNTHETIC before
	 * HWLOC_XMLFILE, after HWLOC_FSROOT and HWLOC_CPUID_PATH (left to hwloc), and falls back to the
	 * live machine without a word where the one it takes cannot be loaded. */
	const char *v;
	if (env_set("HWLOC_FSROOT") || env_set("HWLOC_CPUID_PATH"))
		return load_common(t, NULL, NULL, NULL, 0, cause, causelen);
	if ((v = env_set("HWLOC_SYNTHETIC"))) {
		snprintf(label, sizeof(label), "HWLOC_SYNTHETIC=%s", v);
		return load_common(t, NULL, v, label, 0, cause, causelen);
	}
	if ((v = env_set("HWLOC_XMLFILE"))) {
		snprintf(label, sizeof(label), "HWLOC_XMLFILE=%s", v);
		return load_common(t, v, NULL, label, 0, cause, causelen);
	}
	return load_common(t, NULL, NULL, NULL, 1, cause, causelen);
}

int topology_load_synthetic(struct topo *t, const char *desc, char *cause, size_t causelen)
{
	char label[600];
	snprintf(label, sizeof(label), "synthetic topology '%s'", desc);
	return load_common(t, NULL, desc, label, 0, cause, causelen);
}

void topology_restrict(struct topo *t, hwloc_const_bitmap_t cpus, hwloc_const_bitmap_t nodes)
{
	if (cpus) {
		hwloc_bitmap_and(t->allowed_cpus, t->allowed_cpus, cpus);
		for (unsigned i = 0; i < t->nnodes; i++) {
			hwloc_bitmap_and(t->nodes[i].allowed_cpus, t->nodes[i].allowed_cpus, cpus);
			t->nodes[i].ncores = 0;
		}
		for (unsigned g = 0; g < t->ngroups; g++)
			t->groups[g].ncores = 0;
		unsigned k = 0;
		int *moved = malloc((t->ncores ? t->ncores : 1) * sizeof(int));
		for (unsigned c = 0; c < t->ncores; c++) {
			hwloc_bitmap_and(t->cores[c].pus, t->cores[c].pus, cpus);
			t->cores[c].npus = hwloc_bitmap_weight(t->cores[c].pus);
			moved[c] = -1;
			if (t->cores[c].npus == 0) {
				hwloc_bitmap_free(t->cores[c].pus);
				continue;
			}
			moved[c] = (int)k;
			t->cores[k++] = t->cores[c];
			if (t->cores[c].node >= 0)
				t->nodes[t->cores[c].node].ncores++;
			if (t->cores[c].group >= 0)
				t->groups[t->cores[c].group].ncores++;
		}
		t->ncores = k;
		for (unsigned pu = 0; pu < t->npu_core; pu++)
			if (t->pu_core[pu] >= 0)
				t->pu_core[pu] = hwloc_bitmap_isset(cpus, pu) ? moved[t->pu_core[pu]] : -1;
		free(moved);
	}
	if (nodes) {
		hwloc_bitmap_and(t->allowed_nodes, t->allowed_nodes, nodes);
		for (unsigned i = 0; i < t->nnodes; i++)
			t->nodes[i].allowed = hwloc_bitmap_isset(t->allowed_nodes, t->nodes[i].os_index);
	}
}

void topology_free(struct topo *t)
{
	for (unsigned i = 0; i < t->nnodes; i++) {
		hwloc_bitmap_free(t->nodes[i].cpus);
		hwloc_bitmap_free(t->nodes[i].allowed_cpus);
		hwloc_bitmap_free(t->nodes[i].near_nodes);
	}
	for (unsigned c = 0; c < t->ncores; c++)
		hwloc_bitmap_free(t->cores[c].pus);
	for (unsigned g = 0; g < t->ngroups; g++) {
		hwloc_bitmap_free(t->groups[g].cpus);
		hwloc_bitmap_free(t->groups[g].mem_nodes);
	}
	free(t->groups);
	free(t->nodes);
	free(t->cores);
	free(t->pu_core);
	free(t->dist);
	hwloc_bitmap_free(t->cpus);
	hwloc_bitmap_free(t->allowed_cpus);
	hwloc_bitmap_free(t->affinity);
	hwloc_bitmap_free(t->node_set);
	hwloc_bitmap_free(t->allowed_nodes);
	if (t->h)
		hwloc_topology_destroy(t->h);
	memset(t, 0, sizeof(*t));
}
