/* trampoline.h - checking kernel notifications before the application sees them. */
#ifndef LS_TRAMPOLINE_H
#define LS_TRAMPOLINE_H

#include <signal.h>

/* The handler the kernel holds for a watched signal (sigstate.h says when):
 * checks a notification, then calls the application's handler as the
 * application asked.  Async-signal-safe; errno as the handler leaves it. */
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
int ls_notification_admit(int sig, siginfo_t *si);

/* In a fork child: the handlers of the parent's other threads are not
 * running here, so only this thread's claims stay counted.
 * Async-signal-safe. */
void ls_claims_after_fork(void);

/* A longjmp to ENV is about to leave this thread's handlers whose frames
 * lie below where it lands: their claims go.  Async-signal-safe; errno kept. */
void ls_claims_longjmp(const void *env);

/* Before the real close of FD (already detached from the table): wait until
 * no handler on another thread is still running with FD as its si_fd, so
 * the number cannot be reused under it.  Bounded (200 ms, then a warning).
 * Async-signal-safe; errno kept. */
void ls_fd_quiesce(int fd);

/* The same for every descriptor in [FIRST, LAST]. */
void ls_fd_quiesce_range(unsigned first, unsigned last);

#endif
