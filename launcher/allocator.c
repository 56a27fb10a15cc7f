/* allocator.c - the CPU and memory hand-offs of Kubernetes allocators: resources.sh of the NRI resource
 * policies, DRA_CPUSET_<claim> of the DRA CPU driver; parsed into hwloc bitmaps, described, as JSON. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "allocator.h"
#include "log.h"
#include "topology.h"
#include "nodelist.h"
#include "plan.h"
#include "events.h"

#define LIST_LEN 4096
/* The real file holds a handful of short lines. */
#define ALLOC_MAX_FILE (64 * 1024)

/* The variables of resources.sh (containers/nri-plugins: pkg/resmgr/policy/policy.go for the CPUs,
 * cmd/plugins/topology-aware/policy/topology-aware-policy.go for the memory nodes). */
static const struct nri_var {
	const char *name;
	unsigned have;
	size_t off;
	int nodes; /* memory nodes, not CPUs */
} nri_vars[] = {
	{"EXCLUSIVE_CPUS", ALLOC_HAVE_EXCLUSIVE, offsetof(struct alloc_handoff, exclusive_cpus), 0},
	{"SHARED_CPUS", ALLOC_HAVE_SHARED, offsetof(struct alloc_handoff, shared_cpus), 0},
	{"ISOLATED_CPUS", ALLOC_HAVE_ISOLATED, offsetof(struct alloc_handoff, isolated_cpus), 0},
	{"ALL_MEMS", ALLOC_HAVE_MEMS, offsetof(struct alloc_handoff, mems), 1},
	{"DRAM_MEMS", ALLOC_HAVE_DRAM, offsetof(struct alloc_handoff, dram_mems), 1},
	{"PMEM_MEMS", ALLOC_HAVE_PMEM, offsetof(struct alloc_handoff, pmem_mems), 1},
	{"HBM_MEMS", ALLOC_HAVE_HBM, offsetof(struct alloc_handoff, hbm_mems), 1},
};
#define NVARS (sizeof(nri_vars) / sizeof(nri_vars[0]))

static hwloc_bitmap_t *set_of(struct alloc_handoff *h, const struct nri_var *v)
{
	return (hwloc_bitmap_t *)((char *)h + v->off);
}

static void ensure_sets(struct alloc_handoff *h)
{
	for (size_t i = 0; i < NVARS; i++) {
		hwloc_bitmap_t *s = set_of(h, &nri_vars[i]);
		if (!*s)
			*s = hwloc_bitmap_alloc();
	}
}

void alloc_free(struct alloc_handoff *h)
{
	for (size_t i = 0; i < NVARS; i++) {
		hwloc_bitmap_t *s = set_of(h, &nri_vars[i]);
		if (*s)
			hwloc_bitmap_free(*s);
	}
	for (size_t i = 0; i < h->nclaims; i++) {
		free(h->claims[i].name);
		hwloc_bitmap_free(h->claims[i].cpus);
	}
	free(h->claims);
	free(h->nri_file);
	free(h->sources);
	memset(h, 0, sizeof(*h));
}

/* Append ", what" (or "what" to an empty list) to *list. */
static void add_source(char **list, const char *what)
{
	size_t old = *list ? strlen(*list) : 0, n = strlen(what);
	char *s = realloc(*list, old + 2 + n + 1);
	if (!s)
		abort();
	if (old)
		memcpy(s + old, ", ", 2), old += 2;
	memcpy(s + old, what, n + 1);
	*list = s;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* "DRA_CPUSET_<claim>", malloc'd. */
static char *dra_var(const char *claim)
{
	size_t p = strlen(ALLOC_DRA_PREFIX), n = strlen(claim);
	char *v = malloc(p + n + 1);
	if (!v)
		abort();
	memcpy(v, ALLOC_DRA_PREFIX, p);
	memcpy(v + p, claim, n + 1);
	return v;
}

static int find_claim(const struct alloc_handoff *h, const char *name)
{
	for (size_t i = 0; i < h->nclaims; i++)
		if (strcmp(h->claims[i].name, name) == 0)
			return 1;
	return 0;
}

static void add_claim(struct alloc_handoff *h, const char *name, hwloc_const_bitmap_t cpus)
{
	struct alloc_claim *c = realloc(h->claims, (h->nclaims + 1) * sizeof(*c));
	if (!c)
		abort();
	h->claims = c;
	c[h->nclaims].name = xstrdup(name);
	c[h->nclaims].cpus = hwloc_bitmap_dup(cpus);
	h->nclaims++;
}

/* Add everything src holds to dst (sets by union, claims not already there, sources after dst's). */
static void merge(struct alloc_handoff *dst, const struct alloc_handoff *src)
{
	ensure_sets(dst);
	for (size_t i = 0; i < NVARS; i++) {
		hwloc_bitmap_t *d = set_of(dst, &nri_vars[i]);
		hwloc_bitmap_t s = *set_of((struct alloc_handoff *)src, &nri_vars[i]);
		if (s)
			hwloc_bitmap_or(*d, *d, s);
	}
	dst->have |= src->have;
	dst->from |= src->from;
	for (size_t i = 0; i < src->nclaims; i++)
		if (!find_claim(dst, src->claims[i].name))
			add_claim(dst, src->claims[i].name, src->claims[i].cpus);
	if (src->nri_file && !dst->nri_file)
		dst->nri_file = xstrdup(src->nri_file);
	if (src->sources)
		add_source(&dst->sources, src->sources);
}

/* A CPU or node list as the allocators write it (Go: k8s.io/utils/cpuset String/Parse, libmem's
 * MemsetString): "" (none), "0-3,8"; no numactl forms. Returns 0, or -1. */
static int parse_list(const char *v, hwloc_bitmap_t out)
{
	char cause[256];
	return nodelist_parse_plain(v, out, cause, sizeof(cause));
}

static void fail(char *cause, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *cause, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cause, len, fmt, ap);
	va_end(ap);
}

static int is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

/*
 * One line of resources.sh, [s, e): blank, a comment, or [export] NAME=WORD [# comment]. The word is
 * read as sh(1) would without expansions: '...' literal, "..." with \ before $ ` " \ escaping it,
 * bare characters with \ escaping the next. Returns 1 with the name ([*name, *name + *namelen)) and
 * the value (in val, as long as the line), 0 for nothing to assign, -1 with why.
 */
static int parse_line(const char *s, const char *e, const char **name, size_t *namelen, char *val,
		      const char **why)
{
	const char *p = s;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p == e || *p == '#')
		return 0;
	int exported = 0;
	if (e - p > 6 && strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
		exported = 1;
		p += 6;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
	}
	if (p == e || !is_name_start((unsigned char)*p)) {
		*why = "not a NAME=value assignment";
		return -1;
	}
	*name = p;
	while (p < e && is_name_char((unsigned char)*p))
		p++;
	*namelen = (size_t)(p - *name);
	if (p == e || *p != '=') {
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (exported && (q == e || *q == '#'))
			return 0; /* "export NAME" assigns nothing */
		*why = q < e && *q == '=' ? "spaces before '=' (not a shell assignment)" : "not a NAME=value assignment";
		return -1;
	}
	p++;
	char *o = val;
	while (p < e && *p != ' ' && *p != '\t') {
		if (*p == '\'') {
			const char *q = memchr(p + 1, '\'', (size_t)(e - p - 1));
			if (!q) {
				*why = "unterminated single quote";
				return -1;
			}
			memcpy(o, p + 1, (size_t)(q - p - 1));
			o += q - p - 1;
			p = q + 1;
		} else if (*p == '"') {
			p++;
			while (p < e && *p != '"') {
				if (*p == '\\' && p + 1 < e && strchr("$`\"\\", p[1]))
					p++;
				*o++ = *p++;
			}
			if (p == e) {
				*why = "unterminated double quote";
				return -1;
			}
			p++;
		} else if (*p == '\\') {
			if (p + 1 == e) {
				*why = "a line continuation (one assignment a line)";
				return -1;
			}
			*o++ = p[1];
			p += 2;
		} else if (strchr(";&|<>()", *p)) {
			*why = "shell syntax beyond an assignment";
			return -1;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && *p != '#') {
		*why = "text after the value (one assignment a line)";
		return -1;
	}
	return 1;
}

static int parse_nri(const char *text, const char *file, struct alloc_handoff *h, char *cause, size_t len)
{
	size_t n = strlen(text);
	char *val = malloc(n + 1);
	if (!val)
		abort();
	unsigned lineno = 0;
	int rc = 0;
	for (const char *s = text; *s && rc == 0;) {
		const char *e = strchr(s, '\n'), *next;
		if (e)
			next = e + 1;
		else
			next = e = s + strlen(s);
		lineno++;
		const char *end = e > s && e[-1] == '\r' ? e - 1 : e;
		const char *name = NULL, *why = NULL;
		size_t namelen = 0;
		int r = parse_line(s, end, &name, &namelen, val, &why);
		if (r < 0) {
			fail(cause, len, "%s:%u: %s: '%.*s'", file, lineno, why, (int)(end - s), s);
			rc = -1;
		} else if (r > 0) {
			for (size_t i = 0; i < NVARS; i++) {
				const struct nri_var *v = &nri_vars[i];
				if (strlen(v->name) != namelen || strncmp(v->name, name, namelen) != 0)
					continue;
				if (parse_list(val, *set_of(h, v)) < 0) {
					fail(cause, len, "%s:%u: %s: '%s' is not a %s list", file, lineno, v->name, val,
					     v->nodes ? "memory node" : "CPU");
					rc = -1;
				}
				h->have |= v->have; /* shell semantics: the last assignment wins */
				break;
			}
		}
		s = next;
	}
	free(val);
	return rc;
}

int alloc_parse_nri_named(const char *text, const char *name, struct alloc_handoff *out, char *cause,
			  size_t len)
{
	struct alloc_handoff t = {0};
	ensure_sets(out);
	ensure_sets(&t);
	if (parse_nri(text, name, &t, cause, len) < 0) {
		alloc_free(&t);
		return -1;
	}
	t.from = ALLOC_FROM_NRI;
	t.nri_file = xstrdup(name);
	add_source(&t.sources, name);
	merge(out, &t);
	alloc_free(&t);
	return 0;
}

int alloc_parse_nri(const char *text, struct alloc_handoff *out, char *cause, size_t len)
{
	return alloc_parse_nri_named(text, ALLOC_NRI_FILE, out, cause, len);
}

int alloc_parse_dra(char *const envp[], struct alloc_handoff *out, char *cause, size_t len)
{
	struct alloc_handoff t = {0};
	ensure_sets(out);
	ensure_sets(&t);
	hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
	size_t plen = strlen(ALLOC_DRA_PREFIX);
	int rc = 0;
	for (size_t i = 0; envp && envp[i] && rc == 0; i++) {
		const char *e = envp[i];
		if (strncmp(e, ALLOC_DRA_PREFIX, plen) != 0)
			continue;
		const char *eq = strchr(e, '=');
		if (!eq) {
			fail(cause, len, "%s: not NAME=value", e);
			rc = -1;
			break;
		}
		if (eq == e + plen) {
			fail(cause, len, "%.*s: no claim after %s", (int)(eq - e), e, ALLOC_DRA_PREFIX);
			rc = -1;
			break;
		}
		char *var = strndup(e, (size_t)(eq - e));
		if (!var)
			abort();
		if (parse_list(eq + 1, cpus) < 0) {
			fail(cause, len, "%s: '%s' is not a CPU list", var, eq + 1);
			rc = -1;
		} else if (!find_claim(&t, var + plen)) {
			add_claim(&t, var + plen, cpus);
			hwloc_bitmap_or(t.exclusive_cpus, t.exclusive_cpus, cpus);
			t.have |= ALLOC_HAVE_EXCLUSIVE;
			t.from = ALLOC_FROM_DRA;
			add_source(&t.sources, var);
		}
		free(var);
	}
	hwloc_bitmap_free(cpus);
	if (rc == 0) {
		rc = (int)t.nclaims;
		merge(out, &t);
	}
	alloc_free(&t);
	return rc;
}

/* root + ALLOC_NRI_FILE into t when the file exists. Returns 0 (also when absent), or -1. */
static int read_nri(const char *root, struct alloc_handoff *t, char *cause, size_t len)
{
	size_t rl = strlen(root);
	while (rl && root[rl - 1] == '/')
		rl--;
	char *path = malloc(rl + sizeof(ALLOC_NRI_FILE));
	if (!path)
		abort();
	memcpy(path, root, rl);
	memcpy(path + rl, ALLOC_NRI_FILE, sizeof(ALLOC_NRI_FILE));
	int rc = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT && errno != ENOTDIR) {
			fail(cause, len, "%s: %s", path, strerror(errno));
			rc = -1;
		}
		free(path);
		return rc;
	}
	char *buf = malloc(ALLOC_MAX_FILE + 1);
	if (!buf)
		abort();
	size_t n = fread(buf, 1, ALLOC_MAX_FILE + 1, f);
	if (ferror(f)) {
		fail(cause, len, "%s: %s", path, strerror(errno));
		rc = -1;
	} else if (n > ALLOC_MAX_FILE) {
		fail(cause, len, "%s: larger than %d KiB, not a resources.sh", path, ALLOC_MAX_FILE / 1024);
		rc = -1;
	} else if (memchr(buf, '\0', n)) {
		fail(cause, len, "%s: holds a NUL byte, not a text file", path);
		rc = -1;
	} else {
		buf[n] = '\0';
		rc = alloc_parse_nri_named(buf, path, t, cause, len);
	}
	fclose(f);
	free(buf);
	free(path);
	return rc;
}

int alloc_read(struct alloc_handoff *out, const char *root, char *const envp[], char *cause, size_t len)
{
	struct alloc_handoff t = {0};
	ensure_sets(out);
	ensure_sets(&t);
	if (read_nri(root ? root : "", &t, cause, len) < 0 || alloc_parse_dra(envp, &t, cause, len) < 0) {
		alloc_free(&t);
		return -1;
	}
	int from = (int)t.from;
	merge(out, &t);
	alloc_free(&t);
	return from;
}

void alloc_cpus(const struct alloc_handoff *h, hwloc_bitmap_t set)
{
	hwloc_bitmap_zero(set);
	if (h->exclusive_cpus)
		hwloc_bitmap_or(set, set, h->exclusive_cpus);
	if (h->isolated_cpus)
		hwloc_bitmap_or(set, set, h->isolated_cpus);
	if (h->shared_cpus)
		hwloc_bitmap_or(set, set, h->shared_cpus);
}

/* Append to buf at *at (bounded by len), as snprintf does. */
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	if (*at >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

static const struct {
	unsigned have;
	const char *label, *key;
	size_t off;
} mem_types[] = {
	{ALLOC_HAVE_DRAM, "DRAM", "dram", offsetof(struct alloc_handoff, dram_mems)},
	{ALLOC_HAVE_PMEM, "PMEM", "pmem", offsetof(struct alloc_handoff, pmem_mems)},
	{ALLOC_HAVE_HBM, "HBM", "hbm", offsetof(struct alloc_handoff, hbm_mems)},
};

static hwloc_const_bitmap_t type_set(const struct alloc_handoff *h, size_t i)
{
	return *(const hwloc_bitmap_t *)((const char *)h + mem_types[i].off);
}

char *alloc_describe(const struct alloc_handoff *h, char *buf, size_t len)
{
	char a[LIST_LEN];
	size_t at = 0;
	if (len)
		buf[0] = '\0';
	if (!h->from) {
		put(buf, len, &at, "none (no %s, no %s* variable)", ALLOC_NRI_FILE, ALLOC_DRA_PREFIX);
		return buf;
	}
	const char *sep = "";
	static const struct {
		unsigned have;
		const char *label;
		size_t off;
	} cpu_sets[] = {
		{ALLOC_HAVE_EXCLUSIVE, "exclusive CPUs", offsetof(struct alloc_handoff, exclusive_cpus)},
		{ALLOC_HAVE_ISOLATED, "isolated CPUs", offsetof(struct alloc_handoff, isolated_cpus)},
		{ALLOC_HAVE_SHARED, "shared CPUs", offsetof(struct alloc_handoff, shared_cpus)},
	};
	for (size_t i = 0; i < sizeof(cpu_sets) / sizeof(cpu_sets[0]); i++)
		if (h->have & cpu_sets[i].have) {
			hwloc_const_bitmap_t s = *(const hwloc_bitmap_t *)((const char *)h + cpu_sets[i].off);
			put(buf, len, &at, "%s%s %s", sep, cpu_sets[i].label, nodelist_format(s, a, sizeof(a)));
			sep = ", ";
		}
	unsigned types = h->have & (ALLOC_HAVE_DRAM | ALLOC_HAVE_PMEM | ALLOC_HAVE_HBM);
	if (h->have & ALLOC_HAVE_MEMS || types) {
		hwloc_bitmap_t all = hwloc_bitmap_dup(h->mems);
		if (!(h->have & ALLOC_HAVE_MEMS))
			for (size_t i = 0; i < 3; i++)
				hwloc_bitmap_or(all, all, type_set(h, i));
		put(buf, len, &at, "%smemory nodes %s", sep, nodelist_format(all, a, sizeof(a)));
		hwloc_bitmap_free(all);
		const char *tsep = " (";
		for (size_t i = 0; i < 3; i++)
			if (types & mem_types[i].have) {
				put(buf, len, &at, "%s%s %s", tsep, mem_types[i].label,
				    nodelist_format(type_set(h, i), a, sizeof(a)));
				tsep = ", ";
			}
		if (types)
			put(buf, len, &at, ")");
		sep = ", ";
	}
	if (!*sep)
		put(buf, len, &at, "no CPUs or memory nodes given");
	put(buf, len, &at, " from %s", h->sources ? h->sources : "?");
	return buf;
}

static void json_set(FILE *f, const struct alloc_handoff *h, unsigned have, hwloc_const_bitmap_t s)
{
	char a[LIST_LEN];
	if (h->have & have)
		json_string(f, nodelist_format(s, a, sizeof(a)));
	else
		fputs("null", f);
}

void alloc_print_json(FILE *f, const struct alloc_handoff *h)
{
	char a[LIST_LEN];
	fprintf(f, "{\"numarun_allocation\":1,\"from\":{\"nri\":%s,\"dra\":%s},\"sources\":",
		h->from & ALLOC_FROM_NRI ? "true" : "false", h->from & ALLOC_FROM_DRA ? "true" : "false");
	if (h->sources)
		json_string(f, h->sources);
	else
		fputs("null", f);
	fputs(",\"nri_file\":", f);
	if (h->nri_file)
		json_string(f, h->nri_file);
	else
		fputs("null", f);
	hwloc_bitmap_t all = hwloc_bitmap_alloc();
	alloc_cpus(h, all);
	fputs(",\"cpus\":", f);
	json_string(f, nodelist_format(all, a, sizeof(a)));
	hwloc_bitmap_free(all);
	fputs(",\"exclusive_cpus\":", f);
	json_set(f, h, ALLOC_HAVE_EXCLUSIVE, h->exclusive_cpus);
	fputs(",\"isolated_cpus\":", f);
	json_set(f, h, ALLOC_HAVE_ISOLATED, h->isolated_cpus);
	fputs(",\"shared_cpus\":", f);
	json_set(f, h, ALLOC_HAVE_SHARED, h->shared_cpus);
	fputs(",\"memory_nodes\":{\"all\":", f);
	json_set(f, h, ALLOC_HAVE_MEMS, h->mems);
	for (size_t i = 0; i < 3; i++) {
		fprintf(f, ",\"%s\":", mem_types[i].key);
		json_set(f, h, mem_types[i].have, type_set(h, i));
	}
	fputs("},\"dra_claims\":[", f);
	for (size_t i = 0; i < h->nclaims; i++) {
		fputs(i ? ",{\"claim\":" : "{\"claim\":", f);
		json_string(f, h->claims[i].name);
		char *var = dra_var(h->claims[i].name);
		fputs(",\"variable\":", f);
		json_string(f, var);
		free(var);
		fputs(",\"cpus\":", f);
		json_string(f, nodelist_format(h->claims[i].cpus, a, sizeof(a)));
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/* A Kubernetes CPU allocator's hand-off (nri-plugins' resources.sh, the DRA CPU driver's DRA_CPUSET_*):
 * plan inside the exclusive (and isolated) CPUs it granted, else its shared pool, and its memory nodes. */
void alloc_apply(struct topo *t)
{
	extern char **environ;
	struct alloc_handoff h;
	char cause[1024], desc[700];
	memset(&h, 0, sizeof(h));
	int from = alloc_read(&h, "", environ, cause, sizeof(cause));
	if (from < 0) {
		log_warn("%s: ignored (planning inside the cgroup's cpuset)", cause);
	} else if (from > 0) {
		hwloc_bitmap_t cpus = hwloc_bitmap_alloc(), mems = NULL;
		hwloc_bitmap_or(cpus, h.exclusive_cpus, h.isolated_cpus);
		const char *which = "exclusive";
		if (hwloc_bitmap_iszero(cpus)) {
			hwloc_bitmap_copy(cpus, h.shared_cpus);
			which = "shared";
		}
		hwloc_bitmap_and(cpus, cpus, t->allowed_cpus);
		if (h.have & ALLOC_HAVE_MEMS && !hwloc_bitmap_iszero(h.mems)) {
			mems = hwloc_bitmap_dup(h.mems);
			hwloc_bitmap_and(mems, mems, t->allowed_nodes);
			if (hwloc_bitmap_iszero(mems)) {
				hwloc_bitmap_free(mems);
				mems = NULL;
			}
		}
		alloc_describe(&h, desc, sizeof(desc));
		if (hwloc_bitmap_iszero(cpus)) {
			snprintf(t->allocator, sizeof(t->allocator), "%s: no CPU of it is allowed here: not used", desc);
		} else {
			topology_restrict(t, cpus, mems);
			snprintf(t->allocator, sizeof(t->allocator), "%s: planning in its %s CPUs", desc, which);
		}
		log_info("allocator: %s", t->allocator);
		hwloc_bitmap_free(cpus);
		hwloc_bitmap_free(mems);
	}
	alloc_free(&h);
}

