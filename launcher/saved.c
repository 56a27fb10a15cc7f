/* saved.c - the converged placement as a policy: one node rule per thread name, in the original order. */
#include "config.h"
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hwloc.h>
#include "nodelist.h"
#include "saved.h"

void saved_glob(const char *comm, char *out, size_t len)
{
	size_t k = 0;
	for (const unsigned char *c = (const unsigned char *)comm; *c && k + 1 < len; c++) {
		/* INI delimiters and comments, fnmatch's specials, list separators, control characters. */
		if (strchr("=:;#[]*?\\, \t", *c) || *c < 0x20 || *c == 0x7f)
			out[k++] = '?';
		else
			out[k++] = (char)*c;
	}
	if (len)
		out[k] = '\0';
}

/* Where the rule of a thread named comm stands: before the first of p's rules matching it (p->nrules:
 * none). When that is an exclude rule (the name changed after the thread was placed), before the whole
 * run of exclude rules it is in: they are one key in a file, and stay together. */
static size_t first_rule(const struct policy *p, const char *comm)
{
	for (size_t r = 0; r < p->nrules; r++)
		if (fnmatch(p->rules[r].glob, comm, 0) == 0) {
			while (!p->rules[r].nodes && r > 0 && !p->rules[r - 1].nodes)
				r--;
			return r;
		}
	return p->nrules;
}

struct name_rule {
	char glob[80];
	size_t at;                /* the original rule it stands for; nrules: after them all */
	hwloc_bitmap_t nodes;
};

void saved_policy(struct policy *out, const struct policy *p, const struct saved_thread *th, size_t n, char *note,
		  size_t notelen)
{
	policy_copy(out, p);
	for (size_t r = 0; r < out->nrules; r++) {
		free(out->rules[r].glob);
		free(out->rules[r].nodes);
	}
	out->nrules = 0;
	if (note && notelen)
		note[0] = '\0';

	/* One rule per name (as a glob): the nodes its threads ended on, one node or the set they spread over. */
	struct name_rule *nr = calloc(n ? n : 1, sizeof(*nr));
	size_t nn = 0, unnamed = 0;
	for (size_t i = 0; i < n; i++) {
		if (th[i].node < 0)
			continue;
		if (!th[i].comm[0]) {
			unnamed++;
			continue;
		}
		char glob[80];
		saved_glob(th[i].comm, glob, sizeof(glob));
		size_t at = first_rule(p, th[i].comm), k;
		for (k = 0; k < nn; k++)
			if (strcmp(nr[k].glob, glob) == 0)
				break;
		if (k == nn) {
			snprintf(nr[nn].glob, sizeof(nr[nn].glob), "%s", glob);
			nr[nn].at = at;
			nr[nn].nodes = hwloc_bitmap_alloc();
			nn++;
		} else if (at < nr[k].at) {
			nr[k].at = at; /* before every rule that matched one of its threads first */
		}
		hwloc_bitmap_set(nr[k].nodes, (unsigned)th[i].node);
	}
	char list[256];
	for (size_t r = 0; r <= p->nrules; r++) {
		for (size_t k = 0; k < nn; k++)
			if (nr[k].at == r)
				policy_add_rule(out, nr[k].glob, nodelist_format(nr[k].nodes, list, sizeof(list)));
		if (r < p->nrules && !p->rules[r].nodes)
			policy_add_rule(out, p->rules[r].glob, NULL);
	}
	for (size_t k = 0; k < nn; k++)
		hwloc_bitmap_free(nr[k].nodes);
	free(nr);
	if (unnamed && note && notelen)
		snprintf(note, notelen,
			 "%zu thread%s with an empty name left out of the saved rules (a [threads] key needs a name): "
			 "placed by placement = %s when it is loaded", unnamed, unnamed == 1 ? "" : "s",
			 policy_threads_name(p->threads == THREADS_NONE ? THREADS_COMPACT : p->threads));
	if (out->threads == THREADS_NONE)
		out->threads = THREADS_COMPACT;
	out->monitor = 1;
}
