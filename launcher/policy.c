/* policy.c - INI policy (inih) -> struct policy; validation with "FILE:LINE: message". */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ini.h>
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

static int parse_long(const char *v, long min, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min)
		return -1;
	*out = n;
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
	if (parse_long(v, 1, &n) == 0) {
		*kind = CPUS_COUNT;
		*value = (double)n;
		return 0;
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

/* Match v against a NULL-terminated list of names; index or -1. */
static int match(const char *v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

static const char *const strategy_names[] = {"compact", "spread", NULL};
static const char *const mem_names[] = {"local", "bind", "interleave", "preferred", "default", NULL};
static const char *const knob_names[] = {"auto", "always", "keep", "off", NULL};
static const char *const threads_names[] = {"none", "spread", "compact", NULL};
static const char *const source_names[] = {"auto", "pmu", "faults", "pages", NULL};
static const char *const action_names[] = {"move", "migrate", "none", NULL};

#define DEFINE_ENUM_PARSER(fn, type, names, key, expected)                                        \
	int fn(const char *v, type *out, char *cause, size_t causelen)                              \
	{                                                                                           \
		int i = match(v, names);                                                            \
		if (i < 0) {                                                                        \
			snprintf(cause, causelen, "bad value '%s' for '" key "' (expected " expected ")", v); \
			return -1;                                                                  \
		}                                                                                   \
		*out = (type)i;                                                                     \
		return 0;                                                                           \
	}

int policy_parse_strategy(const char *v, enum strategy *s, char *cause, size_t causelen)
{
	int i = match(v, strategy_names);
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
	if (match(v, yes) >= 0)
		*b = 1;
	else if (match(v, no) >= 0)
		*b = 0;
	else {
		snprintf(cause, causelen, "bad value '%s' (expected yes or no)", v);
		return -1;
	}
	return 0;
}

int policy_parse_mem(const char *v, enum mem_policy *m, char *cause, size_t causelen)
{
	int i = match(v, mem_names);
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
	int i = match(v, knob_names);
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

static const char *const balancing_names[] = {"auto", "yes", "no", NULL};

int policy_parse_balancing(const char *v, enum balancing_mode *b, char *cause, size_t causelen)
{
	int i = match(v, balancing_names), yn;
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
	return balancing_names[b];
}

int policy_parse_memlimit(const char *v, struct knob *k, char *cause, size_t causelen)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {{"", 1}, {"B", 1}, {"K", 1024.0}, {"KiB", 1024.0}, {"M", 1048576.0}, {"MiB", 1048576.0},
		     {"G", 1073741824.0}, {"GiB", 1073741824.0}, {"T", 1099511627776.0}, {"TiB", 1099511627776.0}};
	int i = match(v, knob_names);
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

DEFINE_ENUM_PARSER(policy_parse_threads, enum thread_placement, threads_names, "placement",
		   "none, spread or compact")
DEFINE_ENUM_PARSER(policy_parse_source, enum source_kind, source_names, "source", "auto, pmu, faults or pages")
DEFINE_ENUM_PARSER(policy_parse_action, enum monitor_action, action_names, "action", "move, migrate or none")

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

static int parse_share(const char *v, double *out)
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
	return threads_names[t];
}

const char *policy_source_name(enum source_kind s)
{
	return source_names[s];
}

const char *policy_action_name(enum monitor_action a)
{
	return action_names[a];
}

const char *policy_strategy_name(enum strategy s)
{
	return strategy_names[s];
}

const char *policy_mem_name(enum mem_policy m)
{
	return mem_names[m];
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

/* ---- the INI handler ---- */

#define MAX_SEEN 64

struct load_ctx {
	struct policy *p;
	const char *name;
	int line;                 /* line being parsed, counted by our reader */
	int err_line;             /* first error's line, 0 if none */
	char err[512];
	char seen[MAX_SEEN][96];  /* "section.key" already set, for duplicates */
	int seen_line[MAX_SEEN];
	int nseen;
	/* reader state */
	FILE *f;
	const char *text;
};

static void set_error(struct load_ctx *c, const char *fmt, const char *a, const char *b)
{
	if (c->err_line)
		return;
	c->err_line = c->line;
	snprintf(c->err, sizeof(c->err), fmt, a, b);
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

static int check_list_value(const char *v)
{
	/* Syntax only; what exists is checked when planning. */
	for (const char *q = v; *q; q++)
		if (!isdigit((unsigned char)*q) && !strchr(",-!+", *q))
			return strcmp(v, "all") == 0 ? 0 : -1;
	return *v ? 0 : -1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct load_ctx *c = user;
	struct policy *p = c->p;
	char cause[384];
	char full[96];

	if (c->err_line)
		return 1;
	if (!*section) {
		set_error(c, "key '%s' outside any section%s", key, "");
		return 0;
	}
	snprintf(full, sizeof(full), "%s.%s", section, key);
	for (int i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], full) == 0) {
			char first[32];
			snprintf(first, sizeof(first), "%d", c->seen_line[i]);
			set_error(c, "duplicate key '%s' (first set on line %s)", key, first);
			return 0;
		}
	if (c->nseen < MAX_SEEN) {
		snprintf(c->seen[c->nseen], sizeof(c->seen[0]), "%s", full);
		c->seen_line[c->nseen++] = c->line;
	}
	if (!*value) {
		set_error(c, "empty value for '%s' in [%s]", key, section);
		return 0;
	}

	int rc = 0;
	if (strcmp(section, "placement") == 0) {
		if (strcmp(key, "nodes") == 0) {
			if (strcmp(value, "auto") == 0) {
				free(p->nodes);
				p->nodes = NULL;
			} else if (check_list_value(value) == 0) {
				free(p->nodes);
				p->nodes = strdup(value);
				p->from_file |= POLICY_FROM_FILE_NODES;
			} else {
				set_error(c, "bad value '%s' for 'nodes' (expected auto, all or a list such as 0-1)",
					  value, "");
				return 0;
			}
		} else if (strcmp(key, "cpus") == 0) {
			rc = policy_parse_cpus(value, &p->cpus_kind, &p->cpus_value, cause, sizeof(cause));
			p->from_file |= POLICY_FROM_FILE_CPUS;
		} else if (strcmp(key, "cpu_list") == 0) {
			if (check_list_value(value) < 0) {
				set_error(c, "bad value '%s' for 'cpu_list' (expected all or a list such as 0-3,8)",
					  value, "");
				return 0;
			}
			free(p->cpu_list);
			p->cpu_list = strdup(value);
			p->from_file |= POLICY_FROM_FILE_CPU_LIST;
		} else if (strcmp(key, "planned_cpus") == 0 || strcmp(key, "planned_nodes") == 0) {
			/* Plain lists, as numarun writes them (no all, !, +: they name sets, not choices). */
			hwloc_bitmap_t b = hwloc_bitmap_alloc();
			char why[128];
			int bad = nodelist_parse_plain(value, b, why, sizeof(why)) < 0;
			hwloc_bitmap_free(b);
			if (bad) {
				set_error(c, "bad value '%s' for '%s' (expected a list such as 0-3,8)", value, key);
				return 0;
			}
			char **dst = key[8] == 'c' ? &p->planned_cpus : &p->planned_nodes;
			free(*dst);
			*dst = strdup(value);
		} else if (strcmp(key, "strict") == 0) {
			rc = policy_parse_bool(value, &p->strict, cause, sizeof(cause));
		} else if (strcmp(key, "strategy") == 0) {
			rc = policy_parse_strategy(value, &p->strategy, cause, sizeof(cause));
		} else if (strcmp(key, "smt") == 0) {
			rc = policy_parse_bool(value, &p->smt, cause, sizeof(cause));
		} else {
			set_error(c, "unknown key '%s' in [%s]", key, section);
			return 0;
		}
	} else if (strcmp(section, "memory") == 0) {
		if (strcmp(key, "policy") == 0) {
			rc = policy_parse_mem(value, &p->mem, cause, sizeof(cause));
		} else if (strcmp(key, "nodes") == 0) {
			if (strcmp(value, "plan") == 0) {
				free(p->mem_nodes);
				p->mem_nodes = NULL;
			} else if (check_list_value(value) == 0) {
				free(p->mem_nodes);
				p->mem_nodes = strdup(value);
				p->from_file |= POLICY_FROM_FILE_MEM_NODES;
			} else {
				set_error(c, "bad value '%s' for 'nodes' (expected plan, all or a list such as 0-1)",
					  value, "");
				return 0;
			}
		} else if (strcmp(key, "include_cpuless") == 0) {
			rc = policy_parse_bool(value, &p->include_cpuless, cause, sizeof(cause));
		} else if (strcmp(key, "balancing") == 0) {
			rc = policy_parse_balancing(value, &p->balancing, cause, sizeof(cause));
		} else {
			set_error(c, "unknown key '%s' in [%s]", key, section);
			return 0;
		}
	} else if (strcmp(section, "runtime") == 0) {
		if (strcmp(key, "gomaxprocs") == 0)
			rc = policy_parse_knob(value, 1, &p->gomaxprocs, cause, sizeof(cause));
		else if (strcmp(key, "omp_num_threads") == 0)
			rc = policy_parse_knob(value, 0, &p->omp, cause, sizeof(cause));
		else if (strcmp(key, "gomemlimit") == 0)
			rc = policy_parse_memlimit(value, &p->gomemlimit, cause, sizeof(cause));
		else {
			set_error(c, "unknown key '%s' in [%s]", key, section);
			return 0;
		}
	} else if (strcmp(section, "monitor") == 0) {
		long n;
		if (strcmp(key, "enabled") == 0)
			rc = policy_parse_bool(value, &p->monitor, cause, sizeof(cause));
		else if (strcmp(key, "interval") == 0)
			rc = policy_parse_duration_ms(value, &p->interval_ms, cause, sizeof(cause));
		else if (strcmp(key, "source") == 0)
			rc = policy_parse_source(value, &p->source, cause, sizeof(cause));
		else if (strcmp(key, "action") == 0)
			rc = policy_parse_action(value, &p->action, cause, sizeof(cause));
		else if (strcmp(key, "threshold") == 0 || strcmp(key, "min_cpu") == 0) {
			double *dst = key[0] == 't' ? &p->threshold : &p->min_cpu;
			if (parse_share(value, dst) < 0) {
				set_error(c, "bad value '%s' for '%s' (expected a share such as 30%% or 0.3)", value, key);
				return 0;
			}
		} else if (strcmp(key, "sustain") == 0 || strcmp(key, "settle") == 0 ||
			   strcmp(key, "max_moves_per_minute") == 0) {
			if (parse_long(value, 1, &n) < 0 || n > 100000) {
				set_error(c, "bad value '%s' for '%s' (expected a positive count)", value, key);
				return 0;
			}
			*(key[1] == 'u' ? &p->sustain : key[1] == 'e' ? &p->settle : &p->max_moves) = (unsigned)n;
		} else if (strcmp(key, "descendants") == 0)
			rc = policy_parse_bool(value, &p->descendants, cause, sizeof(cause));
		else {
			set_error(c, "unknown key '%s' in [%s]", key, section);
			return 0;
		}
	} else if (strcmp(section, "threads") == 0) {
		if (strcmp(key, "placement") == 0) {
			rc = policy_parse_threads(value, &p->threads, cause, sizeof(cause));
		} else if (strcmp(key, "exclude") == 0) {
			char *copy = strdup(value), *save = NULL;
			for (char *g = strtok_r(copy, ", ", &save); g; g = strtok_r(NULL, ", ", &save))
				policy_add_rule(p, g, NULL);
			free(copy);
		} else if (strncmp(key, "node.", 5) == 0 && key[5]) {
			if (check_list_value(value) < 0) {
				set_error(c, "bad value '%s' for '%s' (expected nodes such as 0 or 0-1)", value, key);
				return 0;
			}
			policy_add_rule(p, key + 5, value);
		} else {
			set_error(c, "unknown key '%s' in [%s]", key, section);
			return 0;
		}
	} else if (strcmp(section, "env") == 0) {
		if (!valid_env_name(key)) {
			set_error(c, "bad environment variable name '%s'%s", key, "");
			return 0;
		}
		policy_setenv(p, key, value);
	} else {
		set_error(c, "unknown section '%s'%s", section, "");
		return 0;
	}
	if (rc < 0) {
		/* Shared value parsers do not know the key: name it, as every policy error does. */
		char named[512];
		const char *q = strstr(cause, "' (");
		if (strncmp(cause, "bad value '", 11) == 0 && !strstr(cause, "' for '") && q)
			snprintf(named, sizeof(named), "%.*s for '%s'%s", (int)(q + 1 - cause), cause, key, q + 1);
		else
			snprintf(named, sizeof(named), "%s", cause);
		set_error(c, "%s%s", named, "");
		return 0;
	}
	return 1;
}

static int known_section(const char *name)
{
	static const char *const sections[] = {"placement", "memory", "runtime", "env", "monitor", "threads", NULL};
	return match(name, sections) >= 0;
}

/* One whole line from the file or the string into buf (without its newline); NULL at the end. */
static char *next_line(struct load_ctx *c, char *buf, size_t len, size_t *full)
{
	size_t n = 0, total = 0;
	int ch, any = 0;
	for (;;) {
		if (c->f)
			ch = fgetc(c->f);
		else
			ch = *c->text ? (unsigned char)*c->text++ : EOF;
		if (ch == EOF)
			break;
		any = 1;
		if (ch == '\n')
			break;
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
 * handler's errors know their line. Leading white space is removed (an indented key is a key, not the
 * continuation of the previous value, whatever inih was built with), and section headers are checked
 * here: inih does not tell the handler about a section that holds no keys.
 */
static char *reader(char *str, int num, void *stream)
{
	struct load_ctx *c = stream;
	char line[4096];
	size_t full;

	if (!next_line(c, line, sizeof(line), &full))
		return NULL;
	c->line++;
	char *p = line;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (full >= (size_t)num - 1 && !c->err_line) {
		c->err_line = c->line;
		snprintf(c->err, sizeof(c->err), "line too long (at most %d characters)", num - 2);
		p = (char *)"";
	}
	if (*p == '[' && !c->err_line) {
		char name[128];
		const char *end = strchr(p, ']');
		size_t n = end ? (size_t)(end - p - 1) : 0;
		if (end && n < sizeof(name)) {
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if (!known_section(name)) {
				c->err_line = c->line;
				snprintf(c->err, sizeof(c->err), "unknown section '%s'", name);
			}
		}
	}
	snprintf(str, (size_t)num, "%s\n", p);
	return str;
}

static int finish(struct load_ctx *c, int rc, char *cause, size_t causelen)
{
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
	int read_err = ferror(c.f) ? (errno ? errno : EIO) : 0;
	fclose(c.f);
	if (read_err) {
		snprintf(cause, causelen, "%s: cannot read: %s", path, strerror(read_err));
		return -1;
	}
	return finish(&c, rc, cause, causelen);
}

int policy_load_string(struct policy *p, const char *name, const char *text, char *cause, size_t causelen)
{
	struct load_ctx c = {.p = p, .name = name, .text = text};
	int rc = ini_parse_stream(reader, &c, handler, &c);
	return finish(&c, rc, cause, causelen);
}
