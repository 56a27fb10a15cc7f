/* privs.c - capabilities (libcap), the seccomp filter and refused system calls; least privilege for the
 * resident parent. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "plan.h"
#include "privs.h"
#include "procfs.h"
#include "events.h"

static uint64_t status_hex(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

static int status_int(const char *text, const char *key, int dflt)
{
	const char *p = strstr(text, key);
	return p ? atoi(p + strlen(key)) : dflt;
}

void privs_parse_status(const char *text, struct privs *pv)
{
	pv->seccomp = status_int(text, "\nSeccomp:", -1);
	pv->no_new_privs = status_int(text, "\nNoNewPrivs:", 0);
	pv->inh = status_hex(text, "\nCapInh:");
	pv->prm = status_hex(text, "\nCapPrm:");
	pv->eff = status_hex(text, "\nCapEff:");
	pv->bnd = status_hex(text, "\nCapBnd:");
	pv->amb = status_hex(text, "\nCapAmb:");
}

void privs_read(struct privs *pv)
{
	char buf[4096];
	memset(pv, 0, sizeof(*pv));
	pv->seccomp = -1;
	if (procfs_read("/proc/self/status", buf, sizeof(buf)) < 0)
		return;
	pv->known = 1;
	privs_parse_status(buf, pv);
	pv->last_cap = 40;
	char lc[32];
	if (procfs_read("/proc/sys/kernel/cap_last_cap", lc, sizeof(lc)) > 0)
		pv->last_cap = (unsigned)atoi(lc);
	if (pv->last_cap > 63)
		pv->last_cap = 63;
	pv->euid = (unsigned)geteuid();
	pv->perf_paranoid = -99;
	if (procfs_read("/proc/sys/kernel/perf_event_paranoid", lc, sizeof(lc)) > 0)
		pv->perf_paranoid = atoi(lc);
}

uint64_t privs_permitted_of(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) < 0 || !strstr(buf, "\nCapPrm:"))
		return ~0ULL; /* unknown: keep everything */
	return status_hex(buf, "\nCapPrm:");
}

int privs_target_may_switch_user(const struct privs *pv)
{
	return ((pv->amb >> CAP_SETUID) & 1) || (pv->euid == 0 && ((pv->bnd >> CAP_SETUID) & 1));
}

const char *privs_cap_name(int cap, char *buf, size_t len)
{
	char *n = cap_to_name((cap_value_t)cap);
	if (!n || strncmp(n, "cap_", 4) != 0) {
		snprintf(buf, len, "CAP_%d", cap);
	} else {
		size_t k = 0;
		for (const char *c = n; *c && k + 1 < len; c++)
			buf[k++] = (char)toupper((unsigned char)*c);
		buf[k] = '\0';
	}
	cap_free(n);
	return buf;
}

int privs_holds(const struct privs *pv, int cap)
{
	return cap >= 0 && cap < 64 && (pv->eff >> cap) & 1;
}

int privs_refused(const struct privs *pv, int err)
{
	return err == EPERM || err == EACCES || (err == ENOSYS && pv->seccomp == 2);
}

static const char *seccomp_fix(const char *call)
{
	if (!strcmp(call, "set_mempolicy") || !strcmp(call, "mbind") || !strcmp(call, "get_mempolicy"))
		return "Docker's and containerd's default profiles allow it with CAP_SYS_NICE (--cap-add SYS_NICE); "
		       "or run with the profile numarun ships (--security-opt seccomp=contrib/docker/seccomp-numa.json)";
	if (!strcmp(call, "migrate_pages") || !strcmp(call, "move_pages"))
		return "the default profiles of Docker and podman refuse it whatever the capabilities: run with the "
		       "profile numarun ships (--security-opt seccomp=contrib/docker/seccomp-numa.json)";
	if (!strcmp(call, "perf_event_open"))
		return "the default profiles allow it only with CAP_SYS_ADMIN (--cap-add SYS_ADMIN); "
		       "or use the profile numarun ships and CAP_PERFMON";
	return "allow it in the container's seccomp profile (contrib/docker/seccomp-numa.json)";
}

const char *privs_explain(const struct privs *pv, const char *call, int err, int needed_cap, char *buf,
			  size_t len)
{
	char cn[64] = "";
	if (needed_cap >= 0)
		privs_cap_name(needed_cap, cn, sizeof(cn));
	const char *en = err == EPERM ? "EPERM" : err == EACCES ? "EACCES" : err == ENOSYS ? "ENOSYS" : strerror(err);
	if (needed_cap >= 0 && !privs_holds(pv, needed_cap))
		snprintf(buf, len, "%s: %s without %s%s: add the capability (--cap-add %s)%s", call, en, cn,
			 pv->seccomp == 2 ? " (a seccomp filter is on too)" : "", cn + 4,
			 pv->seccomp == 2 ? ", and see the seccomp profile contrib/docker/seccomp-numa.json" : "");
	else if (pv->seccomp == 2 && privs_refused(pv, err))
		snprintf(buf, len, "%s: %s from the seccomp filter (Seccomp: 2 in /proc/self/status%s%s%s): %s", call,
			 en, needed_cap >= 0 ? "; " : "", cn, needed_cap >= 0 ? " is held" : "", seccomp_fix(call));
	else if (pv->seccomp == 1)
		snprintf(buf, len, "%s: %s in seccomp strict mode", call, en);
	else
		snprintf(buf, len, "%s: %s (no seccomp filter%s%s%s)", call, strerror(err), needed_cap >= 0 ? "; " : "",
			 cn, needed_cap >= 0 ? " is held" : "");
	return buf;
}

static size_t need(struct privs_need *out, size_t n, size_t max, int cap, const char *why)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].cap == cap) {
			size_t l = strlen(out[i].why);
			snprintf(out[i].why + l, sizeof(out[i].why) - l, "; %s", why);
			return n;
		}
	if (n >= max)
		return n;
	out[n].cap = cap;
	snprintf(out[n].why, sizeof(out[n].why), "%s", why);
	return n + 1;
}

size_t privs_needed(const struct privs *pv, const struct policy *p, int resident, int pmu, int save_policy,
		    struct privs_need *out, size_t max)
{
	size_t n = 0;
	if (!resident || !pv || !pv->known)
		return 0;
	/* Signalling the target needs nothing while it runs as numarun's user; one that switches to another
	 * (a server started as root that drops to a service user) makes the kernel ask for CAP_KILL. */
	if (privs_target_may_switch_user(pv))
		n = need(out, n, max, CAP_KILL, "forwarding signals to a target that switches to another user");
	/* Setting another process's CPUs, and reading its numa_maps or migrating its pages, the kernel allows
	 * with CAP_SYS_NICE and CAP_SYS_PTRACE, or when numarun holds every capability the target holds. */
	if (policy_resident(p))
		n = need(out, n, max, CAP_SYS_NICE, "setting the CPUs of the target's threads (placement, moves, and "
						    "after a cpuset change)");
	if (p->monitor)
		n = need(out, n, max, CAP_SYS_PTRACE, p->action == ACTION_MIGRATE
			 ? "reading the target's /proc/PID/numa_maps and migrating its pages"
			 : "reading the target's /proc/PID/numa_maps");
	if (p->monitor && pmu && pv->perf_paranoid > 2) {
		/* CAP_PERFMON since Linux 5.8; CAP_SYS_ADMIN before. */
		int cap = pv->last_cap >= CAP_PERFMON ? CAP_PERFMON : CAP_SYS_ADMIN;
		n = need(out, n, max, cap, "per-thread PMU counters under perf_event_paranoid > 2");
	}
	if (save_policy && pv->euid == 0)
		n = need(out, n, max, CAP_DAC_OVERRIDE, "writing --save-policy FILE at convergence into a directory "
							"root may write only by this capability");
	return n;
}

uint64_t privs_keep_for_target(const struct privs *pv, const struct privs_need *need, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((need[i].cap == CAP_SYS_NICE || need[i].cap == CAP_SYS_PTRACE) && !privs_holds(pv, need[i].cap))
			return 1;
	return 0;
}

static int kept(const struct privs_need *keep, size_t n, int cap)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i].cap == cap)
			return 1;
	return 0;
}

int privs_drop(const struct privs_need *keep, size_t n, uint64_t extra, unsigned *dropped)
{
	struct privs pv;
	privs_read(&pv);
	*dropped = 0;
	/* The bounding set first, while CAP_SETPCAP is still ours. */
	for (unsigned c = 0; c <= pv.last_cap; c++) {
		if (kept(keep, n, (int)c) || (extra >> c) & 1)
			continue;
		if ((pv.eff >> c) & 1 || (pv.prm >> c) & 1)
			(*dropped)++;
		if ((pv.bnd >> c) & 1 && (pv.eff >> CAP_SETPCAP) & 1)
			cap_drop_bound((cap_value_t)c);
	}
	if (CAP_AMBIENT_SUPPORTED())
		cap_reset_ambient();
	cap_t caps = cap_init(); /* all clear */
	if (!caps)
		return -errno;
	for (unsigned c = 0; c <= pv.last_cap; c++) {
		cap_value_t v = (cap_value_t)c;
		if (!(kept(keep, n, (int)c) || (extra >> c) & 1) || !((pv.prm >> c) & 1))
			continue; /* not needed, or not ours to keep */
		cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if ((pv.eff >> c) & 1)
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	int rc = cap_set_proc(caps) < 0 ? -errno : 0;
	cap_free(caps);
	return rc;
}

static void cap_list(FILE *f, uint64_t set, unsigned last, int json)
{
	char name[64];
	int first = 1;
	for (unsigned c = 0; c <= last; c++) {
		if (!((set >> c) & 1))
			continue;
		privs_cap_name((int)c, name, sizeof(name));
		if (json)
			fprintf(f, "%s\"%s\"", first ? "" : ",", name);
		else
			fprintf(f, "%s%s", first ? "" : " ", name);
		first = 0;
	}
	if (first && !json)
		fputs("none", f);
}

void privs_print_text(FILE *f, const struct privs *pv, const struct privs_need *need, size_t n, int resident)
{
	char name[64];
	if (!pv || !pv->known)
		return;
	unsigned held = 0;
	for (unsigned c = 0; c <= pv->last_cap; c++)
		held += (pv->eff >> c) & 1;
	fprintf(f, "  %-16s %u effective", "capabilities:", held);
	if (held == pv->last_cap + 1)
		fputs(" (all)", f);
	else {
		fputs(": ", f);
		cap_list(f, pv->eff, pv->last_cap, 0);
	}
	fprintf(f, "\n  %-16s %s%s\n", "seccomp:",
		pv->seccomp == 2 ? "filter on" : pv->seccomp == 1 ? "strict" : pv->seccomp == 0 ? "none" : "unknown",
		pv->no_new_privs ? ", no_new_privs" : "");
	if (resident < 0)
		return; /* numarun topology: what is held only */
	if (!resident) {
		fprintf(f, "  %-16s none after the exec: the target gets numarun's capabilities unchanged\n", "keeps:");
		return;
	}
	if (n == 0)
		fprintf(f, "  %-16s none: every capability is dropped after the launch\n", "keeps:");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-16s %s (%s): %s\n", i ? "" : "keeps:", privs_cap_name(need[i].cap, name, sizeof(name)),
			privs_holds(pv, need[i].cap) ? "held" : "not held", need[i].why);
	if (privs_keep_for_target(pv, need, n))
		fprintf(f, "  %-16s and every capability the target holds: without CAP_SYS_NICE or CAP_SYS_PTRACE the "
			   "kernel lets numarun do that only while it holds them all\n", "");
}

void privs_print_json(FILE *f, const struct privs *pv, const struct privs_need *need, size_t n, int resident)
{
	char name[64];
	if (!pv || !pv->known) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"seccomp\":%d,\"no_new_privs\":%s,\"effective\":[", pv->seccomp, pv->no_new_privs ? "true" : "false");
	cap_list(f, pv->eff, pv->last_cap, 1);
	fputs("],\"bounding\":[", f);
	cap_list(f, pv->bnd, pv->last_cap, 1);
	if (resident < 0) {
		fputs("]}", f);
		return;
	}
	fprintf(f, "],\"resident\":%s,\"keeps\":[", resident ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s{\"capability\":\"%s\",\"held\":%s,\"for\":", i ? "," : "",
			privs_cap_name(need[i].cap, name, sizeof(name)), privs_holds(pv, need[i].cap) ? "true" : "false");
		json_string(f, need[i].why);
		fputc('}', f);
	}
	fprintf(f, "],\"keeps_target_capabilities\":%s}", privs_keep_for_target(pv, need, n) ? "true" : "false");
}
