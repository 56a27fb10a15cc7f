/* workers.c - a test workload: the main thread allocates and touches a buffer, then N threads named
 * "worker<i>" read and write it in a loop for a given time. Where the buffer's pages lie follows the
 * memory policy the program was started with; where the workers run is up to their affinity.
 *
 *   workers [-t THREADS] [-m MIB] [-s SECONDS] [-i IDLE_THREADS] [-n NAME] [-o] [-f CPU] [-c AT] [-w AT]
 *
 * Idle threads (named "idle<i>") sleep for the whole run: blocked, they never wake before the end. With -o each worker allocates, first touches
 * and then works on a buffer of its own (MIB each) instead of the shared one. With -f the main thread
 * touches the shared buffer from CPU (then goes back to the mask it started with, before any worker
 * starts), so that its pages land on that CPU's node. With -c the workers are created AT seconds after the
 * start (after the idle threads), not at once; with -w they are created at once but wait, blocked, until
 * AT seconds after the start before they work. The moments are said on standard error, in seconds after
 * the start: "workers: created T", "workers: busy T". Exits 0 after SECONDS (counted from the start). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/prctl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static unsigned char *shared;
static size_t len;
static volatile int stop;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static const char *prefix = "worker";
static int own;
static struct timespec t0;
static double wait_until = -1;

static double since_start(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - t0.tv_sec) + (double)(ts.tv_nsec - t0.tv_nsec) / 1e9;
}

static void sleep_until(double at)
{
	double left = at - since_start();
	if (left <= 0)
		return;
	struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void *work(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	char name[16];
	snprintf(name, sizeof(name), "%s%u", prefix, (unsigned)id);
	pthread_setname_np(pthread_self(), name);
	unsigned char *buf = own ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : shared;
	if (buf == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (own)
		memset(buf, 1, len);
	uint64_t x = 0x9E3779B97F4A7C15ULL * (id + 1), sum = 0;
	if (wait_until >= 0) {
		sleep_until(wait_until);
		if (id == 0)
			fprintf(stderr, "workers: busy %.3f\n", since_start());
	}
	while (!stop) {
		for (int k = 0; k < 4096; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t off = (size_t)(x % (len / 64)) * 64;
			sum += buf[off];
			buf[off] = (unsigned char)sum;
		}
	}
	return (void *)(uintptr_t)sum;
}

static void *idle(void *arg)
{
	char name[16];
	snprintf(name, sizeof(name), "idle%u", (unsigned)(uintptr_t)arg);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&stop_lock);
	while (!stop)
		pthread_cond_wait(&stop_cond, &stop_lock);
	pthread_mutex_unlock(&stop_lock);
	return NULL;
}

/* A worker created while the program runs (-c) carries its name from its first moment: a thread starts
 * with its creator's name, so the creator takes the worker's name for the pthread_create and then its own
 * back. Named by itself, the thread would show "workers" to whoever lists it first. */
static void create_named(pthread_t *t, uintptr_t id)
{
	char was[16] = "", name[16];
	snprintf(name, sizeof(name), "%s%u", prefix, (unsigned)id);
	prctl(PR_GET_NAME, was);
	prctl(PR_SET_NAME, name);
	pthread_create(t, NULL, work, (void *)id);
	prctl(PR_SET_NAME, was);
}

int main(int argc, char **argv)
{
	int threads = 2, idles = 0, opt, first_cpu = -1;
	double create_at = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double seconds = 10;
	size_t mib = 64;
	while ((opt = getopt(argc, argv, "t:m:s:i:n:of:c:w:")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 'm': mib = (size_t)atol(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'i': idles = atoi(optarg); break;
		case 'n': prefix = optarg; break;
		case 'o': own = 1; break;
		case 'f': first_cpu = atoi(optarg); break;
		case 'c': create_at = atof(optarg); break;
		case 'w': wait_until = atof(optarg); break;
		default:
			fprintf(stderr, "usage: workers [-t THREADS] [-m MIB] [-s SECONDS] [-i IDLE] [-n NAME] [-o] [-f CPU] [-c AT] [-w AT]\n");
			return 2;
		}
	}
	len = mib << 20;
	if (!own) {
		cpu_set_t was, on;
		sched_getaffinity(0, sizeof(was), &was);
		if (first_cpu >= 0) {
			CPU_ZERO(&on);
			CPU_SET(first_cpu, &on);
			if (sched_setaffinity(0, sizeof(on), &on) < 0)
				perror("sched_setaffinity");
		}
		shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		memset(shared, 1, len);
		if (first_cpu >= 0)
			sched_setaffinity(0, sizeof(was), &was);
	}
	pthread_t *t = calloc((size_t)(threads + idles), sizeof(*t));
	for (int i = 0; i < threads && create_at < 0; i++)
		pthread_create(&t[i], NULL, work, (void *)(uintptr_t)i);
	for (int i = 0; i < idles; i++)
		pthread_create(&t[threads + i], NULL, idle, (void *)(uintptr_t)i);
	if (create_at >= 0) {
		sleep_until(create_at);
		for (int i = 0; i < threads; i++)
			create_named(&t[i], (uintptr_t)i);
		fprintf(stderr, "workers: created %.3f\n", since_start());
	}
	sleep_until(seconds);
	pthread_mutex_lock(&stop_lock);
	stop = 1;
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&stop_lock);
	for (int i = 0; i < threads + idles; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
