/* fdhog.c - a test workload for numarun doctor: opens /dev/null until PERCENT of its soft RLIMIT_NOFILE
 * descriptors are open (counting the ones it started with), says so, then sleeps.
 *
 *   fdhog [-p PERCENT] [-s SECONDS]
 *
 * Prints "fdhog: N of LIMIT open" on standard error once they are open. Exits 0 after SECONDS. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static long count_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	long n = 0;
	struct dirent *de;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

int main(int argc, char **argv)
{
	double percent = 95, seconds = 30;
	int c;
	while ((c = getopt(argc, argv, "p:s:")) != -1) {
		if (c == 'p')
			percent = atof(optarg);
		else if (c == 's')
			seconds = atof(optarg);
		else {
			fprintf(stderr, "usage: fdhog [-p PERCENT] [-s SECONDS]\n");
			return 2;
		}
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) {
		fprintf(stderr, "fdhog: no finite RLIMIT_NOFILE\n");
		return 1;
	}
	long want = (long)((double)rl.rlim_cur * percent / 100.0);
	long have = count_open();
	while (have < want) {
		if (open("/dev/null", O_RDONLY) < 0) {
			perror("fdhog: open");
			return 1;
		}
		have++;
	}
	fprintf(stderr, "fdhog: %ld of %llu open\n", count_open(), (unsigned long long)rl.rlim_cur);
	usleep((useconds_t)(seconds * 1e6));
	return 0;
}
