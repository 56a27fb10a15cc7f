/* test_nodelist.c - numactl list syntax: nodelist_parse and nodelist_format. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "nodelist.h"

/* Parse s against the allowed list; expect success and the list want. */
static void expect_parse(const char *s, const char *allowed_list, const char *want)
{
	hwloc_bitmap_t allowed = tu_set(allowed_list), out = hwloc_bitmap_alloc();
	char cause[256] = "";
	int rc = nodelist_parse(s, allowed, out, cause, sizeof(cause));
	if (rc != 0)
		fail_msg("nodelist_parse('%s') failed: %s", s, cause);
	assert_string_equal(tu_list(out), want);
	hwloc_bitmap_free(allowed);
	hwloc_bitmap_free(out);
}

/* Parse s; expect -1 and a cause that contains each non-NULL fragment. */
static void expect_error(const char *s, const char *allowed_list, const char *frag1, const char *frag2)
{
	hwloc_bitmap_t allowed = tu_set(allowed_list), out = hwloc_bitmap_alloc();
	char cause[256] = "";
	int rc = nodelist_parse(s, allowed, out, cause, sizeof(cause));
	if (rc != -1)
		fail_msg("nodelist_parse('%s') returned %d (set %s), expected -1", s, rc, tu_list(out));
	if (frag1 && !strstr(cause, frag1))
		fail_msg("cause for '%s' is \"%s\", expected it to contain \"%s\"", s, cause, frag1);
	if (frag2 && !strstr(cause, frag2))
		fail_msg("cause for '%s' is \"%s\", expected it to contain \"%s\"", s, cause, frag2);
	hwloc_bitmap_free(allowed);
	hwloc_bitmap_free(out);
}

/* ---- parse: accepted forms ---- */

static void test_plain_list(void **state)
{
	(void)state;
	expect_parse("0-3,8", "0-15", "0-3,8");
	expect_parse("5", "0-15", "5");
	expect_parse("1,3,5-6", "0-7", "1,3,5-6");
}

static void test_plain_list_not_checked_against_allowed(void **state)
{
	(void)state;
	/* Existence is the planner's job: an index outside the allowed set is kept as given. */
	expect_parse("0-3,8", "0-1", "0-3,8");
}

static void test_leading_space_ignored(void **state)
{
	(void)state;
	expect_parse("  2-3", "0-7", "2-3");
}

static void test_all(void **state)
{
	(void)state;
	expect_parse("all", "0-3", "0-3");
	expect_parse("all", "2,5,7,9", "2,5,7,9");
}

static void test_invert(void **state)
{
	(void)state;
	expect_parse("!1", "0-3", "0,2-3");
	expect_parse("!0,2", "0-3", "1,3");
	/* Members not in the allowed set are simply not there to remove. */
	expect_parse("!8", "0-3", "0-3");
	expect_parse("!all", "0-3", "none");
}

static void test_relative(void **state)
{
	(void)state;
	expect_parse("+0-1", "2,5,7,9", "2,5");
	expect_parse("+0", "2,5,7,9", "2");
	expect_parse("+3", "2,5,7,9", "9");
	expect_parse("+1,3", "2,5,7,9", "5,9");
	expect_parse("+0-3", "2,5,7,9", "2,5,7,9");
}

static void test_invert_relative(void **state)
{
	(void)state;
	expect_parse("!+0", "2,5,7,9", "5,7,9");
	expect_parse("!+1-2", "2,5,7,9", "2,9");
}

/* ---- parse: errors ---- */

static void test_error_empty(void **state)
{
	(void)state;
	expect_error("", "0-3", "is not a list", NULL);
	expect_error("!", "0-3", "is not a list", NULL);
	expect_error("+", "0-3", "is not a list", NULL);
}

static void test_error_letters(void **state)
{
	(void)state;
	expect_error("a", "0-3", "'a'", "is not a list");
	expect_error("0-3x", "0-3", "'0-3x'", "is not a list");
}

static void test_error_open_ranges(void **state)
{
	(void)state;
	expect_error("1-", "0-3", "'1-'", "is not a list");
	expect_error("-1", "0-3", "'-1'", "is not a list");
	expect_error("1--2", "0-3", "'1--2'", "is not a list");
}

static void test_error_descending_range(void **state)
{
	(void)state;
	expect_error("3-1", "0-3", "'3-1'", "is not a list");
	expect_error("0,5-4", "0-7", "'0,5-4'", "is not a list");
}

static void test_error_empty_items(void **state)
{
	(void)state;
	expect_error("1,,2", "0-3", "'1,,2'", "is not a list");
	expect_error(",1", "0-3", "',1'", "is not a list");
	expect_error("1,", "0-3", "'1,'", "is not a list");
}

static void test_error_relative_past_allowed(void **state)
{
	(void)state;
	expect_error("+5", "2,5,7,9", "'+5'", "relative index 5 is past the 4 allowed");
	expect_error("+4", "2,5,7,9", "'+4'", "relative index 4 is past the 4 allowed");
	expect_error("+0", "", "'+0'", "past the 0 allowed");
}

static void test_error_relative_all(void **state)
{
	(void)state;
	expect_error("+all", "0-3", "'+all'", "'+' cannot be combined with 'all'");
}

/* ---- format ---- */

static void test_format_empty(void **state)
{
	(void)state;
	char buf[64];
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	assert_ptr_equal(nodelist_format(s, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "none");
	hwloc_bitmap_free(s);
}

static void test_format_list(void **state)
{
	(void)state;
	char buf[64];
	hwloc_bitmap_t s = tu_set("0-3,8");
	assert_string_equal(nodelist_format(s, buf, sizeof(buf)), "0-3,8");
	hwloc_bitmap_free(s);
	s = tu_set("5");
	assert_string_equal(nodelist_format(s, buf, sizeof(buf)), "5");
	hwloc_bitmap_free(s);
}

static void test_format_roundtrip(void **state)
{
	(void)state;
	char buf[64], cause[128];
	hwloc_bitmap_t allowed = tu_set("0-31"), out = hwloc_bitmap_alloc();
	assert_int_equal(nodelist_parse("0-2,4,6-7,30", allowed, out, cause, sizeof(cause)), 0);
	assert_string_equal(nodelist_format(out, buf, sizeof(buf)), "0-2,4,6-7,30");
	hwloc_bitmap_free(allowed);
	hwloc_bitmap_free(out);
}

/* No number wraps and no bitmap is sized by an index past NODELIST_MAX_INDEX; "1-2-3" is no range. */
static void test_error_large_and_double_ranges(void **state)
{
	(void)state;
	expect_error("4294967296", "0-3", "index 4294967296 is too large", "at most 65535");
	expect_error("4294967297", "0-3", "too large", NULL);
	expect_error("0-18446744073709551615", "0-3", "index 18446744073709551615 is too large", NULL);
	expect_error("99999999999999999999999999999999", "0-3", "index 999999999999999999999999... is too large", NULL);
	expect_error("65536", "0-3", "too large", NULL);
	expect_error("!4000000000", "0-3", "too large", NULL);
	expect_error("+4000000000", "0-3", "too large", NULL);
	expect_error("1-2-3", "0-3", "'1-2-3'", "is not a list");
	expect_error("0-1-", "0-3", "is not a list", NULL);
	expect_parse("65535", "0-3", "65535");
	expect_parse("0-3,8,65535", "0-3", "0-3,8,65535");
}

/* Without an allowed set (the kernel's Mems_allowed_list): plain lists only; all, ! and + used to
 * dereference the missing set (seen while writing fuzz_nodelist, which now tries it). */
static void test_no_allowed_set(void **state)
{
	(void)state;
	hwloc_bitmap_t out = hwloc_bitmap_alloc();
	char cause[256];
	assert_int_equal(nodelist_parse(" 0-1,4", NULL, out, cause, sizeof(cause)), 0);
	assert_string_equal(tu_list(out), "0-1,4");
	const char *refused[] = {"all", "!1", "+0", "!all", " +0-1"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cause[0] = '\0';
		assert_int_equal(nodelist_parse(refused[i], NULL, out, cause, sizeof(cause)), -1);
		assert_non_null(strstr(cause, "need an allowed set"));
	}
	hwloc_bitmap_free(out);
}

int main(void)
{
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(test_plain_list),
		cmocka_unit_test(test_error_large_and_double_ranges),
		cmocka_unit_test(test_plain_list_not_checked_against_allowed),
		cmocka_unit_test(test_leading_space_ignored),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_invert),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_invert_relative),
		cmocka_unit_test(test_no_allowed_set),
	};
	const struct CMUnitTest parse_errors[] = {
		cmocka_unit_test(test_error_empty),
		cmocka_unit_test(test_error_letters),
		cmocka_unit_test(test_error_open_ranges),
		cmocka_unit_test(test_error_descending_range),
		cmocka_unit_test(test_error_empty_items),
		cmocka_unit_test(test_error_relative_past_allowed),
		cmocka_unit_test(test_error_relative_all),
	};
	const struct CMUnitTest format[] = {
		cmocka_unit_test(test_format_empty),
		cmocka_unit_test(test_format_list),
		cmocka_unit_test(test_format_roundtrip),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("nodelist_parse", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("nodelist_parse errors", parse_errors, NULL, NULL);
	failed += cmocka_run_group_tests_name("nodelist_format", format, NULL, NULL);
	return failed ? 1 : 0;
}
