/* fuzz_allocator.c - the Kubernetes allocator hand-offs: resources.sh text (alloc_parse_nri) and DRA_CPUSET_*
 * variables (alloc_parse_dra, one a line of the input), then their description and JSON. */
#include "config.h"
#include "allocator.h"
#include "fuzz.h"

static FILE *devnull;

static int empty(const struct alloc_handoff *h)
{
	hwloc_bitmap_t all = hwloc_bitmap_alloc();
	alloc_cpus(h, all);
	int e = hwloc_bitmap_iszero(all) && hwloc_bitmap_iszero(h->mems) && hwloc_bitmap_iszero(h->dram_mems) &&
		hwloc_bitmap_iszero(h->pmem_mems) && hwloc_bitmap_iszero(h->hbm_mems) && !h->nclaims;
	hwloc_bitmap_free(all);
	return e;
}

static void use(const struct alloc_handoff *h)
{
	char d[4096];
	alloc_describe(h, d, sizeof(d));
	FUZZ_CHECK(strlen(d) < sizeof(d));
	alloc_print_json(devnull, h);
	for (size_t i = 0; i < h->nclaims; i++)
		FUZZ_CHECK(hwloc_bitmap_isincluded(h->claims[i].cpus, h->exclusive_cpus));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	char *text = fuzz_strndup(data, size);
	char cause[512];

	struct alloc_handoff h = {0};
	memset(cause, 'x', sizeof(cause));
	if (alloc_parse_nri(text, &h, cause, sizeof(cause)) == 0) {
		FUZZ_CHECK(h.from == ALLOC_FROM_NRI && h.nri_file && h.sources);
		use(&h);
	} else {
		/* A refused file leaves the hand-off as it was. */
		FUZZ_CHECK(memchr(cause, '\0', sizeof(cause)) != NULL);
		FUZZ_CHECK(empty(&h) && !h.have && !h.from);
	}

	/* The lines as an environment, over what the file gave. */
	size_t n = 1;
	for (const char *c = text; *c; c++)
		n += *c == '\n';
	char **envp = calloc(n + 1, sizeof(*envp));
	char *copy = strdup(text);
	size_t k = 0;
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		envp[k++] = line;
	}
	size_t before = h.nclaims;
	int r = alloc_parse_dra(envp, &h, cause, sizeof(cause));
	if (r >= 0) {
		FUZZ_CHECK(h.nclaims >= before && h.nclaims <= before + (size_t)r);
		use(&h);
	} else {
		FUZZ_CHECK(h.nclaims == before);
	}
	free(envp);
	free(copy);
	alloc_free(&h);
	FUZZ_CHECK(h.nclaims == 0 && !h.exclusive_cpus);
	free(text);
	return 0;
}
