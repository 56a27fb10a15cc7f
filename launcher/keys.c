/* keys.c - the table of policy keys, the one number parser, and the policy writer (see keys.h). */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "keys.h"
#include "nodelist.h"

int number_parse(const char *v, long long min, long long max, long long *out)
{
	const char *s = v;
	int neg = 0;
	if (*s == '-' && min < 0) {
		neg = 1;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	/* Accumulate as unsigned with a check before each step: no wrap, whatever the length. */
	unsigned long long x = 0, lim = neg ? (unsigned long long)(-(min + 1)) + 1 : (unsigned long long)max;
	if (!neg && max < 0)
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (x > (lim - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	if (*s)
		return -1;
	long long n = neg ? (x == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(long long)x) : (long long)x;
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* ---- field access ---- */

#define FIELD(p, k, type) ((type *)((char *)(p) + (k)->offset))
#define CFIELD(p, k, type) ((const type *)((const char *)(p) + (k)->offset))

static int bad(const struct policy_key *k, const char *v, char *why, size_t len)
{
	snprintf(why, len, "bad value '%s' (expected %s)", v, k->expected);
	return -1;
}


static int parse_bool(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		      enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	char tmp[8];
	if (policy_parse_bool(v, FIELD(p, k, int), tmp, sizeof(tmp)) < 0)
		return bad(k, v, why, len);
	return 0;
}

static const char *fmt_bool(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s", *CFIELD(p, k, int) ? "yes" : "no");
	return buf;
}

/* Enumerations are stored as their enum type, which is an int-sized field here. */
static int parse_enum(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		      enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	int i = policy_match_name(v, k->names);
	if (i < 0)
		return bad(k, v, why, len);
	*FIELD(p, k, int) = i;
	return 0;
}

static const char *fmt_enum(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s", k->names[*CFIELD(p, k, int)]);
	return buf;
}

static int parse_balancing(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
			   enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	char tmp[160];
	if (policy_parse_balancing(v, &p->balancing, tmp, sizeof(tmp)) < 0)
		return bad(k, v, why, len);
	return 0;
}

static int parse_count(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		       enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	long long n;
	if (number_parse(v, k->min, k->max, &n) < 0)
		return bad(k, v, why, len);
	*FIELD(p, k, unsigned) = (unsigned)n;
	return 0;
}

static const char *fmt_count(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	snprintf(buf, len, "%u", *CFIELD(p, k, unsigned));
	return buf;
}

static int parse_share(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		       enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	if (policy_parse_share(v, FIELD(p, k, double)) < 0)
		return bad(k, v, why, len);
	return 0;
}

static const char *fmt_share(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	/* %.17g reads back to the same double; as a fraction, not a percentage, so no rounding in between. */
	snprintf(buf, len, "%.17g", *CFIELD(p, k, double));
	/* Prefer the short form where it is exact. */
	char s[32];
	snprintf(s, sizeof(s), "%g", *CFIELD(p, k, double));
	if (strtod(s, NULL) == *CFIELD(p, k, double))
		snprintf(buf, len, "%s", s);
	return buf;
}

static int parse_duration(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
			  enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	char tmp[160];
	if (policy_parse_duration_ms(v, &p->interval_ms, tmp, sizeof(tmp)) < 0)
		return bad(k, v, why, len);
	return 0;
}

static const char *fmt_duration(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	(void)k;
	snprintf(buf, len, "%ums", p->interval_ms);
	return buf;
}

static int parse_cpus(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		      enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	char tmp[256];
	if (policy_parse_cpus(v, &p->cpus_kind, &p->cpus_value, tmp, sizeof(tmp)) < 0) {
		if (strstr(tmp, "(a count from")) {
			snprintf(why, len, "bad value '%s' (expected a count from 1 to %u)", v, NODELIST_MAX_INDEX + 1);
			return -1;
		}
		return bad(k, v, why, len);
	}
	p->from_file |= POLICY_FROM_FILE_CPUS; /* a count asked for, here or on the command line: the intent */
	return 0;
}

static const char *fmt_cpus(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	(void)k;
	if (p->cpus_kind == CPUS_COUNT)
		snprintf(buf, len, "%.0f", p->cpus_value);
	else if (p->cpus_kind == CPUS_ALL)
		snprintf(buf, len, "all");
	else
		snprintf(buf, len, "%.17g%s", p->cpus_value, p->cpus_kind == CPUS_PERCENT ? "%" : " nodes");
	/* the short form where it reads back the same */
	if (p->cpus_kind == CPUS_PERCENT || p->cpus_kind == CPUS_NODES) {
		char s[32];
		snprintf(s, sizeof(s), "%g", p->cpus_value);
		if (strtod(s, NULL) == p->cpus_value)
			snprintf(buf, len, "%s%s", s, p->cpus_kind == CPUS_PERCENT ? "%" : " nodes");
	}
	return buf;
}

static int parse_knob(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		      enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	char tmp[160];
	if (policy_parse_knob(v, k->min /* allow always */, FIELD(p, k, struct knob), tmp, sizeof(tmp)) < 0)
		return bad(k, v, why, len);
	return 0;
}

static const char *fmt_knob(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	return policy_knob_str(CFIELD(p, k, struct knob), buf, len);
}

static int parse_size(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		      enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	char tmp[256];
	if (policy_parse_memlimit(v, &p->gomemlimit, tmp, sizeof(tmp)) < 0)
		return bad(k, v, why, len);
	return 0;
}

static const char *fmt_size(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	(void)k;
	return policy_memlimit_str(&p->gomemlimit, buf, len);
}

/*
 * Lists: the key's own keyword (names[0]: auto for [placement] nodes, plan for [memory] nodes, none for
 * cpu_list) stands for "not given" (NULL); anything else must be a list in numactl syntax, checked here
 * with the one list parser (every index bounded before anything is sized); what exists and is allowed is
 * checked by the planner, against the topology.
 */
static unsigned list_file_bit(const struct policy_key *k)
{
	if (k->offset == offsetof(struct policy, nodes))
		return POLICY_FROM_FILE_NODES;
	if (k->offset == offsetof(struct policy, cpu_list))
		return POLICY_FROM_FILE_CPU_LIST;
	if (k->offset == offsetof(struct policy, mem_nodes))
		return POLICY_FROM_FILE_MEM_NODES;
	return 0;
}

static int parse_list(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		      enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	char **dst = FIELD(p, k, char *);
	unsigned bit = list_file_bit(k);
	if (k->names && k->names[0] && strcmp(v, k->names[0]) == 0) {
		free(*dst);
		*dst = NULL;
		p->from_file &= ~bit;
		return 0;
	}
	char reason[256];
	if (nodelist_check(v, reason, sizeof(reason)) < 0) {
		if (strncmp(reason, "not a list", 10) == 0)
			return bad(k, v, why, len);
		snprintf(why, len, "bad value '%s' (%s)", v, reason);
		return -1;
	}
	free(*dst);
	*dst = strdup(v);
	if (origin == ORIGIN_FILE)
		p->from_file |= bit;
	else
		p->from_file &= ~bit; /* lists given on the command line are taken as given */
	return 0;
}

static const char *fmt_list(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	const char *v = *CFIELD(p, k, char *);
	if (!v && !k->names)
		return NULL; /* no keyword for "not given": not written */
	snprintf(buf, len, "%s", v ? v : k->names[0]);
	return buf;
}

static int parse_plain(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		       enum key_origin origin, char *why, size_t len)
{
	(void)suffix;
	(void)origin;
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	char reason[256];
	int rc = nodelist_parse_plain(v, b, reason, sizeof(reason));
	hwloc_bitmap_free(b);
	if (rc < 0) {
		if (!strstr(reason, "too large"))
			return bad(k, v, why, len);
		snprintf(why, len, "bad value '%s' (%s)", v, reason);
		return -1;
	}
	char **dst = FIELD(p, k, char *);
	free(*dst);
	*dst = strdup(v);
	return 0;
}

static const char *fmt_plain(const struct policy_key *k, const struct policy *p, char *buf, size_t len)
{
	const char *v = *CFIELD(p, k, char *);
	if (!v)
		return NULL;
	snprintf(buf, len, "%s", v);
	return buf;
}

/* A glob as a policy can hold it: in a value (exclude) anything but separators; as a key (node.GLOB) no
 * character that ends a key or starts a comment. */
static int glob_ok(const char *g, int as_key)
{
	if (!*g)
		return 0;
	for (const char *c = g; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ',' || *c == ' ' || *c == '\t')
			return 0;
		if (as_key && strchr("=:;[]", *c))
			return 0;
	}
	return !(as_key && (*g == '#'));
}

static int parse_globs(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
		       enum key_origin origin, char *why, size_t len)
{
	(void)k;
	(void)suffix;
	(void)origin;
	/* Check all before adding any: no partial effect. */
	char *copy = strdup(v), *save = NULL;
	int n = 0;
	for (char *g = strtok_r(copy, ", \t", &save); g; g = strtok_r(NULL, ", \t", &save))
		n++;
	free(copy);
	if (!n) {
		snprintf(why, len, "bad value '%s' (expected thread-name globs such as gc*,sysmon)", v);
		return -1;
	}
	copy = strdup(v);
	for (char *g = strtok_r(copy, ", \t", &save); g; g = strtok_r(NULL, ", \t", &save))
		policy_add_rule(p, g, NULL);
	free(copy);
	return 0;
}

static int parse_rule(const struct policy_key *k, struct policy *p, const char *v, const char *glob,
		      enum key_origin origin, char *why, size_t len)
{
	(void)k;
	(void)origin;
	if (!glob || !glob_ok(glob, 1)) {
		snprintf(why, len, "a rule needs a thread-name glob after 'node.' (such as node.worker* = 0)");
		return -1;
	}
	char reason[256];
	if (strcmp(v, "all") == 0 || nodelist_check(v, reason, sizeof(reason)) < 0) {
		if (strcmp(v, "all") == 0 || strncmp(reason, "not a list", 10) == 0)
			return bad(k, v, why, len);
		snprintf(why, len, "bad value '%s' (%s)", v, reason);
		return -1;
	}
	policy_add_rule(p, glob, v);
	return 0;
}

static int valid_env_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int parse_env(const struct policy_key *k, struct policy *p, const char *v, const char *name,
		     enum key_origin origin, char *why, size_t len)
{
	(void)k;
	(void)origin;
	if (!name || !valid_env_name(name)) {
		snprintf(why, len, "bad environment variable name '%s'", name ? name : "");
		return -1;
	}
	policy_setenv(p, name, v);
	return 0;
}

/* ---- the table ---- */

static const char *const kw_auto[] = {"auto", NULL};
static const char *const kw_plan[] = {"plan", NULL};

#define OFF(f) offsetof(struct policy, f)
#define LIST_FORMS "a list such as 0-3,8, all, !LIST or +LIST"

const struct policy_key policy_keys[] = {
	/* [placement] */
	{"placement", "nodes", KT_LIST, "auto or " LIST_FORMS, parse_list, fmt_list, "cpunodebind", 'N', NULL, 0,
	 kw_auto, 0, 0, OFF(nodes)},
	{"placement", "cpus", KT_CPUS, "all, a count such as 8, a share such as 50%, or nodes such as '1 node' or '0.5 node'",
	 parse_cpus, fmt_cpus, "cpus", 'c', NULL, 0, NULL, 0, 0, OFF(cpus_kind)},
	{"placement", "cpu_list", KT_LIST, LIST_FORMS, parse_list, fmt_list, "physcpubind", 'C', NULL, 0, NULL, 0, 0,
	 OFF(cpu_list)},
	{"placement", "planned_cpus", KT_PLAIN, "a list such as 0-3,8", parse_plain, fmt_plain, NULL, 0, NULL, 0, NULL,
	 0, 0, OFF(planned_cpus)},
	{"placement", "planned_nodes", KT_PLAIN, "a list such as 0-3,8", parse_plain, fmt_plain, NULL, 0, NULL, 0, NULL,
	 0, 0, OFF(planned_nodes)},
	{"placement", "strategy", KT_ENUM, "compact or spread", parse_enum, fmt_enum, "placement", 0, NULL, 0,
	 policy_strategy_names, 0, 0, OFF(strategy)},
	{"placement", "smt", KT_BOOL, "yes or no", parse_bool, fmt_bool, "smt", 0, NULL, 0, NULL, 0, 0, OFF(smt)},
	{"placement", "strict", KT_BOOL, "yes or no", parse_bool, fmt_bool, "strict", 0, "yes", 0, NULL, 0, 0,
	 OFF(strict)},
	/* [memory] */
	{"memory", "policy", KT_ENUM, "local, bind, interleave, preferred or default", parse_enum, fmt_enum, NULL, 0,
	 NULL, 0, policy_mem_names, 0, 0, OFF(mem)},
	{"memory", "nodes", KT_LIST, "plan or " LIST_FORMS, parse_list, fmt_list, NULL, 0, NULL, 0, kw_plan, 0, 0,
	 OFF(mem_nodes)},
	{"memory", "include_cpuless", KT_BOOL, "yes or no", parse_bool, fmt_bool, NULL, 0, NULL, 0, NULL, 0, 0,
	 OFF(include_cpuless)},
	{"memory", "balancing", KT_ENUM, "auto, yes or no", parse_balancing, fmt_enum, "balancing", 'b', "yes", 1,
	 policy_balancing_names, 0, 0, OFF(balancing)},
	/* [runtime] */
	{"runtime", "gomaxprocs", KT_KNOB, "auto, always, keep, off or a number of threads", parse_knob, fmt_knob,
	 "gomaxprocs", 0, NULL, 0, NULL, 1, 0, OFF(gomaxprocs)},
	{"runtime", "omp_num_threads", KT_KNOB, "auto, keep, off or a number of threads", parse_knob, fmt_knob,
	 "omp-num-threads", 0, NULL, 0, NULL, 0, 0, OFF(omp)},
	{"runtime", "gomemlimit", KT_SIZE, "auto, keep, off or a size from 1MiB, such as 512MiB or 2GiB", parse_size,
	 fmt_size, "gomemlimit", 0, NULL, 0, NULL, 0, 0, OFF(gomemlimit)},
	/* [monitor] */
	{"monitor", "enabled", KT_BOOL, "yes or no", parse_bool, fmt_bool, "monitor", 0, "yes", 0, NULL, 0, 0,
	 OFF(monitor)},
	{"monitor", "interval", KT_DURATION, "a duration such as 1s or 500ms, from 10ms to 1h", parse_duration,
	 fmt_duration, "interval", 0, NULL, 0, NULL, 0, 0, OFF(interval_ms)},
	{"monitor", "source", KT_ENUM, "auto, pmu, faults or pages", parse_enum, fmt_enum, "source", 0, NULL, 0,
	 policy_source_names, 0, 0, OFF(source)},
	{"monitor", "action", KT_ENUM, "move, migrate or none", parse_enum, fmt_enum, "action", 0, NULL, 0,
	 policy_action_names, 0, 0, OFF(action)},
	{"monitor", "threshold", KT_SHARE, "a share such as 30% or 0.3", parse_share, fmt_share, NULL, 0, NULL, 0,
	 NULL, 0, 0, OFF(threshold)},
	{"monitor", "sustain", KT_COUNT, "a count from 1 to 100000", parse_count, fmt_count, NULL, 0, NULL, 0, NULL, 1,
	 100000, OFF(sustain)},
	{"monitor", "settle", KT_COUNT, "a count from 1 to 100000", parse_count, fmt_count, NULL, 0, NULL, 0, NULL, 1,
	 100000, OFF(settle)},
	{"monitor", "max_moves_per_minute", KT_COUNT, "a count from 1 to 100000", parse_count, fmt_count, NULL, 0,
	 NULL, 0, NULL, 1, 100000, OFF(max_moves)},
	{"monitor", "min_cpu", KT_SHARE, "a share such as 5% or 0.05", parse_share, fmt_share, NULL, 0, NULL, 0, NULL,
	 0, 0, OFF(min_cpu)},
	{"monitor", "descendants", KT_BOOL, "yes or no", parse_bool, fmt_bool, NULL, 0, NULL, 0, NULL, 0, 0,
	 OFF(descendants)},
	/* [threads] */
	{"threads", "placement", KT_ENUM, "none, spread or compact", parse_enum, fmt_enum, "threads", 0, NULL, 0,
	 policy_threads_names, 0, 0, OFF(threads)},
	{"threads", "exclude", KT_GLOBS, "thread-name globs such as gc*,sysmon", parse_globs, NULL, NULL, 0, NULL, 0,
	 NULL, 0, 0, OFF(rules)},
	{"threads", "node.", KT_RULE, "nodes such as 0 or 0-1", parse_rule, NULL, NULL, 0, NULL, 0, NULL, 0, 0,
	 OFF(rules)},
	/* [env] */
	{"env", "*", KT_ENV, "any value", parse_env, NULL, NULL, 0, NULL, 0, NULL, 0, 0, OFF(env)},
	{NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, 0, 0},
};

unsigned key_count(void)
{
	unsigned n = 0;
	while (policy_keys[n].section)
		n++;
	return n;
}

unsigned key_index(const struct policy_key *k)
{
	return (unsigned)(k - policy_keys);
}

const struct policy_key *key_find(const char *section, const char *name, const char **suffix)
{
	if (suffix)
		*suffix = NULL;
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		if (strcmp(k->section, section) != 0)
			continue;
		if (k->type == KT_ENV) {
			if (suffix)
				*suffix = name;
			return k;
		}
		if (k->type == KT_RULE) {
			size_t n = strlen(k->name);
			if (strncmp(name, k->name, n) == 0) {
				if (suffix)
					*suffix = name + n;
				return k;
			}
			continue;
		}
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

const struct policy_key *key_by_option(const char *name, int short_opt)
{
	for (const struct policy_key *k = policy_keys; k->section; k++)
		if (k->option && (name ? strcmp(k->option, name) == 0 : k->short_opt == short_opt))
			return k;
	return NULL;
}

int key_set(const struct policy_key *k, struct policy *p, const char *v, const char *suffix,
	    enum key_origin origin, char *why, size_t whylen)
{
	if (!*v) {
		snprintf(why, whylen, "empty value (expected %s)", k->expected);
		return -1;
	}
	return k->parse(k, p, v, suffix, origin, why, whylen);
}

/* ---- the writer ---- */

/* What inih reads of a line (INI_MAX_LINE 200 with its newline), and the width numarun aims at. */
#define MAXLINE 198
#define WRAP 96

/* A continuation line may start with this character: not blank (removed), not a comment (; #). */
static int piece_start_ok(char c)
{
	return !isspace((unsigned char)c) && c != ';' && c != '#';
}

/*
 * Write "name = value": a value longer than WRAP goes on continuation lines (a line ending in " \", the
 * next one indented: numarun.ini(5)), each line at most MAXLINE. Breaks are after a comma where one is
 * near, else between two characters where the join is exact (the piece before does not end in a blank,
 * the next does not start with a blank or a comment character). Returns 0, or -1 with nothing written
 * where the value cannot be read back as it is: blanks at its ends, control characters, a ';' after a
 * blank or at its start (comments), an end in blank + backslash (a continuation), or a name too long
 * for a line.
 */
static int write_kv(FILE *f, const char *name, const char *v)
{
	size_t n = strlen(v), plen = strlen(name) + 3;
	if (!n || isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]) || v[0] == ';' ||
	    plen + 1 > MAXLINE - 2)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f || (v[i] == ';' && i && isspace((unsigned char)v[i - 1])))
			return -1;
	if (n >= 2 && v[n - 1] == '\\' && isspace((unsigned char)v[n - 2]))
		return -1;
	/* the break points, first: nothing is written unless every line fits */
	size_t cuts[4096], ncut = 0, i = 0, col = plen;
	for (;;) {
		if (col + (n - i) <= WRAP)
			break;
		size_t hard = MAXLINE - 2 - col; /* room before " \" on this line */
		size_t room = WRAP > col ? WRAP - col : 1;
		if (room > hard)
			room = hard;
		size_t cut = 0;
		/* after a comma, not too early in the line */
		for (size_t j = i + room; j > i + room / 2; j--)
			if (j < n && v[j - 1] == ',' && piece_start_ok(v[j])) {
				cut = j;
				break;
			}
		/* else between two characters the join keeps exact, as late as the line allows */
		for (size_t j = i + hard; !cut && j > i; j--)
			if (j < n && !isspace((unsigned char)v[j - 1]) && piece_start_ok(v[j]) && j <= i + room)
				cut = j;
		for (size_t j = i + hard; !cut && j > i; j--)
			if (j < n && !isspace((unsigned char)v[j - 1]) && piece_start_ok(v[j]))
				cut = j;
		if (!cut) {
			if (col + (n - i) <= MAXLINE)
				break; /* no break point: the rest fits as it is */
			return -1;
		}
		if (ncut == sizeof(cuts) / sizeof(cuts[0]))
			return -1;
		cuts[ncut++] = cut;
		i = cut;
		col = 1; /* the tab */
	}
	fprintf(f, "%s = ", name);
	size_t from = 0;
	for (size_t k = 0; k < ncut; k++) {
		fwrite(v + from, 1, cuts[k] - from, f);
		fputs(" \\\n\t", f);
		from = cuts[k];
	}
	fputs(v + from, f);
	fputc('\n', f);
	return 0;
}

/* A comment that says what was left out, itself a line that reads back: printable, short. */
static void left_out(FILE *f, const char *what, const char *s)
{
	char shown[48];
	size_t k = 0;
	for (const char *c = s; *c && k + 4 < sizeof(shown); c++)
		shown[k++] = (unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f ? *c : '?';
	shown[k] = '\0';
	fprintf(f, "# %s '%s%s' cannot be written in a policy: left out\n", what, shown, s[k] ? "..." : "");
}

int policy_write(FILE *f, const struct policy *p, const char *header)
{
	char buf[128];
	const char *section = NULL;
	if (header)
		fputs(header, f);
	for (const struct policy_key *k = policy_keys; k->section; k++) {
		if (!section || strcmp(section, k->section) != 0) {
			if (k->type == KT_ENV && !p->nenv)
				continue;
			fprintf(f, "%s[%s]\n", section ? "\n" : "", k->section);
			section = k->section;
		}
		if (k->format) {
			const char *v;
			char *big = NULL;
			if (k->type == KT_LIST || k->type == KT_PLAIN) {
				/* lists may be long: size the buffer to the value */
				const char *s = *CFIELD(p, k, char *);
				size_t need = (s ? strlen(s) : 16) + 1;
				big = malloc(need);
				v = k->format(k, p, big, need);
			} else {
				v = k->format(k, p, buf, sizeof(buf));
			}
			if (v)
				write_kv(f, k->name, v);
			free(big);
		} else if (k->type == KT_GLOBS) {
			/* The rules in their order (the first that matches a thread decides): exclude rules as
			 * exclude = (repeatable), node rules as node.GLOB = NODES. A glob already written is
			 * left out: it could never match first. */
			for (size_t i = 0; i < p->nrules; i++) {
				const struct thread_rule *r = &p->rules[i];
				int dup = 0;
				for (size_t j = 0; j < i; j++)
					if (strcmp(p->rules[j].glob, r->glob) == 0)
						dup = 1;
				if (dup)
					continue;
				int rc = -1;
				if (glob_ok(r->glob, !!r->nodes)) {
					if (r->nodes) {
						size_t need = strlen(r->glob) + 6;
						char *key = malloc(need);
						snprintf(key, need, "node.%s", r->glob);
						rc = write_kv(f, key, r->nodes);
						free(key);
					} else {
						rc = write_kv(f, "exclude", r->glob);
					}
				}
				if (rc < 0)
					left_out(f, "the rule for the thread-name glob", r->glob);
			}
		} else if (k->type == KT_ENV) {
			for (size_t i = 0; i < p->nenv; i++)
				if (write_kv(f, p->env[i].name, p->env[i].value) < 0)
					left_out(f, "the environment variable", p->env[i].name);
		}
	}
	return ferror(f) ? -1 : 0;
}
