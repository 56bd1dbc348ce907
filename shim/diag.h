/* diag.h - the counters, where the application caused their violations
 * (call sites, for the statistics document), and the backtraces of
 * events; everything here is async-signal-safe (no stdio, no malloc, no
 * locks) unless it says otherwise.  The log itself is log.h. */
#ifndef LS_DIAG_H
#define LS_DIAG_H

#include "unwind.h"

#include <stdint.h>

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

/* Current value of counter S.  Async-signal-safe. */
unsigned long ls_stat_get(enum ls_stat s);

/* An event in the application's use of a registration (a notify descriptor
 * closed or replaced while live), at level info, followed by a backtrace of
 * the caller when LEASE_SHIM_BACKTRACE is on (with the lock held: once it
 * is released).  Async-signal-safe (libunwind local unwinding), errno
 * untouched. */
void ls_log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
void ls_site_record(int event, unsigned long count, const struct ls_frame *fr, int n);

/* Site I (0 to LS_SITES - 1) once it is filled in, NULL before.
 * Async-signal-safe. */
const struct ls_site *ls_site_get(int i);

#endif
