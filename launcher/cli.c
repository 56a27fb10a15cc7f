/* cli.c - getopt_long ('+': the target's arguments are never reordered) -> struct opts. */
#include "config.h"
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attach.h"
#include "cli.h"
#include "keys.h"
#include "policy.h"

/* Options that are not policy keys (codes past any character). */
enum {
	OPT_TOPOLOGY = 256, OPT_JSON, OPT_INI, OPT_EVENTS, OPT_SAVE_POLICY, OPT_EXEC, OPT_SVG, OPT_RESTORE,
	OPT_DURATION,
	OPT_MEM = 512,            /* + index into mem_options */
	OPT_KEY = 1024,           /* + index into policy_keys: an option that sets a key */
};

/* The memory-policy options set two keys at once: [memory] policy, and nodes from the option's value. */
static const struct {
	const char *name;
	int short_opt;
	const char *policy;       /* the [memory] policy value */
} mem_options[] = {
	{"membind", 'm', "bind"},
	{"interleave", 'i', "interleave"},
	{"preferred", 0, "preferred"},
	{"localalloc", 'l', "local"},
};
#define NMEM (sizeof(mem_options) / sizeof(mem_options[0]))

static const struct option other_options[] = {
	{"exec", no_argument, NULL, OPT_EXEC},
	{"restore", no_argument, NULL, OPT_RESTORE},
	{"signal-group", no_argument, NULL, 'g'},
	{"events", required_argument, NULL, OPT_EVENTS},
	{"save-policy", required_argument, NULL, OPT_SAVE_POLICY},
	{"policy", required_argument, NULL, 'p'},
	{"topology", required_argument, NULL, OPT_TOPOLOGY},
	{"json", no_argument, NULL, OPT_JSON},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"ini", no_argument, NULL, OPT_INI},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{"output", required_argument, NULL, 'o'},
	{"svg", no_argument, NULL, OPT_SVG},
};
#define NOTHER (sizeof(other_options) / sizeof(other_options[0]))

/* getopt's tables, made from the key table once. */
static struct option longopts[64];
static char shortopts[64];

static void build_options(void)
{
	if (longopts[0].name)
		return;
	size_t n = 0, s = 0;
	shortopts[s++] = '+'; /* the target's arguments are never reordered */
	shortopts[s++] = ':';
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		if (!k->option)
			continue;
		int has = !k->noarg_value ? required_argument : k->optional_value ? optional_argument : no_argument;
		longopts[n++] = (struct option){k->option, has, NULL, k->short_opt ? k->short_opt : OPT_KEY + (int)key_index(k)};
		if (k->short_opt) {
			shortopts[s++] = (char)k->short_opt;
			if (has == required_argument)
				shortopts[s++] = ':';
		}
	}
	for (size_t i = 0; i < NMEM; i++) {
		int has = strcmp(mem_options[i].policy, "local") == 0 ? no_argument : required_argument;
		longopts[n++] = (struct option){mem_options[i].name, has, NULL,
						mem_options[i].short_opt ? mem_options[i].short_opt : OPT_MEM + (int)i};
		if (mem_options[i].short_opt) {
			shortopts[s++] = (char)mem_options[i].short_opt;
			if (has == required_argument)
				shortopts[s++] = ':';
		}
	}
	for (size_t i = 0; i < NOTHER; i++) {
		longopts[n++] = other_options[i];
		if (other_options[i].val < 256) {
			shortopts[s++] = (char)other_options[i].val;
			if (other_options[i].has_arg == required_argument)
				shortopts[s++] = ':';
		}
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	shortopts[s] = '\0';
}

unsigned long long cli_key_bit(const char *section, const char *name)
{
	const struct policy_key *k = key_find(section, name, NULL);
	return k ? 1ull << key_index(k) : 0;
}

void cli_usage(FILE *f)
{
	fputs("Usage: numarun [OPTIONS] [--] COMMAND [ARG...]   launch COMMAND bound to the plan\n"
	      "       numarun plan [OPTIONS] [-- COMMAND [ARG...]]   print the plan, launch nothing\n"
	      "       numarun topology [--topology FILE] [--json]    show nodes, CPUs, memory, distances\n"
	      "       numarun report [-o FILE] [--svg] [EVENTS]      an --events file as an HTML page\n"
	      "       numarun attach [OPTIONS] [--restore] PID       place a running process's threads and memory\n"
	      "       numarun doctor [--json] [--duration D] [OPTIONS] (PID | -- COMMAND [ARG...])\n"
	      "                                 observe a process for D (default 5s), print what slows it\n"
	      "\n"
	      "Binding (numactl syntax: 0-3,8  all  !LIST  +LIST):\n"
	      "  -N, --cpunodebind=NODES   run on the CPUs of NODES\n"
	      "  -C, --physcpubind=CPUS    run on exactly CPUS\n"
	      "  -m, --membind=NODES       allocate memory only on NODES\n"
	      "  -i, --interleave=NODES    interleave memory over NODES\n"
	      "      --preferred=NODES     prefer memory on NODES (several: MPOL_PREFERRED_MANY)\n"
	      "  -l, --localalloc          allocate on the local node\n"
	      "  -b, --balancing[=auto|yes|no]  MPOL_F_NUMA_BALANCING on the memory policy numarun sets\n"
	      "                            (default auto: wherever the kernel balances and accepts it)\n"
	      "Planning:\n"
	      "  -c, --cpus=N|P%|F node    how many CPUs (default: all allowed CPUs of the chosen nodes)\n"
	      "      --placement=compact|spread   fewest nearest nodes, or all allowed nodes\n"
	      "      --smt=yes|no          use SMT siblings after whole cores (default yes)\n"
	      "      --gomaxprocs=auto|always|keep|off|N   GOMAXPROCS for Go targets (default auto)\n"
	      "      --omp-num-threads=auto|keep|off|N     OMP_NUM_THREADS (default keep)\n"
	      "      --gomemlimit=auto|keep|off|SIZE       GOMEMLIMIT for Go targets (default keep)\n"
	      "  -p, --policy=FILE         read an INI policy (numarun.ini(5))\n"
	      "      --strict              refuse to launch rather than re-plan a policy planned elsewhere or\n"
	      "                            drop what the kernel refuses (memory policy, migrations, PMU)\n"
	      "Staying resident (numarun remains the target's parent):\n"
	      "      --threads=none|spread|compact   pin each thread to a CPU of the plan\n"
	      "      --monitor             measure each thread's remote-memory share and re-pin\n"
	      "      --source=auto|pmu|faults|pages  where the remote share comes from\n"
	      "      --action=move|migrate|none      what to do about a remote thread\n"
	      "      --interval=DURATION   monitor interval (default 1s)\n"
	      "      --events=FILE|-       JSON-lines event stream\n"
	      "      --save-policy=FILE    once converged, write a policy that reproduces the placement\n"
	      "  -g, --signal-group        forward signals to the target's process group, not the target alone\n"
	      "      --exec                exec in place even as PID 1 (where numarun stays as the init)\n"
	      "      --topology=FILE.xml   plan against an hwloc XML topology (no launch)\n"
	      "      --restore             attach: put back the CPU masks found when detaching\n"
	      "Output:\n"
	      "      --json                plan/topology/doctor as JSON\n"
	      "      --duration=D          doctor: how long to observe (500ms, 2s, 1.5; default 5s)\n"
	      "      --ini                 plan as a policy that reproduces it\n"
	      "  -v, --verbose             say more (repeat for more)\n"
	      "  -q, --quiet               errors only\n"
	      "  -o, --output=FILE         report: write the page (or chart) to FILE, not standard output\n"
	      "      --svg                 report: the chart alone, as an SVG document\n"
	      "  -V, --version             print the version\n"
	      "  -h, --help                print this help\n"
	      "\n"
	      "Exit status: the command's own; 127 not found; 126 not executable; 2 usage or policy error;\n"
	      "1 other failure before launch. attach: 0 when the process ended or numarun detached\n"
	      "(SIGINT, SIGTERM, SIGHUP), 1 failure, 2 usage or no such process. doctor: 3 when a finding\n"
	      "is a problem, else 0. See numarun(1).\n",
	      f);
}

/* Set a key from an option: checked now (on the options' own copy), replayed over the policy by cli_apply. */
static int assign(struct opts *o, const struct policy_key *k, const char *value, const char *optname, char *cause,
		  size_t causelen)
{
	char why[512];
	if (key_set(k, &o->over, value, NULL, ORIGIN_CLI, why, sizeof(why)) < 0) {
		snprintf(cause, causelen, "--%s: %s", optname, why);
		return -1;
	}
	o->assign = realloc(o->assign, (o->nassign + 1) * sizeof(*o->assign));
	o->assign[o->nassign].key = k;
	o->assign[o->nassign].value = strdup(value);
	o->nassign++;
	o->set |= 1ull << key_index(k);
	return 0;
}

static int set_mem(struct opts *o, size_t i, const char *nodes, char *cause, size_t causelen)
{
	const char *optname = mem_options[i].name;
	if (o->mem_option && strcmp(o->mem_option + 2, optname) != 0) {
		snprintf(cause, causelen, "%s and --%s both set the memory policy: give one", o->mem_option, optname);
		return -1;
	}
	static char names[NMEM][32];
	snprintf(names[i], sizeof(names[i]), "--%s", optname);
	o->mem_option = names[i];
	/* the nodes first: an error names the value */
	if (assign(o, key_find("memory", "nodes", NULL), nodes ? nodes : "plan", optname, cause, causelen) < 0 ||
	    assign(o, key_find("memory", "policy", NULL), mem_options[i].policy, optname, cause, causelen) < 0)
		return -1;
	return 0;
}

/* getopt_long reports an abbreviation that fits several long options like an unknown one: say which. */
static int ambiguous(const char *opt, char *cause, size_t causelen)
{
	if (strncmp(opt, "--", 2) != 0)
		return 0;
	const char *name = opt + 2;
	size_t n = strcspn(name, "=");
	char list[512] = "";
	size_t off = 0;
	int count = 0;
	for (const struct option *lo = longopts; lo->name; lo++)
		if (n && strncmp(lo->name, name, n) == 0) {
			count++;
			if (off < sizeof(list))
				off += (size_t)snprintf(list + off, sizeof(list) - off, "%s--%s", count > 1 ? ", " : "", lo->name);
		}
	if (count < 2)
		return 0;
	snprintf(cause, causelen, "option '--%.*s' is ambiguous (%s)", (int)n, name, list);
	return 1;
}

/* numarun doctor's operands: one PID, or -- COMMAND [ARG...]. */
static int doctor_args(struct opts *o, int dashdash, const char *first_plan_opt, char *cause, size_t causelen)
{
	if (o->format == FORMAT_INI) {
		snprintf(cause, causelen, "--ini is for 'numarun plan'");
		return -1;
	}
	if (o->events_file || o->save_policy || o->exec || o->signal_group || o->topology_file) {
		snprintf(cause, causelen, "%s is not for 'numarun doctor' (it observes; a COMMAND is launched plainly)",
			 o->events_file ? "--events" : o->save_policy ? "--save-policy" : o->exec ? "--exec" :
			 o->signal_group ? "--signal-group" : "--topology");
		return -1;
	}
	if (o->argc == 0) {
		snprintf(cause, causelen, "doctor: give the PID of a process to observe, or -- COMMAND to launch and observe");
		return -1;
	}
	if (dashdash)
		return 0;
	const char *a = o->argv[0];
	char *end;
	long v = strtol(a, &end, 10);
	if (!*a || *end || a[0] == '-' || a[0] == '+' || v <= 0 || v > 0x7fffffff) {
		snprintf(cause, causelen, "doctor: '%s' is not a PID (a command to launch goes after --)", a);
		return -1;
	}
	if (o->argc > 1) {
		if (strcmp(o->argv[1], "--") == 0)
			snprintf(cause, causelen, "doctor: give a PID or -- COMMAND, not both");
		else
			snprintf(cause, causelen, "doctor: one PID only ('%s' after %s)", o->argv[1], a);
		return -1;
	}
	if (first_plan_opt || o->policy_file) {
		snprintf(cause, causelen, "doctor: '%s' is for launching a COMMAND (doctor -- COMMAND), not for observing "
			 "process %ld, which doctor leaves as it is", first_plan_opt ? first_plan_opt : "--policy", v);
		return -1;
	}
	o->doctor_pid = (pid_t)v;
	o->argc = 0;
	return 0;
}

int cli_parse(int argc, char **argv, struct opts *o, char *cause, size_t causelen)
{
	memset(o, 0, sizeof(*o));
	policy_init(&o->over);
	o->verbosity = 1;
	o->duration = DOCTOR_DEFAULT_DURATION;
	const char *duration_opt = NULL;
	build_options();

	int first = 1;
	if (argc > 1 && strcmp(argv[1], "plan") == 0) {
		o->cmd = CMD_PLAN;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "topology") == 0) {
		o->cmd = CMD_TOPOLOGY;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "report") == 0) {
		o->cmd = CMD_REPORT;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "attach") == 0) {
		o->cmd = CMD_ATTACH;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "doctor") == 0) {
		o->cmd = CMD_DOCTOR;
		first = 2;
	}

	/* getopt_long on argv shifted past the subcommand. */
	int sub_argc = argc - first + 1;
	char **sub_argv = argv + first - 1;
	optind = 0;
	opterr = 0;
	int c, li;
	const char *first_plan_opt = NULL;
	/* A launch's (and plan's) arguments after the command are the command's: options end at the first
	 * operand. The subcommands whose operand is a file or a PID take options on either side of it
	 * ("report EVENTS -o page.html"), as does doctor PID; doctor -- COMMAND keeps its command's arguments. */
	int permute = o->cmd == CMD_REPORT || o->cmd == CMD_ATTACH;
	if (o->cmd == CMD_DOCTOR) {
		permute = 1;
		for (int i = 1; i < sub_argc; i++)
			if (strcmp(sub_argv[i], "--") == 0)
				permute = 0;
	}
	const char *so = permute ? shortopts + 1 : shortopts; /* without the leading '+' */
	while ((c = getopt_long(sub_argc, sub_argv, so, longopts, &li)) != -1) {
		const char *opt = sub_argv[optind - 1];
		unsigned long long set_before = o->set;
		const struct policy_key *k = NULL;
		if (c >= OPT_KEY)
			k = &policy_keys[c - OPT_KEY];
		else if (c > 0 && c < 256 && !strchr("pgvqVh", c))
			k = key_by_option(NULL, c);
		if (k) {
			const char *v = optarg ? optarg : k->noarg_value;
			if (assign(o, k, v, k->option, cause, causelen) < 0)
				return -1;
			goto next;
		}
		for (size_t i = 0; i < NMEM; i++)
			if (c == (mem_options[i].short_opt ? mem_options[i].short_opt : OPT_MEM + (int)i)) {
				if (set_mem(o, i, optarg, cause, causelen) < 0)
					return -1;
				goto next;
			}
		switch (c) {
		case 'p':
			o->policy_file = optarg;
			break;
		case OPT_EVENTS:
			o->events_file = optarg;
			break;
		case OPT_EXEC:
			o->exec = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_SVG:
			o->svg = 1;
			break;
		case OPT_RESTORE:
			o->restore = 1;
			break;
		case 'g':
			o->signal_group = 1;
			break;
		case OPT_SAVE_POLICY:
			o->save_policy = optarg;
			break;
		case OPT_TOPOLOGY:
			o->topology_file = optarg;
			break;
		case OPT_DURATION: {
			unsigned ms;
			char why[256];
			duration_opt = opt;
			if (policy_parse_duration_ms(optarg, &ms, why, sizeof(why)) < 0) {
				snprintf(cause, causelen, "--duration: %s", why);
				return -1;
			}
			o->duration = ms / 1000.0;
			break;
		}
		case OPT_JSON:
		case OPT_INI:
			if (o->format != FORMAT_TEXT && o->format != (c == OPT_JSON ? FORMAT_JSON : FORMAT_INI)) {
				snprintf(cause, causelen, "--json and --ini cannot be combined (one output format)");
				return -1;
			}
			o->format = c == OPT_JSON ? FORMAT_JSON : FORMAT_INI;
			break;
		case 'v':
			o->verbosity++;
			break;
		case 'q':
			o->verbosity = 0;
			break;
		case 'V':
			o->version = 1;
			break;
		case 'h':
			o->help = 1;
			break;
		case ':':
			snprintf(cause, causelen, "option '%s' needs an argument", opt);
			return -1;
		default:
			if (strncmp(opt, "--", 2) == 0 && strchr(opt, '=') && optopt)
				/* A long option without a value given one: getopt puts the option's code (not a
				 * character to print) in optopt. */
				snprintf(cause, causelen, "option '%.*s' takes no value", (int)(strchr(opt, '=') - opt),
					 opt);
			else if (optopt == '=' && optind < sub_argc && sub_argv[optind][0] == '-' &&
				 sub_argv[optind][1] && sub_argv[optind][1] != '-' && sub_argv[optind][2] == '=')
				/* "-l=1": getopt reads the '=' as the next short option (optind is still on it) */
				snprintf(cause, causelen, "option '-%c' takes no value", sub_argv[optind][1]);
			else if (optopt && optopt < 256 && strncmp(opt, "--", 2) != 0)
				snprintf(cause, causelen, "unknown option '-%c'", optopt);
			else if (ambiguous(opt, cause, causelen))
				;
			else
				snprintf(cause, causelen, "unknown option '%s'", opt);
			return -1;
		}
	next:
		if ((o->set != set_before || c == 'p' || c == OPT_EVENTS || c == OPT_SAVE_POLICY || c == OPT_EXEC ||
		     c == 'g') && !first_plan_opt)
			/* the option itself, also when its value was the next argument ("-c 1") */
			first_plan_opt = optarg && optarg == sub_argv[optind - 1] && optind >= 2 ? sub_argv[optind - 2] : opt;
	}
	if (o->help || o->version)
		return 0;
	/* A file option with an empty name names no file: said now, not when the file is opened. */
	static const struct {
		const char *name;
		size_t off;
	} files[] = {
		{"--policy", offsetof(struct opts, policy_file)},
		{"--topology", offsetof(struct opts, topology_file)},
		{"--events", offsetof(struct opts, events_file)},
		{"--save-policy", offsetof(struct opts, save_policy)},
		{"--output", offsetof(struct opts, output)},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *v = *(const char *const *)((const char *)o + files[i].off);
		if (v && !*v) {
			snprintf(cause, causelen, "%s '': an empty file name", files[i].name);
			return -1;
		}
	}
	/* -C takes exactly its CPUs: a count or nodes given with it would choose nothing. */
	unsigned long long cl = cli_key_bit("placement", "cpu_list");
	if (o->set & cl) {
		if (o->set & cli_key_bit("placement", "cpus")) {
			snprintf(cause, causelen, "--physcpubind and --cpus both choose the CPUs: give one");
			return -1;
		}
		if (o->set & cli_key_bit("placement", "nodes")) {
			snprintf(cause, causelen, "--physcpubind and --cpunodebind both choose the CPUs: give one "
				 "(-C takes exactly its CPUs)");
			return -1;
		}
	}
	if (o->cmd != CMD_REPORT && (o->output || o->svg)) {
		snprintf(cause, causelen, "%s is for 'numarun report'", o->output ? "--output" : "--svg");
		return -1;
	}
	if (o->cmd == CMD_REPORT && (first_plan_opt || o->topology_file || o->format != FORMAT_TEXT)) {
		snprintf(cause, causelen, "'%s' is not an option of 'numarun report' (it takes -o, --svg, -v, -q)",
			 first_plan_opt ? first_plan_opt : o->topology_file ? "--topology" : o->format == FORMAT_JSON ? "--json" : "--ini");
		return -1;
	}
	if (o->cmd == CMD_TOPOLOGY && first_plan_opt) {
		snprintf(cause, causelen, "'%s' is for a launch or 'numarun plan', not 'numarun topology'", first_plan_opt);
		return -1;
	}

	if (o->cmd == CMD_PLAN && (o->events_file || o->save_policy || o->exec || o->signal_group)) {
		snprintf(cause, causelen, "%s is for a launch, not 'numarun plan' (which launches nothing)",
			 o->events_file ? "--events" : o->save_policy ? "--save-policy" : o->exec ? "--exec" : "--signal-group");
		return -1;
	}
	if (duration_opt && o->cmd != CMD_DOCTOR) {
		snprintf(cause, causelen, "--duration is for 'numarun doctor'");
		return -1;
	}
	int dashdash = optind >= 2 && strcmp(sub_argv[optind - 1], "--") == 0;
	o->argv = sub_argv + optind;
	o->argc = sub_argc - optind;
	if (o->restore && o->cmd != CMD_ATTACH) {
		snprintf(cause, causelen, "--restore is for 'numarun attach' (it puts back the masks a running process "
			 "had)");
		return -1;
	}
	if (o->cmd == CMD_ATTACH) {
		if (o->exec || o->signal_group) {
			snprintf(cause, causelen, "%s is for a launch, not 'numarun attach' (the process runs already and "
				 "is not numarun's child)", o->exec ? "--exec" : "--signal-group");
			return -1;
		}
		if (o->format != FORMAT_TEXT) {
			snprintf(cause, causelen, "%s is for 'numarun plan' and 'numarun topology', not 'numarun attach'",
				 o->format == FORMAT_JSON ? "--json" : "--ini");
			return -1;
		}
		if (o->topology_file) {
			snprintf(cause, causelen, "--topology is for 'numarun plan': attach acts on this machine");
			return -1;
		}
		if (o->argc == 0) {
			snprintf(cause, causelen, "attach: no PID given (numarun attach [OPTIONS] PID)");
			return -1;
		}
		if (attach_parse_pid(o->argv[0], &o->attach_pid, cause, causelen) < 0) {
			if (o->argc > 1) {
				size_t l = strlen(cause);
				snprintf(cause + l, causelen - l, "; a command is launched without 'attach'");
			}
			return -1;
		}
		if (o->argc > 1) {
			snprintf(cause, causelen, "attach takes one PID ('%s' is one too many; a command is launched "
				 "without 'attach')", o->argv[1]);
			return -1;
		}
		o->argc = 0;
		o->argv = sub_argv + sub_argc; /* the NULL that ends argv */
	}
	if (o->cmd == CMD_DOCTOR)
		return doctor_args(o, dashdash, first_plan_opt, cause, causelen);
	if (o->cmd == CMD_TOPOLOGY && o->argc > 0) {
		snprintf(cause, causelen, "topology takes no command ('%s')", o->argv[0]);
		return -1;
	}
	if (o->cmd == CMD_REPORT && o->argc > 1) {
		snprintf(cause, causelen, "report reads one events file ('%s' is one more)",
			 o->argv[1]);
		return -1;
	}
	if (o->cmd == CMD_TOPOLOGY && o->format == FORMAT_INI) {
		snprintf(cause, causelen, "--ini is for 'numarun plan'");
		return -1;
	}
	if (o->cmd == CMD_RUN) {
		if (o->format != FORMAT_TEXT) {
			snprintf(cause, causelen, "%s is for 'numarun plan' and 'numarun topology'",
				 o->format == FORMAT_JSON ? "--json" : "--ini");
			return -1;
		}
		if (o->argc == 0) {
			snprintf(cause, causelen, "no command given");
			return -1;
		}
	}
	return 0;
}

void cli_apply(const struct opts *o, struct policy *p)
{
	/* The options' assignments in their order, through the same key parsers as the policy file's. They
	 * were checked when parsed; lists given here are taken as given (only a file's are re-planned). */
	for (size_t i = 0; i < o->nassign; i++) {
		char why[512];
		key_set(o->assign[i].key, p, o->assign[i].value, NULL, ORIGIN_CLI, why, sizeof(why));
	}
}

void cli_free(struct opts *o)
{
	for (size_t i = 0; i < o->nassign; i++)
		free(o->assign[i].value);
	free(o->assign);
	o->assign = NULL;
	o->nassign = 0;
	policy_free(&o->over);
}
