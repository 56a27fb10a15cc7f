/* pin.h - apply CPU binding to a thread and move a process's pages; -errno, never prints. */
#ifndef NUMARUN_PIN_H
#define NUMARUN_PIN_H

#include <stddef.h>
#include <sys/types.h>
#include <hwloc.h>

/* Pin thread tid to one CPU. Returns 0 or -errno (-ESRCH: the thread is gone, which is normal). */
int pin_thread_cpu(pid_t tid, unsigned cpu);
/* Read thread tid's CPU mask into cpus. Returns 0 or -errno (-ESRCH: gone). */
int pin_thread_get(pid_t tid, hwloc_bitmap_t cpus);
/* Pin thread tid to a CPU set. Returns 0 or -errno. */
int pin_thread_set(pid_t tid, hwloc_const_bitmap_t cpus);
/* A kernel node mask (unsigned longs) for set_mempolicy/mbind/migrate_pages. *maxnode: in, at least this
 * many bits; out, the maxnode to pass with it. Caller frees. */
unsigned long *pin_nodemask(hwloc_const_bitmap_t nodes, unsigned long *maxnode);
/* Move process pid's pages from node `from` to node `to` (migrate_pages). Returns pages not moved
 * (>= 0) or -errno. */
long pin_migrate_pages(pid_t pid, unsigned from, unsigned to);

#endif
