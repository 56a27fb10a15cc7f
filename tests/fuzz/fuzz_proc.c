/* fuzz_proc.c - the parsers of /proc text: task sched, stat and schedstat (procfs.c), numa_maps (procfs.c,
 * as source.c reads it) and the remote share computed from it, children (procfs_parse_pids), cpuinfo
 * (source.c), status (privs.c). */
#include "config.h"
#include "fuzz.h"
#include "privs.h"
#include "procfs.h"
#include "source.h"

#define MAXNODE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned maxnode = fuzz_below(&in, MAXNODE + 1);
	int node = (int)fuzz_below(&in, MAXNODE + 2) - 1;
	int anon_only = (int)(fuzz_u8(&in) & 1);
	char *text = fuzz_rest(&in);

	/* sched: the fault counts land in the caller's array, never past maxnode. */
	unsigned long faults[MAXNODE + 1];
	for (unsigned i = 0; i <= MAXNODE; i++)
		faults[i] = 0xdeadbeef;
	struct sched_numa sn = {.faults = maxnode ? faults : NULL, .maxnode = maxnode};
	if (procfs_parse_sched(text, &sn) == 0) {
		FUZZ_CHECK(sn.have_faults == 0 || sn.have_faults == 1);
	}
	for (unsigned i = maxnode; i <= MAXNODE; i++)
		FUZZ_CHECK(faults[i] == 0xdeadbeef);

	struct task_stat st;
	if (procfs_parse_stat(text, &st) == 0)
		FUZZ_CHECK(strlen(st.comm) < sizeof(st.comm));

	unsigned long long run;
	procfs_parse_schedstat(text, &run);

	/* numa_maps: page counts per node, then the share that a thread on node has remote. */
	unsigned long pages[MAXNODE + 1];
	for (unsigned i = 0; i <= MAXNODE; i++)
		pages[i] = i < maxnode ? 0 : 0xdeadbeef;
	long maps = procfs_parse_numa_maps(text, pages, maxnode, anon_only);
	FUZZ_CHECK(maps >= 0);
	for (unsigned i = maxnode; i <= MAXNODE; i++)
		FUZZ_CHECK(pages[i] == 0xdeadbeef);
	/* The share is meaningful where the counts did not wrap (a real process has far fewer pages). */
	unsigned __int128 sum = 0;
	for (unsigned i = 0; i < maxnode; i++)
		sum += pages[i];
	double remote = -1;
	int best = -2;
	unsigned long total = source_share(pages, maxnode, node, &remote, &best);
	FUZZ_CHECK(best >= -1 && best < (int)maxnode);
	FUZZ_CHECK(best < 0 || pages[best] > 0);
	if (sum == total) {
		FUZZ_CHECK(remote >= 0.0 && remote <= 1.0);
		FUZZ_CHECK(total == 0 || best >= 0);
	}

	/* A children file: PIDs appended to what is there, the array grown. */
	pid_t *pids = NULL;
	size_t cap = 0, n1 = procfs_parse_pids(text, &pids, 0, &cap);
	FUZZ_CHECK(n1 <= cap);
	size_t n2 = procfs_parse_pids(text, &pids, n1, &cap);
	FUZZ_CHECK(n2 == 2 * n1 && n2 <= cap);
	for (size_t i = 0; i < n1; i++)
		FUZZ_CHECK(pids[i] == pids[n1 + i]);
	free(pids);

	char vendor[64];
	int family;
	source_parse_cpuinfo(text, vendor, sizeof(vendor), &family);
	FUZZ_CHECK(strlen(vendor) < sizeof(vendor));

	struct privs pv;
	memset(&pv, 0, sizeof(pv));
	privs_parse_status(text, &pv);
	char why[512];
	privs_explain(&pv, "mbind", 1, (int)(maxnode % 41) - 1, why, sizeof(why));
	FUZZ_CHECK(strlen(why) < sizeof(why));

	free(text);
	return 0;
}
