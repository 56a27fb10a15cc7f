/* testutil.c - helpers shared by the unit tests. */
#include "config.h"
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

void tu_synthetic(struct topo *t, const char *desc)
{
	char cause[512];
	if (topology_load_synthetic(t, desc, cause, sizeof(cause)) < 0)
		fail_msg("synthetic topology '%s': %s", desc, cause);
}

void tu_set_distances(struct topo *t, const uint64_t *m)
{
	memcpy(t->dist, m, (size_t)t->nnodes * t->nnodes * sizeof(*m));
	t->dist_from_matrix = 1;
}

const char *tu_shared_dir(void)
{
	static char path[PATH_MAX];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/../shared/topologies", top ? top : ".");
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return path;
}

void tu_load_data(struct topo *t, const char *name)
{
	char path[PATH_MAX], cause[1024];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/tests/data/topologies/%s", top ? top : ".", name);
	if (topology_load(t, path, cause, sizeof(cause)) < 0)
		fail_msg("%s", cause);
}

const char *tu_list(hwloc_const_bitmap_t set)
{
	static char bufs[8][4096];
	static int k;
	char *b = bufs[k++ % 8];
	if (hwloc_bitmap_iszero(set))
		snprintf(b, 4096, "none");
	else
		hwloc_bitmap_list_snprintf(b, 4096, set);
	return b;
}

hwloc_bitmap_t tu_set(const char *list)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc();
	if (hwloc_bitmap_list_sscanf(s, list) < 0)
		fail_msg("bad list '%s'", list);
	return s;
}

char *tu_tmpdir(void)
{
	char tmpl[] = "/tmp/numarun-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	if (!d)
		fail_msg("mkdtemp: %s", strerror(errno));
	return strdup(d);
}

void tu_write(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void tu_rmrf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
