/* selfpin.c - a test workload whose threads pin themselves, as OpenMP with OMP_PROC_BIND, DPDK or a
 * thread pool does: one thread per CPU given, named pin<i>, that waits DELAY ms, pins itself to its CPU
 * with sched_setaffinity(0), and spins until the end. With -w it widens its mask back to the mask the
 * process started with after WIDEN ms. With -i, the main thread also starts a thread "plain" after
 * DELAY ms that sets nothing (it inherits whatever mask the main thread has then). At the end each thread
 * prints its name and its CPU mask:
 *
 *   selfpin [-d DELAY_MS] [-w WIDEN_MS] [-s SECONDS] [-i] CPU...
 *   pin0 cpus=0
 *   plain cpus=0-1 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long delay_ms, widen_ms = -1;
static double seconds = 2;
static cpu_set_t start_mask;
static pthread_mutex_t out = PTHREAD_MUTEX_INITIALIZER;

struct job {
	char name[16];
	int cpu;                  /* -1: pin nothing */
	pthread_t t;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void print_mask(const char *name)
{
	cpu_set_t s;
	char list[1024];
	size_t k = 0;
	list[0] = '\0';
	if (sched_getaffinity(0, sizeof(s), &s) < 0) {
		perror("sched_getaffinity");
		return;
	}
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &s))
			continue;
		int e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &s))
			e++;
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%d", k ? "," : "", c);
		if (e > c)
			k += (size_t)snprintf(list + k, sizeof(list) - k, "-%d", e);
		c = e;
	}
	pthread_mutex_lock(&out);
	printf("%s cpus=%s\n", name, list);
	fflush(stdout);
	pthread_mutex_unlock(&out);
}

static void *run(void *arg)
{
	struct job *j = arg;
	double t0 = now();
	pthread_setname_np(pthread_self(), j->name);
	sleep_ms(delay_ms);
	if (j->cpu >= 0) {
		cpu_set_t s;
		CPU_ZERO(&s);
		CPU_SET(j->cpu, &s);
		if (sched_setaffinity(0, sizeof(s), &s) < 0)
			perror("sched_setaffinity");
	}
	int widened = 0;
	volatile unsigned long x = 0;
	while (now() - t0 < seconds) {
		for (int k = 0; k < 100000; k++)
			x += (unsigned long)k;
		if (j->cpu >= 0 && widen_ms >= 0 && !widened && (now() - t0) * 1000 >= (double)widen_ms) {
			sched_setaffinity(0, sizeof(start_mask), &start_mask);
			widened = 1;
		}
		sleep_ms(1);
	}
	print_mask(j->name);
	return NULL;
}

int main(int argc, char **argv)
{
	int c, plain = 0;
	while ((c = getopt(argc, argv, "d:w:s:i")) != -1) {
		switch (c) {
		case 'd': delay_ms = atol(optarg); break;
		case 'w': widen_ms = atol(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'i': plain = 1; break;
		default:
			fprintf(stderr, "usage: selfpin [-d DELAY_MS] [-w WIDEN_MS] [-s SECONDS] [-i] CPU...\n");
			return 2;
		}
	}
	sched_getaffinity(0, sizeof(start_mask), &start_mask);
	int n = argc - optind;
	struct job *jobs = calloc((size_t)n + 1, sizeof(*jobs));
	for (int i = 0; i < n; i++) {
		snprintf(jobs[i].name, sizeof(jobs[i].name), "pin%d", i);
		jobs[i].cpu = atoi(argv[optind + i]);
		pthread_create(&jobs[i].t, NULL, run, &jobs[i]);
	}
	if (plain) {
		sleep_ms(delay_ms);
		snprintf(jobs[n].name, sizeof(jobs[n].name), "plain");
		jobs[n].cpu = -1;
		pthread_create(&jobs[n].t, NULL, run, &jobs[n]);
	}
	for (int i = 0; i < n + plain; i++)
		pthread_join(jobs[i].t, NULL);
	free(jobs);
	return 0;
}
