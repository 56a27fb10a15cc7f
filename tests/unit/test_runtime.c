/* test_runtime.c - Go build info, runtime_inspect, the GOMAXPROCS/OMP decisions and their environment. */
#include "config.h"
#include <elf.h>
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

static size_t put_uvarint(unsigned char *p, unsigned long long v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static const unsigned char info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
					     0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const unsigned char info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
					   0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

/* A Go >= 1.18 blob as the linker writes it: header, version, then the module info in its sentinels. */
static size_t blob_modinfo(unsigned char *buf, const char *version, const char *modinfo)
{
	size_t off = blob_header(buf, 0x2);
	size_t n = strlen(version), m = strlen(modinfo);
	off += put_uvarint(buf + off, n);
	memcpy(buf + off, version, n);
	off += n;
	off += put_uvarint(buf + off, m + 32);
	memcpy(buf + off, info_start, 16);
	memcpy(buf + off + 16, modinfo, m);
	memcpy(buf + off + 16 + m, info_end, 16);
	return off + m + 32;
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

#define MOD_124_BY_126                                                                                   \
	"path\tnumarun/goprobe\nmod\tnumarun/goprobe\t(devel)\t\nbuild\t-buildmode=exe\nbuild\t-compiler=gc\n" \
	"build\tDefaultGODEBUG=containermaxprocs=0,cryptocustomrand=1,decoratemappings=0,tlssecpmlkem=0,"      \
	"tlssha1=1,updatemaxprocs=0,urlstrictcolons=0,x509sha256skid=0\nbuild\tCGO_ENABLED=0\n"             \
	"build\tGOARCH=amd64\nbuild\tGOOS=linux\nbuild\tGOAMD64=v1\n"

static void test_buildinfo_modinfo(void **state)
{
	(void)state;
	unsigned char buf[2048];
	struct target_info ti;
	long v = -5;
	ti_poison(&ti);
	size_t len = blob_modinfo(buf, "go1.26.8", MOD_124_BY_126);
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_string_equal(ti.go_version, "go1.26.8");
	assert_int_equal(ti.go_minor, 26);
	assert_int_equal(ti.has_modinfo, 1);
	assert_string_equal(ti.default_godebug, "containermaxprocs=0,cryptocustomrand=1,decoratemappings=0,"
						"tlssecpmlkem=0,tlssha1=1,updatemaxprocs=0,urlstrictcolons=0,"
						"x509sha256skid=0");
	assert_int_equal(ti.default_godebug_cut, 0);
	assert_int_equal(ti.cgo_enabled, 0);
	assert_int_equal(runtime_godebug_int(ti.default_godebug, "containermaxprocs", &v), 1);
	assert_int_equal(v, 0);

	/* A go 1.25 module: no DefaultGODEBUG line at all; cgo on. */
	ti_poison(&ti);
	len = blob_modinfo(buf, "go1.25.0", "path\tx\nmod\tx\t(devel)\t\nbuild\tCGO_ENABLED=1\nbuild\tGOOS=linux\n");
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_int_equal(ti.has_modinfo, 1);
	assert_string_equal(ti.default_godebug, "");
	assert_int_equal(ti.cgo_enabled, 1);

	/* A quoted value (Go quotes values holding spaces or quotes). */
	ti_poison(&ti);
	len = blob_modinfo(buf, "go1.26.1", "build\tDefaultGODEBUG=\"a=1,b=\\\"2\\\"\"\n");
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_string_equal(ti.default_godebug, "a=1,b=\"2\"");
	assert_int_equal(ti.cgo_enabled, -1);

	/* "build\t" lines only: a "dep" or "path" line with the same words does not count. */
	ti_poison(&ti);
	len = blob_modinfo(buf, "go1.26.1", "path\tDefaultGODEBUG=containermaxprocs=0\ndep\tCGO_ENABLED=1\n");
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_int_equal(ti.has_modinfo, 1);
	assert_string_equal(ti.default_godebug, "");
	assert_int_equal(ti.cgo_enabled, -1);
}

static void test_buildinfo_modinfo_long_godebug(void **state)
{
	(void)state;
	static unsigned char buf[8192];
	char mod[4096];
	struct target_info ti;
	size_t o = (size_t)snprintf(mod, sizeof(mod), "build\tDefaultGODEBUG=");
	for (int i = 0; i < 200; i++)
		o += (size_t)snprintf(mod + o, sizeof(mod) - o, "%skey%03d=1", i ? "," : "", i);
	snprintf(mod + o, sizeof(mod) - o, "\nbuild\tCGO_ENABLED=0\n");
	ti_poison(&ti);
	size_t len = blob_modinfo(buf, "go1.26.1", mod);
	assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
	assert_int_equal(ti.default_godebug_cut, 1);
	size_t n = strlen(ti.default_godebug);
	assert_true(n > 0 && n < sizeof(ti.default_godebug));
	/* Cut after a whole entry: the last one is "keyNNN=1". */
	assert_string_equal(ti.default_godebug + n - 2, "=1");
	assert_int_equal(ti.default_godebug[n - 9], ',');
	assert_int_equal(ti.cgo_enabled, 0);
}

static void test_buildinfo_modinfo_bad(void **state)
{
	(void)state;
	unsigned char buf[512];
	struct target_info ti;
	size_t full = blob_modinfo(buf, "go1.26.1", MOD_124_BY_126);

	/* Every truncation of a good blob: version kept where whole, no module info unless whole, no
	 * read past the end (run under a sanitizer or valgrind to see that). */
	for (size_t len = 32; len < full; len++) {
		ti_poison(&ti);
		assert_int_equal(runtime_parse_buildinfo(buf, len, &ti), 1);
		assert_int_equal(ti.has_modinfo, 0);
		assert_string_equal(ti.default_godebug, "");
		if (len >= 32 + 1 + 8)
			assert_string_equal(ti.go_version, "go1.26.1");
	}

	/* The module info length past the end. */
	size_t off = blob_header(buf, 0x2);
	off += put_uvarint(buf + off, 8);
	memcpy(buf + off, "go1.26.1", 8);
	off += 8;
	off += put_uvarint(buf + off, 1000);
	memset(buf + off, '\n', 64);
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off + 64, &ti), 1);
	assert_int_equal(ti.has_modinfo, 0);
	assert_string_equal(ti.go_version, "go1.26.1");

	/* A huge length that would wrap a size_t if added. */
	off = blob_header(buf, 0x2);
	off += put_uvarint(buf + off, 8);
	memcpy(buf + off, "go1.26.1", 8);
	off += 8;
	off += put_uvarint(buf + off, ~0ULL);
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off + 16, &ti), 1);
	assert_int_equal(ti.has_modinfo, 0);

	/* Shorter than the two sentinels and a newline, or no newline before the end sentinel. */
	off = blob_header(buf, 0x2);
	off += put_uvarint(buf + off, 8);
	memcpy(buf + off, "go1.26.1", 8);
	off += 8;
	off += put_uvarint(buf + off, 32);
	memset(buf + off, 'x', 32);
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, off + 32, &ti), 1);
	assert_int_equal(ti.has_modinfo, 0);
	full = blob_modinfo(buf, "go1.26.1", "build\tDefaultGODEBUG=containermaxprocs=0");
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, full, &ti), 1);
	assert_int_equal(ti.has_modinfo, 0);
	assert_string_equal(ti.default_godebug, "");

	/* A version too long to keep: skipped, the module info after it still read. */
	char longver[200];
	memset(longver, 'v', sizeof(longver) - 1);
	longver[sizeof(longver) - 1] = '\0';
	full = blob_modinfo(buf, longver, "build\tCGO_ENABLED=1\n");
	ti_poison(&ti);
	assert_int_equal(runtime_parse_buildinfo(buf, full, &ti), 1);
	assert_string_equal(ti.go_version, "");
	assert_int_equal(ti.has_modinfo, 1);
	assert_int_equal(ti.cgo_enabled, 1);
}

/* ---- runtime_godebug_int ---- */

static void test_godebug_int(void **state)
{
	(void)state;
	long v = 42;
	assert_int_equal(runtime_godebug_int("", "containermaxprocs", &v), 0);
	assert_int_equal(runtime_godebug_int(NULL, "containermaxprocs", &v), 0);
	assert_int_equal(runtime_godebug_int("updatemaxprocs=0", "containermaxprocs", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(runtime_godebug_int("containermaxprocs=0", "containermaxprocs", &v), 1);
	assert_int_equal(v, 0);
	/* Later entries win. */
	assert_int_equal(runtime_godebug_int("containermaxprocs=0,containermaxprocs=1", "containermaxprocs", &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(runtime_godebug_int("containermaxprocs=1,x=2,containermaxprocs=0", "containermaxprocs", &v), 1);
	assert_int_equal(v, 0);
	/* A key that only starts like it, or ends like it, is another key. */
	v = 42;
	assert_int_equal(runtime_godebug_int("containermaxprocsx=0,xcontainermaxprocs=0", "containermaxprocs", &v), 0);
	assert_int_equal(v, 42);
	/* Values that are not 32-bit integers are ignored, so the earlier one stands. */
	assert_int_equal(runtime_godebug_int("containermaxprocs=0,containermaxprocs=yes", "containermaxprocs", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(runtime_godebug_int("containermaxprocs=1,containermaxprocs=", "containermaxprocs", &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(runtime_godebug_int("containermaxprocs=0,containermaxprocs=2147483648", "containermaxprocs", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(runtime_godebug_int("containermaxprocs=2147483647", "containermaxprocs", &v), 1);
	assert_int_equal(v, 2147483647L);
	assert_int_equal(runtime_godebug_int("containermaxprocs=-2147483648", "containermaxprocs", &v), 1);
	assert_int_equal(v, -2147483648L);
	assert_int_equal(runtime_godebug_int("containermaxprocs=+3,,", "containermaxprocs", &v), 1);
	assert_int_equal(v, 3);
	assert_int_equal(runtime_godebug_int("containermaxprocs=-", "containermaxprocs", &v), 0);
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

/* An ELF64 image with three section headers (null, .shstrtab, .go.buildinfo) and the build info at an
 * offset that is not 16-byte aligned, so that only the section lookup finds it (not the stripped scan).
 * The caller then corrupts it. */
#define CRAFT_SIZE 512
#define CRAFT_STRTAB 256
#define CRAFT_BLOB 280
static void craft_elf(unsigned char *img)
{
	memset(img, 0, CRAFT_SIZE);
	memcpy(img, "\x7f" "ELF", 4);
	img[EI_CLASS] = ELFCLASS64;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	Elf64_Ehdr eh;
	memcpy(&eh, img, sizeof(eh));
	eh.e_type = ET_EXEC;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_shoff = sizeof(Elf64_Ehdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 3;
	eh.e_shstrndx = 1;
	memcpy(img, &eh, sizeof(eh));
	Elf64_Shdr sh[3];
	memset(sh, 0, sizeof(sh));
	sh[1].sh_type = SHT_STRTAB;
	sh[1].sh_offset = CRAFT_STRTAB;
	sh[1].sh_size = 16;
	sh[2].sh_name = 1;
	sh[2].sh_type = SHT_PROGBITS;
	sh[2].sh_offset = CRAFT_BLOB;
	sh[2].sh_size = blob_inline(img + CRAFT_BLOB, "go1.21.3");
	memcpy(img + sizeof(Elf64_Ehdr), sh, sizeof(sh));
	memcpy(img + CRAFT_STRTAB, "\0.go.buildinfo\0", 15);
}

static void craft_shdr(unsigned char *img, unsigned i, Elf64_Shdr *sh, int set)
{
	unsigned char *at = img + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Shdr);
	if (set)
		memcpy(at, sh, sizeof(*sh));
	else
		memcpy(sh, at, sizeof(*sh));
}

static void inspect_image(const unsigned char *img, struct target_info *ti)
{
	char *dir = tu_tmpdir();
	char path[512];
	snprintf(path, sizeof(path), "%s/crafted", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, CRAFT_SIZE, f), CRAFT_SIZE);
	fclose(f);
	ti_poison(ti);
	assert_int_equal(runtime_inspect(path, ti), 0);
	assert_int_equal(ti->found, 1);
	tu_rmrf(dir);
	free(dir);
}

/* The section lookup itself: the crafted image, intact, is read through its .go.buildinfo section. */
static void test_inspect_elf_sections(void **state)
{
	(void)state;
	unsigned char img[CRAFT_SIZE];
	struct target_info ti;
	craft_elf(img);
	inspect_image(img, &ti);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, "go1.21.3");
	assert_int_equal(ti.go_minor, 21);
}

/*
 * Offsets and sizes whose sum wraps past 2^64 to a small number used to pass the bounds checks (numarun
 * plan and a launch crashed reading far outside the file): the string table's, the section's own, and the
 * section header table's. Each must be refused as out of the file (not Go: the blob is not aligned for
 * the stripped scan), and a section that merely ends past the file too.
 */
static void test_inspect_elf_offsets_wrap(void **state)
{
	(void)state;
	unsigned char img[CRAFT_SIZE];
	struct target_info ti;
	Elf64_Shdr sh;
	Elf64_Ehdr eh;

	craft_elf(img);
	craft_shdr(img, 1, &sh, 0);
	sh.sh_offset = 0x4000000000000000ULL;  /* far outside the mapping */
	sh.sh_size = 0xC000000000000000ULL + 16; /* offset + size wraps to 16 */
	craft_shdr(img, 1, &sh, 1);
	inspect_image(img, &ti);
	assert_int_equal(ti.is_go, 0);

	craft_elf(img);
	craft_shdr(img, 2, &sh, 0);
	sh.sh_offset = 0x4000000000000000ULL;
	sh.sh_size = 0xC000000000000000ULL + 64;
	craft_shdr(img, 2, &sh, 1);
	inspect_image(img, &ti);
	assert_int_equal(ti.is_go, 0);

	craft_elf(img);
	memcpy(&eh, img, sizeof(eh));
	eh.e_shoff = 0ULL - 3 * sizeof(Elf64_Shdr); /* e_shoff + 3 headers wraps to 0 */
	memcpy(img, &eh, sizeof(eh));
	inspect_image(img, &ti);
	assert_int_equal(ti.is_go, 0);

	craft_elf(img);
	craft_shdr(img, 2, &sh, 0);
	sh.sh_size = CRAFT_SIZE - CRAFT_BLOB + 1; /* one byte past the end */
	craft_shdr(img, 2, &sh, 1);
	inspect_image(img, &ti);
	assert_int_equal(ti.is_go, 0);

	craft_elf(img);
	memcpy(&eh, img, sizeof(eh));
	eh.e_shoff = CRAFT_SIZE - 2 * sizeof(Elf64_Shdr); /* the table runs past the end */
	memcpy(img, &eh, sizeof(eh));
	inspect_image(img, &ti);
	assert_int_equal(ti.is_go, 0);
}

/* Run a shell command and keep the first line of its output. */
static void first_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

/* Build hello.go as a module with this go line and compare what runtime_inspect reads with what
 * "go version -m" says about the same binary. */
static void check_real_build(const char *go, const char *dir, const char *goline, const char *want_version,
			     int toolchain_minor)
{
	char cmd[4096], path[512], want[1200];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && printf 'module example.com/hello\\n\\ngo %s\\n' >go.mod && "
		 "c=$('%s' env GOCACHE 2>/dev/null); case \"$c\" in ''|off) export GOCACHE=\"$PWD/gocache\";; esac; "
		 "CGO_ENABLED=0 GOFLAGS= GOTOOLCHAIN=local GOWORK=off '%s' build -buildvcs=false -o hello . 2>&1",
		 dir, goline, go, go);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("'%s' failed (%d)", cmd, rc);
	snprintf(path, sizeof(path), "%s/hello", dir);
	struct target_info ti;
	ti_poison(&ti);
	assert_int_equal(runtime_inspect(path, &ti), 0);
	assert_int_equal(ti.found, 1);
	assert_int_equal(ti.is_go, 1);
	assert_string_equal(ti.go_version, want_version);
	assert_int_equal(ti.has_modinfo, 1);
	snprintf(cmd, sizeof(cmd), "'%s' version -m '%s' | sed -n 's/^[[:space:]]*build[[:space:]]DefaultGODEBUG=//p'",
		 go, path);
	first_line(cmd, want, sizeof(want));
	assert_string_equal(ti.default_godebug, want);
	assert_int_equal(ti.cgo_enabled, 0);
	/* The fact the GOMAXPROCS decision rests on: a toolchain from 1.25 on records containermaxprocs=0
	 * for a module whose go line is older, and nothing for one of its own release. */
	long v = 7;
	int has = runtime_godebug_int(ti.default_godebug, "containermaxprocs", &v);
	if (toolchain_minor >= 25 && strcmp(goline, "1.19") == 0) {
		if (!has || v != 0)
			fail_msg("go %s module by %s: DefaultGODEBUG '%s' lacks containermaxprocs=0", goline,
				 want_version, ti.default_godebug);
	} else if (has) {
		fail_msg("go %s module by %s: DefaultGODEBUG '%s' has containermaxprocs", goline, want_version,
			 ti.default_godebug);
	}
}

static void test_inspect_real_go_binary(void **state)
{
	(void)state;
	const char *go = getenv("GO");
	if (!go || !*go)
		go = "go";
	char cmd[1024], want[128];
	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1", go);
	if (system(cmd) != 0) {
		print_message("%s is not found: skipped\n", go);
		skip();
	}
	char *dir = tu_tmpdir();
	tu_write(dir, "hello.go", "package main\n\nfunc main() { println(\"hello\") }\n");
	snprintf(cmd, sizeof(cmd), "'%s' env GOVERSION 2>/dev/null", go);
	first_line(cmd, want, sizeof(want));
	want[strcspn(want, " ")] = '\0';
	int major = -1, minor = -1;
	if (sscanf(want, "go%d.%d", &major, &minor) != 2) {
		tu_rmrf(dir);
		free(dir);
		fail_msg("go env GOVERSION printed '%s'", want);
	}
	char own[16];
	snprintf(own, sizeof(own), "%d.%d", major, minor);
	check_real_build(go, dir, "1.19", want, minor);
	check_real_build(go, dir, own, want, minor);
	tu_rmrf(dir);
	free(dir);
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

/* A quota on the leaf cgroup itself: both readers see it. */
static void dcase_quota(struct dcase *c, double cpus)
{
	c->in.limit.cpus = cpus;
	snprintf(c->in.limit.source, sizeof(c->in.limit.source), "/sys/fs/cgroup/cpu.max: quota");
	c->in.leaf_limit = c->in.limit;
}

/* A quota on an ancestor only: the tightest-of-all reader sees it, Go's leaf reader does not. */
static void dcase_ancestor_quota(struct dcase *c, double cpus)
{
	c->in.limit.cpus = cpus;
	snprintf(c->in.limit.source, sizeof(c->in.limit.source), "/sys/fs/cgroup/parent/cpu.max: quota");
}

static void dcase_godebug(struct dcase *c, const char *default_godebug)
{
	snprintf(c->ti.default_godebug, sizeof(c->ti.default_godebug), "%s", default_godebug);
	c->ti.has_modinfo = 1;
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
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "go1.25.1 with containermaxprocs=1 (toolchain default) manages"));
	assert_int_equal(c->pl.gomaxprocs_managed, 1);
	assert_string_equal(c->pl.go_version, "go1.25.1");
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
	assert_int_equal(c->pl.gomaxprocs_managed, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "before Go 1.25"));
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

	/* Go's rule: the quota term is at least 2. */
	c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_quota(c, 0.5);
	expect_go(c, KNOB_SET, 2);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "at least 2"));
	dcase_free(c);

	/* ... but never above the plan's CPUs. */
	c = dcase_new(1);
	dcase_go(c, 1, 19);
	dcase_quota(c, 0.5);
	expect_go(c, KNOB_SET, 1);
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_quota(c, 2.01);
	expect_go(c, KNOB_SET, 3);
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

	/* auto without a quota or thread pinning: OpenMP takes the plan from its affinity itself. */
	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	expect_omp(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.omp.reason, "affinity mask, which is the plan's 4 CPUs"));
	dcase_free(c);

	/* A quota below the plan: rounded up, at least 1, from the tightest level. */
	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	dcase_quota(c, 1.5);
	expect_omp(c, KNOB_SET, 2);
	assert_non_null(strstr(c->pl.omp.reason, "quota 1.50"));
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	dcase_ancestor_quota(c, 0.3);
	expect_omp(c, KNOB_SET, 1);
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	dcase_quota(c, 4.0);
	expect_omp(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.omp.reason, "does not cap below it"));
	dcase_free(c);

	/* Thread pinning: set to the plan, capped by the quota. */
	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	c->p.threads = THREADS_SPREAD;
	expect_omp(c, KNOB_SET, 4);
	assert_non_null(strstr(c->pl.omp.reason, "threads = spread"));
	dcase_free(c);

	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	policy_add_rule(&c->p, "worker*", "0");
	dcase_quota(c, 1.5);
	expect_omp(c, KNOB_SET, 2);
	dcase_free(c);

	/* Monitoring alone does not pin every thread. */
	c = dcase_new(4);
	c->p.omp.mode = KNOB_AUTO;
	c->p.monitor = 1;
	policy_add_rule(&c->p, "helper*", NULL);
	expect_omp(c, KNOB_NONE, 0);
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

static void test_decide_default_godebug(void **state)
{
	(void)state;
	/* A go 1.24 module built by 1.26: DefaultGODEBUG turns it off. */
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_godebug(c, "containermaxprocs=0,decoratemappings=0,updatemaxprocs=0");
	expect_go(c, KNOB_SET, 4);
	assert_int_equal(c->pl.gomaxprocs_managed, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "DefaultGODEBUG has containermaxprocs=0"));
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "go1.26.1 built from a module whose go line is before 1.25"));
	dcase_free(c);

	/* With a quota on the leaf, Go's rule. */
	c = dcase_new(8);
	dcase_go(c, 1, 26);
	dcase_godebug(c, "containermaxprocs=0,updatemaxprocs=0");
	dcase_quota(c, 2.5);
	expect_go(c, KNOB_SET, 3);
	dcase_free(c);

	/* A DefaultGODEBUG without the key (a go 1.25 module): the toolchain default, on. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_godebug(c, "tlssha1=1");
	expect_go(c, KNOB_NONE, 0);
	assert_int_equal(c->pl.gomaxprocs_managed, 1);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "(toolchain default)"));
	dcase_free(c);

	/* DefaultGODEBUG turns it on explicitly (godebug containermaxprocs=1 in go.mod). */
	c = dcase_new(4);
	dcase_go(c, 1, 25);
	dcase_godebug(c, "containermaxprocs=1");
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "containermaxprocs=1 (DefaultGODEBUG)"));
	dcase_free(c);

	/* Before 1.25 the key means nothing. */
	c = dcase_new(4);
	dcase_go(c, 1, 24);
	dcase_godebug(c, "containermaxprocs=1");
	expect_go(c, KNOB_SET, 4);
	assert_int_equal(c->pl.gomaxprocs_managed, 0);
	dcase_free(c);
}

static void test_decide_env_godebug(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->in.env_godebug = "containermaxprocs=0";
	expect_go(c, KNOB_SET, 4);
	assert_int_equal(c->pl.gomaxprocs_managed, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "GODEBUG=containermaxprocs=0 in the environment"));
	dcase_free(c);

	/* Left to right, the last wins. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->in.env_godebug = "containermaxprocs=0,containermaxprocs=1";
	expect_go(c, KNOB_NONE, 0);
	assert_int_equal(c->pl.gomaxprocs_managed, 1);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "(GODEBUG in the environment)"));
	dcase_free(c);

	/* The environment over DefaultGODEBUG, both ways. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_godebug(c, "containermaxprocs=0,updatemaxprocs=0");
	c->in.env_godebug = "http2client=0,containermaxprocs=1";
	expect_go(c, KNOB_NONE, 0);
	assert_int_equal(c->pl.gomaxprocs_managed, 1);
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_godebug(c, "containermaxprocs=1");
	c->in.env_godebug = "containermaxprocs=0";
	expect_go(c, KNOB_SET, 4);
	dcase_free(c);

	/* A value the runtime cannot parse is ignored: DefaultGODEBUG's 0 stands. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_godebug(c, "containermaxprocs=0");
	c->in.env_godebug = "containermaxprocs=on";
	expect_go(c, KNOB_SET, 4);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "DefaultGODEBUG has containermaxprocs=0"));
	dcase_free(c);

	/* Any positive value turns it on (the runtime tests > 0). */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->in.env_godebug = "containermaxprocs=2";
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);
}

static void test_decide_pinned_threads(void **state)
{
	(void)state;
	/* A runtime that manages GOMAXPROCS, with every thread pinned: set to what it would compute. */
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->p.threads = THREADS_SPREAD;
	expect_go(c, KNOB_SET, 4);
	assert_int_equal(c->pl.gomaxprocs_managed, 1);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "sysmon thread"));
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "threads = spread"));
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 25);
	c->p.threads = THREADS_COMPACT;
	dcase_quota(c, 1.2);
	expect_go(c, KNOB_SET, 2);
	dcase_free(c);

	/* A [threads] rule with nodes pins; one without nodes (left unpinned) does not. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	policy_add_rule(&c->p, "worker*", "0-1");
	expect_go(c, KNOB_SET, 4);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "[threads] worker* = 0-1"));
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->p.monitor = 1;
	policy_add_rule(&c->p, "helper*", NULL);
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);

	/* Updates off: the startup value (from the plan) stays, pinning cannot lower it. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->p.threads = THREADS_SPREAD;
	c->in.env_godebug = "updatemaxprocs=0";
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "updatemaxprocs=0 (GODEBUG in the environment)"));
	dcase_free(c);

	/* The user's GOMAXPROCS still wins under pinning. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->p.threads = THREADS_SPREAD;
	c->in.env_gomaxprocs = "3";
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);
}

static void test_decide_leaf_and_ancestor(void **state)
{
	(void)state;
	/* Only an ancestor limits: Go's rule ignores it, and the reason says so. */
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 19);
	dcase_ancestor_quota(c, 0.5);
	expect_go(c, KNOB_SET, 4);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "an ancestor's limit 0.50 (/sys/fs/cgroup/parent/cpu.max"));
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "Go does not read it either"));
	dcase_free(c);

	/* Leaf 3, ancestor 1.5: the leaf's 3. */
	c = dcase_new(8);
	dcase_go(c, 1, 19);
	c->in.leaf_limit.cpus = 3;
	snprintf(c->in.leaf_limit.source, sizeof(c->in.leaf_limit.source), "leaf/cpu.max: 300000/100000");
	dcase_ancestor_quota(c, 1.5);
	expect_go(c, KNOB_SET, 3);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "leaf cgroup's CPU quota 3.00"));
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "an ancestor's limit 1.50"));
	dcase_free(c);

	/* The leaf is the tightest: no ancestor note. */
	c = dcase_new(8);
	dcase_go(c, 1, 19);
	dcase_quota(c, 2);
	expect_go(c, KNOB_SET, 2);
	assert_null(strstr(c->pl.gomaxprocs.reason, "ancestor"));
	dcase_free(c);

	/* A runtime that manages it: left unset whatever the ancestors say. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	dcase_ancestor_quota(c, 0.5);
	expect_go(c, KNOB_NONE, 0);
	dcase_free(c);
}

static void test_decide_go_user_env_invalid(void **state)
{
	(void)state;
	const char *bad[] = {"abc", "0", "-3", "", "2x", "4,5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dcase *c = dcase_new(4);
		dcase_go(c, 1, 19);
		c->in.env_gomaxprocs = bad[i];
		expect_go(c, KNOB_SET, 4);
		if (!strstr(c->pl.gomaxprocs.reason, "not a positive integer"))
			fail_msg("GOMAXPROCS='%s': %s", bad[i], c->pl.gomaxprocs.reason);
		dcase_free(c);
	}
	struct dcase *c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->in.env_gomaxprocs = "0";
	expect_go(c, KNOB_NONE, 0);
	assert_non_null(strstr(c->pl.gomaxprocs.reason, "manages GOMAXPROCS itself"));
	dcase_free(c);
}

static void test_decide_managed_flag(void **state)
{
	(void)state;
	struct dcase *c = dcase_new(4);
	expect_go(c, KNOB_NONE, 0);
	assert_int_equal(c->pl.gomaxprocs_managed, -1);
	assert_string_equal(c->pl.go_version, "");
	dcase_free(c);

	c = dcase_new(4);
	c->in.target = NULL;
	expect_go(c, KNOB_NONE, 0);
	assert_int_equal(c->pl.gomaxprocs_managed, -1);
	dcase_free(c);

	/* Reported whatever the mode. */
	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->p.gomaxprocs.mode = KNOB_KEEP;
	expect_go(c, KNOB_NONE, 0);
	assert_int_equal(c->pl.gomaxprocs_managed, 1);
	dcase_free(c);

	c = dcase_new(4);
	dcase_go(c, 1, 26);
	c->p.gomaxprocs.mode = KNOB_ALWAYS;
	c->in.env_godebug = "containermaxprocs=0";
	expect_go(c, KNOB_SET, 4);
	assert_int_equal(c->pl.gomaxprocs_managed, 0);
	dcase_free(c);
}

/* ---- GOMEMLIMIT ---- */

#define GIB (1024ULL * 1024 * 1024)

struct mcase {
	struct dcase *c;
	struct topo t;
	struct topo_node nodes[3];
};

static struct mcase *mcase_new(enum mem_policy mem, const char *mem_nodes)
{
	struct mcase *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->c = dcase_new(4);
	dcase_go(m->c, 1, 26);
	m->c->p.gomemlimit.mode = KNOB_AUTO;
	for (unsigned i = 0; i < 3; i++) {
		m->nodes[i].os_index = i;
		m->nodes[i].has_cpus = 1;
		m->nodes[i].memory = (i + 1) * 4 * GIB;   /* 4, 8, 12 GiB */
	}
	m->t.nnodes = 3;
	m->t.nodes = m->nodes;
	m->c->in.topo = &m->t;
	m->c->pl.mem = mem;
	m->c->pl.mem_nodes = tu_set(mem_nodes);
	return m;
}

static void mcase_free(struct mcase *m)
{
	hwloc_bitmap_free(m->c->pl.mem_nodes);
	dcase_free(m->c);
	free(m);
}

static void expect_mem(struct mcase *m, enum knob_action action, unsigned long long value)
{
	struct dcase *c = m->c;
	runtime_decide(&c->pl, &c->p, &c->in);
	if (c->pl.gomemlimit.action != action ||
	    (action == KNOB_SET && (unsigned long long)c->pl.gomemlimit.value != value))
		fail_msg("gomemlimit: got action %d value %ld (%s), expected action %d value %llu", c->pl.gomemlimit.action,
			 c->pl.gomemlimit.value, c->pl.gomemlimit.reason, action, value);
	assert_true(c->pl.gomemlimit.reason[0] != '\0');
}

static void test_decide_memlimit_modes(void **state)
{
	(void)state;
	struct mcase *m = mcase_new(MEM_BIND, "0");
	m->c->p.gomemlimit.mode = KNOB_KEEP;
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "keep"));
	m->c->p.gomemlimit.mode = KNOB_OFF;
	expect_mem(m, KNOB_UNSET, 0);
	m->c->p.gomemlimit.mode = KNOB_VALUE;
	m->c->p.gomemlimit.value = 512L * 1024 * 1024;
	expect_mem(m, KNOB_SET, 512ULL * 1024 * 1024);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "512.0 MiB"));
	/* Off and a size apply to any program. */
	m->c->ti.is_go = 0;
	expect_mem(m, KNOB_SET, 512ULL * 1024 * 1024);
	mcase_free(m);

	/* The default is keep. */
	m = mcase_new(MEM_BIND, "0");
	struct policy dflt;
	policy_init(&dflt);
	m->c->p.gomemlimit = dflt.gomemlimit;
	policy_free(&dflt);
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "gomemlimit = keep"));
	mcase_free(m);
}

static void test_decide_memlimit_auto(void **state)
{
	(void)state;
	/* Bound to node 0 (4 GiB), no cgroup limit: 90% of 4 GiB. */
	struct mcase *m = mcase_new(MEM_BIND, "0");
	expect_mem(m, KNOB_SET, 3865470566ULL);   /* 0.9 x 4294967296, rounded down */
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "90% of the 4.0 GiB of node 0 (memory policy bind)"));
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "no cgroup memory limit"));
	mcase_free(m);

	/* Two nodes: their sum. Preferred counts like bind. */
	m = mcase_new(MEM_PREFERRED, "1-2");
	expect_mem(m, KNOB_SET, 19327352832ULL);  /* 0.9 x 20 GiB */
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "nodes 1-2"));
	mcase_free(m);

	/* A cgroup limit above the nodes: still the nodes. */
	m = mcase_new(MEM_BIND, "0");
	m->c->in.mem_limit.bytes = 16 * GIB;
	snprintf(m->c->in.mem_limit.source, sizeof(m->c->in.mem_limit.source), "/sys/fs/cgroup/app/memory.max: 17179869184");
	expect_mem(m, KNOB_SET, 3865470566ULL);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "below the cgroup memory limit 16.0 GiB (/sys/fs/cgroup/app/memory.max"));
	mcase_free(m);

	/* A cgroup limit at or below the nodes' memory: not set. */
	m = mcase_new(MEM_BIND, "0");
	m->c->in.mem_limit.bytes = 2 * GIB;
	snprintf(m->c->in.mem_limit.source, sizeof(m->c->in.mem_limit.source), "/sys/fs/cgroup/app/memory.max: 2147483648");
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "cgroup memory limit 2.0 GiB"));
	m->c->in.mem_limit.bytes = 4 * GIB;
	expect_mem(m, KNOB_NONE, 0);
	mcase_free(m);

	/* Memory policies that do not keep the heap on given nodes. */
	enum mem_policy others[] = {MEM_DEFAULT, MEM_LOCAL, MEM_INTERLEAVE};
	for (size_t i = 0; i < 3; i++) {
		m = mcase_new(others[i], "0");
		expect_mem(m, KNOB_NONE, 0);
		assert_non_null(strstr(m->c->pl.gomemlimit.reason, policy_mem_name(others[i])));
		mcase_free(m);
	}

	/* Node memory unknown (an XML without it), a node not in the topology, no topology. */
	m = mcase_new(MEM_BIND, "0");
	m->nodes[0].memory = 0;
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "not known"));
	mcase_free(m);
	m = mcase_new(MEM_BIND, "0,5");
	expect_mem(m, KNOB_NONE, 0);
	mcase_free(m);
	m = mcase_new(MEM_BIND, "0");
	m->c->in.topo = NULL;
	expect_mem(m, KNOB_NONE, 0);
	mcase_free(m);
}

static void test_decide_memlimit_target(void **state)
{
	(void)state;
	struct mcase *m = mcase_new(MEM_BIND, "0");
	m->c->ti.is_go = 0;
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "not a Go program"));
	m->c->in.target = NULL;
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "no command"));
	mcase_free(m);

	m = mcase_new(MEM_BIND, "0");
	dcase_go(m->c, 1, 18);
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "Go 1.19"));
	dcase_go(m->c, 1, 19);
	expect_mem(m, KNOB_SET, 3865470566ULL);
	mcase_free(m);

	m = mcase_new(MEM_BIND, "0");
	m->c->in.env_gomemlimit = "1GiB";
	expect_mem(m, KNOB_NONE, 0);
	assert_non_null(strstr(m->c->pl.gomemlimit.reason, "GOMEMLIMIT=1GiB is already set by the user: kept"));
	mcase_free(m);
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
	setenv("GOMEMLIMIT", "1GiB", 1);
	pl.gomemlimit.action = KNOB_SET;
	pl.gomemlimit.value = 5279348736L;
	assert_int_equal(runtime_apply_env(&pl, &p), 0);
	assert_non_null(getenv("GOMEMLIMIT"));
	assert_string_equal(getenv("GOMEMLIMIT"), "5279348736");
	pl.gomemlimit.action = KNOB_UNSET;
	assert_int_equal(runtime_apply_env(&pl, &p), 0);
	assert_null(getenv("GOMEMLIMIT"));
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
		cmocka_unit_test(test_buildinfo_modinfo),
		cmocka_unit_test(test_buildinfo_modinfo_long_godebug),
		cmocka_unit_test(test_buildinfo_modinfo_bad),
		cmocka_unit_test(test_godebug_int),
	};
	const struct CMUnitTest inspect[] = {
		cmocka_unit_test(test_inspect_sh),
		cmocka_unit_test(test_inspect_missing),
		cmocka_unit_test(test_inspect_script_and_tiny),
		cmocka_unit_test(test_inspect_elf_without_sections),
		cmocka_unit_test(test_inspect_elf_sections),
		cmocka_unit_test(test_inspect_elf_offsets_wrap),
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
		cmocka_unit_test(test_decide_default_godebug),
		cmocka_unit_test(test_decide_env_godebug),
		cmocka_unit_test(test_decide_pinned_threads),
		cmocka_unit_test(test_decide_leaf_and_ancestor),
		cmocka_unit_test(test_decide_go_user_env_invalid),
		cmocka_unit_test(test_decide_managed_flag),
		cmocka_unit_test(test_decide_memlimit_modes),
		cmocka_unit_test(test_decide_memlimit_auto),
		cmocka_unit_test(test_decide_memlimit_target),
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
