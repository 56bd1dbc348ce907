/* diag.h - the counters, where the application caused their violations
 * (call sites, for the statistics document), and the backtraces of
 * events; everything here is async-signal-safe (no stdio, no malloc, no
 * locks) unless it says otherwise.  The log itself is log.h. */
#ifndef LS_DIAG_H
#define LS_DIAG_H

#include "log.h"
#include "unwind.h"

#include <stdint.h>

/* Every counter, once: X(name, its key in the statistics document, whether
 * it counts a violation: what a strict CI run fails on, README, lease-run
 * --strict; a violation's call site is recorded).  The enum, the
 * document's names and the violation set are generated from it. */
#define LS_STATS(X)                                                                         \
    X(REGISTERED, "registered", 0)           /* registrations the shim started tracking */  \
    X(REHOMED, "rehomed", 1)                 /* moved to a surviving alias (R1) */          \
    X(RELEASED, "released", 1)               /* released for lack of an alias (R2) */       \
    X(KEPT, "kept", 1)                       /* R2 skipped under LEASE_SHIM_CLOSE=keep */   \
    X(NOT_OWNER, "not_owner_forgotten", 0)   /* forgotten, the kernel untouched (R3) */     \
    X(BEHIND_BACK, "closed_behind_back", 0)  /* found closed or replaced behind the shim */ \
    X(DEGRADED, "degraded", 0)               /* internal failures, now pass-through */      \
    X(STALE_DROPPED, "stale_dropped", 1)     /* stale notifications not handed on */        \
    X(STALE_TRANSLATED, "stale_translated", 1) /* handed on under a live alias */           \
    X(OVERFLOW_RECOVERED, "overflow_recovered", 0) /* rebuilt after a queue overflow */     \
    X(DEADLINE_RELEASED, "deadline_released", 0)   /* released by the break deadline */     \
    X(ADOPTED, "adopted_after_exec", 0)            /* adopted after exec */                 \
    X(HANDED_OVER, "handed_over_at_exec", 0)       /* handed over to a new image at exec */

#define LS_STAT_ENUM(name, json, violation) LS_STAT_##name,
enum ls_stat { LS_STATS(LS_STAT_ENUM) LS_STAT_COUNT };
#undef LS_STAT_ENUM

/* Add one to counter S; a violation's call site is recorded (with the lock
 * held: once it is released, ls_diag_unlocked).  Async-signal-safe, errno
 * untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_stat_inc(enum ls_stat s);

/* The same from the signal trampoline: no unwinding (a bounded stack, and
 * the site that matters is the close that made a notification stale); a
 * violation is recorded with no frames.  Async-signal-safe, errno untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_stat_inc_in_handler(enum ls_stat s);

/* The lock was just released (ls_crit_leave, signals still blocked): take
 * the backtraces and call sites owed since it was taken.  Async-signal-safe;
 * errno kept. */
/* [async-signal-safe] [lock: not held] [errno: kept] */
void ls_diag_unlocked(void);

/* Current value of counter S.  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
unsigned long ls_stat_get(enum ls_stat s);

/* Does counter S count violations (LS_STATS)?  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_stat_is_violation(enum ls_stat s);

/* Counter S's key in the statistics document (LS_STATS).  Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
const char *ls_stat_name(enum ls_stat s);

/* An event in the application's use of a registration (a notify descriptor
 * closed or replaced while live), at level info, followed by a backtrace of
 * the caller when LEASE_SHIM_BACKTRACE is on (with the lock held: once it
 * is released).  Async-signal-safe (libunwind local unwinding), errno
 * untouched. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An internal failure falls back to pass-through: counted (LS_STAT_DEGRADED),
 * then a warning, ls_log's format and arguments saying which failure and
 * what it means for the application.  Async-signal-safe, errno untouched. */
#define ls_degrade(...) (ls_stat_inc(LS_STAT_DEGRADED), ls_log(LS_LOG_WARN, __VA_ARGS__))

/* How many frames a site keeps. */
#define LS_SITE_FRAMES 12

/* How many distinct sites are kept. */
#define LS_SITES 64

/* One call site of violations of one kind. */
struct ls_site {
    uint64_t hash;   /* 0: free */
    int ready;       /* event, frames filled in */
    int event;
    int nframes;
    unsigned long count;
    uintptr_t ip[LS_SITE_FRAMES];
    char name[LS_SITE_FRAMES][LS_FRAME_NAME]; /* from the symbol tables, "" if unknown */
    unsigned long off[LS_SITE_FRAMES];
};

/* Note COUNT violations of kind EVENT (an ls_stat) at the call site FR (N
 * frames, innermost first, beyond the shim's own; none for one found in a
 * signal handler): it joins the statistics document's "sites".  Only when
 * LEASE_SHIM_STATS is set.  Async-signal-safe (a lock-free table); errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
void ls_site_record(int event, unsigned long count, const struct ls_frame *fr, int n);

/* Site I (0 to LS_SITES - 1) once it is filled in, NULL before.
 * Async-signal-safe. */
/* [async-signal-safe] [lock: none] [errno: kept] */
const struct ls_site *ls_site_get(int i);

#endif
