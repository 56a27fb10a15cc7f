/* source.h - per-thread remote-memory share from PMU counters, NUMA hinting faults or page placement. */
#ifndef NUMARUN_SOURCE_H
#define NUMARUN_SOURCE_H

#include <stddef.h>
#include <sys/types.h>
#include "policy.h"

struct source {
	enum source_kind kind;    /* the one in use: PMU, FAULTS or PAGES */
	char why[768];            /* why the better ones are unavailable */
	unsigned maxnode;         /* node OS indexes are < maxnode */
	unsigned long *pages;     /* process page placement per node (PAGES, and PMU for the target) */
	unsigned long pages_total;
	double pages_at, pages_cost; /* when numa_maps was last read, and its CPU cost (seconds) */
	pid_t pages_pid;
	unsigned long *faults;    /* scratch, FAULTS */
	long scan_seq;            /* the process's mm->numa_scan_seq, FAULTS; -1 otherwise */
	const unsigned char *best_in; /* per node OS index: may be a thread's best node (the memory policy's
				       * nodes); NULL: any node */
	int pmu_type;             /* PERF_TYPE_RAW */
	int pmu_refused;          /* perf_event_open was refused (EPERM, EACCES): permissions, not hardware */
	unsigned long long pmu_cfg[2]; /* local, remote DRAM loads */
};

/* Per-thread state a source keeps (PMU file descriptors). */
struct source_thread {
	int fd[2];
	unsigned long long last[2];
};

struct thread_sample {
	int valid;                /* enough events to judge */
	double remote;            /* remote share 0..1 */
	int best_node;            /* OS index of the node holding most of its memory, -1 */
	unsigned long events;     /* faults, pages or loads behind the figure */
};

/*
 * Choose the source: want (auto: the best available) for process pid. Fills s->why with the reasons the
 * better ones are unavailable. Returns 0, or -1 with cause when the source asked for cannot work here.
 */
int source_choose(struct source *s, enum source_kind want, unsigned maxnode, char *cause, size_t causelen);
/* Once per tick for each process: read what is process-wide (page placement). numa_maps walks every
 * mapping under the mmap lock, so it is read again only when its last cost stays under 0.1% of the time
 * since (the placement of pages changes slowly). Returns 0 or -errno. */
int source_sample_process(struct source *s, pid_t pid);
/* One thread; node is the OS index of the node it runs on. Returns 0 or -errno (-ENOENT/-ESRCH: gone). */
int source_sample_thread(struct source *s, pid_t pid, pid_t tid, int node, struct source_thread *st,
			 struct thread_sample *out);
/* Initialise / release a thread's source state. */
void source_thread_init(struct source_thread *st);
void source_thread_close(struct source_thread *st);
/* Release the source. */
void source_free(struct source *s);
/* The same, with the best node chosen among the nodes best_in marks (NULL: any). */
unsigned long source_share_in(const unsigned long *per_node, unsigned maxnode, int node, const unsigned char *best_in,
			      double *remote, int *best);
/* The first CPU's vendor_id ("" when absent) and cpu family (-1) from /proc/cpuinfo text. */
void source_parse_cpuinfo(const char *text, char *vendor, size_t len, int *family);
/* Remote share and best node from per-node counts (pure). Returns the total. */
unsigned long source_share(const unsigned long *per_node, unsigned maxnode, int node, double *remote, int *best);

#endif
