/* nodelist.h - numactl-style node and CPU lists over hwloc bitmaps. */
#ifndef NUMARUN_NODELIST_H
#define NUMARUN_NODELIST_H

#include <stddef.h>
#include <hwloc.h>

/*
 * Parse a numactl-style list into out: "all" (the allowed set), "0-3,8" (OS indexes, via hwloc's list
 * parser), "!LIST" (the allowed set minus LIST), "+LIST" (indexes relative to the allowed set: "+0-1" is
 * its first two members). No check against what exists: the planner does that, with context.
 * Returns 0, or -1 with a reason in cause.
 */
int nodelist_parse(const char *s, hwloc_const_bitmap_t allowed, hwloc_bitmap_t out, char *cause,
		   size_t causelen);

/* Write set as a list ("0-3,8") into buf; "none" when empty. Returns buf. */
char *nodelist_format(hwloc_const_bitmap_t set, char *buf, size_t len);

#endif
