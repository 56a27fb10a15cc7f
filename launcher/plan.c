/* plan.c - the pure planner: node choice (compact / spread), CPU order (whole cores first), memory. */
#include "config.h"
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "nodelist.h"
#include "plan.h"

#define LIST_LEN 1024

static void note(struct plan *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct plan *pl, const char *fmt, ...)
{
	if (pl->nnotes >= PLAN_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pl->notes[pl->nnotes++], sizeof(pl->notes[0]), fmt, ap);
	va_end(ap);
}

/* Every core's PUs in order, flat: core c's are pu[off[c]] .. pu[off[c + 1] - 1]. Built once per plan, so
 * that taking a core's L-th PU costs one lookup, not a walk of a bitmap as long as the machine. */
struct core_pus {
	unsigned *off, *pu;
};

static void index_pus(const struct topo *t, struct core_pus *cp)
{
	unsigned total = 0;
	for (unsigned c = 0; c < t->ncores; c++)
		total += t->cores[c].npus;
	cp->off = calloc(t->ncores + 1, sizeof(unsigned));
	cp->pu = calloc(total ? total : 1, sizeof(unsigned));
	unsigned *fillp = calloc(t->ncores + 1, sizeof(unsigned));
	for (unsigned c = 0; c < t->ncores; c++)
		cp->off[c + 1] = cp->off[c] + t->cores[c].npus;
	memcpy(fillp, cp->off, (t->ncores + 1) * sizeof(unsigned));
	/* In OS index order within each core, as its bitmap has them. */
	for (unsigned pu = 0; pu < t->npu_core; pu++) {
		int c = t->pu_core[pu];
		if (c >= 0 && fillp[c] < cp->off[c + 1])
			cp->pu[fillp[c]++] = pu;
	}
	free(fillp);
}

/* The level-th PU (0: the core's first PU, 1: its first sibling...) of core c, or -1. */
static int core_pu(const struct core_pus *cp, unsigned c, unsigned level)
{
	return cp->off[c] + level < cp->off[c + 1] ? (int)cp->pu[cp->off[c] + level] : -1;
}

/* Per place to run: its allowed cores, as indexes into t->cores. The places are the nodes (by array index)
 * and after them the groups of CPUs in no NUMA node (index t->nnodes + group): NPLACES of them. */
#define NPLACES(t) ((t)->nnodes + (t)->ngroups)
struct node_cores {
	unsigned *idx;
	unsigned n;
};

static struct node_cores *index_cores(const struct topo *t)
{
	unsigned np = NPLACES(t);
	struct node_cores *nc = calloc(np ? np : 1, sizeof(*nc));
	unsigned *count = calloc(np ? np : 1, sizeof(unsigned));
	int *place = malloc((t->ncores ? t->ncores : 1) * sizeof(int));
	for (unsigned c = 0; c < t->ncores; c++) {
		int n = t->cores[c].node;
		if (n < 0 && t->cores[c].group >= 0)
			n = (int)t->nnodes + t->cores[c].group;
		place[c] = n;
		if (n >= 0)
			count[n]++;
	}
	for (unsigned i = 0; i < np; i++)
		nc[i].idx = calloc(count[i] ? count[i] : 1, sizeof(unsigned));
	for (unsigned c = 0; c < t->ncores; c++)
		if (place[c] >= 0)
			nc[place[c]].idx[nc[place[c]].n++] = c;
	free(count);
	free(place);
	return nc;
}

static void free_cores(struct node_cores *nc, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(nc[i].idx);
	free(nc);
}

/* How many PUs a node offers: all allowed ones, or one per core without SMT. */
static unsigned node_capacity(const struct node_cores *nc, const struct topo *t, unsigned i, int smt)
{
	if (!smt)
		return nc[i].n;
	unsigned s = 0;
	for (unsigned k = 0; k < nc[i].n; k++)
		s += t->cores[nc[i].idx[k]].npus;
	return s;
}

static unsigned max_smt(const struct topo *t)
{
	unsigned m = 1;
	for (unsigned c = 0; c < t->ncores; c++)
		if (t->cores[c].npus > m)
			m = t->cores[c].npus;
	return m;
}

static void take(struct plan *pl, unsigned pu)
{
	hwloc_bitmap_set(pl->cpus, pu);
	pl->order[pl->ncpus++] = pu;
}

/* The nodes whose CPUs the plan uses, and the memory of the CPUs in no node it uses, once the CPUs are taken. */
static void set_cpu_nodes(struct plan *pl, const struct topo *t)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (hwloc_bitmap_intersects(t->nodes[i].cpus, pl->cpus))
			hwloc_bitmap_set(pl->cpu_nodes, t->nodes[i].os_index);
	for (unsigned g = 0; g < t->ngroups; g++)
		if (hwloc_bitmap_intersects(t->groups[g].cpus, pl->cpus))
			hwloc_bitmap_or(pl->nodeless_mem, pl->nodeless_mem, t->groups[g].mem_nodes);
}

/* The node a place stands for in distances: itself, or a group's first memory node. */
static unsigned place_node(const struct topo *t, unsigned x)
{
	return x < t->nnodes ? x : (unsigned)t->groups[x - t->nnodes].near;
}

/* Distance between two places: CPUs in no node count as being where their memory is. */
static uint64_t place_distance(const struct topo *t, unsigned a, unsigned b)
{
	return topology_distance(t, place_node(t, a), place_node(t, b));
}

/* A place's own free memory: none for CPUs in no node. */
static uint64_t place_free(const struct topo *t, unsigned x)
{
	return x < t->nnodes ? t->nodes[x].free_memory : 0;
}

/* Fill n PUs from the nodes in nl (array indexes, in preference order), whole cores first.
 * compact takes a node's cores before the next node's; spread deals cores round-robin over nodes. */
static void fill(struct plan *pl, const struct topo *t, const struct node_cores *nc, const struct core_pus *cp,
		 const unsigned *nl, unsigned nnl, unsigned n, int smt, enum strategy s)
{
	unsigned levels = smt ? max_smt(t) : 1;
	for (unsigned L = 0; L < levels && pl->ncpus < n; L++) {
		if (s == STRATEGY_COMPACT) {
			for (unsigned j = 0; j < nnl && pl->ncpus < n; j++)
				for (unsigned k = 0; k < nc[nl[j]].n && pl->ncpus < n; k++) {
					int pu = core_pu(cp, nc[nl[j]].idx[k], L);
					if (pu >= 0)
						take(pl, (unsigned)pu);
				}
		} else {
			for (unsigned k = 0;; k++) {
				int any = 0;
				for (unsigned j = 0; j < nnl && pl->ncpus < n; j++) {
					if (k >= nc[nl[j]].n)
						continue;
					any = 1;
					int pu = core_pu(cp, nc[nl[j]].idx[k], L);
					if (pu >= 0)
						take(pl, (unsigned)pu);
				}
				if (!any || pl->ncpus >= n)
					break;
			}
		}
	}
}

/* Order an explicit CPU set: whole cores first, in logical order. */
static void order_explicit(struct plan *pl, const struct topo *t, const struct core_pus *cp,
			   hwloc_const_bitmap_t want)
{
	unsigned levels = max_smt(t);
	for (unsigned L = 0; L < levels; L++)
		for (unsigned c = 0; c < t->ncores; c++) {
			int pu = core_pu(cp, c, L);
			if (pu >= 0 && hwloc_bitmap_isset(want, (unsigned)pu))
				take(pl, (unsigned)pu);
		}
}

/* Sets of nodes seen while growing, by two 64-bit Zobrist hashes (the XOR of a fixed random key per node):
 * the next node the growth picks depends on the set alone, so a start that reaches a set an earlier start
 * reached ends in the same set with the same score, and the earlier one wins the tie. */
struct seen_sets {
	uint64_t (*slot)[2];
	size_t mask, used, max; /* slots - 1, slots used, the most slots it may grow to */
};

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Whether the set (a, b) was seen; remember it if not (while there is room: past that, nothing is skipped). */
static int seen_before(struct seen_sets *ss, uint64_t a, uint64_t b)
{
	if (!ss->slot || (a == 0 && b == 0))
		return 0;
	if (ss->used * 2 >= ss->mask && ss->mask + 1 < ss->max) {
		/* Half full: twice the slots. */
		size_t n = (ss->mask + 1) * 2;
		uint64_t(*ns)[2] = calloc(n, sizeof(*ns));
		if (ns) {
			for (size_t j = 0; j <= ss->mask; j++) {
				if (ss->slot[j][0] == 0 && ss->slot[j][1] == 0)
					continue;
				size_t k = (size_t)ss->slot[j][0] & (n - 1);
				while (ns[k][0] || ns[k][1])
					k = (k + 1) & (n - 1);
				ns[k][0] = ss->slot[j][0];
				ns[k][1] = ss->slot[j][1];
			}
			free(ss->slot);
			ss->slot = ns;
			ss->mask = n - 1;
		}
	}
	for (size_t i = (size_t)a & ss->mask;; i = (i + 1) & ss->mask) {
		if (ss->slot[i][0] == 0 && ss->slot[i][1] == 0) {
			if (ss->used * 2 >= ss->mask)
				return 0;
			ss->slot[i][0] = a;
			ss->slot[i][1] = b;
			ss->used++;
			return 0;
		}
		if (ss->slot[i][0] == a && ss->slot[i][1] == b)
			return 1;
	}
}

/* The sum of the m smallest of v[0..n) (reordered): quickselect, O(n) expected. */
static uint64_t sum_smallest(uint64_t *v, unsigned n, unsigned m)
{
	uint64_t sum = 0;
	unsigned lo = 0, hi = n, need = m < n ? m : n;
	while (need > 0) {
		if (need >= hi - lo) {
			for (unsigned j = lo; j < hi; j++)
				sum += v[j];
			break;
		}
		uint64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
		uint64_t piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		/* v[lo..hi) into < piv [lo, lt), == piv [lt, gt), > piv [gt, hi). */
		unsigned lt = lo, i = lo, gt = hi;
		while (i < gt) {
			uint64_t x = v[i];
			if (x < piv) {
				v[i++] = v[lt];
				v[lt++] = x;
			} else if (x > piv) {
				v[i] = v[--gt];
				v[gt] = x;
			} else {
				i++;
			}
		}
		unsigned nl = lt - lo, ne = gt - lt;
		if (need <= nl) {
			hi = lt;
			continue;
		}
		for (unsigned j = lo; j < lt; j++)
			sum += v[j];
		if (need <= nl + ne)
			return sum + (uint64_t)(need - nl) * piv;
		sum += (uint64_t)ne * piv;
		need -= nl + ne;
		lo = gt;
	}
	return sum;
}

/* The growth's tie-breaks: larger capacity, then more free memory, then lower index first. */
struct rank_key {
	unsigned cap;
	uint64_t free;
	unsigned node;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank_key *x = a, *y = b;
	if (x->cap != y->cap)
		return x->cap > y->cap ? -1 : 1;
	if (x->free != y->free)
		return x->free > y->free ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* Whether no set of k candidates (alive, nalive of them) can score better than (m, d, f): its distance to
 * the memory is at least the k smallest md, the sum of distances between its nodes at least half the k
 * smallest sums of a node's k-1 nearest, its free memory at most the k largest. A later start then only
 * ties, and the first found wins a tie. */
static int unbeatable(const struct topo *t, const unsigned *alive, unsigned nalive, const uint64_t *both,
		      const uint64_t *md, const unsigned *cap, unsigned n, unsigned k, uint64_t m, uint64_t d, uint64_t f)
{
	unsigned N = NPLACES(t);
	if (k < 1 || k > nalive)
		return 0;
	uint64_t *v = calloc(nalive, sizeof(*v)), *w = calloc(nalive, sizeof(*w)), lb = 0;
	/* Fewer nodes would do where the k - 1 largest capacities hold n: a smaller set wins outright. */
	uint64_t capall = 0;
	for (unsigned a = 0; a < nalive; a++)
		capall += v[a] = cap[alive[a]];
	if (k > 1 && capall - sum_smallest(v, nalive, nalive - (k - 1)) >= n) {
		free(v);
		free(w);
		return 0;
	}
	for (unsigned a = 0; a < nalive; a++)
		v[a] = md[alive[a]];
	int ok = m <= sum_smallest(v, nalive, k);
	for (unsigned a = 0; ok && a < nalive; a++) {
		unsigned x = alive[a], nw = 0;
		for (unsigned b = 0; b < nalive; b++)
			if (alive[b] != x)
				w[nw++] = both[(size_t)x * N + alive[b]];
		v[a] = sum_smallest(w, nw, k - 1);
	}
	if (ok) {
		lb = sum_smallest(v, nalive, k);
		ok = d <= (lb + 1) / 2;
	}
	if (ok) {
		/* The k largest free memories: the total less the nalive - k smallest. */
		uint64_t all = 0;
		for (unsigned a = 0; a < nalive; a++)
			all += v[a] = place_free(t, alive[a]);
		ok = f >= all - sum_smallest(v, nalive, nalive - k);
	}
	free(v);
	free(w);
	return ok;
}

/*
 * compact: the fewest nodes that hold n PUs. From each start node, grow by the node nearest to those
 * already chosen (sum of distances; then larger capacity, more free memory, lower index) until the
 * capacity suffices; keep the set with fewest nodes, then the one nearest to the memory nodes the policy
 * names (memnode, by node index; all zero when it names none), then smallest total distance, then most
 * free memory.
 */
static unsigned choose_compact(const struct topo *t, const unsigned *cap, const int *cand, const int *memnode,
			       unsigned n, unsigned *best)
{
	unsigned N = NPLACES(t), bestk = 0;
	uint64_t bestd = 0, bestfree = 0, bestm = 0;
	unsigned *cur = calloc(N ? N : 1, sizeof(*cur));
	/* to[x]: the sum of distances, both ways, from x to the nodes chosen so far, kept as nodes are added
	 * (O(N) a step, O(N^3) in all, where summing afresh was O(N^4)); md[x]: x's distance to the memory. */
	uint64_t *to = calloc(N ? N : 1, sizeof(*to)), *md = calloc(N ? N : 1, sizeof(*md));
	uint64_t *both = malloc(N ? (size_t)N * N * sizeof(*both) : 1); /* d(x, y) + d(y, x) */
	const uint64_t *dist = t->dist;
	unsigned M = t->nnodes, *pn = malloc((N ? N : 1) * sizeof(*pn));
	int anymem = 0;
	for (unsigned y = 0; y < M; y++)
		anymem |= memnode[y];
	for (unsigned x = 0; x < N; x++)
		pn[x] = place_node(t, x);
	for (unsigned x = 0; x < N; x++) {
		for (unsigned y = 0; y < N; y++)
			both[(size_t)x * N + y] = dist[(size_t)pn[x] * M + pn[y]] + dist[(size_t)pn[y] * M + pn[x]];
		for (unsigned y = 0; anymem && y < M; y++)
			if (memnode[y])
				md[x] += dist[(size_t)pn[x] * M + y];
	}
	free(pn);

	/* The set's score (its size, its distance to the memory, the sum of distances between its nodes both
	 * ways, its free memory) depends on the set alone, not on the order it grew in: where every candidate
	 * is needed, every start grows the same set and the first start is the answer. */
	uint64_t total = 0, mincap = UINT64_MAX;
	for (unsigned x = 0; x < N; x++)
		if (cand[x] && cap[x]) {
			total += cap[x];
			if (cap[x] < mincap)
				mincap = cap[x];
		}
	int every = total >= n && total - mincap < n;
	/* Allocated after the first start, where the first start was not already the answer. */
	struct seen_sets ss = {.max = (size_t)1 << 16};
	size_t slots = 64;

	/* The tie-breaks of the growth (larger capacity, more free memory, lower index) as one rank; the
	 * candidates as a list that each start copies and shrinks. */
	unsigned *rank = calloc(N ? N : 1, sizeof(*rank)), *alive = calloc(N ? N : 1, sizeof(*alive));
	unsigned *rem = calloc(N ? N : 1, sizeof(*rem)), nalive = 0;
	for (unsigned x = 0; x < N; x++)
		if (cand[x] && cap[x])
			alive[nalive++] = x;
	struct rank_key *rk = malloc((nalive ? nalive : 1) * sizeof(*rk));
	for (unsigned a = 0; a < nalive; a++)
		rk[a] = (struct rank_key){cap[alive[a]], place_free(t, alive[a]), alive[a]};
	qsort(rk, nalive, sizeof(*rk), cmp_rank);
	for (unsigned a = 0; a < nalive; a++)
		rank[rk[a].node] = a;
	free(rk);

	int done = 0;
	unsigned firstk = 0;
	for (unsigned si = 0; si < nalive && !done; si++) {
		unsigned s = alive[si];
		if (si == 1) {
			/* The sets the first start grew through (cur still holds them). */
			ss.slot = calloc(slots, sizeof(*ss.slot));
			ss.mask = ss.slot ? slots - 1 : 0;
			uint64_t a = 0, b = 0;
			for (unsigned j = 0; j < firstk; j++) {
				a ^= mix64(2 * (uint64_t)cur[j]);
				b ^= mix64(2 * (uint64_t)cur[j] + 1);
				if (j > 0)
					seen_before(&ss, a, b);
			}
		}
		unsigned k = 0, have = 0, nrem = 0;
		uint64_t dsum = 0, freesum = 0, msum = md[s];
		cur[k++] = s;
		have = cap[s];
		freesum = place_free(t, s);
		uint64_t ha = mix64(2 * (uint64_t)s), hb = mix64(2 * (uint64_t)s + 1);
		int again = 0, pick = -1;
		uint64_t pickd = 0;
		const uint64_t *row = both + (size_t)s * N;
		/* One pass a step: add the last node's distances, and find the nearest remaining node. */
		for (unsigned a = 0; a < nalive; a++) {
			unsigned x = alive[a];
			if (x == s)
				continue;
			rem[nrem++] = x;
			to[x] = row[x];
			if (pick < 0 || to[x] < pickd || (to[x] == pickd && rank[x] < rank[pick])) {
				pick = (int)x;
				pickd = to[x];
			}
		}
		while (have < n) {
			/* Another node would make a larger set than the best one: no better from here. */
			if (bestk && k >= bestk)
				break;
			if (pick < 0)
				break;
			ha ^= mix64(2 * (uint64_t)pick);
			hb ^= mix64(2 * (uint64_t)pick + 1);
			if (seen_before(&ss, ha, hb)) {
				again = 1;
				break;
			}
			unsigned p = (unsigned)pick;
			cur[k++] = p;
			have += cap[p];
			dsum += pickd;
			msum += md[p];
			freesum += place_free(t, p);
			row = both + (size_t)p * N;
			pick = -1;
			for (unsigned a = 0; a < nrem;) {
				unsigned x = rem[a];
				if (x == p) {
					rem[a] = rem[--nrem];
					continue;
				}
				to[x] += row[x];
				if (pick < 0 || to[x] < pickd || (to[x] == pickd && rank[x] < rank[pick])) {
					pick = (int)x;
					pickd = to[x];
				}
				a++;
			}
		}
		if (si == 0)
			firstk = k;
		if (again || have < n)
			continue;
		/* msum: how far the set is from the memory the policy names (0 when it names none). */
		if (!bestk || k < bestk ||
		    (k == bestk && (msum < bestm || (msum == bestm && (dsum < bestd ||
								   (dsum == bestd && freesum > bestfree)))))) {
			bestk = k;
			bestd = dsum;
			bestm = msum;
			bestfree = freesum;
			memcpy(best, cur, k * sizeof(*cur));
			done = every || unbeatable(t, alive, nalive, both, md, cap, n, bestk, bestm, bestd, bestfree);
		}
	}
	free(cur);
	free(to);
	free(md);
	free(both);
	free(ss.slot);
	free(rank);
	free(alive);
	free(rem);
	return bestk;
}

static int err(char *cause, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int err(char *cause, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cause, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Check that every node in set exists; for CPU placement also that it has allowed CPUs. */
static int check_nodes(const struct topo *t, hwloc_const_bitmap_t set, int for_cpus, const char *what,
		       char *cause, size_t len)
{
	char a[LIST_LEN], b[LIST_LEN];
	unsigned n;
	hwloc_bitmap_t ok = hwloc_bitmap_alloc();
	int rc = 0;
	for (unsigned i = 0; i < t->nnodes; i++)
		if (for_cpus ? (t->nodes[i].has_cpus && !hwloc_bitmap_iszero(t->nodes[i].allowed_cpus))
			     : t->nodes[i].allowed)
			hwloc_bitmap_set(ok, t->nodes[i].os_index);
	nodelist_format(ok, b, sizeof(b));
	hwloc_bitmap_foreach_begin(n, set) {
		int i = topology_node_index(t, n);
		if (i < 0) {
			rc = err(cause, len, "%s: node %u does not exist (nodes: %s)", what, n,
				 nodelist_format(t->node_set, a, sizeof(a)));
		} else if (for_cpus && !t->nodes[i].has_cpus) {
			rc = err(cause, len,
				 "%s: node %u has no CPUs (memory-only%s%s node); use it for memory only "
				 "(--membind, [memory] nodes); nodes with allowed CPUs: %s",
				 what, n, t->nodes[i].subtype[0] ? " " : "", t->nodes[i].subtype, b);
		} else if (for_cpus && hwloc_bitmap_iszero(t->nodes[i].allowed_cpus)) {
			char allowed[LIST_LEN];
			rc = err(cause, len,
				 "%s: node %u is outside the allowed CPUs (its CPUs %s; allowed CPUs %s); "
				 "nodes with allowed CPUs: %s",
				 what, n, nodelist_format(t->nodes[i].cpus, a, sizeof(a)),
				 nodelist_format(t->allowed_cpus, allowed, sizeof(allowed)), b);
		} else if (!for_cpus && !t->nodes[i].allowed) {
			rc = err(cause, len, "%s: node %u is outside the allowed memory nodes (allowed: %s)", what, n,
				 b);
		}
		if (rc)
			break;
	}
	hwloc_bitmap_foreach_end();
	hwloc_bitmap_free(ok);
	return rc;
}

/* The allowed CPUs that are in no NUMA node, as a list. */
static char *nodeless_list(const struct topo *t, char *buf, size_t len)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	for (unsigned g = 0; g < t->ngroups; g++)
		hwloc_bitmap_or(s, s, t->groups[g].cpus);
	hwloc_bitmap_and(s, s, t->allowed_cpus);
	nodelist_format(s, buf, len);
	hwloc_bitmap_free(s);
	return buf;
}

/* The plan uses CPUs in no NUMA node: say which, and whose memory serves them. */
static void note_nodeless(const struct topo *t, struct plan *pl)
{
	char a[LIST_LEN], b[LIST_LEN];
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	for (unsigned g = 0; g < t->ngroups; g++)
		hwloc_bitmap_or(s, s, t->groups[g].cpus);
	hwloc_bitmap_and(s, s, pl->cpus);
	if (!hwloc_bitmap_iszero(s))
		note(pl, "CPUs %s are in no NUMA node (their node is offline or absent): planned, with the memory of "
			 "node%s %s, the nearest with memory by hwloc's locality (a memory policy that follows the "
			 "plan's nodes includes %s)", nodelist_format(s, a, sizeof(a)),
		     hwloc_bitmap_weight(pl->nodeless_mem) == 1 ? "" : "s", nodelist_format(pl->nodeless_mem, b, sizeof(b)),
		     hwloc_bitmap_weight(pl->nodeless_mem) == 1 ? "it" : "them");
	hwloc_bitmap_free(s);
}

static int plan_cpus(const struct topo *t, const struct policy *p, struct plan *pl, char *cause, size_t len)
{
	char a[LIST_LEN], b[LIST_LEN], c[LIST_LEN];
	hwloc_bitmap_t universe = hwloc_bitmap_alloc(), cand = hwloc_bitmap_alloc();
	struct node_cores *nc = index_cores(t);
	struct core_pus cp;
	index_pus(t, &cp);
	int rc = -1;

	int nodeless = 0; /* allowed CPUs in no NUMA node */
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i].has_cpus && !hwloc_bitmap_iszero(t->nodes[i].allowed_cpus))
			hwloc_bitmap_set(universe, t->nodes[i].os_index);
	for (unsigned g = 0; g < t->ngroups; g++)
		nodeless |= t->groups[g].ncores > 0;
	if (hwloc_bitmap_iszero(universe) && !nodeless) {
		err(cause, len, "no allowed CPU on any node (allowed CPUs: %s)",
		    nodelist_format(t->allowed_cpus, a, sizeof(a)));
		goto out;
	}
	if (p->nodes) {
		if (nodelist_parse(p->nodes, universe, cand, a, sizeof(a)) < 0) {
			err(cause, len, "nodes: %s", a);
			goto out;
		}
		if (check_nodes(t, cand, 1, "nodes", cause, len) < 0)
			goto out;
		if (hwloc_bitmap_iszero(cand)) {
			err(cause, len, "nodes '%s' selects no node (nodes with allowed CPUs: %s)", p->nodes,
			    nodelist_format(universe, a, sizeof(a)));
			goto out;
		}
	} else {
		hwloc_bitmap_copy(cand, universe);
	}

	if (p->cpu_list) {
		hwloc_bitmap_t want = hwloc_bitmap_alloc();
		hwloc_bitmap_t cand_cpus = hwloc_bitmap_alloc();
		unsigned n;
		for (unsigned i = 0; i < t->nnodes; i++)
			if (hwloc_bitmap_isset(cand, t->nodes[i].os_index))
				hwloc_bitmap_or(cand_cpus, cand_cpus, t->nodes[i].allowed_cpus);
		if (nodelist_parse(p->cpu_list, t->allowed_cpus, want, a, sizeof(a)) < 0) {
			err(cause, len, "cpus: %s", a);
		} else if (hwloc_bitmap_iszero(want)) {
			err(cause, len, "CPU list '%s' selects no CPU (allowed CPUs: %s)", p->cpu_list,
			    nodelist_format(t->allowed_cpus, a, sizeof(a)));
		} else {
			rc = 0;
			hwloc_bitmap_foreach_begin(n, want) {
				if (!hwloc_bitmap_isset(t->cpus, n)) {
					rc = err(cause, len, "CPU %u does not exist or is offline (online CPUs: %s)", n,
						 nodelist_format(t->cpus, a, sizeof(a)));
				} else if (!hwloc_bitmap_isset(t->allowed_cpus, n)) {
					rc = err(cause, len, "CPU %u is outside the allowed CPUs (allowed: %s)", n,
						 nodelist_format(t->allowed_cpus, a, sizeof(a)));
				} else if (p->nodes && !hwloc_bitmap_isset(cand_cpus, n)) {
					rc = err(cause, len, "CPU %u is not on nodes %s (their allowed CPUs: %s)", n,
						 nodelist_format(cand, b, sizeof(b)),
						 nodelist_format(cand_cpus, a, sizeof(a)));
				}
				if (rc)
					break;
			}
			hwloc_bitmap_foreach_end();
		}
		if (rc == 0) {
			unsigned w = (unsigned)hwloc_bitmap_weight(want);
			pl->order = calloc(w, sizeof(unsigned));
			/* An explicit list is used in the order it names its CPUs (the order --threads fills;
			 * plan --ini writes the plan's order so); a set ("all", "!", "+") whole cores first, as
			 * numarun orders CPUs itself. */
			unsigned *written = calloc(w, sizeof(unsigned));
			int nw = nodelist_written_order(p->cpu_list, want, written, w);
			if (nw == (int)w)
				for (unsigned i = 0; i < w; i++)
					take(pl, written[i]);
			else
				order_explicit(pl, t, &cp, want);
			free(written);
			if (p->cpus_kind != CPUS_ALL && !p->planned_cpus)
				note(pl, "an explicit CPU list is given: the CPU count request is not used");
		}
		hwloc_bitmap_free(want);
		hwloc_bitmap_free(cand_cpus);
		goto out;
	}

	/* How many PUs, from what the candidate nodes offer. */
	unsigned *cap = calloc(NPLACES(t), sizeof(*cap));
	int *isc = calloc(NPLACES(t), sizeof(*isc));
	unsigned total = 0, maxcap = 0, cores = 0, pus = 0;
	for (unsigned i = 0; i < NPLACES(t); i++) {
		/* CPUs in no node are used when no nodes are named (they are on none of them). */
		if (i < t->nnodes ? !hwloc_bitmap_isset(cand, t->nodes[i].os_index) : p->nodes != NULL)
			continue;
		isc[i] = 1;
		cap[i] = node_capacity(nc, t, i, p->smt);
		total += cap[i];
		cores += nc[i].n;
		pus += node_capacity(nc, t, i, 1);
		if (cap[i] > maxcap)
			maxcap = cap[i];
	}
	/* In floating point first: a count past 32 bits must not wrap to a small one. */
	double wantd = total;
	switch (p->cpus_kind) {
	case CPUS_ALL: break;
	case CPUS_COUNT: wantd = p->cpus_value; break;
	case CPUS_PERCENT: wantd = ceil(p->cpus_value * total / 100.0 - 1e-9); break;
	case CPUS_NODES: wantd = ceil(p->cpus_value * maxcap - 1e-9); break;
	}
	if (wantd < 1)
		wantd = 1;
	unsigned want = wantd > total ? total + 1 : (unsigned)wantd;
	if (want > total) {
		char wb[64];
		snprintf(wb, sizeof(wb), "%.0f", wantd);
		policy_cpus_str(p->cpus_kind, p->cpus_value, b, sizeof(b));
		err(cause, len,
		    "asked for %s CPUs (cpus = %s%s); only %u are available on nodes %s%s%s "
		    "(%u cores, %u PUs%s)",
		    wb, b, p->nodes ? ", on the given nodes" : "", total, nodelist_format(cand, a, sizeof(a)),
		    nodeless && !p->nodes ? " and in no node: CPUs " : "",
		    nodeless && !p->nodes ? nodeless_list(t, c, sizeof(c)) : "",
		    cores, pus, p->smt ? "" : "; smt = no uses one PU per core");
		free(cap);
		free(isc);
		goto out;
	}

	unsigned *nl = calloc(NPLACES(t), sizeof(*nl)), nnl = 0;
	if (p->strategy == STRATEGY_SPREAD) {
		for (unsigned i = 0; i < NPLACES(t); i++)
			if (isc[i] && cap[i])
				nl[nnl++] = i;
	} else {
		/* Explicit memory nodes (-m 1, -i 1,3): CPUs nearest to them. */
		int *memnode = calloc(t->nnodes, sizeof(*memnode));
		if (p->mem_nodes && (p->mem == MEM_BIND || p->mem == MEM_INTERLEAVE || p->mem == MEM_PREFERRED)) {
			hwloc_bitmap_t ms = hwloc_bitmap_alloc();
			if (nodelist_parse(p->mem_nodes, t->allowed_nodes, ms, a, sizeof(a)) == 0)
				for (unsigned i = 0; i < t->nnodes; i++)
					memnode[i] = hwloc_bitmap_isset(ms, t->nodes[i].os_index);
			hwloc_bitmap_free(ms);
		}
		nnl = choose_compact(t, cap, isc, memnode, want, nl);
		free(memnode);
		int with_nodeless = 0;
		for (unsigned x = 0; x < nnl; x++)
			with_nodeless |= nl[x] >= t->nnodes;
		if (nnl > 1 && with_nodeless) {
			note(pl, "compact: %u CPUs need %u nodes, counting the CPUs in no node of each part of the machine as "
				 "one", want, nnl);
		} else if (nnl > 1) {
			uint64_t d = 0;
			for (unsigned x = 0; x < nnl; x++)
				for (unsigned y = x + 1; y < nnl; y++)
					d = place_distance(t, nl[x], nl[y]) > d ? place_distance(t, nl[x], nl[y]) : d;
			note(pl, "compact: %u CPUs need %u nodes; the nearest set has largest distance %llu", want,
			     nnl, (unsigned long long)d);
		}
	}
	pl->order = calloc(want, sizeof(unsigned));
	fill(pl, t, nc, &cp, nl, nnl, want, p->smt, p->strategy);
	free(nl);
	free(cap);
	free(isc);
	rc = 0;
out:
	if (rc == 0)
		set_cpu_nodes(pl, t);
	free_cores(nc, NPLACES(t));
	free(cp.off);
	free(cp.pu);
	hwloc_bitmap_free(universe);
	hwloc_bitmap_free(cand);
	return rc;
}

/* include_cpuless: the allowed memory-only nodes that belong to one of the plan's CPU nodes (topology.c's
 * memory_locality(): hwloc's locality, then memory attributes, then distances), added to nodes; one note
 * per reason says which were added and why. */
static void add_cpuless(const struct topo *t, struct plan *pl, hwloc_bitmap_t nodes, hwloc_const_bitmap_t cpu_nodes)
{
	int *done = calloc(t->nnodes, sizeof(*done));
	for (unsigned i = 0; i < t->nnodes; i++) {
		const struct topo_node *m = &t->nodes[i];
		if (done[i] || m->has_cpus || !m->allowed || !hwloc_bitmap_intersects(m->near_nodes, cpu_nodes))
			continue;
		/* This node and the others added for the same reason. */
		hwloc_bitmap_t same = hwloc_bitmap_alloc();
		char subtypes[64] = "";
		for (unsigned j = i; j < t->nnodes; j++) {
			const struct topo_node *o = &t->nodes[j];
			if (done[j] || o->has_cpus || !o->allowed || !hwloc_bitmap_intersects(o->near_nodes, cpu_nodes) ||
			    strcmp(o->near_why, m->near_why) != 0)
				continue;
			done[j] = 1;
			hwloc_bitmap_set(same, o->os_index);
			hwloc_bitmap_set(nodes, o->os_index);
			if (o->subtype[0] && !strstr(subtypes, o->subtype) &&
			    strlen(subtypes) + strlen(o->subtype) + 3 < sizeof(subtypes))
				snprintf(subtypes + strlen(subtypes), sizeof(subtypes) - strlen(subtypes), "%s%s",
					 subtypes[0] ? ", " : "", o->subtype);
		}
		char a[LIST_LEN];
		note(pl, "include_cpuless: memory-only node%s %s%s%s%s added: %s", hwloc_bitmap_weight(same) > 1 ? "s" : "",
		     nodelist_format(same, a, sizeof(a)), subtypes[0] ? " (" : "", subtypes, subtypes[0] ? ")" : "",
		     m->near_why);
		hwloc_bitmap_free(same);
	}
	free(done);
}

/* Whether the kernel's NUMA balancing will scan and migrate the target's memory, and the
 * MPOL_F_NUMA_BALANCING flag on the policy numarun sets. Pure: the kernel facts are in t->kmem. */
static int plan_balancing(const struct topo *t, const struct policy *p, struct plan *pl, char *cause, size_t len)
{
	const struct kernel_mem *k = &t->kmem;
	char *why = pl->kernel_balancing_why;
	size_t wl = sizeof(pl->kernel_balancing_why);
	int on = k->known ? mempolicy_kernel_balances(k) : -1;
	char off[96] = "";
	if (k->known && k->numa_balancing < 0)
		snprintf(off, sizeof(off), "this kernel has no NUMA balancing");
	else if (k->known)
		snprintf(off, sizeof(off), "kernel.numa_balancing is %d", k->numa_balancing);
	pl->balancing = 0;
	pl->kernel_balancing = on;
	if (p->mem == MEM_DEFAULT) {
		if (p->balancing == BALANCING_YES)
			note(pl, "balancing = yes: numarun sets no memory policy, the target keeps the one it inherits");
		if (!k->known)
			snprintf(why, wl, "unknown: not this system");
		else if (k->inherited_mode > 0 && !k->inherited_mof) {
			pl->kernel_balancing = 0;
			snprintf(why, wl, "no: the target inherits numarun's own %s memory policy, which the kernel "
					  "does not balance", mempolicy_mode_name(k->inherited_mode));
		} else if (!on)
			snprintf(why, wl, "no: %s", off);
		else
			snprintf(why, wl, "yes: the target keeps the memory policy it inherits (%s)",
				 k->inherited_mode > 0 ? "with MPOL_F_NUMA_BALANCING" : "the task default");
		return 0;
	}
	int accepts = pl->mpol == MPOL_PREFERRED_MANY ? mempolicy_accepts_balancing_mode(k, pl->mpol)
						     : mempolicy_accepts_balancing(k, p->mem);
	if (p->balancing == BALANCING_YES && !accepts)
		return err(cause, len, "balancing: %s does not take MPOL_F_NUMA_BALANCING with the %s memory policy "
				       "(it does with %s)",
			   k->probed_modes ? "this kernel" : "the kernel", policy_mem_name(p->mem),
			   k->probed_modes && (k->balancing_modes & ~(1u << MEM_BIND)) ? "bind and others" : "bind");
	pl->balancing = p->balancing == BALANCING_YES || (p->balancing == BALANCING_AUTO && accepts && on != 0);
	if (pl->balancing) {
		pl->kernel_balancing = on;
		if (on > 0)
			snprintf(why, wl, "yes: %s with MPOL_F_NUMA_BALANCING", policy_mem_name(p->mem));
		else if (on == 0)
			snprintf(why, wl, "no: %s (MPOL_F_NUMA_BALANCING is set for when it is turned on)", off);
		else
			snprintf(why, wl, "unknown: not this system (%s with MPOL_F_NUMA_BALANCING)", policy_mem_name(p->mem));
		return 0;
	}
	pl->kernel_balancing = 0;
	if (p->balancing == BALANCING_NO)
		snprintf(why, wl, "no: balancing = no (the kernel does not balance an explicit %s policy without it)",
			 policy_mem_name(p->mem));
	else if (!accepts)
		snprintf(why, wl, "no: the kernel does not balance memory under an explicit %s policy, and takes "
				  "MPOL_F_NUMA_BALANCING only with %s",
			 policy_mem_name(p->mem), k->probed_modes && (k->balancing_modes & ~(1u << MEM_BIND)) ? "others" : "bind");
	else
		snprintf(why, wl, "no: %s", off);
	return 0;
}

static int plan_memory(const struct topo *t, const struct policy *p, struct plan *pl, char *cause, size_t len)
{
	char a[LIST_LEN];
	pl->mem = p->mem;
	pl->mpol = mempolicy_mode(p->mem);
	if (p->mem == MEM_LOCAL || p->mem == MEM_DEFAULT) {
		if (plan_balancing(t, p, pl, cause, len) < 0)
			return -1;
		if (p->mem_nodes)
			return err(cause, len, "memory nodes '%s' are only used with bind, interleave or preferred "
					       "(memory policy is %s)", p->mem_nodes, policy_mem_name(p->mem));
		return 0;
	}
	if (!p->mem_nodes) {
		hwloc_bitmap_or(pl->mem_nodes, pl->cpu_nodes, pl->nodeless_mem);
		if (p->include_cpuless)
			add_cpuless(t, pl, pl->mem_nodes, pl->cpu_nodes);
	} else {
		hwloc_bitmap_t allowed = hwloc_bitmap_alloc();
		for (unsigned i = 0; i < t->nnodes; i++)
			if (t->nodes[i].allowed && (t->nodes[i].has_cpus || p->include_cpuless))
				hwloc_bitmap_set(allowed, t->nodes[i].os_index);
		int rc = nodelist_parse(p->mem_nodes, allowed, pl->mem_nodes, a, sizeof(a));
		hwloc_bitmap_free(allowed);
		if (rc < 0)
			return err(cause, len, "memory nodes: %s", a);
		if (check_nodes(t, pl->mem_nodes, 0, "memory nodes", cause, len) < 0)
			return -1;
	}
	/* The plan's own nodes must also be allowed for memory when they are used for it. */
	unsigned n;
	int rc = 0;
	hwloc_bitmap_foreach_begin(n, pl->mem_nodes) {
		int i = topology_node_index(t, n);
		if (i < 0 || !t->nodes[i].allowed) {
			rc = err(cause, len, "memory policy %s: node %u is outside the allowed memory nodes (allowed: %s)",
				 policy_mem_name(p->mem), n, nodelist_format(t->allowed_nodes, a, sizeof(a)));
			break;
		}
	}
	hwloc_bitmap_foreach_end();
	if (rc)
		return rc;
	if (hwloc_bitmap_iszero(pl->mem_nodes))
		return err(cause, len, "memory policy %s selects no node", policy_mem_name(p->mem));
	if (p->mem == MEM_PREFERRED && hwloc_bitmap_weight(pl->mem_nodes) > 1) {
		/* Several nodes: MPOL_PREFERRED_MANY (Linux 5.15); a kernel without it prefers the first. */
		unsigned first = (unsigned)hwloc_bitmap_first(pl->mem_nodes);
		char a[128];
		nodelist_format(pl->mem_nodes, a, sizeof(a));
		if (t->kmem.known && t->kmem.preferred_many == 0) {
			if (p->strict)
				return err(cause, len, "preferred on nodes %s: this kernel refuses MPOL_PREFERRED_MANY "
					   "(set_mempolicy: Invalid argument; Linux 5.15 has it); --strict: not planned on the "
					   "first node alone", a);
			hwloc_bitmap_only(pl->mem_nodes, first);
			snprintf(pl->preferred_fallback, sizeof(pl->preferred_fallback), "preferred on nodes %s: this kernel "
				 "refuses MPOL_PREFERRED_MANY (set_mempolicy: Invalid argument; Linux 5.15 has it): node %u "
				 "only, the first of them", a, first);
			note(pl, "%s", pl->preferred_fallback);
			char what[320];
			snprintf(what, sizeof(what), "MPOL_PREFERRED_MANY on nodes %s (this kernel refuses it): preferred "
				 "node %u only", a, first);
			plan_note_dropped(pl, what);
		} else if (t->kmem.known && t->kmem.preferred_many == 1) {
			note(pl, "preferred on nodes %s: MPOL_PREFERRED_MANY (this kernel takes it)", a);
		} else {
			note(pl, "preferred on nodes %s: MPOL_PREFERRED_MANY (Linux 5.15 and later); a kernel without it is "
				 "given node %u only, the first, and numarun says so at launch", a, first);
		}
	}
	pl->mpol = mempolicy_mode_nodes(p->mem, pl->mem_nodes);
	return plan_balancing(t, p, pl, cause, len);
}

static int plan_compute_exact(const struct topo *t, struct policy *p, struct plan *pl, char *cause, size_t causelen);

/* Parse a list against the whole machine; NULL when it does not parse. */
static hwloc_bitmap_t parse_set(const char *list, hwloc_const_bitmap_t universe)
{
	char why[256];
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	if (nodelist_parse(list, universe, b, why, sizeof(why)) < 0) {
		hwloc_bitmap_free(b);
		return NULL;
	}
	return b;
}

/* A node list names a node without allowed CPUs (for_cpus) or memory (!for_cpus) here. */
static int nodes_not_allowed(const struct topo *t, const char *list, int for_cpus)
{
	/* "all" and "!LIST" are relative to what is allowed here, as the planner reads them. */
	hwloc_bitmap_t universe = hwloc_bitmap_alloc();
	for (unsigned i = 0; i < t->nnodes; i++)
		if (for_cpus ? t->nodes[i].has_cpus && !hwloc_bitmap_iszero(t->nodes[i].allowed_cpus) : t->nodes[i].allowed)
			hwloc_bitmap_set(universe, t->nodes[i].os_index);
	hwloc_bitmap_t b = parse_set(list, universe);
	hwloc_bitmap_free(universe);
	if (!b)
		return 0; /* the planner reports it */
	int bad = 0;
	unsigned n;
	hwloc_bitmap_foreach_begin(n, b) {
		int i = topology_node_index(t, n);
		if (i >= 0 && (for_cpus ? t->nodes[i].has_cpus && hwloc_bitmap_iszero(t->nodes[i].allowed_cpus)
					: !t->nodes[i].allowed))
			bad = 1;
	}
	hwloc_bitmap_foreach_end();
	hwloc_bitmap_free(b);
	return bad;
}

/*
 * The hand-off rule (numarun(1), "Policies planned elsewhere"). A policy file's CPU and node lists are
 * where it was planned; when it records other allowed sets than these (planned_cpus, planned_nodes), or
 * when one of its lists is not allowed here, the lists become intent: a CPU list its count, a node list its
 * number of nodes' worth of CPUs, memory nodes the new CPU nodes; strategy, smt, the memory policy and the
 * rules stay. Lists given on the command line are taken as given. Returns 1 when q was changed, 0 when
 * not, -1 under strict (cause says why).
 */
static int relocate(const struct topo *t, struct policy *q, struct plan *pl, char *cause, size_t len)
{
	char a[LIST_LEN], b[LIST_LEN];
	int differ = 0;
	if (q->planned_cpus) {
		snprintf(pl->planned_cpus, sizeof(pl->planned_cpus), "%s", q->planned_cpus);
		hwloc_bitmap_t s = parse_set(q->planned_cpus, t->cpus);
		if (!s || !hwloc_bitmap_isequal(s, t->allowed_cpus))
			differ = 1;
		hwloc_bitmap_free(s);
	}
	if (q->planned_nodes) {
		snprintf(pl->planned_nodes, sizeof(pl->planned_nodes), "%s", q->planned_nodes);
		hwloc_bitmap_t s = parse_set(q->planned_nodes, t->node_set);
		if (!s || !hwloc_bitmap_isequal(s, t->allowed_nodes))
			differ = 1;
		hwloc_bitmap_free(s);
	}
	int cpu_bad = 0;
	if (q->cpu_list && (q->from_file & POLICY_FROM_FILE_CPU_LIST)) {
		hwloc_bitmap_t s = parse_set(q->cpu_list, t->allowed_cpus);
		cpu_bad = s && !hwloc_bitmap_iszero(s) && !hwloc_bitmap_isincluded(s, t->allowed_cpus);
		hwloc_bitmap_free(s);
	}
	int nodes_bad = q->nodes && (q->from_file & POLICY_FROM_FILE_NODES) && nodes_not_allowed(t, q->nodes, 1);
	int mem_bad = q->mem_nodes && (q->from_file & POLICY_FROM_FILE_MEM_NODES) &&
		      (q->mem == MEM_BIND || q->mem == MEM_INTERLEAVE || q->mem == MEM_PREFERRED) &&
		      nodes_not_allowed(t, q->mem_nodes, 0);
	if (!differ && !cpu_bad && !nodes_bad && !mem_bad)
		return 0;
	if (!(q->from_file & (POLICY_FROM_FILE_CPU_LIST | POLICY_FROM_FILE_NODES | POLICY_FROM_FILE_MEM_NODES)) ||
	    (!q->cpu_list && !q->nodes && !q->mem_nodes))
		return 0; /* nothing of the file's to re-plan: the command line's lists are taken as given */

	char where[LIST_LEN * 2 + 64];
	if (differ)
		snprintf(where, sizeof(where), "planned where CPUs %s and nodes %s were allowed",
			 q->planned_cpus ? q->planned_cpus : "?", q->planned_nodes ? q->planned_nodes : "?");
	else
		snprintf(where, sizeof(where), "its %s not allowed here",
			 cpu_bad ? "CPU list is" : nodes_bad ? "nodes are" : "memory nodes are");
	nodelist_format(t->allowed_cpus, a, sizeof(a));
	nodelist_format(t->allowed_nodes, b, sizeof(b));
	if (q->strict)
		return err(cause, len, "the policy was %s; here CPUs %s and nodes %s are allowed (strict: not re-planned)",
			   where, a, b);

	/* Memory that was where the CPUs were (bind to the plan's own nodes, as plan --ini writes it) follows
	 * them; memory the policy put elsewhere stays there while it is allowed. */
	int mem_follows = 0;
	if (q->mem_nodes && (q->from_file & POLICY_FROM_FILE_MEM_NODES) && (cpu_bad || nodes_bad || differ)) {
		hwloc_bitmap_t old = hwloc_bitmap_alloc(), ms = parse_set(q->mem_nodes, t->node_set);
		if (q->nodes) {
			hwloc_bitmap_t ns = parse_set(q->nodes, t->node_set);
			if (ns)
				hwloc_bitmap_copy(old, ns);
			hwloc_bitmap_free(ns);
		} else if (q->cpu_list) {
			hwloc_bitmap_t cs = parse_set(q->cpu_list, t->cpus);
			for (unsigned i = 0; cs && i < t->nnodes; i++)
				if (hwloc_bitmap_intersects(cs, t->nodes[i].cpus))
					hwloc_bitmap_set(old, t->nodes[i].os_index);
			hwloc_bitmap_free(cs);
		}
		mem_follows = ms && !hwloc_bitmap_iszero(old) && hwloc_bitmap_isequal(ms, old);
		hwloc_bitmap_free(ms);
		hwloc_bitmap_free(old);
	}

	char was[LIST_LEN * 3 + 64] = "";
	size_t off = 0;
	if (q->cpu_list && (q->from_file & POLICY_FROM_FILE_CPU_LIST) && (differ || cpu_bad)) {
		hwloc_bitmap_t s = parse_set(q->cpu_list, t->cpus);
		int n = s ? hwloc_bitmap_weight(s) : 0;
		hwloc_bitmap_free(s);
		/* At most what is allowed here (whole cores only with smt = no). */
		int avail = q->smt ? hwloc_bitmap_weight(t->allowed_cpus) : (int)t->ncores;
		if (q->from_file & POLICY_FROM_FILE_CPUS) {
			/* plan --ini wrote the count asked for too: that is the intent */
			char cs[64];
			off += (size_t)snprintf(was + off, sizeof(was) - off, "%scpu_list %s as cpus = %s", off ? ", " : "",
						q->cpu_list, policy_cpus_str(q->cpus_kind, q->cpus_value, cs, sizeof(cs)));
		} else if (strcmp(q->cpu_list, "all") == 0) {
			q->cpus_kind = CPUS_ALL;
			off += (size_t)snprintf(was + off, sizeof(was) - off, "%scpu_list all", off ? ", " : "");
		} else {
			off += (size_t)snprintf(was + off, sizeof(was) - off, "%scpu_list %s as %d CPU%s%s", off ? ", " : "",
						q->cpu_list, n > avail ? avail : n, (n > avail ? avail : n) == 1 ? "" : "s",
						n > avail ? " (all that are allowed here)" : "");
			if (n > avail)
				n = avail;
			if (n > 0) {
				q->cpus_kind = CPUS_COUNT;
				q->cpus_value = n;
			}
		}
		free(q->cpu_list);
		q->cpu_list = NULL;
	}
	if (q->nodes && (q->from_file & POLICY_FROM_FILE_NODES) && (differ || nodes_bad) && off < sizeof(was)) {
		hwloc_bitmap_t s = parse_set(q->nodes, t->node_set);
		int n = s ? hwloc_bitmap_weight(s) : 0;
		hwloc_bitmap_free(s);
		off += (size_t)snprintf(was + off, sizeof(was) - off, "%snodes %s as %d node%s", off ? ", " : "",
					q->nodes, n, n == 1 ? "" : "s");
		if (q->cpus_kind == CPUS_ALL && n > 0 && strcmp(q->nodes, "all") != 0 &&
		    !(q->from_file & POLICY_FROM_FILE_CPUS)) {
			q->cpus_kind = CPUS_NODES;
			q->cpus_value = n;
		}
		free(q->nodes);
		q->nodes = NULL;
	}
	if (q->mem_nodes && (q->from_file & POLICY_FROM_FILE_MEM_NODES) && (mem_follows || mem_bad) &&
	    off < sizeof(was)) {
		off += (size_t)snprintf(was + off, sizeof(was) - off, "%smemory nodes %s as the plan's nodes",
					off ? ", " : "", q->mem_nodes);
		free(q->mem_nodes);
		q->mem_nodes = NULL;
	}
	if (!off)
		snprintf(was, sizeof(was), "nothing to re-plan");
	if (snprintf(pl->relocated, sizeof(pl->relocated), "the policy was %s; here CPUs %s and nodes %s are: "
		     "re-planned with the same intent (%s, %s)", where, a, b, was, policy_strategy_name(q->strategy)) >=
	    (int)sizeof(pl->relocated))
		memcpy(pl->relocated + sizeof(pl->relocated) - 4, "...", 4);
	return 1;
}

int plan_compute(const struct topo *t, const struct policy *p, struct plan *pl, char *cause, size_t causelen)
{
	struct policy q;
	policy_copy(&q, p);
	int rc = plan_compute_exact(t, &q, pl, cause, causelen);
	policy_free(&q);
	return rc;
}

static int plan_compute_exact(const struct topo *t, struct policy *p, struct plan *pl, char *cause, size_t causelen)
{
	memset(pl, 0, sizeof(*pl));
	pl->cpus = hwloc_bitmap_alloc();
	pl->cpu_nodes = hwloc_bitmap_alloc();
	pl->nodeless_mem = hwloc_bitmap_alloc();
	pl->mem_nodes = hwloc_bitmap_alloc();
	pl->strategy = p->strategy;
	pl->smt = p->smt;
	pl->strict = p->strict;
	if (!t->dist_from_matrix && t->nnodes > 1)
		note(pl, "no complete distance matrix: distances derived from the topology tree");
	if (relocate(t, p, pl, cause, causelen) < 0 || plan_cpus(t, p, pl, cause, causelen) < 0 || plan_memory(t, p, pl, cause, causelen) < 0) {
		plan_free(pl);
		return -1;
	}
	note_nodeless(t, pl);
	return 0;
}

void plan_note_dropped(struct plan *pl, const char *what)
{
	size_t l = strlen(pl->dropped);
	snprintf(pl->dropped + l, sizeof(pl->dropped) - l, "%s%s", l ? "; " : "", what);
}

void plan_drop_memory(const struct topo *t, struct plan *pl, const char *why)
{
	char a[LIST_LEN], what[1024];
	snprintf(what, sizeof(what), "memory policy %s%s%s (%s)", policy_mem_name(pl->mem),
		 pl->mem == MEM_LOCAL ? "" : " on nodes ",
		 pl->mem == MEM_LOCAL ? "" : nodelist_format(pl->mem_nodes, a, sizeof(a)), why);
	plan_note_dropped(pl, what);
	struct policy q;
	policy_init(&q);
	pl->mem = MEM_DEFAULT;
	pl->mpol = -1;
	hwloc_bitmap_zero(pl->mem_nodes);
	char cause[256];
	plan_balancing(t, &q, pl, cause, sizeof(cause));
	policy_free(&q);
}

void plan_free(struct plan *pl)
{
	hwloc_bitmap_free(pl->cpus);
	hwloc_bitmap_free(pl->cpu_nodes);
	hwloc_bitmap_free(pl->nodeless_mem);
	hwloc_bitmap_free(pl->mem_nodes);
	free(pl->order);
	memset(pl, 0, sizeof(*pl));
}
