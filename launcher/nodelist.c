/* nodelist.c - numactl list syntax ("all", ranges, "!", "+") on top of hwloc's list parser. */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodelist.h"

/*
 * The explicit part of a list: elements N or N-M (ascending), separated by single commas, digits only.
 * Each index is checked against NODELIST_MAX_INDEX before anything is allocated, so that no number wraps
 * ("4294967296" is not CPU 0) and no huge bitmap is made. Returns 0, or -1 with why in cause.
 */
static int parse_plain(const char *s, const char *whole, hwloc_bitmap_t out, char *cause, size_t causelen)
{
	/* whole == NULL: reasons without the value (the caller names it) */
	const char *p = s;
	hwloc_bitmap_zero(out);
	if (!*p)
		goto bad;
	while (*p) {
		unsigned long v[2] = {0, 0};
		int n = 0;
		for (;;) {
			if (!isdigit((unsigned char)*p))
				goto bad;
			unsigned long x = 0;
			const char *start = p;
			for (; isdigit((unsigned char)*p); p++) {
				x = x * 10 + (unsigned long)(*p - '0');
				if (x > NODELIST_MAX_INDEX) {
					size_t len = strspn(start, "0123456789");
					snprintf(cause, causelen, whole ? "%s%s%sindex %.*s%s is too large (at most %u)" : "%s%s%sindex %.*s%s is too large, at most %u", whole ? "'" : "",
						 whole ? whole : "", whole ? "': " : "", (int)(len > 24 ? 24 : len), start,
						 len > 24 ? "..." : "", NODELIST_MAX_INDEX);
					return -1;
				}
			}
			v[n++] = x;
			if (*p != '-' || n == 2)
				break;
			p++;
		}
		if (*p == '-')
			goto bad; /* "1-2-3" */
		if (n == 2 && v[1] < v[0]) {
			if (whole)
				snprintf(cause, causelen, "'%s' is not a list (the range %lu-%lu goes down)", whole, v[0], v[1]);
			else
				snprintf(cause, causelen, "the range %lu-%lu goes down", v[0], v[1]);
			return -1;
		}
		hwloc_bitmap_set_range(out, (unsigned)v[0], (int)(n == 2 ? v[1] : v[0]));
		if (*p == ',') {
			p++;
			if (!*p || *p == ',')
				goto bad;
		} else if (*p) {
			goto bad;
		}
	}
	return 0;
bad:
	if (whole)
		snprintf(cause, causelen, "'%s' is not a list (expected e.g. 0-3,8, all, !1 or +0-1)", whole);
	else
		snprintf(cause, causelen, "not a list: expected e.g. 0-3,8, all, !1 or +0-1");
	return -1;
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
	if (!allowed && (invert || relative || strcmp(body, "all") == 0)) {
		/* No allowed set to take these against (a list the kernel wrote is plain). */
		snprintf(cause, causelen, "'%s': all, ! and + need an allowed set; expected a plain list here", s);
		return -1;
	}
	if (strcmp(body, "all") == 0) {
		if (relative) {
			snprintf(cause, causelen, "'%s': '+' cannot be combined with 'all'", s);
			return -1;
		}
		hwloc_bitmap_copy(out, allowed);
	} else {
		hwloc_bitmap_t parsed = hwloc_bitmap_alloc();
		if (parse_plain(body, s, parsed, cause, causelen) < 0) {
			hwloc_bitmap_free(parsed);
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

int nodelist_check(const char *s, char *cause, size_t causelen)
{
	const char *body = s;
	if (*body == '!')
		body++;
	if (*body == '+')
		body++;
	if (strcmp(body, "all") == 0) {
		if (body > s && body[-1] == '+') {
			snprintf(cause, causelen, "'+' cannot be combined with 'all'");
			return -1;
		}
		if (*s == '!') {
			snprintf(cause, causelen, "it selects nothing");
			return -1;
		}
		return 0;
	}
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	int rc = parse_plain(body, NULL, b, cause, causelen);
	hwloc_bitmap_free(b);
	return rc;
}

int nodelist_written_order(const char *s, hwloc_const_bitmap_t want, unsigned *order, unsigned max)
{
	/* Only a plain list has an order of its own ("!", "+" and "all" name sets). */
	if (strspn(s, "0123456789,-") != strlen(s) || !*s)
		return 0;
	hwloc_bitmap_t taken = hwloc_bitmap_alloc();
	unsigned n = 0;
	int ascending = 1; /* kept for the reader: the order may well be ascending */
	const char *p = s;
	while (*p && n < max) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (a > NODELIST_MAX_INDEX || b > NODELIST_MAX_INDEX || b < a)
			break;
		for (unsigned long i = a; i <= b && n < max; i++)
			if (hwloc_bitmap_isset(want, (unsigned)i) && !hwloc_bitmap_isset(taken, (unsigned)i)) {
				if (n && i < order[n - 1])
					ascending = 0;
				hwloc_bitmap_set(taken, (unsigned)i);
				order[n++] = (unsigned)i;
			}
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p != ',' && *end)
			break;
	}
	hwloc_bitmap_free(taken);
	(void)ascending;
	return (int)n;
}

char *nodelist_format_order(const unsigned *order, unsigned n, char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < n && off < len;) {
		unsigned j = i;
		while (j + 1 < n && order[j + 1] == order[j] + 1)
			j++;
		if (j > i)
			off += (size_t)snprintf(buf + off, len - off, "%s%u-%u", i ? "," : "", order[i], order[j]);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? "," : "", order[i]);
		i = j + 1;
	}
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

int nodelist_parse_plain(const char *s, hwloc_bitmap_t out, char *cause, size_t causelen)
{
	if (strspn(s, "0123456789,-") != strlen(s)) {
		snprintf(cause, causelen, "'%s' is not a plain list (expected e.g. 0-3,8)", s);
		return -1;
	}
	if (!*s) {
		hwloc_bitmap_zero(out);
		return 0;
	}
	return parse_plain(s, s, out, cause, causelen);
}

char *nodelist_format(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	if (hwloc_bitmap_iszero(set))
		snprintf(buf, len, "none");
	else
		hwloc_bitmap_list_snprintf(buf, len, set);
	return buf;
}
