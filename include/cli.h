/* cli.h - command line -> struct opts; no side effects. */
#ifndef NUMARUN_CLI_H
#define NUMARUN_CLI_H

#include <stddef.h>
#include <sys/types.h>
#include "policy.h"

enum cli_cmd { CMD_RUN, CMD_PLAN, CMD_TOPOLOGY, CMD_REPORT, CMD_ATTACH, CMD_DOCTOR };
enum cli_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_INI };

struct policy_key;

/* numarun doctor's observation window when --duration is not given, in seconds. */
#define DOCTOR_DEFAULT_DURATION 5.0

/* An option's setting of a policy key, replayed over the policy by cli_apply. */
struct cli_assign {
	const struct policy_key *key;
	char *value;
};

struct opts {
	enum cli_cmd cmd;
	enum cli_format format;
	const char *policy_file;
	const char *topology_file;
	const char *events_file;  /* --events: JSON lines, "-" for stdout */
	const char *save_policy;  /* --save-policy: write the converged placement */
	const char *output;       /* report -o: the file written ("-" or NULL: standard output) */
	int svg;                  /* report --svg: the chart alone, as an SVG document */
	int verbosity;            /* log level */
	int help, version;
	int exec;                 /* --exec: exec in place even as PID 1 */
	int signal_group;         /* -g: forward signals to the target's process group (command line only) */
	struct policy over;       /* the defaults with the options' settings applied (for checks and tests) */
	unsigned long long set;   /* which keys the options set: bit key_index() (cli_key_bit) */
	struct cli_assign *assign;/* the settings in their order */
	size_t nassign;
	const char *mem_option;   /* the option that set the memory policy, for conflicts */
	double duration;          /* doctor --duration: seconds (default DOCTOR_DEFAULT_DURATION) */
	pid_t doctor_pid;         /* doctor PID: the process to observe; 0 with -- COMMAND */
	char **argv;              /* the target command, NULL-terminated; argc may be 0 */
	int argc;
	pid_t attach_pid;         /* attach: the process */
	int restore;              /* attach --restore: put back the masks found when detaching */
};

/* The bit of set for key section/name (0 when there is no such key). */
unsigned long long cli_key_bit(const char *section, const char *name);
/* Parse argv. Returns 0, or -1 with a usage error in cause. Release with cli_free(). */
int cli_parse(int argc, char **argv, struct opts *o, char *cause, size_t causelen);
/* Apply the command line's settings over p (defaults < policy < options). */
void cli_apply(const struct opts *o, struct policy *p);
/* Release what cli_parse allocated. */
void cli_free(struct opts *o);
/* The --help text. */
void cli_usage(FILE *f);

#endif
