/* log.h - messages for people on stderr, levels set by -q / -v. */
#ifndef NUMARUN_LOG_H
#define NUMARUN_LOG_H

enum log_level { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2, LOG_DEBUG = 3 };

/* Set the level below which messages are dropped. */
void log_set_level(int level);
/* Current level. */
int log_get_level(void);
/* "numarun: ..." on stderr, always printed (errors). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "numarun: warning: ..." unless -q. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "numarun: ..." unless -q (facts the user should see, not warnings). */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "numarun: ..." with -v. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "numarun: ..." with -vv. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
