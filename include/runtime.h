/* runtime.h - thread-count environment: GOMAXPROCS (Go version from the binary's build info), OMP. */
#ifndef NUMARUN_RUNTIME_H
#define NUMARUN_RUNTIME_H

#include <stddef.h>
#include "cgroup.h"
#include "plan.h"
#include "policy.h"

struct target_info {
	int found;                /* the command was found and read */
	int is_go;                /* a Go binary */
	int go_major, go_minor;   /* -1 when unknown */
	char go_version[64];      /* "go1.19.8", "" when unknown */
};

/* Read a command's ELF for Go build info. Returns 0 (ti->is_go 0 for other files) or -errno. */
int runtime_inspect(const char *path, struct target_info *ti);
/*
 * Find the Go version in a file's bytes: the .go.buildinfo blob (Go >= 1.18 stores the version inline;
 * older ones hold pointers, reported as "before go1.18"). Returns 1 when buf is Go build info, else 0.
 */
int runtime_parse_buildinfo(const unsigned char *buf, size_t len, struct target_info *ti);

struct runtime_inputs {
	const struct target_info *target;   /* NULL when there is no command */
	const char *env_gomaxprocs;         /* the user's value, or NULL */
	const char *env_omp;
	struct cpu_limit limit;             /* cgroup CPU quota, cpus 0 when none */
};

/* Decide GOMAXPROCS and OMP_NUM_THREADS for the plan. Pure. */
void runtime_decide(struct plan *pl, const struct policy *p, const struct runtime_inputs *in);
/* Set the target's environment in this process before exec: policy [env], then the decisions. */
int runtime_apply_env(const struct plan *pl, const struct policy *p);

#endif
