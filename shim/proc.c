/* proc.c - start-up and fork (the fork handlers, and _Fork, which runs none).
 *
 * fork: where this process owns a live registration (or one is being
 * made), the lock is taken with every signal blocked in the prepare
 * handler, so the child never inherits a half-changed table nor gets a
 * signal before it knows it is not the owner; in the child the cached pid
 * is refreshed, which makes every inherited registration not-owned (R3):
 * the child only ever forgets its copies.
 *
 * An idle process (no registration of its own, none being made) forks as
 * it would without the shim: no signal-mask call, no lock, no system call,
 * and nothing written in a single-threaded process (a page written
 * after the clone would be copied).  In a multi-threaded one a handshake
 * with ls_crit_enter (lock.c) stands in for the lock: no other thread
 * changes the shim's state while the fork runs.
 *
 * Start-up does no system call of its own: the pid is cached on first use,
 * the configuration is written only where it differs from the defaults.
 */
#include "proc.h"
#include "claims.h"
#include "config.h"
#include "deadline.h"
#include "diag.h"
#include "exec.h"
#include "fdtable.h"
#include "lock.h"
#include "log.h"
#include "real.h"
#include "reg_exec.h"
#include "self.h"
#include "stats.h"
#include "sys.h"
#include "unwind.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/single_threaded.h>

/* Registrations ls_proc_busy looks at before it takes the process for busy
 * without looking further (a slow fork, never a wrong one). */
#define LS_IDLE_SCAN 256

/* A bad setting, reported by the configuration. */
static void config_error(const char *msg)
{
    ls_log(LS_LOG_ERROR, "%s", msg);
}

#define LS_EXPORT __attribute__((visibility("default")))

static struct ls_crit fork_crit; /* written only with the lock held */

/* How this thread's fork in progress was prepared. */
enum { FORK_PLAIN, FORK_FAST, FORK_LOCKED };
static __thread int fork_mode __attribute__((tls_model("initial-exec")));

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

void ls_proc_fork_prepare(void)
{
    if (__libc_single_threaded) {
        /* no other thread can be changing anything, and this one is not
         * (a critical section blocks every signal and never forks) */
        if (!busy())
            return; /* FORK_PLAIN: nothing written */
    } else if (ls_fork_fast_begin()) {
        /* from here no other thread starts a change: idle now is idle at
         * the clone */
        if (!busy()) {
            fork_mode = FORK_FAST;
            return;
        }
        ls_fork_fast_end();
    }
    struct ls_crit c;
    ls_crit_enter(&c);
    fork_crit = c;
    fork_mode = FORK_LOCKED;
}

void ls_proc_fork_parent(void)
{
    int mode = fork_mode;
    if (mode == FORK_PLAIN)
        return;
    fork_mode = FORK_PLAIN;
    if (mode == FORK_FAST) {
        ls_fork_fast_end();
        return;
    }
    struct ls_crit c = fork_crit;
    ls_crit_leave(&c);
}

void ls_proc_fork_child(void)
{
    int mode = fork_mode;
    /* the cached pid, if any, is the parent's */
    if (mode == FORK_LOCKED)
        ls_self_reset();
    else
        ls_self_after_fork();
    ls_claims_after_fork(); /* reads only, when no handler was running */
    if (mode == FORK_PLAIN)
        return;
    fork_mode = FORK_PLAIN;
    if (mode == FORK_FAST) {
        ls_fork_fast_child();
        return;
    }
    struct ls_crit c = fork_crit;
    ls_lock_reset_in_child();
    pthread_sigmask(SIG_SETMASK, &c.saved, NULL);
}

/* ---- _Fork ----------------------------------------------------------------------- */

/* glibc's _Fork runs no fork handlers: run ours around it, so the child
 * never sees a half-changed table and is not-owner. */
LS_EXPORT pid_t _Fork(void)
{
    ls_proc_fork_prepare();
    pid_t r = LS_REAL(_Fork)();
    int saved = errno;
    if (r == 0)
        ls_proc_fork_child();
    else
        ls_proc_fork_parent();
    errno = saved;
    return r;
}

void ls_proc_init(void)
{
    ls_config_load(config_error);
    if (ls_cfg.backtrace || ls_cfg.stats_file[0]) {
        /* backtraces and call sites owed while the lock is held are taken
         * once it is released; nothing can be owed without these settings,
         * nor before they are read */
        ls_crit_on_leave(ls_diag_unlocked);
        /* only then: every process start would pay for them */
        ls_unwind_init();
        ls_unwind_load();
    }
    pthread_atfork(ls_proc_fork_prepare, ls_proc_fork_parent, ls_proc_fork_child);
    ls_exec_adopt();
    ls_deadline_start();
}

__attribute__((constructor)) static void ls_constructor(void)
{
    ls_proc_init();
}

/* At exit (not _exit, not death by a signal): the statistics document. */
__attribute__((destructor)) static void ls_destructor(void)
{
    ls_stats_write();
}
