/* fuzz_nodelist.c - the CPU and node list parser (nodelist_parse, nodelist_parse_plain) and its writer. */
#include "config.h"
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

	free(s);
	hwloc_bitmap_free(allowed);
	hwloc_bitmap_free(out);
	return 0;
}
