/* trampoline.c - the handler the kernel calls for watched signals (SPEC §4).
 *
 * It runs with exactly the mask and flags the application asked for (they
 * were given to the kernel with it), checks kernel notifications against the
 * table, and calls the application's handler with one or three arguments.
 * errno is restored before the application's handler runs and after
 * anything the shim does on its own.
 */
#include "trampoline.h"
#include "claims.h"
#include "config.h"
#include "deadline.h"
#include "diag.h"
#include "log.h"
#include "policy.h"
#include "real.h"
#include "reg_exec.h"
#include "reg_notify.h"
#include "sigstate.h"
#include "sys.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <ucontext.h>

int ls_notification_admit(int sig, siginfo_t *si)
{
    int fd = si->si_fd, to = fd;
    switch (ls_reg_check_notification(sig, fd, si->si_code, &to)) {
    case LS_NOTE_VALID:
        if (ls_reg_note_break(sig, fd, si->si_code))
            ls_deadline_kick(); /* no-op without a deadline */
        return LS_ADMIT_TRACKED;
    case LS_NOTE_PENDING:
        return LS_ADMIT_PENDING;
    case LS_NOTE_FOREIGN:
        return LS_ADMIT_AS_SENT;
    case LS_NOTE_TRANSLATE:
        ls_stat_inc_in_handler(LS_STAT_STALE_TRANSLATED);
        ls_log(LS_LOG_INFO, "signal %d for fd %d: that fd no longer names the file; delivered as fd %d",
               sig, fd, to);
        si->si_fd = to;
        if (ls_reg_note_break(sig, to, si->si_code))
            ls_deadline_kick();
        return LS_ADMIT_TRACKED;
    case LS_NOTE_STALE:
        break;
    }
    ls_stat_inc_in_handler(LS_STAT_STALE_DROPPED);
    ls_log(LS_LOG_INFO, "signal %d for fd %d: its registration went away and the fd no longer names its file; %s",
           sig, fd, ls_cfg.stale_policy == LS_STALE_DELIVER ? "delivered as is" : "dropped");
    if (ls_cfg.stale_policy == LS_STALE_ABORT)
        abort();
    return ls_cfg.stale_policy == LS_STALE_DELIVER ? LS_ADMIT_AS_SENT : LS_ADMIT_DROP;
}

/* ---- queue overflow ------------------------------------------------------------ */

/* The context of the plain SIGIO whose overflow is being recovered. */
static __thread void *recovering_ctx __attribute__((tls_model("initial-exec")));

/* One notification found by overflow recovery: queued as the kernel would
 * have, so that it is delivered like any other.  When the queue is still
 * full, delivered now, as the kernel would deliver it: the application's
 * mask and SIG itself (unless SA_NODEFER) blocked, with the interrupted
 * context of the SIGIO that announced the overflow. */
static void emit_recovered(int sig, siginfo_t *si)
{
    ls_stat_inc_in_handler(LS_STAT_OVERFLOW_RECOVERED);
    if (ls_sys_queue_to_this_thread(sig, si) == 0 || !recovering_ctx)
        return;
    struct sigaction app;
    if (!ls_sig_app_view(sig, &app) || app.sa_handler == SIG_DFL || app.sa_handler == SIG_IGN)
        return;
    sigset_t block = app.sa_mask, old;
    if (!(app.sa_flags & SA_NODEFER))
        sigaddset(&block, sig);
    LS_REAL(syscall)(SYS_rt_sigprocmask, (long)SIG_BLOCK, &block, &old, (long)(_NSIG / 8));
    ls_trampoline(sig, si, recovering_ctx);
    LS_REAL(syscall)(SYS_rt_sigprocmask, (long)SIG_SETMASK, &old, NULL, (long)(_NSIG / 8));
}

/* ---- the trampoline ------------------------------------------------------------ */

void ls_trampoline(int sig, siginfo_t *si, void *uctx)
{
    int saved = errno;
    struct sigaction app;
    static const ucontext_t no_context = {.uc_stack = {.ss_flags = SS_DISABLE}};
    const ucontext_t *uc = uctx ? uctx : &no_context;
    ls_claims_interrupted(uctx);
    if (!ls_sig_app_view(sig, &app)) {
        /* the application changed the disposition while this one was on its
         * way: let the kernel deliver it again under the new one */
        ls_sys_queue_to_this_thread(sig, si);
        errno = saved;
        return;
    }
    int claimed = 0, depth = ls_claims_depth();
    if (ls_is_notification(si) && app.sa_handler == SIG_DFL && ls_sig_guarded(sig)) {
        ls_reg_answer_unhandled(sig, si->si_fd); /* no handler in this image yet */
        errno = saved;
        return;
    }
    if (ls_is_notification(si) && ls_sig_watched(sig)) {
        /* admitted, and its descriptor kept from going while the handler
         * runs; a closer that won the race has re-homed it: look again */
        uintptr_t frame = (uintptr_t)&app;
        int fd = si->si_fd, admitted;
        claimed = ls_claim(fd, frame, &uc->uc_stack);
        for (int tries = 0;; tries++) {
            admitted = ls_notification_admit(sig, si);
            if (si->si_fd == fd || ls_claim_moves(claimed, si->si_fd))
                break;
            /* the descriptor it moved to went meanwhile: look again */
            si->si_fd = fd;
            if (tries == 4) {
                admitted = LS_ADMIT_AS_SENT; /* not proven stale */
                break;
            }
        }
        if (admitted == LS_ADMIT_DROP) {
            ls_claims_release_to(depth);
            errno = saved;
            return;
        }
    }
    if (app.sa_handler == SIG_IGN) {
        /* nothing to do */
    } else if (app.sa_handler == SIG_DFL) {
        /* only SIGIO is caught at SIG_DFL: a queue overflow is recovered into
         * per-descriptor notifications, anything else gets the default */
        int recovered = 0;
        if (sig == SIGIO && si->si_code == SI_KERNEL) {
            void *outer = recovering_ctx;
            recovering_ctx = uctx;
            recovered = ls_reg_recover_overflow(emit_recovered);
            recovering_ctx = outer;
        }
        if (!recovered) {
            ls_sig_reset_default(sig);
            ls_sys_queue_to_this_thread(sig, si); /* blocked until we return, then acted on */
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
    /* this delivery's claim, and any a nested handler left behind */
    ls_claims_release_to(depth);
    errno = saved;
}
