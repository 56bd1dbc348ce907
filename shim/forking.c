/* forking.c - the shim's side of every fork (forking.h).
 *
 * Where this process owns a live registration (or one is being made), the
 * lock is taken with every signal blocked, so the child never inherits a
 * half-changed table nor gets a signal before it knows it is not the
 * owner; the child learns its own pid from a cache the kernel zeroed
 * (self.c), which makes every inherited registration not-owned (R3): the
 * child only ever forgets its copies.
 *
 * An idle process forks as it would without the shim.  With one thread:
 * no call at all (the wrapper's tail call).  With several: a handshake
 * with ls_crit_enter (lock.c) stands in for the lock, so no other thread
 * changes the shim's state while the fork runs.
 */
#include "forking.h"
#include "claims.h"
#include "lock.h"
#include "fdtable.h"
#include "reg_exec.h"
#include "self.h"
#include "sys.h"

#include <signal.h>
#include <sys/single_threaded.h>

/* Registrations busy() looks at before it takes the process for busy
 * without looking further (a slow fork, never a wrong one). */
#define LS_IDLE_SCAN 256

enum { FORK_PLAIN, FORK_FAST, FORK_LOCKED };

/* Does this process own a live registration with a notification (or have
 * too many registrations existed to tell cheaply)?  Reads the table without
 * the lock: only where no other thread can change it.  Async-signal-safe. */
static int busy(void)
{
    uint32_t high = ls_reg_high_water();
    if (!high)
        return 0;
    if (high > LS_IDLE_SCAN)
        return 1;
    sigset_t live;
    sigemptyset(&live);
    ls_reg_live_signals(&live);
    for (int sig = 1; sig < LS_NSIG; sig++) /* (glibc 2.36's sigisemptyset is wrong for RT signals) */
        if (sigismember(&live, sig) == 1)
            return 1;
    return 0;
}

int ls_fork_idle(void)
{
    /* one thread: nothing changes under us, and this one is not inside a
     * critical section (they block every signal and never fork) */
    return __libc_single_threaded && !busy() && ls_claims_fork_clean() &&
           ls_self_survives_fork();
}

void ls_fork_prepare(struct ls_fork *f)
{
    if (__libc_single_threaded) {
        if (!busy()) {
            f->mode = FORK_PLAIN; /* the child has only claims or a plain cache to fix */
            return;
        }
    } else if (ls_fork_fast_begin()) {
        /* from here no other thread starts a change: idle now is idle at
         * the clone */
        if (!busy()) {
            f->mode = FORK_FAST;
            return;
        }
        ls_fork_fast_end();
    }
    ls_fork_lock(&f->crit);
    f->mode = FORK_LOCKED;
}

void ls_fork_done(struct ls_fork *f, int in_child)
{
    if (!in_child) {
        if (f->mode == FORK_FAST)
            ls_fork_fast_end();
        else if (f->mode == FORK_LOCKED)
            ls_fork_unlock_parent(&f->crit);
        return;
    }
    if (f->mode == FORK_LOCKED)
        ls_self_reset();
    else
        ls_self_after_fork();
    ls_claims_after_fork(); /* reads only, when no handler was running */
    if (f->mode == FORK_FAST)
        ls_fork_fast_child();
    else if (f->mode == FORK_LOCKED)
        ls_fork_unlock_child(&f->crit);
}
