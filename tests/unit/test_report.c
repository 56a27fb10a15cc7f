/* test_report.c - numarun report: the JSON reader (json.c), the events gathered per thread and their
 * checks (report_feed_line, report_read), and what the page and the chart hold. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "events.h"
#include "json.h"
#include "report.h"

/* Parse s, expected to succeed. */
static void parse_ok(const char *s, struct json *v)
{
	char cause[256];
	int rc = json_parse(s, strlen(s), v, cause, sizeof(cause));
	if (rc != 0)
		fail_msg("'%s': %s", s, cause);
}

/* Parse s, expected to fail with a cause containing want. */
static void parse_bad(const char *s, size_t len, const char *want)
{
	char cause[256];
	struct json v;
	int rc = json_parse(s, len, &v, cause, sizeof(cause));
	if (rc != -1)
		fail_msg("'%s' parsed", s);
	if (!strstr(cause, want))
		fail_msg("'%s': cause '%s' lacks '%s'", s, cause, want);
	assert_int_equal(v.type, JSON_NULL);
	assert_null(v.items);
}

static void test_json_values(void **state)
{
	(void)state;
	struct json v;
	parse_ok(" {\"a\": [1, -2.5e1, 0, true, false, null], \"b\": {\"c\": \"d\"}, \"a\": 7}\r\n", &v);
	assert_int_equal(v.type, JSON_OBJECT);
	assert_int_equal(v.n, 3);
	const struct json *a = &v.items[0];
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->n, 6);
	assert_true(a->items[0].number == 1);
	assert_true(a->items[1].number == -25);
	assert_int_equal(a->items[3].type, JSON_BOOL);
	assert_int_equal(a->items[3].boolean, 1);
	assert_int_equal(a->items[4].boolean, 0);
	assert_int_equal(a->items[5].type, JSON_NULL);
	/* A repeated key: the last one counts. */
	assert_true(json_get(&v, "a")->number == 7);
	assert_string_equal(json_get(json_get(&v, "b"), "c")->str, "d");
	assert_null(json_get(&v, "z"));
	assert_null(json_get(a, "a"));
	json_free(&v);
	assert_int_equal(v.type, JSON_NULL);

	parse_ok("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"", &v);
	assert_string_equal(v.str, "\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(&v);
	parse_ok("[]", &v);
	assert_int_equal(v.n, 0);
	json_free(&v);
	parse_ok("{}", &v);
	assert_int_equal(v.type, JSON_OBJECT);
	json_free(&v);
	parse_ok("0.125", &v);
	assert_true(v.number == 0.125);
	json_free(&v);
	/* 31 levels of nesting are fine, 33 are not. */
	char deep[80];
	memset(deep, '[', 31);
	memset(deep + 31, ']', 31);
	deep[62] = '\0';
	parse_ok(deep, &v);
	json_free(&v);
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	parse_bad(deep, 66, "nested more than 32 deep");
}

static void test_json_errors(void **state)
{
	(void)state;
	parse_bad("", 0, "column 1: expected a value, found the end");
	parse_bad("   ", 3, "expected a value");
	parse_bad("{\"a\":1,}", 8, "column 8: expected a member name");
	parse_bad("[1,]", 4, "unexpected ']'");
	parse_bad("[1 2]", 5, "expected ',' or ']'");
	parse_bad("{\"a\" 1}", 7, "expected ':'");
	parse_bad("{\"a\":1", 6, "unterminated object");
	parse_bad("[1", 2, "unterminated array");
	parse_bad("\"abc", 4, "unterminated string");
	parse_bad("\"a\\x\"", 5, "unknown escape '\\x'");
	parse_bad("\"\\u12g4\"", 8, "\\u needs 4 hex digits");
	parse_bad("\"a\tb\"", 5, "control character 0x09");
	parse_bad("01", 2, "more after the value");
	parse_bad("-", 1, "not a number");
	parse_bad("1.", 2, "a digit must follow the decimal point");
	parse_bad("1e+", 3, "a digit must follow the exponent");
	parse_bad("1e999", 5, "number out of range");
	parse_bad("NaN", 3, "unexpected 'N'");
	parse_bad("nul", 3, "unknown word");
	parse_bad("{} {}", 5, "column 4: more after the value");
	parse_bad("\x01", 1, "unexpected byte 0x01");
	parse_bad("[1]\0[2]", 7, "more after the value");
}

static void test_json_utf8(void **state)
{
	(void)state;
	struct json v;
	/* Bytes that are not UTF-8 (a stray continuation, an overlong form, a surrogate, a cut sequence),
	 * a lone surrogate escape and \u0000 all become U+FFFD; the rest stays. */
	parse_ok("\"a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\\ud800e\\u0000f\xe2\x82\"", &v);
	assert_string_equal(v.str, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
				   "d\xef\xbf\xbd" "e\xef\xbf\xbd" "f\xef\xbf\xbd\xef\xbf\xbd");
	json_free(&v);
	/* A high surrogate followed by an escape that is not a low one: both stand alone. */
	parse_ok("\"\\ud800\\u0041\"", &v);
	assert_string_equal(v.str, "\xef\xbf\xbd" "A");
	json_free(&v);
}

/* What numarun's own writer makes of any string reads back as the same string (valid UTF-8 in). */
static void test_json_round_trip(void **state)
{
	(void)state;
	const char *names[] = {"worker0", "a\"b\\c", "tab\there\nnl", "\x01\x1f\x7f", "n\xc3\xa9" "e \xf0\x9f\x98\x80", ""};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char buf[256];
		FILE *f = fmemopen(buf, sizeof(buf), "w");
		json_string(f, names[i]);
		fclose(f);
		struct json v;
		parse_ok(buf, &v);
		assert_int_equal(v.type, JSON_STRING);
		assert_string_equal(v.str, names[i]);
		json_free(&v);
	}
}

static int feed(struct report *r, const char *line, char *cause, size_t len)
{
	return report_feed_line(r, line, strlen(line), cause, len);
}

static void feed_bad(const char *line, const char *want)
{
	struct report r;
	char cause[512];
	report_init(&r);
	int rc = feed(&r, line, cause, sizeof(cause));
	if (rc != -1)
		fail_msg("'%s' was taken (%d)", line, rc);
	if (strcmp(cause, want) != 0)
		fail_msg("'%s': cause '%s', not '%s'", line, cause, want);
	report_free(&r);
}

static void test_feed_errors(void **state)
{
	(void)state;
	feed_bad("[1,2]", "not a JSON object (an array)");
	feed_bad("{\"t\":1", "not JSON (column 7: unterminated object)");
	feed_bad("{\"t\":1}", "no 'event' (a string naming the event)");
	feed_bad("{\"t\":1,\"event\":3}", "no 'event' (a string naming the event)");
	feed_bad("{\"event\":\"busy\",\"tid\":1}", "busy: 't' is missing");
	feed_bad("{\"t\":\"1\",\"event\":\"busy\",\"tid\":1}", "busy: 't' is a string, not a number");
	feed_bad("{\"t\":-1,\"event\":\"busy\",\"tid\":1}", "busy: 't' is -1, not a time (seconds since the start, 0 to 1e+09)");
	feed_bad("{\"t\":1.7976e308,\"event\":\"busy\",\"tid\":1}",
		 "busy: 't' is 1.7976e+308, not a time (seconds since the start, 0 to 1e+09)");
	feed_bad("{\"t\":1,\"event\":\"move\",\"kind\":\"thread\",\"from\":0,\"to\":1}", "move: 'tid' is missing");
	feed_bad("{\"t\":1,\"event\":\"move\",\"tid\":1.5,\"kind\":\"thread\",\"from\":0,\"to\":1}",
		 "move: 'tid' is 1.5, not a whole number");
	feed_bad("{\"t\":1,\"event\":\"move\",\"tid\":1,\"kind\":\"jump\",\"from\":0,\"to\":1}",
		 "move: unknown kind 'jump' (thread, swap or memory)");
	feed_bad("{\"t\":1,\"event\":\"move\",\"tid\":1,\"kind\":\"thread\",\"to\":1}", "move: 'from' is missing");
	feed_bad("{\"t\":1,\"event\":\"move\",\"tid\":1,\"kind\":\"thread\",\"from\":0,\"to\":1,\"remote\":1.5}",
		 "move: 'remote' is 1.5, not a share from 0 to 1");
	feed_bad("{\"t\":1,\"event\":\"sample\",\"tid\":1,\"node\":-1,\"remote\":0.5}",
		 "sample: 'node' is -1, not a node or CPU number");
	feed_bad("{\"t\":1,\"event\":\"sample\",\"tid\":1,\"node\":0}", "sample: 'remote' is missing");
	feed_bad("{\"t\":1,\"event\":\"thread_new\",\"tid\":1,\"comm\":[]}", "thread_new: 'comm' is an array, not a string");
	feed_bad("{\"t\":1,\"event\":\"replan\",\"ok\":1}", "replan: 'ok' is a number, not true or false");
	feed_bad("{\"t\":1,\"event\":\"exit\",\"threads\":{}}", "exit: 'threads' is an object, not an array");
	feed_bad("{\"t\":1,\"event\":\"exit\",\"threads\":[3]}", "exit: threads[0] is a number, not an object");
	feed_bad("{\"t\":1,\"event\":\"exit\",\"threads\":[{\"tid\":1},{\"comm\":\"x\"}]}", "exit: threads[1]: 'tid' is missing");
	feed_bad("{\"t\":1,\"event\":\"exit\",\"threads\":[{\"tid\":1,\"frozen\":\"no\"}]}",
		 "exit: threads[0]: 'frozen' is a string, not true or false");
}

static const char *run_events[] = {
	"{\"t\":0.000,\"event\":\"start\",\"pid\":100,\"cpus\":\"0-3\",\"nodes\":\"0,1\",\"memory\":\"bind\",\"threads\":\"spread\","
	"\"source\":\"pages\",\"action\":\"move\",\"interval_ms\":500,\"threshold\":0.3}",
	"{\"t\":0.1,\"event\":\"thread_new\",\"pid\":100,\"tid\":100,\"comm\":\"main\",\"cpu\":0,\"node\":0,\"pinned\":true,\"pinned_by\":\"numarun\"}",
	"{\"t\":0.1,\"event\":\"thread_new\",\"pid\":100,\"tid\":101,\"comm\":\"w0\",\"cpu\":2,\"node\":1,\"pinned\":true,\"pinned_by\":\"numarun\"}",
	"{\"t\":0.1,\"event\":\"thread_new\",\"pid\":100,\"tid\":102,\"comm\":\"w1\",\"cpu\":3,\"node\":1,\"pinned\":true,\"pinned_by\":\"numarun\"}",
	"{\"t\":0.2,\"event\":\"thread_new\",\"pid\":100,\"tid\":103,\"comm\":\"pinner\",\"cpu\":null,\"node\":null,\"pinned\":false,\"pinned_by\":\"program\"}",
	"{\"t\":0.6,\"event\":\"busy\",\"pid\":100,\"tid\":101,\"comm\":\"w0\",\"cpu\":0.99}",
	"{\"t\":0.6,\"event\":\"sample\",\"pid\":100,\"tid\":101,\"comm\":\"w0\",\"node\":1,\"remote\":0.95}",
	"{\"t\":0.6,\"event\":\"sample\",\"pid\":100,\"tid\":102,\"comm\":\"w1\",\"node\":1,\"remote\":0.90}",
	"{\"t\":1.5,\"event\":\"move\",\"pid\":100,\"tid\":101,\"comm\":\"w0\",\"kind\":\"thread\",\"from\":1,\"to\":0,\"remote\":0.95,\"cpu\":1,\"reason\":\"r\"}",
	"{\"t\":1.6,\"event\":\"future_thing\",\"x\":1}",
	"{\"t\":2.0,\"event\":\"move\",\"pid\":100,\"tid\":102,\"comm\":\"w1\",\"kind\":\"memory\",\"from\":0,\"to\":1,\"remote\":0.9,\"reason\":\"r\"}",
	"{\"t\":2.5,\"event\":\"sample\",\"pid\":100,\"tid\":101,\"comm\":\"w0\",\"node\":0,\"remote\":0.02}",
	"{\"t\":3.0,\"event\":\"replan\",\"ok\":true,\"reason\":\"cpu quota\"}",
	"{\"t\":3.5,\"event\":\"converged\",\"moves\":1,\"migrations\":1,\"judged\":2}",
	"{\"t\":6.0,\"event\":\"exit\",\"status\":0,\"moves\":1,\"migrations\":1,\"ticks\":12,\"replans\":1,\"converged\":true,\"threads\":["
	"{\"tid\":100,\"comm\":\"main\",\"node\":0,\"cpu\":0,\"remote\":null,\"moves\":0,\"frozen\":false,\"pinned_by\":\"numarun\"},"
	"{\"tid\":101,\"comm\":\"w0\",\"node\":0,\"cpu\":1,\"remote\":0.01,\"moves\":1,\"frozen\":false,\"pinned_by\":\"numarun\"},"
	"{\"tid\":102,\"comm\":\"w1\",\"node\":1,\"cpu\":3,\"remote\":0.05,\"moves\":0,\"frozen\":false,\"pinned_by\":\"numarun\"},"
	"{\"tid\":103,\"comm\":\"pinner\",\"node\":null,\"cpu\":null,\"remote\":null,\"moves\":0,\"frozen\":false,\"pinned_by\":\"program\"}]}",
};

static void feed_run(struct report *r)
{
	char cause[256];
	report_init(r);
	for (size_t i = 0; i < sizeof(run_events) / sizeof(run_events[0]); i++) {
		int rc = feed(r, run_events[i], cause, sizeof(cause));
		if (rc < 0)
			fail_msg("line %zu: %s", i + 1, cause);
		assert_int_equal(rc, strstr(run_events[i], "future_thing") ? 1 : 0);
	}
}

static const struct report_thread *by_tid(const struct report *r, long long tid)
{
	for (size_t i = 0; i < r->nthreads; i++)
		if (r->threads[i].tid == tid)
			return &r->threads[i];
	fail_msg("no thread %lld", tid);
	return NULL;
}

static void test_aggregation(void **state)
{
	(void)state;
	struct report r;
	feed_run(&r);
	assert_int_equal(r.nthreads, 4);
	assert_int_equal(r.events, sizeof(run_events) / sizeof(run_events[0]) - 1);
	assert_int_equal(r.skipped, 1);
	assert_string_equal(r.skipped_names, "'future_thing'");
	assert_string_equal(r.source, "pages");
	assert_string_equal(r.placement, "spread");
	assert_true(r.threshold == 0.3);
	assert_int_equal(r.pid, 100);
	assert_true(r.t_end == 6.0);
	assert_true(r.converged_t == 3.5);
	assert_int_equal(r.nreplans, 1);
	assert_int_equal(r.replans[0].quota, 1);
	assert_int_equal(r.have_exit, 1);
	assert_int_equal(r.exit_moves, 1);
	assert_int_equal(r.exit_migrations, 1);
	assert_int_equal(r.ticks, 12);
	assert_int_equal(r.signal, -1);
	/* Marks: the move and the migration, each at its time on its thread. */
	assert_int_equal(r.nmarks, 2);
	assert_int_equal(r.marks[0].kind, MARK_MOVE);
	assert_true(r.marks[0].t == 1.5);
	assert_int_equal(r.threads[r.marks[0].thread].tid, 101);
	assert_int_equal(r.marks[0].to, 0);
	assert_int_equal(r.marks[1].kind, MARK_MIGRATION);
	assert_int_equal(r.threads[r.marks[1].thread].tid, 102);

	const struct report_thread *w0 = by_tid(&r, 101), *w1 = by_tid(&r, 102), *p = by_tid(&r, 103);
	assert_string_equal(w0->comm, "w0");
	assert_int_equal(w0->node, 0);
	assert_int_equal(w0->cpu, 1);
	assert_true(w0->remote == 0.01);
	assert_true(w0->max_remote == 0.95);
	assert_int_equal(w0->moves, 1);
	assert_int_equal(w0->busy, 1);
	assert_string_equal(w0->owner, "numarun");
	/* Its timeline: new on node 1, 95% there, moved at 1.5 s (unknown share on node 0), 2% on node 0,
	 * 1% at the exit. */
	assert_int_equal(w0->npts, 6);
	assert_int_equal(w0->pts[0].node, 1);
	assert_true(w0->pts[0].remote < 0);
	assert_true(w0->pts[1].remote == 0.95);
	assert_true(w0->pts[2].t == 1.5 && w0->pts[2].node == 1 && w0->pts[2].remote == 0.95);
	assert_true(w0->pts[3].t == 1.5 && w0->pts[3].node == 0 && w0->pts[3].remote < 0);
	assert_true(w0->pts[4].remote == 0.02 && w0->pts[4].node == 0);
	assert_true(w0->pts[5].t == 6.0 && w0->pts[5].remote == 0.01);
	assert_int_equal(w1->migrations, 1);
	assert_int_equal(w1->moves, 0);
	assert_int_equal(w1->node, 1);
	assert_string_equal(p->owner, "program");
	assert_int_equal(p->node, -1);
	assert_int_equal(p->cpu, -1);

	/* Ranking: moved first, then migrated, then the most remote, then by TID. */
	size_t *order;
	report_rank(&r, &order);
	assert_int_equal(r.threads[order[0]].tid, 101);
	assert_int_equal(r.threads[order[1]].tid, 102);
	assert_int_equal(r.threads[order[2]].tid, 100);
	assert_int_equal(r.threads[order[3]].tid, 103);
	free(order);
	report_free(&r);
}

/* report_read over text: its return, its cause. */
static int read_text(struct report *r, const char *text, char *cause, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	report_init(r);
	int rc = report_read(r, f, "ev.json", cause, len);
	fclose(f);
	return rc;
}

static void test_read(void **state)
{
	(void)state;
	struct report r;
	char cause[512] = "";
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	for (size_t i = 0; i < sizeof(run_events) / sizeof(run_events[0]); i++)
		fprintf(m, "%s\n%s", run_events[i], i == 3 ? "\n  \n" : "");
	fclose(m);
	assert_int_equal(read_text(&r, text, cause, sizeof(cause)), 0);
	assert_int_equal(r.nthreads, 4);
	assert_int_equal(r.lines, sizeof(run_events) / sizeof(run_events[0]) + 2);
	assert_int_equal(r.truncated, 0);
	report_free(&r);

	/* Cut in the middle of its last line: the rest is taken, with a warning. */
	char *cut = strdup(text);
	cut[strlen(cut) - 40] = '\0';
	assert_int_equal(read_text(&r, cut, cause, sizeof(cause)), 0);
	assert_int_equal(r.truncated, 1);
	assert_int_equal(r.have_exit, 0);
	assert_int_equal(r.nthreads, 4);
	report_free(&r);
	free(cut);

	/* A bad line in the middle: its number. */
	assert_int_equal(read_text(&r, "{\"t\":0,\"event\":\"start\"}\n\n[1]\n{\"t\":1,\"event\":\"converged\"}\n", cause,
				   sizeof(cause)), -2);
	assert_string_equal(cause, "ev.json:3: not a JSON object (an array)");
	report_free(&r);
	/* A bad last line that is whole is an error too. */
	assert_int_equal(read_text(&r, "{\"t\":0,\"event\":\"start\"}\n{\"t\":1,\n", cause, sizeof(cause)), -2);
	assert_string_equal(cause, "ev.json:2: not JSON (column 8: unterminated object)");
	report_free(&r);
	/* Nothing but unknown events, or nothing at all. */
	assert_int_equal(read_text(&r, "{\"t\":0,\"event\":\"later\"}\n", cause, sizeof(cause)), -2);
	assert_string_equal(cause, "ev.json: no events (numarun --events writes them)");
	report_free(&r);
	assert_int_equal(read_text(&r, "", cause, sizeof(cause)), -2);
	report_free(&r);
	/* A NUL inside a line. */
	FILE *f = fmemopen("{\"t\":0,\0\"event\":\"start\"}\n", 26, "r");
	report_init(&r);
	assert_int_equal(report_read(&r, f, "nul.json", cause, sizeof(cause)), -2);
	assert_non_null(strstr(cause, "nul.json:1: not JSON"));
	fclose(f);
	report_free(&r);
	free(text);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static char *render(const struct report *r, int svg)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (svg)
		report_write_svg(f, r, 1);
	else
		report_write_html(f, r, "ev<1>.json");
	fclose(f);
	return out;
}

static void test_page(void **state)
{
	(void)state;
	struct report r;
	feed_run(&r);
	char cause[256];
	/* A name with markup, quotes, a control character and a byte that is not UTF-8. */
	assert_int_equal(feed(&r, "{\"t\":5,\"event\":\"thread_new\",\"tid\":104,\"comm\":\"<script>&\\\"'\\u0001\xff\",\"node\":1}",
			      cause, sizeof(cause)), 0);
	char *html = render(&r, 0);
	assert_null(strstr(html, "class=\"flag "));
	assert_null(strstr(html, "frozen / unfixable"));
	free(html);
	assert_int_equal(feed(&r, "{\"t\":5.5,\"event\":\"frozen\",\"tid\":102,\"node\":1,\"remote\":0.4,\"reason\":\"r\"}", cause,
			      sizeof(cause)), 0);
	assert_int_equal(feed(&r, "{\"t\":5.6,\"event\":\"unfixable\",\"tid\":101,\"node\":0,\"memory_node\":1,\"remote\":0.9}",
			      cause, sizeof(cause)), 0);
	html = render(&r, 0);
	assert_int_equal(count(html, "class=\"flag frozen\""), 1);
	assert_int_equal(count(html, "class=\"flag unfixable\""), 1);
	assert_non_null(strstr(html, ">frozen / unfixable</text>"));
	assert_non_null(strstr(html, "<td>frozen</td></tr>"));
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "<link"));
	assert_non_null(strstr(html, "&lt;script&gt;&amp;&quot;&#39;\xef\xbf\xbd\xef\xbf\xbd"));
	assert_non_null(strstr(html, "<title>numarun report: ev&lt;1&gt;.json</title>"));
	assert_int_equal(count(html, "<tr class=\"thread\">"), 5);
	assert_int_equal(count(html, "class=\"mark "), 2);
	assert_int_equal(count(html, "class=\"mark move\""), 1);
	assert_int_equal(count(html, "class=\"mark migration\""), 1);
	assert_int_equal(count(html, "class=\"conv\""), 2); /* the line, and the legend's */
	assert_non_null(strstr(html, ">quota</text>"));
	assert_non_null(strstr(html, "<th>converged at</th><td>3.500 s</td>"));
	assert_non_null(strstr(html, "<th>source</th><td>pages</td>"));
	assert_non_null(strstr(html, "<th>thread moves</th><td>1</td>"));
	assert_non_null(strstr(html, "1 event of kinds this numarun does not know skipped: &#39;future_thing&#39;"));
	/* The legend names both nodes, in their colours. */
	assert_non_null(strstr(html, "fill=\"#0072b2\"/><text x=\"36.0\" y=\"58.0\">node 0</text>"));
	assert_non_null(strstr(html, ">node 1</text>"));
	assert_null(strstr(html, "xmlns"));
	free(html);
	char *svg = render(&r, 1);
	assert_non_null(strstr(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_null(strstr(svg, "<html"));
	assert_int_equal(count(svg, "class=\"mark "), 2);
	free(svg);
	report_free(&r);
}

/* 1000 threads: 24 lanes and one for the rest, 500 rows, and a page that stays small. */
/* Any span of time gives a chart with a bounded number of grid lines: a tiny last "t" (a denormal), none,
 * the largest allowed. */
static void test_time_spans(void **state)
{
	(void)state;
	const char *lines[] = {"{\"t\":1e-323,\"event\":\"converged\"}", "{\"t\":0,\"event\":\"converged\"}",
			       "{\"t\":1e9,\"event\":\"converged\"}", "{\"t\":0.0004,\"event\":\"converged\"}"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct report r;
		char cause[256];
		report_init(&r);
		assert_int_equal(feed(&r, lines[i], cause, sizeof(cause)), 0);
		char *svg = render(&r, 1);
		size_t grid = count(svg, "class=\"grid\"");
		if (grid < 1 || grid > 17)
			fail_msg("%s: %zu grid lines", lines[i], grid);
		free(svg);
		report_free(&r);
	}
}

static void test_many_threads(void **state)
{
	(void)state;
	struct report r;
	char line[512], cause[256];
	report_init(&r);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "{\"t\":0.1,\"event\":\"thread_new\",\"tid\":%d,\"comm\":\"t%d\",\"node\":%d}", 1000 + i,
			 i, i % 4);
		assert_int_equal(feed(&r, line, cause, sizeof(cause)), 0);
		for (int k = 0; k < 20; k++) {
			snprintf(line, sizeof(line), "{\"t\":%d.5,\"event\":\"sample\",\"tid\":%d,\"node\":%d,\"remote\":%.2f}", k, 1000 + i,
				 i % 4, (i * 7 + k * 13) % 100 / 100.0);
			assert_int_equal(feed(&r, line, cause, sizeof(cause)), 0);
		}
		if (i % 10 == 0) {
			snprintf(line, sizeof(line), "{\"t\":5,\"event\":\"move\",\"tid\":%d,\"kind\":\"thread\",\"from\":%d,\"to\":%d}",
				 1000 + i, i % 4, (i + 1) % 4);
			assert_int_equal(feed(&r, line, cause, sizeof(cause)), 0);
		}
	}
	assert_int_equal(r.nthreads, 1000);
	char *html = render(&r, 0);
	assert_int_equal(count(html, "<tr class=\"thread\">"), REPORT_ROWS);
	assert_int_equal(count(html, "class=\"mark "), 100);
	assert_int_equal(count(html, "class=\"lane-name\""), REPORT_LANES + 1);
	assert_non_null(strstr(html, "976 other threads (mean)"));
	assert_non_null(strstr(html, "500 more threads, not listed"));
	assert_non_null(strstr(html, "the other 976 threads share the last lane"));
	assert_non_null(strstr(html, "<p>24 threads have a lane each"));
	assert_true(strlen(html) < 400 * 1024);
	free(html);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_values),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_feed_errors),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_many_threads),
		cmocka_unit_test(test_time_spans),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
