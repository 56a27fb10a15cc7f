/* fuzz_nodelist.c - the CPU and node list parser (nodelist_parse, nodelist_parse_plain, nodelist_check), a
 * plain list's own order (nodelist_written_order) and the writers (nodelist_format, nodelist_format_order). */
#include "config.h"
#include <ctype.h>
#include <hwloc.h>
#include "fuzz.h"
#include "nodelist.h"

/* Big enough for any set of indexes up to NODELIST_MAX_INDEX ("0,2,4,...,65534"). */
static char out_buf[1 << 20];

/* A set written and parsed back is the same set. */
static void round_trip(hwloc_const_bitmap_t set)
{
	char cause[256];
	nodelist_format(set, out_buf, sizeof(out_buf));
	FUZZ_CHECK(strlen(out_buf) < sizeof(out_buf) - 1);
	hwloc_bitmap_t back = hwloc_bitmap_alloc();
	if (hwloc_bitmap_iszero(set)) {
		FUZZ_CHECK(strcmp(out_buf, "none") == 0);
	} else {
		FUZZ_CHECK(nodelist_parse_plain(out_buf, back, cause, sizeof(cause)) == 0);
		FUZZ_CHECK(hwloc_bitmap_isequal(back, set));
	}
	hwloc_bitmap_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	/* The allowed set: up to 64 indexes from 8 bytes, at an offset. */
	hwloc_bitmap_t allowed = hwloc_bitmap_alloc(), out = hwloc_bitmap_alloc();
	unsigned base = fuzz_u8(&in) * 4;
	for (unsigned b = 0; b < 8; b++) {
		unsigned byte = fuzz_u8(&in);
		for (unsigned k = 0; k < 8; k++)
			if (byte >> k & 1)
				hwloc_bitmap_set(allowed, base + b * 8 + k);
	}
	char *s = fuzz_rest(&in);
	char cause[256];

	memset(cause, 'x', sizeof(cause));
	if (nodelist_parse(s, allowed, out, cause, sizeof(cause)) == 0) {
		FUZZ_CHECK(hwloc_bitmap_last(out) <= (int)NODELIST_MAX_INDEX);
		FUZZ_CHECK(hwloc_bitmap_weight(out) >= 0); /* finite */
		const char *body = s + strspn(s, " \t\n\v\f\r");
		/* "all", "!..." and "+..." stay within the allowed set. */
		if (*body == '!' || *body == '+' || strcmp(body, "all") == 0)
			FUZZ_CHECK(hwloc_bitmap_isincluded(out, allowed));
		if (*body == '+') {
			/* "+LIST" picks as many distinct members of the allowed set as LIST names. */
			hwloc_bitmap_t p = hwloc_bitmap_alloc();
			FUZZ_CHECK(nodelist_parse_plain(body + 1, p, cause, sizeof(cause)) == 0);
			FUZZ_CHECK(hwloc_bitmap_weight(p) == hwloc_bitmap_weight(out));
			hwloc_bitmap_free(p);
		}
		round_trip(out);
	} else {
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL);
	}

	/* Without an allowed set (as for the kernel's Mems_allowed_list): what parses is a plain list. */
	if (nodelist_parse(s, NULL, out, cause, sizeof(cause)) == 0) {
		hwloc_bitmap_t plain = hwloc_bitmap_alloc();
		const char *body = s + strspn(s, " \t\n\v\f\r");
		FUZZ_CHECK(nodelist_parse_plain(body, plain, cause, sizeof(cause)) == 0);
		FUZZ_CHECK(hwloc_bitmap_isequal(plain, out));
		hwloc_bitmap_free(plain);
	}

	memset(cause, 'x', sizeof(cause));
	if (nodelist_parse_plain(s, out, cause, sizeof(cause)) == 0) {
		FUZZ_CHECK(strspn(s, "0123456789,-") == strlen(s));
		FUZZ_CHECK(hwloc_bitmap_last(out) <= (int)NODELIST_MAX_INDEX);
		round_trip(out);
		/* A plain list means the same to the numactl-style parser. */
		if (*s) {
			hwloc_bitmap_t again = hwloc_bitmap_alloc();
			FUZZ_CHECK(nodelist_parse(s, allowed, again, cause, sizeof(cause)) == 0);
			FUZZ_CHECK(hwloc_bitmap_isequal(again, out));
			hwloc_bitmap_free(again);
		}
	} else {
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL);
	}

	/* The syntax check without a set: whatever parses (but !all, which selects nothing) passes it. */
	char cause2[256];
	memset(cause2, 'x', sizeof(cause2));
	int checked = nodelist_check(s, cause2, sizeof(cause2));
	FUZZ_CHECK(checked == 0 || memchr(cause2, '\0', sizeof(cause2)) != NULL);
	if (!isspace((unsigned char)*s) && strcmp(s, "!all") != 0 &&
	    nodelist_parse(s, allowed, out, cause, sizeof(cause)) == 0)
		FUZZ_CHECK(checked == 0);

	/* A plain list's own order: each member of the wanted set once, written back as the same set. */
	if (nodelist_parse_plain(s, out, cause, sizeof(cause)) == 0) {
		static unsigned order[NODELIST_MAX_INDEX + 1];
		unsigned max = 1 + (unsigned)hwloc_bitmap_weight(allowed);
		int n = nodelist_written_order(s, allowed, order, max);
		hwloc_bitmap_t both = hwloc_bitmap_alloc(), seen = hwloc_bitmap_alloc();
		hwloc_bitmap_and(both, out, allowed);
		FUZZ_CHECK(n >= 0 && (unsigned)n <= max);
		FUZZ_CHECK(!*s || n == hwloc_bitmap_weight(both));
		for (int i = 0; i < n; i++) {
			FUZZ_CHECK(hwloc_bitmap_isset(both, order[i]) && !hwloc_bitmap_isset(seen, order[i]));
			hwloc_bitmap_set(seen, order[i]);
		}
		nodelist_format_order(order, (unsigned)n, out_buf, sizeof(out_buf));
		if (n) {
			FUZZ_CHECK(nodelist_parse_plain(out_buf, both, cause, sizeof(cause)) == 0);
			FUZZ_CHECK(hwloc_bitmap_isequal(both, seen));
			FUZZ_CHECK(nodelist_written_order(out_buf, seen, order, max) == n);
		} else {
			FUZZ_CHECK(strcmp(out_buf, "none") == 0);
		}
		hwloc_bitmap_free(both);
		hwloc_bitmap_free(seen);
	}

	free(s);
	hwloc_bitmap_free(allowed);
	hwloc_bitmap_free(out);
	return 0;
}
