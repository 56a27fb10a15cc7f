/* saved.h - the converged placement as a policy (--save-policy). Pure: the caller writes it out. */
#ifndef NUMARUN_SAVED_H
#define NUMARUN_SAVED_H

#include <stddef.h>
#include "policy.h"

/* A thread of the placement. */
struct saved_thread {
	const char *comm;
	int node;                 /* OS index of the node numarun pinned it to; -1 not pinned by numarun */
};

/* A comm as a [threads] key: a glob that matches it and loads back (the characters the INI syntax or
 * fnmatch would read otherwise become '?'); "" for an empty name, which no key can name. */
void saved_glob(const char *comm, char *out, size_t len);

/*
 * The policy that reproduces a placement: p with its [threads] rules replaced by one node rule per thread
 * name (the nodes its threads ended on) and p's exclude rules, in p's order, first match winning as in p:
 * each name's rule stands where the rule that placed those threads stood (at the end for threads placed
 * by the placement alone), exclude rules keep their places. placement becomes compact where it was none;
 * monitoring stays on. Threads with an empty name are left out (a key cannot name them: they are placed
 * by the placement on reload); note says so ("" when none). out is initialised here. The exclude rules
 * stay one run (one exclude key): a writer keeps the order by writing that key where the run stands.
 */
void saved_policy(struct policy *out, const struct policy *p, const struct saved_thread *th, size_t n, char *note,
		  size_t notelen);

#endif
