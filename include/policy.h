/* policy.h - what the user asks for: built-in defaults < INI policy file < command-line options. */
#ifndef NUMARUN_POLICY_H
#define NUMARUN_POLICY_H

#include <stddef.h>
#include <stdio.h>

enum strategy { STRATEGY_COMPACT, STRATEGY_SPREAD };
enum cpus_kind { CPUS_ALL, CPUS_COUNT, CPUS_PERCENT, CPUS_NODES };
enum mem_policy { MEM_LOCAL, MEM_BIND, MEM_INTERLEAVE, MEM_PREFERRED, MEM_DEFAULT };
enum knob_mode { KNOB_AUTO, KNOB_ALWAYS, KNOB_KEEP, KNOB_OFF, KNOB_VALUE };
/* [memory] balancing: ask for MPOL_F_NUMA_BALANCING where the kernel balances (auto), always, never. */
enum balancing_mode { BALANCING_AUTO, BALANCING_YES, BALANCING_NO };
enum thread_placement { THREADS_NONE, THREADS_SPREAD, THREADS_COMPACT };
enum source_kind { SOURCE_AUTO, SOURCE_PMU, SOURCE_FAULTS, SOURCE_PAGES };
enum monitor_action { ACTION_MOVE, ACTION_MIGRATE, ACTION_NONE };

/* A [threads] rule: threads whose comm matches glob go to the CPUs of nodes (NULL: left unpinned). */
struct thread_rule {
	char *glob;
	char *nodes;
};

struct knob {
	enum knob_mode mode;
	long value;               /* KNOB_VALUE */
};

struct env_kv {
	char *name;
	char *value;
};

struct policy {
	char *nodes;              /* NULL: auto; "all" or a list */
	enum cpus_kind cpus_kind;
	double cpus_value;        /* count, percent or node fraction */
	char *cpu_list;           /* explicit CPUs, or NULL */
	enum strategy strategy;
	int smt;                  /* use SMT siblings (after whole cores) */
	enum mem_policy mem;      /* MEM_DEFAULT unless asked: the target keeps the policy it inherits */
	char *mem_nodes;          /* NULL: the plan's nodes; "all" or a list */
	int include_cpuless;
	/* [placement] planned_cpus / planned_nodes: the allowed sets where the policy was planned (written by
	 * plan --ini and --save-policy). Where the allowed sets differ, the lists below are intent, not CPUs. */
	char *planned_cpus;
	char *planned_nodes;
	/* Lists that came from a policy file (POLICY_FROM_FILE_*): re-planned where they are not allowed. */
	unsigned from_file;
	/* [placement] strict / --strict: refuse to launch rather than re-plan or drop what is refused. */
	int strict;
	struct knob gomaxprocs;
	struct knob omp;
	struct knob gomemlimit;   /* KNOB_AUTO, KNOB_KEEP, KNOB_OFF or KNOB_VALUE (bytes) */
	struct env_kv *env;
	size_t nenv;
	enum balancing_mode balancing; /* MPOL_F_NUMA_BALANCING on the memory policy numarun sets */
	/* [monitor] */
	int monitor;              /* stay resident and monitor */
	unsigned interval_ms;
	enum source_kind source;
	double threshold;         /* remote share 0..1 */
	unsigned sustain, settle;
	enum monitor_action action;
	unsigned max_moves;       /* per minute */
	double min_cpu;           /* share of one CPU in an interval for a thread to be judged */
	int descendants;          /* follow the target's child processes */
	/* [threads] */
	enum thread_placement threads;
	struct thread_rule *rules;
	size_t nrules;
};

enum { POLICY_FROM_FILE_CPU_LIST = 1, POLICY_FROM_FILE_NODES = 2, POLICY_FROM_FILE_MEM_NODES = 4,
       POLICY_FROM_FILE_CPUS = 8 /* a CPU count was asked for (policy or -c): intent to keep */ };

/* Fill p with the built-in defaults. */
void policy_init(struct policy *p);
/* Release p's strings. */
void policy_free(struct policy *p);
/* Deep copy src into dst (dst uninitialised). */
void policy_copy(struct policy *dst, const struct policy *src);
/*
 * Read an INI policy file over p. On error returns -1 with "FILE:LINE: message" (or "FILE: ...") in
 * cause; p may hold part of the file then and must be freed, not used.
 */
int policy_load(struct policy *p, const char *path, char *cause, size_t causelen);
/* Same, from a string (name used in messages). */
int policy_load_string(struct policy *p, const char *name, const char *text, char *cause, size_t causelen);

/* Value parsers shared with the command line; each returns 0 or -1 with the expected forms in cause. */
int policy_parse_cpus(const char *v, enum cpus_kind *kind, double *value, char *cause, size_t causelen);
int policy_parse_strategy(const char *v, enum strategy *s, char *cause, size_t causelen);
int policy_parse_bool(const char *v, int *b, char *cause, size_t causelen);
int policy_parse_mem(const char *v, enum mem_policy *m, char *cause, size_t causelen);
int policy_parse_knob(const char *v, int allow_always, struct knob *k, char *cause, size_t causelen);
/* gomemlimit: auto, keep, off or a size (1073741824, 512MiB, 2GiB, 1.5G). */
int policy_parse_memlimit(const char *v, struct knob *k, char *cause, size_t causelen);
int policy_parse_balancing(const char *v, enum balancing_mode *b, char *cause, size_t causelen);
const char *policy_balancing_name(enum balancing_mode b);
/* gomemlimit as policy text (a size in bytes for KNOB_VALUE). */
const char *policy_memlimit_str(const struct knob *k, char *buf, size_t len);
/* A share of 0..1: "30%" or "0.3". Returns 0 or -1. */
int policy_parse_share(const char *v, double *out);
int policy_parse_duration_ms(const char *v, unsigned *ms, char *cause, size_t causelen);
int policy_parse_threads(const char *v, enum thread_placement *t, char *cause, size_t causelen);
int policy_parse_source(const char *v, enum source_kind *s, char *cause, size_t causelen);
int policy_parse_action(const char *v, enum monitor_action *a, char *cause, size_t causelen);
/* Add a [threads] rule (nodes NULL: leave matching threads unpinned). */
void policy_add_rule(struct policy *p, const char *glob, const char *nodes);
/* Resident mode: monitoring or per-thread placement. */
int policy_resident(const struct policy *p);
const char *policy_threads_name(enum thread_placement t);
const char *policy_source_name(enum source_kind s);
const char *policy_action_name(enum monitor_action a);
/* Set (or replace) an environment entry. */
void policy_setenv(struct policy *p, const char *name, const char *value);

/* The names of each enumeration in its order, NULL-terminated (the key table parses and writes with them). */
extern const char *const policy_strategy_names[], *const policy_mem_names[], *const policy_threads_names[],
	*const policy_source_names[], *const policy_action_names[], *const policy_balancing_names[];
/* The index of v in a NULL-terminated list of names, or -1. */
int policy_match_name(const char *v, const char *const *names);

/* Names for output. */
const char *policy_strategy_name(enum strategy s);
const char *policy_mem_name(enum mem_policy m);
/* "auto", "keep", ... or the number, into buf. */
const char *policy_knob_str(const struct knob *k, char *buf, size_t len);
/* "all", "12", "50%", "1.5 nodes" into buf. */
const char *policy_cpus_str(enum cpus_kind kind, double value, char *buf, size_t len);

#endif
