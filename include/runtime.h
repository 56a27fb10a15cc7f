/* runtime.h - the target's runtime environment: GOMAXPROCS (Go version and DefaultGODEBUG from the binary's
 * build info), GOMEMLIMIT, OMP_NUM_THREADS. */
#ifndef NUMARUN_RUNTIME_H
#define NUMARUN_RUNTIME_H

#include <stddef.h>
#include "cgroup.h"
#include "plan.h"
#include "policy.h"
#include "topology.h"

struct target_info {
	int found;                /* the command was found and read */
	int is_go;                /* a Go binary */
	int go_major, go_minor;   /* -1 when unknown */
	char go_version[64];      /* "go1.19.8", "" when unknown */
	int has_modinfo;          /* the module info after the version was read (Go >= 1.18 layout) */
	char default_godebug[1024]; /* build setting DefaultGODEBUG, "" when not recorded */
	int default_godebug_cut;  /* it was longer: cut after its last whole entry */
	int cgo_enabled;          /* build setting CGO_ENABLED: 0 or 1, -1 when not recorded */
};

/* Read a command's ELF for Go build info. Returns 0 (ti->is_go 0 for other files) or -errno. */
int runtime_inspect(const char *path, struct target_info *ti);
/* The same for a file's bytes already in memory (img, size): the .go.buildinfo section through the ELF
 * section headers, else the blob where a stripped binary keeps it. Never reads outside img. */
void runtime_inspect_image(const unsigned char *img, size_t size, struct target_info *ti);
/*
 * Find the Go version and build settings in a file's bytes: the .go.buildinfo blob. Go >= 1.18 stores the
 * version inline (uvarint length, bytes), then the module info the same way, wrapped in 16-byte sentinels
 * ("build\tKEY=VALUE" lines give DefaultGODEBUG and CGO_ENABLED); older ones hold pointers, reported as
 * "before go1.18". Returns 1 when buf is Go build info, else 0. Never reads outside buf.
 */
int runtime_parse_buildinfo(const unsigned char *buf, size_t len, struct target_info *ti);
/*
 * Look key up in GODEBUG-style text ("k=v,k=v") as the Go runtime reads it at startup: left to right,
 * later entries win, and an entry whose value is not a 32-bit decimal integer is ignored. Returns 1 with
 * *value set when some entry counts, else 0 (*value untouched).
 */
int runtime_godebug_int(const char *list, const char *key, long *value);

struct runtime_inputs {
	const struct target_info *target;   /* NULL when there is no command */
	/* The target's environment: the user's, overlaid with the policy's [env]. NULL when unset. */
	const char *env_gomaxprocs;
	const char *env_omp;
	const char *env_godebug;            /* GODEBUG, which the Go runtime applies after DefaultGODEBUG */
	const char *env_gomemlimit;
	struct cpu_limit limit;             /* the tightest CPU quota of the cgroup and its ancestors */
	struct cpu_limit leaf_limit;        /* the leaf cgroup's quota only, as the Go runtime reads it */
	struct mem_limit mem_limit;         /* the tightest memory limit, bytes 0 when none */
	const struct topo *topo;            /* node memory for GOMEMLIMIT; NULL when unknown */
};

/* The share of the memory nodes' size that gomemlimit = auto sets, in percent. */
#define RUNTIME_GOMEMLIMIT_PERCENT 90

/* Decide GOMAXPROCS, GOMEMLIMIT and OMP_NUM_THREADS for the plan. Pure: reads only its arguments. */
void runtime_decide(struct plan *pl, const struct policy *p, const struct runtime_inputs *in);
/* What GOMAXPROCS a Go program's runtime uses at startup, as runtime_decide reasons about it. */
struct runtime_gomaxprocs {
	long value;               /* what it uses */
	long rule;                /* Go's rule (1.25 on): ncpus lowered to ceil(leaf quota), that term at least 2 */
	int from_env;             /* a valid GOMAXPROCS in its environment sets it */
	int managed;              /* the runtime sizes it itself from affinity and the leaf quota (Go >= 1.25,
				   * containermaxprocs on, no GOMAXPROCS) */
	int updates;              /* and updates it while running (updatemaxprocs on) */
	char why[256];            /* the GODEBUG settings behind managed, or the version reason */
};
/* For target ti with its environment's GOMAXPROCS and GODEBUG (NULL: unset), ncpus CPUs in its affinity
 * and leaf_cpus the leaf cgroup's quota (0: none). Pure. Returns out->value. */
long runtime_go_gomaxprocs(const struct target_info *ti, const char *env_gomaxprocs, const char *env_godebug,
			   long ncpus, double leaf_cpus, struct runtime_gomaxprocs *out);
/* Set the target's environment in this process before exec: policy [env], then the decisions. */
int runtime_apply_env(const struct plan *pl, const struct policy *p);

#endif
