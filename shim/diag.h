/* diag.h - logging, counters and backtraces; everything here is
 * async-signal-safe (no stdio, no malloc, no locks) unless it says otherwise. */
#ifndef LS_DIAG_H
#define LS_DIAG_H

#include <stdarg.h>
#include <stddef.h>

enum ls_stat {
    LS_STAT_REGISTERED,   /* registrations the shim started tracking */
    LS_STAT_REHOMED,      /* registrations moved to a surviving alias (R1) */
    LS_STAT_RELEASED,     /* registrations released for lack of an alias (R2) */
    LS_STAT_KEPT,         /* R2 skipped under LEASE_SHIM_CLOSE=keep */
    LS_STAT_NOT_OWNER,    /* descriptors forgotten without touching the kernel (R3) */
    LS_STAT_BEHIND_BACK,  /* tracked descriptors found closed or replaced behind the shim */
    LS_STAT_DEGRADED,     /* internal failures that fell back to pass-through */
    LS_STAT_STALE_DROPPED,    /* stale notifications not handed to the application */
    LS_STAT_STALE_TRANSLATED, /* stale notifications handed on under a live alias */
    LS_STAT_OVERFLOW_RECOVERED, /* notifications rebuilt after a queue overflow */
    LS_STAT_DEADLINE_RELEASED,  /* leases released by the break deadline */
    LS_STAT_ADOPTED,            /* registrations adopted after exec */
    LS_STAT_HANDED_OVER,        /* registrations handed over to a new image at exec */
    LS_STAT_COUNT
};

/* Add one to counter S; a violation's call site is recorded (with the lock
 * held: once it is released, ls_diag_unlocked).  Async-signal-safe, errno
 * untouched. */
void ls_stat_inc(enum ls_stat s);

/* The same from the signal trampoline: no unwinding (a bounded stack, and
 * the site that matters is the close that made a notification stale); a
 * violation is recorded with no frames.  Async-signal-safe, errno untouched. */
void ls_stat_inc_in_handler(enum ls_stat s);

/* The lock was just released (ls_crit_leave, signals still blocked): take
 * the backtraces and call sites owed since it was taken.  Async-signal-safe;
 * errno kept. */
void ls_diag_unlocked(void);

/* An internal rule was broken (WHAT): with LS_CHECKS (the checked build),
 * say so on stderr and abort; otherwise a warning.  Async-signal-safe. */
void ls_check_failed(const char *what);

/* Current value of counter S.  Async-signal-safe. */
unsigned long ls_stat_get(enum ls_stat s);

/* Would a line at LEVEL be written?  Async-signal-safe. */
int ls_log_enabled(int level);

/* The path FD names, from /proc/thread-self/fd, into BUF (SIZE bytes); "?" if it
 * cannot be read.  Async-signal-safe. */
const char *ls_fd_path(int fd, char *buf, size_t size);

/* TMPL with every "%p" replaced by the pid, into OUT (SIZE bytes, always
 * terminated); returns the length.  Async-signal-safe. */
size_t ls_expand_path(const char *tmpl, char *out, size_t size);

/* One line "lease-shim[pid/tid] level: message" to the configured
 * destination (stderr, syslog, a file opened for the moment), if LEVEL is
 * enabled.  Async-signal-safe, errno untouched. */
void ls_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An event in the application's use of a registration (a notify descriptor
 * closed or replaced while live), at level info, followed by a backtrace of
 * the caller when LEASE_SHIM_BACKTRACE is on (with the lock held: once it
 * is released).  Async-signal-safe (libunwind local unwinding), errno
 * untouched. */
void ls_log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
