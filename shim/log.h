/* log.h - the async-signal-safe log (no stdio, no malloc, no locks): one
 * line "lease-shim[pid/tid] level: message" at a time, to stderr, the
 * system log or a file opened for the moment (LEASE_SHIM_LOG_DEST). */
#ifndef LS_LOG_H
#define LS_LOG_H

#include "config.h" /* the levels: enum ls_log_level */

#include <stdarg.h>
#include <stddef.h>

/* Would a line at LEVEL be written?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_log_enabled(int level);

/* The path FD names, from /proc/thread-self/fd, into BUF (SIZE bytes); "?" if it
 * cannot be read.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: set] */
const char *ls_fd_path(int fd, char *buf, size_t size);

/* TMPL with every "%p" replaced by the pid, into OUT (SIZE bytes, always
 * terminated); returns the length.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
size_t ls_expand_path(const char *tmpl, char *out, size_t size);

/* One line "lease-shim[pid/tid] level: message" to the configured
 * destination (stderr, syslog, a file opened for the moment), if LEVEL is
 * enabled.  Async-signal-safe, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same from a va_list.  Async-signal-safe, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_vlog(int level, const char *fmt, va_list ap);

/* One finished line BUF (LEN bytes, its newline included) to the configured
 * destination.  Async-signal-safe; errno may change. */
/* [async-signal-safe] [lock: none] [errno: set] */
void ls_log_write(int level, const char *buf, size_t len);

/* An internal rule was broken (WHAT): with LS_CHECKS (the checked build),
 * say so on stderr and abort; otherwise a warning.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_check_failed(const char *what);

#endif
