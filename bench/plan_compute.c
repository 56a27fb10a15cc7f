/* plan_compute.c - the planner alone: plan_compute() on one topology, timed and repeatable.
 *
 *   bench/plan-compute XML [ITERATIONS [CPUS [STRATEGY]]]
 *
 * Loads XML once (hwloc's load is not timed), then calls plan_compute() and plan_free() ITERATIONS times
 * (default 200) with the default policy, or with [placement] cpus = CPUS and strategy = STRATEGY, and prints
 * one line: the PU count and the median nanoseconds of one call over 9 batches. Under
 * valgrind --tool=callgrind --toggle-collect=plan_compute the instruction count is the repeatable figure
 * (bench/plan_scale.py uses it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "plan.h"
#include "policy.h"
#include "topology.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char cause[1024];
	struct topo t;
	struct policy p;
	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: %s XML [ITERATIONS [CPUS [compact|spread]]]\n", argv[0]);
		return 2;
	}
	long iters = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
	if (iters < 1)
		iters = 1;
	if (topology_load(&t, argv[1], cause, sizeof(cause)) < 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	policy_init(&p);
	if (argc > 3 && policy_parse_cpus(argv[3], &p.cpus_kind, &p.cpus_value, cause, sizeof(cause)) < 0) {
		fprintf(stderr, "cpus: %s\n", cause);
		return 2;
	}
	if (argc > 4 && policy_parse_strategy(argv[4], &p.strategy, cause, sizeof(cause)) < 0) {
		fprintf(stderr, "strategy: %s\n", cause);
		return 2;
	}
	enum { BATCHES = 9 };
	double per_call[BATCHES];
	long per_batch = iters / BATCHES > 0 ? iters / BATCHES : 1;
	unsigned ncpus = 0;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns();
		for (long i = 0; i < per_batch; i++) {
			struct plan pl;
			if (plan_compute(&t, &p, &pl, cause, sizeof(cause)) < 0) {
				fprintf(stderr, "plan_compute: %s\n", cause);
				return 1;
			}
			ncpus = pl.ncpus;
			plan_free(&pl);
		}
		per_call[b] = (now_ns() - t0) / per_batch;
	}
	qsort(per_call, BATCHES, sizeof(per_call[0]), cmp_double);
	printf("pus %d planned %u median_ns %.0f\n", hwloc_get_nbobjs_by_type(t.h, HWLOC_OBJ_PU), ncpus,
	       per_call[BATCHES / 2]);
	policy_free(&p);
	topology_free(&t);
	return 0;
}
