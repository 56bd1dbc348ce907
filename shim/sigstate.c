/* sigstate.c - one slot per signal: the application's disposition and
 * whether the kernel holds the trampoline (in the manner of a signal-chaining
 * library: the application's actions kept in one array indexed by signal). */
#include "sigstate.h"
#include "diag.h"
#include "fault.h"
#include "lock.h"
#include "real.h"
#include "self.h"
#include "sys.h"
#include "trampoline.h"

#include <errno.h>
#include <string.h>

struct slot {
    unsigned seq;          /* odd while being changed */
    int tramp;             /* the kernel holds the trampoline */
    struct sigaction app;  /* the application's view, valid while tramp */
};

static struct slot slots[LS_NSIG];
static uint64_t watched;  /* bit sig-1: a registration uses sig */
static int watched_rt;    /* some registration uses a signal other than SIGIO */
static uint64_t guarded;  /* bit sig-1: adopted across exec, see ls_sig_guard */

static int is_handler(void (*h)(int))
{
    return h != SIG_DFL && h != SIG_IGN;
}

int ls_sig_watched(int sig)
{
    return sig > 0 && sig < LS_NSIG &&
           (__atomic_load_n(&watched, __ATOMIC_RELAXED) >> (sig - 1)) & 1;
}

/* Should the kernel hold the trampoline for SIG when the application's
 * handler is H? */
int ls_sig_guarded(int sig)
{
    return sig > 0 && sig < LS_NSIG &&
           (__atomic_load_n(&guarded, __ATOMIC_RELAXED) >> (sig - 1)) & 1;
}

int ls_sig_any_guarded(void)
{
    return __atomic_load_n(&guarded, __ATOMIC_RELAXED) != 0;
}

static int wants_trampoline(int sig, void (*h)(int))
{
    if (is_handler(h))
        return ls_sig_watched(sig);
    if (h == SIG_DFL && ls_sig_guarded(sig))
        return 1;
    return sig == SIGIO && h == SIG_DFL && __atomic_load_n(&watched_rt, __ATOMIC_RELAXED);
}

int ls_sig_app_view(int sig, struct sigaction *app)
{
    if (sig <= 0 || sig >= LS_NSIG)
        return 0;
    struct slot *s = &slots[sig];
    unsigned seq;
    int tramp;
    do {
        while ((seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1u)
            ;
        tramp = s->tramp;
        memcpy(app, &s->app, sizeof *app);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq);
    return tramp;
}

static void slot_write(int sig, int tramp, const struct sigaction *app)
{
    struct slot *s = &slots[sig];
    __atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->tramp = tramp;
    if (app)
        s->app = *app;
    __atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

/* Would every application handler of a watched real-time signal restart
 * system calls?  (The SIGIO catcher's SA_RESTART.)  Lock held. */
static int catcher_restarts(void)
{
    for (int sig = 1; sig < LS_NSIG; sig++)
        if (sig != SIGIO && ls_sig_watched(sig) && slots[sig].tramp &&
            is_handler(slots[sig].app.sa_handler) && !(slots[sig].app.sa_flags & SA_RESTART))
            return 0;
    return 1;
}

/* Give the kernel the trampoline for SIG, carrying the application's mask
 * and flags (SA_RESTART, SA_ONSTACK, SA_NODEFER...) so that delivery is
 * exactly what the application asked for; SA_RESETHAND is emulated.  APP
 * becomes the recorded view.  Lock held.  0 or -1 with errno. */
static int install_trampoline(int sig, const struct sigaction *app)
{
    struct sigaction k = *app, now, before = slots[sig].app;
    int was = slots[sig].tramp;
    k.sa_sigaction = ls_trampoline;
    k.sa_flags = (app->sa_flags | SA_SIGINFO) & ~SA_RESETHAND;
    /* standing in for SIG_DFL, the trampoline must not interrupt anything;
     * as the SIGIO catcher it hands on real-time notifications, so it
     * restarts as their handlers ask */
    if (app->sa_handler == SIG_DFL && !(sig == SIGIO && !catcher_restarts()))
        k.sa_flags |= SA_RESTART;
    /* the trampoline must know the application's view before the kernel
     * can call it */
    slot_write(sig, 1, app);
    if (ls_fault(LS_FAULT_SIGACTION) || LS_REAL(sigaction)(sig, &k, NULL) < 0) {
        int e = errno;
        slot_write(sig, was, &before);
        errno = e;
        return -1;
    }
    /* record the view as the kernel reports it (mask normalised, SA_RESTORER) */
    if (LS_REAL(sigaction)(sig, NULL, &now) == 0) {
        struct sigaction view = *app;
        view.sa_mask = now.sa_mask;
        const int ours = SA_SIGINFO | SA_RESETHAND | SA_RESTART;
        view.sa_flags = (now.sa_flags & ~ours) | (app->sa_flags & ours);
        view.sa_restorer = now.sa_restorer;
        slot_write(sig, 1, &view);
    }
    return 0;
}

/* The trampoline could not be installed for SIG (errno): the kernel keeps
 * the application's own disposition.  Lock held. */
static void degraded(int sig)
{
    ls_degrade("cannot install the trampoline for signal %d (errno %d): "
               "its notifications are not checked", sig, errno);
}

/* Re-decide what the kernel holds for SIG from the current application view. Lock held. */
static void refresh(int sig)
{
    struct sigaction cur;
    if (slots[sig].tramp)
        return;
    if (LS_REAL(sigaction)(sig, NULL, &cur) < 0)
        return;
    if (wants_trampoline(sig, cur.sa_handler) && install_trampoline(sig, &cur) < 0)
        degraded(sig);
}

void ls_sig_watch(int sig)
{
    if (sig <= 0 || sig >= LS_NSIG || ls_sig_watched(sig))
        return;
    int saved = errno;
    __atomic_fetch_or(&watched, 1ull << (sig - 1), __ATOMIC_RELAXED);
    refresh(sig);
    if (sig != SIGIO && !__atomic_exchange_n(&watched_rt, 1, __ATOMIC_RELAXED))
        refresh(SIGIO);
    errno = saved;
}

void ls_sig_watch_all(uint64_t sigs)
{
    for (int sig = 1; sigs && sig < LS_NSIG; sig++, sigs >>= 1)
        if (sigs & 1)
            ls_sig_watch(sig);
}

void ls_sig_guard(int sig)
{
    if (sig <= 0 || sig >= LS_NSIG || ls_sig_guarded(sig))
        return;
    int saved = errno;
    __atomic_fetch_or(&guarded, 1ull << (sig - 1), __ATOMIC_RELAXED);
    refresh(sig);
    errno = saved;
}

int ls_sig_action(int sig, const struct sigaction *act, struct sigaction *old)
{
    /* a vfork child has its own dispositions but shares our memory */
    if (ls_shared_child())
        return LS_REAL(sigaction)(sig, act, old);
    /* glibc's own checks first, so bad calls fail exactly as they would */
    if (sig <= 0 || sig >= LS_NSIG || sig == SIGKILL || sig == SIGSTOP)
        return LS_REAL(sigaction)(sig, act, old);
    /* glibc reads ACT, and writes OLD, in user space: a bad pointer faults
     * there, in the caller's context.  So here: ACT is copied before the
     * lock is taken and OLD written after it is dropped, never with every
     * signal blocked (the kernel would kill instead of running the
     * application's SIGSEGV handler) or the lock held (a handler leaving
     * by siglongjmp would keep it). */
    struct sigaction act_copy, prev;
    if (act) {
        act_copy = *act;
        act = &act_copy;
    }
    struct ls_crit c;
    int r = 0, saved = errno;
    ls_crit_enter(&c);
    int had_tramp = slots[sig].tramp;
    if (had_tramp)
        prev = slots[sig].app;
    else if (old && LS_REAL(sigaction)(sig, NULL, &prev) < 0)
        r = -1;
    if (r == 0 && act) {
        if (wants_trampoline(sig, act->sa_handler)) {
            r = install_trampoline(sig, act);
            if (r < 0) {
                /* the application's own request decides the result */
                r = LS_REAL(sigaction)(sig, act, NULL);
                if (r == 0) {
                    degraded(sig);
                    slot_write(sig, 0, NULL);
                }
            }
        } else {
            r = LS_REAL(sigaction)(sig, act, NULL);
            if (r == 0 && had_tramp)
                slot_write(sig, 0, NULL);
        }
    }
    /* the SIGIO catcher follows the real-time handlers' SA_RESTART */
    if (r == 0 && act && sig != SIGIO && ls_sig_watched(sig) && slots[SIGIO].tramp &&
        slots[SIGIO].app.sa_handler == SIG_DFL && !ls_sig_guarded(SIGIO)) {
        struct sigaction dfl = slots[SIGIO].app;
        install_trampoline(SIGIO, &dfl);
    }
    ls_crit_leave(&c); /* keeps errno */
    if (r == 0 && old)
        *old = prev;
    if (r == 0)
        errno = saved;
    return r;
}

void ls_sig_reset_default(int sig)
{
    struct ls_crit c;
    ls_crit_enter(&c);
    struct sigaction dfl = slots[sig].app;
    dfl.sa_handler = SIG_DFL;
    LS_REAL(sigaction)(sig, &dfl, NULL);
    slot_write(sig, 0, NULL);
    ls_crit_leave(&c);
}

void ls_sig_spend_one_shot(int sig, void (*expected)(int))
{
    struct ls_crit c;
    ls_crit_enter(&c);
    struct slot *s = &slots[sig];
    if (s->tramp && s->app.sa_handler == expected) {
        struct sigaction dfl = s->app;
        dfl.sa_handler = SIG_DFL;
        if (wants_trampoline(sig, SIG_DFL)) {
            slot_write(sig, 1, &dfl);
        } else {
            LS_REAL(sigaction)(sig, &dfl, NULL);
            slot_write(sig, 0, NULL);
        }
    }
    ls_crit_leave(&c);
}
