/* policy.c - INI policy (inih) -> struct policy; validation with "FILE:LINE: message". */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <ini.h>
#include "keys.h"
#include "nodelist.h"
#include "policy.h"

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->cpus_kind = CPUS_ALL;
	p->strategy = STRATEGY_COMPACT;
	p->smt = 1;
	p->mem = MEM_DEFAULT;
	p->balancing = BALANCING_AUTO;
	p->gomaxprocs.mode = KNOB_AUTO;
	p->omp.mode = KNOB_KEEP;
	p->gomemlimit.mode = KNOB_KEEP;
	p->interval_ms = 1000;
	p->threshold = 0.3;
	p->sustain = 3;
	p->settle = 5;
	p->max_moves = 12;
	p->min_cpu = 0.05;
}

int policy_resident(const struct policy *p)
{
	if (p->monitor || p->threads != THREADS_NONE)
		return 1;
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].nodes)
			return 1; /* node rules pin the threads they match */
	return 0;
}

void policy_add_rule(struct policy *p, const char *glob, const char *nodes)
{
	p->rules = realloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
	p->rules[p->nrules].glob = strdup(glob);
	p->rules[p->nrules].nodes = nodes ? strdup(nodes) : NULL;
	p->nrules++;
}

void policy_free(struct policy *p)
{
	free(p->nodes);
	free(p->cpu_list);
	free(p->mem_nodes);
	free(p->planned_cpus);
	free(p->planned_nodes);
	for (size_t i = 0; i < p->nenv; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].glob);
		free(p->rules[i].nodes);
	}
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void policy_copy(struct policy *dst, const struct policy *src)
{
	*dst = *src;
	dst->nodes = dup_or_null(src->nodes);
	dst->cpu_list = dup_or_null(src->cpu_list);
	dst->mem_nodes = dup_or_null(src->mem_nodes);
	dst->planned_cpus = dup_or_null(src->planned_cpus);
	dst->planned_nodes = dup_or_null(src->planned_nodes);
	dst->env = src->nenv ? calloc(src->nenv, sizeof(*dst->env)) : NULL;
	for (size_t i = 0; i < src->nenv; i++) {
		dst->env[i].name = strdup(src->env[i].name);
		dst->env[i].value = strdup(src->env[i].value);
	}
	dst->rules = src->nrules ? calloc(src->nrules, sizeof(*dst->rules)) : NULL;
	for (size_t i = 0; i < src->nrules; i++) {
		dst->rules[i].glob = strdup(src->rules[i].glob);
		dst->rules[i].nodes = dup_or_null(src->rules[i].nodes);
	}
}

void policy_setenv(struct policy *p, const char *name, const char *value)
{
	for (size_t i = 0; i < p->nenv; i++)
		if (strcmp(p->env[i].name, name) == 0) {
			free(p->env[i].value);
			p->env[i].value = strdup(value);
			return;
		}
	p->env = realloc(p->env, (p->nenv + 1) * sizeof(*p->env));
	p->env[p->nenv].name = strdup(name);
	p->env[p->nenv].value = strdup(value);
	p->nenv++;
}

/* ---- value parsers ---- */

/* A whole number from min, no wrap (the one number parser, keys.c). */
static int parse_long(const char *v, long min, long *out)
{
	long long n;
	if (number_parse(v, min, LONG_MAX, &n) < 0)
		return -1;
	*out = (long)n;
	return 0;
}

int policy_parse_cpus(const char *v, enum cpus_kind *kind, double *value, char *cause, size_t causelen)
{
	char *end;
	long n;
	if (strcmp(v, "all") == 0) {
		*kind = CPUS_ALL;
		*value = 0;
		return 0;
	}
	if (parse_long(v, 1, &n) == 0 && n <= (long)NODELIST_MAX_INDEX + 1) {
		*kind = CPUS_COUNT;
		*value = (double)n;
		return 0;
	}
	if (strspn(v, "0123456789") == strlen(v) && *v != '0') {
		snprintf(cause, causelen, "bad value '%s' for 'cpus' (a count from 1 to %u)", v, NODELIST_MAX_INDEX + 1);
		return -1;
	}
	errno = 0;
	double d = strtod(v, &end);
	if (!errno && end != v && isfinite(d) && d > 0) {
		while (*end == ' ')
			end++;
		if (strcmp(end, "%") == 0 && d <= 100) {
			*kind = CPUS_PERCENT;
			*value = d;
			return 0;
		}
		if (strcmp(end, "node") == 0 || strcmp(end, "nodes") == 0) {
			*kind = CPUS_NODES;
			*value = d;
			return 0;
		}
	}
	snprintf(cause, causelen,
		 "bad value '%s' for 'cpus' (expected all, a count such as 8, a share such as 50%%, "
		 "or nodes such as '1 node' or '0.5 node')", v);
	return -1;
}

int policy_match_name(const char *v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* The names of the enumerations, in their order: the key table (keys.c) parses and writes with them. */
const char *const policy_strategy_names[] = {"compact", "spread", NULL};
const char *const policy_mem_names[] = {"local", "bind", "interleave", "preferred", "default", NULL};
static const char *const knob_names[] = {"auto", "always", "keep", "off", NULL};
const char *const policy_threads_names[] = {"none", "spread", "compact", NULL};
const char *const policy_source_names[] = {"auto", "pmu", "faults", "pages", NULL};
const char *const policy_action_names[] = {"move", "migrate", "none", NULL};
const char *const policy_balancing_names[] = {"auto", "yes", "no", NULL};

#define DEFINE_ENUM_PARSER(fn, type, names, key, expected)                                        \
	int fn(const char *v, type *out, char *cause, size_t causelen)                              \
	{                                                                                           \
		int i = policy_match_name(v, names);                                                            \
		if (i < 0) {                                                                        \
			snprintf(cause, causelen, "bad value '%s' for '" key "' (expected " expected ")", v); \
			return -1;                                                                  \
		}                                                                                   \
		*out = (type)i;                                                                     \
		return 0;                                                                           \
	}

int policy_parse_strategy(const char *v, enum strategy *s, char *cause, size_t causelen)
{
	int i = policy_match_name(v, policy_strategy_names);
	if (i < 0) {
		snprintf(cause, causelen, "bad value '%s' for 'strategy' (expected compact or spread)", v);
		return -1;
	}
	*s = (enum strategy)i;
	return 0;
}

int policy_parse_bool(const char *v, int *b, char *cause, size_t causelen)
{
	static const char *const yes[] = {"yes", "true", "on", "1", NULL};
	static const char *const no[] = {"no", "false", "off", "0", NULL};
	if (policy_match_name(v, yes) >= 0)
		*b = 1;
	else if (policy_match_name(v, no) >= 0)
		*b = 0;
	else {
		snprintf(cause, causelen, "bad value '%s' (expected yes or no)", v);
		return -1;
	}
	return 0;
}

int policy_parse_mem(const char *v, enum mem_policy *m, char *cause, size_t causelen)
{
	int i = policy_match_name(v, policy_mem_names);
	if (i < 0) {
		snprintf(cause, causelen,
			 "bad value '%s' for 'policy' (expected local, bind, interleave, preferred or default)", v);
		return -1;
	}
	*m = (enum mem_policy)i;
	return 0;
}

int policy_parse_knob(const char *v, int allow_always, struct knob *k, char *cause, size_t causelen)
{
	int i = policy_match_name(v, knob_names);
	long n;
	if (i >= 0 && (allow_always || i != KNOB_ALWAYS)) {
		k->mode = (enum knob_mode)i;
		k->value = 0;
		return 0;
	}
	if (parse_long(v, 1, &n) == 0 && n <= 1000000) {
		k->mode = KNOB_VALUE;
		k->value = n;
		return 0;
	}
	snprintf(cause, causelen, "bad value '%s' (expected auto,%s keep, off or a number of threads)", v,
		 allow_always ? " always," : "");
	return -1;
}


int policy_parse_balancing(const char *v, enum balancing_mode *b, char *cause, size_t causelen)
{
	int i = policy_match_name(v, policy_balancing_names), yn;
	if (i < 0 && policy_parse_bool(v, &yn, cause, causelen) == 0)
		i = yn ? BALANCING_YES : BALANCING_NO;
	if (i < 0) {
		snprintf(cause, causelen, "bad value '%s' for 'balancing' (expected auto, yes or no)", v);
		return -1;
	}
	*b = (enum balancing_mode)i;
	return 0;
}

const char *policy_balancing_name(enum balancing_mode b)
{
	return policy_balancing_names[b];
}

int policy_parse_memlimit(const char *v, struct knob *k, char *cause, size_t causelen)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {{"", 1}, {"B", 1}, {"K", 1024.0}, {"KiB", 1024.0}, {"M", 1048576.0}, {"MiB", 1048576.0},
		     {"G", 1073741824.0}, {"GiB", 1073741824.0}, {"T", 1099511627776.0}, {"TiB", 1099511627776.0}};
	int i = policy_match_name(v, knob_names);
	if (i == KNOB_AUTO || i == KNOB_KEEP || i == KNOB_OFF) {
		k->mode = (enum knob_mode)i;
		k->value = 0;
		return 0;
	}
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (i < 0 && !errno && end != v && isfinite(d) && d > 0 && (*v >= '0' && *v <= '9')) {
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			if (strcmp(end, units[u].suffix) != 0)
				continue;
			double bytes = d * units[u].mult;
			if (bytes < 1048576.0 || bytes > 9.0e18)
				break;
			k->mode = KNOB_VALUE;
			k->value = (long)bytes;
			return 0;
		}
	}
	snprintf(cause, causelen,
		 "bad value '%s' for 'gomemlimit' (expected auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB)",
		 v);
	return -1;
}

const char *policy_memlimit_str(const struct knob *k, char *buf, size_t len)
{
	if (k->mode == KNOB_VALUE)
		snprintf(buf, len, "%ld", k->value);
	else
		snprintf(buf, len, "%s", knob_names[k->mode]);
	return buf;
}

DEFINE_ENUM_PARSER(policy_parse_threads, enum thread_placement, policy_threads_names, "placement",
		   "none, spread or compact")
DEFINE_ENUM_PARSER(policy_parse_source, enum source_kind, policy_source_names, "source", "auto, pmu, faults or pages")
DEFINE_ENUM_PARSER(policy_parse_action, enum monitor_action, policy_action_names, "action", "move, migrate or none")

int policy_parse_duration_ms(const char *v, unsigned *ms, char *cause, size_t causelen)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	double mult = 1000;
	if (!errno && end != v && isfinite(d) && d > 0) {
		if (strcmp(end, "ms") == 0)
			mult = 1;
		else if (strcmp(end, "s") == 0 || *end == '\0')
			mult = 1000;
		else
			mult = 0;
		if (mult > 0 && d * mult >= 10 && d * mult <= 3600000) {
			*ms = (unsigned)(d * mult + 0.5);
			return 0;
		}
	}
	snprintf(cause, causelen, "bad value '%s' (expected a duration such as 1s or 500ms, from 10ms to 1h)", v);
	return -1;
}

int policy_parse_share(const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || !isfinite(d) || d < 0)
		return -1;
	if (strcmp(end, "%") == 0)
		d /= 100;
	else if (*end)
		return -1;
	if (d > 1)
		return -1;
	*out = d;
	return 0;
}

const char *policy_threads_name(enum thread_placement t)
{
	return policy_threads_names[t];
}

const char *policy_source_name(enum source_kind s)
{
	return policy_source_names[s];
}

const char *policy_action_name(enum monitor_action a)
{
	return policy_action_names[a];
}

const char *policy_strategy_name(enum strategy s)
{
	return policy_strategy_names[s];
}

const char *policy_mem_name(enum mem_policy m)
{
	return policy_mem_names[m];
}

const char *policy_knob_str(const struct knob *k, char *buf, size_t len)
{
	if (k->mode == KNOB_VALUE)
		snprintf(buf, len, "%ld", k->value);
	else
		snprintf(buf, len, "%s", knob_names[k->mode]);
	return buf;
}

const char *policy_cpus_str(enum cpus_kind kind, double value, char *buf, size_t len)
{
	switch (kind) {
	case CPUS_ALL: snprintf(buf, len, "all"); break;
	case CPUS_COUNT: snprintf(buf, len, "%.0f", value); break;
	case CPUS_PERCENT: snprintf(buf, len, "%g%%", value); break;
	case CPUS_NODES: snprintf(buf, len, "%g %s", value, value == 1 ? "node" : "nodes"); break;
	}
	return buf;
}

/* ---- the INI reader: inih, with the keys of keys.c ---- */

/* A policy is a few kilobytes; a list for 8192 CPUs is under 40 KB. Anything larger is not a policy. */
#define POLICY_MAX_BYTES (1024 * 1024)

struct seen_key {
	char *full;               /* "section.key" */
	int line;
};

struct load_ctx {
	struct policy *p;
	const char *name;
	int line;                 /* line being parsed, counted by our reader */
	int err_line;             /* first error's line, 0 if none */
	char err[640];
	struct seen_key *seen;    /* keys already set, for duplicates (any number) */
	size_t nseen, capseen;
	/* a value continued on the next lines (" \" at its end): the key, its line, the value so far */
	int pending;
	char pending_section[64];
	char *pending_key;
	int pending_line;
	char *pending_value;
	size_t pending_len;
	int continuation;         /* the line handed to inih now continues the pending value */
	size_t bytes;
	/* reader state */
	FILE *f;
	const char *text;
	const char *text_end;
	char section[64];         /* the section of the last header the reader saw */
};

static void set_error_at(struct load_ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_error_at(struct load_ctx *c, int line, const char *fmt, ...)
{
	if (c->err_line)
		return;
	c->err_line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* One key = value, whole (continuations joined): look the key up in the table and set it. */
static void apply(struct load_ctx *c, const char *section, const char *key, const char *value, int line)
{
	if (c->err_line)
		return;
	if (!*section) {
		set_error_at(c, line, "key '%s' outside any section", key);
		return;
	}
	const char *suffix;
	const struct policy_key *k = key_find(section, key, &suffix);
	if (!k) {
		set_error_at(c, line, "unknown key '%s' in [%s]", key, section);
		return;
	}
	/* Duplicates: the same key twice is a mistake (which one wins?); exclude only adds rules. */
	if (k->type != KT_GLOBS) {
		size_t need = strlen(section) + strlen(key) + 2;
		char *full = malloc(need);
		snprintf(full, need, "%s.%s", section, key);
		for (size_t i = 0; i < c->nseen; i++)
			if (strcmp(c->seen[i].full, full) == 0) {
				set_error_at(c, line, "duplicate key '%s' (first set on line %d)", key, c->seen[i].line);
				free(full);
				return;
			}
		if (c->nseen == c->capseen) {
			c->capseen = c->capseen ? 2 * c->capseen : 32;
			c->seen = realloc(c->seen, c->capseen * sizeof(*c->seen));
		}
		c->seen[c->nseen].full = full;
		c->seen[c->nseen++].line = line;
	}
	if (!*value) {
		set_error_at(c, line, "empty value for '%s' in [%s]", key, section);
		return;
	}
	char why[512];
	if (key_set(k, c->p, value, suffix, ORIGIN_FILE, why, sizeof(why)) < 0) {
		/* "bad value 'V' (...)" names the key here, as every policy error does */
		size_t vl = strlen(value);
		if (strncmp(why, "bad value '", 11) == 0 && strncmp(why + 11, value, vl) == 0 && why[11 + vl] == '\'')
			set_error_at(c, line, "bad value '%s' for '%s'%s", value, key, why + 12 + vl);
		else
			set_error_at(c, line, "%s", why); /* it names what is wrong itself */
	}
}

static void flush_pending(struct load_ctx *c)
{
	if (!c->pending)
		return;
	c->pending = 0;
	apply(c, c->pending_section, c->pending_key, c->pending_value ? c->pending_value : "", c->pending_line);
	free(c->pending_value);
	c->pending_value = NULL;
	c->pending_len = 0;
	free(c->pending_key);
	c->pending_key = NULL;
}

static void append_pending(struct load_ctx *c, const char *v, size_t n)
{
	c->pending_value = realloc(c->pending_value, c->pending_len + n + 1);
	memcpy(c->pending_value + c->pending_len, v, n);
	c->pending_len += n;
	c->pending_value[c->pending_len] = '\0';
}

/* A value that ends in blank + backslash continues on the next line: its length without them, or -1. */
static long continued(const char *v)
{
	size_t n = strlen(v);
	if (n >= 2 && v[n - 1] == '\\' && (v[n - 2] == ' ' || v[n - 2] == '\t')) {
		n--;
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		return (long)n;
	}
	return -1; /* a lone backslash is a value, not a continuation (nothing before it to continue) */
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct load_ctx *c = user;
	if (c->err_line)
		return 1;
	if (c->continuation) {
		/* inih's multi-line value: the continuation of c->pending_key */
		long n = continued(value);
		append_pending(c, value, n < 0 ? strlen(value) : (size_t)n);
		if (n < 0)
			flush_pending(c);
		return 1;
	}
	flush_pending(c);
	long n = continued(value);
	if (n >= 0) {
		c->pending = 1;
		snprintf(c->pending_section, sizeof(c->pending_section), "%s", section);
		free(c->pending_key);
		c->pending_key = strdup(key); /* a key as long as a line allows */
		c->pending_line = c->line;
		free(c->pending_value);
		c->pending_value = NULL;
		c->pending_len = 0;
		append_pending(c, value, (size_t)n);
		return 1;
	}
	apply(c, section, key, value, c->line);
	return 1;
}

static int known_section(const char *name)
{
	static const char *const sections[] = {"placement", "memory", "runtime", "env", "monitor", "threads", NULL};
	return policy_match_name(name, sections) >= 0;
}

/*
 * One whole line from the file or the string into buf (without its newline); NULL at the end. A NUL
 * byte or more than POLICY_MAX_BYTES is an error (not a policy: a binary file, /dev/zero), not a line.
 */
static char *next_line(struct load_ctx *c, char *buf, size_t len, size_t *full)
{
	size_t n = 0, total = 0;
	int ch, any = 0;
	for (;;) {
		if (c->f)
			ch = fgetc(c->f);
		else
			ch = c->text < c->text_end ? (unsigned char)*c->text++ : EOF;
		if (ch == EOF)
			break;
		any = 1;
		if (++c->bytes > POLICY_MAX_BYTES) { /* newlines count: an endless stream of them is not a policy */
			set_error_at(c, c->line + 1, "the file is over %d bytes: not a policy", POLICY_MAX_BYTES);
			return NULL;
		}
		if (ch == '\n')
			break;
		if (ch == '\0') {
			set_error_at(c, c->line + 1, "a NUL byte at column %zu (not a text file)", total + 1);
			return NULL;
		}
		if (n + 1 < len)
			buf[n++] = (char)ch;
		total++;
	}
	if (!any)
		return NULL;
	buf[n] = '\0';
	*full = total;
	return buf;
}

/*
 * inih's reader callback, like fgets. We hand inih one line at a time and count lines here, so that the
 * handler's errors know their line. Leading white space is removed (an indented key is a key, whatever
 * inih was built with), except on the line after a value that ends in " \": that line is handed to inih
 * indented, as the continuation of a multi-line value. Section headers are checked here: inih does not
 * tell the handler about a section that holds no keys, and blames an unclosed one on the next line.
 */
static char *reader(char *str, int num, void *stream)
{
	struct load_ctx *c = stream;
	char line[4096];
	size_t full;

	c->continuation = 0;
	if (c->err_line || !next_line(c, line, sizeof(line), &full)) {
		flush_pending(c);
		return NULL;
	}
	c->line++;
	char *p = line;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	size_t l = strlen(p);
	while (l && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
		p[--l] = '\0';
	if (full >= (size_t)num - 1) {
		set_error_at(c, c->line, "line too long (at most %d characters; continue a long value on the next line "
			     "with ' \\')", num - 2);
		return NULL;
	}
	if (c->pending) {
		if (*p && *p != ';' && *p != '#') {
			/* the continuation: indented, so that inih hands it to the handler with the same key */
			c->continuation = 1;
			snprintf(str, (size_t)num, "\t%s\n", p);
			return str;
		}
		flush_pending(c); /* a blank or comment line ends the value */
	}
	if (*p == '[') {
		const char *end = strchr(p, ']');
		if (!end) {
			set_error_at(c, c->line, "unclosed section header '%s' (expected [section])", p);
			return NULL;
		}
		char name[64];
		size_t n = (size_t)(end - p - 1);
		if (n >= sizeof(name) || !known_section((memcpy(name, p + 1, n), name[n] = '\0', name))) {
			set_error_at(c, c->line, "unknown section '%.*s'", (int)(n > 60 ? 60 : n), p + 1);
			return NULL;
		}
		snprintf(c->section, sizeof(c->section), "%s", name);
		const char *rest = end + 1;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest && *rest != ';' && *rest != '#') {
			set_error_at(c, c->line, "unexpected '%s' after the section header [%s]", rest, name);
			return NULL;
		}
	}
	snprintf(str, (size_t)num, "%s\n", p);
	return str;
}

static int seen_line(const struct load_ctx *c, const char *full)
{
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i].full, full) == 0)
			return c->seen[i].line;
	return 0;
}

/* What one key cannot mean with another of the same file, said on the line of the key that is not used. */
static void check_together(struct load_ctx *c)
{
	int nodes = seen_line(c, "memory.nodes");
	if (nodes && c->p->mem_nodes && (c->p->mem == MEM_LOCAL || c->p->mem == MEM_DEFAULT)) {
		int pol = seen_line(c, "memory.policy");
		char where[48] = " (the default)";
		if (pol)
			snprintf(where, sizeof(where), " (line %d)", pol);
		set_error_at(c, nodes,
			     "bad value '%s' for 'nodes' (memory nodes are used only with policy = bind, interleave or "
			     "preferred; the policy is %s%s)", c->p->mem_nodes, policy_mem_name(c->p->mem), where);
	}
}

static int finish(struct load_ctx *c, int rc, char *cause, size_t causelen)
{
	flush_pending(c);
	if (!c->err_line && rc == 0)
		check_together(c);
	for (size_t i = 0; i < c->nseen; i++)
		free(c->seen[i].full);
	free(c->seen);
	free(c->pending_value);
	free(c->pending_key);
	c->seen = NULL;
	c->pending_value = NULL;
	c->pending_key = NULL;
	if (c->err_line) {
		snprintf(cause, causelen, "%s:%d: %s", c->name, c->err_line, c->err);
		return -1;
	}
	if (rc > 0) {
		snprintf(cause, causelen, "%s:%d: syntax error (expected [section] or key = value)", c->name, rc);
		return -1;
	}
	if (rc < 0) {
		snprintf(cause, causelen, "%s: cannot read: out of memory", c->name);
		return -1;
	}
	return 0;
}

int policy_load(struct policy *p, const char *path, char *cause, size_t causelen)
{
	struct load_ctx c = {.p = p, .name = path};
	c.f = fopen(path, "r");
	if (!c.f) {
		snprintf(cause, causelen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(c.f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(c.f);
		snprintf(cause, causelen, "%s: cannot read: %s", path, strerror(EISDIR));
		return -1;
	}
	errno = 0;
	int rc = ini_parse_stream(reader, &c, handler, &c);
	int read_err = !c.err_line && ferror(c.f) ? (errno ? errno : EIO) : 0;
	fclose(c.f);
	if (read_err) {
		snprintf(cause, causelen, "%s: cannot read: %s", path, strerror(read_err));
		return -1;
	}
	return finish(&c, rc, cause, causelen);
}

int policy_load_string(struct policy *p, const char *name, const char *text, char *cause, size_t causelen)
{
	struct load_ctx c = {.p = p, .name = name, .text = text, .text_end = text + strlen(text)};
	int rc = ini_parse_stream(reader, &c, handler, &c);
	return finish(&c, rc, cause, causelen);
}
