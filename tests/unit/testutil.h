/* testutil.h - helpers shared by the unit tests. */
#ifndef NUMARUN_TESTUTIL_H
#define NUMARUN_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <hwloc.h>
#include "topology.h"

/* Load an hwloc synthetic topology ("pack:2 numa:2 core:4 pu:2"); fails the test on error. */
void tu_synthetic(struct topo *t, const char *desc);
/* Replace the distance matrix (n x n, row-major, by node array index). */
void tu_set_distances(struct topo *t, const uint64_t *m);
/* The shared topology directory ($top_srcdir/../shared/topologies), or NULL when absent. */
const char *tu_shared_dir(void);
/* Load tests/data/topologies/NAME (under $top_srcdir); fails the test on error. */
void tu_load_data(struct topo *t, const char *name);
/* Format a set as a list into a rotating static buffer. */
const char *tu_list(hwloc_const_bitmap_t set);
/* Make a set from a list ("0-3,8"). Caller frees. */
hwloc_bitmap_t tu_set(const char *list);
/* A fresh temporary directory (mkdtemp); caller removes it with tu_rmrf. */
char *tu_tmpdir(void);
/* Write text to dir/rel, creating parent directories. */
void tu_write(const char *dir, const char *rel, const char *text);
/* rm -rf dir. */
void tu_rmrf(const char *dir);

#endif
