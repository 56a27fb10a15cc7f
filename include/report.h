/* report.h - numarun report: an --events stream read back (report_feed_line), gathered per thread, and
 * written as a self-contained HTML page or a standalone SVG chart (numarun(1), REPORT). */
#ifndef NUMARUN_REPORT_H
#define NUMARUN_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct opts;

/* Threads drawn in a lane of their own; the others share the last lane. */
#define REPORT_LANES 24
/* Threads listed in the table; the others are counted below it. */
#define REPORT_ROWS 500
/* The latest "t" an event may have (seconds: about 31 years); later ones are bad input. */
#define REPORT_MAX_T 1e9

enum report_mark_kind { MARK_MOVE, MARK_SWAP, MARK_MIGRATION };

/* A thread's known state at a time: its node (-1 unknown) and remote share (-1 unknown). */
struct report_point {
	double t;
	double remote;
	int node;
};

struct report_thread {
	long long tid, pid;
	char *comm;
	int node, cpu;            /* last known: OS indexes, -1 unknown */
	double remote;            /* last known remote share, -1 unknown */
	double max_remote;        /* the highest seen, -1 none */
	const char *owner;        /* "numarun", "program", NULL: neither pinned it */
	unsigned moves;           /* thread moves (the exit event's count where there is one) */
	unsigned migrations;      /* memory migrations on its account */
	int frozen;
	int busy;                 /* judged busy once */
	int in_exit;              /* listed in the exit event */
	double first_t;
	struct report_point *pts;
	size_t npts, cap;
};

struct report_mark {
	double t;
	enum report_mark_kind kind;
	size_t thread;            /* index into threads */
	int from, to;
	double remote;
};

/* A thread frozen (it kept bouncing) or unfixable (no move within the plan helps), at a time. */
struct report_flag {
	double t;
	size_t thread;
	int unfixable;
};

struct report_replan {
	double t;
	int ok;
	int quota;                /* a CPU quota change, not a cpuset one */
};

struct report {
	struct report_thread *threads;
	size_t nthreads, cap_threads;
	size_t *hash;             /* open addressing by tid: index + 1, 0 empty */
	size_t hash_cap;
	struct report_mark *marks;
	size_t nmarks, cap_marks;
	struct report_flag *flags;
	size_t nflags, cap_flags;
	struct report_replan *replans;
	size_t nreplans, cap_replans;
	double t_end;             /* the last event's time */
	double converged_t;       /* the first converged event's, -1 none */
	unsigned converged_n;
	/* start */
	int have_start;
	long long pid;
	char *source, *action, *cpus, *nodes, *memory, *placement;
	double threshold, interval_ms;
	/* exit */
	int have_exit;
	long long status, signal, ticks, exit_moves, exit_migrations, exit_replans;
	int exit_converged;
	/* reading */
	unsigned long lines, events, skipped, truncated;
	char skipped_names[256];  /* the unknown events met, for -v */
};

void report_init(struct report *r);
void report_free(struct report *r);
/* Take one event line (without its newline). Returns 0; 1 when it is an event this version does not
 * know (skipped); -1 with in cause why the line is bad ("not a JSON object", "move: 'tid' is not a
 * number"...). */
int report_feed_line(struct report *r, const char *line, size_t len, char *cause, size_t causelen);
/* Read a whole stream: name for the messages. A last line without its newline that does not parse is
 * taken as cut short (warned, r->truncated). Returns 0, -2 bad input (cause: "name:LINE: ..."), or -1
 * a read error (cause). */
int report_read(struct report *r, FILE *f, const char *name, char *cause, size_t causelen);

/* The order threads are shown in: the most moved first, then the most remote, then by TID. *order
 * is malloc'd, of r->nthreads entries. */
void report_rank(const struct report *r, size_t **order);

/* Write the chart as SVG (standalone: with the XML declaration and namespace), or the whole page. */
void report_write_svg(FILE *f, const struct report *r, int standalone);
void report_write_html(FILE *f, const struct report *r, const char *title);

/* numarun report: returns the exit status (0, 1 I/O failure, 2 bad input). */
int report_run(const struct opts *o);

#endif
