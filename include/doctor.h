/* doctor.h - numarun doctor: observe a process for a while (changing nothing about it) and say what slows
 * it down, worst first, with the figures behind each finding and where they were read. */
#ifndef NUMARUN_DOCTOR_H
#define NUMARUN_DOCTOR_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "plan.h"
#include "policy.h"

/* Exit status of numarun doctor when a finding is a problem (numarun(1), EXIT STATUS). */
#define EXIT_DOCTOR_PROBLEM 3

enum doctor_severity { DOCTOR_INFO, DOCTOR_WARNING, DOCTOR_PROBLEM };

/* Thresholds (numarun(1), DOCTOR). */
#define DOCTOR_THROTTLE_PROBLEM 0.25   /* share of the window's periods throttled (Kubernetes' CPUThrottlingHigh) */
#define DOCTOR_THROTTLE_WARNING 0.05
#define DOCTOR_FD_PROBLEM 0.90         /* open descriptors / RLIMIT_NOFILE */
#define DOCTOR_FD_WARNING 0.75
#define DOCTOR_SYSCALL_RATE 10000.0    /* read/write-family calls per second of one thread: warning */
#define DOCTOR_SYSCALL_RATE_PROBLEM 100000.0
#define DOCTOR_SYSCALL_SMALL 64.0      /* bytes per call below which the calls are "small" */
#define DOCTOR_REMOTE_PROBLEM 0.50     /* busy threads' share of memory on other nodes */
#define DOCTOR_REMOTE_WARNING 0.20

#define DOCTOR_MAX_EVIDENCE 24
#define DOCTOR_MAX_FINDINGS 16
#define DOCTOR_MAX_NOTES 12

/* One figure behind a finding, and where it came from. */
struct doctor_evidence {
	char key[48];
	int is_num;
	double num;
	int decimals;
	char str[512];            /* the value when it is not a number */
	char unit[24];            /* "", "%", "s", "calls/s"... */
	char source[512];         /* the file it was read from (or how it was worked out) */
};

struct doctor_finding {
	const char *id;           /* "throttling", "gomaxprocs", "fd_limit", "syscalls", "cgo", "numa_remote",
				   * "numa_balancing", "thp" */
	enum doctor_severity severity;
	char summary[768];
	struct doctor_evidence ev[DOCTOR_MAX_EVIDENCE];
	size_t nev;
	char fix[768];            /* "" when there is none */
};

struct doctor_report {
	pid_t pid;
	char comm[64];
	double duration;          /* asked for */
	double observed;          /* the window measured (shorter when a launched command exited) */
	int launched;             /* doctor launched the command */
	int exited;               /* it exited within the window; wait status in status */
	int status;
	int ended;                /* doctor ended it after the window: the signal that did (SIGTERM, SIGKILL) */
	struct doctor_finding f[DOCTOR_MAX_FINDINGS];
	size_t nf;
	char notes[DOCTOR_MAX_NOTES][512]; /* what could not be checked and why */
	size_t nnotes;
};

/* ---- pure parts (unit-tested) ---- */

const char *doctor_severity_name(enum doctor_severity s);
/* The rank of a finding id in the documented order (unknown ids last). */
int doctor_id_rank(const char *id);
/* Sort findings: problem, warning, info, then by the id's rank, stable. */
void doctor_sort(struct doctor_report *r);
/* The severity for these window deltas, or -1 for no finding (nothing throttled). */
int doctor_classify_throttling(long long periods, long long throttled);
/* For open descriptors against the limit that applies (<= 0: unlimited), or -1. */
int doctor_classify_fds(long open_fds, long long limit);
/* For one thread's read/write-family calls per second and bytes per call, or -1. */
int doctor_classify_syscalls(double calls_per_s, double bytes_per_call);
/* For the GOMAXPROCS a Go program uses against the CPUs it may use (affinity, lowered to its quota rounded
 * up); managed: the runtime sizes it itself. -1 when nothing to say. */
int doctor_classify_gomaxprocs(long value, long usable, int managed);
/* For the busy threads' remote share of memory, or -1. */
int doctor_classify_remote(double remote);

/* "Max open files" of /proc/PID/limits: soft and hard, -1 for unlimited. Returns 0 or -1. */
int doctor_parse_limits_nofile(const char *text, long long *soft, long long *hard);

struct doctor_task_io {
	unsigned long long rchar, wchar, syscr, syscw;
};
/* /proc/PID/task/TID/io. Returns 0, or -1 when a field is missing. */
int doctor_parse_task_io(const char *text, struct doctor_task_io *io);

struct doctor_status {
	pid_t tgid;               /* -1 when absent */
	long threads;             /* -1 */
	char cpus_allowed[4096];  /* Cpus_allowed_list, "" */
	long long vcs, nvcs;      /* voluntary_ctxt_switches, nonvoluntary_ctxt_switches; -1 */
	int thp_enabled;          /* THP_enabled: 0 or 1; -1 when absent (kernels before 5.0) */
};
/* /proc/PID/status (or task/TID/status). Returns 0, or -1 when it is not a status file. */
int doctor_parse_status(const char *text, struct doctor_status *st);
/* The number of CPUs in a list such as "0-3,8" (-1 when malformed). */
long doctor_cpulist_count(const char *list);

/* /proc/PID/task/TID/syscall: 1 blocked in system call *nr with the user stack pointer and program
 * counter; 0 not in a system call ("-1 SP PC": *nr -1, sp and pc set) ; 2 "running" (on a CPU: unknown);
 * -1 malformed. */
int doctor_parse_syscall(const char *text, long *nr, unsigned long long *sp, unsigned long long *pc);
/* The selected value of a sysfs choice ("always [madvise] never" -> "madvise"); "" when none. */
void doctor_sysfs_choice(const char *text, char *out, size_t len);

/* Add a finding; NULL when the report is full. */
struct doctor_finding *doctor_add(struct doctor_report *r, const char *id, enum doctor_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void doctor_ev_num(struct doctor_finding *f, const char *key, double v, int decimals, const char *unit, const char *source);
void doctor_ev_str(struct doctor_finding *f, const char *key, const char *v, const char *source);
void doctor_note(struct doctor_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the report: text (verbosity 0: the findings' lines only; 2 and more: the notes too), or JSON. */
void doctor_print_text(FILE *f, const struct doctor_report *r, int verbosity);
void doctor_print_json(FILE *f, const struct doctor_report *r);
/* 0, or EXIT_DOCTOR_PROBLEM when a finding is a problem. */
int doctor_exit_status(const struct doctor_report *r);

/* ---- observing ---- */

/* Observe process pid for duration seconds and print the report on standard output. Returns the exit
 * status: 0, EXIT_DOCTOR_PROBLEM, EXIT_USAGE (no such process), EXIT_FAILURE_NUMARUN. */
int doctor_run(pid_t pid, double duration, int json, int verbosity);
/* Launch path/argv as a plain launch would (the plan's binding and environment), observe it, end it after
 * the window (SIGTERM, then SIGKILL after a grace) unless it exited first. Same returns, or the launch's
 * 126/127 when the command cannot be executed. */
int doctor_launch(const struct plan *pl, const struct policy *p, const char *path, char *const argv[], double duration,
		  int json, int verbosity);

#endif
