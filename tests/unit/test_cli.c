/* test_cli.c - command line parsing (cli_parse) and its precedence over a policy (cli_apply). */
#include "config.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "cli.h"

/* The bits of opts.set: one per policy key an option set. */
#define SET_NODES cli_key_bit("placement", "nodes")
#define SET_CPUS cli_key_bit("placement", "cpus")
#define SET_CPU_LIST cli_key_bit("placement", "cpu_list")
#define SET_STRATEGY cli_key_bit("placement", "strategy")
#define SET_SMT cli_key_bit("placement", "smt")
#define SET_STRICT cli_key_bit("placement", "strict")
#define SET_MEM (cli_key_bit("memory", "policy") | cli_key_bit("memory", "nodes"))
#define SET_BALANCING cli_key_bit("memory", "balancing")
#define SET_GOMAXPROCS cli_key_bit("runtime", "gomaxprocs")
#define SET_OMP cli_key_bit("runtime", "omp_num_threads")
#define SET_GOMEMLIMIT cli_key_bit("runtime", "gomemlimit")
#define SET_MONITOR cli_key_bit("monitor", "enabled")
#define SET_INTERVAL cli_key_bit("monitor", "interval")
#define SET_SOURCE cli_key_bit("monitor", "source")
#define SET_ACTION cli_key_bit("monitor", "action")
#define SET_THREADS cli_key_bit("threads", "placement")

/* A writable, NULL-terminated argv built from string literals. */
struct args {
	int argc;
	char *argv[40];
};

static struct args *mkargs(const char *first, ...)
{
	struct args *a = calloc(1, sizeof(*a));
	va_list ap;
	assert_non_null(a);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		assert_true(a->argc < 39);
		a->argv[a->argc++] = strdup(s);
	}
	va_end(ap);
	a->argv[a->argc] = NULL;
	return a;
}

static void freeargs(struct args *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a);
}

#define ARGS(...) mkargs("numarun", __VA_ARGS__, (const char *)NULL)

/* Parse; expect success. */
static void parse_ok(struct args *a, struct opts *o)
{
	char cause[512] = "";
	if (cli_parse(a->argc, a->argv, o, cause, sizeof(cause)) != 0)
		fail_msg("cli_parse failed: %s", cause);
}

/* Parse; expect -1 with exactly the message want. */
static void parse_err(struct args *a, const char *want)
{
	struct opts o;
	char cause[512] = "";
	int rc = cli_parse(a->argc, a->argv, &o, cause, sizeof(cause));
	cli_free(&o);
	if (rc != -1)
		fail_msg("cli_parse returned %d, expected -1 with \"%s\"", rc, want);
	assert_string_equal(cause, want);
}

static void load_policy(struct policy *p, const char *text)
{
	char cause[512];
	policy_init(p);
	if (policy_load_string(p, "p.ini", text, cause, sizeof(cause)) != 0)
		fail_msg("%s", cause);
}

/* ---- modes and the target command ---- */

static void test_run_with_dashdash(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-N", "0", "--", "prog", "-v", "--x");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_RUN);
	assert_int_equal(o.argc, 3);
	assert_string_equal(o.argv[0], "prog");
	assert_string_equal(o.argv[1], "-v");
	assert_string_equal(o.argv[2], "--x");
	assert_null(o.argv[3]);
	assert_string_equal(o.over.nodes, "0");
	assert_int_equal(o.verbosity, 1);        /* the target's -v is not ours */
	cli_free(&o);
	freeargs(a);
}

static void test_run_without_dashdash(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-N", "0", "prog", "-v", "--x", "--json", "-m", "1");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_RUN);
	assert_int_equal(o.argc, 6);
	assert_string_equal(o.argv[0], "prog");
	assert_string_equal(o.argv[1], "-v");
	assert_string_equal(o.argv[2], "--x");
	assert_string_equal(o.argv[3], "--json");
	assert_string_equal(o.argv[4], "-m");
	assert_string_equal(o.argv[5], "1");
	assert_null(o.argv[6]);
	assert_int_equal(o.set, SET_NODES);
	assert_int_equal(o.format, FORMAT_TEXT);
	assert_int_equal(o.verbosity, 1);
	cli_free(&o);
	/* The caller's argv is not permuted either. */
	assert_string_equal(a->argv[3], "prog");
	assert_string_equal(a->argv[4], "-v");
	freeargs(a);
}

static void test_run_dashdash_then_dash_arg(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("--", "-N", "x");
	parse_ok(a, &o);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "-N");
	assert_string_equal(o.argv[1], "x");
	assert_int_equal(o.set, 0);
	cli_free(&o);
	freeargs(a);
}

static void test_plan_subcommand(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("plan", "-c", "4", "--json");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_PLAN);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_int_equal(o.argc, 0);
	assert_int_equal(o.set, SET_CPUS);
	cli_free(&o);
	freeargs(a);

	a = ARGS("plan", "--ini", "--", "prog", "arg");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_PLAN);
	assert_int_equal(o.format, FORMAT_INI);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[0], "prog");
	assert_string_equal(o.argv[1], "arg");
	cli_free(&o);
	freeargs(a);
}

static void test_topology_subcommand(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("topology", "--topology", "machine.xml", "--json");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_TOPOLOGY);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_non_null(o.topology_file);
	assert_string_equal(o.topology_file, "machine.xml");
	assert_int_equal(o.argc, 0);
	cli_free(&o);
	freeargs(a);

	a = mkargs("numarun", "topology", (const char *)NULL);
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_TOPOLOGY);
	assert_int_equal(o.format, FORMAT_TEXT);
	cli_free(&o);
	freeargs(a);
}

static void test_report_subcommand(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("report", "-o", "out.html", "--svg", "-v", "ev.json");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_REPORT);
	assert_string_equal(o.output, "out.html");
	assert_int_equal(o.svg, 1);
	assert_int_equal(o.verbosity, 2);
	assert_int_equal(o.argc, 1);
	assert_string_equal(o.argv[0], "ev.json");
	cli_free(&o);
	freeargs(a);

	a = mkargs("numarun", "report", (const char *)NULL);
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_REPORT);
	assert_null(o.output);
	assert_int_equal(o.svg, 0);
	assert_int_equal(o.argc, 0);
	cli_free(&o);
	freeargs(a);

	a = ARGS("report", "--output=-", "-");
	parse_ok(a, &o);
	assert_string_equal(o.output, "-");
	assert_string_equal(o.argv[0], "-");
	cli_free(&o);
	freeargs(a);

	/* options after the file too, as in "numarun report EVENTS -o page.html" */
	a = ARGS("report", "a.json", "-o", "x.html", "--svg");
	parse_ok(a, &o);
	assert_string_equal(o.output, "x.html");
	assert_int_equal(o.svg, 1);
	assert_int_equal(o.argc, 1);
	assert_string_equal(o.argv[0], "a.json");
	cli_free(&o);
	freeargs(a);
	a = ARGS("report", "a.json", "-o", "x.html", "b.json");
	parse_err(a, "report reads one events file ('b.json' is one more)");
	freeargs(a);
	a = ARGS("report", "--monitor", "a.json");
	parse_err(a, "'--monitor' is not an option of 'numarun report' (it takes -o, --svg, -v, -q)");
	freeargs(a);
	a = ARGS("report", "-p", "x.ini", "a.json");
	parse_err(a, "'-p' is not an option of 'numarun report' (it takes -o, --svg, -v, -q)");
	freeargs(a);
	a = ARGS("report", "--topology", "m.xml", "a.json");
	parse_err(a, "'--topology' is not an option of 'numarun report' (it takes -o, --svg, -v, -q)");
	freeargs(a);
	a = ARGS("--svg", "-o", "x", "true");
	parse_err(a, "--output is for 'numarun report'");
	freeargs(a);
	a = ARGS("topology", "--svg");
	parse_err(a, "--svg is for 'numarun report'");
	freeargs(a);
}

static void test_attach_subcommand(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("attach", "-C", "1", "--threads", "spread", "--restore", "--events", "e.json", "4242");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_ATTACH);
	assert_int_equal(o.attach_pid, 4242);
	assert_int_equal(o.restore, 1);
	assert_int_equal(o.argc, 0);
	assert_null(o.argv[0]);
	assert_true(o.set & SET_THREADS);
	assert_string_equal(o.events_file, "e.json");
	cli_free(&o);
	freeargs(a);

	a = ARGS("attach", "--", "7");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_ATTACH);
	assert_int_equal(o.attach_pid, 7);
	assert_int_equal(o.restore, 0);
	cli_free(&o);
	freeargs(a);

	/* "attach" after an option is a command to launch. */
	a = ARGS("-v", "attach", "7");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_RUN);
	assert_int_equal(o.argc, 2);
	cli_free(&o);
	freeargs(a);

	a = ARGS("attach");
	parse_err(a, "attach: no PID given (numarun attach [OPTIONS] PID)");
	freeargs(a);
	a = ARGS("attach", "1", "2");
	parse_err(a, "attach takes one PID ('2' is one too many; a command is launched without 'attach')");
	freeargs(a);
	/* options after the PID too */
	a = ARGS("attach", "5", "-N", "0", "--restore");
	parse_ok(a, &o);
	assert_int_equal(o.attach_pid, 5);
	assert_int_equal(o.restore, 1);
	assert_true(o.set & cli_key_bit("placement", "nodes"));
	cli_free(&o);
	freeargs(a);
	a = ARGS("attach", "--", "sleep", "5");
	parse_err(a, "attach: 'sleep' is not a process ID (a decimal number); a command is launched without 'attach'");
	freeargs(a);
	a = ARGS("attach", "-g", "5");
	parse_err(a, "--signal-group is for a launch, not 'numarun attach' (the process runs already and is not "
		     "numarun's child)");
	freeargs(a);
	a = ARGS("--restore", "true");
	parse_err(a, "--restore is for 'numarun attach' (it puts back the masks a running process had)");
	freeargs(a);
}

static void test_subcommand_only_first(void **state)
{
	(void)state;
	struct opts o;
	/* "plan" after an option is the command to run. */
	struct args *a = ARGS("-v", "plan");
	parse_ok(a, &o);
	assert_int_equal(o.cmd, CMD_RUN);
	assert_int_equal(o.argc, 1);
	assert_string_equal(o.argv[0], "plan");
	cli_free(&o);
	freeargs(a);
}

/* ---- each option ---- */

static void test_opt_nodes(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-N", "0-1", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_NODES);
	assert_string_equal(o.over.nodes, "0-1");
	cli_free(&o);
	freeargs(a);
	a = ARGS("--cpunodebind=!0", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_NODES);
	assert_string_equal(o.over.nodes, "!0");
	cli_free(&o);
	freeargs(a);
	a = ARGS("-N", "all", "-N", "+1", "prog");     /* the last one wins */
	parse_ok(a, &o);
	assert_string_equal(o.over.nodes, "+1");
	cli_free(&o);
	freeargs(a);
}

static void test_opt_cpu_list(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-C", "0-3,8", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_CPU_LIST);
	assert_string_equal(o.over.cpu_list, "0-3,8");
	assert_null(o.over.nodes);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--physcpubind", "2", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_CPU_LIST);
	assert_string_equal(o.over.cpu_list, "2");
	cli_free(&o);
	freeargs(a);
}

static void test_opt_membind(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-m", "1", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_MEM);
	assert_int_equal(o.over.mem, MEM_BIND);
	assert_string_equal(o.over.mem_nodes, "1");
	assert_string_equal(o.mem_option, "--membind");
	cli_free(&o);
	freeargs(a);
	/* The same option twice is not a conflict: the last wins. */
	a = ARGS("-m", "1", "--membind=0,2", "prog");
	parse_ok(a, &o);
	assert_string_equal(o.over.mem_nodes, "0,2");
	cli_free(&o);
	freeargs(a);
}

static void test_opt_interleave(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-i", "all", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_MEM);
	assert_int_equal(o.over.mem, MEM_INTERLEAVE);
	assert_string_equal(o.over.mem_nodes, "all");
	assert_string_equal(o.mem_option, "--interleave");
	cli_free(&o);
	freeargs(a);
}

static void test_opt_preferred(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("--preferred", "3", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_MEM);
	assert_int_equal(o.over.mem, MEM_PREFERRED);
	assert_string_equal(o.over.mem_nodes, "3");
	assert_string_equal(o.mem_option, "--preferred");
	cli_free(&o);
	freeargs(a);
}

static void test_opt_localalloc(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-l", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_MEM);
	assert_int_equal(o.over.mem, MEM_LOCAL);
	assert_null(o.over.mem_nodes);
	assert_string_equal(o.mem_option, "--localalloc");
	cli_free(&o);
	freeargs(a);
	a = ARGS("--localalloc", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_MEM);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_cpus(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-c", "50%", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_CPUS);
	assert_int_equal(o.over.cpus_kind, CPUS_PERCENT);
	assert_true(o.over.cpus_value == 50);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--cpus=1 node", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.over.cpus_kind, CPUS_NODES);
	assert_true(o.over.cpus_value == 1);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--cpus", "6", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.over.cpus_kind, CPUS_COUNT);
	assert_true(o.over.cpus_value == 6);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_placement_smt(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("--placement", "spread", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_STRATEGY);
	assert_int_equal(o.over.strategy, STRATEGY_SPREAD);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--smt=no", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_SMT);
	assert_int_equal(o.over.smt, 0);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_knobs(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("--gomaxprocs", "always", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_GOMAXPROCS);
	assert_int_equal(o.over.gomaxprocs.mode, KNOB_ALWAYS);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--gomaxprocs=8", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.over.gomaxprocs.mode, KNOB_VALUE);
	assert_int_equal(o.over.gomaxprocs.value, 8);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--omp-num-threads", "auto", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_OMP);
	assert_int_equal(o.over.omp.mode, KNOB_AUTO);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--omp-num-threads=3", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.over.omp.mode, KNOB_VALUE);
	assert_int_equal(o.over.omp.value, 3);
	cli_free(&o);
	freeargs(a);
}

/* -b alone asks for balancing; --balancing=auto|yes|no names it; --gomemlimit takes the policy's forms.
 * Each overrides the policy file. */
static void test_opt_balancing_gomemlimit(void **state)
{
	(void)state;
	static const struct {
		const char *arg;
		enum balancing_mode want;
	} cases[] = {{"-b", BALANCING_YES}, {"--balancing", BALANCING_YES}, {"--balancing=no", BALANCING_NO},
		     {"--balancing=auto", BALANCING_AUTO}, {"--balancing=yes", BALANCING_YES}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o;
		struct policy p;
		struct args *a = ARGS(cases[i].arg, "prog");
		parse_ok(a, &o);
		assert_int_equal(o.set, SET_BALANCING);
		load_policy(&p, "[memory]\npolicy = bind\nbalancing = no\n");
		if (cases[i].want == BALANCING_NO)
			p.balancing = BALANCING_YES;
		cli_apply(&o, &p);
		assert_int_equal(p.balancing, cases[i].want);
		policy_free(&p);
		cli_free(&o);
		freeargs(a);
	}
	struct args *a = ARGS("--balancing=maybe", "prog");
	parse_err(a, "--balancing: bad value 'maybe' (expected auto, yes or no)");
	freeargs(a);
	struct opts o;
	struct policy p;
	a = ARGS("--gomemlimit=2GiB", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, SET_GOMEMLIMIT);
	load_policy(&p, "[runtime]\ngomemlimit = auto\n");
	cli_apply(&o, &p);
	assert_int_equal(p.gomemlimit.mode, KNOB_VALUE);
	assert_int_equal(p.gomemlimit.value, 2147483648L);
	policy_free(&p);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--gomemlimit", "lots", "prog");
	parse_err(a, "--gomemlimit: bad value 'lots' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)");
	freeargs(a);
}

static void test_opt_files_and_output(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-p", "svc.ini", "prog");
	parse_ok(a, &o);
	assert_non_null(o.policy_file);
	assert_string_equal(o.policy_file, "svc.ini");
	assert_int_equal(o.set, 0);
	cli_free(&o);
	freeargs(a);
	a = ARGS("plan", "--policy=x.ini", "--topology=t.xml", "--ini");
	parse_ok(a, &o);
	assert_string_equal(o.policy_file, "x.ini");
	assert_string_equal(o.topology_file, "t.xml");
	assert_int_equal(o.format, FORMAT_INI);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_verbosity(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-v", "--verbose", "-v", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.verbosity, 4);
	cli_free(&o);
	freeargs(a);
	a = ARGS("-q", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.verbosity, 0);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--quiet", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.verbosity, 0);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_version_help(void **state)
{
	(void)state;
	struct opts o;
	/* No command needed for either. */
	struct args *a = ARGS("-V");
	parse_ok(a, &o);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.help, 0);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--help");
	parse_ok(a, &o);
	assert_int_equal(o.help, 1);
	assert_int_equal(o.version, 0);
	cli_free(&o);
	freeargs(a);
	a = ARGS("-h");
	parse_ok(a, &o);
	assert_int_equal(o.help, 1);
	cli_free(&o);
	freeargs(a);
	a = ARGS("--version");
	parse_ok(a, &o);
	assert_int_equal(o.version, 1);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_signal_group(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-g", "--monitor", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.signal_group, 1);
	assert_int_equal(o.set, SET_MONITOR); /* not a policy field: nothing for cli_apply */
	assert_int_equal(o.argc, 1);
	assert_string_equal(o.argv[0], "prog");
	cli_free(&o);
	freeargs(a);
	a = ARGS("--signal-group", "--", "prog", "-g");
	parse_ok(a, &o);
	assert_int_equal(o.signal_group, 1);
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[1], "-g"); /* the target's own */
	cli_free(&o);
	freeargs(a);
	a = ARGS("-gv", "prog");
	parse_ok(a, &o);
	assert_int_equal(o.signal_group, 1);
	assert_int_equal(o.verbosity, 2);
	cli_free(&o);
	freeargs(a);
	a = ARGS("prog", "-g");
	parse_ok(a, &o);
	assert_int_equal(o.signal_group, 0);
	assert_int_equal(o.argc, 2);
	cli_free(&o);
	freeargs(a);
}

static void test_opt_defaults_untouched(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("prog");
	parse_ok(a, &o);
	assert_int_equal(o.set, 0);
	assert_int_equal(o.format, FORMAT_TEXT);
	assert_int_equal(o.verbosity, 1);
	assert_null(o.policy_file);
	assert_null(o.topology_file);
	assert_null(o.mem_option);
	assert_int_equal(o.help, 0);
	assert_int_equal(o.version, 0);
	assert_int_equal(o.signal_group, 0);
	assert_int_equal(o.exec, 0);
	assert_int_equal(o.argc, 1);
	cli_free(&o);
	freeargs(a);
}

/* ---- errors ---- */

static void test_err_unknown_option(void **state)
{
	(void)state;
	struct args *a = ARGS("-x", "prog");
	parse_err(a, "unknown option '-x'");
	freeargs(a);
	a = ARGS("--bogus", "prog");
	parse_err(a, "unknown option '--bogus'");
	freeargs(a);
	a = ARGS("plan", "--nope");
	parse_err(a, "unknown option '--nope'");
	freeargs(a);
	a = ARGS("--bogus=1", "prog");
	parse_err(a, "unknown option '--bogus=1'");
	freeargs(a);
	/* A long option that takes no value, given one (its code is no character to print). */
	a = ARGS("--monitor=yes", "prog");
	parse_err(a, "option '--monitor' takes no value");
	freeargs(a);
	a = ARGS("--signal-group=yes", "prog");
	parse_err(a, "option '--signal-group' takes no value");
	freeargs(a);
	a = ARGS("--verbose=2", "prog");
	parse_err(a, "option '--verbose' takes no value");
	freeargs(a);
	a = ARGS("-gx", "prog");
	parse_err(a, "unknown option '-x'");
	freeargs(a);
	/* An abbreviation of several long options is ambiguous, not unknown; of one, it is that option. */
	a = ARGS("--p", "prog");
	parse_err(a, "option '--p' is ambiguous (--physcpubind, --placement, --preferred, --policy)");
	freeargs(a);
	a = ARGS("--s=1", "prog");
	parse_err(a, "option '--s' is ambiguous (--smt, --strict, --source, --signal-group, --save-policy, --svg)");
	freeargs(a);
}

/* One output format; topology takes no placement or launch options. */
static void test_err_conflicts(void **state)
{
	(void)state;
	struct args *a = ARGS("plan", "--json", "--ini");
	parse_err(a, "--json and --ini cannot be combined (one output format)");
	freeargs(a);
	a = ARGS("plan", "--ini", "--json");
	parse_err(a, "--json and --ini cannot be combined (one output format)");
	freeargs(a);
	a = ARGS("topology", "-c", "1");
	parse_err(a, "'-c' is for a launch or 'numarun plan', not 'numarun topology'");
	freeargs(a);
	a = ARGS("topology", "--json", "--threads=spread");
	parse_err(a, "'--threads=spread' is for a launch or 'numarun plan', not 'numarun topology'");
	freeargs(a);
	a = ARGS("topology", "-p", "x.ini");
	parse_err(a, "'-p' is for a launch or 'numarun plan', not 'numarun topology'");
	freeargs(a);
	struct opts o;
	char cause[256];
	a = ARGS("topology", "--json", "--json", "-v");
	assert_int_equal(cli_parse(a->argc, a->argv, &o, cause, sizeof(cause)), 0);
	cli_free(&o);
	freeargs(a);
}

static void test_err_missing_argument(void **state)
{
	(void)state;
	struct args *a = ARGS("-N");
	parse_err(a, "option '-N' needs an argument");
	freeargs(a);
	a = ARGS("plan", "--cpus");
	parse_err(a, "option '--cpus' needs an argument");
	freeargs(a);
}

static void test_err_mem_conflict(void **state)
{
	(void)state;
	struct args *a = ARGS("-m", "0", "-i", "1", "prog");
	parse_err(a, "--membind and --interleave both set the memory policy: give one");
	freeargs(a);
	a = ARGS("-l", "--preferred=1", "prog");
	parse_err(a, "--localalloc and --preferred both set the memory policy: give one");
	freeargs(a);
}

static void test_err_bad_list(void **state)
{
	(void)state;
	struct args *a = ARGS("-N", "x", "prog");
	parse_err(a, "--cpunodebind: bad value 'x' (expected auto or a list such as 0-3,8, all, !LIST or +LIST)");
	freeargs(a);
	a = ARGS("-C", "", "prog");
	parse_err(a, "--physcpubind: empty value (expected a list such as 0-3,8, all, !LIST or +LIST)");
	freeargs(a);
	a = ARGS("-i", "nodes", "prog");
	parse_err(a, "--interleave: bad value 'nodes' (expected plan or a list such as 0-3,8, all, !LIST or +LIST)");
	freeargs(a);
}

static void test_err_bad_values(void **state)
{
	(void)state;
	struct args *a = ARGS("--cpus", "lots", "prog");
	parse_err(a, "--cpus: bad value 'lots' (expected all, a count such as 8, a share such as 50%, "
		     "or nodes such as '1 node' or '0.5 node')");
	freeargs(a);
	a = ARGS("-c", "0", "prog");
	parse_err(a, "--cpus: bad value '0' (expected all, a count such as 8, a share such as 50%, "
		     "or nodes such as '1 node' or '0.5 node')");
	freeargs(a);
	a = ARGS("--placement", "tight", "prog");
	parse_err(a, "--placement: bad value 'tight' (expected compact or spread)");
	freeargs(a);
	a = ARGS("--smt", "2", "prog");
	parse_err(a, "--smt: bad value '2' (expected yes or no)");
	freeargs(a);
	a = ARGS("--omp-num-threads", "always", "prog");
	parse_err(a, "--omp-num-threads: bad value 'always' (expected auto, keep, off or a number of threads)");
	freeargs(a);
	a = ARGS("--gomaxprocs", "0", "prog");
	parse_err(a, "--gomaxprocs: bad value '0' (expected auto, always, keep, off or a number of threads)");
	freeargs(a);
}

static void test_err_output_format_in_run_mode(void **state)
{
	(void)state;
	struct args *a = ARGS("--json", "prog");
	parse_err(a, "--json is for 'numarun plan' and 'numarun topology'");
	freeargs(a);
	a = ARGS("--ini", "prog");
	parse_err(a, "--ini is for 'numarun plan' and 'numarun topology'");
	freeargs(a);
}

static void test_err_no_command(void **state)
{
	(void)state;
	struct args *a = ARGS("-N", "0");
	parse_err(a, "no command given");
	freeargs(a);
	a = mkargs("numarun", (const char *)NULL);
	parse_err(a, "no command given");
	freeargs(a);
	a = ARGS("-N", "0", "--");
	parse_err(a, "no command given");
	freeargs(a);
}

static void test_err_topology_misuse(void **state)
{
	(void)state;
	struct args *a = ARGS("topology", "ls", "-l");
	parse_err(a, "topology takes no command ('ls')");
	freeargs(a);
	a = ARGS("topology", "--ini");
	parse_err(a, "--ini is for 'numarun plan'");
	freeargs(a);
}

/* Parsing is repeatable: a failed parse leaves no getopt state behind. */
static void test_reparse_after_error(void **state)
{
	(void)state;
	struct opts o;
	struct args *a = ARGS("-vx", "prog");
	parse_err(a, "unknown option '-x'");
	freeargs(a);
	a = ARGS("-N", "1", "prog", "-x");
	parse_ok(a, &o);
	assert_string_equal(o.over.nodes, "1");
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[1], "-x");
	cli_free(&o);
	freeargs(a);
}

/* ---- cli_apply: defaults < policy < command line ---- */

static void test_apply_overrides(void **state)
{
	(void)state;
	struct policy p;
	struct opts o;
	load_policy(&p, "[placement]\nstrategy = spread\nsmt = no\nnodes = 1\ncpus = 4\n"
			"[memory]\npolicy = bind\nnodes = 1\n[runtime]\ngomaxprocs = keep\nomp_num_threads = auto\n");
	struct args *a = ARGS("--placement", "compact", "-N", "0", "--gomaxprocs=6", "prog");
	parse_ok(a, &o);
	cli_apply(&o, &p);
	assert_int_equal(p.strategy, STRATEGY_COMPACT);
	assert_string_equal(p.nodes, "0");
	assert_int_equal(p.gomaxprocs.mode, KNOB_VALUE);
	assert_int_equal(p.gomaxprocs.value, 6);
	/* Not on the command line: the policy's values stay. */
	assert_int_equal(p.smt, 0);
	assert_int_equal(p.cpus_kind, CPUS_COUNT);
	assert_true(p.cpus_value == 4);
	assert_int_equal(p.mem, MEM_BIND);
	assert_string_equal(p.mem_nodes, "1");
	assert_int_equal(p.omp.mode, KNOB_AUTO);
	assert_null(p.cpu_list);
	cli_free(&o);
	freeargs(a);
	/* p owns its strings: still valid after the options are gone. */
	assert_string_equal(p.nodes, "0");
	policy_free(&p);
}

static void test_apply_localalloc_clears_mem_nodes(void **state)
{
	(void)state;
	struct policy p;
	struct opts o;
	load_policy(&p, "[memory]\npolicy = interleave\nnodes = 0-3\n");
	struct args *a = ARGS("-l", "prog");
	parse_ok(a, &o);
	cli_apply(&o, &p);
	assert_int_equal(p.mem, MEM_LOCAL);
	assert_null(p.mem_nodes);
	cli_free(&o);
	freeargs(a);
	policy_free(&p);
}

static void test_apply_mem_and_cpu_list(void **state)
{
	(void)state;
	struct policy p;
	struct opts o;
	load_policy(&p, "[memory]\npolicy = bind\nnodes = 0\n[placement]\ncpu_list = 0-3\n");
	struct args *a = ARGS("-i", "0-1", "-C", "4-7", "--smt", "no", "--omp-num-threads=off", "prog");
	parse_ok(a, &o);
	cli_apply(&o, &p);
	assert_int_equal(p.mem, MEM_INTERLEAVE);
	assert_string_equal(p.mem_nodes, "0-1");
	assert_string_equal(p.cpu_list, "4-7");
	assert_int_equal(p.smt, 0);
	assert_int_equal(p.omp.mode, KNOB_OFF);
	cli_free(&o);
	freeargs(a);
	policy_free(&p);
}

/* -C takes exactly its CPUs: a count or nodes with it on the command line is a contradiction. */
static void test_cpu_list_conflicts(void **state)
{
	(void)state;
	struct args *a = ARGS("-C", "0", "-c", "1", "prog");
	parse_err(a, "--physcpubind and --cpus both choose the CPUs: give one");
	freeargs(a);
	a = ARGS("-N", "0", "-C", "0", "prog");
	parse_err(a, "--physcpubind and --cpunodebind both choose the CPUs: give one (-C takes exactly its CPUs)");
	freeargs(a);
	a = ARGS("-p", "", "prog");
	parse_err(a, "--policy '': an empty file name");
	freeargs(a);
}

static void test_launch_options_not_for_plan(void **state)
{
	(void)state;
	struct args *a = ARGS("plan", "--events", "e.json");
	parse_err(a, "--events is for a launch, not 'numarun plan' (which launches nothing)");
	freeargs(a);
	a = ARGS("plan", "--exec");
	parse_err(a, "--exec is for a launch, not 'numarun plan' (which launches nothing)");
	freeargs(a);
	a = ARGS("-l=1", "prog");
	parse_err(a, "option '-l' takes no value");
	freeargs(a);
}

static void test_apply_nothing_set(void **state)
{
	(void)state;
	struct policy p;
	struct opts o;
	load_policy(&p, "[placement]\nstrategy = spread\nnodes = 1\n[memory]\nnodes = 1\npolicy = bind\n");
	struct args *a = ARGS("-v", "prog");
	parse_ok(a, &o);
	cli_apply(&o, &p);
	assert_int_equal(p.strategy, STRATEGY_SPREAD);
	assert_string_equal(p.nodes, "1");
	assert_int_equal(p.mem, MEM_BIND);
	assert_string_equal(p.mem_nodes, "1");
	assert_int_equal(p.gomaxprocs.mode, KNOB_AUTO);
	cli_free(&o);
	freeargs(a);
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest modes[] = {
		cmocka_unit_test(test_run_with_dashdash),
		cmocka_unit_test(test_run_without_dashdash),
		cmocka_unit_test(test_run_dashdash_then_dash_arg),
		cmocka_unit_test(test_plan_subcommand),
		cmocka_unit_test(test_topology_subcommand),
		cmocka_unit_test(test_subcommand_only_first),
		cmocka_unit_test(test_report_subcommand),
		cmocka_unit_test(test_attach_subcommand),
	};
	const struct CMUnitTest options[] = {
		cmocka_unit_test(test_opt_nodes),
		cmocka_unit_test(test_opt_cpu_list),
		cmocka_unit_test(test_opt_membind),
		cmocka_unit_test(test_opt_interleave),
		cmocka_unit_test(test_opt_preferred),
		cmocka_unit_test(test_opt_localalloc),
		cmocka_unit_test(test_opt_cpus),
		cmocka_unit_test(test_opt_placement_smt),
		cmocka_unit_test(test_opt_knobs),
		cmocka_unit_test(test_opt_balancing_gomemlimit),
		cmocka_unit_test(test_opt_files_and_output),
		cmocka_unit_test(test_opt_verbosity),
		cmocka_unit_test(test_opt_version_help),
		cmocka_unit_test(test_opt_signal_group),
		cmocka_unit_test(test_opt_defaults_untouched),
	};
	const struct CMUnitTest errors[] = {
		cmocka_unit_test(test_err_unknown_option),
		cmocka_unit_test(test_err_conflicts),
		cmocka_unit_test(test_err_missing_argument),
		cmocka_unit_test(test_err_mem_conflict),
		cmocka_unit_test(test_err_bad_list),
		cmocka_unit_test(test_err_bad_values),
		cmocka_unit_test(test_err_output_format_in_run_mode),
		cmocka_unit_test(test_err_no_command),
		cmocka_unit_test(test_err_topology_misuse),
		cmocka_unit_test(test_reparse_after_error),
	};
	const struct CMUnitTest apply[] = {
		cmocka_unit_test(test_apply_overrides),
		cmocka_unit_test(test_apply_localalloc_clears_mem_nodes),
		cmocka_unit_test(test_apply_mem_and_cpu_list),
		cmocka_unit_test(test_apply_nothing_set),
		cmocka_unit_test(test_cpu_list_conflicts),
		cmocka_unit_test(test_launch_options_not_for_plan),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("cli_parse modes and target", modes, NULL, NULL);
	failed += cmocka_run_group_tests_name("cli_parse options", options, NULL, NULL);
	failed += cmocka_run_group_tests_name("cli_parse errors", errors, NULL, NULL);
	failed += cmocka_run_group_tests_name("cli_apply precedence", apply, NULL, NULL);
	return failed ? 1 : 0;
}
