/* fuzz_report.c - the event-line reader of numarun report (json_parse, report_feed_line, report_read)
 * and the page and chart written from what it took. */
#include "config.h"
#include "fuzz.h"
#include "json.h"
#include "report.h"

/* Whether the n bytes at s are valid UTF-8 without a NUL. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len;
		unsigned long cp;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* Every string of a parsed value (and every member name) is valid UTF-8; depth stays bounded. */
static void check_value(const struct json *v, unsigned depth)
{
	FUZZ_CHECK(depth <= JSON_MAX_DEPTH);
	if (v->type == JSON_STRING)
		FUZZ_CHECK(valid_utf8((const unsigned char *)v->str, strlen(v->str)));
	if (v->type == JSON_NUMBER)
		FUZZ_CHECK(v->number == v->number && v->number - v->number == 0); /* finite */
	if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
		for (size_t i = 0; i < v->n; i++) {
			check_value(&v->items[i], depth + 1);
			if (v->type == JSON_OBJECT) {
				FUZZ_CHECK(valid_utf8((const unsigned char *)v->keys[i], strlen(v->keys[i])));
				FUZZ_CHECK(json_get(v, v->keys[i]) != NULL);
			}
		}
}

static size_t count(const char *hay, size_t n, const char *needle)
{
	size_t c = 0, k = strlen(needle);
	for (const char *p = hay; (p = memmem(p, n - (size_t)(p - hay), needle, k)); p += k)
		c++;
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cause[512];
	/* The whole input as one value. */
	struct json v;
	memset(cause, 'x', sizeof(cause));
	if (json_parse((const char *)data, size, &v, cause, sizeof(cause)) == 0) {
		check_value(&v, 0);
		json_free(&v);
	} else {
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL);
		FUZZ_CHECK(strncmp(cause, "column ", 7) == 0);
		FUZZ_CHECK(v.type == JSON_NULL && !v.items && !v.str);
	}

	/* As an events file, line by line. */
	struct report r;
	report_init(&r);
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	if (!f)
		return 0;
	if (!size)
		fgetc(f); /* fmemopen wants a buffer: an empty file all the same */
	memset(cause, 'x', sizeof(cause));
	int rc = report_read(&r, f, "fuzz.json", cause, sizeof(cause));
	fclose(f);
	FUZZ_CHECK(rc == 0 || rc == -2);
	if (rc < 0) {
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL);
		FUZZ_CHECK(strncmp(cause, "fuzz.json:", 10) == 0);
		report_free(&r);
		return 0;
	}
	FUZZ_CHECK(r.events > 0);
	for (size_t m = 0; m < r.nmarks; m++)
		FUZZ_CHECK(r.marks[m].thread < r.nthreads);
	for (size_t i = 0; i < r.nthreads; i++) {
		const struct report_thread *th = &r.threads[i];
		FUZZ_CHECK(valid_utf8((const unsigned char *)th->comm, strlen(th->comm)));
		for (size_t k = 0; k < th->npts; k++)
			FUZZ_CHECK(th->pts[k].t >= 0 && th->pts[k].t <= r.t_end && th->pts[k].remote <= 1);
	}
	/* The page: one mark a move event, every name escaped, valid UTF-8. */
	for (int svg = 0; svg <= 1; svg++) {
		char *out = NULL;
		size_t n = 0;
		FILE *o = open_memstream(&out, &n);
		FUZZ_CHECK(o != NULL);
		if (svg)
			report_write_svg(o, &r, 1);
		else
			report_write_html(o, &r, "fuzz.json");
		fclose(o);
		FUZZ_CHECK(valid_utf8((const unsigned char *)out, n));
		FUZZ_CHECK(count(out, n, "class=\"mark ") == r.nmarks);
		FUZZ_CHECK(count(out, n, "class=\"flag ") == r.nflags);
		FUZZ_CHECK(count(out, n, "<script") == 0);
		FUZZ_CHECK(count(out, n, "<svg") == 1 && count(out, n, "</svg>") == 1);
		free(out);
	}
	report_free(&r);
	return 0;
}
