/* privs.h - what the kernel lets numarun do here: capabilities, the seccomp filter, refused system calls,
 * and the capabilities a resident numarun keeps after the launch (all others are dropped). */
#ifndef NUMARUN_PRIVS_H
#define NUMARUN_PRIVS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "policy.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/* Facts read once on this system (cheap: /proc/self/status and libcap; no probing). */
struct privs {
	int known;                /* read on this system */
	int seccomp;              /* Seccomp: 0 none, 1 strict, 2 filter; -1 unknown */
	int no_new_privs;         /* NoNewPrivs: */
	uint64_t eff, prm, inh, bnd, amb; /* capability sets as bit masks (bit N: capability N) */
	unsigned last_cap;        /* highest capability number this kernel knows */
	unsigned euid;
	int perf_paranoid;        /* kernel.perf_event_paranoid, -99 unknown */
};

/* A capability a resident numarun keeps, and for which of its chosen actions. */
struct privs_need {
	int cap;
	char why[200];
};

#define PRIVS_MAX_NEED 8

/* Read our capability sets and seccomp mode. */
void privs_read(struct privs *pv);
/* The Seccomp:, NoNewPrivs: and Cap*: lines of /proc/<pid>/status text into pv (absent ones: -1 for
 * seccomp, 0 otherwise). */
void privs_parse_status(const char *text, struct privs *pv);
/* Another process's permitted capability set; all bits when it cannot be read. */
uint64_t privs_permitted_of(pid_t pid);
/* "CAP_SYS_NICE" (libcap's name upper-cased), into buf. */
const char *privs_cap_name(int cap, char *buf, size_t len);
/* Is cap in the effective set? */
int privs_holds(const struct privs *pv, int cap);
/*
 * Why call was refused with errno err, and the fix, into buf: a seccomp refusal (filter on, and either no
 * capability was needed or it is held) is told apart from a missing capability (needed_cap >= 0 and not
 * held). Returns buf.
 */
const char *privs_explain(const struct privs *pv, const char *call, int err, int needed_cap, char *buf,
			  size_t len);
/* Did err come from a refusal (EPERM, EACCES, or ENOSYS under a seccomp filter) rather than bad input? */
int privs_refused(const struct privs *pv, int err);

/* The target may end up as another user than numarun's (root with CAP_SETUID in its bounding set, or
 * CAP_SETUID ambient): then the kernel asks numarun for capabilities to signal, pin and read it. */
int privs_target_may_switch_user(const struct privs *pv);
/*
 * The capabilities a resident numarun needs after the launch for what the policy chose (signal forwarding,
 * re-pinning threads, migrating pages, reading numa_maps, PMU counters, writing the converged policy), each
 * with why; pmu: the monitor's source is the PMU. Pure. Returns how many were written to out.
 */
size_t privs_needed(const struct privs *pv, const struct policy *p, int resident, int pmu, int save_policy,
		    struct privs_need *out, size_t max);
/* Must numarun also keep every capability the target holds? When CAP_SYS_NICE or CAP_SYS_PTRACE is
 * needed but not held: the kernel then lets it set the target's CPUs or read its numa_maps only while
 * numarun's permitted set includes the target's (commoncap's cap_safe_nice and ptrace access check). */
uint64_t privs_keep_for_target(const struct privs *pv, const struct privs_need *need, size_t n);
/*
 * Drop every capability not in keep nor in the mask extra (the target's permitted set, where it must be
 * kept) from all five sets (bounding and ambient included) of this process: the resident parent, after the
 * target was started. Returns 0 or -errno; dropped gets the count of permitted capabilities dropped.
 */
int privs_drop(const struct privs_need *keep, size_t n, uint64_t extra, unsigned *dropped);

/* Text and JSON of what is held and what each chosen action needs (plan output); resident < 0: what is
 * held only (topology output). */
void privs_print_text(FILE *f, const struct privs *pv, const struct privs_need *need, size_t n, int resident);
void privs_print_json(FILE *f, const struct privs *pv, const struct privs_need *need, size_t n, int resident);

#endif
