/* numasys.h - the memory-policy system calls, made directly. libnuma's wrappers for them are all numarun
 * would take from libnuma, and linking it runs libnuma's start-up (it reads /proc/self/status and lists
 * sysfs nodes and CPUs) in every launch; <numaif.h> still gives the MPOL_* constants. */
#ifndef NUMARUN_NUMASYS_H
#define NUMARUN_NUMASYS_H

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <numaif.h>

/* set_mempolicy(2): 0, or -1 with errno. */
static inline long numasys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
	return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

/* get_mempolicy(2): 0, or -1 with errno. */
static inline long numasys_get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode, void *addr,
					 unsigned long flags)
{
	return syscall(SYS_get_mempolicy, mode, nodemask, maxnode, addr, flags);
}

/* migrate_pages(2): the pages that could not be moved, or -1 with errno. */
static inline long numasys_migrate_pages(pid_t pid, unsigned long maxnode, const unsigned long *from,
					 const unsigned long *to)
{
	return syscall(SYS_migrate_pages, pid, maxnode, from, to);
}

#endif
