/* cli.h - command line -> struct opts; no side effects. */
#ifndef NUMARUN_CLI_H
#define NUMARUN_CLI_H

#include <stddef.h>
#include "policy.h"

enum cli_cmd { CMD_RUN, CMD_PLAN, CMD_TOPOLOGY };
enum cli_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_INI };

/* Which policy fields the command line set (they override the policy file). */
enum {
	SET_NODES = 1 << 0, SET_CPUS = 1 << 1, SET_CPU_LIST = 1 << 2, SET_STRATEGY = 1 << 3,
	SET_SMT = 1 << 4, SET_MEM = 1 << 5, SET_GOMAXPROCS = 1 << 6, SET_OMP = 1 << 7,
	SET_MONITOR = 1 << 8, SET_THREADS = 1 << 9, SET_INTERVAL = 1 << 10, SET_SOURCE = 1 << 11,
	SET_BALANCING = 1 << 12, SET_ACTION = 1 << 13, SET_GOMEMLIMIT = 1 << 14, SET_STRICT = 1 << 15,
};

struct opts {
	enum cli_cmd cmd;
	enum cli_format format;
	const char *policy_file;
	const char *topology_file;
	const char *events_file;  /* --events: JSON lines, "-" for stdout */
	const char *save_policy;  /* --save-policy: write the converged placement */
	int verbosity;            /* log level */
	int help, version;
	int exec;                 /* --exec: exec in place even as PID 1 */
	int signal_group;         /* -g: forward signals to the target's process group (command line only) */
	struct policy over;       /* values of the fields named in set */
	unsigned set;
	const char *mem_option;   /* the option that set the memory policy, for conflicts */
	char **argv;              /* the target command, NULL-terminated; argc may be 0 */
	int argc;
};

/* Parse argv. Returns 0, or -1 with a usage error in cause. Release with cli_free(). */
int cli_parse(int argc, char **argv, struct opts *o, char *cause, size_t causelen);
/* Apply the command line's settings over p (defaults < policy < options). */
void cli_apply(const struct opts *o, struct policy *p);
/* Release what cli_parse allocated. */
void cli_free(struct opts *o);
/* The --help text. */
void cli_usage(FILE *f);

#endif
