/* json.c - a recursive-descent JSON reader (RFC 8259) into a tree, for the report's event lines. */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

struct reader {
	const unsigned char *p, *start, *end;
	char *cause;
	size_t causelen;
	int failed;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	if (r->failed)
		return -1;
	r->failed = 1;
	int off = snprintf(r->cause, r->causelen, "column %zu: ", (size_t)(r->p - r->start) + 1);
	if (off >= 0 && (size_t)off < r->causelen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->cause + off, r->causelen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* A growing byte buffer for a string being decoded. */
struct buf {
	char *s;
	size_t n, cap;
};

static int put(struct buf *b, const void *bytes, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			return -1;
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->n, bytes, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

static int put_utf8(struct buf *b, unsigned long c)
{
	unsigned char u[4];
	size_t n;
	if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		c = 0xfffd;
	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | c >> 6);
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | c >> 12);
		u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return put(b, u, n);
}

/* The length of the valid UTF-8 sequence at p (before end), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return n;
}

static int hex4(struct reader *r, unsigned long *out)
{
	unsigned long v = 0;
	if (r->end - r->p < 4)
		return fail(r, "\\u needs 4 hex digits");
	for (int k = 0; k < 4; k++) {
		unsigned char c = r->p[k];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return fail(r, "\\u needs 4 hex digits");
		v = v * 16 + (unsigned long)d;
	}
	r->p += 4;
	*out = v;
	return 0;
}

/* A string, the opening quote at r->p, into a malloc'd NUL-terminated UTF-8 string. */
static int parse_string(struct reader *r, char **out)
{
	struct buf b = {NULL, 0, 0};
	r->p++;
	if (put(&b, "", 0) < 0)
		goto oom;
	for (;;) {
		if (r->p >= r->end) {
			fail(r, "unterminated string");
			goto bad;
		}
		unsigned char c = *r->p;
		if (c == '"') {
			r->p++;
			*out = b.s;
			return 0;
		}
		if (c < 0x20) {
			fail(r, "control character 0x%02x in a string (must be escaped)", c);
			goto bad;
		}
		if (c == '\\') {
			r->p++;
			if (r->p >= r->end) {
				fail(r, "unterminated string");
				goto bad;
			}
			char e = (char)*r->p++, lit;
			switch (e) {
			case '"': lit = '"'; break;
			case '\\': lit = '\\'; break;
			case '/': lit = '/'; break;
			case 'b': lit = '\b'; break;
			case 'f': lit = '\f'; break;
			case 'n': lit = '\n'; break;
			case 'r': lit = '\r'; break;
			case 't': lit = '\t'; break;
			case 'u': {
				unsigned long u, lo;
				if (hex4(r, &u) < 0)
					goto bad;
				if (u >= 0xd800 && u <= 0xdbff && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
					const unsigned char *save = r->p;
					r->p += 2;
					if (hex4(r, &lo) < 0)
						goto bad;
					if (lo >= 0xdc00 && lo <= 0xdfff)
						u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					else
						r->p = save; /* a lone high surrogate; the next escape stands alone */
				}
				if (put_utf8(&b, u) < 0)
					goto oom;
				continue;
			}
			default:
				r->p--;
				fail(r, "unknown escape '\\%c' in a string", e >= 0x20 && e < 0x7f ? e : '?');
				goto bad;
			}
			if (put(&b, &lit, 1) < 0)
				goto oom;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(r->p, r->end);
			if (!n) {
				if (put_utf8(&b, 0xfffd) < 0)
					goto oom;
				r->p++;
				continue;
			}
			if (put(&b, r->p, n) < 0)
				goto oom;
			r->p += n;
			continue;
		}
		if (put(&b, &c, 1) < 0)
			goto oom;
		r->p++;
	}
oom:
	fail(r, "out of memory");
bad:
	free(b.s);
	return -1;
}

static int parse_number(struct reader *r, double *out)
{
	const unsigned char *s = r->p;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return fail(r, "not a number");
	if (*r->p == '0')
		r->p++;
	else
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail(r, "a digit must follow the decimal point");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail(r, "a digit must follow the exponent");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	char tmp[64];
	size_t n = (size_t)(r->p - s);
	if (n >= sizeof(tmp)) {
		/* More digits than a double holds: read from a copy all the same. */
		char *big = malloc(n + 1);
		if (!big)
			return fail(r, "out of memory");
		memcpy(big, s, n);
		big[n] = '\0';
		*out = strtod(big, NULL);
		free(big);
	} else {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		*out = strtod(tmp, NULL);
	}
	if (!isfinite(*out)) {
		r->p = s;
		return fail(r, "number out of range");
	}
	return 0;
}

static int literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return -1;
	r->p += n;
	return 0;
}

static int parse_value(struct reader *r, struct json *v, unsigned depth);

/* Append to v's items (and keys); the new value's slot, or NULL out of memory. */
static struct json *grow(struct json *v, size_t *cap, int with_key)
{
	if (v->n == *cap) {
		size_t c = *cap ? *cap * 2 : 4;
		struct json *items = realloc(v->items, c * sizeof(*items));
		if (!items)
			return NULL;
		v->items = items;
		if (with_key) {
			char **keys = realloc(v->keys, c * sizeof(*keys));
			if (!keys)
				return NULL;
			v->keys = keys;
		}
		*cap = c;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	return &v->items[v->n];
}

static int parse_container(struct reader *r, struct json *v, unsigned depth, int object)
{
	size_t cap = 0;
	char close = object ? '}' : ']';
	v->type = object ? JSON_OBJECT : JSON_ARRAY;
	if (depth >= JSON_MAX_DEPTH)
		return fail(r, "nested more than %d deep", JSON_MAX_DEPTH);
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(r);
		if (object) {
			if (r->p >= r->end)
				return fail(r, "unterminated object");
			if (*r->p != '"')
				return fail(r, "expected a member name (a string)");
			if (parse_string(r, &key) < 0)
				return -1;
			skip_ws(r);
			if (r->p >= r->end || *r->p != ':') {
				free(key);
				return fail(r, "expected ':' after a member name");
			}
			r->p++;
		}
		struct json *slot = grow(v, &cap, object);
		if (!slot) {
			free(key);
			return fail(r, "out of memory");
		}
		if (object)
			v->keys[v->n] = key;
		v->n++; /* counted now: freed with v whatever happens */
		if (parse_value(r, slot, depth + 1) < 0)
			return -1;
		skip_ws(r);
		if (r->p >= r->end)
			return fail(r, object ? "unterminated object" : "unterminated array");
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == close) {
			r->p++;
			return 0;
		}
		return fail(r, "expected ',' or '%c'", close);
	}
}

static int parse_value(struct reader *r, struct json *v, unsigned depth)
{
	memset(v, 0, sizeof(*v));
	skip_ws(r);
	if (r->p >= r->end)
		return fail(r, "expected a value, found the end");
	switch (*r->p) {
	case '{':
		return parse_container(r, v, depth, 1);
	case '[':
		return parse_container(r, v, depth, 0);
	case '"':
		v->type = JSON_STRING;
		return parse_string(r, &v->str);
	case 't':
	case 'f':
	case 'n':
		if (literal(r, "true") == 0) {
			v->type = JSON_BOOL;
			v->boolean = 1;
			return 0;
		}
		if (literal(r, "false") == 0) {
			v->type = JSON_BOOL;
			return 0;
		}
		if (literal(r, "null") == 0)
			return 0;
		return fail(r, "unknown word (true, false or null?)");
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
			v->type = JSON_NUMBER;
			return parse_number(r, &v->number);
		}
		if (*r->p >= 0x20 && *r->p < 0x7f)
			return fail(r, "unexpected '%c'", *r->p);
		return fail(r, "unexpected byte 0x%02x", *r->p);
	}
}

int json_parse(const char *text, size_t len, struct json *out, char *cause, size_t causelen)
{
	struct reader r = {(const unsigned char *)text, (const unsigned char *)text, (const unsigned char *)text + len,
			   cause, causelen, 0};
	if (causelen)
		cause[0] = '\0';
	int rc = parse_value(&r, out, 0);
	if (rc == 0) {
		skip_ws(&r);
		if (r.p < r.end)
			rc = fail(&r, "more after the value");
	}
	if (rc < 0) {
		json_free(out);
		return -1;
	}
	return 0;
}

void json_free(struct json *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct json *json_get(const struct json *v, const char *key)
{
	if (!v || v->type != JSON_OBJECT)
		return NULL;
	for (size_t i = v->n; i-- > 0;)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL: return "null";
	case JSON_BOOL: return "a boolean";
	case JSON_NUMBER: return "a number";
	case JSON_STRING: return "a string";
	case JSON_ARRAY: return "an array";
	case JSON_OBJECT: return "an object";
	}
	return "?";
}
