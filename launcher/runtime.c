/* runtime.c - GOMAXPROCS and OMP_NUM_THREADS to match the CPUs numarun binds. */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime.h"

static const unsigned char go_magic[14] = "\xff Go buildinf:";

/* Go writes lengths as unsigned varints (LEB128). */
static int read_uvarint(const unsigned char *p, size_t len, size_t *off, unsigned long long *v)
{
	unsigned long long x = 0;
	for (unsigned s = 0; *off < len && s < 64; s += 7) {
		unsigned char b = p[(*off)++];
		x |= (unsigned long long)(b & 0x7f) << s;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

int runtime_godebug_int(const char *list, const char *key, long *value)
{
	size_t klen = strlen(key);
	int found = 0;
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			/* strconv.ParseInt(value, 10, 32): optional sign, decimal digits, in int32. */
			const char *v = p + klen + 1, *e = p + n;
			int neg = 0;
			if (v < e && (*v == '+' || *v == '-'))
				neg = *v++ == '-';
			long long x = 0;
			int ok = v < e;
			for (; ok && v < e; v++) {
				if (*v < '0' || *v > '9' || x > 2147483648LL)
					ok = 0;
				else
					x = x * 10 + (*v - '0');
			}
			if (ok && (neg ? x <= 2147483648LL : x <= 2147483647LL)) {
				*value = (long)(neg ? -x : x);
				found = 1;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return found;
}

/* Copy a build setting's value: as it is, or unquoted when Go quoted it (strconv.Quote). */
static void setting_value(const char *v, size_t n, char *out, size_t outlen, int *cut)
{
	size_t o = 0;
	*cut = 0;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n; i++) {
			char c = v[i];
			if (c == '\\' && i + 2 < n)
				c = v[++i];
			if (o + 1 >= outlen) {
				*cut = 1;
				break;
			}
			out[o++] = c;
		}
	} else if (n < outlen) {
		memcpy(out, v, n);
		o = n;
	} else {
		memcpy(out, v, outlen - 1);
		o = outlen - 1;
		*cut = 1;
	}
	out[o] = '\0';
}

/* The module info text: "path\t...", "mod\t...", "dep\t...", "build\tKEY=VALUE" lines. */
static void parse_modinfo(const char *text, size_t len, struct target_info *ti)
{
	ti->has_modinfo = 1;
	for (size_t off = 0; off < len;) {
		const char *line = text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		off += n + 1;
		if (n < 6 || memcmp(line, "build\t", 6) != 0)
			continue;
		const char *kv = line + 6;
		size_t kvn = n - 6;
		const char *eq = memchr(kv, '=', kvn);
		if (!eq)
			continue;
		size_t kn = (size_t)(eq - kv), vn = kvn - kn - 1;
		int cut;
		if (kn == 14 && memcmp(kv, "DefaultGODEBUG", 14) == 0) {
			setting_value(eq + 1, vn, ti->default_godebug, sizeof(ti->default_godebug), &cut);
			if (cut) {
				/* Keep whole entries only. */
				char *c = strrchr(ti->default_godebug, ',');
				if (c)
					*c = '\0';
				else
					ti->default_godebug[0] = '\0';
				ti->default_godebug_cut = 1;
			}
		} else if (kn == 11 && memcmp(kv, "CGO_ENABLED", 11) == 0) {
			char v[8];
			setting_value(eq + 1, vn, v, sizeof(v), &cut);
			ti->cgo_enabled = strcmp(v, "1") == 0 ? 1 : strcmp(v, "0") == 0 ? 0 : -1;
		}
	}
}

int runtime_parse_buildinfo(const unsigned char *buf, size_t len, struct target_info *ti)
{
	if (len < 32 || memcmp(buf, go_magic, sizeof(go_magic)) != 0)
		return 0;
	ti->is_go = 1;
	ti->go_major = ti->go_minor = -1;
	ti->go_version[0] = '\0';
	ti->has_modinfo = 0;
	ti->default_godebug[0] = '\0';
	ti->default_godebug_cut = 0;
	ti->cgo_enabled = -1;
	unsigned char flags = buf[15];
	if (!(flags & 0x2)) {
		/* Before Go 1.18 the header holds pointers to the version string, not the string. */
		snprintf(ti->go_version, sizeof(ti->go_version), "before go1.18");
		ti->go_major = 1;
		ti->go_minor = 0;
		return 1;
	}
	size_t off = 32;
	unsigned long long n;
	/* off <= len holds throughout, so len - off never wraps and n is compared, never added. */
	if (read_uvarint(buf, len, &off, &n) < 0 || n == 0 || n > len - off)
		return 1;
	if (n < sizeof(ti->go_version)) {
		memcpy(ti->go_version, buf + off, n);
		ti->go_version[n] = '\0';
		const char *v = strstr(ti->go_version, "go1.");
		int major, minor;
		if (v && sscanf(v, "go%d.%d", &major, &minor) == 2) {
			ti->go_major = major;
			ti->go_minor = minor;
		}
	}
	off += n;
	/* The module info: 16 bytes of sentinel, the text ending in a newline, 16 bytes of sentinel. */
	if (read_uvarint(buf, len, &off, &n) < 0 || n > len - off || n < 33 || buf[off + n - 17] != '\n')
		return 1;
	parse_modinfo((const char *)buf + off + 16, n - 32, ti);
	return 1;
}

/* Find the .go.buildinfo section in an ELF image; NULL when there is none. */
static const unsigned char *elf_section(const unsigned char *img, size_t size, const char *want, size_t *len)
{
	if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0)
		return NULL;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (img[EI_DATA] != ELFDATA2LSB)
		return NULL;
#else
	if (img[EI_DATA] != ELFDATA2MSB)
		return NULL;
#endif
#define FIND(Ehdr, Shdr)                                                                        \
	do {                                                                                    \
		const Ehdr *eh = (const Ehdr *)img;                                             \
		if (size < sizeof(Ehdr) || eh->e_shoff == 0 || eh->e_shentsize != sizeof(Shdr) ||  \
		    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Shdr) > size || eh->e_shstrndx >= eh->e_shnum) \
			return NULL;                                                            \
		const Shdr *sh = (const Shdr *)(img + eh->e_shoff);                             \
		const Shdr *strs = &sh[eh->e_shstrndx];                                         \
		if (strs->sh_offset + strs->sh_size > size)                                     \
			return NULL;                                                            \
		for (unsigned i = 0; i < eh->e_shnum; i++) {                                     \
			if (sh[i].sh_name >= strs->sh_size || sh[i].sh_type == SHT_NOBITS)      \
				continue;                                                       \
			const char *name = (const char *)img + strs->sh_offset + sh[i].sh_name; \
			size_t maxn = strs->sh_size - sh[i].sh_name;                            \
			if (strnlen(name, maxn) == strlen(want) && strncmp(name, want, maxn) == 0 && \
			    sh[i].sh_offset + sh[i].sh_size <= size) {                          \
				*len = sh[i].sh_size;                                           \
				return img + sh[i].sh_offset;                                   \
			}                                                                       \
		}                                                                               \
		return NULL;                                                                    \
	} while (0)
	if (img[EI_CLASS] == ELFCLASS64)
		FIND(Elf64_Ehdr, Elf64_Shdr);
	if (img[EI_CLASS] == ELFCLASS32)
		FIND(Elf32_Ehdr, Elf32_Shdr);
#undef FIND
	return NULL;
}

int runtime_inspect(const char *path, struct target_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->go_major = ti->go_minor = -1;
	ti->cgo_enabled = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < EI_NIDENT) {
		close(fd);
		ti->found = 1;
		return 0;
	}
	void *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;
	close(fd);
	if (img == MAP_FAILED)
		return -e;
	ti->found = 1;
	size_t len = 0;
	const unsigned char *sec = elf_section(img, (size_t)st.st_size, ".go.buildinfo", &len);
	if (sec) {
		runtime_parse_buildinfo(sec, len, ti);
	} else if (memcmp(img, ELFMAG, SELFMAG) == 0) {
		/* Section headers stripped: the blob is 16-byte aligned somewhere in the data. */
		const unsigned char *p = img;
		for (size_t off = 0; off + 32 <= (size_t)st.st_size; off += 16)
			if (p[off] == 0xff && memcmp(p + off, go_magic, sizeof(go_magic)) == 0 &&
			    runtime_parse_buildinfo(p + off, (size_t)st.st_size - off, ti))
				break;
	}
	munmap(img, (size_t)st.st_size);
	return 0;
}

/* The quota rounded up (a 1.5-CPU quota lets 2 threads run part-time), at least 1, never above the
 * CPUs bound. */
static long quota_cap(double cpus, long n)
{
	long q = (long)ceil(cpus - 1e-9);
	if (q < 1)
		q = 1;
	return q < n ? q : n;
}

static void decide_go(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	struct knob_decision *d = &pl->gomaxprocs;
	const struct target_info *ti = in->target;
	long n = (long)pl->ncpus;
	char why[160] = "";

	d->action = KNOB_NONE;
	if (in->limit.cpus > 0 && quota_cap(in->limit.cpus, n) < n) {
		snprintf(why, sizeof(why), ", capped by the CPU quota %.2f (%.100s)", in->limit.cpus, in->limit.source);
		n = quota_cap(in->limit.cpus, n);
	}
	switch (p->gomaxprocs.mode) {
	case KNOB_KEEP:
		snprintf(d->reason, sizeof(d->reason), "gomaxprocs = keep: the environment is passed as it is");
		return;
	case KNOB_OFF:
		d->action = KNOB_UNSET;
		snprintf(d->reason, sizeof(d->reason), "gomaxprocs = off: GOMAXPROCS removed from the environment");
		return;
	case KNOB_VALUE:
		d->action = KNOB_SET;
		d->value = p->gomaxprocs.value;
		snprintf(d->reason, sizeof(d->reason), "gomaxprocs = %ld in the policy", d->value);
		return;
	case KNOB_ALWAYS:
		d->action = KNOB_SET;
		d->value = n;
		snprintf(d->reason, sizeof(d->reason), "gomaxprocs = always: %ld bound CPUs%s", n, why);
		return;
	case KNOB_AUTO:
		break;
	}
	if (!ti || !ti->found) {
		snprintf(d->reason, sizeof(d->reason), "no command to inspect: GOMAXPROCS is set only for Go programs");
		return;
	}
	if (!ti->is_go) {
		snprintf(d->reason, sizeof(d->reason), "not a Go program: GOMAXPROCS left alone");
		return;
	}
	if (in->env_gomaxprocs) {
		snprintf(d->reason, sizeof(d->reason), "GOMAXPROCS=%s is already set by the user: kept",
			 in->env_gomaxprocs);
		return;
	}
	if (ti->go_major > 1 || (ti->go_major == 1 && ti->go_minor >= 25)) {
		snprintf(d->reason, sizeof(d->reason),
			 "%s reads its CPU affinity and cgroup quota itself and stops updating once GOMAXPROCS is "
			 "set: left unset", ti->go_version);
		return;
	}
	d->action = KNOB_SET;
	d->value = n;
	snprintf(d->reason, sizeof(d->reason), "Go program (%s) that does not follow affinity: %ld bound CPUs%s",
		 ti->go_version[0] ? ti->go_version : "version unknown", n, why);
}

static void decide_omp(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	struct knob_decision *d = &pl->omp;
	d->action = KNOB_NONE;
	switch (p->omp.mode) {
	case KNOB_KEEP:
	case KNOB_ALWAYS:
		snprintf(d->reason, sizeof(d->reason), "omp_num_threads = keep");
		return;
	case KNOB_OFF:
		d->action = KNOB_UNSET;
		snprintf(d->reason, sizeof(d->reason), "omp_num_threads = off: OMP_NUM_THREADS removed");
		return;
	case KNOB_VALUE:
		d->action = KNOB_SET;
		d->value = p->omp.value;
		snprintf(d->reason, sizeof(d->reason), "omp_num_threads = %ld in the policy", d->value);
		return;
	case KNOB_AUTO:
		if (in->env_omp) {
			snprintf(d->reason, sizeof(d->reason), "OMP_NUM_THREADS=%s is already set by the user: kept",
				 in->env_omp);
			return;
		}
		d->action = KNOB_SET;
		d->value = (long)pl->ncpus;
		snprintf(d->reason, sizeof(d->reason), "omp_num_threads = auto: %u bound CPUs", pl->ncpus);
		return;
	}
}

void runtime_decide(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	decide_go(pl, p, in);
	decide_omp(pl, p, in);
}

static int apply_one(const char *name, const struct knob_decision *d)
{
	char v[32];
	if (d->action == KNOB_SET) {
		snprintf(v, sizeof(v), "%ld", d->value);
		return setenv(name, v, 1) < 0 ? -errno : 0;
	}
	if (d->action == KNOB_UNSET)
		return unsetenv(name) < 0 ? -errno : 0;
	return 0;
}

int runtime_apply_env(const struct plan *pl, const struct policy *p)
{
	for (size_t i = 0; i < p->nenv; i++)
		if (setenv(p->env[i].name, p->env[i].value, 1) < 0)
			return -errno;
	int rc = apply_one("GOMAXPROCS", &pl->gomaxprocs);
	return rc ? rc : apply_one("OMP_NUM_THREADS", &pl->omp);
}
