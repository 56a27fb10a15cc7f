/* procfs.c - pure parsers of /proc text and task enumeration. */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procfs.h"

int procfs_parse_sched(const char *text, struct sched_numa *s)
{
	s->scan_seq = -1;
	s->current_node = -1;
	s->preferred_nid = -1;
	s->have_faults = 0;
	if (s->faults)
		memset(s->faults, 0, s->maxnode * sizeof(*s->faults));
	if (!strstr(text, "------"))
		return -1;
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *colon;
		if (strncmp(line, "mm->numa_scan_seq", 17) == 0 && (colon = strchr(line, ':')))
			s->scan_seq = strtol(colon + 1, NULL, 10);
		else if (strncmp(line, "numa_preferred_nid", 18) == 0 && (colon = strchr(line, ':')))
			s->preferred_nid = (int)strtol(colon + 1, NULL, 10);
		else if (strncmp(line, "current_node=", 13) == 0)
			s->current_node = (int)strtol(line + 13, NULL, 10);
		else if (strncmp(line, "numa_faults node=", 17) == 0) {
			unsigned node;
			unsigned long tp = 0, ts = 0;
			if (sscanf(line, "numa_faults node=%u task_private=%lu task_shared=%lu", &node, &tp, &ts) == 3) {
				s->have_faults = 1;
				if (s->faults && node < s->maxnode)
					s->faults[node] = tp + ts;
			}
		}
	}
	return 0;
}

int procfs_parse_stat(const char *text, struct task_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->processor = -1;
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	if (!open || !close || close < open)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';
	/* After ") ": field 3 (state) onwards. */
	const char *p = close + 1;
	int field = 2;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		field++;
		if (field == 3)
			st->state = *p;
		else if (field == 4)
			st->ppid = (pid_t)strtol(p, NULL, 10);
		else if (field == 14)
			st->utime = strtoull(p, NULL, 10);
		else if (field == 15)
			st->stime = strtoull(p, NULL, 10);
		else if (field == 22)
			st->starttime = strtoull(p, NULL, 10);
		else if (field == 39) {
			st->processor = (int)strtol(p, NULL, 10);
			break;
		}
		while (*p && *p != ' ')
			p++;
	}
	return field >= 15 ? 0 : -1;
}

int procfs_parse_schedstat(const char *text, unsigned long long *run_ns)
{
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	if (end == text)
		return -1;
	*run_ns = v;
	return 0;
}

long procfs_parse_numa_maps(const char *text, unsigned long *pages, unsigned maxnode, int anon_only)
{
	long maps = 0;
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		int anon = 0;
		/* Is this mapping anonymous? numa_maps says anon=<pages> for it. */
		for (const char *p = line; p < line + len; p++)
			if ((p == line || p[-1] == ' ') && strncmp(p, "anon=", 5) == 0)
				anon = 1;
		if (!anon_only || anon) {
			maps++;
			for (const char *p = line; p < line + len; p++) {
				if ((p == line || p[-1] != ' ') || p[0] != 'N' || !isdigit((unsigned char)p[1]))
					continue;
				char *end;
				unsigned long node = strtoul(p + 1, &end, 10);
				if (*end != '=')
					continue;
				unsigned long cnt = strtoul(end + 1, NULL, 10);
				if (node < maxnode)
					pages[node] += cnt;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return maps;
}

long procfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	while (off + 1 < len) {
		ssize_t r = read(fd, buf + off, len - 1 - off);
		if (r < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	buf[off] = '\0';
	close(fd);
	return (long)off;
}

long procfs_read_alloc(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = 65536, off = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (off + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
		ssize_t r = read(fd, buf + off, cap - 1 - off);
		if (r < 0) {
			int e = errno;
			close(fd);
			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	buf[off] = '\0';
	*out = buf;
	return (long)off;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return x < y ? -1 : x > y;
}

long procfs_list_tasks(pid_t pid, pid_t **tids)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	size_t n = 0, cap = 64;
	pid_t *v = malloc(cap * sizeof(*v));
	struct dirent *e;
	for (;;) {
		errno = 0;
		if (!(e = readdir(d)))
			break;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n++] = (pid_t)strtol(e->d_name, NULL, 10);
	}
	int err = errno; /* readdir's, when it stopped early: the list is not whole */
	closedir(d);
	if (err) {
		free(v);
		return -err;
	}
	qsort(v, n, sizeof(*v), cmp_pid);
	*tids = v;
	return (long)n;
}

long procfs_read_grow(const char *path, char **buf, size_t *cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	for (;;) {
		if (off + 1 >= *cap) {
			size_t ncap = *cap ? 2 * *cap : 4096;
			char *nb = realloc(*buf, ncap);
			if (!nb) {
				close(fd);
				return -ENOMEM;
			}
			*buf = nb;
			*cap = ncap;
		}
		ssize_t r = read(fd, *buf + off, *cap - 1 - off);
		if (r < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	(*buf)[off] = '\0';
	return (long)off;
}

size_t procfs_parse_pids(const char *text, pid_t **v, size_t n, size_t *cap)
{
	for (const char *p = text; *p;) {
		char *end;
		long c = strtol(p, &end, 10);
		if (end == p)
			break;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*v = realloc(*v, *cap * sizeof(**v));
		}
		(*v)[n++] = (pid_t)c;
		p = end;
	}
	return n;
}

long procfs_descendants(pid_t pid, pid_t **pids, int *err)
{
	size_t n = 0, cap = 16, next = 0, bufcap = 0;
	pid_t *v = malloc(cap * sizeof(*v));
	char *buf = NULL;
	pid_t cur = pid;
	*err = 0;
	for (;;) {
		pid_t *tids;
		long nt = procfs_list_tasks(cur, &tids);
		if (nt < 0 && cur == pid) {
			free(v);
			return nt;
		}
		if (nt < 0 && nt != -ENOENT && nt != -ESRCH && !*err)
			*err = (int)nt; /* a child process not listed whole, not because it ended */
		for (long i = 0; i < nt; i++) {
			char path[96];
			snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)cur, (int)tids[i]);
			/* Read whole: 800 children of six-character PIDs are more than a page. */
			long r = procfs_read_grow(path, &buf, &bufcap);
			if (r < 0) {
				if (r != -ENOENT && r != -ESRCH && !*err)
					*err = (int)r;
				continue;
			}
			n = procfs_parse_pids(buf, &v, n, &cap);
		}
		if (nt > 0)
			free(tids);
		if (next >= n)
			break;
		cur = v[next++];
	}
	free(buf);
	*pids = v;
	return (long)n;
}

const char *procfs_field(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

int procfs_field_str(const char *text, const char *key, char *out, size_t len)
{
	const char *v = procfs_field(text, key);
	if (len)
		out[0] = '\0';
	if (!v)
		return -1;
	if (!len)
		return 0;
	size_t n = strcspn(v, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(out, v, n);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	return 0;
}

int procfs_field_ull(const char *text, const char *key, unsigned long long *v)
{
	const char *p = procfs_field(text, key);
	if (!p || *p < '0' || *p > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(p, &end, 10);
	if (errno)
		return -1;
	*v = x;
	return 0;
}
