/* owner.c - the log of the masks numarun set, and telling numarun's masks from the program's. */
#include "config.h"
#include <stdlib.h>
#include "owner.h"

long owner_log_open(struct owner_log *l, hwloc_const_bitmap_t cpus, pid_t pid, double from)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
	}
	struct owner_epoch *e = &l->e[l->n++];
	e->id = l->next_id++;
	e->pid = pid;
	e->cpus = hwloc_bitmap_dup(cpus);
	e->from = from;
	e->until = -1;
	return e->id;
}

void owner_log_close(struct owner_log *l, long id, double until)
{
	/* Entries are kept in id order: binary search. */
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n && l->e[lo].id == id && l->e[lo].until < 0)
		l->e[lo].until = until;
}

void owner_log_prune(struct owner_log *l, double horizon)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->e[i].until >= 0 && l->e[i].until < horizon) {
			hwloc_bitmap_free(l->e[i].cpus);
			continue;
		}
		l->e[k++] = l->e[i];
	}
	l->n = k;
}

void owner_log_free(struct owner_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		hwloc_bitmap_free(l->e[i].cpus);
	free(l->e);
	l->e = NULL;
	l->n = l->cap = 0;
}

enum thread_owner owner_classify(const struct owner_log *l, hwloc_const_bitmap_t launch, hwloc_const_bitmap_t mask,
				 double start, pid_t creator, double tol)
{
	if (hwloc_bitmap_isequal(mask, launch))
		return OWNER_NUMARUN;
	for (size_t i = 0; i < l->n; i++) {
		const struct owner_epoch *e = &l->e[i];
		if ((creator > 0 && e->pid != creator) || !hwloc_bitmap_isequal(e->cpus, mask))
			continue;
		/* Without a start time, any mask numarun set counts. */
		if (start < 0 || (e->from <= start + tol && (e->until < 0 || e->until >= start - tol)))
			return OWNER_NUMARUN;
	}
	return OWNER_PROGRAM;
}
