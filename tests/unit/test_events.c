/* test_events.c - the JSON writer: string escaping, numbers, nesting, and a failed write said once. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "events.h"

/* What json_string writes for s. */
static const char *escaped(const char *s)
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof(out), "w");
	assert_non_null(f);
	json_string(f, s);
	fclose(f);
	return out;
}

static void test_escaping(void **state)
{
	(void)state;
	assert_string_equal(escaped("plain"), "\"plain\"");
	assert_string_equal(escaped(""), "\"\"");
	assert_string_equal(escaped("a\"b"), "\"a\\\"b\"");
	assert_string_equal(escaped("a\\b"), "\"a\\\\b\"");
	assert_string_equal(escaped("l1\nl2\tx"), "\"l1\\nl2\\tx\"");
	assert_string_equal(escaped("\x01\x1f\r\x7f"), "\"\\u0001\\u001f\\u000d\\u007f\"");
}

static void test_non_ascii(void **state)
{
	(void)state;
	/* Valid UTF-8 (2, 3 and 4 bytes) stays as it is. */
	assert_string_equal(escaped("n\xc3\xa9" "e \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "\"n\xc3\xa9" "e \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* A thread name may hold any byte: invalid sequences become U+FFFD, one a byte, and the rest goes on. */
	assert_string_equal(escaped("a\xff" "b"), "\"a\\ufffdb\"");
	assert_string_equal(escaped("\xc3"), "\"\\ufffd\"");             /* cut short */
	assert_string_equal(escaped("\xc3(x"), "\"\\ufffd(x\"");         /* no continuation */
	assert_string_equal(escaped("\xc0\xaf"), "\"\\ufffd\\ufffd\"");  /* overlong */
	assert_string_equal(escaped("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
	assert_string_equal(escaped("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* past U+10FFFF */
}

static void test_numbers(void **state)
{
	(void)state;
	char out[64];
	FILE *f = fmemopen(out, sizeof(out), "w");
	json_number(f, 0.12345, 3);
	fputc(' ', f);
	json_number(f, NAN, 3);
	fputc(' ', f);
	json_number(f, -INFINITY, 2);
	fclose(f);
	assert_string_equal(out, "0.123 null null");
}

/* Read a whole small file. */
static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_event_lines(void **state)
{
	(void)state;
	char *dir = tu_tmpdir(), path[4096], cause[256];
	snprintf(path, sizeof(path), "%s/ev", dir);
	struct events ev;
	assert_int_equal(events_open(&ev, path, 10.0, cause, sizeof(cause)), 0);
	events_begin(&ev, 11.5, "thread_new");
	events_int(&ev, "tid", 42);
	events_str(&ev, "comm", "w\"1");
	events_null(&ev, "cpu");
	events_bool(&ev, "pinned", 1);
	events_num(&ev, "remote", 0.5, 3);
	assert_int_equal(events_end(&ev), 0);
	events_begin(&ev, 12.0, "exit");
	events_array(&ev, "threads");
	events_object(&ev, NULL);
	events_int(&ev, "tid", 1);
	events_pop(&ev);
	events_object(&ev, NULL);
	events_int(&ev, "tid", 2);
	events_str(&ev, "comm", NULL);
	events_pop(&ev);
	events_pop(&ev);
	events_array(&ev, "empty");
	events_pop(&ev);
	assert_int_equal(events_end(&ev), 0);
	events_finish(&ev);
	assert_string_equal(slurp(path),
			    "{\"t\":1.500,\"event\":\"thread_new\",\"tid\":42,\"comm\":\"w\\\"1\",\"cpu\":null,"
			    "\"pinned\":true,\"remote\":0.500}\n"
			    "{\"t\":2.000,\"event\":\"exit\",\"threads\":[{\"tid\":1},{\"tid\":2,\"comm\":null}],"
			    "\"empty\":[]}\n");
	tu_rmrf(dir);
	free(dir);
}

static void test_no_events(void **state)
{
	(void)state;
	struct events ev;
	char cause[256];
	assert_int_equal(events_open(&ev, NULL, 0, cause, sizeof(cause)), 0);
	assert_false(events_on(&ev));
	events_begin(&ev, 1, "start");
	events_int(&ev, "pid", 1);
	assert_int_equal(events_end(&ev), 0);
	events_finish(&ev);
	assert_int_equal(events_open(&ev, "/nonexistent-dir/ev", 0, cause, sizeof(cause)), -ENOENT);
	assert_non_null(strstr(cause, "/nonexistent-dir/ev: cannot write events: No such file or directory"));
}

/* A failed write (a full disk) is said once, naming the file and the error, and then nothing is written. */
static void test_write_error_said_once(void **state)
{
	(void)state;
	char *dir = tu_tmpdir(), errpath[4096], cause[256];
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	fflush(stderr);
	int saved = dup(2);
	FILE *ef = fopen(errpath, "w");
	assert_non_null(ef);
	dup2(fileno(ef), 2);
	struct events ev;
	int r0 = events_open(&ev, "/dev/full", 0, cause, sizeof(cause));
	int rc[5];
	for (int i = 0; i < 5; i++) {
		events_begin(&ev, i, "tick");
		events_str(&ev, "what", "x");
		rc[i] = events_end(&ev);
	}
	int on = events_on(&ev);
	events_finish(&ev);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(ef);
	assert_int_equal(r0, 0);
	assert_int_equal(rc[0], -ENOSPC);
	for (int i = 1; i < 5; i++)
		assert_int_equal(rc[i], 0);
	assert_false(on);
	const char *err = slurp(errpath);
	const char *want = "events /dev/full: No space left on device: no more events are written";
	const char *first = strstr(err, want);
	assert_non_null(first);
	assert_null(strstr(first + 1, want));
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_event_lines),
		cmocka_unit_test(test_no_events),
		cmocka_unit_test(test_write_error_said_once),
	};
	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
