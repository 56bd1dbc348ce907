/* trampoline.c - the handler the kernel calls for watched signals (SPEC §4).
 *
 * It runs with exactly the mask and flags the application asked for (they
 * were given to the kernel with it), checks kernel notifications against the
 * table, and calls the application's handler with one or three arguments.
 * errno is restored before the application's handler runs and after
 * anything the shim does on its own.
 */
#include "trampoline.h"
#include "config.h"
#include "diag.h"
#include "lock.h"
#include "real.h"
#include "registry.h"
#include "sigstate.h"
#include "sys.h"
#include "deadline.h"
#include "fdtable.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int ls_notification_admit(int sig, siginfo_t *si)
{
    int fd = si->si_fd, to = fd;
    switch (ls_reg_check_notification(sig, fd, &to)) {
    case LS_NOTE_VALID:
        ls_reg_note_break(sig, fd, si->si_code);
        return 1;
    case LS_NOTE_PENDING:
        return 2;
    case LS_NOTE_TRANSLATE:
        ls_stat_inc(LS_STAT_STALE_TRANSLATED);
        ls_log_event("signal %d for fd %d: that fd no longer names the file; delivered as fd %d",
                     sig, fd, to);
        si->si_fd = to;
        ls_reg_note_break(sig, to, si->si_code);
        return 1;
    case LS_NOTE_STALE:
        break;
    }
    ls_stat_inc(LS_STAT_STALE_DROPPED);
    ls_log_event("signal %d for fd %d: no registration of this process names it any more; %s",
                 sig, fd, ls_cfg.stale_policy == LS_STALE_DELIVER ? "delivered as is" : "dropped");
    if (ls_cfg.stale_policy == LS_STALE_ABORT)
        abort();
    return ls_cfg.stale_policy == LS_STALE_DELIVER;
}

#define LS_NEST 8
/* The descriptors this thread's running handlers were given, innermost last. */
static __thread int handling[LS_NEST] __attribute__((tls_model("initial-exec")));
static __thread int handling_depth __attribute__((tls_model("initial-exec")));

/* Count FD in flight for a handler, then confirm it is still tracked, or
 * still being registered when PENDING (a closer detaches first, or ends
 * the registration, then waits for the count: one of us sees the other).
 * 1 if claimed. */
static int claim(int fd, int pending)
{
    if (handling_depth >= LS_NEST || ls_fd_inflight_add(fd, 1) < 0)
        return 0;
    if (pending ? !ls_reg_pending(fd) : !ls_fd_reg(fd)) {
        ls_fd_inflight_add(fd, -1);
        return 0;
    }
    handling[handling_depth++] = fd;
    return 1;
}

static void unclaim(void)
{
    ls_fd_inflight_add(handling[--handling_depth], -1);
}

void ls_fd_quiesce(int fd)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unsigned own = 0;
    for (int i = 0; i < handling_depth; i++)
        own += handling[i] == fd;
    if (ls_fd_inflight(fd) <= own)
        return;
    int saved = errno;
    unsigned long long start = ls_now_ns();
    while (ls_fd_inflight(fd) > own) {
        if (ls_now_ns() - start > 200000000ull) {
            ls_log(LS_LOG_WARN, "fd %d goes away while a handler on another thread still uses it", fd);
            break;
        }
        LS_REAL(syscall)(SYS_sched_yield);
    }
    errno = saved;
}

void ls_fd_quiesce_range(unsigned first, unsigned last)
{
    if (last >= LS_FD_LIMIT)
        last = LS_FD_LIMIT - 1;
    for (unsigned fd = first; fd <= last;) {
        if (!ls_fd_page_present(fd)) {
            /* never tracked, so no handler was ever given one of these */
            unsigned next = (fd | (LS_FDPAGE_SIZE - 1)) + 1;
            if (next <= fd)
                break;
            fd = next;
            continue;
        }
        if (ls_fd_inflight((int)fd))
            ls_fd_quiesce((int)fd);
        if (fd == last)
            break;
        fd++;
    }
}

/* Queue SI again to this thread, as the kernel delivered it. */
static void requeue_to_self(int sig, siginfo_t *si)
{
    ls_sys_queue_to_this_thread(sig, si);
}

/* One notification found by overflow recovery: queue it as the kernel would
 * have; if the queue is still full, run it through the trampoline now. */
static void emit_recovered(int sig, siginfo_t *si)
{
    ls_stat_inc(LS_STAT_OVERFLOW_RECOVERED);
    if (ls_sys_queue_to_this_thread(sig, si) < 0)
        ls_trampoline(sig, si, NULL);
}

void ls_trampoline(int sig, siginfo_t *si, void *uctx)
{
    int saved = errno;
    struct sigaction app;
    if (!ls_sig_app_view(sig, &app)) {
        /* the application changed the disposition while this one was on its
         * way: let the kernel deliver it again under the new one */
        requeue_to_self(sig, si);
        errno = saved;
        return;
    }
    int claimed = 0;
    if (ls_is_notification(si) && app.sa_handler == SIG_DFL && ls_sig_guarded(sig)) {
        ls_reg_answer_unhandled(sig, si->si_fd); /* no handler in this image yet */
        errno = saved;
        return;
    }
    if (ls_is_notification(si) && ls_sig_watched(sig)) {
        /* admitted, and its descriptor kept from going while the handler
         * runs; a closer that won the race has re-homed it: look again */
        int admitted = ls_notification_admit(sig, si);
        if (admitted && !(claimed = claim(si->si_fd, admitted == 2))) {
            admitted = ls_notification_admit(sig, si);
            if (admitted)
                admitted = claimed = claim(si->si_fd, admitted == 2);
        }
        if (!admitted && ls_cfg.stale_policy != LS_STALE_DELIVER) {
            errno = saved;
            return;
        }
    }
    if (app.sa_handler == SIG_IGN) {
        /* nothing to do */
    } else if (app.sa_handler == SIG_DFL) {
        /* only SIGIO is caught at SIG_DFL: a queue overflow is recovered into
         * per-descriptor notifications, anything else gets the default */
        if (!(sig == SIGIO && si->si_code == SI_KERNEL && ls_reg_recover_overflow(emit_recovered) > 0)) {
            ls_sig_reset_default(sig);
            requeue_to_self(sig, si); /* blocked until we return, then acted on */
        }
    } else {
        if (app.sa_flags & SA_RESETHAND)
            ls_sig_spend_one_shot(sig, app.sa_handler);
        errno = saved;
        if (app.sa_flags & SA_SIGINFO)
            app.sa_sigaction(sig, si, uctx);
        else
            app.sa_handler(sig);
        saved = errno; /* what the application's handler left */
    }
    if (claimed)
        unclaim();
    errno = saved;
}
