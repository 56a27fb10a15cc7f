/* mempolicy.h - what this kernel does with memory policies and NUMA balancing, and applying a policy. */
#ifndef NUMARUN_MEMPOLICY_H
#define NUMARUN_MEMPOLICY_H

#include <stddef.h>
#include <hwloc.h>
#include <numaif.h>
#include "policy.h"

/* Older numaif.h may lack these (Linux 3.8, 5.15 and 5.12). */
#ifndef MPOL_LOCAL
#define MPOL_LOCAL 4
#endif
#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY 5
#endif
#ifndef MPOL_F_NUMA_BALANCING
#define MPOL_F_NUMA_BALANCING (1 << 13)
#endif

/* Facts about the running kernel that the planner reads (it makes no system calls itself). */
struct kernel_mem {
	int known;                /* probed on this system; 0 for XML and synthetic topologies */
	int numa_balancing;       /* kernel.numa_balancing, -1 when the kernel has no NUMA balancing */
	int probed_modes;         /* balancing_modes holds a probe's answer */
	unsigned balancing_modes; /* bit (1 << enum mem_policy): set_mempolicy takes MPOL_F_NUMA_BALANCING with it */
	int inherited_mode;       /* the memory policy numarun was started with (MPOL_*), -1 unknown */
	int inherited_mof;        /* ... with MPOL_F_NUMA_BALANCING (the kernel still balances it) */
	int get_errno;            /* get_mempolicy: 0 allowed, else the errno it failed with */
	int set_errno;            /* set_mempolicy: 0 allowed, errno when refused, -1 not probed */
	int preferred_many;       /* set_mempolicy takes MPOL_PREFERRED_MANY (Linux 5.15): 1, 0 (EINVAL), -1 not probed */
	int preferred_many_balancing; /* ... with MPOL_F_NUMA_BALANCING: 1 or 0 (when probed) */
};

/* The kernel's balancing of normal (non-tiered) memory is on: bit 0 of kernel.numa_balancing. */
int mempolicy_kernel_balances(const struct kernel_mem *k);
/* Read kernel.numa_balancing and our own (inherited) memory policy. Cheap: one file, one system call. */
void mempolicy_read_kernel(struct kernel_mem *k);
/* Ask the kernel which policies accept MPOL_F_NUMA_BALANCING, by setting each on this thread and
 * restoring the policy it had. allowed: the nodes we may use (one is used for the probe). */
/* modes: the enum mem_policy bits to try (0: all of bind, interleave, preferred and local). */
void mempolicy_probe_balancing(struct kernel_mem *k, hwloc_const_bitmap_t allowed, unsigned modes);
/* Is set_mempolicy allowed here (a seccomp filter may refuse it)? Sets k->set_errno by setting this
 * thread's own policy again; not probed (-1) when get_mempolicy is refused too. */
void mempolicy_probe_set(struct kernel_mem *k);
/* Does set_mempolicy take MPOL_PREFERRED_MANY (and with MPOL_F_NUMA_BALANCING)? Sets k->preferred_many and
 * k->preferred_many_balancing by setting it on this thread (one of the allowed nodes) and restoring the
 * policy it had. */
void mempolicy_probe_preferred_many(struct kernel_mem *k, hwloc_const_bitmap_t allowed);
/* Would the kernel accept MPOL_F_NUMA_BALANCING with the kernel mode (MPOL_*)? As
 * mempolicy_accepts_balancing, and for MPOL_PREFERRED_MANY the probe's answer (unknown: no). */
int mempolicy_accepts_balancing_mode(const struct kernel_mem *k, int mode);
/* Would the kernel accept MPOL_F_NUMA_BALANCING with m? Probed answer, else what 5.12 and later do
 * (bind only). */
int mempolicy_accepts_balancing(const struct kernel_mem *k, enum mem_policy m);
/* The kernel's MPOL_* mode for a policy; -1 for MEM_DEFAULT (left as inherited). */
int mempolicy_mode(enum mem_policy m);
/* The same for a policy on these nodes: MPOL_PREFERRED_MANY for preferred on several nodes. */
int mempolicy_mode_nodes(enum mem_policy m, hwloc_const_bitmap_t nodes);
/* Name of a kernel MPOL_* mode ("default", "bind", ...). */
const char *mempolicy_mode_name(int mode);

#endif
