/* monitor.h - per tick: enumerate threads, place new ones, sample, decide (balance), act, log events. */
#ifndef NUMARUN_MONITOR_H
#define NUMARUN_MONITOR_H

#include <stdio.h>
#include <sys/types.h>
#include "balance.h"
#include "events.h"
#include "owner.h"
#include "plan.h"
#include "policy.h"
#include "slots.h"
#include "source.h"
#include "threads.h"
#include "topology.h"

struct mthread {
	pid_t pid, tid;           /* reached as /proc/<pid>/task/<tid> */
	unsigned long long start_ticks; /* stat field 22, 0 unknown: with pid and tid, the thread table's key */
	char comm[64];
	int slot;                 /* index into the plan's CPU order (m->slots), -1 unpinned */
	int excluded;             /* a rule leaves it unpinned */
	int rule_nodes;           /* index of the rule that placed it, -1 */
	enum thread_owner owner;  /* who decided its CPU mask: numarun, or the program (left alone) */
	hwloc_bitmap_t set_mask;  /* the mask numarun set on it (as the kernel reports it), NULL: none */
	long epoch;               /* its entry in the owner log, -1 */
	double start;             /* when it started (CLOCK_BOOTTIME seconds), -1 unknown */
	pid_t creator;            /* the process of the thread that created it (owner_classify), 0 unknown */
	unsigned long long run_ns;
	int schedstat_fd;         /* kept open: pread instead of open/read/close (-1: not, near the fd limit) */
	unsigned long read_tick;  /* the tick of its last CPU-time reading */
	int hot;                  /* read every tick for this many more ticks: new, or busy lately */
	int due;                  /* read this tick */
	int busy_said;            /* the busy event was written */
	int seen;                 /* CPU time read: 1 once (its name is read again next tick), 2 after */
	int announced;            /* classified, placed and reported (thread_new) */
	int sample_said;          /* a sample event was written; said_* are its values */
	int said_node;
	double said_remote;
	struct source_thread src;
	struct thread_sample last;
};

/* What the exit event reports of a thread that ended before the target. */
struct mdeparted {
	pid_t tid;
	char comm[64];
	int node, cpu;            /* OS indexes, -1 unknown */
	double remote;
	int remote_valid;
	unsigned moves;
	int frozen;
	int owner;                /* enum thread_owner */
};

#define MONITOR_MAX_DEPARTED 256
/* Ticks a thread is read every tick after it was new or busy; then every threads_idle_period() ticks. */
#define MONITOR_HOT_TICKS 3
/* A sample event is written when a thread's remote share moved this much since the last one written. */
#define MONITOR_SAMPLE_STEP 0.05

struct monitor {
	const struct topo *t;     /* main's, or own_topo after a re-plan */
	const struct plan *pl;
	struct topo *own_topo;    /* after a re-plan: ours to free */
	struct plan *own_plan;
	hwloc_bitmap_t seen_cpus, seen_nodes; /* the allowed sets the plan was made for (NULL: not followed) */
	hwloc_bitmap_t now_cpus, now_nodes;   /* scratch */
	unsigned long replans;
	double quota;             /* the CPU quota (CPUs) the plan was made under, 0 none; -1 not followed */
	unsigned long quota_tick; /* when it was last read */
	double quota_was;         /* the quota the last replan event reported, 0 none */
	const struct policy *p;
	pid_t pid;                /* the target */
	struct source src;
	int sampling;             /* measuring (monitor on), not only placing */
	struct bal_config bc;
	struct bal_world bw;
	size_t n, cap;
	struct mthread *th;
	struct bal_thread *bt;
	struct slots slots;       /* the plan's CPUs and the threads numarun pinned to each */
	unsigned *free_now;       /* per node index: free slots, counted from m->slots for the balancer */
	unsigned *node_slots;     /* per node index: the plan's CPU slots there */
	unsigned char *mem_ok;    /* per node index: the memory policy lets pages be migrated there */
	unsigned char *best_in;   /* per node OS index: a thread's memory is judged to be on one of these */
	int *cpu_node;            /* node index of each CPU (OS index), -1 */
	unsigned ncpu_node;
	hwloc_bitmap_t *rule_sets;/* per rule: node set (node indexes), NULL for exclude rules */
	hwloc_bitmap_t launch_mask; /* the CPUs the target was launched with */
	hwloc_bitmap_t mask;      /* scratch: a thread's mask as read this tick */
	struct owner_log olog;    /* the masks numarun set, for telling inherited masks from the program's */
	double list_at, prev_list_at; /* when the task list was read, this tick and the one before */
	int task_fd;              /* /proc/<target>/task, kept: its link count is its threads + 2 */
	int lastpid_fd;           /* /proc/sys/kernel/ns_last_pid, kept */
	long last_pid, pid_max;   /* the PID counter at the last tick (-1 unknown), and where it comes round */
	struct pid_range range;   /* the PIDs handed out since the tick before */
	int kept_last;            /* the last listing carried threads over unread */
	int hold_below;           /* schedstat descriptors are kept only below this number (the fd limit less
				   * a reserve for listings, events and the sources) */
	double clk_tck;           /* start times' resolution, seconds */
	unsigned long released;   /* threads the program pinned (at first sight or later): left alone */
	struct events ev;         /* --events */
	int list_warned;          /* a task list that could not be read was said */
	double t0;
	unsigned long moves, migrations, ticks;
	struct {
		unsigned long tick;
		pid_t pid;
		int from, to;
	} last_migration;         /* the process-wide migration done this tick, not to repeat it */
	int converged;
	double converged_at;
	char degraded[1200];      /* what the kernel refused and the monitor works without, "" */
	const char *save_path;
	int saved;
	struct mdeparted departed[MONITOR_MAX_DEPARTED]; /* the last threads that ended, ring */
	unsigned ndeparted, departed_head;
	int attached;             /* numarun attach: the target is not numarun's child */
	const char *end;          /* attached: how it ended for the exit event ("ended", "detached"), NULL */
};

/*
 * Prepare monitoring of a plan: slots, rules (checked against the plan), the metric source (which it
 * reports, with why better ones are unavailable). Before the target starts. Returns 0, or -1 with cause
 * (exit status 2: a rule or source the plan cannot honour).
 */
int monitor_init(struct monitor *m, const struct topo *t, const struct plan *pl, const struct policy *p,
		 const char *events_path, const char *save_path, char *cause, size_t causelen);
/* The target started: remember it, log "start". */
void monitor_start(struct monitor *m, pid_t pid);
/* One interval's work. Returns 0, or -errno when the target's task list cannot be read (it is gone). */
int monitor_tick(struct monitor *m);
/* The target ended with wait status: log "exit", print the summary with -v, release everything. Attached
 * (m->attached), the status is not known: the exit event says m->end instead. */
void monitor_finish(struct monitor *m, int status);

#endif
