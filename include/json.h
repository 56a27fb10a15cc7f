/* json.h - a small JSON reader for one document (an event line of --events): a tree of values.
 * Strings come out as valid UTF-8: escapes decoded, a lone surrogate, \u0000 and every byte of an
 * invalid UTF-8 sequence replaced by U+FFFD. Nesting is limited to JSON_MAX_DEPTH. */
#ifndef NUMARUN_JSON_H
#define NUMARUN_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 32

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	int boolean;              /* JSON_BOOL */
	double number;            /* JSON_NUMBER (finite) */
	char *str;                /* JSON_STRING: NUL-terminated UTF-8 */
	size_t n;                 /* JSON_ARRAY, JSON_OBJECT: how many values (members) */
	struct json *items;       /* their values */
	char **keys;              /* JSON_OBJECT: each member's name (as str) */
};

/* Parse the len bytes at text (one value, white space around it allowed) into *out. Returns 0, or -1
 * with *out empty (JSON_NULL) and in cause what is wrong and at which byte ("column 12: ..."). */
int json_parse(const char *text, size_t len, struct json *out, char *cause, size_t causelen);
/* Release what json_parse allocated; *v becomes JSON_NULL. */
void json_free(struct json *v);
/* The value of the member key of object v (the last one where a key repeats), or NULL when v is not an
 * object or has no such member. */
const struct json *json_get(const struct json *v, const char *key);
/* The kind of value, as a word for messages ("a string", "null"...). */
const char *json_type_name(enum json_type t);

#endif
