/* slots.c - the plan's CPU slots: choose, take, release; free counts derived from the loads. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "slots.h"

void slots_init(struct slots *s, unsigned n, unsigned nnodes, const int *node)
{
	s->n = n;
	s->nnodes = nnodes;
	s->node = malloc((n ? n : 1) * sizeof(*s->node));
	s->load = calloc(n ? n : 1, sizeof(*s->load));
	for (unsigned k = 0; k < n; k++)
		s->node[k] = node[k] >= 0 && (unsigned)node[k] < nnodes ? node[k] : -1;
}

void slots_free(struct slots *s)
{
	free(s->node);
	free(s->load);
	memset(s, 0, sizeof(*s));
}

int slots_allowed(const struct slots *s, int k, hwloc_const_bitmap_t nodes)
{
	if (k < 0 || (unsigned)k >= s->n)
		return 0;
	return !nodes || (s->node[k] >= 0 && hwloc_bitmap_isset(nodes, (unsigned)s->node[k]));
}

static unsigned pinned_on(const struct slots *s, int node)
{
	unsigned p = 0;
	for (unsigned k = 0; k < s->n; k++)
		if (s->node[k] == node)
			p += s->load[k];
	return p;
}

int slots_choose(const struct slots *s, hwloc_const_bitmap_t nodes, enum thread_placement how)
{
	unsigned minload = (unsigned)-1;
	for (unsigned k = 0; k < s->n; k++)
		if (slots_allowed(s, (int)k, nodes) && s->load[k] < minload)
			minload = s->load[k];
	if (minload == (unsigned)-1)
		return -1;
	if (how == THREADS_SPREAD) {
		int best_node = -2;
		unsigned best_pinned = (unsigned)-1;
		for (unsigned k = 0; k < s->n; k++) {
			if (!slots_allowed(s, (int)k, nodes) || s->load[k] != minload)
				continue;
			unsigned p = pinned_on(s, s->node[k]);
			if (p < best_pinned) {
				best_pinned = p;
				best_node = s->node[k];
			}
		}
		for (unsigned k = 0; k < s->n; k++)
			if (slots_allowed(s, (int)k, nodes) && s->load[k] == minload && s->node[k] == best_node)
				return (int)k;
		return -1;
	}
	for (unsigned k = 0; k < s->n; k++)
		if (slots_allowed(s, (int)k, nodes) && s->load[k] == minload)
			return (int)k;
	return -1;
}

void slots_assign(struct slots *s, int *at, int to)
{
	if (*at >= 0 && (unsigned)*at < s->n && s->load[*at])
		s->load[*at]--;
	*at = to >= 0 && (unsigned)to < s->n ? to : -1;
	if (*at >= 0)
		s->load[*at]++;
}

unsigned slots_on(const struct slots *s, int node)
{
	unsigned c = 0;
	for (unsigned k = 0; k < s->n; k++)
		c += s->node[k] == node;
	return c;
}

unsigned slots_free_on(const struct slots *s, int node)
{
	unsigned c = 0;
	for (unsigned k = 0; k < s->n; k++)
		c += s->node[k] == node && s->load[k] == 0;
	return c;
}

void slots_count(const struct slots *s, unsigned *on, unsigned *free)
{
	for (unsigned i = 0; i < s->nnodes; i++) {
		if (on)
			on[i] = slots_on(s, (int)i);
		if (free)
			free[i] = slots_free_on(s, (int)i);
	}
}

int slots_first_free(const struct slots *s, int node)
{
	for (unsigned k = 0; k < s->n; k++)
		if (s->node[k] == node && s->load[k] == 0)
			return (int)k;
	return -1;
}

int slots_swap(struct slots *s, int *a, int *b, slots_pin_fn pin, void *ctx)
{
	int sa = *a, sb = *b;
	if (sa < 0 || sb < 0)
		return -EINVAL; /* only pinned threads swap */
	int rc = pin(ctx, 0, sb);
	if (rc < 0)
		return rc; /* nothing changed */
	slots_assign(s, a, sb);
	rc = pin(ctx, 1, sa);
	if (rc == 0) {
		slots_assign(s, b, sa);
		return 0;
	}
	/* The second thread keeps its CPU: put the first one back where it was. */
	if (pin(ctx, 0, sa) == 0)
		slots_assign(s, a, sa);
	return rc;
}
