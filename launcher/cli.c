/* cli.c - getopt_long ('+': the target's arguments are never reordered) -> struct opts. */
#include "config.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

enum {
	OPT_PREFERRED = 256, OPT_PLACEMENT, OPT_SMT, OPT_GOMAXPROCS, OPT_OMP, OPT_TOPOLOGY, OPT_JSON,
	OPT_INI, OPT_MONITOR, OPT_EVENTS, OPT_SAVE_POLICY, OPT_THREADS, OPT_INTERVAL, OPT_SOURCE, OPT_ACTION,
	OPT_GOMEMLIMIT, OPT_EXEC, OPT_STRICT,
};

static const struct option longopts[] = {
	{"cpunodebind", required_argument, NULL, 'N'},
	{"physcpubind", required_argument, NULL, 'C'},
	{"membind", required_argument, NULL, 'm'},
	{"interleave", required_argument, NULL, 'i'},
	{"preferred", required_argument, NULL, OPT_PREFERRED},
	{"localalloc", no_argument, NULL, 'l'},
	{"balancing", optional_argument, NULL, 'b'},
	{"monitor", no_argument, NULL, OPT_MONITOR},
	{"exec", no_argument, NULL, OPT_EXEC},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"signal-group", no_argument, NULL, 'g'},
	{"events", required_argument, NULL, OPT_EVENTS},
	{"save-policy", required_argument, NULL, OPT_SAVE_POLICY},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"action", required_argument, NULL, OPT_ACTION},
	{"cpus", required_argument, NULL, 'c'},
	{"placement", required_argument, NULL, OPT_PLACEMENT},
	{"smt", required_argument, NULL, OPT_SMT},
	{"gomaxprocs", required_argument, NULL, OPT_GOMAXPROCS},
	{"omp-num-threads", required_argument, NULL, OPT_OMP},
	{"gomemlimit", required_argument, NULL, OPT_GOMEMLIMIT},
	{"policy", required_argument, NULL, 'p'},
	{"topology", required_argument, NULL, OPT_TOPOLOGY},
	{"json", no_argument, NULL, OPT_JSON},
	{"ini", no_argument, NULL, OPT_INI},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void cli_usage(FILE *f)
{
	fputs("Usage: numarun [OPTIONS] [--] COMMAND [ARG...]   launch COMMAND bound to the plan\n"
	      "       numarun plan [OPTIONS] [-- COMMAND [ARG...]]   print the plan, launch nothing\n"
	      "       numarun topology [--topology FILE] [--json]    show nodes, CPUs, memory, distances\n"
	      "\n"
	      "Binding (numactl syntax: 0-3,8  all  !LIST  +LIST):\n"
	      "  -N, --cpunodebind=NODES   run on the CPUs of NODES\n"
	      "  -C, --physcpubind=CPUS    run on exactly CPUS\n"
	      "  -m, --membind=NODES       allocate memory only on NODES\n"
	      "  -i, --interleave=NODES    interleave memory over NODES\n"
	      "      --preferred=NODE      prefer memory on NODE\n"
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
	      "Output:\n"
	      "      --json                plan/topology as JSON\n"
	      "      --ini                 plan as a policy that reproduces it\n"
	      "  -v, --verbose             say more (repeat for more)\n"
	      "  -q, --quiet               errors only\n"
	      "  -V, --version             print the version\n"
	      "  -h, --help                print this help\n"
	      "\n"
	      "Exit status: the command's own; 127 not found; 126 not executable; 2 usage or policy error;\n"
	      "1 other failure before launch. See numarun(1).\n",
	      f);
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

static int set_mem(struct opts *o, enum mem_policy m, const char *nodes, const char *optname, char *cause,
		   size_t causelen)
{
	if (o->mem_option && strcmp(o->mem_option, optname) != 0) {
		snprintf(cause, causelen, "%s and %s both set the memory policy: give one", o->mem_option,
			 optname);
		return -1;
	}
	o->mem_option = optname;
	o->over.mem = m;
	if (nodes)
		set_str(&o->over.mem_nodes, nodes);
	else {
		free(o->over.mem_nodes);
		o->over.mem_nodes = NULL;
	}
	o->set |= SET_MEM;
	return 0;
}

static int check_list(const char *opt, const char *v, char *cause, size_t causelen)
{
	if (!*v || strspn(v, "0123456789,-!+") != strlen(v)) {
		if (strcmp(v, "all") == 0 || (v[0] == '!' && strcmp(v + 1, "all") == 0))
			return 0;
		snprintf(cause, causelen, "%s: '%s' is not a list (expected e.g. 0-3,8, all, !1 or +0-1)", opt, v);
		return -1;
	}
	return 0;
}

/* Parse an option's value with a policy parser; on error name the option; mark the field set. */
#define PARSE_VALUE(name, call, bit)                                          \
	do {                                                                  \
		if ((call) < 0) {                                             \
			snprintf(cause, causelen, "%s: %s", name, why);       \
			return -1;                                            \
		}                                                             \
		o->set |= (bit);                                              \
	} while (0)

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

int cli_parse(int argc, char **argv, struct opts *o, char *cause, size_t causelen)
{
	char why[384];
	memset(o, 0, sizeof(*o));
	policy_init(&o->over);
	o->verbosity = 1;

	int first = 1;
	if (argc > 1 && strcmp(argv[1], "plan") == 0) {
		o->cmd = CMD_PLAN;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "topology") == 0) {
		o->cmd = CMD_TOPOLOGY;
		first = 2;
	}

	/* getopt_long on argv shifted past the subcommand. */
	int sub_argc = argc - first + 1;
	char **sub_argv = argv + first - 1;
	optind = 0;
	opterr = 0;
	int c, li;
	const char *first_plan_opt = NULL;
	while ((c = getopt_long(sub_argc, sub_argv, "+:N:C:m:i:lbc:p:gvqVh", longopts, &li)) != -1) {
		const char *opt = sub_argv[optind - 1];
		unsigned set_before = o->set;
		switch (c) {
		case 'N':
			if (check_list("--cpunodebind", optarg, cause, causelen) < 0)
				return -1;
			set_str(&o->over.nodes, optarg);
			o->set |= SET_NODES;
			break;
		case 'C':
			if (check_list("--physcpubind", optarg, cause, causelen) < 0)
				return -1;
			set_str(&o->over.cpu_list, optarg);
			o->set |= SET_CPU_LIST;
			break;
		case 'm':
			if (check_list("--membind", optarg, cause, causelen) < 0 ||
			    set_mem(o, MEM_BIND, optarg, "--membind", cause, causelen) < 0)
				return -1;
			break;
		case 'i':
			if (check_list("--interleave", optarg, cause, causelen) < 0 ||
			    set_mem(o, MEM_INTERLEAVE, optarg, "--interleave", cause, causelen) < 0)
				return -1;
			break;
		case OPT_PREFERRED:
			if (check_list("--preferred", optarg, cause, causelen) < 0 ||
			    set_mem(o, MEM_PREFERRED, optarg, "--preferred", cause, causelen) < 0)
				return -1;
			break;
		case 'l':
			if (set_mem(o, MEM_LOCAL, NULL, "--localalloc", cause, causelen) < 0)
				return -1;
			break;
		case 'c':
			if (policy_parse_cpus(optarg, &o->over.cpus_kind, &o->over.cpus_value, why, sizeof(why)) < 0) {
				snprintf(cause, causelen, "--cpus: %s", why);
				return -1;
			}
			o->set |= SET_CPUS;
			break;
		case OPT_PLACEMENT:
			PARSE_VALUE("--placement", policy_parse_strategy(optarg, &o->over.strategy, why, sizeof(why)), SET_STRATEGY);
			break;
		case OPT_SMT:
			PARSE_VALUE("--smt", policy_parse_bool(optarg, &o->over.smt, why, sizeof(why)), SET_SMT);
			break;
		case OPT_GOMAXPROCS:
			PARSE_VALUE("--gomaxprocs", policy_parse_knob(optarg, 1, &o->over.gomaxprocs, why, sizeof(why)), SET_GOMAXPROCS);
			break;
		case OPT_OMP:
			PARSE_VALUE("--omp-num-threads", policy_parse_knob(optarg, 0, &o->over.omp, why, sizeof(why)), SET_OMP);
			break;
		case 'p':
			o->policy_file = optarg;
			break;
		case 'b':
			if (optarg)
				PARSE_VALUE("--balancing", policy_parse_balancing(optarg, &o->over.balancing, why, sizeof(why)), SET_BALANCING);
			else {
				o->over.balancing = BALANCING_YES;
				o->set |= SET_BALANCING;
			}
			break;
		case OPT_GOMEMLIMIT:
			PARSE_VALUE("--gomemlimit", policy_parse_memlimit(optarg, &o->over.gomemlimit, why, sizeof(why)), SET_GOMEMLIMIT);
			break;
		case OPT_MONITOR:
			o->over.monitor = 1;
			o->set |= SET_MONITOR;
			break;
		case OPT_EVENTS:
			o->events_file = optarg;
			break;
		case OPT_EXEC:
			o->exec = 1;
			break;
		case OPT_STRICT:
			o->over.strict = 1;
			o->set |= SET_STRICT;
			break;
		case 'g':
			o->signal_group = 1;
			break;
		case OPT_SAVE_POLICY:
			o->save_policy = optarg;
			break;
		case OPT_THREADS:
			PARSE_VALUE("--threads", policy_parse_threads(optarg, &o->over.threads, why, sizeof(why)), SET_THREADS);
			break;
		case OPT_INTERVAL:
			PARSE_VALUE("--interval", policy_parse_duration_ms(optarg, &o->over.interval_ms, why, sizeof(why)), SET_INTERVAL);
			break;
		case OPT_SOURCE:
			PARSE_VALUE("--source", policy_parse_source(optarg, &o->over.source, why, sizeof(why)), SET_SOURCE);
			break;
		case OPT_ACTION:
			PARSE_VALUE("--action", policy_parse_action(optarg, &o->over.action, why, sizeof(why)), SET_ACTION);
			break;
		case OPT_TOPOLOGY:
			o->topology_file = optarg;
			break;
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
			else if (optopt && strncmp(opt, "--", 2) != 0)
				snprintf(cause, causelen, "unknown option '-%c'", optopt);
			else if (ambiguous(opt, cause, causelen))
				;
			else
				snprintf(cause, causelen, "unknown option '%s'", opt);
			return -1;
		}
		if ((o->set != set_before || c == 'p' || c == OPT_EVENTS || c == OPT_SAVE_POLICY || c == OPT_EXEC ||
		     c == 'g') && !first_plan_opt)
			/* the option itself, also when its value was the next argument ("-c 1") */
			first_plan_opt = optarg && optarg == sub_argv[optind - 1] && optind >= 2 ? sub_argv[optind - 2] : opt;
	}
	if (o->help || o->version)
		return 0;
	if (o->cmd == CMD_TOPOLOGY && first_plan_opt) {
		snprintf(cause, causelen, "'%s' is for a launch or 'numarun plan', not 'numarun topology'", first_plan_opt);
		return -1;
	}

	o->argv = sub_argv + optind;
	o->argc = sub_argc - optind;
	if (o->cmd == CMD_TOPOLOGY && o->argc > 0) {
		snprintf(cause, causelen, "topology takes no command ('%s')", o->argv[0]);
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
			snprintf(cause, causelen, "no command given (try 'numarun --help')");
			return -1;
		}
	}
	return 0;
}

void cli_apply(const struct opts *o, struct policy *p)
{
	const struct policy *v = &o->over;
	/* Lists given here are taken as given: only a policy file's are re-planned where not allowed. */
	if (o->set & SET_NODES) {
		set_str(&p->nodes, v->nodes);
		p->from_file &= ~(unsigned)POLICY_FROM_FILE_NODES;
	}
	if (o->set & SET_CPU_LIST) {
		set_str(&p->cpu_list, v->cpu_list);
		p->from_file &= ~(unsigned)POLICY_FROM_FILE_CPU_LIST;
	}
	if (o->set & SET_STRICT)
		p->strict = 1;
	if (o->set & SET_CPUS) {
		p->cpus_kind = v->cpus_kind;
		p->cpus_value = v->cpus_value;
		p->from_file |= POLICY_FROM_FILE_CPUS; /* a count asked for: the intent */
	}
	if (o->set & SET_STRATEGY)
		p->strategy = v->strategy;
	if (o->set & SET_SMT)
		p->smt = v->smt;
	if (o->set & SET_MEM) {
		p->mem = v->mem;
		free(p->mem_nodes);
		p->mem_nodes = v->mem_nodes ? strdup(v->mem_nodes) : NULL;
		p->from_file &= ~(unsigned)POLICY_FROM_FILE_MEM_NODES;
	}
	if (o->set & SET_GOMAXPROCS)
		p->gomaxprocs = v->gomaxprocs;
	if (o->set & SET_OMP)
		p->omp = v->omp;
	if (o->set & SET_BALANCING)
		p->balancing = v->balancing;
	if (o->set & SET_GOMEMLIMIT)
		p->gomemlimit = v->gomemlimit;
	if (o->set & SET_MONITOR)
		p->monitor = 1;
	if (o->set & SET_THREADS)
		p->threads = v->threads;
	if (o->set & SET_INTERVAL)
		p->interval_ms = v->interval_ms;
	if (o->set & SET_SOURCE)
		p->source = v->source;
	if (o->set & SET_ACTION)
		p->action = v->action;
}

void cli_free(struct opts *o)
{
	policy_free(&o->over);
}
