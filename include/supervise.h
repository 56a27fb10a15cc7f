/* supervise.h - the resident parent: fork, bind the child, forward signals, reap, monitor ticks. */
#ifndef NUMARUN_SUPERVISE_H
#define NUMARUN_SUPERVISE_H

#include <sys/types.h>
#include "monitor.h"
#include "plan.h"
#include "policy.h"

/*
 * Start the target as our child (bound and exec'd in the child, with the signal mask and SIGCHLD
 * disposition we were given), stay as its parent: forward every signal but the synchronous ones
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS) and SIGCHLD, reap every child (we are a subreaper,
 * and may be PID 1), run m's ticks every interval (m may be NULL), and return the exit status for numarun:
 * the target's own, 128+N when it died of signal N, 126/127/1 when it could not be started.
 */
int supervise_run(struct monitor *m, const struct plan *pl, const struct policy *p, const char *path,
		  char *const argv[]);

/* Called once in the parent when the target has started (exec succeeded), before the first tick: where the
 * resident numarun drops the capabilities it does not need. */
void supervise_on_launch(void (*fn)(void *, pid_t), void *arg);

#endif
