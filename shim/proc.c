/* proc.c - start-up and fork.
 *
 * fork: the lock is taken (with every signal blocked) in the prepare
 * handler, so the child never inherits a half-changed table; in the child
 * the cached pid is refreshed, which makes every inherited registration
 * not-owned (R3): the child only ever forgets its copies.
 */
#include "proc.h"
#include "config.h"
#include "deadline.h"
#include "exec.h"
#include "lock.h"
#include "real.h"
#include "registry.h"
#include "stats.h"
#include "trampoline.h"
#include "unwind.h"

#include <pthread.h>
#include <string.h>

static struct ls_crit fork_crit; /* written only with the lock held */

static void fork_prepare(void)
{
    struct ls_crit c;
    ls_crit_enter(&c);
    fork_crit = c;
}

static void fork_parent(void)
{
    struct ls_crit c = fork_crit;
    ls_crit_leave(&c);
}

static void fork_child(void)
{
    struct ls_crit c = fork_crit;
    ls_self_reset();
    ls_lock_reset_in_child();
    ls_claims_after_fork();
    pthread_sigmask(SIG_SETMASK, &c.saved, NULL);
}

void ls_proc_init(void)
{
    static int done;
    if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        return;
    ls_real_resolve();
    ls_config_load();
    ls_self_reset();
    ls_sites_init();
    if (ls_cfg.backtrace || ls_cfg.stats_file[0])
        ls_unwind_load(); /* only then: every process start would pay for it */
    pthread_atfork(fork_prepare, fork_parent, fork_child);
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
