/* nodelist.h - numactl-style node and CPU lists over hwloc bitmaps. */
#ifndef NUMARUN_NODELIST_H
#define NUMARUN_NODELIST_H

#include <stddef.h>
#include <hwloc.h>

/* The largest CPU or node index a list may name: Linux allows at most 8192 CPUs and 1024 nodes; anything
 * beyond this is refused before a bitmap is sized for it. */
#define NODELIST_MAX_INDEX 65535u

/*
 * Parse a numactl-style list into out: "all" (the allowed set), "0-3,8" (OS indexes, via hwloc's list
 * parser), "!LIST" (the allowed set minus LIST), "+LIST" (indexes relative to the allowed set: "+0-1" is
 * its first two members). Indexes above NODELIST_MAX_INDEX and malformed elements ("1-", "1-2-3", "5-3")
 * are refused. No check against what exists: the planner does that, with context. allowed may be NULL,
 * where only plain lists are taken.
 * Returns 0, or -1 with a reason in cause.
 */
int nodelist_parse(const char *s, hwloc_const_bitmap_t allowed, hwloc_bitmap_t out, char *cause,
		   size_t causelen);

/* A plain list of indexes ("0-3,8"; "" is the empty set): what other programs and numarun itself write,
 * without numactl's all, ! and + forms; the same checks as nodelist_parse. Returns 0, or -1 with cause. */
int nodelist_parse_plain(const char *s, hwloc_bitmap_t out, char *cause, size_t causelen);
/* The syntax of a numactl-style list, without a set to resolve it against: the checks of nodelist_parse,
 * and "!all" (which selects nothing) refused. The reason does not repeat the value. Returns 0 or -1. */
int nodelist_check(const char *s, char *cause, size_t causelen);
/*
 * A plain list's own order: the members of want in the order the list names them (first mention), into
 * order (room for max). Returns their count; 0 for a list that names a set ("all", "!LIST", "+LIST"),
 * which the caller orders itself.
 */
int nodelist_written_order(const char *s, hwloc_const_bitmap_t want, unsigned *order, unsigned max);
/* Write indexes in their order, consecutive runs as ranges ("0-3,8,4-7"); "none" when n is 0. */
char *nodelist_format_order(const unsigned *order, unsigned n, char *buf, size_t len);
/* Write set as a list ("0-3,8") into buf; "none" when empty. Returns buf. */
char *nodelist_format(hwloc_const_bitmap_t set, char *buf, size_t len);

#endif
