/* launch.c - resolve like execvp, bind CPUs and memory in this process, then exec. */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "numasys.h"
#include "launch.h"
#include "mempolicy.h"
#include "nodelist.h"
#include "log.h"
#include "pin.h"
#include "privs.h"

/* The kernel reads this much of a file for its #! line (BINPRM_BUF_SIZE). */
#define SCRIPT_HEAD 256

/* The #! interpreter of the file at path, as the kernel reads it, into interp: 1, or 0 when the file is
 * not a script with one (or cannot be read; exec will say why). */
static int script_interpreter(const char *path, char *interp, size_t len)
{
	char buf[SCRIPT_HEAD];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	size_t i = 2;
	while (i < (size_t)n && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	size_t start = i;
	while (i < (size_t)n && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\0')
		i++;
	/* an empty name is ENOEXEC (sh runs the file); a name that runs past what the kernel reads is its
	 * business */
	if (i == start || i == (size_t)n || i - start >= len)
		return 0;
	memcpy(interp, buf + start, i - start);
	interp[i - start] = '\0';
	return 1;
}

/* What keeps the #! interpreter of the script at path from running it, as "bad interpreter 'X': why"
 * (following an interpreter that is itself a script, as the kernel does): its errno, or 0 when there
 * is no such problem to tell. */
static int interpreter_problem(const char *path, char *why, size_t whylen, int depth)
{
	char interp[SCRIPT_HEAD], inner[512];
	struct stat st;
	int e;
	if (depth > 4 || !script_interpreter(path, interp, sizeof(interp)))
		return 0;
	if (stat(interp, &st) < 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (!S_ISREG(st.st_mode))
		e = EACCES;
	else if (access(interp, X_OK) < 0)
		e = errno;
	else if ((e = interpreter_problem(interp, inner, sizeof(inner), depth + 1)) != 0) {
		snprintf(why, whylen, "bad interpreter '%s': %s", interp, inner);
		return e;
	}
	if (e)
		snprintf(why, whylen, "bad interpreter '%s': %s", interp, strerror(e));
	return e;
}

/* The ELF interpreter (PT_INTERP, the dynamic loader) of a program of this machine's byte order, into
 * interp: 1, or 0 when it is not such a program or has none. */
static int elf_interpreter(const char *path, char *interp, size_t len)
{
	unsigned char id[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	if (fd < 0)
		return 0;
	const union { uint16_t u; unsigned char b[2]; } order = {1};
	int native = order.b[0] ? ELFDATA2LSB : ELFDATA2MSB;
	if (pread(fd, id, sizeof(id), 0) != (ssize_t)sizeof(id) || memcmp(id, ELFMAG, SELFMAG) != 0 ||
	    id[EI_DATA] != native)
		goto out;
	uint64_t phoff, off = 0, size = 0;
	unsigned phnum, phentsize;
	if (id[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			goto out;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
		if (phentsize != sizeof(Elf64_Phdr))
			goto out;
		for (unsigned i = 0; i < phnum && !size; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) != (ssize_t)sizeof(ph))
				goto out;
			if (ph.p_type == PT_INTERP)
				off = ph.p_offset, size = ph.p_filesz;
		}
	} else if (id[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			goto out;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
		if (phentsize != sizeof(Elf32_Phdr))
			goto out;
		for (unsigned i = 0; i < phnum && !size; i++) {
			Elf32_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) != (ssize_t)sizeof(ph))
				goto out;
			if (ph.p_type == PT_INTERP)
				off = ph.p_offset, size = ph.p_filesz;
		}
	}
	if (size < 2 || size > len || pread(fd, interp, (size_t)size, (off_t)off) != (ssize_t)size ||
	    interp[size - 1] != '\0')
		goto out;
	found = 1;
out:
	close(fd);
	return found;
}

/* Whether the file at path is binary, not a shell script: an ELF file, or a NUL byte in its first line
 * (as the shells tell them apart). */
static int binary_file(const char *path)
{
	char buf[SCRIPT_HEAD];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return 1;
	for (ssize_t i = 0; i < n && buf[i] != '\n'; i++)
		if (buf[i] == '\0')
			return 1;
	return 0;
}

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

/* A command found whose #! interpreter cannot run it: 126 with the reason, found before anything is
 * started (an events file opened, a child forked; execve would say ENOENT, as if the script itself were
 * missing). Not a reason to look further along PATH, as execvp would: the command named is this one. */
static int check_interpreter(const char *path, char *cause, size_t causelen, const char *shown)
{
	char why[1024];
	if (interpreter_problem(path, why, sizeof(why), 0)) {
		snprintf(cause, causelen, "%s: %s", shown, why);
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
		int rc = check_file(cmd, cause, causelen, cmd);
		return rc ? rc : check_interpreter(cmd, cause, causelen, cmd);
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
			return check_interpreter(cand, cause, causelen, cmd);
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
	int mode = pl->mpol;
	if (mode < 0)
		return 0;
	unsigned long *mask = NULL;
	unsigned long maxnode = 0;
	if (mode != MPOL_LOCAL)
		mask = pin_nodemask(pl->mem_nodes, &maxnode);
	int rc = numasys_set_mempolicy(mode | (pl->balancing ? MPOL_F_NUMA_BALANCING : 0), mask, maxnode);
	int e = errno;
	free(mask);
	if (rc < 0 && e == EINVAL && mode == MPOL_PREFERRED_MANY) {
		/* A kernel before 5.15 (the plan could not ask it): prefer the first node, as MPOL_PREFERRED. */
		hwloc_bitmap_t first = hwloc_bitmap_alloc();
		hwloc_bitmap_only(first, (unsigned)hwloc_bitmap_first(pl->mem_nodes));
		maxnode = 0;
		mask = pin_nodemask(first, &maxnode);
		rc = numasys_set_mempolicy(MPOL_PREFERRED, mask, maxnode);
		e = errno;
		free(mask);
		if (rc == 0)
			log_warn("the kernel refuses MPOL_PREFERRED_MANY (set_mempolicy preferred_many nodes %s: %s; Linux "
				 "5.15 has it): preferring node %d only, the first of them", nodelist_format(pl->mem_nodes, list,
				 sizeof(list)), strerror(EINVAL), hwloc_bitmap_first(first));
		hwloc_bitmap_free(first);
	}
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
		snprintf(cause, causelen, "set_mempolicy %s%s nodes %s: %s%s", mempolicy_mode_name(mode),
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
	char why[1024], interp[PATH_MAX];
	if ((e == ENOENT || e == EACCES) && access(path, F_OK) == 0) {
		/* The file is there: what is missing or refused is its interpreter. */
		if (interpreter_problem(path, why, sizeof(why), 0)) {
			snprintf(cause, causelen, "%s: %s", argv[0], why);
			return EXIT_NOEXEC;
		}
		if (e == ENOENT && elf_interpreter(path, interp, sizeof(interp)) && access(interp, F_OK) < 0) {
			snprintf(cause, causelen, "%s: bad ELF interpreter '%s': %s", argv[0], interp, strerror(errno));
			return EXIT_NOEXEC;
		}
	}
	if (e == ENOEXEC && binary_file(path)) {
		/* execvp would hand it to sh, which would try to run machine code as commands. */
		snprintf(cause, causelen, "%s: %s (a binary file this machine cannot execute)", argv[0], strerror(e));
		return EXIT_NOEXEC;
	}
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
