/* events.h - the one JSON writer: strings, numbers, and the JSON-lines event stream (--events). A failed
 * write is said once and stops the events; the target and the monitor carry on. */
#ifndef NUMARUN_EVENTS_H
#define NUMARUN_EVENTS_H

#include <stddef.h>
#include <stdio.h>

/* Write s as a JSON string literal: '"', '\\' and the control characters (0x00-0x1f, 0x7f) escaped,
 * valid UTF-8 kept as it is, each byte of an invalid sequence as \ufffd (a thread name may hold any
 * byte: the output stays valid JSON). */
void json_string(FILE *f, const char *s);
/* Write v with decimals digits after the point; NaN and infinities, which JSON lacks, as null. */
void json_number(FILE *f, double v, int decimals);

#define EVENTS_MAX_DEPTH 8

/* An event stream: one JSON object a line, each flushed as it is ended. */
struct events {
	FILE *f;                  /* NULL: none asked for, or stopped after a failed write */
	int own;                  /* f is ours to close */
	int failed;               /* a write failed (said once) */
	char name[256];           /* the file, for the message: its path or "(standard output)" */
	double t0;                /* "t" counts seconds from this */
	unsigned depth;           /* nesting inside the event being written (1: its top level) */
	unsigned char first[EVENTS_MAX_DEPTH]; /* per level: nothing written there yet */
	char closer[EVENTS_MAX_DEPTH];         /* per level: the bracket that closes it */
};

/* Start an event stream to path ("-": standard output; NULL: no events, every call below a no-op),
 * with "t" counted from t0. Returns 0, or -errno with cause. */
int events_open(struct events *ev, const char *path, double t0, char *cause, size_t causelen);
/* Begin an event at time now: {"t":...,"event":name. */
void events_begin(struct events *ev, double now, const char *name);
/* The fields of the object (or, key NULL, the elements of the array) being written. */
void events_str(struct events *ev, const char *key, const char *v); /* v NULL: null */
void events_int(struct events *ev, const char *key, long long v);
void events_num(struct events *ev, const char *key, double v, int decimals);
void events_bool(struct events *ev, const char *key, int v);
void events_null(struct events *ev, const char *key);
/* Open and close a nested array or object (key NULL inside an array). */
void events_array(struct events *ev, const char *key);
void events_object(struct events *ev, const char *key);
void events_pop(struct events *ev);
/* End the event: close it, write the line and flush it. On the first failed write says so once (the
 * file and the error) and writes no more events. Returns 0, or -errno when this write failed. */
int events_end(struct events *ev);
/* Whether events are still written. */
int events_on(const struct events *ev);
/* Flush and release (the file is closed when it is ours). */
void events_finish(struct events *ev);

#endif
