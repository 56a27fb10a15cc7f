/* supervise.h - the resident parent: fork, bind the child, forward signals, reap, monitor ticks. */
#ifndef NUMARUN_SUPERVISE_H
#define NUMARUN_SUPERVISE_H

#include <sys/types.h>
#include "monitor.h"
#include "plan.h"
#include "policy.h"

/* supervise_run flags. */
enum {
	SUPERVISE_SIGNAL_GROUP = 1 << 0, /* -g: forward to the target's process group, not the target alone */
};

/*
 * Start the target as our child (bound and exec'd in the child, with the signal mask and SIGCHLD
 * disposition we were given, leading a process group of its own that gets the terminal when we had it),
 * stay as its parent: forward every signal but the synchronous ones (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP, SIGSYS) and SIGCHLD (to the target, or its group with SUPERVISE_SIGNAL_GROUP), stop and go on
 * with it for job control (supervise_on_stop), reap every child (we are a subreaper, and may be PID 1),
 * run m's ticks every interval (m may be NULL), and return the exit status for numarun: the target's own,
 * 128+N when it died of signal N, 126/127/1 when it could not be started.
 */
int supervise_run(struct monitor *m, const struct plan *pl, const struct policy *p, unsigned flags,
		  const char *path, char *const argv[]);

/* What numarun does when the target stops (job control, as sudo and script do). */
enum supervise_stop {
	SUPERVISE_STOP_NOTHING,     /* leave it stopped: no job of a terminal's stops (or numarun is PID 1) */
	SUPERVISE_STOP_FOLLOW,      /* stop numarun with the same signal, so that its shell sees the job stopped */
	SUPERVISE_STOP_TAKE_FOLLOW, /* take the terminal back from the target's group first, then as FOLLOW */
	SUPERVISE_STOP_HAND_CONT,   /* numarun is in the foreground: the target's group gets the terminal it
				     * stopped for (SIGTTIN, SIGTTOU) and goes on */
};
/*
 * The decision, from the facts: numarun is PID 1; the foreground process group of numarun's terminal
 * (-1: none); numarun's and the target's process groups; the stop signal; whether numarun itself was
 * asked to stop (it forwarded SIGTSTP, SIGTTIN or SIGTTOU since the target last stopped).
 */
enum supervise_stop supervise_on_stop(int pid1, pid_t tty_fg, pid_t own, pid_t target, int sig, int asked);

/* Called once in the parent when the target has started (exec succeeded), before the first tick: where the
 * resident numarun drops the capabilities it does not need. */
void supervise_on_launch(void (*fn)(void *, pid_t), void *arg);

#endif
