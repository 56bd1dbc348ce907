/* proc.c - start-up, and the wrappers of the calls that fork: fork, __fork,
 * _Fork and forkpty (daemon is exec.c's).  What a fork must do is
 * forking.c's; there is no pthread_atfork handler.
 *
 * Start-up does no system call of its own and looks nothing up: the pid
 * is cached on first use, libc's functions are found on first use
 * (real.c), the configuration is written only where it differs from the
 * defaults.
 */
#include "proc.h"
#include "config.h"
#include "deadline.h"
#include "diag.h"
#include "exec.h"
#include "forking.h"
#include "lock.h"
#include "log.h"
#include "real.h"
#include "stats.h"
#include "unwind.h"

#include <errno.h>
#include <pty.h>

pid_t __fork(void) __THROW; /* exported by glibc, not declared */

/* A bad setting, reported by the configuration. */
static void config_error(const char *msg)
{
    ls_log(LS_LOG_ERROR, "%s", msg);
}

#define LS_EXPORT __attribute__((visibility("default")))

/* REAL (a fork of libc's) between ls_fork_prepare and ls_fork_done.
 * Not inlined, so that the idle path of each wrapper stays a tail call. */
__attribute__((noinline)) static pid_t fork_around(pid_t (*real)(void))
{
    struct ls_fork f;
    ls_fork_prepare(&f);
    pid_t r = real();
    int saved = errno;
    ls_fork_done(&f, r == 0);
    errno = saved;
    return r;
}

/* An idle process's fork is libc's, reached by a tail call: the child
 * returns straight into the application, and runs nothing of the shim's. */
LS_EXPORT pid_t fork(void)
{
    if (ls_fork_idle())
        return LS_REAL(fork)();
    return fork_around(LS_REAL(fork));
}

/* glibc's other name for fork. */
LS_EXPORT pid_t __fork(void) __attribute__((alias("fork")));

/* glibc's _Fork runs no fork handlers; the shim's bracket it all the same. */
LS_EXPORT pid_t _Fork(void)
{
    if (ls_fork_idle())
        return LS_REAL(_Fork)();
    return fork_around(LS_REAL(_Fork));
}

/* glibc's forkpty forks by an internal call, which no wrapper sees. */
LS_EXPORT int forkpty(int *amaster, char *name, const struct termios *termp,
                      const struct winsize *winp)
{
    if (ls_fork_idle())
        return LS_REAL(forkpty)(amaster, name, termp, winp);
    struct ls_fork f;
    ls_fork_prepare(&f);
    int r = LS_REAL(forkpty)(amaster, name, termp, winp);
    int saved = errno;
    ls_fork_done(&f, r == 0);
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
