/* pin.c - sched_setaffinity on a thread; migrate_pages of a process. */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include "numasys.h"
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

int pin_thread_get(pid_t tid, hwloc_bitmap_t cpus)
{
	/* The kernel wants room for all of its possible CPUs: grow until it accepts. The buffer is kept,
	 * since the monitor reads every thread's mask every interval. */
	static size_t ncpu = 1024;
	static cpu_set_t *set;
	for (;;) {
		if (!set && !(set = CPU_ALLOC(ncpu)))
			return -ENOMEM;
		size_t sz = CPU_ALLOC_SIZE(ncpu);
		int rc = sched_getaffinity(tid, sz, set);
		if (rc < 0 && errno == EINVAL && ncpu < (1u << 22)) {
			CPU_FREE(set);
			set = NULL;
			ncpu *= 2;
			continue;
		}
		if (rc < 0)
			return -errno;
		hwloc_bitmap_zero(cpus);
		const unsigned long *w = (const unsigned long *)set;
		for (unsigned i = 0; i < (unsigned)(sz / sizeof(*w)); i++)
			if (w[i])
				hwloc_bitmap_set_ith_ulong(cpus, i, w[i]);
		return 0;
	}
}

int pin_thread_cpu(pid_t tid, unsigned cpu)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	hwloc_bitmap_only(s, cpu);
	int rc = pin_thread_set(tid, s);
	hwloc_bitmap_free(s);
	return rc;
}

unsigned long *pin_nodemask(hwloc_const_bitmap_t nodes, unsigned long *maxnode)
{
	int top = hwloc_bitmap_last(nodes);
	if (*maxnode < (unsigned long)(top < 0 ? 0 : top) + 2)
		*maxnode = (unsigned long)(top < 0 ? 0 : top) + 2;
	size_t bits = 8 * sizeof(long), words = (*maxnode + bits - 1) / bits;
	unsigned long *mask = calloc(words, sizeof(long));
	unsigned n;
	hwloc_bitmap_foreach_begin(n, nodes) {
		mask[n / bits] |= 1UL << (n % bits);
	}
	hwloc_bitmap_foreach_end();
	return mask;
}

long pin_migrate_pages(pid_t pid, unsigned from, unsigned to)
{
	hwloc_bitmap_t f = hwloc_bitmap_alloc(), t = hwloc_bitmap_alloc();
	hwloc_bitmap_only(f, from);
	hwloc_bitmap_only(t, to);
	unsigned long maxnode = (from > to ? from : to) + 2UL;
	unsigned long *old = pin_nodemask(f, &maxnode), *new = pin_nodemask(t, &maxnode);
	long rc = numasys_migrate_pages(pid, maxnode, old, new);
	if (rc < 0)
		rc = -errno;
	free(old);
	free(new);
	hwloc_bitmap_free(f);
	hwloc_bitmap_free(t);
	return rc;
}
