/* test_saved.c - the converged placement as a policy: one rule per thread name, first match as in the
 * original policy, exclude rules in their places, empty names left out; and the file loads back. */
#include "config.h"
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "policy.h"
#include "saved.h"

static void rule_is(const struct policy *p, size_t r, const char *glob, const char *nodes)
{
	assert_true(r < p->nrules);
	assert_string_equal(p->rules[r].glob, glob);
	if (nodes)
		assert_string_equal(p->rules[r].nodes, nodes);
	else
		assert_null(p->rules[r].nodes);
}

/* The [threads] rules as policy_print would write them, loaded back (the writer's syntax). */
static void reload(const struct policy *saved, struct policy *back)
{
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), "[threads]\nplacement = %s\n", policy_threads_name(saved->threads));
	int any = 0;
	for (size_t i = 0; i < saved->nrules; i++)
		if (!saved->rules[i].nodes)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s", any++ ? "," : "exclude = ",
						saved->rules[i].glob);
	if (any)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "\n");
	for (size_t i = 0; i < saved->nrules; i++)
		if (saved->rules[i].nodes)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "node.%s = %s\n", saved->rules[i].glob,
						saved->rules[i].nodes);
	char cause[512];
	policy_init(back);
	if (policy_load_string(back, "saved", text, cause, sizeof(cause)) < 0)
		fail_msg("the saved rules do not load back: %s\n%s", cause, text);
}

static void test_one_rule_per_name(void **state)
{
	(void)state;
	struct policy p, out;
	policy_init(&p);
	p.threads = THREADS_SPREAD;
	struct saved_thread th[] = {
		{"main", 0}, {"worker", 0}, {"worker", 1}, {"idle", -1}, {"io", 1},
	};
	char note[256];
	saved_policy(&out, &p, th, 5, note, sizeof(note));
	assert_string_equal(note, "");
	assert_int_equal(out.nrules, 3);
	rule_is(&out, 0, "main", "0");
	rule_is(&out, 1, "worker", "0-1");
	rule_is(&out, 2, "io", "1");
	assert_int_equal(out.threads, THREADS_SPREAD);
	assert_true(out.monitor);
	policy_free(&out);
	p.threads = THREADS_NONE;
	saved_policy(&out, &p, th, 5, note, sizeof(note));
	assert_int_equal(out.threads, THREADS_COMPACT);
	policy_free(&out);
	policy_free(&p);
}

/* Exclude rules keep their places among the node rules: first match wins as it did. */
static void test_rule_order(void **state)
{
	(void)state;
	struct policy p, out;
	policy_init(&p);
	p.threads = THREADS_COMPACT;
	policy_add_rule(&p, "db*", "0");     /* db-log1 matched this first: pinned */
	policy_add_rule(&p, "db-log*", NULL); /* dead for db-*, but excludes nothing else here */
	policy_add_rule(&p, "gc*", NULL);
	policy_add_rule(&p, "g*", "1");
	struct saved_thread th[] = {
		{"db-log1", 0}, {"db0", 0}, {"gc", -1}, {"gen", 1}, {"other", 1},
	};
	char note[256];
	saved_policy(&out, &p, th, 5, note, sizeof(note));
	assert_int_equal(out.nrules, 6);
	rule_is(&out, 0, "db-log1", "0");
	rule_is(&out, 1, "db0", "0");
	rule_is(&out, 2, "db-log*", NULL);
	rule_is(&out, 3, "gc*", NULL);
	rule_is(&out, 4, "gen", "1");
	rule_is(&out, 5, "other", "1"); /* placed by the placement alone: after every rule */
	/* Each thread's first match in the saved policy gives what it had. */
	for (size_t i = 0; i < 5; i++) {
		size_t r;
		for (r = 0; r < out.nrules; r++)
			if (fnmatch(out.rules[r].glob, th[i].comm, 0) == 0)
				break;
		assert_true(r < out.nrules);
		if (th[i].node < 0)
			assert_null(out.rules[r].nodes);
		else
			assert_int_equal(atoi(out.rules[r].nodes), th[i].node);
	}
	struct policy back;
	reload(&out, &back);
	assert_int_equal(back.nrules, out.nrules);
	policy_free(&back);
	policy_free(&out);
	policy_free(&p);
}

/* A pinned thread whose name an exclude rule now matches first (renamed after it was placed): its rule
 * goes before the whole run of exclude rules, which stays one key. */
static void test_exclude_run_stays_together(void **state)
{
	(void)state;
	struct policy p, out;
	policy_init(&p);
	policy_add_rule(&p, "a*", "0");
	policy_add_rule(&p, "x*", NULL);
	policy_add_rule(&p, "y*", NULL);
	struct saved_thread th[] = {{"y1", 1}, {"a1", 0}};
	saved_policy(&out, &p, th, 2, NULL, 0);
	assert_int_equal(out.nrules, 4);
	rule_is(&out, 0, "a1", "0");
	rule_is(&out, 1, "y1", "1");
	rule_is(&out, 2, "x*", NULL);
	rule_is(&out, 3, "y*", NULL);
	policy_free(&out);
	policy_free(&p);
}

/* An empty name cannot be a key ("node. = 0" does not load): left out, and said. */
static void test_empty_name(void **state)
{
	(void)state;
	struct policy p, out;
	policy_init(&p);
	p.threads = THREADS_SPREAD;
	struct saved_thread th[] = {{"", 1}, {"main", 0}, {"", 0}};
	char note[256];
	saved_policy(&out, &p, th, 3, note, sizeof(note));
	assert_int_equal(out.nrules, 1);
	rule_is(&out, 0, "main", "0");
	assert_non_null(strstr(note, "2 threads with an empty name left out"));
	assert_non_null(strstr(note, "placement = spread"));
	struct policy back;
	reload(&out, &back);
	assert_int_equal(back.nrules, 1);
	policy_free(&back);
	policy_free(&out);
	policy_free(&p);
}

/* Names with characters the INI syntax or fnmatch would read otherwise: globs that match them and load. */
static void test_odd_names(void **state)
{
	(void)state;
	char g[80];
	saved_glob("a=b c;d#e[f]g*h?i\\j,k\tl\nm\x7fn:o", g, sizeof(g));
	assert_string_equal(g, "a?b?c?d?e?f?g?h?i?j?k?l?m?n?o");
	saved_glob("", g, sizeof(g));
	assert_string_equal(g, "");
	saved_glob("n\xc3\xa9", g, sizeof(g));
	assert_string_equal(g, "n\xc3\xa9");
	struct policy p, out;
	policy_init(&p);
	struct saved_thread th[] = {{"a=b", 0}, {"a b", 1}, {"x;y", 0}};
	saved_policy(&out, &p, th, 3, NULL, 0);
	assert_int_equal(out.nrules, 2);
	rule_is(&out, 0, "a?b", "0-1");
	rule_is(&out, 1, "x?y", "0");
	struct policy back;
	reload(&out, &back);
	assert_int_equal(back.nrules, 2);
	assert_string_equal(back.rules[0].glob, "a?b");
	assert_string_equal(back.rules[1].glob, "x?y");
	policy_free(&back);
	policy_free(&out);
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_rule_per_name),
		cmocka_unit_test(test_rule_order),
		cmocka_unit_test(test_exclude_run_stays_together),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_odd_names),
	};
	return cmocka_run_group_tests_name("saved", tests, NULL, NULL);
}
