/* policy.h - what the user asks for: built-in defaults < INI policy file < command-line options. */
#ifndef NUMARUN_POLICY_H
#define NUMARUN_POLICY_H

#include <stddef.h>
#include <stdio.h>

enum strategy { STRATEGY_COMPACT, STRATEGY_SPREAD };
enum cpus_kind { CPUS_ALL, CPUS_COUNT, CPUS_PERCENT, CPUS_NODES };
enum mem_policy { MEM_LOCAL, MEM_BIND, MEM_INTERLEAVE, MEM_PREFERRED, MEM_DEFAULT };
enum knob_mode { KNOB_AUTO, KNOB_ALWAYS, KNOB_KEEP, KNOB_OFF, KNOB_VALUE };

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
	enum mem_policy mem;
	char *mem_nodes;          /* NULL: the plan's nodes; "all" or a list */
	int include_cpuless;
	struct knob gomaxprocs;
	struct knob omp;
	struct env_kv *env;
	size_t nenv;
};

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
/* Set (or replace) an environment entry. */
void policy_setenv(struct policy *p, const char *name, const char *value);

/* Names for output. */
const char *policy_strategy_name(enum strategy s);
const char *policy_mem_name(enum mem_policy m);
/* "auto", "keep", ... or the number, into buf. */
const char *policy_knob_str(const struct knob *k, char *buf, size_t len);
/* "all", "12", "50%", "1.5 nodes" into buf. */
const char *policy_cpus_str(enum cpus_kind kind, double value, char *buf, size_t len);

#endif
