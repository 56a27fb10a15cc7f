/* supervise.c - resident mode: fork + exec with an error pipe, signal forwarding, reaping, ticks. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "launch.h"
#include "log.h"
#include "runtime.h"
#include "supervise.h"

/* Signals that are about numarun itself (a fault in its own code) or that it must see (SIGCHLD); every
 * other one is forwarded, as tini does. SIGKILL and SIGSTOP cannot be caught. */
static int forwardable(int sig)
{
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
	case SIGCHLD: case SIGKILL: case SIGSTOP:
		return 0;
	}
	return 1;
}

static void (*on_launch)(void *, pid_t);
static void *on_launch_arg;

void supervise_on_launch(void (*fn)(void *, pid_t), void *arg)
{
	on_launch = fn;
	on_launch_arg = arg;
}

static double mono(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* The foreground process group of the terminal on standard input when that is numarun's controlling
 * terminal, else -1 (not a terminal, another session's, or hung up). */
static pid_t tty_foreground(void)
{
	if (!isatty(STDIN_FILENO))
		return -1;
	pid_t fg = tcgetpgrp(STDIN_FILENO);
	return fg > 0 ? fg : -1;
}

/* Make pgrp the terminal's foreground group. numarun keeps SIGTTOU blocked, so this works also from the
 * background, where the kernel would otherwise stop the caller. */
static void tty_give(pid_t pgrp)
{
	if (tcsetpgrp(STDIN_FILENO, pgrp) < 0)
		log_info("tcsetpgrp %d: %s", (int)pgrp, strerror(errno));
}

/* In the child: a process group of its own, the terminal when numarun had it, environment, binding, exec;
 * on failure the status and message go up the pipe. The target starts with the signal mask and the
 * SIGCHLD disposition numarun was given. */
static void child(int fd, const struct plan *pl, const struct policy *p, const char *path, char *const argv[],
		  const sigset_t *old, const struct sigaction *old_chld, int take_tty)
{
	char cause[1024], msg[1100];
	int rc;
	/* As tini: the target leads a process group of its own, and when numarun's group was the terminal's
	 * foreground the target's group takes it over, so that the terminal's SIGINT, SIGQUIT and SIGTSTP
	 * reach the target once (and not numarun, which would forward them a second time). tcsetpgrp from
	 * what is now a background group: SIGTTOU is still blocked here (the mask is restored below). */
	setpgid(0, 0);
	if (take_tty)
		(void)tcsetpgrp(STDIN_FILENO, getpid()); /* failing, the target runs in the background and
							   * numarun forwards what the terminal sends */
	sigaction(SIGCHLD, old_chld, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
	int e = runtime_apply_env(pl, p);
	if (e < 0) {
		snprintf(cause, sizeof(cause), "setting the environment: %s", strerror(-e));
		rc = EXIT_FAILURE_NUMARUN;
	} else if (launch_bind_self(pl, cause, sizeof(cause)) < 0) {
		rc = EXIT_FAILURE_NUMARUN;
	} else {
		rc = launch_exec(path, argv, cause, sizeof(cause));
	}
	int n = snprintf(msg, sizeof(msg), "%d %s", rc, cause);
	if (write(fd, msg, (size_t)n) < 0)
		_exit(rc);
	_exit(rc);
}

enum supervise_stop supervise_on_stop(int pid1, pid_t tty_fg, pid_t own, pid_t target, int sig, int asked)
{
	if (tty_fg < 0)
		return SUPERVISE_STOP_NOTHING; /* no terminal: nobody's job to stop (a service, a pipeline) */
	int wants_tty = sig == SIGTTIN || sig == SIGTTOU;
	if (tty_fg == target)
		return pid1 ? SUPERVISE_STOP_NOTHING : SUPERVISE_STOP_TAKE_FOLLOW;
	if (tty_fg == own)
		return wants_tty ? SUPERVISE_STOP_HAND_CONT : pid1 ? SUPERVISE_STOP_NOTHING : SUPERVISE_STOP_FOLLOW;
	/* numarun in the background: the target wants the terminal (the shell's fg gives it), or numarun was
	 * itself asked to stop and passed it on. */
	return !pid1 && (wants_tty || asked) ? SUPERVISE_STOP_FOLLOW : SUPERVISE_STOP_NOTHING;
}

/* What the loop knows about the target and the terminal. */
struct sv {
	pid_t pid;   /* the target, leader of its process group */
	pid_t own;   /* numarun's process group */
	int pid1;    /* numarun is PID 1: it never stops */
	int group;   /* -g: signals go to the target's process group */
	int stopped; /* numarun stopped with the target: SIGCONT goes to the target's whole group */
	int asked;   /* numarun forwarded SIGTSTP, SIGTTIN or SIGTTOU since the target last stopped or went on */
};

/* sig to the target, or with group to its process group (and to the target itself should it have left
 * the group). */
static void send_sig(const struct sv *s, int sig, int group)
{
	int r = -1;
	if (group) {
		r = kill(-s->pid, sig);
		if ((r < 0 && errno == ESRCH) || getpgid(s->pid) != s->pid)
			r = kill(s->pid, sig);
	} else {
		r = kill(s->pid, sig);
	}
	if (r < 0 && errno != ESRCH)
		log_warn("kill %s%d %s: %s", group ? "-" : "", (int)s->pid, strsignal(sig), strerror(errno));
}

/* Stop numarun itself with sig, as the target was stopped, and return once it is continued. sig is
 * blocked (numarun reads it from the signalfd): take its default action for the moment, send it,
 * and let it in. Returns whether a SIGCONT is there to be read (it is blocked, so it waits in the
 * signalfd): not so when the kernel discarded the stop (a process group without a shell to continue
 * it). */
static int stop_self(int sig)
{
	if (sig == SIGSTOP) {
		kill(getpid(), SIGSTOP);
	} else {
		struct sigaction dfl = {.sa_handler = SIG_DFL}, was;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, &was);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		kill(getpid(), sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL); /* stops here, until SIGCONT */
		sigprocmask(SIG_BLOCK, &one, NULL);
		sigaction(sig, &was, NULL);
	}
	sigset_t pend;
	sigpending(&pend);
	return sigismember(&pend, SIGCONT);
}

/* SIGCONT arrived: numarun goes on (the shell's fg or bg, or a kill). In the foreground of its terminal
 * (fg) the target's group gets the terminal, in the background (bg) it does not; then the target goes
 * on too, with its whole group when numarun had stopped with it. */
static void resume(struct sv *s)
{
	if (tty_foreground() == s->own)
		tty_give(s->pid);
	send_sig(s, SIGCONT, s->group || s->stopped);
	s->stopped = 0;
	s->asked = 0;
}

static const char *stop_name(int sig)
{
	return sig == SIGTSTP ? "SIGTSTP" : sig == SIGTTIN ? "SIGTTIN" : sig == SIGTTOU ? "SIGTTOU" : "SIGSTOP";
}

/* The target stopped with sig (WIFSTOPPED): do as a shell's job would, see supervise_on_stop. */
static void target_stopped(struct sv *s, int sig)
{
	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		sig = SIGSTOP;
	enum supervise_stop what = supervise_on_stop(s->pid1, tty_foreground(), s->own, s->pid, sig, s->asked);
	s->asked = 0;
	switch (what) {
	case SUPERVISE_STOP_NOTHING:
		log_info("the target stopped (%s)", stop_name(sig));
		return;
	case SUPERVISE_STOP_HAND_CONT:
		log_info("the target stopped (%s) for the terminal: it gets it and goes on", stop_name(sig));
		tty_give(s->pid);
		send_sig(s, SIGCONT, 1);
		return;
	case SUPERVISE_STOP_TAKE_FOLLOW:
		tty_give(s->own);
		/* fall through */
	case SUPERVISE_STOP_FOLLOW:
		log_info("the target stopped (%s): numarun stops too", stop_name(sig));
		s->stopped = 1;
		if (!stop_self(sig)) {
			log_info("numarun did not stop (orphaned process group): the target goes on");
			resume(s);
		}
		return;
	}
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAILURE_NUMARUN;
}

int supervise_run(struct monitor *m, const struct plan *pl, const struct policy *p, unsigned flags,
		  const char *path, char *const argv[])
{
	sigset_t set, old;
	sigemptyset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (forwardable(sig))
			sigaddset(&set, sig); /* refuses the C library's own (32, 33): fine */
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* A parent that left SIGCHLD ignored would have the kernel reap our children for us, and waitpid
	 * would never see the target end: take the default while we supervise. */
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_chld;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		log_error("pipe2: %s", strerror(errno));
		return EXIT_FAILURE_NUMARUN;
	}
	/* Only a numarun in the foreground of its terminal hands it on; one run in the background never
	 * takes it. */
	pid_t own = getpgrp();
	int take_tty = tty_foreground() == own;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return EXIT_FAILURE_NUMARUN;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(pfd[1], pl, p, path, argv, &old, &old_chld, take_tty);
	}
	/* Also here, so that no signal for the target's group is sent before the child has made it (EACCES
	 * once the child has exec'd: it has, then). */
	setpgid(pid, pid);
	close(pfd[1]);
	char msg[1100];
	ssize_t n, got = 0;
	while ((n = read(pfd[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			got += n;
	close(pfd[0]);
	if (got > 0) {
		/* The child never reached the target: report as the exec path would. */
		msg[got] = '\0';
		int st;
		waitpid(pid, &st, 0);
		if (tty_foreground() == pid)
			tty_give(own);
		char *sp = strchr(msg, ' ');
		log_error("%s", sp ? sp + 1 : msg);
		if (m)
			monitor_finish(m, st);
		return atoi(msg);
	}

	/* Orphaned descendants are re-parented to us, so that they are reaped (as PID 1 must) and seen. */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_info("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (tty_foreground() == pid)
			tty_give(own);
		return EXIT_FAILURE_NUMARUN;
	}
	struct sv s = {.pid = pid, .own = own, .pid1 = getpid() == 1,
		       .group = (flags & SUPERVISE_SIGNAL_GROUP) != 0};
	if (on_launch)
		on_launch(on_launch_arg, pid);
	if (m)
		monitor_start(m, pid);
	double interval = p->interval_ms / 1000.0, next = mono() + interval;
	int status = 0, done = 0;
	while (!done) {
		int timeout = -1;
		if (m) {
			double left = next - mono();
			timeout = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		struct pollfd pfds = {.fd = sfd, .events = POLLIN};
		int r = poll(&pfds, 1, timeout);
		if (r < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			int sig = (int)si.ssi_signo;
			if (!forwardable(sig))
				continue;
			/* Raised by numarun itself (a SIGPIPE from writing events to a reader that left): about
			 * numarun, not for the target. */
			if (si.ssi_code == SI_USER && (pid_t)si.ssi_pid == getpid() && sig == SIGPIPE)
				continue;
			if (sig == SIGCONT) {
				resume(&s);
				continue;
			}
			if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				s.asked = 1;
			/* Forward (with -g to the target's group, as tini -g); the target decides what it means. */
			send_sig(&s, sig, s.group);
		}
		int st;
		pid_t w;
		/* WUNTRACED: the target's stops too, for job control. */
		while ((w = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
			if (w != pid)
				continue;
			if (WIFSTOPPED(st)) {
				target_stopped(&s, WSTOPSIG(st));
			} else if (WIFEXITED(st) || WIFSIGNALED(st)) {
				status = st;
				done = 1;
			}
		}
		if (done)
			break;
		if (m && mono() >= next) {
			monitor_tick(m);
			next += interval;
			if (next < mono())
				next = mono() + interval;
		}
	}
	close(sfd);
	/* The terminal back to numarun's group, for whoever waits for numarun (a shell takes it back
	 * itself; another parent may not). */
	if (tty_foreground() == pid)
		tty_give(own);
	if (m)
		monitor_finish(m, status);
	return status_code(status);
}
