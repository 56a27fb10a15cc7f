/* memtouch: a test target for numarun's memory binding.
 *
 *   memtouch [-r] [-w | -s SECONDS] [-q] [MIB]
 *
 * Maps MIB MiB (default 64) of anonymous memory, writes to every page so that the kernel places each one
 * under the memory policy the process was started with, and prints
 *
 *   pid=<pid> addr=<start address of the mapping> mib=<MIB> pages=<number of base pages>
 *
 * -r  read /proc/self/numa_maps and print where the mapping's pages are, one line:
 *       numa_maps: N0=<pages> N1=<pages> ... total=<pages>
 *     (every node the kernel names; pages in base pages, as numa_maps counts them). No race with a reader
 *     outside the process: the pages are counted while the mapping is alive.
 * -w  then wait until standard input reaches end of file (or a signal ends the process).
 * -s  then sleep SECONDS before exiting.
 * -q  print nothing but the numa_maps line (with -r).
 *
 * Exit status: 0; 1 when the mapping or numa_maps cannot be had (message on stderr); 64 usage error.
 * The mapping sits between two PROT_NONE guard pages so that the kernel cannot merge it with a
 * neighbouring anonymous mapping: its numa_maps line starts exactly at the printed address.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define USAGE_STATUS 64
#define MAX_NODES 1024

static void usage(void)
{
	fprintf(stderr, "usage: memtouch [-r] [-w | -s SECONDS] [-q] [MIB]\n");
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Print the per-node page counts of the numa_maps line that starts at addr. */
static int report_numa_maps(uintptr_t addr)
{
	static unsigned long pages[MAX_NODES];
	char want[32], line[4096];
	FILE *f;
	int found = 0, maxnode = -1;
	unsigned long total = 0;

	snprintf(want, sizeof(want), "%lx ", (unsigned long)addr);
	f = fopen("/proc/self/numa_maps", "r");
	if (f == NULL) {
		fprintf(stderr, "memtouch: /proc/self/numa_maps: %s\n", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tok, *save = NULL;

		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		found = 1;
		for (tok = strtok_r(line, " \n", &save); tok != NULL; tok = strtok_r(NULL, " \n", &save)) {
			unsigned long node, n;
			char *eq;

			if (tok[0] != 'N' || (eq = strchr(tok, '=')) == NULL)
				continue;
			*eq = '\0';
			if (parse_ulong(tok + 1, MAX_NODES - 1, &node) != 0 || parse_ulong(eq + 1, ~0UL, &n) != 0)
				continue;
			pages[node] += n;
			total += n;
			if ((int)node > maxnode)
				maxnode = (int)node;
		}
		break;
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "memtouch: no line for %lx in /proc/self/numa_maps\n", (unsigned long)addr);
		return -1;
	}
	printf("numa_maps:");
	for (int i = 0; i <= maxnode; i++)
		if (pages[i] != 0)
			printf(" N%d=%lu", i, pages[i]);
	printf(" total=%lu\n", total);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long mib = 64, seconds = 0;
	int report = 0, wait_eof = 0, quiet = 0, opt;
	long pagesize = sysconf(_SC_PAGESIZE);
	size_t len;
	char *base, *p;

	while ((opt = getopt(argc, argv, "+rws:qh")) != -1) {
		switch (opt) {
		case 'r':
			report = 1;
			break;
		case 'w':
			wait_eof = 1;
			break;
		case 's':
			if (parse_ulong(optarg, 1000000, &seconds) != 0) {
				usage();
				return USAGE_STATUS;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return USAGE_STATUS;
		}
	}
	if (optind < argc - 1 || (optind == argc - 1 && parse_ulong(argv[optind], 1UL << 20, &mib) != 0) ||
	    mib == 0 || pagesize <= 0) {
		usage();
		return USAGE_STATUS;
	}

	len = (size_t)mib << 20;
	base = mmap(NULL, len + 2 * (size_t)pagesize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		fprintf(stderr, "memtouch: mmap %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	p = base + pagesize;
	if (mprotect(p, len, PROT_READ | PROT_WRITE) != 0) {
		fprintf(stderr, "memtouch: mprotect %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	for (size_t off = 0; off < len; off += (size_t)pagesize)
		p[off] = (char)(off >> 12 | 1);

	if (!quiet) {
		printf("pid=%ld addr=%lx mib=%lu pages=%lu\n", (long)getpid(), (unsigned long)(uintptr_t)p, mib,
		       (unsigned long)(len / (size_t)pagesize));
		fflush(stdout);
	}
	if (report && report_numa_maps((uintptr_t)p) != 0)
		return 1;
	if (wait_eof) {
		char buf[256];
		ssize_t n;

		do
			n = read(STDIN_FILENO, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
	} else if (seconds > 0) {
		sleep((unsigned)seconds);
	}
	return 0;
}
