/* fmt.h - formatting without stdio: async-signal-safe, no allocation, no
 * locale, so that any layer may build a message (the log, the statistics
 * document, the hand-over variable, the configuration's complaints). */
#ifndef LS_FMT_H
#define LS_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Format like a tiny printf (%d %u %ld %lu %x %lx %s %p %%) into BUF of SIZE
 * bytes; always NUL-terminates; returns the length written.
 * Async-signal-safe, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
size_t ls_vfmt(char *buf, size_t size, const char *fmt, va_list ap);
/* [async-signal-safe] [lock: none] [errno: kept] */
size_t ls_fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
