/* allocator.h - what a Kubernetes CPU allocator handed to the container: the resources.sh file of the NRI
 * resource policies (topology-aware, balloons) and the DRA_CPUSET_<claim> variables of the DRA CPU
 * driver. Pure parsers, plus one reader of the file and the environment; nothing here acts on them. */
#ifndef NUMARUN_ALLOCATOR_H
#define NUMARUN_ALLOCATOR_H

#include <stddef.h>
#include <stdio.h>
#include <hwloc.h>

/* Where the NRI resource policies bind their per-container directory (read-only) and the file in it
 * (containers/nri-plugins: pkg/resmgr/nri.go, pkg/resmgr/policy/policy.go). */
#define ALLOC_NRI_DIR "/.nri-resource-policy"
#define ALLOC_NRI_FILE ALLOC_NRI_DIR "/resources.sh"
/* The DRA CPU driver's variable prefix, followed by the claim's UID (kubernetes-sigs/dra-driver-cpu:
 * pkg/driver/cdi.go, pkg/driver/dra_hooks.go). */
#define ALLOC_DRA_PREFIX "DRA_CPUSET_"

/* Which sources were read (alloc_handoff.from, and alloc_read's return). */
enum alloc_from {
	ALLOC_FROM_NRI = 1, /* the resources.sh file existed (it may give nothing: balloons writes it empty) */
	ALLOC_FROM_DRA = 2, /* at least one DRA_CPUSET_<claim> variable */
};

/* Which of the sets below the source gave (a given set may be empty: ALL_MEMS=""). */
enum alloc_have {
	ALLOC_HAVE_EXCLUSIVE = 1 << 0,
	ALLOC_HAVE_SHARED = 1 << 1,
	ALLOC_HAVE_ISOLATED = 1 << 2,
	ALLOC_HAVE_MEMS = 1 << 3,
	ALLOC_HAVE_DRAM = 1 << 4,
	ALLOC_HAVE_PMEM = 1 << 5,
	ALLOC_HAVE_HBM = 1 << 6,
};

/* One DRA claim: DRA_CPUSET_<name>=<cpus>. */
struct alloc_claim {
	char *name;               /* the claim's UID, as in the variable name */
	hwloc_bitmap_t cpus;
};

/*
 * A hand-off. A zeroed struct ({0}) is an empty one; the calls below allocate every bitmap, so after
 * any of them all the sets exist (empty when not given). CPUs are OS (Linux) CPU numbers, nodes Linux
 * NUMA node numbers.
 */
struct alloc_handoff {
	hwloc_bitmap_t exclusive_cpus; /* EXCLUSIVE_CPUS, and the union of the DRA claims */
	hwloc_bitmap_t shared_cpus;    /* SHARED_CPUS: the shared pool the container may use */
	hwloc_bitmap_t isolated_cpus;  /* ISOLATED_CPUS: exclusive CPUs that are also kernel-isolated (isolcpus) */
	hwloc_bitmap_t mems;           /* ALL_MEMS: every memory node of the allocation */
	hwloc_bitmap_t dram_mems, pmem_mems, hbm_mems; /* DRAM_MEMS, PMEM_MEMS, HBM_MEMS: the same by type */
	unsigned have;                 /* enum alloc_have */
	unsigned from;                 /* enum alloc_from */
	struct alloc_claim *claims;    /* DRA claims, in the environment's order */
	size_t nclaims;
	char *nri_file;                /* the resources.sh read (its path under the root); NULL when none */
	char *sources;                 /* what was read, for messages: the file's path, the variable names;
					* NULL when nothing was */
};

/*
 * Parse the text of a resources.sh and add what it gives to out (errors name ALLOC_NRI_FILE and the
 * line). Lines are shell assignments as the writer produces them (NAME="value", Go-quoted); also taken:
 * export, single quotes, bare values, blank lines and # comments. Unknown variables are ignored; a known
 * one whose value is not a list ("0-3,8"; "" is the empty set) is an error, as is a line that is not an
 * assignment. Returns 0, or -1 with a reason in cause (out's sets unchanged).
 */
int alloc_parse_nri(const char *text, struct alloc_handoff *out, char *cause, size_t len);
/* The same, with name for the file in errors, out->nri_file and out->sources. */
int alloc_parse_nri_named(const char *text, const char *name, struct alloc_handoff *out, char *cause,
			  size_t len);
/*
 * Add the DRA_CPUSET_<claim>=<cpus> entries of envp (NULL-terminated, or NULL; other entries ignored) to
 * out: each claim, and their union to the exclusive CPUs. A claim seen twice keeps its first value (as
 * getenv does). Returns the number of claims, or -1 with a reason in cause (out's sets unchanged) when
 * an entry is malformed (no claim after the prefix, a value that is not a CPU list).
 */
int alloc_parse_dra(char *const envp[], struct alloc_handoff *out, char *cause, size_t len);
/*
 * Read root + ALLOC_NRI_FILE when it exists (root "" or "/" on the real system; tests pass a directory)
 * and the DRA variables of envp, and add them to out. Returns the sources found (enum alloc_from; 0 when
 * none), or -1 with a reason in cause (out's sets unchanged): the file exists but cannot be read, or a
 * source is malformed.
 */
int alloc_read(struct alloc_handoff *out, const char *root, char *const envp[], char *cause, size_t len);
/* Release what out holds; it is then an empty hand-off again. */
void alloc_free(struct alloc_handoff *out);

/* Every CPU the hand-off gives (exclusive, isolated and shared) into set. */
void alloc_cpus(const struct alloc_handoff *h, hwloc_bitmap_t set);
/* One line for people: "exclusive CPUs 2-3, shared CPUs 0-1, memory nodes 0 (DRAM 0) from ...". */
char *alloc_describe(const struct alloc_handoff *h, char *buf, size_t len);
/* The hand-off as one JSON object (and a newline). */
void alloc_print_json(FILE *f, const struct alloc_handoff *h);

struct topo;
/* Read the hand-offs of this system (alloc_read with root "" and the environment) and narrow t's allowed
 * sets to what the allocator granted: its exclusive and isolated CPUs, else its shared pool, and its memory
 * nodes; t->allocator says what was read and used. A malformed hand-off is warned about and ignored. */
void alloc_apply(struct topo *t);

#endif
