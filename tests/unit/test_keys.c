/* test_keys.c - the key table walked: every key writes and reads back, names FILE:LINE and itself on a
 * bad value, and its command-line option gives what the key gives; long values round-trip; plan --ini
 * read back reproduces the plan (CPUs, order, nodes, memory, rules, resident settings). */
#include "config.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "cli.h"
#include "keys.h"
#include "nodelist.h"
#include "plan.h"
#include "policy.h"

/* A value other than the default, and a bad one, for every key of the table (by section.key). */
static const struct {
	const char *key, *good, *bad;
	const char *with;         /* a line the key needs beside it, or NULL */
} samples[] = {
	{"placement.nodes", "0-1", "1-", NULL},
	{"placement.cpus", "12", "4294967297", NULL},
	{"placement.cpu_list", "3,1,2", "0-18446744073709551615", NULL},
	{"placement.planned_cpus", "0-7", "0-3,x", NULL},
	{"placement.planned_nodes", "0-1", "!0", NULL},
	{"placement.strategy", "spread", "tight", NULL},
	{"placement.smt", "no", "2", NULL},
	{"placement.strict", "yes", "maybe", NULL},
	{"memory.policy", "interleave", "interleaved", NULL},
	{"memory.nodes", "0,2", "near", "policy = bind"},
	{"memory.include_cpuless", "yes", "sometimes", NULL},
	{"memory.balancing", "no", "perhaps", NULL},
	{"runtime.gomaxprocs", "6", "99999999999999999999", NULL},
	{"runtime.omp_num_threads", "off", "always", NULL},
	{"runtime.gomemlimit", "2GiB", "12XB", NULL},
	{"monitor.enabled", "yes", "y", NULL},
	{"monitor.interval", "250ms", "2d", NULL},
	{"monitor.source", "faults", "perf", NULL},
	{"monitor.action", "migrate", "jump", NULL},
	{"monitor.threshold", "45%", "130%", NULL},
	{"monitor.sustain", "7", "0", NULL},
	{"monitor.settle", "9", "18446744073709551617", NULL},
	{"monitor.max_moves_per_minute", "1000", "-1", NULL},
	{"monitor.min_cpu", "0.125", "2", NULL},
	{"monitor.descendants", "yes", "sure", NULL},
	{"threads.placement", "compact", "packed", NULL},
	{"threads.exclude", "gc*,sysmon", ",", NULL},
	{"threads.node.", "1", "!all", NULL},
	{"env.*", "a value", NULL, NULL},
};

static const char *with(const struct policy_key *k)
{
	char full[64];
	snprintf(full, sizeof(full), "%s.%s", k->section, k->name);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].key, full) == 0 && samples[i].with)
			return samples[i].with;
	return NULL;
}

/* "[section]\n" and the line the key needs, if any */
static void head(char *buf, size_t len, const struct policy_key *k)
{
	snprintf(buf, len, "[%s]\n%s%s", k->section, with(k) ? with(k) : "", with(k) ? "\n" : "");
}

static const char *sample(const struct policy_key *k, int bad)
{
	char full[64];
	snprintf(full, sizeof(full), "%s.%s", k->section, k->name);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].key, full) == 0)
			return bad ? samples[i].bad : samples[i].good;
	fail_msg("no sample value for %s: every key of the table is tested", full);
	return NULL;
}

/* The key as it appears in a file: node.GLOB and an [env] name stand for their entries. */
static const char *file_key(const struct policy_key *k)
{
	if (k->type == KT_RULE)
		return "node.worker*";
	if (k->type == KT_ENV)
		return "MY_VAR";
	return k->name;
}

static char *write_str(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(policy_write(f, p, NULL), 0);
	fclose(f);
	return buf;
}

static void load_ok(struct policy *p, const char *text)
{
	char cause[1024] = "";
	policy_init(p);
	if (policy_load_string(p, "p.ini", text, cause, sizeof(cause)) != 0)
		fail_msg("%s\n--- text ---\n%s", cause, text);
}

static void test_every_key_round_trips(void **state)
{
	(void)state;
	struct policy def;
	policy_init(&def);
	char *def_text = write_str(&def);
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		char text[512], h[128];
		head(h, sizeof(h), k);
		snprintf(text, sizeof(text), "%s%s = %s\n", h, file_key(k), sample(k, 0));
		struct policy p, q;
		load_ok(&p, text);
		char *w1 = write_str(&p);
		if (strcmp(w1, def_text) == 0)
			fail_msg("%s.%s = %s: the policy is still the default (the sample must change it)", k->section,
				 k->name, sample(k, 0));
		load_ok(&q, w1);
		char *w2 = write_str(&q);
		if (strcmp(w1, w2) != 0)
			fail_msg("%s.%s: written\n%s\nread back and written\n%s", k->section, k->name, w1, w2);
		/* what was asked is what reads back */
		assert_int_equal(p.nrules, q.nrules);
		assert_int_equal(p.nenv, q.nenv);
		free(w1);
		free(w2);
		policy_free(&p);
		policy_free(&q);
	}
	free(def_text);
	policy_free(&def);
}

static void test_every_key_bad_value_names_line_and_key(void **state)
{
	(void)state;
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		const char *bad = sample(k, 1);
		if (!bad)
			continue; /* [env]: any value is a value */
		char text[512], cause[1024] = "", h[128];
		head(h, sizeof(h), k);
		snprintf(text, sizeof(text), "# a comment\n%s\n%s = %s\n", h, file_key(k), bad);
		int line = with(k) ? 5 : 4;
		struct policy p;
		policy_init(&p);
		int rc = policy_load_string(&p, "p.ini", text, cause, sizeof(cause));
		policy_free(&p);
		if (rc != -1)
			fail_msg("%s = %s was accepted", file_key(k), bad);
		char want[128], at[32];
		snprintf(want, sizeof(want), "'%s'", file_key(k));
		snprintf(at, sizeof(at), "p.ini:%d: ", line);
		if (strncmp(cause, at, strlen(at)) != 0 || !strstr(cause, want))
			fail_msg("%s = %s: \"%s\" does not start with %s and name %s", file_key(k), bad, cause, at, want);
		/* the empty value too */
		snprintf(text, sizeof(text), "%s%s =\n", h, file_key(k));
		policy_init(&p);
		assert_int_equal(policy_load_string(&p, "p.ini", text, cause, sizeof(cause)), -1);
		policy_free(&p);
		snprintf(at, sizeof(at), "p.ini:%d: ", with(k) ? 3 : 2);
		if (strncmp(cause, at, strlen(at)) != 0 || !strstr(cause, want))
			fail_msg("%s with an empty value: \"%s\"", file_key(k), cause);
	}
}

/* Parse argv (NULL-terminated, after "plan") and apply over the defaults. */
static int cli_policy(const char *opt, const char *value, struct policy *p, char *cause, size_t len)
{
	char optbuf[128];
	char *argv[6];
	int argc = 0;
	argv[argc++] = (char *)"numarun";
	argv[argc++] = (char *)"plan";
	if (value) {
		snprintf(optbuf, sizeof(optbuf), "--%s=%s", opt, value);
		argv[argc++] = optbuf;
	} else {
		snprintf(optbuf, sizeof(optbuf), "--%s", opt);
		argv[argc++] = optbuf;
	}
	argv[argc] = NULL;
	struct opts o;
	int rc = cli_parse(argc, argv, &o, cause, len);
	policy_init(p);
	if (rc == 0)
		cli_apply(&o, p);
	cli_free(&o);
	return rc;
}

static void test_every_option_gives_what_its_key_gives(void **state)
{
	(void)state;
	int options = 0;
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		if (!k->option)
			continue;
		options++;
		char text[512], cause[1024];
		struct policy from_file, from_cli;
		if (k->noarg_value && !k->optional_value) {
			/* an option without a value: the key with the value it stands for; a value refused */
			snprintf(text, sizeof(text), "[%s]\n%s = %s\n", k->section, k->name, k->noarg_value);
			load_ok(&from_file, text);
			assert_int_equal(cli_policy(k->option, NULL, &from_cli, cause, sizeof(cause)), 0);
			char *a = write_str(&from_file), *b = write_str(&from_cli);
			assert_string_equal(a, b);
			free(a);
			free(b);
			policy_free(&from_file);
			policy_free(&from_cli);
			assert_int_equal(cli_policy(k->option, "yes", &from_cli, cause, sizeof(cause)), -1);
			policy_free(&from_cli);
			char want[64];
			snprintf(want, sizeof(want), "option '--%s' takes no value", k->option);
			assert_string_equal(cause, want);
			continue;
		}
		snprintf(text, sizeof(text), "[%s]\n%s = %s\n", k->section, k->name, sample(k, 0));
		load_ok(&from_file, text);
		if (cli_policy(k->option, sample(k, 0), &from_cli, cause, sizeof(cause)) != 0)
			fail_msg("--%s=%s: %s", k->option, sample(k, 0), cause);
		char *a = write_str(&from_file), *b = write_str(&from_cli);
		if (strcmp(a, b) != 0)
			fail_msg("%s = %s and --%s=%s differ:\n%s\n---\n%s", k->name, sample(k, 0), k->option, sample(k, 0),
				 a, b);
		free(a);
		free(b);
		policy_free(&from_file);
		policy_free(&from_cli);
		/* a bad value is refused on both sides, the option named */
		if (cli_policy(k->option, sample(k, 1), &from_cli, cause, sizeof(cause)) == 0)
			fail_msg("--%s=%s was accepted", k->option, sample(k, 1));
		policy_free(&from_cli);
		char want[64];
		snprintf(want, sizeof(want), "--%s: ", k->option);
		if (strncmp(cause, want, strlen(want)) != 0)
			fail_msg("--%s=%s: \"%s\" does not name the option", k->option, sample(k, 1), cause);
		/* an option that stands for a value without one: the same as the key with that value */
		if (k->noarg_value) {
			snprintf(text, sizeof(text), "[%s]\n%s = %s\n", k->section, k->name, k->noarg_value);
			load_ok(&from_file, text);
			assert_int_equal(cli_policy(k->option, NULL, &from_cli, cause, sizeof(cause)), 0);
			a = write_str(&from_file);
			b = write_str(&from_cli);
			assert_string_equal(a, b);
			free(a);
			free(b);
			policy_free(&from_file);
			policy_free(&from_cli);
		}
	}
	assert_true(options >= 15);
}

/* The memory-policy options set two keys: the same as the keys in a file. */
static void test_memory_options_are_their_keys(void **state)
{
	(void)state;
	static const struct {
		const char *opt, *value, *text;
	} cases[] = {
		{"membind", "0", "[memory]\npolicy = bind\nnodes = 0\n"},
		{"interleave", "all", "[memory]\npolicy = interleave\nnodes = all\n"},
		{"preferred", "1", "[memory]\npolicy = preferred\nnodes = 1\n"},
		{"localalloc", NULL, "[memory]\npolicy = local\nnodes = plan\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy a, b;
		char cause[512];
		load_ok(&a, cases[i].text);
		if (cli_policy(cases[i].opt, cases[i].value, &b, cause, sizeof(cause)) != 0)
			fail_msg("--%s: %s", cases[i].opt, cause);
		char *wa = write_str(&a), *wb = write_str(&b);
		assert_string_equal(wa, wb);
		free(wa);
		free(wb);
		policy_free(&a);
		policy_free(&b);
	}
	struct policy b;
	char cause[512];
	assert_int_equal(cli_policy("membind", "1-", &b, cause, sizeof(cause)), -1);
	policy_free(&b);
	assert_string_equal(cause, "--membind: bad value '1-' (expected plan or a list such as 0-3,8, all, !LIST or +LIST)");
}

/* Lists are one meaning on both sides: !all, + and ranges alike. */
static void test_lists_same_on_both_sides(void **state)
{
	(void)state;
	static const char *const lists[] = {"all", "!1", "+0-1", "!+0", "0-3,8", "!all", "1-2-3", "4294967296", ""};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		char text[128], c1[512] = "", c2[512] = "";
		snprintf(text, sizeof(text), "[placement]\ncpu_list = %s\n", lists[i]);
		struct policy a, b;
		policy_init(&a);
		int ra = policy_load_string(&a, "p.ini", text, c1, sizeof(c1));
		int rb = cli_policy("physcpubind", lists[i], &b, c2, sizeof(c2));
		if (ra != rb)
			fail_msg("'%s': the file says %d (%s), the command line %d (%s)", lists[i], ra, c1, rb, c2);
		if (ra == 0)
			assert_string_equal(a.cpu_list, b.cpu_list);
		policy_free(&a);
		policy_free(&b);
	}
}

static void check_lines_fit(const char *text)
{
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		if (n > 198)
			fail_msg("a written line of %zu characters: inih reads at most 198", n);
		l += n + (e ? 1 : 0);
	}
}

static void test_long_values_round_trip(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	/* 4096 CPUs in an interleaved order (two nodes' CPUs alternately): no range can shorten it */
	size_t cap = 4096 * 6 + 16, off = 0;
	char *list = malloc(cap);
	for (unsigned i = 0; i < 2048; i++)
		off += (size_t)snprintf(list + off, cap - off, "%s%u,%u", i ? "," : "", i, i + 2048);
	p.cpu_list = strdup(list);
	/* an [env] value of 1000 characters, with spaces, backslashes and an inline-comment look-alike */
	char val[1001];
	for (int i = 0; i < 1000; i++)
		val[i] = "ab c\\d;e=f:g#"[i % 13];
	val[1000] = '\0';
	policy_setenv(&p, "LONG_VALUE", val);
	policy_setenv(&p, "ENDS_IN_BACKSLASH", "C:\\");
	policy_add_rule(&p, "gc*", NULL);
	policy_add_rule(&p, "worker*", "1");
	policy_add_rule(&p, "io*", NULL);
	char *w = write_str(&p);
	check_lines_fit(w);
	struct policy q;
	load_ok(&q, w);
	assert_string_equal(q.cpu_list, list);
	assert_int_equal(q.nenv, 2);
	assert_string_equal(q.env[0].value, val);
	assert_string_equal(q.env[1].value, "C:\\");
	/* rules in their order: exclude, node, exclude */
	assert_int_equal(q.nrules, 3);
	assert_string_equal(q.rules[0].glob, "gc*");
	assert_null(q.rules[0].nodes);
	assert_string_equal(q.rules[1].glob, "worker*");
	assert_string_equal(q.rules[1].nodes, "1");
	assert_string_equal(q.rules[2].glob, "io*");
	assert_null(q.rules[2].nodes);
	/* and the order the list names is the order the planner uses (nodelist_written_order) */
	hwloc_bitmap_t all = hwloc_bitmap_alloc();
	hwloc_bitmap_set_range(all, 0, 4095);
	unsigned *order = calloc(4096, sizeof(unsigned));
	assert_int_equal(nodelist_written_order(q.cpu_list, all, order, 4096), 4096);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 2048);
	assert_int_equal(order[4095], 4095);
	free(order);
	hwloc_bitmap_free(all);
	free(w);
	free(list);
	policy_free(&p);
	policy_free(&q);
}

/* What the writer cannot write as it is, it leaves out with a comment that reads back; the rest is exact.
 * (Found by fuzz_policy: breaks before a blank or a '#', a value starting with ';', a glob "\\", long or
 * unprintable names in the comments.) */
static void test_writer_hard_values(void **state)
{
	(void)state;
	struct policy p;
	policy_init(&p);
	char attrs[600] = "";
	for (int i = 0; i < 30; i++)
		snprintf(attrs + strlen(attrs), sizeof(attrs) - strlen(attrs), "%skey%02d=value%02d", i ? ", " : "", i, i);
	policy_setenv(&p, "OTEL_RESOURCE_ATTRIBUTES", attrs);
	char hashes[300];
	for (int i = 0; i < 299; i++)
		hashes[i] = i % 3 == 2 ? '#' : (i % 3 == 1 ? ',' : 'x');
	hashes[299] = '\0';
	policy_setenv(&p, "HASHES", hashes);
	policy_setenv(&p, "STARTS_WITH_SEMICOLON", ";x");
	policy_setenv(&p, "ENDS_IN_BLANK_BACKSLASH", "a \\");
	char longname[200];
	memset(longname, 'N', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	policy_setenv(&p, longname, "v");
	policy_add_rule(&p, "\\", NULL);
	policy_add_rule(&p, "a\x01b", NULL);
	char longglob[300];
	memset(longglob, 'g', sizeof(longglob) - 1);
	longglob[sizeof(longglob) - 1] = '\0';
	policy_add_rule(&p, longglob, "0");
	policy_add_rule(&p, "ok*", "1");
	char *w = write_str(&p);
	check_lines_fit(w);
	struct policy q;
	load_ok(&q, w);
	/* written exactly */
	assert_int_equal(q.nenv, 2);
	assert_string_equal(q.env[0].name, "OTEL_RESOURCE_ATTRIBUTES");
	assert_string_equal(q.env[0].value, attrs);
	assert_string_equal(q.env[1].value, hashes);
	/* the rules that can be written, in their order: a lone backslash is a value, not a continuation */
	assert_int_equal(q.nrules, 2);
	assert_string_equal(q.rules[0].glob, "\\");
	assert_null(q.rules[0].nodes);
	assert_string_equal(q.rules[1].glob, "ok*");
	/* and writing it again is stable */
	char *w2 = write_str(&q);
	struct policy r;
	load_ok(&r, w2);
	char *w3 = write_str(&r);
	assert_string_equal(w2, w3);
	free(w);
	free(w2);
	free(w3);
	policy_free(&p);
	policy_free(&q);
	policy_free(&r);
}

/* A continued value: " \" at the end, the next line indented or not; a blank line ends it. */
static void test_continuation_syntax(void **state)
{
	(void)state;
	struct policy p;
	load_ok(&p, "[placement]\ncpu_list = 0-3, \\\n    8-11, \\\n12\nsmt = no\n");
	assert_string_equal(p.cpu_list, "0-3,8-11,12");
	assert_int_equal(p.smt, 0);
	policy_free(&p);
	/* a value ending in a backslash, and continued pieces that are one, keep it */
	char *w;
	policy_init(&p);
	char v[300];
	memset(v, 'v', 200);
	strcpy(v + 200, "\\");
	policy_setenv(&p, "TRAILING", v);
	w = write_str(&p);
	policy_free(&p);
	load_ok(&p, w);
	assert_string_equal(p.env[0].value, v);
	free(w);
	policy_free(&p);
	/* a name longer than inih's own buffer for the key of a continued value (50) */
	policy_init(&p);
	char name[151];
	memset(name, 'N', 150);
	name[150] = '\0';
	policy_setenv(&p, name, v);
	w = write_str(&p);
	policy_free(&p);
	load_ok(&p, w);
	assert_string_equal(p.env[0].name, name);
	assert_string_equal(p.env[0].value, v);
	free(w);
	policy_free(&p);
	load_ok(&p, "[env]\nA = \\\n");
	assert_string_equal(p.env[0].value, "\\");
	policy_free(&p);
	/* a backslash without a blank before it is part of the value */
	load_ok(&p, "[env]\nWIN = C:\\\nOTHER = x\n");
	assert_string_equal(p.env[0].value, "C:\\");
	assert_string_equal(p.env[1].value, "x");
	policy_free(&p);
	/* an indented key is still a key */
	load_ok(&p, "[placement]\n  smt = no\n  strategy = spread\n");
	assert_int_equal(p.strategy, STRATEGY_SPREAD);
	policy_free(&p);
	/* the error of a continued value is on the key's line */
	char cause[512];
	policy_init(&p);
	assert_int_equal(policy_load_string(&p, "p.ini", "[placement]\ncpu_list = 0-3, \\\n 9-\n", cause, sizeof(cause)), -1);
	policy_free(&p);
	assert_string_equal(cause, "p.ini:2: bad value '0-3,9-' for 'cpu_list' (expected a list such as 0-3,8, all, !LIST or +LIST)");
}

static void test_duplicates_past_64_keys(void **state)
{
	(void)state;
	size_t cap = 200 * 40, off = 0;
	char *text = malloc(cap);
	off += (size_t)snprintf(text + off, cap - off, "[env]\n");
	for (int i = 0; i < 150; i++)
		off += (size_t)snprintf(text + off, cap - off, "V%d = %d\n", i, i);
	off += (size_t)snprintf(text + off, cap - off, "V120 = again\n");
	struct policy p;
	char cause[512];
	policy_init(&p);
	assert_int_equal(policy_load_string(&p, "p.ini", text, cause, sizeof(cause)), -1);
	assert_string_equal(cause, "p.ini:152: duplicate key 'V120' (first set on line 122)");
	policy_free(&p);
	free(text);
}

static void test_number_parser(void **state)
{
	(void)state;
	long long n;
	assert_int_equal(number_parse("0", 0, 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(number_parse("9223372036854775807", 0, INT64_MAX, &n), 0);
	assert_true(n == INT64_MAX);
	assert_int_equal(number_parse("9223372036854775808", 0, INT64_MAX, &n), -1);
	assert_int_equal(number_parse("18446744073709551617", 0, INT64_MAX, &n), -1);
	assert_int_equal(number_parse("99999999999999999999999999", 0, INT64_MAX, &n), -1);
	assert_int_equal(number_parse("-9223372036854775808", INT64_MIN, 0, &n), 0);
	assert_true(n == INT64_MIN);
	assert_int_equal(number_parse("-1", 0, 10, &n), -1);
	assert_int_equal(number_parse("-1", -5, 10, &n), 0);
	assert_int_equal(n, -1);
	assert_int_equal(number_parse("11", 0, 10, &n), -1);
	assert_int_equal(number_parse("", 0, 10, &n), -1);
	assert_int_equal(number_parse("1x", 0, 10, &n), -1);
	assert_int_equal(number_parse(" 1", 0, 10, &n), -1);
	assert_int_equal(number_parse("+1", 0, 10, &n), -1);
	assert_int_equal(number_parse("4294967297", 1, 65536, &n), -1);
}

/* Every key of the table is documented in numarun.ini(5), with its option where it has one in numarun(1). */
static char *slurp(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open", path);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int ch;
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void test_every_key_documented(void **state)
{
	(void)state;
	char *ini5 = slurp("man/numarun.ini.5"), *one = slurp("man/numarun.1");
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		char want[128];
		if (k->type == KT_ENV)
			snprintf(want, sizeof(want), "SECTION [%s]", k->section);
		else if (k->type == KT_RULE)
			snprintf(want, sizeof(want), ".BR %s \\fIGLOB", k->name);
		else
			snprintf(want, sizeof(want), "%s \" = ", k->name);
		if (!strstr(ini5, want))
			fail_msg("numarun.ini.5 does not document [%s] %s (looked for: %s)", k->section, k->name, want);
		if (k->option) {
			snprintf(want, sizeof(want), "\\-\\-");
			char opt[96];
			size_t o = 0;
			for (const char *c = k->option; *c && o + 3 < sizeof(opt); c++) {
				if (*c == '-')
					opt[o++] = '\\';
				opt[o++] = *c;
			}
			opt[o] = '\0';
			snprintf(want, sizeof(want), "\\-\\-%s", opt);
			if (!strstr(one, want))
				fail_msg("numarun.1 does not document --%s (the option of [%s] %s)", k->option, k->section, k->name);
		}
	}
	free(ini5);
	free(one);
}

/* ---- plan --ini reproduces the plan ---- */

static void plan_or_fail(const struct topo *t, const struct policy *p, struct plan *pl, const char *what)
{
	char cause[1024];
	memset(pl, 0, sizeof(*pl));
	if (plan_compute(t, p, pl, cause, sizeof(cause)) < 0)
		fail_msg("%s: %s", what, cause);
}

static void same_plan(const struct plan *a, const struct plan *b, const char *what)
{
	if (!hwloc_bitmap_isequal(a->cpus, b->cpus))
		fail_msg("%s: CPUs %s, read back %s", what, tu_list(a->cpus), tu_list(b->cpus));
	assert_int_equal(a->ncpus, b->ncpus);
	for (unsigned i = 0; i < a->ncpus; i++)
		if (a->order[i] != b->order[i])
			fail_msg("%s: CPU order differs at %u: %u, read back %u", what, i, a->order[i], b->order[i]);
	if (!hwloc_bitmap_isequal(a->cpu_nodes, b->cpu_nodes))
		fail_msg("%s: nodes %s, read back %s", what, tu_list(a->cpu_nodes), tu_list(b->cpu_nodes));
	assert_int_equal(a->mem, b->mem);
	if (!hwloc_bitmap_isequal(a->mem_nodes, b->mem_nodes))
		fail_msg("%s: memory nodes %s, read back %s", what, tu_list(a->mem_nodes), tu_list(b->mem_nodes));
	assert_int_equal(a->strategy, b->strategy);
	assert_int_equal(a->smt, b->smt);
	assert_int_equal(a->balancing, b->balancing);
}

/* plan -> plan --ini -> load -> plan again: the same plan, and the same policy written again. */
static void check_ini_round_trip(const struct topo *t, const char *policy_text, const char *what)
{
	struct policy p, q;
	load_ok(&p, policy_text);
	struct plan a, b;
	plan_or_fail(t, &p, &a, what);
	char *ini = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&ini, &len);
	plan_print_ini(f, &a, t, &p);
	fclose(f);
	check_lines_fit(ini);
	load_ok(&q, ini);
	plan_or_fail(t, &q, &b, what);
	same_plan(&a, &b, what);
	if (b.relocated[0])
		fail_msg("%s: read back where it was planned, yet relocated: %s", what, b.relocated);
	/* every setting the policy had, resident ones included, is in what it wrote */
	struct policy r;
	plan_to_policy(&a, t, &p, &r);
	char *w1 = write_str(&r), *w2 = write_str(&q);
	if (strcmp(w1, w2) != 0)
		fail_msg("%s: the policy read back differs:\n%s\n---\n%s", what, w1, w2);
	free(w1);
	free(w2);
	free(ini);
	plan_free(&a);
	plan_free(&b);
	policy_free(&p);
	policy_free(&q);
	policy_free(&r);
}

static const char *const round_trip_policies[] = {
	"[placement]\n",
	"[placement]\nstrategy = spread\n",
	"[placement]\nstrategy = spread\nsmt = no\n",
	"[placement]\ncpus = 2\nstrategy = spread\n[memory]\npolicy = bind\n",
	"[placement]\ncpus = 50%\n[memory]\npolicy = interleave\ninclude_cpuless = yes\n",
	"[placement]\ncpus = 1 node\n[memory]\npolicy = preferred\nbalancing = no\n",
	"[placement]\nnodes = 0\n[memory]\npolicy = local\n",
	/* resident settings with monitoring off are kept too; rules keep their order */
	"[monitor]\ninterval = 250ms\ndescendants = yes\nthreshold = 45%\n[threads]\nplacement = compact\n"
	"exclude = gc*\nnode.worker* = 0\nexclude = io*\n[env]\nFOO = bar baz\n",
};

static void test_plan_ini_round_trip_synthetic(void **state)
{
	(void)state;
	static const char *const descs[] = {"pack:2 numa:2 core:4 pu:2", "pack:1 numa:1 core:2 pu:1",
					    "pack:2 numa:4 core:8 pu:4"};
	for (size_t d = 0; d < sizeof(descs) / sizeof(descs[0]); d++) {
		struct topo t;
		tu_synthetic(&t, descs[d]);
		for (size_t i = 0; i < sizeof(round_trip_policies) / sizeof(round_trip_policies[0]); i++) {
			char what[256];
			snprintf(what, sizeof(what), "%s, policy %zu", descs[d], i);
			check_ini_round_trip(&t, round_trip_policies[i], what);
		}
		topology_free(&t);
	}
}

static void test_plan_ini_round_trip_shared(void **state)
{
	(void)state;
	const char *dir = tu_shared_dir();
	if (!dir)
		skip();
	DIR *dd = opendir(dir);
	assert_non_null(dd);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(dd))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		char path[1024], cause[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct topo t;
		if (topology_load(&t, path, cause, sizeof(cause)) < 0)
			fail_msg("%s", cause);
		for (size_t i = 0; i < sizeof(round_trip_policies) / sizeof(round_trip_policies[0]); i++) {
			/* node 0 may have no CPUs there: the policies that name it are for the synthetic ones */
			if (strstr(round_trip_policies[i], "nodes = 0") || strstr(round_trip_policies[i], "node.worker* = 0"))
				continue;
			char what[1200];
			snprintf(what, sizeof(what), "%s, policy %zu", e->d_name, i);
			check_ini_round_trip(&t, round_trip_policies[i], what);
		}
		topology_free(&t);
		n++;
	}
	closedir(dd);
	assert_true(n >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_round_trips),
		cmocka_unit_test(test_every_key_bad_value_names_line_and_key),
		cmocka_unit_test(test_every_option_gives_what_its_key_gives),
		cmocka_unit_test(test_memory_options_are_their_keys),
		cmocka_unit_test(test_lists_same_on_both_sides),
		cmocka_unit_test(test_long_values_round_trip),
		cmocka_unit_test(test_continuation_syntax),
		cmocka_unit_test(test_writer_hard_values),
		cmocka_unit_test(test_duplicates_past_64_keys),
		cmocka_unit_test(test_number_parser),
		cmocka_unit_test(test_every_key_documented),
		cmocka_unit_test(test_plan_ini_round_trip_synthetic),
		cmocka_unit_test(test_plan_ini_round_trip_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
