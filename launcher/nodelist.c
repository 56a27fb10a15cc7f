/* nodelist.c - numactl list syntax ("all", ranges, "!", "+") on top of hwloc's list parser. */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "nodelist.h"

/* hwloc_bitmap_list_sscanf accepts some things numactl does not (a trailing open range "3-"); we
 * check the characters first so that only digits, ',' and '-' reach it. */
static int list_chars_ok(const char *s)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) && *p != ',' && *p != '-')
			return 0;
		if (*p == '-' && (p == s || !isdigit((unsigned char)p[-1]) || !isdigit((unsigned char)p[1])))
			return 0;
		if (*p == ',' && (p == s || p[1] == '\0' || p[1] == ','))
			return 0;
	}
	return 1;
}

/* Ranges must go up: "5-3" is refused rather than silently reordered. */
static int ranges_ascending(const char *s)
{
	const char *p = s;
	while (*p) {
		unsigned long a = strtoul(p, (char **)&p, 10), b = a;
		if (*p == '-')
			b = strtoul(p + 1, (char **)&p, 10);
		if (b < a)
			return 0;
		if (*p == ',')
			p++;
	}
	return 1;
}

int nodelist_parse(const char *s, hwloc_const_bitmap_t allowed, hwloc_bitmap_t out, char *cause,
		   size_t causelen)
{
	int invert = 0, relative = 0;
	const char *body = s;

	while (isspace((unsigned char)*body))
		body++;
	if (*body == '!') {
		invert = 1;
		body++;
	}
	if (*body == '+') {
		relative = 1;
		body++;
	}
	if (strcmp(body, "all") == 0) {
		if (relative) {
			snprintf(cause, causelen, "'%s': '+' cannot be combined with 'all'", s);
			return -1;
		}
		hwloc_bitmap_copy(out, allowed);
	} else {
		if (!list_chars_ok(body) || !ranges_ascending(body)) {
			snprintf(cause, causelen,
				 "'%s' is not a list (expected e.g. 0-3,8, all, !1 or +0-1)", s);
			return -1;
		}
		hwloc_bitmap_t parsed = hwloc_bitmap_alloc();
		if (hwloc_bitmap_list_sscanf(parsed, body) < 0) {
			hwloc_bitmap_free(parsed);
			snprintf(cause, causelen, "'%s' is not a list", s);
			return -1;
		}
		if (relative) {
			/* +N means the N-th member of the allowed set. */
			int n = hwloc_bitmap_weight(allowed);
			unsigned i;
			hwloc_bitmap_zero(out);
			hwloc_bitmap_foreach_begin(i, parsed) {
				if ((int)i >= n) {
					snprintf(cause, causelen,
						 "'%s': relative index %u is past the %d allowed", s, i, n);
					hwloc_bitmap_free(parsed);
					return -1;
				}
				int k = 0;
				unsigned m;
				hwloc_bitmap_foreach_begin(m, allowed) {
					if ((unsigned)k++ == i) {
						hwloc_bitmap_set(out, m);
						break;
					}
				}
				hwloc_bitmap_foreach_end();
			}
			hwloc_bitmap_foreach_end();
		} else {
			hwloc_bitmap_copy(out, parsed);
		}
		hwloc_bitmap_free(parsed);
	}
	if (invert)
		hwloc_bitmap_andnot(out, allowed, out);
	return 0;
}

char *nodelist_format(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	if (hwloc_bitmap_iszero(set))
		snprintf(buf, len, "none");
	else
		hwloc_bitmap_list_snprintf(buf, len, set);
	return buf;
}
