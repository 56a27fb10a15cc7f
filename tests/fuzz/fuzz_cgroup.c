/* fuzz_cgroup.c - the cgroup parsers: cpu.max, memory.max, the lines of /proc/self/cgroup and mountinfo, and
 * the limit readers over a directory tree holding the input as proc/self/{cgroup,mountinfo}. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"
#include "fuzz.h"

static char root[PATH_MAX];

static void remove_root(void)
{
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/proc/self/cgroup", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/proc/self/mountinfo", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/proc/self", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/proc", root);
	rmdir(p);
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/fuzz_cgroup.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		abort();
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/proc", root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/proc/self", root);
	mkdir(p, 0700);
	atexit(remove_root);
	return 0;
}

static void write_file(const char *rel, const char *text, size_t len)
{
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	if (!f)
		abort();
	fwrite(text, 1, len, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);

	long long quota = 7, period = 7;
	if (cgroup_parse_cpu_max(text, &quota, &period) == 0)
		FUZZ_CHECK(period > 0 && (quota == -1 || quota > 0));
	unsigned long long bytes = 7;
	if (cgroup_parse_mem_max(text, &bytes) == 0)
		FUZZ_CHECK(bytes <= (1ULL << 62));

	/* Line by line, as the readers take them. */
	char *copy = strdup(text);
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char mnt[64], mroot[64];
		static const char *const ctrls[] = {"cpu", "memory", ""};
		for (int v2 = 0; v2 < 2; v2++)
			for (unsigned c = 0; c < 3; c++)
				if (cgroup_parse_mount_line(line, v2, ctrls[c], mnt, sizeof(mnt), mroot, sizeof(mroot)))
					FUZZ_CHECK(strlen(mnt) < sizeof(mnt) && strlen(mroot) < sizeof(mroot));
		char *l2 = strdup(line);
		const char *path = NULL;
		int kind = cgroup_parse_cgroup_line(l2, "cpu", &path);
		FUZZ_CHECK(kind >= 0 && kind <= 2);
		FUZZ_CHECK(!kind || (path >= l2 && path <= l2 + strlen(line)));
		free(l2);
	}
	free(copy);

	/* The readers: /proc/self/cgroup is the text before a line "====", mountinfo the text after it (or
	 * the whole text for both). */
	const char *sep = strstr(text, "\n====\n");
	size_t clen = sep ? (size_t)(sep - text) + 1 : size;
	const char *mi = sep ? sep + 6 : text;
	write_file("proc/self/cgroup", text, clen);
	write_file("proc/self/mountinfo", mi, size - (size_t)(mi - text));
	struct cpu_limit cl;
	struct mem_limit ml;
	FUZZ_CHECK(cgroup_cpu_limit(root, &cl) == 0);
	FUZZ_CHECK(cl.cpus >= 0 && strlen(cl.source) < sizeof(cl.source));
	FUZZ_CHECK(cgroup_cpu_limit_leaf(root, &cl) == 0);
	FUZZ_CHECK(cgroup_mem_limit(root, &ml) == 0);

	free(text);
	return 0;
}
