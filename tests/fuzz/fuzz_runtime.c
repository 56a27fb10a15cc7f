/*
 * fuzz_runtime.c - the thread-count and memory-limit decisions (runtime_decide) on text they parse: the
 * target's build info (version, DefaultGODEBUG, CGO_ENABLED) and the environment the user gave
 * (GOMAXPROCS, OMP_NUM_THREADS, GODEBUG, GOMEMLIMIT), with random policy modes and cgroup limits. Checked:
 * every decision is none, set or unset with a reason; a count set is at least 1 and, unless the policy
 * names it, at most the plan's CPUs; a memory limit set is positive.
 */
#include "config.h"
#include "fuzz.h"
#include "plan.h"
#include "policy.h"
#include "runtime.h"
#include "topology.h"

static struct topo topo;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char cause[256];
	if (topology_load_synthetic(&topo, "pack:2 numa:2 core:2 pu:2", cause, sizeof(cause)) < 0) {
		fprintf(stderr, "fuzz_runtime: %s\n", cause);
		abort();
	}
	return 0;
}

static void knob(struct fuzz_in *in, struct knob *k, int allow_always)
{
	unsigned b = fuzz_u8(in);
	k->mode = (enum knob_mode)(b % 5);
	if (k->mode == KNOB_ALWAYS && !allow_always)
		k->mode = KNOB_AUTO;
	k->value = k->mode == KNOB_VALUE ? 1 + (long)fuzz_u16(in) * (b & 0x80 ? 65536 : 1) : 0;
}

static void check(const struct knob_decision *d, const char *what)
{
	(void)what;
	FUZZ_CHECK(d->action == KNOB_NONE || d->action == KNOB_SET || d->action == KNOB_UNSET);
	FUZZ_CHECK(memchr(d->reason, '\0', sizeof(d->reason)) != NULL);
	FUZZ_CHECK(d->action != KNOB_SET || d->value > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct policy p;
	policy_init(&p);
	p.cpus_kind = CPUS_COUNT;
	p.cpus_value = 1 + fuzz_below(&in, 8);
	p.smt = 1;
	knob(&in, &p.gomaxprocs, 1);
	knob(&in, &p.omp, 1);
	knob(&in, &p.gomemlimit, 0);
	if (p.gomemlimit.mode == KNOB_VALUE)
		p.gomemlimit.value <<= 20;
	unsigned flags = fuzz_u8(&in);

	struct runtime_inputs ri;
	memset(&ri, 0, sizeof(ri));
	char *env[4];
	for (int i = 0; i < 4; i++)
		env[i] = fuzz_string(&in, 80);
	ri.env_gomaxprocs = flags & 1 ? env[0] : NULL;
	ri.env_omp = flags & 2 ? env[1] : NULL;
	ri.env_godebug = flags & 4 ? env[2] : NULL;
	ri.env_gomemlimit = flags & 8 ? env[3] : NULL;
	ri.limit.cpus = fuzz_u8(&in) / 16.0;
	ri.leaf_limit.cpus = flags & 16 ? ri.limit.cpus : fuzz_u8(&in) / 16.0;
	snprintf(ri.limit.source, sizeof(ri.limit.source), "cpu.max");
	snprintf(ri.leaf_limit.source, sizeof(ri.leaf_limit.source), "cpu.max");
	ri.mem_limit.bytes = (unsigned long long)fuzz_u16(&in) << 20;
	snprintf(ri.mem_limit.source, sizeof(ri.mem_limit.source), "memory.max");
	ri.topo = flags & 32 ? &topo : NULL;

	/* The rest: the build info blob of the target (or no target at all). */
	struct target_info ti;
	memset(&ti, 0, sizeof(ti));
	ti.found = 1;
	ti.go_major = ti.go_minor = ti.cgo_enabled = -1;
	runtime_parse_buildinfo(in.p, in.n, &ti);
	ri.target = flags & 64 ? NULL : &ti;

	struct plan pl;
	char cause[512];
	if (plan_compute(&topo, &p, &pl, cause, sizeof(cause)) < 0) {
		fprintf(stderr, "fuzz_runtime: %s\n", cause);
		abort();
	}
	runtime_decide(&pl, &p, &ri);
	check(&pl.gomaxprocs, "GOMAXPROCS");
	check(&pl.omp, "OMP_NUM_THREADS");
	check(&pl.gomemlimit, "GOMEMLIMIT");
	if (pl.gomaxprocs.action == KNOB_SET && p.gomaxprocs.mode != KNOB_VALUE)
		FUZZ_CHECK(pl.gomaxprocs.value <= (long)pl.ncpus);
	if (pl.omp.action == KNOB_SET && p.omp.mode != KNOB_VALUE)
		FUZZ_CHECK(pl.omp.value <= (long)pl.ncpus);
	FUZZ_CHECK(pl.gomaxprocs_managed >= -1 && pl.gomaxprocs_managed <= 1);
	plan_free(&pl);
	policy_free(&p);
	for (int i = 0; i < 4; i++)
		free(env[i]);
	return 0;
}
