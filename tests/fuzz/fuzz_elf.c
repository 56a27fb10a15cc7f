/* fuzz_elf.c - the Go build-info reader: an ELF image's .go.buildinfo section or the stripped-binary scan
 * (runtime_inspect_image), the blob itself (runtime_parse_buildinfo), and GODEBUG lists. */
#include "config.h"
#include "fuzz.h"
#include "runtime.h"

static void check(const struct target_info *ti)
{
	FUZZ_CHECK(strlen(ti->go_version) < sizeof(ti->go_version));
	FUZZ_CHECK(strlen(ti->default_godebug) < sizeof(ti->default_godebug));
	FUZZ_CHECK(ti->cgo_enabled >= -1 && ti->cgo_enabled <= 1);
	FUZZ_CHECK(ti->is_go == 0 || ti->is_go == 1);
	long v;
	runtime_godebug_int(ti->default_godebug, "containermaxprocs", &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the end. */
	unsigned char *img = malloc(size ? size : 1);
	memcpy(img, data, size);
	struct target_info ti;
	memset(&ti, 0, sizeof(ti));
	ti.go_major = ti.go_minor = ti.cgo_enabled = -1;
	runtime_inspect_image(img, size, &ti);
	check(&ti);
	memset(&ti, 0, sizeof(ti));
	int r = runtime_parse_buildinfo(img, size, &ti);
	FUZZ_CHECK(r == 0 || r == 1);
	FUZZ_CHECK(r == ti.is_go);
	check(&ti);
	free(img);

	char *s = fuzz_strndup(data, size);
	long v = 12345;
	if (!runtime_godebug_int(s, "containermaxprocs", &v))
		FUZZ_CHECK(v == 12345);
	else
		FUZZ_CHECK(v >= -2147483648L && v <= 2147483647L);
	free(s);
	return 0;
}
