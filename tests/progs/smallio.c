/* smallio.c - a test workload for numarun doctor: a thread named NAME writes BYTES a write() to
 * /dev/null in a loop (as fast as it can, or paced to RATE bytes a second) while the main thread sleeps.
 *
 *   smallio [-b BYTES] [-r RATE] [-n NAME] [-s SECONDS]
 *
 * Exits 0 after SECONDS. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static size_t bytes = 1;
static double rate;
static const char *name = "writer";
static volatile int stop;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, name, 0, 0, 0);
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char *buf = calloc(1, bytes);
	if (fd < 0 || !buf) {
		perror("smallio");
		exit(1);
	}
	double t0 = now(), sent = 0;
	while (!stop) {
		if (write(fd, buf, bytes) < 0) {
			perror("smallio: write");
			exit(1);
		}
		sent += (double)bytes;
		if (rate > 0) {
			double ahead = sent / rate - (now() - t0);
			if (ahead > 0)
				usleep((useconds_t)(ahead * 1e6));
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = 30;
	int c;
	while ((c = getopt(argc, argv, "b:r:n:s:")) != -1) {
		if (c == 'b')
			bytes = (size_t)strtoul(optarg, NULL, 10);
		else if (c == 'r')
			rate = atof(optarg);
		else if (c == 'n')
			name = optarg;
		else if (c == 's')
			seconds = atof(optarg);
		else {
			fprintf(stderr, "usage: smallio [-b BYTES] [-r RATE] [-n NAME] [-s SECONDS]\n");
			return 2;
		}
	}
	if (bytes == 0)
		bytes = 1;
	pthread_t t;
	if (pthread_create(&t, NULL, writer, NULL) != 0) {
		fprintf(stderr, "smallio: cannot create a thread\n");
		return 1;
	}
	usleep((useconds_t)(seconds * 1e6));
	stop = 1;
	pthread_join(t, NULL);
	return 0;
}
