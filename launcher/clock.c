/* clock.c - clocks in seconds, as doubles. */
#include "config.h"
#include "clock.h"

double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
