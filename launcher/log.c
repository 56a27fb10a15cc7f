/* log.c - levels and "numarun: ..." messages on stderr. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static int level = LOG_NORMAL;

void log_set_level(int l) { level = l; }
int log_get_level(void) { return level; }

static void vlog(int min, const char *prefix, const char *fmt, va_list ap)
{
	if (level < min)
		return;
	fprintf(stderr, "numarun: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define DEFINE_LOG(name, min, prefix)                 \
	void name(const char *fmt, ...)               \
	{                                             \
		va_list ap;                           \
		va_start(ap, fmt);                    \
		vlog(min, prefix, fmt, ap);           \
		va_end(ap);                           \
	}

DEFINE_LOG(log_error, LOG_QUIET, "")
DEFINE_LOG(log_warn, LOG_NORMAL, "warning: ")
DEFINE_LOG(log_notice, LOG_NORMAL, "")
DEFINE_LOG(log_info, LOG_VERBOSE, "")
DEFINE_LOG(log_debug, LOG_DEBUG, "")
