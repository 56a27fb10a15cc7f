/* exitwith: a test target for numarun's exit-status handling.
 *
 *   exitwith STATUS          exit with STATUS (0-255)
 *   exitwith signal SIGNUM   die by signal SIGNUM (default action, unblocked)
 *
 * Anything else is a usage error: a message on stderr and exit status 64.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE_STATUS 64

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: exitwith STATUS | exitwith signal SIGNUM\n");
}

int main(int argc, char **argv)
{
	long v;

	if (argc == 2 && parse_int(argv[1], 0, 255, &v) == 0)
		return (int)v;

	if (argc == 3 && strcmp(argv[1], "signal") == 0 &&
	    parse_int(argv[2], 1, 64, &v) == 0) {
		struct sigaction sa;
		sigset_t set;
		int sig = (int)v;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		/* SIGKILL and SIGSTOP cannot be changed: ignore that error. */
		(void)sigaction(sig, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
		if (raise(sig) != 0) {
			fprintf(stderr, "exitwith: raise(%d): %s\n", sig, strerror(errno));
			return USAGE_STATUS;
		}
		/* The default action of some signals is to do nothing (SIGCHLD,
		 * SIGURG, SIGWINCH) or to stop (SIGTSTP...): say so. */
		fprintf(stderr, "exitwith: still alive after signal %d\n", sig);
		return USAGE_STATUS;
	}

	usage();
	return USAGE_STATUS;
}
