/* pin.c - sched_setaffinity on a thread; migrate_pages of a process. */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <numaif.h>
#include "pin.h"

int pin_thread_set(pid_t tid, hwloc_const_bitmap_t cpus)
{
	int last = hwloc_bitmap_last(cpus);
	if (last < 0)
		return -EINVAL;
	size_t n = (size_t)last + 1;
	cpu_set_t *set = CPU_ALLOC(n);
	size_t sz = CPU_ALLOC_SIZE(n);
	CPU_ZERO_S(sz, set);
	unsigned c;
	hwloc_bitmap_foreach_begin(c, cpus) {
		CPU_SET_S(c, sz, set);
	}
	hwloc_bitmap_foreach_end();
	int rc = sched_setaffinity(tid, sz, set) < 0 ? -errno : 0;
	CPU_FREE(set);
	return rc;
}

int pin_thread_cpu(pid_t tid, unsigned cpu)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	hwloc_bitmap_only(s, cpu);
	int rc = pin_thread_set(tid, s);
	hwloc_bitmap_free(s);
	return rc;
}

long pin_migrate_pages(pid_t pid, unsigned from, unsigned to)
{
	unsigned top = from > to ? from : to;
	unsigned long maxnode = top + 2;
	size_t words = (maxnode + 8 * sizeof(long) - 1) / (8 * sizeof(long));
	unsigned long *old = calloc(words, sizeof(long)), *new = calloc(words, sizeof(long));
	old[from / (8 * sizeof(long))] |= 1UL << (from % (8 * sizeof(long)));
	new[to / (8 * sizeof(long))] |= 1UL << (to % (8 * sizeof(long)));
	long rc = migrate_pages(pid, maxnode, old, new);
	if (rc < 0)
		rc = -errno;
	free(old);
	free(new);
	return rc;
}
