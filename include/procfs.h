/* procfs.h - pure parsers of /proc text, and task enumeration (readers return -errno, print nothing). */
#ifndef NUMARUN_PROCFS_H
#define NUMARUN_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* What /proc/<tgid>/task/<tid>/sched says about NUMA balancing. */
struct sched_numa {
	long scan_seq;            /* mm->numa_scan_seq, -1 when absent */
	int current_node;         /* -1 when absent */
	int preferred_nid;        /* -1 when none */
	int have_faults;          /* numa_faults lines were present */
	unsigned long *faults;    /* per memory node (OS index): task_private + task_shared; caller's array */
	unsigned maxnode;         /* its length */
};

/* Parse sched text into s (s->faults and s->maxnode set by the caller). Returns 0, or -1 when the
 * text is not a sched file. */
int procfs_parse_sched(const char *text, struct sched_numa *s);

struct task_stat {
	char comm[64];
	char state;
	int processor;            /* CPU it last ran on (field 39), -1 when absent */
	unsigned long long utime, stime; /* clock ticks */
	unsigned long long starttime; /* field 22: clock ticks after boot (CLOCK_BOOTTIME) when it started */
	pid_t ppid;
};

/* Parse /proc/<pid>/stat or task/<tid>/stat (comm may hold spaces and parentheses). Returns 0 or -1. */
int procfs_parse_stat(const char *text, struct task_stat *st);
/* Parse schedstat: nanoseconds on CPU. Returns 0 or -1. */
int procfs_parse_schedstat(const char *text, unsigned long long *run_ns);
/* Add the N<node>=<pages> counts of every mapping in numa_maps text to pages[0..maxnode). Returns the
 * number of mappings read. When anon_only, only mappings marked anon= count. */
long procfs_parse_numa_maps(const char *text, unsigned long *pages, unsigned maxnode, int anon_only);

/* The value of the "Key:" line of status-like text (/proc/PID/status, task/TID/io), the blanks after the
 * colon skipped; NULL when there is no such line. */
const char *procfs_field(const char *text, const char *key);
/* That value to the end of its line, trailing blanks cut, into out (cut to len). Returns 0, or -1 with out ""
 * when the line is absent. */
int procfs_field_str(const char *text, const char *key, char *out, size_t len);
/* That value as an unsigned decimal. Returns 0, or -1 when absent or not a number. */
int procfs_field_ull(const char *text, const char *key, unsigned long long *v);

/* Read a whole /proc file into buf (NUL-terminated). Returns its length or -errno. */
long procfs_read(const char *path, char *buf, size_t len);
/* Read a file of any size into a malloc'd buffer. Returns length or -errno. */
long procfs_read_alloc(const char *path, char **out);
/* Read a whole file into *buf (malloc'd, grown as needed, *cap its size; reused across calls),
 * NUL-terminated. Returns its length or -errno. */
long procfs_read_grow(const char *path, char **buf, size_t *cap);
/* Append the whitespace-separated PIDs of text (a children file) to (*v)[n..], growing it (*cap).
 * Returns the new count. */
size_t procfs_parse_pids(const char *text, pid_t **v, size_t n, size_t *cap);
/* The thread IDs of a process, sorted. Returns the count (array malloc'd into *tids) or -errno (also
 * when the directory could not be read to its end). */
long procfs_list_tasks(pid_t pid, pid_t **tids);
/* The processes whose ancestor is pid (children, grandchildren...), from task/<tid>/children, each
 * read whole. Returns the count (malloc'd into *pids), or -errno when pid's own task list cannot be
 * read; *err: 0, or the first -errno (other than a process or thread ending) that left the list short. */
long procfs_descendants(pid_t pid, pid_t **pids, int *err);

#endif
