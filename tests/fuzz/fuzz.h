/* fuzz.h - helpers shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c). */
#ifndef NUMARUN_FUZZ_H
#define NUMARUN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: when it fails, say which and abort (libFuzzer keeps the input). */
#define FUZZ_CHECK(cond)                                                                                   \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);       \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

/* The input as a NUL-terminated string (it ends at its first NUL byte), malloc'd. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Structured input: numbers taken from the front of the bytes; 0 once they run out. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline unsigned fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline unsigned fuzz_u16(struct fuzz_in *in)
{
	unsigned lo = fuzz_u8(in);
	return lo | fuzz_u8(in) << 8;
}

/* A number in [0, n) (n > 0). */
static inline unsigned fuzz_below(struct fuzz_in *in, unsigned n)
{
	return (n <= 256 ? fuzz_u8(in) : fuzz_u16(in)) % n;
}

/* A share in [0, 1]. */
static inline double fuzz_share(struct fuzz_in *in)
{
	return fuzz_u8(in) / 255.0;
}

/* The rest of the input as a NUL-terminated string, malloc'd. */
static inline char *fuzz_rest(struct fuzz_in *in)
{
	char *s = fuzz_strndup(in->p, in->n);
	in->p += in->n;
	in->n = 0;
	return s;
}

/* A string of at most max bytes from the input: a length byte, then the bytes; malloc'd. */
static inline char *fuzz_string(struct fuzz_in *in, size_t max)
{
	size_t len = fuzz_u8(in) % (max + 1);
	if (len > in->n)
		len = in->n;
	char *s = fuzz_strndup(in->p, len);
	in->p += len;
	in->n -= len;
	return s;
}

#endif
