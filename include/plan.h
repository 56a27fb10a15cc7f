/* plan.h - the pure planner: (topology, policy, limits) -> plan; and its text, JSON and INI forms. */
#ifndef NUMARUN_PLAN_H
#define NUMARUN_PLAN_H

#include <stdio.h>
#include <hwloc.h>
#include "cgroup.h"
#include "policy.h"
#include "topology.h"

enum knob_action { KNOB_NONE, KNOB_SET, KNOB_UNSET };

/* What the runtime module decided for one environment variable (a thread count, or bytes for GOMEMLIMIT). */
struct knob_decision {
	enum knob_action action;
	long value;
	char reason[512];
};

#define PLAN_MAX_NOTES 8

struct plan {
	hwloc_bitmap_t cpus;      /* chosen PUs (OS indexes) */
	unsigned *order;          /* the same PUs in fill order: whole cores first, then siblings */
	unsigned ncpus;
	hwloc_bitmap_t cpu_nodes; /* nodes whose CPUs are used (OS indexes) */
	hwloc_bitmap_t nodeless_mem; /* the memory nodes of the planned CPUs that are in no node (OS indexes) */
	enum mem_policy mem;
	int mpol;                 /* the kernel mode numarun sets (MPOL_*: MPOL_PREFERRED_MANY for preferred on several
				   * nodes), -1 for none (default) */
	hwloc_bitmap_t mem_nodes; /* memory policy nodes (OS indexes); empty for local/default */
	int balancing;            /* MPOL_F_NUMA_BALANCING on the memory policy numarun sets */
	int kernel_balancing;     /* the kernel's NUMA balancing will scan and migrate the target's memory:
				   * 1, 0, or -1 when unknown (not this system) */
	char kernel_balancing_why[256];
	enum strategy strategy;
	int smt;
	struct knob_decision gomaxprocs;
	struct knob_decision omp;
	struct knob_decision gomemlimit;
	/* Whether the target's Go runtime sizes GOMAXPROCS itself when it is not set (Go >= 1.25 with
	 * containermaxprocs on): 1 or 0; -1 when the target is not a Go program (or there is none). */
	int gomaxprocs_managed;
	char go_version[64];      /* the target's Go release, "" when it is not a Go program */
	/* A policy planned where other CPUs or nodes were allowed, or whose lists are not allowed here, is
	 * re-planned with the same intent (unless strict): what was replaced and why; "" when it was not. */
	char relocated[768];
	char planned_cpus[256], planned_nodes[256]; /* as the policy recorded them, "" when it did not */
	int strict;               /* refuse rather than drop what the kernel refuses */
	char dropped[768];        /* what the kernel refused and numarun launches without, "" when nothing */
	char preferred_fallback[320]; /* preferred on several nodes where the kernel has no MPOL_PREFERRED_MANY: what
				       * is applied instead (said at launch), "" otherwise */
	char notes[PLAN_MAX_NOTES][256];
	int nnotes;
};

/*
 * Compute the plan. Pure: reads only its arguments. Returns 0, or -1 when the request cannot be met,
 * with a reason that says what was asked and what is available.
 */
int plan_compute(const struct topo *t, const struct policy *p, struct plan *out, char *cause,
		 size_t causelen);
/* The kernel refuses the memory policy (why): launch without one, the target keeping what it inherits;
 * NUMA balancing re-judged; said in dropped. */
void plan_drop_memory(const struct topo *t, struct plan *pl, const char *why);
/* Add a line to pl->dropped. */
void plan_note_dropped(struct plan *pl, const char *what);
/* Release what plan_compute allocated. */
void plan_free(struct plan *pl);

/* A byte count for people: "1.5 GiB". */
void plan_format_bytes(unsigned long long b, char *buf, size_t len);
/* Readable text. */
void plan_print_text(FILE *f, const struct plan *pl, const struct topo *t, char *const *argv);
/* The resident-mode line of the text plan. */
void plan_print_resident(FILE *f, const struct policy *p);
/* JSON (schema "numarun_plan": 1, documented in numarun(1)). */
void plan_print_json(FILE *f, const struct plan *pl, const struct topo *t, const struct policy *p,
		     char *const *argv);
/* A policy that reproduces exactly this plan where t's CPUs and nodes are allowed, and that records them
 * (planned_cpus, planned_nodes) so that elsewhere it is re-planned with the same intent. */
/* The policy plan_print_ini writes: p with the plan's CPUs (in its order), memory, and the allowed sets. */
void plan_to_policy(const struct plan *pl, const struct topo *t, const struct policy *p, struct policy *out);
void plan_print_ini(FILE *f, const struct plan *pl, const struct topo *t, const struct policy *p);
/* The topology as text or JSON (numarun topology); lim may be NULL. */
void topology_print_text(FILE *f, const struct topo *t, const struct cpu_limit *lim);
void topology_print_json(FILE *f, const struct topo *t, const struct cpu_limit *lim);

#endif
