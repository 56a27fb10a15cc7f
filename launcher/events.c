/* events.c - the one JSON writer: string escaping, numbers, and the JSON-lines event stream. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "events.h"
#include "log.h"

/* The length of the valid UTF-8 sequence at p (2 to 4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return n;
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p == '\t') {
			fputs("\\t", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else if (*p >= 0x80) {
			size_t n = utf8_len(p);
			if (n) {
				fwrite(p, 1, n, f);
				p += n;
				continue;
			}
			fputs("\\ufffd", f);
		} else {
			fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

void json_number(FILE *f, double v, int decimals)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.*f", decimals, v);
}

int events_open(struct events *ev, const char *path, double t0, char *cause, size_t causelen)
{
	memset(ev, 0, sizeof(*ev));
	ev->t0 = t0;
	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		ev->f = stdout;
		snprintf(ev->name, sizeof(ev->name), "(standard output)");
		return 0;
	}
	snprintf(ev->name, sizeof(ev->name), "%s", path);
	ev->f = fopen(path, "we");
	if (!ev->f) {
		int e = errno;
		snprintf(cause, causelen, "%s: cannot write events: %s", path, strerror(e));
		return -e;
	}
	ev->own = 1;
	return 0;
}

int events_on(const struct events *ev)
{
	return ev->f != NULL;
}

/* Before a value: the comma, and the key inside an object. */
static void field(struct events *ev, const char *key)
{
	if (!ev->first[ev->depth])
		fputc(',', ev->f);
	ev->first[ev->depth] = 0;
	if (key) {
		json_string(ev->f, key);
		fputc(':', ev->f);
	}
}

void events_begin(struct events *ev, double now, const char *name)
{
	if (!ev->f)
		return;
	fprintf(ev->f, "{\"t\":%.3f,\"event\":", now - ev->t0);
	json_string(ev->f, name);
	ev->depth = 1;
	ev->first[1] = 0;
}

void events_str(struct events *ev, const char *key, const char *v)
{
	if (!ev->f)
		return;
	field(ev, key);
	if (v)
		json_string(ev->f, v);
	else
		fputs("null", ev->f);
}

void events_int(struct events *ev, const char *key, long long v)
{
	if (!ev->f)
		return;
	field(ev, key);
	fprintf(ev->f, "%lld", v);
}

void events_num(struct events *ev, const char *key, double v, int decimals)
{
	if (!ev->f)
		return;
	field(ev, key);
	json_number(ev->f, v, decimals);
}

void events_bool(struct events *ev, const char *key, int v)
{
	if (!ev->f)
		return;
	field(ev, key);
	fputs(v ? "true" : "false", ev->f);
}

void events_null(struct events *ev, const char *key)
{
	if (!ev->f)
		return;
	field(ev, key);
	fputs("null", ev->f);
}

static void push(struct events *ev, const char *key, char open)
{
	if (!ev->f || ev->depth + 1 >= EVENTS_MAX_DEPTH)
		return;
	field(ev, key);
	fputc(open, ev->f);
	ev->depth++;
	ev->first[ev->depth] = 1;
	ev->closer[ev->depth] = open == '[' ? ']' : '}';
}

void events_array(struct events *ev, const char *key)
{
	push(ev, key, '[');
}

void events_object(struct events *ev, const char *key)
{
	push(ev, key, '{');
}

void events_pop(struct events *ev)
{
	if (!ev->f || ev->depth <= 1)
		return;
	fputc(ev->closer[ev->depth], ev->f);
	ev->depth--;
}

int events_end(struct events *ev)
{
	if (!ev->f)
		return 0;
	while (ev->depth > 1)
		events_pop(ev); /* what was left open */
	ev->depth = 0;
	errno = 0;
	fputs("}\n", ev->f);
	int bad = fflush(ev->f) != 0 || ferror(ev->f);
	if (!bad)
		return 0;
	/* A full disk, a closed standard output, a reader that went away: say so once, then stop writing
	 * events (the target and the monitor carry on). */
	int e = errno ? errno : EIO;
	log_warn("events %s: %s: no more events are written", ev->name, strerror(e));
	if (ev->own)
		fclose(ev->f);
	ev->f = NULL;
	ev->own = 0;
	ev->failed = 1;
	return -e;
}

void events_finish(struct events *ev)
{
	if (ev->f && ev->own)
		fclose(ev->f);
	else if (ev->f)
		fflush(ev->f);
	ev->f = NULL;
	ev->own = 0;
}
