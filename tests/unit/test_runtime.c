/* test_runtime.c - Go build info, runtime_inspect, the GOMAXPROCS/OMP decisions and their environment. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "runtime.h"

/* ---- build info blobs ---- */

/* Header: 14-byte magic, pointer size, flags, padded to 32 bytes. Returns the header length. */
static size_t blob_header(unsigned char *buf, unsigned char flags)
{
	memset(buf, 0, 32);
	memcpy(buf, "\xff Go buildinf:", 14);
	buf[14] = 8;
	buf[15] = flags;
	return 32;
}

/* A Go >= 1.18 blob: header, uvarint length, version, then some module info. */
static size_t blob_inline(unsigned char *buf, const char *version)
{
	size_t off = blob_header(buf, 0x2);
	size_t n = strlen(version);
	assert_true(n < 128);
	buf[off++] = (unsigned char)n;
	memcpy(buf + off, version, n);
	off += n;
	buf[off++] = 3;
	memcpy(buf + off, "mod", 3);
	return off + 3;
}

static void ti_poison(struct target_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->go_major = ti->go_minor = 99;
	strcpy(ti->go_version, "poison");
}

static void test_buildinfo_inline_version(void **state)
{
	(void)state;
	unsigned char buf[128];
	struct target_info ti;
	ti_poison(&ti);
	size_t len = blob_inline(buf, "go1.21.5");
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, "go1.21.5");
	assert_int_equal(ti.go_major, 1);
	assert_int_equal(ti.go_minor, 21);

	ti_poison(&ti);
	len = blob_inline(buf, "go1.9");
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_string_equal(ti.go_version, "go1.9");
	assert_int_equal(ti.go_major, 1);
	assert_int_equal(ti.go_minor, 9);
}

static void test_buildinfo_two_byte_varint(void **state)
{
	(void)state;
	unsigned char buf[256];
	struct target_info ti;

	/* 8 written in two bytes (0x88 0x00): a valid uvarint that takes the multi-byte path. */
	size_t off = blob_header(buf, 0x2);
	buf[off++] = 0x88;
	buf[off++] = 0x00;
	memcpy(buf + off, "go1.22.1", 8);
	off += 8;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_string_equal(ti.go_version, "go1.22.1");
	assert_int_equal(ti.go_major, 1);
	assert_int_equal(ti.go_minor, 22);

	/* 0x90 0x01 = 144: present in the buffer but longer than go_version can hold. */
	off = blob_header(buf, 0x2);
	buf[off++] = 0x90;
	buf[off++] = 0x01;
	memset(buf + off, 'g', 144);
	memcpy(buf + off, "go1.20.1", 8);
	off += 144;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, "");
	assert_int_equal(ti.go_major, -1);
	assert_int_equal(ti.go_minor, -1);
}

static void test_buildinfo_bad_lengths(void **state)
{
	(void)state;
	unsigned char buf[64];
	struct target_info ti;
	size_t off;

	/* Length past the end of the buffer. */
	off = blob_header(buf, 0x2);
	buf[off++] = 100;
	memcpy(buf + off, "go1.21.5", 8);
	off += 8;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_string_equal(ti.go_version, "");
	assert_int_equal(ti.go_major, -1);

	/* A varint that never ends (continuation bit on the last byte). */
	off = blob_header(buf, 0x2);
	buf[off++] = 0x80;
	buf[off++] = 0x80;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_string_equal(ti.go_version, "");
	assert_int_equal(ti.go_minor, -1);

	/* A huge varint (would wrap a size_t if added). */
	off = blob_header(buf, 0x2);
	for (int i = 0; i < 9; i++)
		buf[off++] = 0xff;
	buf[off++] = 0x01;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_string_equal(ti.go_version, "");

	/* Zero length. */
	off = blob_header(buf, 0x2);
	buf[off++] = 0;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_string_equal(ti.go_version, "");
	assert_int_equal(ti.go_major, -1);

	/* Header only: no length byte at all. */
	off = blob_header(buf, 0x2);
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off, &ti), 1);
	assert_string_equal(ti.go_version, "");
}

static void test_buildinfo_not_a_version(void **state)
{
	(void)state;
	unsigned char buf[128];
	struct target_info ti;
	ti_poison(&ti);
	size_t len = blob_inline(buf, "devel +abc");
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, "devel +abc");
	assert_int_equal(ti.go_major, -1);
	assert_int_equal(ti.go_minor, -1);
}

static void test_buildinfo_before_118(void **state)
{
	(void)state;
	unsigned char buf[64];
	struct target_info ti;
	ti_poison(&ti);
	size_t len = blob_header(buf, 0x0);
	len += 16;                /* pointers, not a string */
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, "before go1.18");
	assert_int_equal(ti.go_major, 1);
	assert_int_equal(ti.go_minor, 0);

	/* Flags with other bits but not 0x2 (big-endian marker 0x1). */
	ti_poison(&ti);
	len = blob_header(buf, 0x1);
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_string_equal(ti.go_version, "before go1.18");
}

static void test_buildinfo_not_magic(void **state)
{
	(void)state;
	unsigned char buf[128];
	struct target_info ti;
	size_t len = blob_inline(buf, "go1.21.5");
	buf[0] = 0xfe;
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 0);
	assert_int_equal(ti.is_go, 0);
	assert_string_equal(ti.go_version, "poison");

	len = blob_inline(buf, "go1.21.5");
	buf[9] = 'B';             /* "buildinf" -> "Builde..." */
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 0);

	/* Magic but shorter than the 32-byte header. */
	len = blob_inline(buf, "go1.21.5");
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, 20, &ti), 0);
	assert_int_equal(ti.is_go, 0);

	memset(buf, 0, sizeof(buf));
	assert_int_equal(runtime_parse_buildinfo(buf, sizeof(buf), &ti), 0);
}

/* ---- runtime_inspect ---- */

static void test_inspect_sh(void **state)
{
	(void)state;
	struct target_info ti;
	ti_poison(&ti);
	assert_int_equal(runtime_inspect("/bin/sh", &ti), 0);
	assert_int_equal(ti.found, 1);
	assert_int_equal(ti.is_go, 0);
	assert_int_equal(ti.go_major, -1);
	assert_int_equal(ti.go_minor, -1);
	assert_string_equal(ti.go_version, "");
}

static void test_inspect_missing(void **state)
{
	(void)state;
	struct target_info ti;
	char *dir = tu_tmpdir();
	char path[512];
	snprintf(path, sizeof(path), "%s/no-such-program", dir);
	ti_poison(&ti);
	assert_int_equal(runtime_inspect(path, &ti), -ENOENT);
	assert_int_equal(ti.found, 0);
	assert_int_equal(ti.is_go, 0);
	tu_rmrf(dir);
	free(dir);
}

static void test_inspect_script_and_tiny(void **state)
{
	(void)state;
	struct target_info ti;
	char *dir = tu_tmpdir();
	char path[512];
	tu_write(dir, "script.sh", "#!/bin/sh\necho hello from a script that is long enough\n");
	tu_write(dir, "tiny", "x");
	snprintf(path, sizeof(path), "%s/script.sh", dir);
	ti_poison(&ti);
	assert_int_equal(runtime_inspect(path, &ti), 0);
	assert_int_equal(ti.found, 1);
	assert_int_equal(ti.is_go, 0);
	snprintf(path, sizeof(path), "%s/tiny", dir);
	ti_poison(&ti);
	assert_int_equal(runtime_inspect(path, &ti), 0);
	assert_int_equal(ti.found, 1);
	assert_int_equal(ti.is_go, 0);
	tu_rmrf(dir);
	free(dir);
}

/* An ELF header without section headers (e_shoff 0), and the build info 16-byte aligned after it: the
 * stripped-binary scan must find it. */
static void test_inspect_elf_without_sections(void **state)
{
	(void)state;
	unsigned char img[512];
	struct target_info ti;
	char *dir = tu_tmpdir();
	char path[512];
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;               /* ELFCLASS64 */
	img[5] = 1;               /* ELFDATA2LSB */
	img[6] = 1;               /* EV_CURRENT */
	blob_inline(img + 256, "go1.20.14");
	snprintf(path, sizeof(path), "%s/stripped", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, sizeof(img), f), sizeof(img));
	fclose(f);
	ti_poison(&ti);
	assert_int_equal(runtime_inspect(path, &ti), 0);
	assert_int_equal(ti.found, 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, "go1.20.14");
	assert_int_equal(ti.go_minor, 20);
	tu_rmrf(dir);
	free(dir);
}

static void test_inspect_real_go_binary(void **state)
{
	(void)state;
	if (system("command -v go >/dev/null 2>&1") != 0) {
		print_message("go is not on PATH: skipped\n");
		skip();
	}
	char *dir = tu_tmpdir();
	char cmd[2048], path[512], want[128] = "";
	tu_write(dir, "hello.go", "package main\n\nfunc main() { println(\"hello\") }\n");

	FILE *p = popen("go env GOVERSION 2>/dev/null", "r");
	assert_non_null(p);
	if (!fgets(want, sizeof(want), p))
		want[0] = '\0';
	pclose(p);
	want[strcspn(want, " \n")] = '\0';
	int major = -1, minor = -1;
	if (sscanf(want, "go%d.%d", &major, &minor) != 2)
		fail_msg("go env GOVERSION printed '%s'", want);

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && c=$(go env GOCACHE 2>/dev/null); "
		 "case \"$c\" in ''|off) export GOCACHE=\"$PWD/gocache\";; esac; "
		 "CGO_ENABLED=0 GOFLAGS= GOTOOLCHAIN=local go build -o hello hello.go", dir);
	int rc = system(cmd);
	if (rc != 0) {
		tu_rmrf(dir);
		free(dir);
		fail_msg("'%s' failed (%d)", cmd, rc);
	}
	snprintf(path, sizeof(path), "%s/hello", dir);
	struct target_info ti;
	ti_poison(&ti);
	rc = runtime_inspect(path, &ti);
	tu_rmrf(dir);
	free(dir);
	assert_int_equal(rc, 0);
	assert_int_equal(ti.found, 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, want);
	assert_int_equal(ti.go_major, major);
	assert_int_equal(ti.go_minor, minor);
}

/* ---- runtime_decide ---- */

struct dcase {
	struct plan pl;
	struct policy p;
	struct target_info ti;
	struct runtime_inputs in;
};

static struct dcase *dcase_new(unsigned ncpus)
{
	struct dcase *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->pl.ncpus = ncpus;
	policy_init(&c->p);
	c->ti.found = 1;
	c->ti.go_major = c->ti.go_minor = -1;
	c->in.target = &c->ti;
	return c;
}

static void dcase_go(struct dcase *c, int major, int minor)
{
	c->ti.is_go = 1;
	c->ti.go_major = major;
	c->ti.go_minor = minor;
	snprintf(c->ti.go_version, sizeof(c->ti.go_version), "go%d.%d.1", major, minor);
}

static void dcase_quota(struct dcase *c, double cpus)
{
	c->in.limit.cpus = cpus;
	snprintf(c->in.limit.source, sizeof(c->in.limit.source), "/sys/fs/cgroup/cpu.max: quota");
}

static void dcase_free(struct dcase *c)
{
	policy_free(&c->p);
	free(c);
}

static void expect_go(struct dcase *c, enum knob_action action, long value)
{
	runtime_decide(&c->pl, &c->p, &c->in);
	if (c->pl.gomaxprocs.action != action || (action == KNOB_SET && c->pl.gomaxprocs.value != value))
		fail_msg("gomaxprocs: got action %d value %ld (%s), expected action %d value %ld",
			 c->pl.gomaxprocs.action, c->pl.gomaxprocs.value, c->pl.gomaxprocs.reason, action, value);
	assert_true(c->pl.gomaxprocs.reason[0] != '\0');
}

static void expect_omp(struct dcase *c, enum knob_action action, long value)
{
	runtime_decide(&c->pl, &c->p, &c->in);
	if (c->pl.omp.action != action || (action == KNOB_SET && c->pl.omp.value != value))
		fail_msg("omp: got action %d value %ld (%s), expected action %d value %ld", c->pl.omp.action,
			 c->pl.omp.value, c->pl.omp.reason, action, value);
	assert_true(c->pl.omp.reason[0] != '\0');
}

static void test_decide_go119_sets_ncpus(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 19);
	expect_go(c, KNOB_SET, 4);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "go1.19.1"));
	dcase_free(c);
}

static void test_decide_go_user_env_kept(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 19);
	c->in.env_gomaxprocs = "3";
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "GOMAXPROCS=3"));
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "kept"));
	dcase_free(c);
}

static void test_decide_go125_left_alone(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 25);
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "reads its CPU affinity"));
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_quota(c, 1.5);
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 2, 0);
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);

	/* The last release before 1.25 is still set. */
	c = dcase_new(4);
	dcase_go(c, 1, 24);
	expect_go(c, KNOB_SET, 4);
	dcase_free(c);
}

static void test_decide_go_unknown_version_set(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(6);
	c->ti.is_go = 1;          /* version unreadable: major/minor -1 */
	expect_go(c, KNOB_SET, 6);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "version unknown"));
	dcase_free(c);

	c = dcase_new(6);
	c->ti.is_go = 1;
	c->ti.go_major = 1;
	c->ti.go_minor = 0;
	strcpy(c->ti.go_version, "before go1.18");
	expect_go(c, KNOB_SET, 6);
	dcase_free(c);
}

static void test_decide_not_go(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "not a Go program"));
	dcase_free(c);
}

static void test_decide_no_target(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	c->in.target = NULL;
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "no command"));
	dcase_free(c);

	/* A target that was not found counts as none. */
	c = dcase_new(4);
	dcase_go(c, 1, 19);
	c->ti.found = 0;
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);
}

static void test_decide_quota_caps(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_quota(c, 1.5);
	expect_go(c, KNOB_SET, 2);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "quota"));
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_quota(c, 0.5);
	expect_go(c, KNOB_SET, 1);
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_quota(c, 8);
	expect_go(c, KNOB_SET, 4);
	dcase_free(c);

	/* Exactly 3 CPUs of quota: 3, not 4 (no rounding up of an exact quotient). */
	c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_quota(c, 3.0);
	expect_go(c, KNOB_SET, 3);
	dcase_free(c);
}

static void test_decide_modes(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 19);
	c->p.gomaxprocs.mode = KNOB_KEEP;
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 19);
	c->p.gomaxprocs.mode = KNOB_OFF;
	expect_go(c, KNOB_UNSET, 0);
	dcase_free(c);

	c = dcase_new(4);
	c->p.gomaxprocs.mode = KNOB_VALUE;
	c->p.gomaxprocs.value = 7;
	expect_go(c, KNOB_SET, 7);
	dcase_free(c);
}

static void test_decide_always(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	c->p.gomaxprocs.mode = KNOB_ALWAYS;
	expect_go(c, KNOB_SET, 4);     /* not a Go program */
	dcase_free(c);

	c = dcase_new(4);
	c->p.gomaxprocs.mode = KNOB_ALWAYS;
	dcase_quota(c, 1.5);
	expect_go(c, KNOB_SET, 2);
	dcase_free(c);

	c = dcase_new(4);
	c->p.gomaxprocs.mode = KNOB_ALWAYS;
	c->in.target = NULL;
	expect_go(c, KNOB_SET, 4);
	dcase_free(c);

	c = dcase_new(4);
	c->p.gomaxprocs.mode = KNOB_ALWAYS;
	dcase_go(c, 1, 25);
	expect_go(c, KNOB_SET, 4);
	dcase_free(c);
}

static void test_decide_omp(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	expect_omp(c, KNOB_NONE, 0);    /* default keep */
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	expect_omp(c, KNOB_SET, 4);
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	c->in.env_omp = "2";
	expect_omp(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.omp.reason, "OMP_NUM_THREADS=2"));
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_KEEP;
	c->in.env_omp = NULL;
	expect_omp(c, KNOB_NONE, 0);
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_OFF;
	expect_omp(c, KNOB_UNSET, 0);
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_VALUE;
	c->p.omp.value = 3;
	expect_omp(c, KNOB_SET, 3);
	dcase_free(c);
}

/* ---- runtime_apply_env ---- */

static void test_apply_env(void **state)
{
	(void)state;
	struct plan pl;
	struct policy p;
	memset(&pl, 0, sizeof(pl));
	policy_init(&p);
	policy_setenv(&p, "NUMARUN_TEST_A", "hello world");
	policy_setenv(&p, "NUMARUN_TEST_B", "2");
	setenv("NUMARUN_TEST_B", "old", 1);
	setenv("GOMAXPROCS", "99", 1);
	setenv("OMP_NUM_THREADS", "5", 1);
	pl.gomaxprocs.action = KNOB_SET;
	pl.gomaxprocs.value = 4;
	pl.omp.action = KNOB_UNSET;
	assert_int_equal(runtime_apply_env(&pl, &p), 0);
	assert_non_null(getenv("NUMARUN_TEST_A"));
	assert_string_equal(getenv("NUMARUN_TEST_A"), "hello world");
	assert_string_equal(getenv("NUMARUN_TEST_B"), "2");
	assert_non_null(getenv("GOMAXPROCS"));
	assert_string_equal(getenv("GOMAXPROCS"), "4");
	assert_null(getenv("OMP_NUM_THREADS"));
	policy_free(&p);
	unsetenv("NUMARUN_TEST_A");
	unsetenv("NUMARUN_TEST_B");
	unsetenv("GOMAXPROCS");
}

static void test_apply_env_none_leaves_alone(void **state)
{
	(void)state;
	struct plan pl;
	struct policy p;
	memset(&pl, 0, sizeof(pl));
	policy_init(&p);
	setenv("GOMAXPROCS", "7", 1);
	unsetenv("OMP_NUM_THREADS");
	pl.gomaxprocs.action = KNOB_NONE;
	pl.omp.action = KNOB_SET;
	pl.omp.value = 12;
	assert_int_equal(runtime_apply_env(&pl, &p), 0);
	assert_string_equal(getenv("GOMAXPROCS"), "7");
	assert_non_null(getenv("OMP_NUM_THREADS"));
	assert_string_equal(getenv("OMP_NUM_THREADS"), "12");
	policy_free(&p);
	unsetenv("GOMAXPROCS");
	unsetenv("OMP_NUM_THREADS");
}

/* The decisions come after [env]: a policy's GOMAXPROCS entry loses to a SET, stays with NONE. */
static void test_apply_env_decision_after_policy_env(void **state)
{
	(void)state;
	struct plan pl;
	struct policy p;
	memset(&pl, 0, sizeof(pl));
	policy_init(&p);
	policy_setenv(&p, "GOMAXPROCS", "9");
	unsetenv("GOMAXPROCS");
	pl.gomaxprocs.action = KNOB_SET;
	pl.gomaxprocs.value = 4;
	assert_int_equal(runtime_apply_env(&pl, &p), 0);
	assert_string_equal(getenv("GOMAXPROCS"), "4");

	unsetenv("GOMAXPROCS");
	pl.gomaxprocs.action = KNOB_NONE;
	assert_int_equal(runtime_apply_env(&pl, &p), 0);
	assert_non_null(getenv("GOMAXPROCS"));
	assert_string_equal(getenv("GOMAXPROCS"), "9");
	policy_free(&p);
	unsetenv("GOMAXPROCS");
}

int main(void)
{
	const struct CMUnitTest buildinfo[] = {
		cmocka_unit_test(test_buildinfo_inline_version),
		cmocka_unit_test(test_buildinfo_two_byte_varint),
		cmocka_unit_test(test_buildinfo_bad_lengths),
		cmocka_unit_test(test_buildinfo_not_a_version),
		cmocka_unit_test(test_buildinfo_before_118),
		cmocka_unit_test(test_buildinfo_not_magic),
	};
	const struct CMUnitTest inspect[] = {
		cmocka_unit_test(test_inspect_sh),
		cmocka_unit_test(test_inspect_missing),
		cmocka_unit_test(test_inspect_script_and_tiny),
		cmocka_unit_test(test_inspect_elf_without_sections),
		cmocka_unit_test(test_inspect_real_go_binary),
	};
	const struct CMUnitTest decide[] = {
		cmocka_unit_test(test_decide_go119_sets_ncpus),
		cmocka_unit_test(test_decide_go_user_env_kept),
		cmocka_unit_test(test_decide_go125_left_alone),
		cmocka_unit_test(test_decide_go_unknown_version_set),
		cmocka_unit_test(test_decide_not_go),
		cmocka_unit_test(test_decide_no_target),
		cmocka_unit_test(test_decide_quota_caps),
		cmocka_unit_test(test_decide_modes),
		cmocka_unit_test(test_decide_always),
		cmocka_unit_test(test_decide_omp),
	};
	const struct CMUnitTest apply[] = {
		cmocka_unit_test(test_apply_env),
		cmocka_unit_test(test_apply_env_none_leaves_alone),
		cmocka_unit_test(test_apply_env_decision_after_policy_env),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("runtime_parse_buildinfo", buildinfo, NULL, NULL);
	failed += cmocka_run_group_tests_name("runtime_inspect", inspect, NULL, NULL);
	failed += cmocka_run_group_tests_name("runtime_decide", decide, NULL, NULL);
	failed += cmocka_run_group_tests_name("runtime_apply_env", apply, NULL, NULL);
	return failed ? 1 : 0;
}
