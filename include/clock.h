/* clock.h - clocks in seconds, as doubles. */
#ifndef NUMARUN_CLOCK_H
#define NUMARUN_CLOCK_H

#include <time.h>

/* clock_gettime(id) in seconds: CLOCK_MONOTONIC for intervals, CLOCK_THREAD_CPUTIME_ID for costs. */
double clock_seconds(clockid_t id);

#endif
