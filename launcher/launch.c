/* launch.c - resolve like execvp, bind CPUs and memory in this process, then exec. */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <numaif.h>
#include "launch.h"
#include "mempolicy.h"
#include "nodelist.h"
#include "log.h"
#include "pin.h"
#include "privs.h"

static int check_file(const char *path, char *cause, size_t causelen, const char *shown)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(cause, causelen, "%s: %s", shown, strerror(errno));
		return errno == ENOENT || errno == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(cause, causelen, "%s: Is a directory", shown);
		return EXIT_NOEXEC;
	}
	if (access(path, X_OK) < 0) {
		snprintf(cause, causelen, "%s: %s", shown, strerror(errno));
		return EXIT_NOEXEC;
	}
	return 0;
}

int launch_resolve(const char *cmd, char *path, size_t pathlen, char *cause, size_t causelen)
{
	if (!*cmd) {
		snprintf(cause, causelen, "'': command not found");
		return EXIT_NOTFOUND;
	}
	if (strchr(cmd, '/')) {
		snprintf(path, pathlen, "%s", cmd);
		return check_file(cmd, cause, causelen, cmd);
	}
	const char *envpath = getenv("PATH");
	if (!envpath)
		envpath = "/usr/local/bin:/bin:/usr/bin";
	int seen_noexec = 0;
	char first_noexec[512] = "";
	for (const char *p = envpath;;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char cand[PATH_MAX];
		snprintf(cand, sizeof(cand), "%.*s%s%s", (int)n, p, n ? "/" : "", cmd);
		char why[512];
		int rc = check_file(cand, why, sizeof(why), cmd);
		if (rc == 0) {
			snprintf(path, pathlen, "%s", cand);
			return 0;
		}
		if (rc == EXIT_NOEXEC && !seen_noexec) {
			/* execvp keeps looking after EACCES and reports it only if nothing better turns up. */
			struct stat st;
			if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
				seen_noexec = 1;
				snprintf(first_noexec, sizeof(first_noexec), "%s", why);
			}
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	if (seen_noexec) {
		snprintf(cause, causelen, "%s", first_noexec);
		return EXIT_NOEXEC;
	}
	snprintf(cause, causelen, "%s: command not found", cmd);
	return EXIT_NOTFOUND;
}



void launch_warn_memory_dropped(const char *why)
{
	log_warn("the kernel refuses the memory policy: %s; launching without it (the CPU binding is kept; --strict "
		 "refuses instead)", why);
}

int launch_bind_self(const struct plan *pl, char *cause, size_t causelen)
{
	char list[1024];
	if (!hwloc_bitmap_iszero(pl->cpus)) {
		int rc = pin_thread_set(0, pl->cpus);
		if (rc < 0) {
			snprintf(cause, causelen, "sched_setaffinity pid %d cpus %s: %s", (int)getpid(),
				 nodelist_format(pl->cpus, list, sizeof(list)), strerror(-rc));
			return rc;
		}
	}
	int mode = mempolicy_mode(pl->mem);
	if (mode < 0)
		return 0;
	unsigned long *mask = NULL;
	unsigned long maxnode = 0;
	if (mode != MPOL_LOCAL)
		mask = pin_nodemask(pl->mem_nodes, &maxnode);
	if (pl->balancing)
		mode |= MPOL_F_NUMA_BALANCING;
	int rc = set_mempolicy(mode, mask, maxnode);
	int e = errno;
	free(mask);
	if (rc < 0) {
		/* Refused though the probe did not say so (it could not run): the CPU binding stands. */
		struct privs pv;
		char why[1024];
		privs_read(&pv);
		int refused = privs_refused(&pv, e);
		if (refused)
			privs_explain(&pv, "set_mempolicy", e, -1, why, sizeof(why));
		if (refused && !pl->strict) {
			launch_warn_memory_dropped(why);
			return 0;
		}
		snprintf(cause, causelen, "set_mempolicy %s%s nodes %s: %s%s", policy_mem_name(pl->mem),
			 pl->balancing ? "|balancing" : "",
			 pl->mem == MEM_LOCAL ? "local" : nodelist_format(pl->mem_nodes, list, sizeof(list)),
			 refused ? why : strerror(e), refused ? "; --strict: not launched without it" : "");
		return -e;
	}
	return 0;
}

int launch_exec(const char *path, char *const argv[], char *cause, size_t causelen)
{
	extern char **environ;
	execve(path, argv, environ);
	int e = errno;
	if (e == ENOEXEC) {
		/* As execvp: a file without a #! line is a shell script. */
		int n = 0;
		while (argv[n])
			n++;
		char **sh = calloc((size_t)n + 2, sizeof(*sh));
		sh[0] = (char *)"sh";
		sh[1] = (char *)path;
		for (int i = 1; i < n; i++)
			sh[i + 1] = argv[i];
		execve("/bin/sh", sh, environ);
		e = errno;
		free(sh);
	}
	snprintf(cause, causelen, "%s: %s", argv[0], strerror(e));
	return e == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
}
