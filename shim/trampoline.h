/* trampoline.h - checking kernel notifications before the application sees them. */
#ifndef LS_TRAMPOLINE_H
#define LS_TRAMPOLINE_H

#include <signal.h>

/* The handler the kernel holds for a watched signal (sigstate.h says when):
 * checks a notification, then calls the application's handler as the
 * application asked.  Async-signal-safe; errno as the handler leaves it. */
/* [async-signal-safe] [lock: takes] [errno: kept] */
void ls_trampoline(int sig, siginfo_t *si, void *uctx);

/* What to do with a notification (ls_notification_admit). */
enum {
    LS_ADMIT_DROP,    /* proven stale: swallowed (counted and logged) */
    LS_ADMIT_TRACKED, /* a tracked registration's (si_fd possibly translated) */
    LS_ADMIT_PENDING, /* for a registration being made right now */
    LS_ADMIT_AS_SENT  /* not proven stale: the application's, as the kernel sent it */
};

/* Check notification SI for signal SIG in place, following
 * LEASE_SHIM_STALE for a proven-stale one; one of LS_ADMIT_*.
 * Async-signal-safe, lock-free, no unwinding; errno kept. */
/* [async-signal-safe] [lock: none] [errno: kept] */
int ls_notification_admit(int sig, siginfo_t *si);

#endif
