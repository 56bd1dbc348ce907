/* trampoline.h - checking kernel notifications before the application sees them. */
#ifndef LS_TRAMPOLINE_H
#define LS_TRAMPOLINE_H

#include <signal.h>

/* Is SI a kernel I/O notification (si_code POLL_IN..POLL_HUP, with si_fd)?
 * Async-signal-safe. */
static inline int ls_is_notification(const siginfo_t *si)
{
    return si && si->si_code >= POLL_IN && si->si_code <= POLL_HUP;
}

/* Check notification SI for signal SIG in place: 1 to hand it on (si_fd
 * possibly translated to a descriptor that still names the file), 2 to hand
 * it on for a descriptor whose registration is being made right now (not in
 * the table yet), 0 to swallow it (stale; counted and logged), following
 * LEASE_SHIM_STALE.  Async-signal-safe, lock-free; errno kept. */
int ls_notification_admit(int sig, siginfo_t *si);

/* Before the real close of FD (already detached from the table): wait until
 * no handler on another thread is still running with FD as its si_fd, so
 * the number cannot be reused under it.  Bounded (200 ms, then a warning).
 * Async-signal-safe; errno kept. */
void ls_fd_quiesce(int fd);

/* The same for every descriptor in [FIRST, LAST]. */
void ls_fd_quiesce_range(unsigned first, unsigned last);

#endif
