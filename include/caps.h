/* caps.h - libcap: which capabilities we hold, to explain what the kernel refuses. */
#ifndef NUMARUN_CAPS_H
#define NUMARUN_CAPS_H

#include <stddef.h>
#include <sys/capability.h>

/* 1 when cap is in our effective set, 0 when not, -errno when it cannot be read. */
int caps_have(cap_value_t cap);
/* "CAP_SYS_NICE yes, CAP_PERFMON no, CAP_SYS_ADMIN no" for what numarun uses. Returns buf. */
char *caps_describe(char *buf, size_t len);

#endif
