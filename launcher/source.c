/* source.c - metric sources behind one interface, best first: PMU counters, NUMA hinting faults
 * (/proc/<tgid>/task/<tid>/sched), page placement (/proc/<pid>/numa_maps). */
#include "config.h"
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <sys/capability.h>
#include "privs.h"
#include "clock.h"
#include "procfs.h"
#include "source.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/* Too few events to judge a thread by. */
#define MIN_FAULTS 8
#define MIN_LOADS 100

unsigned long source_share_in(const unsigned long *per_node, unsigned maxnode, int node, const unsigned char *best_in,
			      double *remote, int *best)
{
	unsigned long total = 0, most = 0;
	*best = -1;
	for (unsigned i = 0; i < maxnode; i++) {
		total += per_node[i];
		if (per_node[i] > most && (!best_in || best_in[i])) {
			most = per_node[i];
			*best = (int)i;
		}
	}
	unsigned long local = node >= 0 && (unsigned)node < maxnode ? per_node[node] : 0;
	*remote = total ? 1.0 - (double)local / (double)total : 0.0;
	return total;
}

unsigned long source_share(const unsigned long *per_node, unsigned maxnode, int node, double *remote, int *best)
{
	return source_share_in(per_node, maxnode, node, NULL, remote, best);
}

/* The value after "key ...:" on the line where key first appears, or NULL when that line has no colon. */
static const char *cpuinfo_value(const char *text, const char *key)
{
	const char *k = strstr(text, key);
	if (!k)
		return NULL;
	const char *colon = memchr(k, ':', strcspn(k, "\n"));
	return colon ? colon + 1 + strspn(colon + 1, " \t") : NULL;
}

void source_parse_cpuinfo(const char *text, char *vendor, size_t len, int *family)
{
	const char *v = cpuinfo_value(text, "vendor_id"), *f = cpuinfo_value(text, "cpu family");
	vendor[0] = '\0';
	*family = -1;
	if (v && len) {
		size_t n = strcspn(v, " \t\n");
		if (n >= len)
			n = len - 1;
		memcpy(vendor, v, n);
		vendor[n] = '\0';
	}
	if (f) {
		long x = strtol(f, NULL, 10);
		*family = x < 0 || x > 0xffff ? -1 : (int)x;
	}
}

static long perf_open(struct source *s, unsigned long long cfg, pid_t tid)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = (unsigned)s->pmu_type;
	a.config = cfg;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Local/remote DRAM load events of this CPU, from its vendor and family. */
static int pmu_events(struct source *s, char *why, size_t len)
{
	char buf[8192], vendor[64];
	int family;
	if (procfs_read("/proc/cpuinfo", buf, sizeof(buf)) < 0) {
		snprintf(why, len, "PMU: /proc/cpuinfo unreadable");
		return -1;
	}
	source_parse_cpuinfo(buf, vendor, sizeof(vendor), &family);
	s->pmu_type = PERF_TYPE_RAW;
	if (strcmp(vendor, "GenuineIntel") == 0) {
		s->pmu_cfg[0] = 0x01D3; /* MEM_LOAD_L3_MISS_RETIRED.LOCAL_DRAM */
		s->pmu_cfg[1] = 0x02D3; /* MEM_LOAD_L3_MISS_RETIRED.REMOTE_DRAM */
	} else if (strcmp(vendor, "AuthenticAMD") == 0 && family == 0x17) {
		s->pmu_cfg[0] = 0x0843; /* Zen 2: LsRefillsFromSys.LS_MABRESP_LCL_DRAM */
		s->pmu_cfg[1] = 0x4043; /* .LS_MABRESP_RMT_DRAM */
	} else if (strcmp(vendor, "AuthenticAMD") == 0 && family >= 0x19) {
		s->pmu_cfg[0] = 0x0844; /* Zen 3/4: LsAnyFillsFromSys.LCL_DRAM */
		s->pmu_cfg[1] = 0x4044; /* .RMT_DRAM */
	} else {
		snprintf(why, len, "PMU: no known local/remote DRAM events for CPU vendor '%s' family %d", vendor,
			 family);
		return -1;
	}
	return 0;
}

static int pmu_probe(struct source *s, char *why, size_t len)
{
	if (pmu_events(s, why, len) < 0)
		return -1;
	long fd = perf_open(s, s->pmu_cfg[1], 0);
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	int e = errno;
	struct privs pv;
	privs_read(&pv);
	if (privs_refused(&pv, e)) {
		char x[512];
		int perfmon = privs_holds(&pv, CAP_PERFMON), admin = privs_holds(&pv, CAP_SYS_ADMIN);
		s->pmu_refused = 1;
		if (pv.seccomp == 2 && (perfmon || admin || pv.perf_paranoid <= 2))
			snprintf(why, len, "PMU: %s", privs_explain(&pv, "perf_event_open", e, -1, x, sizeof(x)));
		else
			snprintf(why, len, "PMU: no permission (perf_event_paranoid=%d; CAP_PERFMON %s, CAP_SYS_ADMIN %s%s)",
				 pv.perf_paranoid, perfmon ? "held" : "not held", admin ? "held" : "not held",
				 pv.seccomp == 2 ? "; a seccomp filter is on too" : "");
	}
	else if (e == ENOENT || e == EOPNOTSUPP || e == EINVAL || e == ENODEV)
		snprintf(why, len, "PMU: raw DRAM load events unsupported here (%s; usual in virtual machines)",
			 strerror(e));
	else
		snprintf(why, len, "PMU: perf_event_open: %s", strerror(e));
	return -1;
}

static int faults_probe(char *why, size_t len)
{
	char buf[32];
	long n = procfs_read("/proc/sys/kernel/numa_balancing", buf, sizeof(buf));
	if (n < 0) {
		snprintf(why, len, "NUMA hinting faults: kernel without NUMA balancing (%s)", strerror((int)-n));
		return -1;
	}
	if (!(atoi(buf) & 1)) {
		snprintf(why, len, "NUMA hinting faults: kernel.numa_balancing is %d (bit 0 off)", atoi(buf));
		return -1;
	}
	return 0;
}

int source_choose(struct source *s, enum source_kind want, unsigned maxnode, char *cause, size_t causelen)
{
	char w1[256] = "", w2[256] = "";
	memset(s, 0, sizeof(*s));
	s->maxnode = maxnode;
	s->scan_seq = -1;
	s->pages = calloc(maxnode, sizeof(*s->pages));
	s->faults = calloc(maxnode, sizeof(*s->faults));
	int pmu_ok = (want == SOURCE_AUTO || want == SOURCE_PMU) ? pmu_probe(s, w1, sizeof(w1)) == 0 : 0;
	int faults_ok = (want == SOURCE_AUTO || want == SOURCE_FAULTS) ? faults_probe(w2, sizeof(w2)) == 0 : 0;
	switch (want) {
	case SOURCE_PMU:
		if (!pmu_ok) {
			snprintf(cause, causelen, "source = pmu is unavailable: %s", w1);
			return -1;
		}
		s->kind = SOURCE_PMU;
		break;
	case SOURCE_FAULTS:
		if (!faults_ok) {
			snprintf(cause, causelen, "source = faults is unavailable: %s", w2);
			return -1;
		}
		s->kind = SOURCE_FAULTS;
		break;
	case SOURCE_PAGES:
		s->kind = SOURCE_PAGES;
		snprintf(s->why, sizeof(s->why), "chosen by the policy");
		return 0;
	case SOURCE_AUTO:
		s->kind = pmu_ok ? SOURCE_PMU : faults_ok ? SOURCE_FAULTS : SOURCE_PAGES;
		break;
	}
	if (s->kind == SOURCE_PMU)
		snprintf(s->why, sizeof(s->why), "per-thread DRAM load counters available");
	else if (s->kind == SOURCE_FAULTS)
		snprintf(s->why, sizeof(s->why), "%s", want == SOURCE_AUTO ? w1 : "chosen by the policy");
	else
		snprintf(s->why, sizeof(s->why), "%s; %s", w1, w2);
	return 0;
}

int source_sample_process(struct source *s, pid_t pid)
{
	if (s->kind == SOURCE_FAULTS)
		return 0;
	double now = clock_seconds(CLOCK_MONOTONIC);
	if (pid == s->pages_pid && now - s->pages_at < s->pages_cost * 1000)
		return 0;
	double c0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	char path[64], *text;
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	long n = procfs_read_alloc(path, &text);
	if (n < 0)
		return (int)n;
	memset(s->pages, 0, s->maxnode * sizeof(*s->pages));
	procfs_parse_numa_maps(text, s->pages, s->maxnode, 1);
	free(text);
	s->pages_total = 0;
	for (unsigned i = 0; i < s->maxnode; i++)
		s->pages_total += s->pages[i];
	s->pages_pid = pid;
	s->pages_at = now;
	s->pages_cost = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
	return 0;
}

void source_thread_init(struct source_thread *st)
{
	st->fd[0] = st->fd[1] = -1;
	st->last[0] = st->last[1] = 0;
}

void source_thread_close(struct source_thread *st)
{
	for (int i = 0; i < 2; i++)
		if (st->fd[i] >= 0) {
			close(st->fd[i]);
			st->fd[i] = -1;
		}
}

int source_sample_thread(struct source *s, pid_t pid, pid_t tid, int node, struct source_thread *st,
			 struct thread_sample *out)
{
	memset(out, 0, sizeof(*out));
	out->best_node = -1;
	if (s->kind == SOURCE_FAULTS) {
		char path[96], buf[8192];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", (int)pid, (int)tid);
		long n = procfs_read(path, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		struct sched_numa sn = {.faults = s->faults, .maxnode = s->maxnode};
		if (procfs_parse_sched(buf, &sn) < 0)
			return -EINVAL;
		if (sn.scan_seq >= 0)
			s->scan_seq = sn.scan_seq;
		out->events = source_share_in(s->faults, s->maxnode, node, s->best_in, &out->remote, &out->best_node);
		out->valid = sn.have_faults && out->events >= MIN_FAULTS;
		return 0;
	}
	if (s->kind == SOURCE_PMU) {
		for (int i = 0; i < 2; i++)
			if (st->fd[i] < 0) {
				long fd = perf_open(s, s->pmu_cfg[i], tid);
				if (fd < 0)
					return -errno;
				st->fd[i] = (int)fd;
			}
		unsigned long long v[2];
		for (int i = 0; i < 2; i++)
			if (read(st->fd[i], &v[i], sizeof(v[i])) != sizeof(v[i]))
				return -errno;
		unsigned long long local = v[0] - st->last[0], remote = v[1] - st->last[1];
		st->last[0] = v[0];
		st->last[1] = v[1];
		out->events = (unsigned long)(local + remote);
		out->remote = out->events ? (double)remote / (double)out->events : 0.0;
		double unused;
		source_share_in(s->pages, s->maxnode, node, s->best_in, &unused, &out->best_node);
		out->valid = out->events >= MIN_LOADS;
		return 0;
	}
	/* Page placement: the process's pages against the node this thread runs on. */
	out->events = source_share_in(s->pages, s->maxnode, node, s->best_in, &out->remote, &out->best_node);
	out->valid = out->events > 0;
	return 0;
}

void source_free(struct source *s)
{
	free(s->pages);
	free(s->faults);
	s->pages = s->faults = NULL;
}
