/* topology.h - the machine as numarun plans against it: nodes, cores, PUs, distances, allowed sets. */
#ifndef NUMARUN_TOPOLOGY_H
#define NUMARUN_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>
#include <hwloc.h>
#include "mempolicy.h"
#include "privs.h"

struct topo_node {
	unsigned os_index;
	int has_cpus;             /* a CPU node; 0 for memory-only nodes (HBM, NVM, CXL, GPU memory) */
	int allowed;              /* in the allowed nodeset (cgroup cpuset.mems) */
	hwloc_bitmap_t cpus;      /* PUs whose home is this node, online ones */
	hwloc_bitmap_t allowed_cpus; /* cpus that the cgroup and our affinity allow */
	unsigned ncores;          /* cores with at least one allowed PU */
	uint64_t memory;          /* bytes */
	uint64_t free_memory;     /* bytes free now (live), or == memory (XML) */
	char subtype[32];         /* "DRAM", "HBM", "MCDRAM", "NVM"... or "" */
	/* A memory-only node: the CPU nodes (OS indexes) it belongs to, and how that was decided (hwloc's
	 * locality, then its memory attributes, then distances; see topology_memory_locality()). Empty for
	 * a CPU node. */
	hwloc_bitmap_t near_nodes;
	char near_why[256];
};

struct topo_core {
	hwloc_bitmap_t pus;       /* allowed PUs of this core, OS indexes */
	unsigned npus;
	int node;                 /* index into topo.nodes of its home node, -1 if none */
	int group;                /* in no NUMA node: index into topo.groups, else -1 */
};

/* CPUs that are in no NUMA node (their node is offline or absent: hwloc gives their part of the tree an
 * empty nodeset), one group per such part of the tree, with the nodes whose memory serves them. */
struct topo_group {
	hwloc_bitmap_t cpus;      /* its online PUs */
	hwloc_bitmap_t mem_nodes; /* OS indexes: the nodes of its nearest ancestor that has memory */
	int near;                 /* index into topo.nodes of the first of them (for distances) */
	unsigned ncores;          /* cores with at least one allowed PU */
};

struct topo {
	hwloc_topology_t h;
	int this_system;          /* launching against it is meaningful */
	char source[512];         /* "live", the XML file name or "synthetic:DESCRIPTION" */
	char label[600];          /* what named it, for messages: "live", "--topology FILE", "HWLOC_XMLFILE=FILE" */
	unsigned nnodes;
	struct topo_node *nodes;  /* sorted by os_index */
	unsigned ncores;
	struct topo_core *cores;  /* logical order; only cores with allowed PUs */
	int *pu_core;             /* by PU OS index (< npu_core): the index into cores of the core that holds it, or -1 */
	unsigned npu_core;
	unsigned ngroups;
	struct topo_group *groups; /* CPUs in no NUMA node */
	hwloc_bitmap_t cpus;      /* online PUs */
	hwloc_bitmap_t allowed_cpus; /* cgroup cpuset ∩ our affinity ∩ online */
	hwloc_bitmap_t affinity;  /* our own affinity mask (live), else all */
	hwloc_bitmap_t node_set;  /* all nodes */
	hwloc_bitmap_t allowed_nodes; /* cgroup cpuset.mems */
	uint64_t *dist;           /* nnodes x nnodes, by array index */
	int dist_from_matrix;     /* 1: hwloc distance matrix; 0: derived from the tree */
	unsigned npus_total;      /* PUs including offline and disallowed */
	struct kernel_mem kmem;   /* the running kernel's memory-policy facts (known only for this system) */
	struct privs privs;       /* capabilities and seccomp (known only for this system) */
	char allocator[768];      /* the CPU allocator's hand-off the allowed sets were narrowed to, "" none */
};

/*
 * Load the topology: an hwloc XML file (--topology), or else what hwloc's variables name (HWLOC_SYNTHETIC,
 * HWLOC_XMLFILE: refused when they cannot be loaded, not replaced by the live machine), or else the live
 * machine. Disallowed objects are kept so that we can say what the cgroup forbids. Returns 0; -2 when the
 * file or description named is not a topology hwloc can load (cause names it and says why: missing,
 * empty, a directory, not XML, truncated...); -1 when the live machine's cannot be had.
 */
int topology_load(struct topo *t, const char *xml, char *cause, size_t causelen);
/* Build from an hwloc synthetic description ("pack:2 numa:2 core:4 pu:2"); for tests. Returns as topology_load. */
int topology_load_synthetic(struct topo *t, const char *desc, char *cause, size_t causelen);
/* The live machine from sysfs and procfs alone (no hwloc discovery), for a launch whose plan does not depend
 * on the cores' order. Returns 0; 1 when the machine is not one it can read plainly (a memory-only node, a
 * CPU in no node or in two, a file missing): use topology_load. */
int topology_load_sysfs(struct topo *t);
/* Release everything topology_load allocated. */
void topology_free(struct topo *t);
/* Index in t->nodes of the node with this OS index, or -1. */
int topology_node_index(const struct topo *t, unsigned os_index);
/* Distance between two nodes given by array index. */
uint64_t topology_distance(const struct topo *t, unsigned a, unsigned b);
/* Restrict the allowed sets as a cgroup or affinity would (tests and what-if planning). */
void topology_restrict(struct topo *t, hwloc_const_bitmap_t cpus, hwloc_const_bitmap_t nodes);

#endif
