/* launch.h - find the command, bind this process to the plan, exec (numarun does not stay resident). */
#ifndef NUMARUN_LAUNCH_H
#define NUMARUN_LAUNCH_H

#include <stddef.h>
#include "plan.h"

/* Exit statuses, as documented in numarun(1). */
#define EXIT_FAILURE_NUMARUN 1
#define EXIT_USAGE 2
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

/*
 * Resolve cmd as execvp would (a name with '/' as is, else each PATH entry). Returns 0 with the path,
 * EXIT_NOTFOUND or EXIT_NOEXEC with a reason in cause.
 */
int launch_resolve(const char *cmd, char *path, size_t pathlen, char *cause, size_t causelen);
/* Apply the plan's CPU affinity and memory policy to this process. Returns 0 or -errno with cause. */
int launch_bind_self(const struct plan *pl, char *cause, size_t causelen);
/* exec path with argv (environment already set). Returns only on failure: 126 or 127, with cause. */
int launch_exec(const char *path, char *const argv[], char *cause, size_t causelen);

/* The warning for a memory policy the kernel refuses (why: privs_explain's sentence), launched without. */
void launch_warn_memory_dropped(const char *why);

#endif
