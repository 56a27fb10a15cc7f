/*
 * keys.h - the one table of policy keys: {section, key, type, parser, writer, command-line option}.
 *
 * The INI reader (policy.c), the INI writer (policy_write) and the command line's overrides (cli.c) all
 * go through this table, so that a key is declared once: what it accepts, how it is written back, and
 * which option sets it. numarun.ini(5) documents the same keys in the same order.
 */
#ifndef NUMARUN_KEYS_H
#define NUMARUN_KEYS_H

#include <stddef.h>
#include <stdio.h>
#include "policy.h"

enum key_type {
	KT_BOOL,      /* yes/no */
	KT_ENUM,      /* one of names */
	KT_COUNT,     /* a whole number in [min, max] */
	KT_SHARE,     /* 0..1, as 30% or 0.3 */
	KT_DURATION,  /* 10ms .. 1h */
	KT_LIST,      /* a CPU or node list, numactl syntax (with the key's own keyword) */
	KT_PLAIN,     /* a plain list, as numarun writes the allowed sets */
	KT_CPUS,      /* all, N, P%, F node(s) */
	KT_KNOB,      /* auto/always/keep/off/N */
	KT_SIZE,      /* auto/keep/off/SIZE */
	KT_GLOBS,     /* [threads] exclude: globs, may be repeated (each adds rules in order) */
	KT_RULE,      /* [threads] node.GLOB: a prefix key */
	KT_ENV,       /* [env] NAME: any variable */
};

/* Where a value comes from: a policy file (its lists are intent where not allowed) or the command line. */
enum key_origin { ORIGIN_FILE, ORIGIN_CLI };

struct policy_key {
	const char *section;
	const char *name;         /* the key; for KT_RULE the prefix "node.", for KT_ENV "*" */
	enum key_type type;
	const char *expected;     /* the accepted forms, for messages */
	/* Parse v into p. Returns 0, or -1 with the reason in why (which does not name the key). */
	int (*parse)(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		     enum key_origin origin, char *why, size_t whylen);
	/* The value p holds, as the reader takes it back; returns 0 when the key is not written (NULL). */
	const char *(*format)(const struct policy_key *k, const struct policy *p, char *buf, size_t len);
	/* The command-line option that sets this key ("cpunodebind"), its short form (0: none), and for an
	 * option without a value the value it stands for (NULL: the option takes one; optional_value: it may). */
	const char *option;
	int short_opt;
	const char *noarg_value;
	int optional_value;
	/* KT_ENUM: the names; KT_COUNT: the range */
	const char *const *names;
	long long min, max;
	size_t offset;            /* the field in struct policy */
};

/* The table, terminated by an entry whose section is NULL. */
extern const struct policy_key policy_keys[];
/* The key named section/name (a [threads] node.GLOB key and any [env] name resolve to their entry), or NULL. */
const struct policy_key *key_find(const char *section, const char *name, const char **suffix);
/* The entry of a command-line option (long name, or short when name is NULL), or NULL. */
const struct policy_key *key_by_option(const char *name, int short_opt);
/* The table index of k (0 .. key_count() - 1). */
unsigned key_index(const struct policy_key *k);
unsigned key_count(void);

/*
 * Set key k (suffix: the GLOB of node.GLOB or the [env] name) from v over p. Returns 0, or -1 with
 * "bad value 'V' (expected ...)" or the list's own reason in why.
 */
int key_set(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
	    enum key_origin origin, char *why, size_t whylen);

/*
 * One number parser: decimal digits only (an optional leading '-' where min < 0), no wrap, range-checked
 * before it is stored. Returns 0, or -1 (not a number, or outside [min, max]).
 */
int number_parse(const char *v, long long min, long long max, long long *out);

/*
 * Write p as a policy file that reads back to the same policy (policy_load). Every key is written, so
 * that nothing depends on the defaults of the numarun that reads it; values longer than a line are
 * continued on the next lines (numarun.ini(5), "Long values"). header: comment lines, or NULL.
 * Returns 0, or -1 when the stream failed (errno set).
 */
int policy_write(FILE *f, const struct policy *p, const char *header);

#endif
