/* test_policy.c - built-in defaults, the INI policy reader and its error messages, value parsers. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "policy.h"

/* Load text as "p.ini" over the defaults; expect success. p must be freed by the caller. */
static void load_ok(struct policy *p, const char *text)
{
	char cause[512] = "";
	policy_init(p);
	if (policy_load_string(p, "p.ini", text, cause, sizeof(cause)) != 0)
		fail_msg("policy_load_string failed: %s", cause);
}

/* Load text as "p.ini"; expect -1 and exactly the message want. */
static void load_err(const char *text, const char *want)
{
	struct policy p;
	char cause[512] = "";
	policy_init(&p);
	int rc = policy_load_string(&p, "p.ini", text, cause, sizeof(cause));
	policy_free(&p);
	if (rc != -1)
		fail_msg("policy_load_string returned %d for:\n%s\nexpected -1 with \"%s\"", rc, text, want);
	assert_string_equal(cause, want);
}

/* ---- defaults ---- */

static void test_init_defaults(void **state)
{
	(void)state;
	struct policy p;
	memset(&p, 0x5a, sizeof(p));
	policy_init(&p);
	assert_null(p.nodes);
	assert_int_equal(p.cpus_kind, CPUS_ALL);
	assert_null(p.cpu_list);
	assert_int_equal(p.strategy, STRATEGY_COMPACT);
	assert_int_equal(p.smt, 1);
	/* No memory policy unless asked: the target keeps the one it inherits, and the kernel balances it. */
	assert_int_equal(p.mem, MEM_DEFAULT);
	assert_int_equal(p.balancing, BALANCING_AUTO);
	assert_null(p.mem_nodes);
	assert_int_equal(p.include_cpuless, 0);
	assert_int_equal(p.gomaxprocs.mode, KNOB_AUTO);
	assert_int_equal(p.gomemlimit.mode, KNOB_KEEP);
	assert_int_equal(p.omp.mode, KNOB_KEEP);
	assert_null(p.env);
	assert_int_equal(p.nenv, 0);
	policy_free(&p);
}

/* ---- a full valid policy ---- */

static void test_load_full(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p,
		"# a full policy\n"
		"[placement]\n"
		"nodes = 0-1\n"
		"cpus = 12\n"
		"cpu_list = 0-5,8\n"
		"strategy = spread\n"
		"smt = no\n"
		"\n"
		"[memory]\n"
		"policy = interleave\n"
		"nodes = 0,2\n"
		"include_cpuless = yes\n"
		"\n"
		"[runtime]\n"
		"gomaxprocs = always\n"
		"omp_num_threads = 6\n"
		"\n"
		"[env]\n"
		"MALLOC_ARENA_MAX = 2\n"
		"GODEBUG = madvdontneed=1,gctrace=0\n"
		"MSG = hello world\n");
	assert_string_equal(p.nodes, "0-1");
	assert_int_equal(p.cpus_kind, CPUS_COUNT);
	assert_true(p.cpus_value == 12.0);
	assert_string_equal(p.cpu_list, "0-5,8");
	assert_int_equal(p.strategy, STRATEGY_SPREAD);
	assert_int_equal(p.smt, 0);
	assert_int_equal(p.mem, MEM_INTERLEAVE);
	assert_string_equal(p.mem_nodes, "0,2");
	assert_int_equal(p.include_cpuless, 1);
	assert_int_equal(p.gomaxprocs.mode, KNOB_ALWAYS);
	assert_int_equal(p.omp.mode, KNOB_VALUE);
	assert_int_equal(p.omp.value, 6);
	assert_int_equal(p.nenv, 3);
	assert_string_equal(p.env[0].name, "MALLOC_ARENA_MAX");
	assert_string_equal(p.env[0].value, "2");
	assert_string_equal(p.env[1].name, "GODEBUG");
	assert_string_equal(p.env[1].value, "madvdontneed=1,gctrace=0");
	assert_string_equal(p.env[2].name, "MSG");
	assert_string_equal(p.env[2].value, "hello world");
	policy_free(&p);
}

static void test_load_keywords(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p,
		"[memory]\n"
		"nodes = plan\n"
		"policy = preferred\n"
		"[placement]\n"
		"nodes = auto\n"
		"strategy = compact\n"
		"smt = true\n"
		"[runtime]\n"
		"gomaxprocs = 16\n"
		"omp_num_threads = auto\n");
	assert_null(p.nodes);
	assert_null(p.mem_nodes);
	assert_int_equal(p.mem, MEM_PREFERRED);
	assert_int_equal(p.strategy, STRATEGY_COMPACT);
	assert_int_equal(p.smt, 1);
	assert_int_equal(p.gomaxprocs.mode, KNOB_VALUE);
	assert_int_equal(p.gomaxprocs.value, 16);
	assert_int_equal(p.omp.mode, KNOB_AUTO);
	policy_free(&p);

	load_ok(&p, "[placement]\nnodes = all\n[memory]\nnodes = all\npolicy = bind\n"
		    "[runtime]\ngomaxprocs = off\nomp_num_threads = off\n");
	assert_string_equal(p.nodes, "all");
	assert_string_equal(p.mem_nodes, "all");
	assert_int_equal(p.mem, MEM_BIND);
	assert_int_equal(p.gomaxprocs.mode, KNOB_OFF);
	assert_int_equal(p.omp.mode, KNOB_OFF);
	policy_free(&p);
}

static void test_load_keeps_unset_defaults(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "[placement]\nstrategy = spread\n");
	assert_int_equal(p.strategy, STRATEGY_SPREAD);
	assert_int_equal(p.cpus_kind, CPUS_ALL);
	assert_int_equal(p.smt, 1);
	assert_int_equal(p.mem, MEM_DEFAULT);
	assert_int_equal(p.gomaxprocs.mode, KNOB_AUTO);
	assert_int_equal(p.omp.mode, KNOB_KEEP);
	policy_free(&p);
}

static void test_load_comments_and_blank_lines(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "\n; semicolon comment\n   \n# hash comment\n[placement]\n  # indented comment\nsmt = no\n");
	assert_int_equal(p.smt, 0);
	policy_free(&p);
}

/* numarun.ini(5): "White space around the key and the value is ignored." An indented key is a key, not a
 * continuation of the previous value. */
static void test_load_indented_keys(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "[placement]\n  strategy = spread\n  smt = no\n[memory]\n\tpolicy = bind\n");
	assert_int_equal(p.strategy, STRATEGY_SPREAD);
	assert_int_equal(p.smt, 0);
	assert_int_equal(p.mem, MEM_BIND);
	policy_free(&p);
}

/* numarun.ini(5), [env]: values keep their spaces and '=' / ';' signs; a ';' after white space starts
 * a comment. */
static void test_load_env_value_as_is(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "[env]\nJAVA_OPTS = -Xmx1g -Xss1m ; a comment\nURL = http://h:1/x?a=b;c\n");
	assert_int_equal(p.nenv, 2);
	assert_string_equal(p.env[0].value, "-Xmx1g -Xss1m");
	assert_string_equal(p.env[1].value, "http://h:1/x?a=b;c");
	policy_free(&p);
}

static void test_load_empty_text(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "");
	assert_int_equal(p.strategy, STRATEGY_COMPACT);
	assert_int_equal(p.nenv, 0);
	policy_free(&p);
}

/* ---- cpus forms ---- */

static void check_cpus(const char *v, enum cpus_kind kind, double value)
{
	struct policy p;
	char text[128];
	snprintf(text, sizeof(text), "[placement]\ncpus = %s\n", v);
	load_ok(&p, text);
	if (p.cpus_kind != kind || p.cpus_value != value)
		fail_msg("cpus = %s: got kind %d value %g, expected kind %d value %g", v, p.cpus_kind,
			 p.cpus_value, kind, value);
	policy_free(&p);
}

static void test_cpus_forms(void **state)
{
	(void)state;
	check_cpus("all", CPUS_ALL, 0);
	check_cpus("8", CPUS_COUNT, 8);
	check_cpus("50%", CPUS_PERCENT, 50);
	check_cpus("1 node", CPUS_NODES, 1);
	check_cpus("0.5 nodes", CPUS_NODES, 0.5);
	check_cpus("2 nodes", CPUS_NODES, 2);
	check_cpus("100%", CPUS_PERCENT, 100);
}

static void test_parse_cpus_direct(void **state)
{
	(void)state;
	enum cpus_kind k = CPUS_ALL;
	double v = -1;
	char cause[384] = "";
	assert_int_equal(policy_parse_cpus("12.5%", &k, &v, cause, sizeof(cause)), 0);
	assert_int_equal(k, CPUS_PERCENT);
	assert_true(v == 12.5);
	const char *bad[] = {"0", "-2", "0%", "101%", "8.5", "x", "", "1 core", "0 nodes", "5%0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause[0] = '\0';
		if (policy_parse_cpus(bad[i], &k, &v, cause, sizeof(cause)) != -1)
			fail_msg("policy_parse_cpus('%s') accepted", bad[i]);
		char want[64];
		snprintf(want, sizeof(want), "bad value '%s' for 'cpus'", bad[i]);
		if (strncmp(cause, want, strlen(want)) != 0)
			fail_msg("cause for '%s': \"%s\"", bad[i], cause);
	}
}

/* ---- errors ---- */

static void test_err_unknown_section(void **state)
{
	(void)state;
	/* The header's own line, even for a section with no keys. */
	load_err("# policy\n[bogus]\nx = 1\n", "p.ini:2: unknown section 'bogus'");
	load_err("[placement]\nsmt = no\n[bogus]\nx = 1\n", "p.ini:3: unknown section 'bogus'");
	load_err("[placement]\nsmt = no\n[empty]\n", "p.ini:3: unknown section 'empty'");
}

static void test_err_unknown_key_line(void **state)
{
	(void)state;
	load_err("# comment\n"
		 "\n"
		 "[placement]\n"
		 "strategy = compact\n"
		 "; another comment\n"
		 "\n"
		 "[memory]\n"
		 "\n"
		 "# the typo is on the next line\n"
		 "interleve = 0-1\n"
		 "policy = bind\n",
		 "p.ini:10: unknown key 'interleve' in [memory]");
	load_err("[placement]\nnode = 0\n", "p.ini:2: unknown key 'node' in [placement]");
	load_err("[runtime]\nGOMAXPROCS = 4\n", "p.ini:2: unknown key 'GOMAXPROCS' in [runtime]");
}

static void test_err_bad_values(void **state)
{
	(void)state;
	load_err("[placement]\nnodes = x\n",
		 "p.ini:2: bad value 'x' for 'nodes' (expected auto or a list such as 0-3,8, all, !LIST or +LIST)");
	load_err("[placement]\ncpus = lots\n",
		 "p.ini:2: bad value 'lots' for 'cpus' (expected all, a count such as 8, a share such as 50%, "
		 "or nodes such as '1 node' or '0.5 node')");
	load_err("[placement]\ncpu_list = first\n",
		 "p.ini:2: bad value 'first' for 'cpu_list' (expected a list such as 0-3,8, all, !LIST or +LIST)");
	load_err("[placement]\nstrategy = tight\n",
		 "p.ini:2: bad value 'tight' for 'strategy' (expected compact or spread)");
	load_err("[placement]\nsmt = maybe\n", "p.ini:2: bad value 'maybe' for 'smt' (expected yes or no)");
	load_err("[memory]\npolicy = interleaved\n",
		 "p.ini:2: bad value 'interleaved' for 'policy' (expected local, bind, interleave, preferred or "
		 "default)");
	load_err("[memory]\nnodes = near\n",
		 "p.ini:2: bad value 'near' for 'nodes' (expected plan or a list such as 0-3,8, all, !LIST or +LIST)");
	load_err("[memory]\ninclude_cpuless = sometimes\n",
		 "p.ini:2: bad value 'sometimes' for 'include_cpuless' (expected yes or no)");
	load_err("[runtime]\ngomaxprocs = many\n",
		 "p.ini:2: bad value 'many' for 'gomaxprocs' (expected auto, always, keep, off or a number of threads)");
	load_err("[runtime]\ngomaxprocs = 0\n",
		 "p.ini:2: bad value '0' for 'gomaxprocs' (expected auto, always, keep, off or a number of threads)");
	load_err("[runtime]\nomp_num_threads = always\n",
		 "p.ini:2: bad value 'always' for 'omp_num_threads' (expected auto, keep, off or a number of threads)");
	load_err("[runtime]\nomp_num_threads = -3\n",
		 "p.ini:2: bad value '-3' for 'omp_num_threads' (expected auto, keep, off or a number of threads)");
}

static void test_err_duplicate_key(void **state)
{
	(void)state;
	load_err("[placement]\nsmt = no\nstrategy = spread\nsmt = yes\n",
		 "p.ini:4: duplicate key 'smt' (first set on line 2)");
	/* Across two [placement] sections too. */
	load_err("[placement]\nsmt = no\n[memory]\npolicy = bind\n[placement]\nsmt = no\n",
		 "p.ini:6: duplicate key 'smt' (first set on line 2)");
	load_err("[env]\nA = 1\nA = 2\n", "p.ini:3: duplicate key 'A' (first set on line 2)");
}

static void test_same_key_in_two_sections_is_not_duplicate(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "[placement]\nnodes = 1\n[memory]\nnodes = 2\n");
	assert_string_equal(p.nodes, "1");
	assert_string_equal(p.mem_nodes, "2");
	policy_free(&p);
}

static void test_err_empty_value(void **state)
{
	(void)state;
	load_err("[placement]\nstrategy =\n", "p.ini:2: empty value for 'strategy' in [placement]");
	load_err("[env]\n\nFOO =   \n", "p.ini:3: empty value for 'FOO' in [env]");
}

static void test_err_key_outside_section(void **state)
{
	(void)state;
	load_err("# no section yet\nstrategy = spread\n[placement]\n",
		 "p.ini:2: key 'strategy' outside any section");
}

static void test_err_bad_env_name(void **state)
{
	(void)state;
	load_err("[env]\nGOOD = 1\n1BAD = x\n", "p.ini:3: bad environment variable name '1BAD'");
	load_err("[env]\nA-B = x\n", "p.ini:2: bad environment variable name 'A-B'");
}

static void test_err_syntax(void **state)
{
	(void)state;
	load_err("[placement]\nsmt = no\njust some words\n",
		 "p.ini:3: syntax error (expected [section] or key = value)");
	load_err("[placement\n", "p.ini:1: unclosed section header '[placement' (expected [section])");
	/* an unclosed header is blamed on its own line, not the next one */
	load_err("[placement\nnodes = 0\n", "p.ini:1: unclosed section header '[placement' (expected [section])");
}

static void test_err_line_too_long(void **state)
{
	(void)state;
	/* Far longer than the reader's buffer. */
	size_t n = 4000;
	char *text = malloc(n + 64);
	assert_non_null(text);
	strcpy(text, "[env]\nA = 1\nLONG = ");
	size_t off = strlen(text);
	memset(text + off, 'v', n);
	strcpy(text + off + n, "\nB = 2\n");
	load_err(text, "p.ini:3: line too long (at most 198 characters; continue a long value on the next line with ' \\')");
	/* The longest line that fits is accepted, with or without a final newline. */
	strcpy(text, "[env]\nL = ");
	off = strlen(text);
	memset(text + off, 'v', 198 - 4);
	strcpy(text + off + 198 - 4, "\n");
	struct policy p;
	load_ok(&p, text);
	assert_int_equal(strlen(p.env[0].value), 198 - 4);
	policy_free(&p);
	text[strlen(text) - 1] = '\0';
	load_ok(&p, text);
	assert_int_equal(strlen(p.env[0].value), 198 - 4);
	policy_free(&p);
	free(text);
}

static void test_first_error_wins(void **state)
{
	(void)state;
	load_err("[placement]\nstrategy = tight\n[bogus]\nx = 1\n",
		 "p.ini:2: bad value 'tight' for 'strategy' (expected compact or spread)");
}

/* ---- files ---- */

static void test_load_missing_file(void **state)
{
	(void)state;
	struct policy p;
	char cause[512] = "", path[512];
	char *dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/none.ini", dir);
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, cause, sizeof(cause)), -1);
	char want[600];
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	assert_string_equal(cause, want);
	policy_free(&p);
	tu_rmrf(dir);
	free(dir);
}

static void test_load_file(void **state)
{
	(void)state;
	struct policy p;
	char cause[512] = "", path[512];
	char *dir = tu_tmpdir();
	tu_write(dir, "ok.ini", "[placement]\ncpus = 1 node\n\n[runtime]\ngomaxprocs = keep\n");
	tu_write(dir, "bad.ini", "[placement]\n\n\nstrategy = spred\n");
	snprintf(path, sizeof(path), "%s/ok.ini", dir);
	policy_init(&p);
	if (policy_load(&p, path, cause, sizeof(cause)) != 0)
		fail_msg("%s", cause);
	assert_int_equal(p.cpus_kind, CPUS_NODES);
	assert_true(p.cpus_value == 1.0);
	assert_int_equal(p.gomaxprocs.mode, KNOB_KEEP);
	policy_free(&p);

	snprintf(path, sizeof(path), "%s/bad.ini", dir);
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, cause, sizeof(cause)), -1);
	char want[600];
	snprintf(want, sizeof(want), "%s:4: bad value 'spred' for 'strategy' (expected compact or spread)", path);
	assert_string_equal(cause, want);
	policy_free(&p);
	tu_rmrf(dir);
	free(dir);
}

static void test_load_file_line_too_long(void **state)
{
	(void)state;
	struct policy p;
	char cause[512] = "", path[512];
	char *dir = tu_tmpdir();
	char *text = malloc(5000);
	assert_non_null(text);
	strcpy(text, "[env]\nLONG = ");
	memset(text + strlen(text), 'v', 3000);
	strcpy(text + 13 + 3000, "\n");
	tu_write(dir, "long.ini", text);
	free(text);
	snprintf(path, sizeof(path), "%s/long.ini", dir);
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, cause, sizeof(cause)), -1);
	char want[600];
	snprintf(want, sizeof(want), "%s:2: line too long (at most 198 characters; continue a long value on the next line with ' \\')", path);
	assert_string_equal(cause, want);
	policy_free(&p);
	tu_rmrf(dir);
	free(dir);
}

/* ---- copy, setenv ---- */

static void test_copy_is_deep(void **state)
{
	(void)state;
	struct policy a, b;
	load_ok(&a, "[placement]\nnodes = 0-1\ncpu_list = 0-3\n[memory]\nnodes = 1\npolicy = bind\n"
		    "[env]\nX = 1\nY = 2\n");
	policy_copy(&b, &a);
	assert_ptr_not_equal(a.nodes, b.nodes);
	assert_ptr_not_equal(a.cpu_list, b.cpu_list);
	assert_ptr_not_equal(a.mem_nodes, b.mem_nodes);
	assert_ptr_not_equal(a.env, b.env);
	assert_string_equal(b.nodes, "0-1");
	assert_string_equal(b.cpu_list, "0-3");
	assert_string_equal(b.mem_nodes, "1");
	assert_int_equal(b.mem, MEM_BIND);
	assert_int_equal(b.nenv, 2);

	/* Modify the copy every way; the original stays as it was. */
	b.nodes[0] = '7';
	free(b.cpu_list);
	b.cpu_list = strdup("9");
	b.mem_nodes[0] = '3';
	b.mem = MEM_INTERLEAVE;
	policy_setenv(&b, "X", "changed");
	policy_setenv(&b, "Z", "new");
	b.env[1].value[0] = '8';

	assert_string_equal(a.nodes, "0-1");
	assert_string_equal(a.cpu_list, "0-3");
	assert_string_equal(a.mem_nodes, "1");
	assert_int_equal(a.mem, MEM_BIND);
	assert_int_equal(a.nenv, 2);
	assert_string_equal(a.env[0].value, "1");
	assert_string_equal(a.env[1].value, "2");
	assert_int_equal(b.nenv, 3);
	assert_string_equal(b.env[0].value, "changed");

	policy_free(&b);
	/* a is intact after b is freed. */
	assert_string_equal(a.env[1].name, "Y");
	policy_free(&a);
}

static void test_copy_of_defaults(void **state)
{
	(void)state;
	struct policy a, b;
	policy_init(&a);
	policy_copy(&b, &a);
	assert_null(b.nodes);
	assert_null(b.cpu_list);
	assert_null(b.mem_nodes);
	assert_null(b.env);
	assert_int_equal(b.nenv, 0);
	assert_int_equal(b.omp.mode, KNOB_KEEP);
	policy_free(&b);
	policy_free(&a);
}

static void test_setenv_replaces(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	policy_setenv(&p, "A", "1");
	policy_setenv(&p, "B", "2");
	policy_setenv(&p, "A", "3");
	assert_int_equal(p.nenv, 2);
	assert_string_equal(p.env[0].name, "A");
	assert_string_equal(p.env[0].value, "3");
	assert_string_equal(p.env[1].name, "B");
	assert_string_equal(p.env[1].value, "2");
	policy_free(&p);
}

/* ---- knob and other value parsers ---- */

static void test_parse_knob(void **state)
{
	(void)state;
	struct knob k = {KNOB_KEEP, 0};
	char cause[384] = "";

	assert_int_equal(policy_parse_knob("always", 1, &k, cause, sizeof(cause)), 0);
	assert_int_equal(k.mode, KNOB_ALWAYS);

	k.mode = KNOB_KEEP;
	assert_int_equal(policy_parse_knob("always", 0, &k, cause, sizeof(cause)), -1);
	assert_string_equal(cause, "bad value 'always' (expected auto, keep, off or a number of threads)");
	assert_int_equal(k.mode, KNOB_KEEP);

	assert_int_equal(policy_parse_knob("0", 1, &k, cause, sizeof(cause)), -1);
	assert_string_equal(cause, "bad value '0' (expected auto, always, keep, off or a number of threads)");
	assert_int_equal(policy_parse_knob("-4", 1, &k, cause, sizeof(cause)), -1);
	assert_int_equal(policy_parse_knob("4x", 1, &k, cause, sizeof(cause)), -1);
	assert_int_equal(policy_parse_knob("", 1, &k, cause, sizeof(cause)), -1);
	assert_int_equal(k.mode, KNOB_KEEP);

	assert_int_equal(policy_parse_knob("12", 0, &k, cause, sizeof(cause)), 0);
	assert_int_equal(k.mode, KNOB_VALUE);
	assert_int_equal(k.value, 12);
	assert_int_equal(policy_parse_knob("auto", 0, &k, cause, sizeof(cause)), 0);
	assert_int_equal(k.mode, KNOB_AUTO);
	assert_int_equal(policy_parse_knob("keep", 0, &k, cause, sizeof(cause)), 0);
	assert_int_equal(k.mode, KNOB_KEEP);
	assert_int_equal(policy_parse_knob("off", 0, &k, cause, sizeof(cause)), 0);
	assert_int_equal(k.mode, KNOB_OFF);
}

static void test_parse_bool_strategy_mem(void **state)
{
	(void)state;
	char cause[384] = "";
	int b = -1;
	enum strategy s = STRATEGY_COMPACT;
	enum mem_policy m = MEM_LOCAL;
	const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
	for (int i = 0; i < 4; i++) {
		b = -1;
		assert_int_equal(policy_parse_bool(yes[i], &b, cause, sizeof(cause)), 0);
		assert_int_equal(b, 1);
		assert_int_equal(policy_parse_bool(no[i], &b, cause, sizeof(cause)), 0);
		assert_int_equal(b, 0);
	}
	assert_int_equal(policy_parse_bool("Yes!", &b, cause, sizeof(cause)), -1);
	assert_string_equal(cause, "bad value 'Yes!' (expected yes or no)");
	assert_int_equal(policy_parse_strategy("spread", &s, cause, sizeof(cause)), 0);
	assert_int_equal(s, STRATEGY_SPREAD);
	assert_int_equal(policy_parse_strategy("Spread", &s, cause, sizeof(cause)), -1);
	assert_int_equal(policy_parse_mem("default", &m, cause, sizeof(cause)), 0);
	assert_int_equal(m, MEM_DEFAULT);
	assert_int_equal(policy_parse_mem("membind", &m, cause, sizeof(cause)), -1);
	assert_int_equal(m, MEM_DEFAULT);
}

static void test_names(void **state)
{
	(void)state;
	char buf[64];
	struct knob k = {KNOB_VALUE, 8};
	assert_string_equal(policy_strategy_name(STRATEGY_SPREAD), "spread");
	assert_string_equal(policy_mem_name(MEM_INTERLEAVE), "interleave");
	assert_string_equal(policy_knob_str(&k, buf, sizeof(buf)), "8");
	k.mode = KNOB_ALWAYS;
	assert_string_equal(policy_knob_str(&k, buf, sizeof(buf)), "always");
	assert_string_equal(policy_cpus_str(CPUS_PERCENT, 50, buf, sizeof(buf)), "50%");
	assert_string_equal(policy_cpus_str(CPUS_NODES, 1, buf, sizeof(buf)), "1 node");
	assert_string_equal(policy_cpus_str(CPUS_NODES, 1.5, buf, sizeof(buf)), "1.5 nodes");
	assert_string_equal(policy_cpus_str(CPUS_COUNT, 12, buf, sizeof(buf)), "12");
	assert_string_equal(policy_cpus_str(CPUS_ALL, 0, buf, sizeof(buf)), "all");
}

/* ---- resident mode: [monitor], [threads], balancing ---- */

static void test_resident_sections(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	assert_false(policy_resident(&p));
	assert_int_equal(p.interval_ms, 1000);
	assert_true(p.threshold > 0.29 && p.threshold < 0.31);
	policy_free(&p);
	load_ok(&p, "[memory]\npolicy = bind\nnodes = 0\nbalancing = yes\n"
		    "[monitor]\nenabled = yes\ninterval = 500ms\nsource = faults\naction = migrate\n"
		    "threshold = 0.25\nsustain = 4\nsettle = 6\nmax_moves_per_minute = 3\nmin_cpu = 10%\n"
		    "descendants = yes\n"
		    "[threads]\nplacement = compact\nexclude = gc*, sysmon\nnode.worker* = 1\n");
	assert_int_equal(p.balancing, BALANCING_YES);
	assert_true(p.monitor);
	assert_int_equal(p.interval_ms, 500);
	assert_int_equal(p.source, SOURCE_FAULTS);
	assert_int_equal(p.action, ACTION_MIGRATE);
	assert_true(p.threshold > 0.249 && p.threshold < 0.251);
	assert_int_equal(p.sustain, 4);
	assert_int_equal(p.settle, 6);
	assert_int_equal(p.max_moves, 3);
	assert_true(p.min_cpu > 0.099 && p.min_cpu < 0.101);
	assert_true(p.descendants);
	assert_int_equal(p.threads, THREADS_COMPACT);
	assert_int_equal(p.nrules, 3);
	assert_string_equal(p.rules[0].glob, "gc*");
	assert_null(p.rules[0].nodes);
	assert_string_equal(p.rules[1].glob, "sysmon");
	assert_string_equal(p.rules[2].glob, "worker*");
	assert_string_equal(p.rules[2].nodes, "1");
	assert_true(policy_resident(&p));
	struct policy c;
	policy_copy(&c, &p);
	free(c.rules[2].nodes);
	c.rules[2].nodes = strdup("0");
	assert_string_equal(p.rules[2].nodes, "1");
	policy_free(&c);
	policy_free(&p);
	/* A node rule alone makes numarun stay to pin the threads it names. */
	load_ok(&p, "[threads]\nnode.io* = 0\n");
	assert_true(policy_resident(&p));
	policy_free(&p);
}

static void test_resident_errors(void **state)
{
	(void)state;
	load_err("[monitor]\ninterval = 5ms\n", "p.ini:2: bad value '5ms' for 'interval' (expected a duration such as 1s or 500ms, from 10ms to 1h)");
	load_err("[monitor]\nthreshold = 130%\n", "p.ini:2: bad value '130%' for 'threshold' (expected a share such as 30% or 0.3)");
	load_err("[monitor]\nsource = magic\n", "p.ini:2: bad value 'magic' for 'source' (expected auto, pmu, faults or pages)");
	load_err("[monitor]\naction = jump\n", "p.ini:2: bad value 'jump' for 'action' (expected move, migrate or none)");
	load_err("[monitor]\nsustain = 0\n", "p.ini:2: bad value '0' for 'sustain' (expected a count from 1 to 100000)");
	load_err("[monitor]\nintervall = 1s\n", "p.ini:2: unknown key 'intervall' in [monitor]");
	load_err("[threads]\nplacement = round\n", "p.ini:2: bad value 'round' for 'placement' (expected none, spread or compact)");
	load_err("[threads]\nnode.w* = x\n", "p.ini:2: bad value 'x' for 'node.w*' (expected nodes such as 0 or 0-1)");
	load_err("[threads]\npin = 1\n", "p.ini:2: unknown key 'pin' in [threads]");
	load_err("[memory]\nbalancing = perhaps\n", "p.ini:2: bad value 'perhaps' for 'balancing' (expected auto, yes or no)");
	load_err("[runtime]\ngomemlimit = lots\n", "p.ini:2: bad value 'lots' for 'gomemlimit' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)");
	load_err("[runtime]\ngomemlimit = 12XB\n", "p.ini:2: bad value '12XB' for 'gomemlimit' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)");
	load_err("[runtime]\ngomemlimit = 1000\n", "p.ini:2: bad value '1000' for 'gomemlimit' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)");
	load_err("[runtime]\ngomemlimit = always\n", "p.ini:2: bad value 'always' for 'gomemlimit' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)");
	load_err("[runtime]\ngomemlimit = -1GiB\n", "p.ini:2: bad value '-1GiB' for 'gomemlimit' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)");
}

/* balancing = auto | yes | no (and the boolean spellings); gomemlimit = auto | keep | off | SIZE. */
static void test_balancing_and_gomemlimit(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum balancing_mode want;
	} bal[] = {{"auto", BALANCING_AUTO}, {"yes", BALANCING_YES}, {"on", BALANCING_YES}, {"no", BALANCING_NO},
		   {"false", BALANCING_NO}};
	for (size_t i = 0; i < sizeof(bal) / sizeof(bal[0]); i++) {
		char text[64];
		struct policy p;
		snprintf(text, sizeof(text), "[memory]\nbalancing = %s\n", bal[i].text);
		load_ok(&p, text);
		assert_int_equal(p.balancing, bal[i].want);
		policy_free(&p);
	}
	static const struct {
		const char *text;
		enum knob_mode mode;
		long bytes;
	} lim[] = {{"auto", KNOB_AUTO, 0}, {"keep", KNOB_KEEP, 0}, {"off", KNOB_OFF, 0},
		   {"1073741824", KNOB_VALUE, 1073741824L}, {"512MiB", KNOB_VALUE, 536870912L},
		   {"2GiB", KNOB_VALUE, 2147483648L}, {"1.5G", KNOB_VALUE, 1610612736L}, {"64M", KNOB_VALUE, 67108864L}};
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		char text[64], back[64];
		struct policy p;
		snprintf(text, sizeof(text), "[runtime]\ngomemlimit = %s\n", lim[i].text);
		load_ok(&p, text);
		assert_int_equal(p.gomemlimit.mode, lim[i].mode);
		assert_int_equal(p.gomemlimit.value, lim[i].bytes);
		/* What the writer prints reads back the same. */
		struct knob k;
		char why[256];
		assert_int_equal(policy_parse_memlimit(policy_memlimit_str(&p.gomemlimit, back, sizeof(back)), &k, why,
						       sizeof(why)), 0);
		assert_int_equal(k.mode, p.gomemlimit.mode);
		assert_int_equal(k.value, p.gomemlimit.value);
		policy_free(&p);
	}
}

/* Where a policy was planned, and strict: read back, copied, checked. */
static void test_planned_and_strict(void **state)
{
	(void)state;
	struct policy p, q;
	char cause[512];
	policy_init(&p);
	assert_int_equal(policy_load_string(&p, "p.ini",
					    "[placement]\ncpu_list = 4-7\ncpus = all\nplanned_cpus = 4-11\n"
					    "planned_nodes = 1\nstrict = yes\n[memory]\npolicy = bind\nnodes = 1\n",
					    cause, sizeof(cause)), 0);
	assert_string_equal(p.planned_cpus, "4-11");
	assert_string_equal(p.planned_nodes, "1");
	assert_int_equal(p.strict, 1);
	assert_int_equal(p.from_file, POLICY_FROM_FILE_CPU_LIST | POLICY_FROM_FILE_CPUS | POLICY_FROM_FILE_MEM_NODES);
	policy_copy(&q, &p);
	assert_string_equal(q.planned_cpus, "4-11");
	assert_string_equal(q.planned_nodes, "1");
	assert_int_equal(q.from_file, p.from_file);
	policy_free(&q);
	policy_free(&p);
	load_err("[placement]\nplanned_cpus = 1-\n", "p.ini:2: bad value '1-' for 'planned_cpus' (expected a list such as 0-3,8)");
	load_err("[placement]\n\nplanned_nodes = x\n", "p.ini:3: bad value 'x' for 'planned_nodes' (expected a list such as 0-3,8)");
	load_err("[placement]\nstrict = maybe\n", "p.ini:2: bad value 'maybe' for 'strict' (expected yes or no)");
}

int main(void)
{
	const struct CMUnitTest load[] = {
		cmocka_unit_test(test_planned_and_strict),
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_load_full),
		cmocka_unit_test(test_load_keywords),
		cmocka_unit_test(test_load_keeps_unset_defaults),
		cmocka_unit_test(test_load_comments_and_blank_lines),
		cmocka_unit_test(test_load_empty_text),
		cmocka_unit_test(test_load_indented_keys),
		cmocka_unit_test(test_resident_sections),
		cmocka_unit_test(test_resident_errors),
		cmocka_unit_test(test_balancing_and_gomemlimit),
		cmocka_unit_test(test_load_env_value_as_is),
		cmocka_unit_test(test_same_key_in_two_sections_is_not_duplicate),
		cmocka_unit_test(test_cpus_forms),
		cmocka_unit_test(test_parse_cpus_direct),
	};
	const struct CMUnitTest errors[] = {
		cmocka_unit_test(test_err_unknown_section),
		cmocka_unit_test(test_err_unknown_key_line),
		cmocka_unit_test(test_err_bad_values),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_empty_value),
		cmocka_unit_test(test_err_key_outside_section),
		cmocka_unit_test(test_err_bad_env_name),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_line_too_long),
		cmocka_unit_test(test_first_error_wins),
	};
	const struct CMUnitTest files[] = {
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_file_line_too_long),
	};
	const struct CMUnitTest helpers[] = {
		cmocka_unit_test(test_copy_is_deep),
		cmocka_unit_test(test_copy_of_defaults),
		cmocka_unit_test(test_setenv_replaces),
		cmocka_unit_test(test_parse_knob),
		cmocka_unit_test(test_parse_bool_strategy_mem),
		cmocka_unit_test(test_names),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("policy defaults and loading", load, NULL, NULL);
	failed += cmocka_run_group_tests_name("policy errors", errors, NULL, NULL);
	failed += cmocka_run_group_tests_name("policy files", files, NULL, NULL);
	failed += cmocka_run_group_tests_name("policy copy, setenv, parsers", helpers, NULL, NULL);
	return failed ? 1 : 0;
}
