/* test_allocator.c - the hand-offs of the Kubernetes CPU allocators: resources.sh of the NRI resource
 * policies (canned under tests/data/allocator/<case>/.nri-resource-policy/) and the DRA CPU driver's
 * DRA_CPUSET_<claim> variables (canned as <case>.env), read, described and written as JSON. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "allocator.h"

/* $top_srcdir/tests/data/allocator/rel. */
static const char *data(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int k;
	char *b = bufs[k++ % 4];
	const char *top = getenv("top_srcdir");
	snprintf(b, PATH_MAX, "%s/tests/data/allocator/%s", top ? top : ".", rel);
	return b;
}

/* The path alloc_read reads under a canned root. */
static const char *nri_path(const char *root)
{
	static char b[PATH_MAX];
	snprintf(b, sizeof(b), "%s%s", root, ALLOC_NRI_FILE);
	return b;
}

/* A canned .env file as an environment (one NAME=value a line). Freed with env_free. */
static char **env_load(const char *rel)
{
	FILE *f = fopen(data(rel), "r");
	if (!f)
		fail_msg("%s: %s", data(rel), strerror(errno));
	char **env = calloc(64, sizeof(*env)), line[4096];
	size_t n = 0;
	while (n < 63 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		env[n++] = strdup(line);
	}
	fclose(f);
	return env;
}

static void env_free(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

#define assert_set(set, list) assert_string_equal(tu_list(set), list)

/* Every set exists once any call has been made, and the ones not given are empty. */
static void assert_sets_exist(const struct alloc_handoff *h)
{
	assert_non_null(h->exclusive_cpus);
	assert_non_null(h->shared_cpus);
	assert_non_null(h->isolated_cpus);
	assert_non_null(h->mems);
	assert_non_null(h->dram_mems);
	assert_non_null(h->pmem_mems);
	assert_non_null(h->hbm_mems);
}

static int read_root(struct alloc_handoff *h, const char *root, char **env, char *cause, size_t len)
{
	int rc = alloc_read(h, root, env, cause, len);
	assert_sets_exist(h);
	return rc;
}

static const char *describe(const struct alloc_handoff *h)
{
	static char b[1024];
	return alloc_describe(h, b, sizeof(b));
}

static char *json_of(const struct alloc_handoff *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	alloc_print_json(f, h);
	fclose(f);
	return buf;
}

/* ---- resources.sh, as the topology-aware policy writes it ---- */

/* A guaranteed container with whole CPUs: EXCLUSIVE_CPUS, and the memory nodes by type. */
static void test_topology_aware_exclusive(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	const char *root = data("topology-aware-exclusive");
	assert_int_equal(read_root(&h, root, NULL, cause, sizeof(cause)), ALLOC_FROM_NRI);
	assert_int_equal(h.from, ALLOC_FROM_NRI);
	assert_int_equal(h.have, ALLOC_HAVE_EXCLUSIVE | ALLOC_HAVE_MEMS | ALLOC_HAVE_DRAM);
	assert_set(h.exclusive_cpus, "2-5");
	assert_set(h.shared_cpus, "none");
	assert_set(h.mems, "0");
	assert_set(h.dram_mems, "0");
	assert_string_equal(h.nri_file, nri_path(root));
	assert_string_equal(h.sources, nri_path(root));
	assert_int_equal(h.nclaims, 0);
	hwloc_bitmap_t all = hwloc_bitmap_alloc();
	alloc_cpus(&h, all);
	assert_set(all, "2-5");
	hwloc_bitmap_free(all);
	alloc_free(&h);
	assert_null(h.exclusive_cpus);
	assert_null(h.sources);
}

/* A burstable container: the shared pool only. */
static void test_topology_aware_shared(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(read_root(&h, data("topology-aware-shared"), NULL, cause, sizeof(cause)), ALLOC_FROM_NRI);
	assert_int_equal(h.have, ALLOC_HAVE_SHARED | ALLOC_HAVE_MEMS | ALLOC_HAVE_DRAM);
	assert_set(h.shared_cpus, "0-1,6-15");
	assert_set(h.exclusive_cpus, "none");
	assert_set(h.mems, "0-1");
	assert_set(h.dram_mems, "0-1");
	alloc_free(&h);
}

/* Exclusive CPUs that are kernel-isolated go to ISOLATED_CPUS (and no EXCLUSIVE_CPUS is written). */
static void test_topology_aware_isolated(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(read_root(&h, data("topology-aware-isolated"), NULL, cause, sizeof(cause)), ALLOC_FROM_NRI);
	assert_int_equal(h.have, ALLOC_HAVE_ISOLATED | ALLOC_HAVE_MEMS | ALLOC_HAVE_DRAM);
	assert_set(h.isolated_cpus, "12-13");
	hwloc_bitmap_t all = hwloc_bitmap_alloc();
	alloc_cpus(&h, all);
	assert_set(all, "12-13");
	hwloc_bitmap_free(all);
	alloc_free(&h);
}

/* Exclusive and shared CPUs, memory nodes of every type (the writer sorts the names). */
static void test_topology_aware_mixed(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(read_root(&h, data("topology-aware-mixed"), NULL, cause, sizeof(cause)), ALLOC_FROM_NRI);
	assert_int_equal(h.have, ALLOC_HAVE_EXCLUSIVE | ALLOC_HAVE_SHARED | ALLOC_HAVE_MEMS | ALLOC_HAVE_DRAM |
					 ALLOC_HAVE_PMEM | ALLOC_HAVE_HBM);
	assert_set(h.exclusive_cpus, "4-5");
	assert_set(h.shared_cpus, "0-3,6-7");
	assert_set(h.mems, "0,2-3");
	assert_set(h.dram_mems, "0");
	assert_set(h.pmem_mems, "2");
	assert_set(h.hbm_mems, "3");
	hwloc_bitmap_t all = hwloc_bitmap_alloc();
	alloc_cpus(&h, all);
	assert_set(all, "0-7");
	hwloc_bitmap_free(all);
	char want[2 * PATH_MAX];
	snprintf(want, sizeof(want),
		 "exclusive CPUs 4-5, shared CPUs 0-3,6-7, memory nodes 0,2-3 (DRAM 0, PMEM 2, HBM 3) from %s",
		 nri_path(data("topology-aware-mixed")));
	assert_string_equal(describe(&h), want);
	alloc_free(&h);
}

/* The balloons policy exports nothing: the file is there, empty. Read, and nothing given. */
static void test_balloons_empty_file(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512], want[2 * PATH_MAX];
	const char *root = data("balloons");
	assert_int_equal(read_root(&h, root, NULL, cause, sizeof(cause)), ALLOC_FROM_NRI);
	assert_int_equal(h.have, 0);
	assert_set(h.exclusive_cpus, "none");
	assert_string_equal(h.nri_file, nri_path(root));
	snprintf(want, sizeof(want), "no CPUs or memory nodes given from %s", nri_path(root));
	assert_string_equal(describe(&h), want);
	alloc_free(&h);
}

/* export, single quotes, bare words, comments, blank lines, "export NAME", unknown variables. */
static void test_hand_written_forms(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(read_root(&h, data("hand-written"), NULL, cause, sizeof(cause)), ALLOC_FROM_NRI);
	assert_int_equal(h.have, ALLOC_HAVE_EXCLUSIVE | ALLOC_HAVE_SHARED | ALLOC_HAVE_MEMS);
	assert_set(h.exclusive_cpus, "2-3");
	assert_set(h.shared_cpus, "0-1");
	assert_set(h.mems, "0");
	alloc_free(&h);
}

/* ---- malformed files: the path, the line, the variable and the value ---- */

static void expect_file_error(const char *name, int line, const char *what)
{
	struct alloc_handoff h = {0};
	char cause[512], want[2 * PATH_MAX];
	const char *root = data(name);
	assert_int_equal(read_root(&h, root, NULL, cause, sizeof(cause)), -1);
	snprintf(want, sizeof(want), "%s:%d: %s", nri_path(root), line, what);
	assert_string_equal(cause, want);
	assert_int_equal(h.from, 0);
	assert_int_equal(h.have, 0);
	assert_null(h.sources);
	alloc_free(&h);
}

static void test_malformed_files(void **state)
{
	(void)state;
	expect_file_error("malformed-open-range", 3, "EXCLUSIVE_CPUS: '1-' is not a CPU list");
	expect_file_error("malformed-mems", 1, "ALL_MEMS: 'node0' is not a memory node list");
	expect_file_error("malformed-quote", 2, "unterminated double quote: 'SHARED_CPUS=\"0-3'");
	expect_file_error("malformed-spaces", 3,
			  "spaces before '=' (not a shell assignment): 'SHARED_CPUS = \"0-3\"'");
}

/* ---- alloc_parse_nri on text ---- */

static int nri(const char *text, struct alloc_handoff *h, char *cause)
{
	int rc = alloc_parse_nri(text, h, cause, 512);
	assert_sets_exist(h);
	return rc;
}

static void expect_text_error(const char *text, const char *want)
{
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(nri(text, &h, cause), -1);
	assert_string_equal(cause, want);
	alloc_free(&h);
}

static void test_text_values(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	/* The writer's own quoting (Go %q), no final newline, CRLF line ends, an empty set. */
	assert_int_equal(nri("ALL_MEMS=\"\"\r\nEXCLUSIVE_CPUS=\"0,2,4\"", &h, cause), 0);
	assert_int_equal(h.have, ALLOC_HAVE_MEMS | ALLOC_HAVE_EXCLUSIVE);
	assert_set(h.mems, "none");
	assert_set(h.exclusive_cpus, "0,2,4");
	assert_string_equal(h.sources, ALLOC_NRI_FILE);
	assert_string_equal(h.nri_file, ALLOC_NRI_FILE);
	alloc_free(&h);

	/* Shell semantics: the last assignment wins; quotes may join pieces of a word. */
	assert_int_equal(nri("SHARED_CPUS=0-1\nSHARED_CPUS=\"2\"'-'3\n", &h, cause), 0);
	assert_set(h.shared_cpus, "2-3");
	alloc_free(&h);

	/* Unknown variables are ignored whatever their value (Go escapes, $, spaces in quotes). */
	assert_int_equal(nri("# a comment\n\t\nFUTURE_THING=\"a \\\"b\\\" \\\\ \\n $x\"\nnext_ONE=weird$value\n"
			     "EXCLUSIVE_CPUS=\"7\" # trailing comment\n",
			     &h, cause),
			 0);
	assert_int_equal(h.have, ALLOC_HAVE_EXCLUSIVE);
	assert_set(h.exclusive_cpus, "7");
	alloc_free(&h);

	/* An empty text (the balloons file). */
	assert_int_equal(nri("", &h, cause), 0);
	assert_int_equal(h.from, ALLOC_FROM_NRI);
	assert_int_equal(h.have, 0);
	alloc_free(&h);
}

/* Lists as the allocators write them, nothing else: not numactl's all, !, + forms, no spaces, no
 * open or descending ranges, no absurd indexes. */
static void test_text_bad_lists(void **state)
{
	(void)state;
	static const char *bad[] = {"1-", "-1", "3-1", "1,,2", "1,", ",1", "all", "!1", "+0", " 1", "1 ",
				    "0x3", "1-2-3", "0-3, 8", "70000", "99999999999999999999", "$CPUS"};
	char text[128], want[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "ALL_MEMS=\"0\"\nSHARED_CPUS=\"%s\"\n", bad[i]);
		snprintf(want, sizeof(want), "%s:2: SHARED_CPUS: '%s' is not a CPU list", ALLOC_NRI_FILE, bad[i]);
		expect_text_error(text, want);
	}
	expect_text_error("HBM_MEMS=1-0", ALLOC_NRI_FILE ":1: HBM_MEMS: '1-0' is not a memory node list");
	/* The largest index taken. */
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(nri("ISOLATED_CPUS=65535", &h, cause), 0);
	assert_set(h.isolated_cpus, "65535");
	alloc_free(&h);
}

static void test_text_bad_lines(void **state)
{
	(void)state;
	expect_text_error("EXCLUSIVE_CPUS", ALLOC_NRI_FILE ":1: not a NAME=value assignment: 'EXCLUSIVE_CPUS'");
	expect_text_error("\n\necho hello\n", ALLOC_NRI_FILE ":3: not a NAME=value assignment: 'echo hello'");
	expect_text_error("1CPUS=2", ALLOC_NRI_FILE ":1: not a NAME=value assignment: '1CPUS=2'");
	expect_text_error("export", ALLOC_NRI_FILE ":1: not a NAME=value assignment: 'export'");
	expect_text_error("SHARED_CPUS='0-3", ALLOC_NRI_FILE ":1: unterminated single quote: 'SHARED_CPUS='0-3'");
	expect_text_error("SHARED_CPUS=0-3 EXCLUSIVE_CPUS=4",
			  ALLOC_NRI_FILE ":1: text after the value (one assignment a line): "
					 "'SHARED_CPUS=0-3 EXCLUSIVE_CPUS=4'");
	expect_text_error("SHARED_CPUS=0-3;", ALLOC_NRI_FILE ":1: shell syntax beyond an assignment: 'SHARED_CPUS=0-3;'");
	expect_text_error("SHARED_CPUS=0-3\\", ALLOC_NRI_FILE ":1: a line continuation (one assignment a line): "
						  "'SHARED_CPUS=0-3\\'");
	/* An error leaves out's sets as they were. */
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(nri("EXCLUSIVE_CPUS=1", &h, cause), 0);
	assert_int_equal(nri("EXCLUSIVE_CPUS=2\nSHARED_CPUS=x\n", &h, cause), -1);
	assert_set(h.exclusive_cpus, "1");
	assert_int_equal(h.have, ALLOC_HAVE_EXCLUSIVE);
	assert_string_equal(h.sources, ALLOC_NRI_FILE);
	alloc_free(&h);
}

/* ---- DRA_CPUSET_<claim> ---- */

static void test_dra_one_claim(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	char **env = env_load("dra-one.env");
	assert_int_equal(alloc_parse_dra(env, &h, cause, sizeof(cause)), 1);
	assert_sets_exist(&h);
	assert_int_equal(h.from, ALLOC_FROM_DRA);
	assert_int_equal(h.have, ALLOC_HAVE_EXCLUSIVE);
	assert_int_equal(h.nclaims, 1);
	assert_string_equal(h.claims[0].name, "5f1b7a3e-0c2d-4b8e-9a61-3d2c7e4f9b10");
	assert_set(h.claims[0].cpus, "4-7");
	assert_set(h.exclusive_cpus, "4-7");
	assert_null(h.nri_file);
	assert_string_equal(h.sources, "DRA_CPUSET_5f1b7a3e-0c2d-4b8e-9a61-3d2c7e4f9b10");
	assert_string_equal(describe(&h), "exclusive CPUs 4-7 from DRA_CPUSET_5f1b7a3e-0c2d-4b8e-9a61-3d2c7e4f9b10");
	alloc_free(&h);
	env_free(env);
}

/* Several claims: each kept, in the environment's order, their union as the exclusive CPUs. */
static void test_dra_several_claims(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	char **env = env_load("dra-several.env");
	assert_int_equal(read_root(&h, data("nonexistent"), env, cause, sizeof(cause)), ALLOC_FROM_DRA);
	assert_int_equal(h.nclaims, 2);
	assert_string_equal(h.claims[0].name, "0a9c2f6d-7e41-4d3b-b8f2-61c5e0a4d7e3");
	assert_set(h.claims[0].cpus, "2-3,34-35");
	assert_string_equal(h.claims[1].name, "c3e81b05-94d2-4f6a-a0b7-5d9e2c1f8a46");
	assert_set(h.claims[1].cpus, "8,40");
	assert_set(h.exclusive_cpus, "2-3,8,34-35,40");
	assert_string_equal(h.sources, "DRA_CPUSET_0a9c2f6d-7e41-4d3b-b8f2-61c5e0a4d7e3, "
				       "DRA_CPUSET_c3e81b05-94d2-4f6a-a0b7-5d9e2c1f8a46");
	alloc_free(&h);
	env_free(env);
}

static void test_dra_edge_cases(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	/* No claims, or no environment: nothing read. DRA_CPUSET without the '_' is not the driver's. */
	char *none[] = {"PATH=/bin", "DRA_CPUSETX=1", "DRA_CPUSET=2", NULL};
	assert_int_equal(alloc_parse_dra(none, &h, cause, sizeof(cause)), 0);
	assert_int_equal(alloc_parse_dra(NULL, &h, cause, sizeof(cause)), 0);
	assert_int_equal(h.from, 0);
	assert_int_equal(h.have, 0);
	assert_null(h.sources);
	assert_string_equal(describe(&h), "none (no " ALLOC_NRI_FILE ", no DRA_CPUSET_* variable)");
	/* A claim given twice keeps its first value, as getenv would; an empty value is an empty set. */
	char *twice[] = {"DRA_CPUSET_a=1", "DRA_CPUSET_b=", "DRA_CPUSET_a=2", NULL};
	assert_int_equal(alloc_parse_dra(twice, &h, cause, sizeof(cause)), 2);
	assert_int_equal(h.nclaims, 2);
	assert_set(h.claims[0].cpus, "1");
	assert_set(h.claims[1].cpus, "none");
	assert_set(h.exclusive_cpus, "1");
	assert_string_equal(h.sources, "DRA_CPUSET_a, DRA_CPUSET_b");
	alloc_free(&h);
}

static void expect_dra_error(char **env, const char *want)
{
	struct alloc_handoff h = {0};
	char cause[512];
	assert_int_equal(alloc_parse_dra(env, &h, cause, sizeof(cause)), -1);
	assert_string_equal(cause, want);
	assert_int_equal(h.nclaims, 0);
	assert_int_equal(h.from, 0);
	alloc_free(&h);
}

static void test_dra_malformed(void **state)
{
	(void)state;
	char **env = env_load("dra-malformed.env");
	expect_dra_error(env, "DRA_CPUSET_malformed_claim: 'a-b' is not a CPU list");
	env_free(env);
	char *noeq[] = {"DRA_CPUSET_claim-uid-1", NULL};
	expect_dra_error(noeq, "DRA_CPUSET_claim-uid-1: not NAME=value");
	char *noname[] = {"DRA_CPUSET_=0-1", NULL};
	expect_dra_error(noname, "DRA_CPUSET_: no claim after DRA_CPUSET_");
	char *spaced[] = {"DRA_CPUSET_a=0,1", "DRA_CPUSET_b=2, 3", NULL};
	expect_dra_error(spaced, "DRA_CPUSET_b: '2, 3' is not a CPU list");
}

/* ---- alloc_read: both sources, absent ones, unreadable ones ---- */

static void test_read_both_sources(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	char **env = env_load("dra-one.env");
	/* A trailing slash on the root is the same root. */
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%s/", data("topology-aware-shared"));
	assert_int_equal(read_root(&h, root, env, cause, sizeof(cause)), ALLOC_FROM_NRI | ALLOC_FROM_DRA);
	assert_int_equal(h.from, ALLOC_FROM_NRI | ALLOC_FROM_DRA);
	const char *path = nri_path(data("topology-aware-shared"));
	assert_string_equal(h.nri_file, path);
	char want[2 * PATH_MAX];
	snprintf(want, sizeof(want), "%s, DRA_CPUSET_5f1b7a3e-0c2d-4b8e-9a61-3d2c7e4f9b10", path);
	assert_string_equal(h.sources, want);
	assert_set(h.exclusive_cpus, "4-7");
	assert_set(h.shared_cpus, "0-1,6-15");
	assert_int_equal(h.nclaims, 1);
	/* A malformed environment: nothing of either is taken. */
	alloc_free(&h);
	char **bad = env_load("dra-malformed.env");
	assert_int_equal(read_root(&h, data("topology-aware-shared"), bad, cause, sizeof(cause)), -1);
	assert_string_equal(cause, "DRA_CPUSET_malformed_claim: 'a-b' is not a CPU list");
	assert_int_equal(h.have, 0);
	assert_null(h.sources);
	alloc_free(&h);
	env_free(bad);
	env_free(env);
}

static void test_read_absent_and_unreadable(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	/* No such root, a root without the directory, a regular file where the directory would be. */
	char *dir = tu_tmpdir();
	assert_int_equal(read_root(&h, data("nonexistent"), NULL, cause, sizeof(cause)), 0);
	assert_int_equal(read_root(&h, dir, NULL, cause, sizeof(cause)), 0);
	tu_write(dir, ".nri-resource-policy", "not a directory\n");
	assert_int_equal(read_root(&h, dir, NULL, cause, sizeof(cause)), 0);
	assert_int_equal(h.from, 0);
	assert_null(h.sources);
	/* Something that exists but cannot be read is an error, not an absent file. */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/.nri-resource-policy", dir);
	assert_int_equal(remove(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s%s", dir, ALLOC_NRI_FILE);
	assert_int_equal(mkdir(path, 0755), 0);
	char want[2 * PATH_MAX];
	assert_int_equal(read_root(&h, dir, NULL, cause, sizeof(cause)), -1);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(EISDIR));
	assert_string_equal(cause, want);
	rmdir(path);
	/* A NUL byte, a file far larger than any resources.sh. */
	FILE *f = fopen(path, "w");
	fwrite("ALL_MEMS=0\n\0\n", 1, 13, f);
	fclose(f);
	assert_int_equal(read_root(&h, dir, NULL, cause, sizeof(cause)), -1);
	snprintf(want, sizeof(want), "%s: holds a NUL byte, not a text file", path);
	assert_string_equal(cause, want);
	f = fopen(path, "w");
	for (int i = 0; i < 7000; i++)
		fputs("# padding\n", f);
	fclose(f);
	assert_int_equal(read_root(&h, dir, NULL, cause, sizeof(cause)), -1);
	snprintf(want, sizeof(want), "%s: larger than 64 KiB, not a resources.sh", path);
	assert_string_equal(cause, want);
	assert_int_equal(h.from, 0);
	alloc_free(&h);
	tu_rmrf(dir);
	free(dir);
}

/* ---- JSON and the one-line description ---- */

static void test_json(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	char *j = json_of(&h);
	assert_string_equal(j, "{\"numarun_allocation\":1,\"from\":{\"nri\":false,\"dra\":false},\"sources\":null,"
			       "\"nri_file\":null,\"cpus\":\"none\",\"exclusive_cpus\":null,\"isolated_cpus\":null,"
			       "\"shared_cpus\":null,\"memory_nodes\":{\"all\":null,\"dram\":null,\"pmem\":null,"
			       "\"hbm\":null},\"dra_claims\":[]}\n");
	free(j);
	assert_int_equal(nri("ALL_MEMS=\"\"\nISOLATED_CPUS=\"3\"\nSHARED_CPUS=\"0-1\"\nPMEM_MEMS=\"2\"\n", &h, cause), 0);
	char *env[] = {"DRA_CPUSET_x\"y=8-9", NULL};
	assert_int_equal(alloc_parse_dra(env, &h, cause, sizeof(cause)), 1);
	j = json_of(&h);
	assert_string_equal(j, "{\"numarun_allocation\":1,\"from\":{\"nri\":true,\"dra\":true},"
			       "\"sources\":\"/.nri-resource-policy/resources.sh, DRA_CPUSET_x\\\"y\","
			       "\"nri_file\":\"/.nri-resource-policy/resources.sh\",\"cpus\":\"0-1,3,8-9\","
			       "\"exclusive_cpus\":\"8-9\",\"isolated_cpus\":\"3\",\"shared_cpus\":\"0-1\","
			       "\"memory_nodes\":{\"all\":\"none\",\"dram\":null,\"pmem\":\"2\",\"hbm\":null},"
			       "\"dra_claims\":[{\"claim\":\"x\\\"y\",\"variable\":\"DRA_CPUSET_x\\\"y\",\"cpus\":\"8-9\"}]}\n");
	free(j);
	assert_string_equal(describe(&h), "exclusive CPUs 8-9, isolated CPUs 3, shared CPUs 0-1, memory nodes none "
					  "(PMEM 2) from /.nri-resource-policy/resources.sh, DRA_CPUSET_x\"y");
	alloc_free(&h);
}

static void test_describe(void **state)
{
	(void)state;
	struct alloc_handoff h = {0};
	char cause[512];
	/* Types without ALL_MEMS (not the writer's, but a file may say so): the nodes are their union. */
	assert_int_equal(nri("DRAM_MEMS=0\nHBM_MEMS=2-3\n", &h, cause), 0);
	assert_string_equal(describe(&h), "memory nodes 0,2-3 (DRAM 0, HBM 2-3) from " ALLOC_NRI_FILE);
	/* A short buffer is cut, still terminated. */
	char small[16];
	assert_string_equal(alloc_describe(&h, small, sizeof(small)), "memory nodes 0,");
	alloc_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topology_aware_exclusive),
		cmocka_unit_test(test_topology_aware_shared),
		cmocka_unit_test(test_topology_aware_isolated),
		cmocka_unit_test(test_topology_aware_mixed),
		cmocka_unit_test(test_balloons_empty_file),
		cmocka_unit_test(test_hand_written_forms),
		cmocka_unit_test(test_malformed_files),
		cmocka_unit_test(test_text_values),
		cmocka_unit_test(test_text_bad_lists),
		cmocka_unit_test(test_text_bad_lines),
		cmocka_unit_test(test_dra_one_claim),
		cmocka_unit_test(test_dra_several_claims),
		cmocka_unit_test(test_dra_edge_cases),
		cmocka_unit_test(test_dra_malformed),
		cmocka_unit_test(test_read_both_sources),
		cmocka_unit_test(test_read_absent_and_unreadable),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
