/* mempolicy.c - kernel.numa_balancing, the inherited memory policy, and which policies the kernel
 * balances (MPOL_F_NUMA_BALANCING), probed on this thread and restored. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "numasys.h"
#include "mempolicy.h"
#include "procfs.h"

#ifndef MPOL_F_STATIC_NODES
#define MPOL_F_STATIC_NODES (1 << 15)
#endif
#ifndef MPOL_F_RELATIVE_NODES
#define MPOL_F_RELATIVE_NODES (1 << 14)
#endif
#define MODE_FLAGS (MPOL_F_NUMA_BALANCING | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)

/* Large enough for any node count the kernel is built with (MAX_NUMNODES is at most 1024). */
#define MASK_BITS 1024
#define MASK_WORDS (MASK_BITS / (8 * sizeof(unsigned long)))

int mempolicy_kernel_balances(const struct kernel_mem *k)
{
	return k->numa_balancing > 0 && (k->numa_balancing & 1);
}

int mempolicy_mode(enum mem_policy m)
{
	switch (m) {
	case MEM_BIND: return MPOL_BIND;
	case MEM_INTERLEAVE: return MPOL_INTERLEAVE;
	case MEM_PREFERRED: return MPOL_PREFERRED;
	case MEM_LOCAL: return MPOL_LOCAL;
	case MEM_DEFAULT: break;
	}
	return -1;
}

const char *mempolicy_mode_name(int mode)
{
	switch (mode) {
	case MPOL_DEFAULT: return "default";
	case MPOL_PREFERRED: return "preferred";
	case MPOL_BIND: return "bind";
	case MPOL_INTERLEAVE: return "interleave";
	case MPOL_LOCAL: return "local";
	case MPOL_PREFERRED_MANY: return "preferred_many";
	case 6: return "weighted_interleave";
	}
	return "unknown";
}

void mempolicy_read_kernel(struct kernel_mem *k)
{
	char buf[32];
	memset(k, 0, sizeof(*k));
	k->known = 1;
	long n = procfs_read("/proc/sys/kernel/numa_balancing", buf, sizeof(buf));
	k->numa_balancing = n < 0 ? -1 : atoi(buf);
	int mode;
	unsigned long mask[MASK_WORDS];
	k->inherited_mode = -1;
	k->set_errno = -1;
	k->preferred_many = -1;
	if (numasys_get_mempolicy(&mode, mask, MASK_BITS + 1, NULL, 0) == 0) {
		k->inherited_mode = mode & ~MODE_FLAGS;
		k->inherited_mof = !!(mode & MPOL_F_NUMA_BALANCING);
	} else {
		k->get_errno = errno;
	}
}

void mempolicy_probe_set(struct kernel_mem *k)
{
	int old;
	unsigned long oldmask[MASK_WORDS];
	if (k->set_errno >= 0)
		return;
	if (numasys_get_mempolicy(&old, oldmask, MASK_BITS + 1, NULL, 0) < 0) {
		k->get_errno = errno;
		return;
	}
	int oldmode = old & ~MODE_FLAGS;
	int nomask = oldmode == MPOL_DEFAULT || oldmode == MPOL_LOCAL;
	k->set_errno = numasys_set_mempolicy(old, nomask ? NULL : oldmask, nomask ? 0 : MASK_BITS + 1) == 0 ? 0 : errno;
}

/* A probe of set_mempolicy on our own thread: our policy now (to put back with probe_end) and a mask of the
 * first allowed node. Returns 0, or -1 when there is nothing to probe with. */
static int probe_begin(hwloc_const_bitmap_t allowed, int *old, unsigned long *oldmask, unsigned long *mask)
{
	int first = hwloc_bitmap_first(allowed);
	if (first < 0 || first >= MASK_BITS || numasys_get_mempolicy(old, oldmask, MASK_BITS + 1, NULL, 0) < 0)
		return -1;
	memset(mask, 0, MASK_WORDS * sizeof(*mask));
	mask[(unsigned)first / (8 * sizeof(long))] = 1UL << ((unsigned)first % (8 * sizeof(long)));
	return 0;
}

static void probe_end(int old, const unsigned long *oldmask)
{
	int oldmode = old & ~MODE_FLAGS;
	int nomask = oldmode == MPOL_DEFAULT || oldmode == MPOL_LOCAL;
	numasys_set_mempolicy(old, nomask ? NULL : oldmask, nomask ? 0 : MASK_BITS + 1);
}

void mempolicy_probe_balancing(struct kernel_mem *k, hwloc_const_bitmap_t allowed, unsigned which)
{
	int old;
	unsigned long oldmask[MASK_WORDS], mask[MASK_WORDS];
	if (probe_begin(allowed, &old, oldmask, mask) < 0)
		return;
	static const enum mem_policy modes[] = {MEM_BIND, MEM_INTERLEAVE, MEM_PREFERRED, MEM_LOCAL};
	k->balancing_modes = 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (which && !(which & (1u << modes[i])))
			continue;
		int mode = mempolicy_mode(modes[i]);
		int local = mode == MPOL_LOCAL;
		if (numasys_set_mempolicy(mode | MPOL_F_NUMA_BALANCING, local ? NULL : mask, local ? 0 : MASK_BITS + 1) == 0)
			k->balancing_modes |= 1u << modes[i];
	}
	probe_end(old, oldmask);
	k->probed_modes = 1;
}

int mempolicy_mode_nodes(enum mem_policy m, hwloc_const_bitmap_t nodes)
{
	if (m == MEM_PREFERRED && hwloc_bitmap_weight(nodes) > 1)
		return MPOL_PREFERRED_MANY;
	return mempolicy_mode(m);
}

void mempolicy_probe_preferred_many(struct kernel_mem *k, hwloc_const_bitmap_t allowed)
{
	int old;
	unsigned long oldmask[MASK_WORDS], mask[MASK_WORDS];
	if (probe_begin(allowed, &old, oldmask, mask) < 0)
		return;
	if (numasys_set_mempolicy(MPOL_PREFERRED_MANY, mask, MASK_BITS + 1) == 0)
		k->preferred_many = 1;
	else
		k->preferred_many = errno == EINVAL ? 0 : -1;
	k->preferred_many_balancing = k->preferred_many == 1 &&
				      numasys_set_mempolicy(MPOL_PREFERRED_MANY | MPOL_F_NUMA_BALANCING, mask, MASK_BITS + 1) == 0;
	probe_end(old, oldmask);
}

int mempolicy_accepts_balancing_mode(const struct kernel_mem *k, int mode)
{
	static const enum mem_policy of[] = {[MPOL_BIND] = MEM_BIND, [MPOL_INTERLEAVE] = MEM_INTERLEAVE,
					     [MPOL_PREFERRED] = MEM_PREFERRED, [MPOL_LOCAL] = MEM_LOCAL};
	if (mode == MPOL_PREFERRED_MANY)
		return k->preferred_many == 1 && k->preferred_many_balancing;
	if (mode == MPOL_BIND || mode == MPOL_INTERLEAVE || mode == MPOL_PREFERRED || mode == MPOL_LOCAL)
		return mempolicy_accepts_balancing(k, of[mode]);
	return 0;
}

int mempolicy_accepts_balancing(const struct kernel_mem *k, enum mem_policy m)
{
	if (k->probed_modes)
		return !!(k->balancing_modes & (1u << m));
	return m == MEM_BIND;
}
