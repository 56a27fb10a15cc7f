/* attach.h - numarun attach: the plan, per-thread placement and the tuner applied to a process that is
 * already running (not numarun's child). The facts about the target and the rights decision are pure
 * functions; attach_prepare and attach_run act on the live system. */
#ifndef NUMARUN_ATTACH_H
#define NUMARUN_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <hwloc.h>
#include "plan.h"
#include "policy.h"
#include "topology.h"

struct opts;

/* Credentials as the kernel's access checks compare them. */
struct attach_creds {
	unsigned uid[4];          /* real, effective, saved, filesystem */
	unsigned gid[4];
	uint64_t eff, prm;        /* capability sets (bit N: capability N) */
};

/* What /proc/PID/status says of a process (attach_parse_status). */
struct attach_status {
	char name[64];
	char state;               /* 'R', 'S', 'Z'...; 0 unknown */
	pid_t tgid, pid, ppid;
	int kthread;              /* Kthread: 1 (a kernel thread) */
	struct attach_creds creds;
	char cpus[1024];          /* Cpus_allowed_list, "" absent */
	char mems[512];           /* Mems_allowed_list, "" absent */
};

/* The rights attach needs on the target (bits). */
enum {
	ATTACH_RIGHT_CPUS = 1 << 0,    /* sched_setaffinity on its threads */
	ATTACH_RIGHT_MIGRATE = 1 << 1, /* migrate_pages: PTRACE_MODE_READ_REALCREDS */
	ATTACH_RIGHT_READ = 1 << 2,    /* numa_maps and the monitor's per-thread sources: PTRACE_MODE_READ_FSCREDS */
};

/* The target, as attach_prepare found it. */
struct attach_target {
	pid_t pid;
	struct attach_status st;
	int dumpable;             /* its /proc directory is owned by its effective uid and gid */
	int caps_count;           /* numarun's capabilities count in its user namespace */
	hwloc_bitmap_t may_cpus;  /* the CPUs it may use (its cpuset) */
	hwloc_bitmap_t may_nodes; /* the memory nodes it may use (Mems_allowed_list) */
	char may_from[600];       /* where may_cpus was read */
	unsigned long long start_ticks; /* stat field 22: tells it from a process that reused its PID */
};

/*
 * Parse a PID argument: decimal digits only, 1 to the largest pid_t. Returns 0, or -1 with cause
 * ("'x' is not a process ID").
 */
int attach_parse_pid(const char *arg, pid_t *pid, char *cause, size_t causelen);
/* The fields of /proc/PID/status text into st (absent ones: 0, "" or -1 for pids). Returns 0, or -1 when
 * the text has no Pid: line. */
int attach_parse_status(const char *text, struct attach_status *st);
/*
 * Which of the rights in need numarun (self) lacks on process pid (tgt), as the kernel decides them:
 *   CPUS: numarun's euid is the target's real or effective uid, or CAP_SYS_NICE; and (commoncap) the
 *         target's permitted capabilities are all in numarun's permitted set, or CAP_SYS_NICE.
 *   MIGRATE, READ (ptrace access, REALCREDS: real uid/gid and permitted set; FSCREDS: filesystem
 *         uid/gid and effective set): numarun's uid equals the target's real, effective and saved uid
 *         and its gid the target's three gids, or CAP_SYS_PTRACE; the target is dumpable, or
 *         CAP_SYS_PTRACE; its permitted capabilities are in numarun's set, or CAP_SYS_PTRACE.
 * Capabilities count only where caps_count (numarun's user namespace is the target's or an ancestor).
 * Returns the missing bits (0: all there); why gets the first missing right's explanation.
 */
unsigned attach_rights(const struct attach_creds *self, const struct attach_creds *tgt, int caps_count, int dumpable,
		       pid_t pid, unsigned need, char *why, size_t len);
/*
 * The process's common mask: the mask most of its threads have (masks[i] is thread tids[i]'s), the main
 * thread's (tid == pid) on a tie, else the first. Threads whose mask differs pinned themselves. Returns
 * its index, -1 when n is 0.
 */
int attach_common_mask(const hwloc_const_bitmap_t *masks, const pid_t *tids, size_t n, pid_t pid);

/*
 * Before the plan: find the target (exit status 2 when there is none, it is a thread, a kernel thread, a
 * zombie, numarun or an ancestor of numarun, or a process a resident numarun manages), read what it may
 * use, and narrow topo's allowed sets to it. Returns 0, or an exit status with cause.
 */
int attach_prepare(struct attach_target *tg, pid_t pid, struct topo *topo, char *cause, size_t causelen);
/* Without options or a policy that choose CPUs, narrow topo to the CPUs the process runs on now (its main
 * thread's mask), saying so: the binding it was started with is kept. */
void attach_keep_binding(struct attach_target *tg, struct topo *topo, const struct policy *p);
/* With the plan: check the rights (nothing is changed when one is missing), move its pages where the plan
 * has a memory policy, place its threads, and stay with the monitor until it ends or numarun is told to
 * detach (SIGINT, SIGTERM, SIGHUP). Returns numarun's exit status. Releases tg. */
int attach_run(struct attach_target *tg, const struct opts *o, struct topo *topo, struct plan *pl, struct policy *p);
void attach_target_free(struct attach_target *tg);

#endif
