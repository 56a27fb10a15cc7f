/* caps.c - libcap: capabilities numarun's binding and monitoring may need. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "caps.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

int caps_have(cap_value_t cap)
{
	cap_t c = cap_get_proc();
	if (!c)
		return -errno;
	cap_flag_value_t v = CAP_CLEAR;
	int rc = cap_get_flag(c, cap, CAP_EFFECTIVE, &v);
	cap_free(c);
	if (rc < 0)
		return -EINVAL;
	return v == CAP_SET;
}

char *caps_describe(char *buf, size_t len)
{
	static const struct {
		cap_value_t cap;
		const char *name;
	} list[] = {{CAP_SYS_NICE, "CAP_SYS_NICE"}, {CAP_PERFMON, "CAP_PERFMON"}, {CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
		    {CAP_SYS_PTRACE, "CAP_SYS_PTRACE"}};
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]) && off < len; i++) {
		int h = caps_have(list[i].cap);
		off += (size_t)snprintf(buf + off, len - off, "%s%s %s", i ? ", " : "", list[i].name,
					h > 0 ? "yes" : h == 0 ? "no" : "unknown");
	}
	return buf;
}
