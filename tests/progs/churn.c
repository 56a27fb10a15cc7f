/* churn.c - a soak workload: N long-lived threads named "long<i>" (idle, waking every few milliseconds
 * for a little work) beside a churner thread ("churner") that creates and joins short-lived threads
 * ("ephem", each does nothing but set its name and end) as fast as it can or at a given rate, for a
 * given time. The main thread says at start "churn: started pid=PID churner=TID long=TID,TID,...", then
 * waits and reports what it did on standard output.
 *
 *   churn [-t LONG] [-s SECONDS] [-r RATE] [-k BATCH] [-c CHECK_MS] [-g GRACE] [-i PROGRESS] [-x STATUS]
 *         [-u SECONDS]
 *
 *   -t LONG      long-lived threads (default 4)
 *   -s SECONDS   how long to run (default 10; 0: until a signal)
 *   -r RATE      short-lived threads a second the churner aims at (default 0: as fast as it can; tens of
 *                thousands a second can outrun the kernel's freeing of ended threads' stacks)
 *   -k BATCH     short-lived threads alive at once: the churner creates BATCH, then joins them (default 4)
 *   -c CHECK_MS  each long-lived thread reads its own affinity (sched_getaffinity of its TID) every
 *                CHECK_MS milliseconds and counts whether it is a single CPU (default 0: no checks)
 *   -g GRACE     seconds a long-lived thread may run before it must be pinned (default 5): from the
 *                first check that finds it pinned on, every check must find a single CPU
 *   -i PROGRESS  print a progress line every PROGRESS seconds (default 0: none)
 *   -x STATUS    exit status at the end of a clean run (default 0)
 *   -u SECONDS   a fault to show the checks failing: from SECONDS on, thread long0 gives itself every
 *                CPU it was launched with, again every 5 ms (a program fighting whoever pins it)
 *
 * SIGTERM, SIGINT and SIGHUP end the run early: the report is printed and the status is 128 + the
 * signal. The report is one line of KEY=VALUE pairs starting "churn: done", then one "churn: long"
 * line per long-lived thread. With -c, a long-lived thread that was not pinned within GRACE seconds,
 * or that was found on more than one CPU after it had been pinned, makes the status 1 and the report
 * says "pinned=no". */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct longthread {
	pthread_t thread;
	unsigned id;
	pid_t tid;
	unsigned long checks;        /* affinity reads */
	unsigned long single;        /* reads that found one CPU */
	unsigned long unpinned_after; /* reads that found several CPUs after one had found a single CPU */
	unsigned long cpu_changes;   /* the single CPU differed from the previous single CPU */
	int last_cpu;                /* -1 before the first single-CPU read */
	int first_cpu;
	double first_pinned;         /* seconds since start of the first single-CPU read; -1: never */
	unsigned long work;
};

static atomic_int stop;
static pthread_barrier_t started; /* every long-lived thread and the churner have their name and TID */
static pid_t churner_tid;
static struct timespec t_start;
static long check_ms;
static double unpin_after = -1;
static cpu_set_t launch_mask;
static size_t ncpu_alloc;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t_start.tv_sec) + (double)(t.tv_nsec - t_start.tv_nsec) / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !atomic_load(&stop))
		;
}

/* The one CPU of this thread's own mask, -2 when it has several, -1 when the read failed. */
static int own_single_cpu(pid_t tid)
{
	cpu_set_t *set = CPU_ALLOC(ncpu_alloc);
	size_t sz = CPU_ALLOC_SIZE(ncpu_alloc);
	int cpu = -1;
	if (!set)
		return -1;
	CPU_ZERO_S(sz, set);
	if (sched_getaffinity(tid, sz, set) == 0) {
		if (CPU_COUNT_S(sz, set) == 1) {
			for (size_t c = 0; c < ncpu_alloc; c++)
				if (CPU_ISSET_S(c, sz, set)) {
					cpu = (int)c;
					break;
				}
		} else {
			cpu = -2;
		}
	}
	CPU_FREE(set);
	return cpu;
}

static void *long_main(void *arg)
{
	struct longthread *lt = arg;
	char name[16];
	snprintf(name, sizeof(name), "long%u", lt->id);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	lt->tid = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&started);
	int unpinned = 0;
	double next_check = 0;
	uint64_t x = 0x9E3779B97F4A7C15ULL * (lt->id + 1);
	while (!atomic_load(&stop)) {
		/* Lightly busy: a few microseconds of arithmetic every 5 ms. */
		for (int k = 0; k < 2000; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		lt->work += x & 1;
		double t = now_s();
		if (unpin_after >= 0 && lt->id == 0 && t >= unpin_after) {
			/* Over and over, so that whoever pins it again loses at once. */
			if (sched_setaffinity(0, sizeof(launch_mask), &launch_mask) < 0 && !unpinned)
				perror("churn: sched_setaffinity");
			if (!unpinned)
				next_check = t; /* check at once */
			unpinned = 1;
		}
		if (check_ms > 0 && t >= next_check) {
			next_check = t + (double)check_ms / 1000.0;
			int cpu = own_single_cpu(lt->tid);
			lt->checks++;
			if (cpu >= 0) {
				lt->single++;
				if (lt->first_pinned < 0) {
					lt->first_pinned = t;
					lt->first_cpu = cpu;
				} else if (cpu != lt->last_cpu) {
					lt->cpu_changes++;
				}
				lt->last_cpu = cpu;
			} else if (cpu == -2 && lt->first_pinned >= 0) {
				lt->unpinned_after++;
			}
		}
		sleep_ms(5);
	}
	return NULL;
}

static atomic_ulong created, create_failed;
static long rate;
static int batch = 4;

static void *ephem_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "ephem", 0, 0, 0);
	return NULL;
}

static void *churner_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "churner", 0, 0, 0);
	churner_tid = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(&started);
	pthread_t *t = calloc((size_t)batch, sizeof(*t));
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (!t) {
		perror("churn: calloc");
		exit(1);
	}
	double t0 = now_s();
	while (!atomic_load(&stop)) {
		int n = 0;
		for (int i = 0; i < batch; i++) {
			int e = pthread_create(&t[n], &attr, ephem_main, NULL);
			if (e == 0)
				n++;
			else
				atomic_fetch_add(&create_failed, 1);
		}
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		unsigned long c = atomic_fetch_add(&created, (unsigned long)n) + (unsigned long)n;
		if (rate > 0) {
			/* Pace to RATE: sleep while ahead of the schedule. */
			double due = t0 + (double)c / (double)rate, t = now_s();
			if (due > t + 0.001)
				sleep_ms((long)((due - t) * 1000.0));
		}
	}
	pthread_attr_destroy(&attr);
	free(t);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: churn [-t LONG] [-s SECONDS] [-r RATE] [-k BATCH] [-c CHECK_MS] [-g GRACE] "
			"[-i PROGRESS] [-x STATUS] [-u SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int nlong = 4, opt, status = 0;
	double seconds = 10, grace = 5, progress = 0;
	while ((opt = getopt(argc, argv, "t:s:r:k:c:g:i:x:u:")) != -1) {
		switch (opt) {
		case 't': nlong = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'r': rate = atol(optarg); break;
		case 'k': batch = atoi(optarg); break;
		case 'c': check_ms = atol(optarg); break;
		case 'g': grace = atof(optarg); break;
		case 'i': progress = atof(optarg); break;
		case 'x': status = atoi(optarg); break;
		case 'u': unpin_after = atof(optarg); break;
		default: usage();
		}
	}
	if (nlong < 0 || batch < 1 || seconds < 0 || rate < 0 || check_ms < 0 || optind != argc)
		usage();
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	ncpu_alloc = conf > 0 ? (size_t)conf : 1;
	if (ncpu_alloc < 1024)
		ncpu_alloc = 1024;
	sched_getaffinity(0, sizeof(launch_mask), &launch_mask);

	/* Every thread blocks the ending signals; the main thread takes them with sigtimedwait. */
	sigset_t ending;
	sigemptyset(&ending);
	sigaddset(&ending, SIGTERM);
	sigaddset(&ending, SIGINT);
	sigaddset(&ending, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ending, NULL);

	pthread_barrier_init(&started, NULL, (unsigned)nlong + 2);
	struct longthread *lt = calloc((size_t)nlong + 1, sizeof(*lt));
	if (!lt) {
		perror("churn: calloc");
		return 1;
	}
	for (int i = 0; i < nlong; i++) {
		lt[i].id = (unsigned)i;
		lt[i].last_cpu = lt[i].first_cpu = -1;
		lt[i].first_pinned = -1;
		int e = pthread_create(&lt[i].thread, NULL, long_main, &lt[i]);
		if (e) {
			fprintf(stderr, "churn: pthread_create: %s\n", strerror(e));
			return 1;
		}
	}
	pthread_t churner;
	int e = pthread_create(&churner, NULL, churner_main, NULL);
	if (e) {
		fprintf(stderr, "churn: pthread_create: %s\n", strerror(e));
		return 1;
	}

	pthread_barrier_wait(&started);
	printf("churn: started pid=%d churner=%d long=", (int)getpid(), (int)churner_tid);
	for (int i = 0; i < nlong; i++)
		printf("%s%d", i ? "," : "", (int)lt[i].tid);
	printf("\n");
	fflush(stdout);

	int sig = 0;
	double next_progress = progress > 0 ? progress : -1;
	unsigned long last_created = 0;
	double last_t = 0;
	for (;;) {
		double t = now_s();
		if (seconds > 0 && t >= seconds)
			break;
		double wait = 1.0;
		if (seconds > 0 && seconds - t < wait)
			wait = seconds - t;
		if (next_progress > 0 && next_progress - t < wait)
			wait = next_progress - t > 0 ? next_progress - t : 0;
		struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
		int s = sigtimedwait(&ending, NULL, &ts);
		if (s > 0) {
			sig = s;
			break;
		}
		t = now_s();
		if (next_progress > 0 && t >= next_progress) {
			unsigned long c = atomic_load(&created);
			printf("churn: progress t=%.1f created=%lu rate=%.0f/s\n", t, c,
			       t > last_t ? (double)(c - last_created) / (t - last_t) : 0.0);
			fflush(stdout);
			last_created = c;
			last_t = t;
			next_progress += progress;
		}
	}
	double elapsed = now_s();
	atomic_store(&stop, 1);
	pthread_join(churner, NULL);
	for (int i = 0; i < nlong; i++)
		pthread_join(lt[i].thread, NULL);

	unsigned long c = atomic_load(&created);
	int bad = 0;
	for (int i = 0; i < nlong; i++) {
		int ok = 1;
		if (check_ms > 0) {
			if (lt[i].unpinned_after > 0)
				ok = 0;
			if (elapsed > grace && (lt[i].first_pinned < 0 || lt[i].first_pinned > grace))
				ok = 0;
		}
		if (!ok)
			bad++;
		printf("churn: long tid=%d name=long%u checks=%lu single_cpu=%lu unpinned_after_pinned=%lu "
		       "first_pinned_s=%.2f first_cpu=%d last_cpu=%d cpu_changes=%lu pinned=%s\n",
		       (int)lt[i].tid, lt[i].id, lt[i].checks, lt[i].single, lt[i].unpinned_after, lt[i].first_pinned,
		       lt[i].first_cpu, lt[i].last_cpu, lt[i].cpu_changes,
		       check_ms > 0 ? (ok ? "yes" : "no") : "unchecked");
	}
	printf("churn: done seconds=%.1f long=%d created=%lu create_failed=%lu rate=%.0f/s batch=%d "
	       "signal=%d unpinned_long=%d\n",
	       elapsed, nlong, c, atomic_load(&create_failed), elapsed > 0 ? (double)c / elapsed : 0.0, batch, sig,
	       check_ms > 0 ? bad : -1);
	fflush(stdout);
	free(lt);
	if (sig)
		return 128 + sig;
	return bad ? 1 : status;
}
