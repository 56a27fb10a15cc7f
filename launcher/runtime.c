/* runtime.c - GOMAXPROCS, GOMEMLIMIT and OMP_NUM_THREADS to match what numarun binds. */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
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

/* Is [off, off + size) inside an image of len bytes? Compared so that nothing wraps: a crafted offset
 * near 2^64 must not add up to a small number. */
static int in_image(unsigned long long off, unsigned long long size, size_t len)
{
	return size <= len && off <= len - size;
}

/* Find the named section in an ELF image; NULL when there is none, or when the headers point outside the
 * image. Headers are copied out (the image need not be aligned for them). */
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
	size_t wantn = strlen(want);
#define FIND(Ehdr, Shdr)                                                                                   \
	do {                                                                                               \
		Ehdr eh;                                                                                   \
		Shdr strs, sh;                                                                             \
		if (size < sizeof(Ehdr))                                                                   \
			return NULL;                                                                       \
		memcpy(&eh, img, sizeof(eh));                                                              \
		if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Shdr) || eh.e_shstrndx >= eh.e_shnum ||    \
		    !in_image(eh.e_shoff, (unsigned long long)eh.e_shnum * sizeof(Shdr), size))             \
			return NULL;                                                                       \
		const unsigned char *table = img + eh.e_shoff;                                             \
		memcpy(&strs, table + (size_t)eh.e_shstrndx * sizeof(Shdr), sizeof(strs));                \
		if (!in_image(strs.sh_offset, strs.sh_size, size))                                         \
			return NULL;                                                                       \
		for (unsigned i = 0; i < eh.e_shnum; i++) {                                                \
			memcpy(&sh, table + (size_t)i * sizeof(Shdr), sizeof(sh));                         \
			if (sh.sh_name >= strs.sh_size || sh.sh_type == SHT_NOBITS)                        \
				continue;                                                                  \
			const char *name = (const char *)img + strs.sh_offset + sh.sh_name;                \
			size_t maxn = (size_t)(strs.sh_size - sh.sh_name);                                 \
			if (strnlen(name, maxn) == wantn && memcmp(name, want, wantn) == 0 &&              \
			    in_image(sh.sh_offset, sh.sh_size, size)) {                                    \
				*len = (size_t)sh.sh_size;                                                 \
				return img + sh.sh_offset;                                                 \
			}                                                                                  \
		}                                                                                          \
		return NULL;                                                                               \
	} while (0)
	if (img[EI_CLASS] == ELFCLASS64)
		FIND(Elf64_Ehdr, Elf64_Shdr);
	if (img[EI_CLASS] == ELFCLASS32)
		FIND(Elf32_Ehdr, Elf32_Shdr);
#undef FIND
	return NULL;
}

void runtime_inspect_image(const unsigned char *img, size_t size, struct target_info *ti)
{
	size_t len = 0;
	const unsigned char *sec = elf_section(img, size, ".go.buildinfo", &len);
	if (sec) {
		runtime_parse_buildinfo(sec, len, ti);
	} else if (size >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0) {
		/* Section headers stripped: the blob is 16-byte aligned somewhere in the data. */
		for (size_t off = 0; off + 32 <= size; off += 16)
			if (img[off] == 0xff && memcmp(img + off, go_magic, sizeof(go_magic)) == 0 &&
			    runtime_parse_buildinfo(img + off, size - off, ti))
				break;
	}
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
	runtime_inspect_image(img, (size_t)st.st_size, ti);
	munmap(img, (size_t)st.st_size);
	return 0;
}

/* ---- decisions ---- */

/* Write a decision's reason (cut at the buffer's end). */
__attribute__((format(printf, 2, 3))) static void say(struct knob_decision *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

/* Go's defaultGOMAXPROCS (runtime/cgroup_linux.go, 1.25 on): the affinity count, lowered to the leaf
 * cgroup's quota rounded up, where that term is at least 2. */
static long go_rule(long ncpus, double leaf_cpus)
{
	if (leaf_cpus <= 0)
		return ncpus;
	double limit = ceil(leaf_cpus);
	if (limit < 2)
		limit = 2;
	return limit < (double)ncpus ? (long)limit : ncpus;
}

/* How the value came about: "the plan's 4 CPUs, the leaf cgroup's quota 1.50 (...) rounded up". */
static void go_rule_why(const struct plan *pl, const struct runtime_inputs *in, long v, char *buf, size_t len)
{
	const struct cpu_limit *leaf = &in->leaf_limit, *all = &in->limit;
	int o;
	if (leaf->cpus > 0 && v < (long)pl->ncpus)
		o = snprintf(buf, len, "the leaf cgroup's CPU quota %.2f (%.160s) rounded up, at least 2, below the "
			     "plan's %u CPUs", leaf->cpus, leaf->source, pl->ncpus);
	else if (leaf->cpus > 0)
		o = snprintf(buf, len, "the plan's %u CPUs (the leaf cgroup's quota %.2f, %.160s, does not cap it)",
			     pl->ncpus, leaf->cpus, leaf->source);
	else
		o = snprintf(buf, len, "the plan's %u CPUs", pl->ncpus);
	if (o < 0 || (size_t)o >= len)
		return;
	if (all->cpus > 0 && (leaf->cpus <= 0 || all->cpus < leaf->cpus))
		snprintf(buf + o, len - (size_t)o, "; an ancestor's limit %.2f (%.160s) is tighter; Go does not "
			 "read it either", all->cpus, all->source);
}

/* Per-thread placement in resident mode: numarun pins individual threads, to one CPU each. */
static int pins_threads(const struct policy *p, char *what, size_t len)
{
	if (p->threads != THREADS_NONE) {
		snprintf(what, len, "threads = %s", policy_threads_name(p->threads));
		return 1;
	}
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].nodes) {
			snprintf(what, len, "[threads] %.40s = %.60s", p->rules[i].glob, p->rules[i].nodes);
			return 1;
		}
	return 0;
}

/* One GODEBUG setting as the target's runtime will see it. */
struct godebug_setting {
	long value;
	const char *source;       /* "toolchain default", "DefaultGODEBUG", "GODEBUG in the environment" */
};

static struct godebug_setting godebug_effective(const struct target_info *ti, const char *env, const char *key,
						long deflt)
{
	struct godebug_setting s = {deflt, "toolchain default"};
	long v;
	if (runtime_godebug_int(ti->default_godebug, key, &v)) {
		s.value = v;
		s.source = "DefaultGODEBUG";
	}
	if (env && runtime_godebug_int(env, key, &v)) {
		s.value = v;
		s.source = "GODEBUG in the environment";
	}
	return s;
}

static int go_at_least(const struct target_info *ti, int major, int minor)
{
	return ti->go_major > major || (ti->go_major == major && ti->go_minor >= minor);
}

/* A GOMAXPROCS the runtime takes: a positive decimal int32 (strconv.ParseInt, n > 0). */
static int valid_gomaxprocs(const char *v)
{
	long n;
	char buf[64];
	if (!v || strlen(v) >= sizeof(buf) - 3)
		return 0;
	snprintf(buf, sizeof(buf), "x=%s", v);
	return runtime_godebug_int(buf, "x", &n) && n > 0 && !strchr(v, ',');
}

long runtime_go_gomaxprocs(const struct target_info *ti, const char *env_gomaxprocs, const char *env_godebug,
			   long ncpus, double leaf_cpus, struct runtime_gomaxprocs *out)
{
	memset(out, 0, sizeof(*out));
	out->rule = go_rule(ncpus, leaf_cpus);
	if (env_gomaxprocs && valid_gomaxprocs(env_gomaxprocs)) {
		out->from_env = 1;
		out->value = strtol(env_gomaxprocs, NULL, 10);
		return out->value;
	}
	if (go_at_least(ti, 1, 25)) {
		struct godebug_setting cmp = godebug_effective(ti, env_godebug, "containermaxprocs", 1);
		struct godebug_setting upd = godebug_effective(ti, env_godebug, "updatemaxprocs", 1);
		out->managed = cmp.value > 0;
		out->updates = out->managed && upd.value != 0;
		snprintf(out->why, sizeof(out->why), "containermaxprocs=%ld (%s), updatemaxprocs=%ld (%s)", cmp.value,
			 cmp.source, upd.value, upd.source);
	} else {
		snprintf(out->why, sizeof(out->why), "%s: before Go 1.25 the runtime takes the CPUs of its affinity",
			 ti->go_version[0] ? ti->go_version : "Go version unknown");
	}
	out->value = out->managed ? out->rule : ncpus;
	return out->value;
}

static void decide_go(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	struct knob_decision *d = &pl->gomaxprocs;
	const struct target_info *ti = in->target;
	const char *ver = ti && ti->go_version[0] ? ti->go_version : "a Go program (version unknown)";
	long n = go_rule((long)pl->ncpus, in->leaf_limit.cpus);
	char why[400], pin[128];
	go_rule_why(pl, in, n, why, sizeof(why));

	d->action = KNOB_NONE;
	d->value = 0;
	pl->gomaxprocs_managed = -1;
	pl->go_version[0] = '\0';

	/* Does the runtime size GOMAXPROCS itself? Go >= 1.25 with containermaxprocs on (> 0). */
	struct godebug_setting cmp = {0, "before Go 1.25"}, upd = {0, "before Go 1.25"};
	if (ti && ti->found && ti->is_go) {
		snprintf(pl->go_version, sizeof(pl->go_version), "%s", ti->go_version);
		if (go_at_least(ti, 1, 25)) {
			cmp = godebug_effective(ti, in->env_godebug, "containermaxprocs", 1);
			upd = godebug_effective(ti, in->env_godebug, "updatemaxprocs", 1);
		}
		pl->gomaxprocs_managed = cmp.value > 0;
	}

	switch (p->gomaxprocs.mode) {
	case KNOB_KEEP:
		say(d, "gomaxprocs = keep: the environment is passed as it is");
		return;
	case KNOB_OFF:
		d->action = KNOB_UNSET;
		say(d, "gomaxprocs = off: GOMAXPROCS removed from the environment");
		return;
	case KNOB_VALUE:
		d->action = KNOB_SET;
		d->value = p->gomaxprocs.value;
		say(d, "gomaxprocs = %ld in the policy", d->value);
		return;
	case KNOB_ALWAYS:
		d->action = KNOB_SET;
		d->value = n;
		say(d, "gomaxprocs = always: Go's rule gives %ld from %s", n, why);
		return;
	case KNOB_AUTO:
		break;
	}
	if (!ti || !ti->found) {
		say(d, "no command to inspect: GOMAXPROCS is set only for Go programs");
		return;
	}
	if (!ti->is_go) {
		say(d, "not a Go program: GOMAXPROCS left alone");
		return;
	}
	char note[160] = "";
	if (in->env_gomaxprocs) {
		if (valid_gomaxprocs(in->env_gomaxprocs)) {
			say(d, "GOMAXPROCS=%.40s is already set by the user: kept",
				 in->env_gomaxprocs);
			return;
		}
		snprintf(note, sizeof(note), "GOMAXPROCS=%.40s in the environment is not a positive integer, which "
			 "Go ignores; ", in->env_gomaxprocs);
	}
	if (cmp.value > 0) {
		int pinned = pins_threads(p, pin, sizeof(pin));
		if (pinned && upd.value != 0) {
			d->action = KNOB_SET;
			d->value = n;
			say(d,
				 "%s%s with containermaxprocs=%ld (%s) manages GOMAXPROCS itself, but its periodic check "
				 "reads the affinity of its sysmon thread, which numarun may pin to one CPU (%s): set to "
				 "the value it computes at startup, %ld from %s",
				 note, ver, cmp.value, cmp.source, pin, n, why);
			return;
		}
		if (pinned)
			say(d,
				 "%s%s with containermaxprocs=%ld (%s) computes GOMAXPROCS at startup from the plan and, "
				 "with updatemaxprocs=%ld (%s), never again, so pinning its threads (%s) cannot lower "
				 "it: left unset", note, ver, cmp.value, cmp.source, upd.value, upd.source, pin);
		else
			say(d,
				 "%s%s with containermaxprocs=%ld (%s) manages GOMAXPROCS itself from its affinity and "
				 "the leaf cgroup's quota: left unset (a GOMAXPROCS would turn its updates off)",
				 note, ver, cmp.value, cmp.source);
		return;
	}
	d->action = KNOB_SET;
	d->value = n;
	if (!go_at_least(ti, 1, 25))
		say(d,
			 "%s%s does not size GOMAXPROCS from the cgroup quota (before Go 1.25): Go's rule gives %ld "
			 "from %s", note, ti->go_major < 0 ? ver : ti->go_version, n, why);
	else if (strcmp(cmp.source, "DefaultGODEBUG") == 0)
		say(d,
			 "%s%s built from a module whose go line is before 1.25 (or with a godebug directive): "
			 "DefaultGODEBUG has containermaxprocs=%ld, so it ignores the cgroup quota: Go's rule gives "
			 "%ld from %s", note, ver, cmp.value, n, why);
	else
		say(d,
			 "%sGODEBUG=%.60s in the environment has containermaxprocs=%ld: %s ignores the cgroup quota: "
			 "Go's rule gives %ld from %s", note, in->env_godebug ? in->env_godebug : "", cmp.value,
			 ver, n, why);
}

static void decide_omp(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	struct knob_decision *d = &pl->omp;
	char pin[128];
	d->action = KNOB_NONE;
	d->value = 0;
	switch (p->omp.mode) {
	case KNOB_KEEP:
	case KNOB_ALWAYS:
		say(d, "omp_num_threads = keep");
		return;
	case KNOB_OFF:
		d->action = KNOB_UNSET;
		say(d, "omp_num_threads = off: OMP_NUM_THREADS removed");
		return;
	case KNOB_VALUE:
		d->action = KNOB_SET;
		d->value = p->omp.value;
		say(d, "omp_num_threads = %ld in the policy", d->value);
		return;
	case KNOB_AUTO:
		break;
	}
	if (in->env_omp) {
		say(d, "OMP_NUM_THREADS=%.40s is already set by the user: kept", in->env_omp);
		return;
	}
	/* OpenMP runtimes size their team from the affinity mask, which is the plan; they do not see a
	 * quota. The kernel enforces every level, so the tightest one counts; rounded up, at least 1. */
	long n = (long)pl->ncpus;
	if (in->limit.cpus > 0) {
		double q = ceil(in->limit.cpus);
		if (q < 1)
			q = 1;
		if (q < (double)n) {
			d->action = KNOB_SET;
			d->value = (long)q;
			say(d,
				 "omp_num_threads = auto: the cgroup CPU quota %.2f (%.160s) rounded up caps below the "
				 "plan's %u CPUs, which OpenMP would take from its affinity", in->limit.cpus,
				 in->limit.source, pl->ncpus);
			return;
		}
	}
	if (pins_threads(p, pin, sizeof(pin))) {
		d->action = KNOB_SET;
		d->value = n;
		say(d,
			 "omp_num_threads = auto: numarun pins individual threads (%s), and the main thread may be "
			 "pinned to one CPU before OpenMP sizes its team from its affinity: the plan's %u CPUs", pin,
			 pl->ncpus);
		return;
	}
	say(d,
		 "omp_num_threads = auto: OpenMP sizes its team from the affinity mask, which is the plan's %u CPUs%s: "
		 "left unset", pl->ncpus, in->limit.cpus > 0 ? " (the CPU quota does not cap below it)" : "");
}

static void decide_memlimit(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	struct knob_decision *d = &pl->gomemlimit;
	const struct target_info *ti = in->target;
	char a[32], b[32], list[128];
	d->action = KNOB_NONE;
	d->value = 0;
	switch (p->gomemlimit.mode) {
	case KNOB_KEEP:
	case KNOB_ALWAYS:
		say(d, "gomemlimit = keep: the environment is passed as it is");
		return;
	case KNOB_OFF:
		d->action = KNOB_UNSET;
		say(d, "gomemlimit = off: GOMEMLIMIT removed from the environment");
		return;
	case KNOB_VALUE:
		d->action = KNOB_SET;
		d->value = p->gomemlimit.value;
		plan_format_bytes((unsigned long long)d->value, a, sizeof(a));
		say(d, "gomemlimit = %ld (%s) in the policy", d->value, a);
		return;
	case KNOB_AUTO:
		break;
	}
	if (!ti || !ti->found) {
		say(d, "no command to inspect: GOMEMLIMIT is set only for Go programs");
		return;
	}
	if (!ti->is_go) {
		say(d, "not a Go program: GOMEMLIMIT left alone");
		return;
	}
	if (ti->go_major >= 0 && !go_at_least(ti, 1, 19)) {
		say(d, "%s has no soft memory limit (GOMEMLIMIT came with Go 1.19): "
			 "left unset", ti->go_version);
		return;
	}
	if (in->env_gomemlimit) {
		say(d, "GOMEMLIMIT=%.40s is already set by the user: kept",
			 in->env_gomemlimit);
		return;
	}
	if (pl->mem != MEM_BIND && pl->mem != MEM_PREFERRED) {
		say(d, "memory policy %s keeps the heap on no particular nodes: left "
			 "unset (gomemlimit = auto needs bind or preferred)", policy_mem_name(pl->mem));
		return;
	}
	unsigned long long mem = 0;
	int known = in->topo != NULL && pl->mem_nodes != NULL;
	unsigned i;
	if (known) {
		hwloc_bitmap_foreach_begin(i, pl->mem_nodes) {
			int k = topology_node_index(in->topo, i);
			if (k < 0 || in->topo->nodes[k].memory == 0)
				known = 0;
			else
				mem += in->topo->nodes[k].memory;
		}
		hwloc_bitmap_foreach_end();
	}
	if (!known || mem == 0) {
		say(d, "the memory of the %s nodes is not known: left unset",
			 policy_mem_name(pl->mem));
		return;
	}
	int many = hwloc_bitmap_weight(pl->mem_nodes) > 1;
	if (hwloc_bitmap_list_snprintf(list, sizeof(list), pl->mem_nodes) < 0)
		list[0] = '\0';
	plan_format_bytes(mem, a, sizeof(a));
	if (in->mem_limit.bytes > 0 && in->mem_limit.bytes <= mem) {
		plan_format_bytes(in->mem_limit.bytes, b, sizeof(b));
		say(d,
			 "the cgroup memory limit %s (%.160s) is no more than the %s of node%s %s (memory policy %s): "
			 "the nodes are not what bounds the heap: left unset", b, in->mem_limit.source, a,
			 many ? "s" : "", list, policy_mem_name(pl->mem));
		return;
	}
	unsigned long long v = mem / 100 * RUNTIME_GOMEMLIMIT_PERCENT + mem % 100 * RUNTIME_GOMEMLIMIT_PERCENT / 100;
	if (v > (unsigned long long)LONG_MAX)
		v = (unsigned long long)LONG_MAX;
	d->action = KNOB_SET;
	d->value = (long)v;
	plan_format_bytes(v, b, sizeof(b));
	char lim[200];
	if (in->mem_limit.bytes > 0) {
		char c[32];
		plan_format_bytes(in->mem_limit.bytes, c, sizeof(c));
		snprintf(lim, sizeof(lim), "below the cgroup memory limit %s (%.120s)", c, in->mem_limit.source);
	} else {
		snprintf(lim, sizeof(lim), "and there is no cgroup memory limit");
	}
	say(d, "gomemlimit = auto: %d%% of the %s of node%s %s (memory policy %s), "
		 "%s: %s", RUNTIME_GOMEMLIMIT_PERCENT, a, many ? "s" : "", list, policy_mem_name(pl->mem), lim, b);
}

void runtime_decide(struct plan *pl, const struct policy *p, const struct runtime_inputs *in)
{
	decide_go(pl, p, in);
	decide_omp(pl, p, in);
	decide_memlimit(pl, p, in);
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
	if (rc == 0)
		rc = apply_one("GOMEMLIMIT", &pl->gomemlimit);
	return rc ? rc : apply_one("OMP_NUM_THREADS", &pl->omp);
}
