/* report.c - numarun report: read an --events stream back, gather it per thread, and write it as one
 * self-contained HTML page (inline CSS and SVG, no script, nothing fetched) or as the SVG chart alone. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "json.h"
#include "launch.h"
#include "log.h"
#include "report.h"

/* ---- gathering ---- */

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->converged_t = -1;
	r->pid = -1;
	r->threshold = -1;
	r->interval_ms = -1;
	r->status = -1;
	r->signal = -1;
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nthreads; i++) {
		free(r->threads[i].comm);
		free(r->threads[i].pts);
	}
	free(r->threads);
	free(r->hash);
	free(r->marks);
	free(r->flags);
	free(r->replans);
	free(r->source);
	free(r->action);
	free(r->cpus);
	free(r->nodes);
	free(r->memory);
	free(r->placement);
	report_init(r);
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t c = *cap ? *cap * 2 : 16;
	void *q = realloc(p, c * size);
	if (!q) {
		log_error("out of memory");
		exit(EXIT_FAILURE_NUMARUN);
	}
	*cap = c;
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		log_error("out of memory");
		exit(EXIT_FAILURE_NUMARUN);
	}
	return d;
}

static size_t hash_tid(long long tid, size_t cap)
{
	return (size_t)((unsigned long long)tid * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);
}

static void rehash(struct report *r)
{
	size_t cap = r->hash_cap ? r->hash_cap * 2 : 64;
	size_t *h = calloc(cap, sizeof(*h));
	if (!h) {
		log_error("out of memory");
		exit(EXIT_FAILURE_NUMARUN);
	}
	for (size_t i = 0; i < r->nthreads; i++) {
		size_t k = hash_tid(r->threads[i].tid, cap);
		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = i + 1;
	}
	free(r->hash);
	r->hash = h;
	r->hash_cap = cap;
}

/* The thread with this TID, made when it is new. */
static size_t thread_at(struct report *r, long long tid, double t)
{
	if (r->hash_cap) {
		for (size_t k = hash_tid(tid, r->hash_cap); r->hash[k]; k = (k + 1) & (r->hash_cap - 1))
			if (r->threads[r->hash[k] - 1].tid == tid)
				return r->hash[k] - 1;
	}
	r->threads = grow(r->threads, &r->cap_threads, r->nthreads, sizeof(*r->threads));
	struct report_thread *th = &r->threads[r->nthreads];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->pid = -1;
	th->node = th->cpu = -1;
	th->remote = th->max_remote = -1;
	th->first_t = t;
	th->comm = xstrdup("");
	r->nthreads++;
	if (r->nthreads * 2 > r->hash_cap)
		rehash(r);
	else {
		size_t k = hash_tid(tid, r->hash_cap);
		while (r->hash[k])
			k = (k + 1) & (r->hash_cap - 1);
		r->hash[k] = r->nthreads;
	}
	return r->nthreads - 1;
}

static void add_point(struct report_thread *th, double t, double remote, int node)
{
	th->pts = grow(th->pts, &th->cap, th->npts, sizeof(*th->pts));
	th->pts[th->npts++] = (struct report_point){t, remote, node};
	if (node >= 0)
		th->node = node;
	if (remote >= 0) {
		th->remote = remote;
		if (remote > th->max_remote)
			th->max_remote = remote;
	}
}

/* The fields of an event, checked: absent (or null where allowed) is 1, the wrong type an error. */
struct line {
	const struct json *v;
	const char *event;
	char *cause;
	size_t causelen;
};

static int bad(struct line *l, const char *key, const char *want, const struct json *f)
{
	if (!f)
		snprintf(l->cause, l->causelen, "%s: '%s' is missing", l->event, key);
	else
		snprintf(l->cause, l->causelen, "%s: '%s' is %s, not %s", l->event, key, json_type_name(f->type), want);
	return -1;
}

static int get_num(struct line *l, const struct json *obj, const char *key, int need, double *out)
{
	const struct json *f = json_get(obj, key);
	*out = 0;
	if ((!f || f->type == JSON_NULL) && !need)
		return 1;
	if (!f || f->type != JSON_NUMBER)
		return bad(l, key, "a number", f);
	*out = f->number;
	return 0;
}

/* An integer field (a node, CPU, TID, count): a whole number that fits. */
static int get_int(struct line *l, const struct json *obj, const char *key, int need, long long *out)
{
	double d;
	int rc = get_num(l, obj, key, need, &d);
	if (rc)
		return rc;
	if (d != floor(d) || d < -9.0e15 || d > 9.0e15) {
		snprintf(l->cause, l->causelen, "%s: '%s' is %g, not a whole number", l->event, key, d);
		return -1;
	}
	*out = (long long)d;
	return 0;
}

/* A node or CPU: -1 when absent or null. */
static int get_index(struct line *l, const struct json *obj, const char *key, int *out)
{
	long long v = -1;
	int rc = get_int(l, obj, key, 0, &v);
	if (rc < 0)
		return -1;
	if (rc == 0 && (v < 0 || v > INT_MAX)) {
		snprintf(l->cause, l->causelen, "%s: '%s' is %lld, not a node or CPU number", l->event, key, v);
		return -1;
	}
	*out = rc == 0 ? (int)v : -1;
	return 0;
}

/* A remote share: 0 to 1, -1 when absent or null. */
static int get_share(struct line *l, const struct json *obj, const char *key, int need, double *out)
{
	double d = -1;
	int rc = get_num(l, obj, key, need, &d);
	if (rc < 0)
		return -1;
	if (rc == 0 && (d < 0 || d > 1)) {
		snprintf(l->cause, l->causelen, "%s: '%s' is %g, not a share from 0 to 1", l->event, key, d);
		return -1;
	}
	*out = rc == 0 ? d : -1;
	return 0;
}

static int get_str(struct line *l, const struct json *obj, const char *key, const char **out)
{
	const struct json *f = json_get(obj, key);
	*out = NULL;
	if (!f || f->type == JSON_NULL)
		return 1;
	if (f->type != JSON_STRING)
		return bad(l, key, "a string", f);
	*out = f->str;
	return 0;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

static const char *owner_of(const char *pinned_by)
{
	if (pinned_by && strcmp(pinned_by, "numarun") == 0)
		return "numarun";
	if (pinned_by && strcmp(pinned_by, "program") == 0)
		return "program";
	return NULL;
}

/* The thread an event names (tid required), its name and process updated. */
static int event_thread(struct report *r, struct line *l, const struct json *obj, double t, size_t *out)
{
	long long tid, pid;
	const char *comm;
	if (get_int(l, obj, "tid", 1, &tid) < 0)
		return -1;
	if (get_str(l, obj, "comm", &comm) < 0)
		return -1;
	int rc = get_int(l, obj, "pid", 0, &pid);
	if (rc < 0)
		return -1;
	*out = thread_at(r, tid, t);
	if (rc == 0)
		r->threads[*out].pid = pid;
	if (comm)
		set_str(&r->threads[*out].comm, comm);
	return 0;
}

static int on_start(struct report *r, struct line *l)
{
	const char *s;
	long long pid;
	double d;
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{"source", offsetof(struct report, source)}, {"action", offsetof(struct report, action)},
		{"cpus", offsetof(struct report, cpus)},     {"nodes", offsetof(struct report, nodes)},
		{"memory", offsetof(struct report, memory)}, {"threads", offsetof(struct report, placement)},
	};
	r->have_start = 1;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (get_str(l, l->v, strs[i].key, &s) < 0)
			return -1;
		set_str((char **)((char *)r + strs[i].off), s);
	}
	int rc = get_int(l, l->v, "pid", 0, &pid);
	if (rc < 0)
		return -1;
	r->pid = rc == 0 ? pid : -1;
	if ((rc = get_num(l, l->v, "threshold", 0, &d)) < 0)
		return -1;
	r->threshold = rc == 0 ? d : -1;
	if ((rc = get_num(l, l->v, "interval_ms", 0, &d)) < 0)
		return -1;
	r->interval_ms = rc == 0 ? d : -1;
	return 0;
}

static int on_thread_event(struct report *r, struct line *l, double t)
{
	size_t i;
	if (event_thread(r, l, l->v, t, &i) < 0)
		return -1;
	struct report_thread *th = &r->threads[i];
	const char *ev = l->event, *pb;
	int node = -1, cpu = -1;
	double remote = -1;
	if (strcmp(ev, "thread_new") == 0) {
		if (get_index(l, l->v, "node", &node) < 0 || get_index(l, l->v, "cpu", &cpu) < 0 ||
		    get_str(l, l->v, "pinned_by", &pb) < 0)
			return -1;
		th->owner = owner_of(pb);
		th->cpu = cpu;
		th->first_t = t;
		add_point(th, t, -1, node);
	} else if (strcmp(ev, "busy") == 0) {
		th->busy = 1;
	} else if (strcmp(ev, "released") == 0 || strcmp(ev, "reclaimed") == 0) {
		if (get_str(l, l->v, "pinned_by", &pb) < 0)
			return -1;
		th->owner = owner_of(pb);
		if (strcmp(ev, "released") == 0)
			th->cpu = -1;
	} else if (strcmp(ev, "sample") == 0 || strcmp(ev, "frozen") == 0 || strcmp(ev, "unfixable") == 0) {
		if (get_index(l, l->v, "node", &node) < 0 || get_share(l, l->v, "remote", 1, &remote) < 0)
			return -1;
		if (ev[0] == 'f')
			th->frozen = 1;
		if (ev[0] != 's') {
			r->flags = grow(r->flags, &r->cap_flags, r->nflags, sizeof(*r->flags));
			r->flags[r->nflags++] = (struct report_flag){t, i, ev[0] == 'u'};
		}
		add_point(th, t, remote, node >= 0 ? node : th->node);
	} else { /* move */
		const char *kind;
		long long from, to;
		if (get_str(l, l->v, "kind", &kind) < 0)
			return -1;
		if (!kind) {
			snprintf(l->cause, l->causelen, "move: 'kind' is missing");
			return -1;
		}
		enum report_mark_kind mk;
		if (strcmp(kind, "thread") == 0)
			mk = MARK_MOVE;
		else if (strcmp(kind, "swap") == 0)
			mk = MARK_SWAP;
		else if (strcmp(kind, "memory") == 0)
			mk = MARK_MIGRATION;
		else {
			snprintf(l->cause, l->causelen, "move: unknown kind '%.64s' (thread, swap or memory)", kind);
			return -1;
		}
		if (get_int(l, l->v, "from", 1, &from) < 0 || get_int(l, l->v, "to", 1, &to) < 0 ||
		    get_share(l, l->v, "remote", 0, &remote) < 0 || get_index(l, l->v, "cpu", &cpu) < 0)
			return -1;
		if (from < 0 || to < 0 || from > INT_MAX || to > INT_MAX) {
			snprintf(l->cause, l->causelen, "move: 'from' and 'to' must be node numbers");
			return -1;
		}
		r->marks = grow(r->marks, &r->cap_marks, r->nmarks, sizeof(*r->marks));
		r->marks[r->nmarks++] = (struct report_mark){t, mk, i, (int)from, (int)to, remote};
		if (mk == MARK_MIGRATION) {
			th->migrations++;
			add_point(th, t, remote, th->node >= 0 ? th->node : (int)to);
		} else {
			th->moves++;
			add_point(th, t, remote, (int)from);
			add_point(th, t, -1, (int)to); /* its share on the new node is known from its next sample */
			if (cpu >= 0)
				th->cpu = cpu;
		}
	}
	return 0;
}

static int on_exit_event(struct report *r, struct line *l, double t)
{
	long long v;
	const struct json *b;
	static const struct {
		const char *key;
		size_t off;
	} ints[] = {
		{"status", offsetof(struct report, status)}, {"signal", offsetof(struct report, signal)},
		{"ticks", offsetof(struct report, ticks)},   {"moves", offsetof(struct report, exit_moves)},
		{"migrations", offsetof(struct report, exit_migrations)},
		{"replans", offsetof(struct report, exit_replans)},
	};
	r->have_exit = 1;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		int rc = get_int(l, l->v, ints[i].key, 0, &v);
		if (rc < 0)
			return -1;
		*(long long *)((char *)r + ints[i].off) = rc == 0 ? v : -1;
	}
	b = json_get(l->v, "converged");
	if (b && b->type != JSON_BOOL && b->type != JSON_NULL)
		return bad(l, "converged", "true or false", b);
	r->exit_converged = b && b->type == JSON_BOOL ? b->boolean : -1;
	const struct json *a = json_get(l->v, "threads");
	if (!a || a->type == JSON_NULL)
		return 0;
	if (a->type != JSON_ARRAY)
		return bad(l, "threads", "an array", a);
	for (size_t k = 0; k < a->n; k++) {
		const struct json *o = &a->items[k];
		char ev[64];
		snprintf(ev, sizeof(ev), "exit: threads[%zu]", k);
		struct line el = {o, ev, l->cause, l->causelen};
		if (o->type != JSON_OBJECT) {
			snprintf(l->cause, l->causelen, "%s is %s, not an object", ev, json_type_name(o->type));
			return -1;
		}
		size_t i;
		int node = -1, cpu = -1;
		double remote = -1;
		long long moves = -1;
		const char *pb;
		if (event_thread(r, &el, o, t, &i) < 0 || get_index(&el, o, "node", &node) < 0 ||
		    get_index(&el, o, "cpu", &cpu) < 0 || get_share(&el, o, "remote", 0, &remote) < 0 ||
		    get_int(&el, o, "moves", 0, &moves) < 0 || get_str(&el, o, "pinned_by", &pb) < 0)
			return -1;
		const struct json *fz = json_get(o, "frozen");
		if (fz && fz->type != JSON_BOOL && fz->type != JSON_NULL)
			return bad(&el, "frozen", "true or false", fz);
		struct report_thread *th = &r->threads[i];
		th->in_exit = 1;
		th->cpu = cpu;
		th->owner = owner_of(pb);
		if (moves >= 0)
			th->moves = (unsigned)(moves > UINT_MAX ? UINT_MAX : moves);
		if (fz && fz->type == JSON_BOOL)
			th->frozen = fz->boolean;
		if (node >= 0 || remote >= 0)
			add_point(th, t, remote, node >= 0 ? node : th->node);
		th->node = node;
		th->remote = remote;
	}
	return 0;
}

int report_feed_line(struct report *r, const char *text, size_t len, char *cause, size_t causelen)
{
	struct json v;
	char why[256];
	if (json_parse(text, len, &v, why, sizeof(why)) < 0) {
		snprintf(cause, causelen, "not JSON (%s)", why);
		return -1;
	}
	struct line l = {&v, "event", cause, causelen};
	int rc = -1;
	double t;
	const char *name;
	if (v.type != JSON_OBJECT) {
		snprintf(cause, causelen, "not a JSON object (%s)", json_type_name(v.type));
		goto out;
	}
	if (get_str(&l, &v, "event", &name) != 0) {
		snprintf(cause, causelen, "no 'event' (a string naming the event)");
		goto out;
	}
	l.event = name;
	if (get_num(&l, &v, "t", 1, &t) < 0)
		goto out;
	if (!(t >= 0 && t <= REPORT_MAX_T)) {
		snprintf(cause, causelen, "%s: 't' is %g, not a time (seconds since the start, 0 to %g)", name, t,
			 REPORT_MAX_T);
		goto out;
	}
	if (t > r->t_end)
		r->t_end = t;
	if (strcmp(name, "start") == 0)
		rc = on_start(r, &l);
	else if (strcmp(name, "thread_new") == 0 || strcmp(name, "busy") == 0 || strcmp(name, "released") == 0 ||
		 strcmp(name, "reclaimed") == 0 || strcmp(name, "sample") == 0 || strcmp(name, "frozen") == 0 ||
		 strcmp(name, "unfixable") == 0 || strcmp(name, "move") == 0)
		rc = on_thread_event(r, &l, t);
	else if (strcmp(name, "converged") == 0) {
		if (r->converged_t < 0)
			r->converged_t = t;
		r->converged_n++;
		rc = 0;
	} else if (strcmp(name, "replan") == 0) {
		const struct json *ok = json_get(&v, "ok");
		const char *reason;
		if (ok && ok->type != JSON_BOOL) {
			rc = bad(&l, "ok", "true or false", ok);
			goto out;
		}
		if (get_str(&l, &v, "reason", &reason) < 0)
			goto out;
		r->replans = grow(r->replans, &r->cap_replans, r->nreplans, sizeof(*r->replans));
		r->replans[r->nreplans++] = (struct report_replan){t, !ok || ok->boolean,
								    reason && strcmp(reason, "cpu quota") == 0};
		rc = 0;
	} else if (strcmp(name, "exit") == 0)
		rc = on_exit_event(r, &l, t);
	else {
		/* A later numarun's event: skipped, named for -v. */
		r->skipped++;
		size_t have = strlen(r->skipped_names);
		char quoted[80];
		snprintf(quoted, sizeof(quoted), "'%.64s'", name);
		if (!strstr(r->skipped_names, quoted) && have + strlen(quoted) + 3 < sizeof(r->skipped_names))
			snprintf(r->skipped_names + have, sizeof(r->skipped_names) - have, "%s%s", have ? ", " : "", quoted);
		rc = 1;
	}
	if (rc == 0)
		r->events++;
out:
	json_free(&v);
	return rc;
}

int report_read(struct report *r, FILE *f, const char *name, char *cause, size_t causelen)
{
	char *line = NULL, why[512];
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		r->lines++;
		int whole = n > 0 && line[n - 1] == '\n';
		size_t len = (size_t)n - (whole ? 1 : 0);
		if (len && line[len - 1] == '\r')
			len--;
		if (strspn(line, " \t\r") >= len && !memchr(line, '\0', len))
			continue; /* an empty line */
		if (report_feed_line(r, line, len, why, sizeof(why)) < 0) {
			if (!whole) {
				/* The last line, cut short: the program was stopped while numarun wrote it. */
				log_warn("%s:%lu: the last line is incomplete (%s): taken as cut short, and left out", name,
					 r->lines, why);
				r->truncated = 1;
				break;
			}
			snprintf(cause, causelen, "%s:%lu: %s", name, r->lines, why);
			rc = -2;
			goto out;
		}
		errno = 0;
	}
	if (ferror(f)) {
		snprintf(cause, causelen, "%s: %s", name, strerror(errno ? errno : EIO));
		rc = -1;
		goto out;
	}
	if (!r->events) {
		snprintf(cause, causelen, "%s: no events (numarun --events writes them)", name);
		rc = -2;
	}
out:
	free(line);
	return rc;
}

/* ---- ranking ---- */

static const struct report *rank_of;

static int rank_cmp(const void *a, const void *b)
{
	const struct report_thread *x = &rank_of->threads[*(const size_t *)a], *y = &rank_of->threads[*(const size_t *)b];
	unsigned mx = x->moves + x->migrations, my = y->moves + y->migrations;
	if (mx != my)
		return mx > my ? -1 : 1;
	if (x->max_remote != y->max_remote)
		return x->max_remote > y->max_remote ? -1 : 1;
	if (x->busy != y->busy)
		return x->busy ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void report_rank(const struct report *r, size_t **order)
{
	*order = malloc((r->nthreads ? r->nthreads : 1) * sizeof(**order));
	if (!*order) {
		log_error("out of memory");
		exit(EXIT_FAILURE_NUMARUN);
	}
	for (size_t i = 0; i < r->nthreads; i++)
		(*order)[i] = i;
	rank_of = r;
	qsort(*order, r->nthreads, sizeof(**order), rank_cmp);
	rank_of = NULL;
}

/* ---- writing ---- */

#define SVG_W 1200
#define LABEL_W 230
#define RIGHT_W 170
#define X0 LABEL_W
#define X1 (SVG_W - RIGHT_W)
#define LANE_H 38
#define MARK_H 11             /* the strip at the top of a lane where its marks go */
#define LABEL_ROWS 3
#define AGG_BUCKETS 200

/* Node colours (a palette that stays apart for colour-blind eyes), again from the ninth node on. */
static const char *const node_colour[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
					  "#56b4e9", "#d55e00", "#bfa300", "#8c564b"};
#define NCOLOURS (sizeof(node_colour) / sizeof(node_colour[0]))
#define UNKNOWN_COLOUR "#888888"

static const char *colour(int node)
{
	return node >= 0 ? node_colour[(unsigned)node % NCOLOURS] : UNKNOWN_COLOUR;
}

/* The code point of the UTF-8 sequence at s, its length in *n; an invalid one (a stray byte, a
 * sequence cut short, an overlong form, a surrogate, past U+10FFFF) is U+FFFD of 1 byte. */
static unsigned long code_point(const unsigned char *s, size_t *n)
{
	unsigned long c = s[0];
	size_t len;
	*n = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return 0xfffd;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0xfffd;
		c = c << 6 | (s[k] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0xfffd;
	*n = len;
	return c;
}

/* Write s escaped for HTML and XML text and attributes: & < > " ' as references, what XML 1.0 does
 * not allow (control characters, U+FFFE, U+FFFF) and any byte that is not UTF-8 as U+FFFD; at most max
 * characters (0: all), then an ellipsis. */
static void esc(FILE *f, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t count = 0;
	while (*s) {
		size_t n;
		unsigned long c = code_point(s, &n);
		if (max && ++count > max) {
			fputs("\xe2\x80\xa6", f);
			return;
		}
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((c < 0x20 && c != '\t') || c == 0x7f || c == 0xfffe || c == 0xffff || c == 0xfffd ||
			    (c >= 0x80 && c < 0xa0))
				fputs("\xef\xbf\xbd", f);
			else
				fwrite(s, 1, n, f);
		}
		s += n;
	}
}

static void esc_text(FILE *f, const char *s)
{
	esc(f, s, 0);
}

/* A growing string, for the paths drawn per colour. */
struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && b->n + (size_t)n < b->cap) {
			b->n += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->n + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			log_error("out of memory");
			exit(EXIT_FAILURE_NUMARUN);
		}
		b->s = s;
		b->cap = cap;
	}
}

struct chart {
	const struct report *r;
	size_t *order;            /* threads by rank */
	size_t *lane_of;          /* per thread: its lane */
	size_t lanes;             /* lanes drawn */
	size_t single;            /* of them, one thread each; the last one holds the rest when single < lanes */
	double t_end;
	double top;               /* y of the first lane */
	double height;
	int nodes[64];            /* the nodes met, in order */
	size_t nnodes;
	int other_nodes;          /* nodes past the 64 */
};

static double xt(const struct chart *c, double t)
{
	return X0 + (c->t_end > 0 ? t / c->t_end : 0) * (X1 - X0);
}

/* y of remote share s in lane l: 0 at its bottom, 1 at its top. */
static double ys(const struct chart *c, size_t l, double s)
{
	return c->top + (double)l * LANE_H + LANE_H - 4 - s * (LANE_H - 6 - MARK_H);
}

static void note_node(struct chart *c, int node)
{
	if (node < 0)
		return;
	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i] == node)
			return;
	if (c->nnodes == sizeof(c->nodes) / sizeof(c->nodes[0])) {
		c->other_nodes = 1;
		return;
	}
	size_t i = c->nnodes++;
	while (i > 0 && c->nodes[i - 1] > node) {
		c->nodes[i] = c->nodes[i - 1];
		i--;
	}
	c->nodes[i] = node;
}

static int interesting(const struct report_thread *th)
{
	return th->moves || th->migrations || th->busy || th->max_remote >= 0;
}

static void chart_init(struct chart *c, const struct report *r)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->t_end = r->t_end > 0 ? r->t_end : 1;
	report_rank(r, &c->order);
	c->lane_of = malloc((r->nthreads ? r->nthreads : 1) * sizeof(*c->lane_of));
	if (!c->lane_of) {
		log_error("out of memory");
		exit(EXIT_FAILURE_NUMARUN);
	}
	c->single = r->nthreads;
	if (r->nthreads > REPORT_LANES + 1) {
		/* A lane each for the first REPORT_LANES threads with something to show (moved, busy, a
		 * remote share known); the rest (idle ones, mostly) together. */
		c->single = 0;
		while (c->single < REPORT_LANES && c->single < r->nthreads && interesting(&r->threads[c->order[c->single]]))
			c->single++;
	}
	c->lanes = r->nthreads > c->single ? c->single + 1 : c->single;
	for (size_t k = 0; k < r->nthreads; k++)
		c->lane_of[c->order[k]] = k < c->single ? k : c->single;
	for (size_t i = 0; i < r->nthreads; i++)
		for (size_t k = 0; k < r->threads[i].npts; k++)
			note_node(c, r->threads[i].pts[k].node);
	for (size_t m = 0; m < r->nmarks; m++) {
		note_node(c, r->marks[m].from);
		note_node(c, r->marks[m].to);
	}
}

static void chart_free(struct chart *c)
{
	free(c->order);
	free(c->lane_of);
}

/* Until when a thread is drawn: the end of the run while it lives, its last event once it is gone. */
static double thread_end(const struct chart *c, const struct report_thread *th)
{
	if (!c->r->have_exit || th->in_exit || !th->npts)
		return c->t_end;
	return th->pts[th->npts - 1].t;
}

static void draw_thread_lane(FILE *f, const struct chart *c, size_t lane, const struct report_thread *th)
{
	struct sbuf line[NCOLOURS + 1];
	memset(line, 0, sizeof(line));
	double end = thread_end(c, th);
	/* The node it runs on: a band in the node's colour, each run of the same node one rectangle. */
	for (size_t k = 0; k < th->npts;) {
		int node = th->pts[k].node;
		size_t j = k + 1;
		while (j < th->npts && th->pts[j].node == node)
			j++;
		double a = xt(c, th->pts[k].t), b = xt(c, j < th->npts ? th->pts[j].t : end);
		if (node >= 0 && b > a)
			fprintf(f, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", a,
				c->top + (double)lane * LANE_H + 2, b - a, LANE_H - 4, colour(node));
		k = j;
	}
	/* The remote share: held from each sample to the next, in the colour of the node it ran on. */
	for (size_t k = 0; k < th->npts; k++) {
		const struct report_point *p = &th->pts[k];
		if (p->remote < 0)
			continue;
		double t1 = k + 1 < th->npts ? th->pts[k + 1].t : end;
		double a = xt(c, p->t), b = xt(c, t1);
		if (b - a < 1)
			b = a + 1;
		struct sbuf *sb = &line[p->node >= 0 ? (unsigned)p->node % NCOLOURS : NCOLOURS];
		sb_printf(sb, "M%.1f %.1fH%.1f", a, ys(c, lane, p->remote), b);
		if (k + 1 < th->npts && th->pts[k + 1].remote >= 0 && th->pts[k + 1].node == p->node)
			sb_printf(sb, "V%.1f", ys(c, lane, th->pts[k + 1].remote));
	}
	for (size_t i = 0; i <= NCOLOURS; i++) {
		if (line[i].n)
			fprintf(f, "<path class=\"share\" stroke=\"%s\" d=\"%s\"/>\n", i < NCOLOURS ? node_colour[i] : UNKNOWN_COLOUR,
				line[i].s);
		free(line[i].s);
	}
}

/* The lane of the threads not drawn one by one: their mean remote share (of those with a known one). */
static void draw_rest_lane(FILE *f, const struct chart *c, size_t lane)
{
	double sum[AGG_BUCKETS] = {0};
	unsigned cnt[AGG_BUCKETS] = {0};
	const struct report *r = c->r;
	for (size_t k = c->single; k < r->nthreads; k++) {
		const struct report_thread *th = &r->threads[c->order[k]];
		double end = thread_end(c, th);
		size_t p = 0;
		double v = -1;
		for (unsigned b = 0; b < AGG_BUCKETS; b++) {
			double te = c->t_end * (b + 1) / AGG_BUCKETS;
			while (p < th->npts && th->pts[p].t <= te)
				v = th->pts[p++].remote;
			if (v >= 0 && (p > 0) && te - c->t_end / AGG_BUCKETS <= end) {
				sum[b] += v;
				cnt[b]++;
			}
		}
	}
	struct sbuf sb = {NULL, 0, 0};
	int open = 0;
	for (unsigned b = 0; b < AGG_BUCKETS; b++) {
		if (!cnt[b]) {
			open = 0;
			continue;
		}
		double y = ys(c, lane, sum[b] / cnt[b]);
		double a = xt(c, c->t_end * b / AGG_BUCKETS), e = xt(c, c->t_end * (b + 1) / AGG_BUCKETS);
		if (open)
			sb_printf(&sb, "V%.1fH%.1f", y, e);
		else
			sb_printf(&sb, "M%.1f %.1fH%.1f", a, y, e);
		open = 1;
	}
	if (sb.n)
		fprintf(f, "<path class=\"share rest\" stroke=\"#444444\" d=\"%s\"/>\n", sb.s);
	free(sb.s);
}

static void fmt_share(char *buf, size_t len, double s)
{
	if (s < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.0f%%", s * 100);
}

static void draw_marks(FILE *f, const struct chart *c)
{
	const struct report *r = c->r;
	for (size_t m = 0; m < r->nmarks; m++) {
		const struct report_mark *mk = &r->marks[m];
		const struct report_thread *th = &r->threads[mk->thread];
		size_t lane = c->lane_of[mk->thread];
		double x = xt(c, mk->t), top = c->top + (double)lane * LANE_H + 1;
		char share[16];
		fmt_share(share, sizeof(share), mk->remote);
		if (mk->kind == MARK_MIGRATION)
			fprintf(f, "<polygon class=\"mark migration\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\">",
				x, top, x + 5, top + 5, x, top + 10, x - 5, top + 5, colour(mk->to));
		else
			fprintf(f, "<polygon class=\"mark %s\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\">",
				mk->kind == MARK_SWAP ? "swap" : "move", x - 5, top, x + 5, top, x, top + 9, colour(mk->to));
		fprintf(f, "<title>%.3f s: tid %lld (", mk->t, th->tid);
		esc(f, th->comm, 64);
		fprintf(f, ") %s from node %d to node %d (remote %s)</title></polygon>\n",
			mk->kind == MARK_MIGRATION ? "pages migrated" : mk->kind == MARK_SWAP ? "swapped" : "moved", mk->from,
			mk->to, share);
	}
}

/* Frozen and unfixable threads: a cross in the mark strip (red: frozen, grey: unfixable). */
static void draw_flags(FILE *f, const struct chart *c)
{
	const struct report *r = c->r;
	for (size_t k = 0; k < r->nflags; k++) {
		const struct report_flag *fl = &r->flags[k];
		const struct report_thread *th = &r->threads[fl->thread];
		double x = xt(c, fl->t), y = c->top + (double)c->lane_of[fl->thread] * LANE_H + 5.5;
		fprintf(f, "<path class=\"flag %s\" d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"%s\"><title>%.3f s: tid %lld (",
			fl->unfixable ? "unfixable" : "frozen", x - 4, y - 4, fl->unfixable ? "#555555" : "#c00000", fl->t, th->tid);
		esc(f, th->comm, 64);
		fprintf(f, ") %s</title></path>\n", fl->unfixable ? "unfixable: no move within the plan helps" :
								  "frozen: it kept bouncing between nodes");
	}
}

/* Labels above the lanes for the vertical lines, each in the first row where it does not overlap. */
struct label_rows {
	double end[LABEL_ROWS];
};

static void vline(FILE *f, const struct chart *c, struct label_rows *lr, double t, const char *cls, const char *stroke,
		  const char *label, const char *title)
{
	double x = xt(c, t), bottom = c->top + (double)c->lanes * LANE_H;
	fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"><title>%s</title></line>\n",
		cls, x, c->top - 2, x, bottom, stroke, title);
	double w = 6.2 * (double)strlen(label) + 4, lx = x + 3;
	if (lx + w > SVG_W - 2)
		lx = x - 3 - w; /* at the right edge: to the left of its line */
	for (int row = 0; row < LABEL_ROWS; row++)
		if (lr->end[row] < lx) {
			fprintf(f, "<text class=\"vlabel\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n", lx,
				c->top - 5 - row * 13, stroke, label);
			lr->end[row] = lx + w;
			return;
		}
}

/* A round step for about 8 grid lines over span (a positive step for any span). */
static double nice_step(double span)
{
	double raw = span / 8;
	if (!(raw >= 1e-3) || !isfinite(raw))
		return raw > 0 && isfinite(raw) ? 1e-3 : 1;
	/* the power of ten at or below raw, counted (raw is within [1e-3, 1.25e8] here; no libm at run time) */
	double p = 1;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	double m = raw / p;
	return p * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10);
}

void report_write_svg(FILE *f, const struct report *r, int standalone)
{
	struct chart c;
	chart_init(&c, r);
	if (!standalone && c.single < c.lanes)
		fprintf(f, "<p>%zu threads have a lane each: the most moved, then the most remote, among those that moved, "
			"were busy or had a remote share; the other %zu threads share the last lane, which shows their mean "
			"remote share, and their moves are marked there.</p>\n", c.single, r->nthreads - c.single);
	/* The legend: nodes, then the marks and lines; wrapped to the width. */
	struct item {
		char text[64];
		int node;                 /* >= 0: a node's swatch; -1 move, -2 migration, -3 converged, -4 replan */
	} items[80];
	size_t ni = 0;
	for (size_t i = 0; i < c.nnodes; i++) {
		items[ni].node = c.nodes[i];
		snprintf(items[ni++].text, sizeof(items[0].text), "node %d", c.nodes[i]);
	}
	snprintf(items[ni].text, sizeof(items[0].text), "thread moved (fill: new node)");
	items[ni++].node = -1;
	snprintf(items[ni].text, sizeof(items[0].text), "pages migrated (fill: to node)");
	items[ni++].node = -2;
	if (r->nflags) {
		snprintf(items[ni].text, sizeof(items[0].text), "frozen / unfixable");
		items[ni++].node = -5;
	}
	snprintf(items[ni].text, sizeof(items[0].text), "converged");
	items[ni++].node = -3;
	snprintf(items[ni].text, sizeof(items[0].text), "replan");
	items[ni++].node = -4;
	double lx[80], ly[80], x = 10, y = 58;
	for (size_t i = 0; i < ni; i++) {
		double w = 26 + 6.6 * (double)strlen(items[i].text) + 14;
		if (x + w > SVG_W - 10) {
			x = 10;
			y += 18;
		}
		lx[i] = x;
		ly[i] = y;
		x += w;
	}
	c.top = y + 14 + LABEL_ROWS * 13 + 4;
	c.height = c.top + (double)c.lanes * LANE_H + 34;
	int H = (int)ceil(c.height);

	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<svg xmlns=\"http://www.w3.org/2000/svg\"", f);
	else
		fputs("<svg", f);
	fprintf(f, " class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\" "
		"font-size=\"12\" role=\"img\" aria-label=\"remote-memory share of each thread over time\">\n", SVG_W, H, SVG_W, H);
	fputs("<style>\n"
	      ".band{opacity:.2}\n"
	      ".share{fill:none;stroke-width:2}\n"
	      ".mark{stroke:#222;stroke-width:1}\n"
	      ".flag{stroke-width:2;fill:none}\n"
	      ".conv{stroke-width:1.5;stroke-dasharray:6 3}\n"
	      ".replan{stroke-width:1.2;stroke-dasharray:3 3}\n"
	      ".grid{stroke:#dddddd;stroke-width:1}\n"
	      ".vlabel{font-size:11px;font-weight:bold}\n"
	      ".lane-name{font-size:12px}\n"
	      ".lane-final{font-size:11px;fill:#333}\n"
	      ".tick{font-size:11px;fill:#333}\n"
	      ".scale{font-size:9px;fill:#666}\n"
	      "</style>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", SVG_W, H);
	fprintf(f, "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Remote-memory share of each thread over "
		"time</text>\n<text x=\"10\" y=\"34\" font-size=\"11\" fill=\"#444\">each lane: 0%% at its bottom, 100%% at its "
		"top; band and line in the colour of the node the thread runs on");
	if (c.single < c.lanes)
		fprintf(f, "; %zu threads apart, the other %zu together in the last lane", c.single, r->nthreads - c.single);
	fputs("</text>\n", f);
	for (size_t i = 0; i < ni; i++) {
		double ix = lx[i], iy = ly[i];
		fprintf(f, "<g class=\"legend\">");
		if (items[i].node >= 0)
			fprintf(f, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"12\" fill=\"%s\"/>", ix,
				iy - 10, colour(items[i].node));
		else if (items[i].node == -1)
			fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#ffffff\" stroke=\"#222\"/>", ix + 5,
				iy - 10, ix + 15, iy - 10, ix + 10, iy - 1);
		else if (items[i].node == -2)
			fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#ffffff\" stroke=\"#222\"/>",
				ix + 10, iy - 11, ix + 15, iy - 6, ix + 10, iy - 1, ix + 5, iy - 6);
		else if (items[i].node == -5)
			fprintf(f, "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"#c00000\" stroke-width=\"2\"/>", ix + 6, iy - 10);
		else
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\" stroke=\"%s\"/>", ix, iy - 5,
				ix + 20, iy - 5, items[i].node == -3 ? "conv" : "replan",
				items[i].node == -3 ? "#1a8a1a" : "#7b3fa0");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text></g>\n", ix + 26, iy, items[i].text);
	}
	if (c.other_nodes)
		fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"11\">(more nodes: their colours repeat)</text>\n", y + 16);

	/* Lanes: background, grid, content. */
	double bottom = c.top + (double)c.lanes * LANE_H;
	for (size_t l = 0; l < c.lanes; l++)
		fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", c.top + (double)l * LANE_H,
			SVG_W, LANE_H, l % 2 ? "#ffffff" : "#f3f3f3");
	double step = nice_step(c.t_end);
	/* counted, not summed: at most about 10 lines whatever the span */
	for (int i = 0; i <= 16; i++) {
		double t = i * step;
		if (t > c.t_end * 1.0001 && i > 0)
			break;
		double gx = xt(&c, t);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", gx, c.top, gx, bottom + 4);
		fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g s</text>\n", gx, bottom + 16, t);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>\n", X0, bottom, X1, bottom);
	if (c.lanes)
		fprintf(f, "<text class=\"scale\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">100%%</text>"
			"<text class=\"scale\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">0%%</text>\n", X0 - 3, ys(&c, 0, 1) + 3,
			X0 - 3, ys(&c, 0, 0) + 3);
	for (size_t l = 0; l < c.lanes; l++) {
		double ly0 = c.top + (double)l * LANE_H;
		if (l < c.single) {
			const struct report_thread *th = &r->threads[c.order[l]];
			draw_thread_lane(f, &c, l, th);
			fprintf(f, "<text class=\"lane-name\" x=\"8\" y=\"%.1f\"><tspan font-weight=\"bold\">%lld</tspan> ",
				ly0 + LANE_H / 2 + 4, th->tid);
			esc(f, th->comm, 20);
			fputs("</text>\n", f);
			char share[16];
			fmt_share(share, sizeof(share), th->remote);
			fprintf(f, "<text class=\"lane-final\" x=\"%d\" y=\"%.1f\">", X1 + 8, ly0 + LANE_H / 2 + 4);
			if (th->node >= 0)
				fprintf(f, "node %d", th->node);
			else
				fputs("node ?", f);
			if (th->cpu >= 0)
				fprintf(f, " \xc2\xb7 cpu %d", th->cpu);
			fprintf(f, " \xc2\xb7 %s", share);
			if (th->moves)
				fprintf(f, " \xc2\xb7 %u mv", th->moves);
			fputs("</text>\n", f);
		} else {
			draw_rest_lane(f, &c, l);
			fprintf(f, "<text class=\"lane-name\" x=\"8\" y=\"%.1f\" font-style=\"italic\">%zu other threads (mean)</text>\n",
				ly0 + LANE_H / 2 + 4, r->nthreads - c.single);
			unsigned moves = 0;
			for (size_t k = c.single; k < r->nthreads; k++)
				moves += r->threads[c.order[k]].moves;
			fprintf(f, "<text class=\"lane-final\" x=\"%d\" y=\"%.1f\">%u moves among them</text>\n", X1 + 8,
				ly0 + LANE_H / 2 + 4, moves);
		}
	}
	struct label_rows lr = {{0, 0, 0}};
	for (size_t i = 0; i < LABEL_ROWS; i++)
		lr.end[i] = X0 - 4;
	char label[64], title[128];
	if (r->converged_t >= 0) {
		snprintf(label, sizeof(label), "converged %.1f s", r->converged_t);
		snprintf(title, sizeof(title), "converged at %.3f s", r->converged_t);
		vline(f, &c, &lr, r->converged_t, "conv", "#1a8a1a", label, title);
	}
	for (size_t i = 0; i < r->nreplans; i++) {
		const struct report_replan *rp = &r->replans[i];
		snprintf(label, sizeof(label), "%s", rp->quota ? "quota" : rp->ok ? "replan" : "replan failed");
		snprintf(title, sizeof(title), "%.3f s: %s%s", rp->t, rp->quota ? "the CPU quota changed" : "the cpuset changed: planned again",
			 rp->ok ? "" : " (nothing could be planned)");
		vline(f, &c, &lr, rp->t, "replan", "#7b3fa0", label, title);
	}
	draw_marks(f, &c);
	draw_flags(f, &c);
	fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">time since the start</text>\n", X1,
		bottom + 30);
	fputs("</svg>\n", f);
	chart_free(&c);
}

static void row_str(FILE *f, const char *name, const char *value)
{
	fprintf(f, "<tr><th>%s</th><td>", name);
	esc_text(f, value ? value : "\xe2\x80\x94");
	fputs("</td></tr>\n", f);
}

void report_write_html(FILE *f, const struct report *r, const char *title)
{
	char buf[256];
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	fputs("<meta name=\"generator\" content=\"numarun " PACKAGE_VERSION "\">\n<title>numarun report: ", f);
	esc_text(f, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:\"DejaVu Sans\",Verdana,sans-serif;font-size:14px;color:#111;background:#fff;margin:16px 24px}\n"
	      "h1{font-size:22px;margin:0 0 4px}\nh2{font-size:17px;margin:22px 0 8px}\n"
	      "p.src{color:#444;margin:0 0 12px}\n"
	      "table{border-collapse:collapse}\nth,td{padding:3px 10px;text-align:left;border-bottom:1px solid #ddd}\n"
	      "table.run th{font-weight:normal;color:#444}\n"
	      "table.threads th{background:#eee}\ntable.threads td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	      ".sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:baseline}\n"
	      ".note{color:#8a4b00}\n.chart{max-width:100%;height:auto}\n"
	      "</style>\n</head>\n<body>\n<h1>numarun report</h1>\n<p class=\"src\">events: ", f);
	esc_text(f, title);
	fprintf(f, " (%lu lines, %lu events)</p>\n", r->lines, r->events);
	if (!r->have_exit)
		fputs("<p class=\"note\">No exit event: the run was cut short (or is still running); the final values are "
		      "the last seen.</p>\n", f);
	if (r->truncated)
		fputs("<p class=\"note\">The last line was incomplete and is left out.</p>\n", f);
	if (r->skipped) {
		fprintf(f, "<p class=\"note\">%lu event%s of kinds this numarun does not know skipped: ", r->skipped,
			r->skipped == 1 ? "" : "s");
		esc_text(f, r->skipped_names);
		fputs(".</p>\n", f);
	}

	fputs("<h2>Run</h2>\n<table class=\"run\">\n", f);
	snprintf(buf, sizeof(buf), "%.3f s", r->t_end);
	row_str(f, "duration", buf);
	if (r->pid >= 0) {
		snprintf(buf, sizeof(buf), "%lld", r->pid);
		row_str(f, "program's PID", buf);
	}
	if (r->have_exit && r->status >= 0) {
		if (r->signal >= 0)
			snprintf(buf, sizeof(buf), "%lld (signal %lld)", r->status, r->signal);
		else
			snprintf(buf, sizeof(buf), "%lld", r->status);
		row_str(f, "exit status", buf);
	}
	row_str(f, "source", r->have_start ? (r->source ? r->source : "none (threads placed, not monitored)") : NULL);
	row_str(f, "action", r->action);
	if (r->threshold >= 0) {
		snprintf(buf, sizeof(buf), "%.0f%% remote", r->threshold * 100);
		row_str(f, "threshold", buf);
	}
	if (r->interval_ms >= 0) {
		snprintf(buf, sizeof(buf), "%g ms", r->interval_ms);
		row_str(f, "interval", buf);
	}
	row_str(f, "CPUs", r->cpus);
	row_str(f, "nodes", r->nodes);
	row_str(f, "memory", r->memory);
	row_str(f, "thread placement", r->placement);
	snprintf(buf, sizeof(buf), "%zu", r->nthreads);
	row_str(f, "threads", buf);
	unsigned long moves = 0, migrations = 0;
	for (size_t m = 0; m < r->nmarks; m++) {
		if (r->marks[m].kind == MARK_MIGRATION)
			migrations++;
		else
			moves++;
	}
	if (r->have_exit && r->exit_moves >= 0)
		snprintf(buf, sizeof(buf), "%lld", r->exit_moves);
	else
		snprintf(buf, sizeof(buf), "%lu", moves);
	row_str(f, "thread moves", buf);
	if (r->have_exit && r->exit_migrations >= 0)
		snprintf(buf, sizeof(buf), "%lld", r->exit_migrations);
	else
		snprintf(buf, sizeof(buf), "%lu", migrations);
	row_str(f, "memory migrations", buf);
	if (r->converged_t >= 0)
		snprintf(buf, sizeof(buf), "%.3f s", r->converged_t);
	else
		snprintf(buf, sizeof(buf), "%s", r->have_exit ? "never" : "not (yet)");
	row_str(f, "converged at", buf);
	snprintf(buf, sizeof(buf), "%zu", r->nreplans);
	row_str(f, "replans", buf);
	if (r->have_exit && r->ticks >= 0) {
		snprintf(buf, sizeof(buf), "%lld", r->ticks);
		row_str(f, "monitor intervals", buf);
	}
	fputs("</table>\n", f);

	fputs("<h2>Timeline</h2>\n", f);
	report_write_svg(f, r, 0);

	fputs("<h2>Threads</h2>\n<table class=\"threads\">\n<thead><tr><th>TID</th><th>name</th><th>owner</th>"
	      "<th>node</th><th>CPU</th><th>remote</th><th>moves</th><th>migrations</th><th>state</th></tr></thead>\n<tbody>\n", f);
	size_t *order;
	report_rank(r, &order);
	size_t rows = r->nthreads < REPORT_ROWS ? r->nthreads : REPORT_ROWS;
	for (size_t k = 0; k < rows; k++) {
		const struct report_thread *th = &r->threads[order[k]];
		char share[16];
		fmt_share(share, sizeof(share), th->remote);
		fprintf(f, "<tr class=\"thread\"><td class=\"n\">%lld</td><td>", th->tid);
		esc(f, th->comm, 64);
		fprintf(f, "</td><td>%s</td><td>", th->owner ? th->owner : "\xe2\x80\x94");
		if (th->node >= 0)
			fprintf(f, "<span class=\"sw\" style=\"background:%s\"></span>%d", colour(th->node), th->node);
		else
			fputs("\xe2\x80\x94", f);
		fputs("</td><td class=\"n\">", f);
		if (th->cpu >= 0)
			fprintf(f, "%d", th->cpu);
		else
			fputs("\xe2\x80\x94", f);
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td>%s</td></tr>\n", share,
			th->moves, th->migrations,
			th->frozen ? "frozen" : r->have_exit && !th->in_exit ? "ended" : th->busy ? "busy" : "");
	}
	fputs("</tbody>\n</table>\n", f);
	if (rows < r->nthreads) {
		unsigned long more_moves = 0;
		for (size_t k = rows; k < r->nthreads; k++)
			more_moves += r->threads[order[k]].moves;
		fprintf(f, "<p>%zu more threads, not listed (the least moved and least remote): %lu moves among them.</p>\n",
			r->nthreads - rows, more_moves);
	}
	free(order);
	fputs("</body>\n</html>\n", f);
}

/* ---- the subcommand ---- */

static int write_page(FILE *f, const struct report *r, int svg, const char *title)
{
	if (svg)
		report_write_svg(f, r, 1);
	else
		report_write_html(f, r, title);
	errno = 0;
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}

/* Not a regular file (a device, a FIFO, /dev/stdout): written in place, as there is nothing to rename
 * over (the events were all read and checked before). Returns 0, or -1 said. */
static int write_special(const char *path, const struct report *r, int svg, const char *title)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		log_error("%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	int bad = write_page(f, r, svg, title) < 0;
	int e = errno ? errno : EIO;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad)
		log_error("%s: cannot write: %s", path, strerror(e));
	return bad ? -1 : 0;
}

/* Write the report to name through a temporary file in its directory, renamed over it once whole:
 * nothing is left behind by a failure. Returns 0, or -1 said. */
static int write_regular(const char *path, const struct report *r, int svg, const char *title);
static int write_file(const char *name, const struct report *r, int svg, const char *title)
{
	struct stat st;
	if (stat(name, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_special(name, r, svg, title);
	/* A symbolic link stays one: its target is replaced. */
	char *real = lstat(name, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(name, NULL) : NULL;
	const char *path = real ? real : name;
	int rc = write_regular(path, r, svg, title);
	free(real);
	return rc;
}

static int write_regular(const char *path, const struct report *r, int svg, const char *title)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp) {
		log_error("out of memory");
		return -1;
	}
	snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		log_error("%s: cannot write: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	FILE *f = fdopen(fd, "w");
	if (!f || fchmod(fd, 0666 & ~mask) != 0) {
		log_error("%s: cannot write: %s", path, strerror(errno));
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	int bad = write_page(f, r, svg, title) < 0 || fsync(fd) != 0;
	int e = errno ? errno : EIO;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad && rename(tmp, path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		log_error("%s: cannot write: %s", path, strerror(e));
		unlink(tmp);
	}
	free(tmp);
	return bad ? -1 : 0;
}

int report_run(const struct opts *o)
{
	const char *in = o->argc > 0 ? o->argv[0] : "-";
	int stdin_in = strcmp(in, "-") == 0;
	const char *name = stdin_in ? "(standard input)" : in;
	FILE *f = stdin_in ? stdin : fopen(in, "re");
	if (!f) {
		log_error("%s: cannot read: %s", in, strerror(errno));
		return EXIT_FAILURE_NUMARUN;
	}
	struct report r;
	char cause[1024];
	report_init(&r);
	int rc = report_read(&r, f, name, cause, sizeof(cause));
	if (!stdin_in)
		fclose(f);
	if (rc < 0) {
		log_error("%s", cause);
		report_free(&r);
		return rc == -2 ? EXIT_USAGE : EXIT_FAILURE_NUMARUN;
	}
	if (r.skipped)
		log_info("%s: %lu event%s of kinds this numarun does not know skipped: %s", name, r.skipped,
			 r.skipped == 1 ? "" : "s", r.skipped_names);
	log_info("%s: %lu events, %zu threads, %zu moves and migrations", name, r.events, r.nthreads, r.nmarks);
	const char *title = stdin_in ? "standard input" : in;
	const char *slash = strrchr(title, '/');
	if (slash && slash[1])
		title = slash + 1;
	int out = 0;
	if (o->output && strcmp(o->output, "-") != 0) {
		out = write_file(o->output, &r, o->svg, title) < 0 ? EXIT_FAILURE_NUMARUN : 0;
	} else {
		if (o->svg)
			report_write_svg(stdout, &r, 1);
		else
			report_write_html(stdout, &r, title);
		errno = 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			log_error("writing the report to standard output: %s", errno ? strerror(errno) : "write error");
			out = EXIT_FAILURE_NUMARUN;
		}
	}
	report_free(&r);
	return out;
}
