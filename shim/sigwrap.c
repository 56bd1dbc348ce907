/* sigwrap.c - the exported signal-disposition and signal-wait wrappers (SPEC §4).
 *
 * glibc's signal(), sysv_signal(), sigset() and siginterrupt() call its
 * internal sigaction, not the exported one, so each is rebuilt here on top
 * of the shim's, with glibc's own flags and checks (glibc 2.36).
 */
#include "policy.h"
#include "real.h"
#include "sigstate.h"
#include "sys.h"
#include "claims.h"
#include "trampoline.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>

#define LS_EXPORT __attribute__((visibility("default")))

typedef void (*handler_fn)(int);

int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
handler_fn __sysv_signal(int sig, handler_fn h);
handler_fn bsd_signal(int sig, handler_fn h);
handler_fn sysv_signal(int sig, handler_fn h);
handler_fn ssignal(int sig, handler_fn h);

LS_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return ls_sig_action(sig, act, old);
}

LS_EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return ls_sig_action(sig, act, old);
}

/* siginterrupt() state, kept here as glibc keeps its own: signals whose
 * handlers set with signal() interrupt system calls instead of restarting. */
static sigset_t interrupting;

static int valid_for_signal(int sig, handler_fn h)
{
    if (h == SIG_ERR || sig < 1 || sig >= NSIG) {
        errno = EINVAL;
        return 0;
    }
    return 1;
}

/* Set H with MASK_SELF (block SIG during H) and FLAGS; the old handler or SIG_ERR. */
static handler_fn set_handler(int sig, handler_fn h, int mask_self, int flags)
{
    struct sigaction act = {.sa_handler = h, .sa_flags = flags}, old;
    sigemptyset(&act.sa_mask);
    if (mask_self)
        sigaddset(&act.sa_mask, sig);
    if (ls_sig_action(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

/* BSD semantics, glibc's signal(): restart unless siginterrupt() said otherwise. */
static handler_fn bsd_like(int sig, handler_fn h)
{
    if (!valid_for_signal(sig, h))
        return SIG_ERR;
    return set_handler(sig, h, 1, sigismember(&interrupting, sig) ? 0 : SA_RESTART);
}

LS_EXPORT handler_fn signal(int sig, handler_fn h)
{
    return bsd_like(sig, h);
}

LS_EXPORT handler_fn bsd_signal(int sig, handler_fn h)
{
    return bsd_like(sig, h);
}

LS_EXPORT handler_fn ssignal(int sig, handler_fn h)
{
    return bsd_like(sig, h);
}

/* System V semantics: one shot, not masked, not restarted. */
static handler_fn sysv_like(int sig, handler_fn h)
{
    if (!valid_for_signal(sig, h))
        return SIG_ERR;
    return set_handler(sig, h, 0, (SA_RESETHAND | SA_NODEFER | SA_INTERRUPT) & ~SA_RESTART);
}

LS_EXPORT handler_fn sysv_signal(int sig, handler_fn h)
{
    return sysv_like(sig, h);
}

LS_EXPORT handler_fn __sysv_signal(int sig, handler_fn h)
{
    return sysv_like(sig, h);
}

LS_EXPORT handler_fn sigset(int sig, handler_fn h)
{
    if (sig < 1 || sig >= NSIG) { /* glibc 2.36 checks only the number here */
        errno = EINVAL;
        return SIG_ERR;
    }
    sigset_t set, oset;
    sigemptyset(&set);
    sigaddset(&set, sig);
    if (h == SIG_HOLD) {
        if (sigprocmask(SIG_BLOCK, &set, &oset) < 0)
            return SIG_ERR;
        if (sigismember(&oset, sig))
            return SIG_HOLD;
        struct sigaction old;
        if (ls_sig_action(sig, NULL, &old) < 0)
            return SIG_ERR;
        return old.sa_handler;
    }
    handler_fn prev = set_handler(sig, h, 0, 0);
    if (prev == SIG_ERR || sigprocmask(SIG_UNBLOCK, &set, &oset) < 0)
        return SIG_ERR;
    return sigismember(&oset, sig) ? SIG_HOLD : prev;
}

LS_EXPORT int siginterrupt(int sig, int interrupt)
{
    struct sigaction act;
    if (sig < 1 || sig >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    if (ls_sig_action(sig, NULL, &act) < 0)
        return -1;
    if (interrupt) {
        sigaddset(&interrupting, sig);
        act.sa_flags &= ~SA_RESTART;
    } else {
        sigdelset(&interrupting, sig);
        act.sa_flags |= SA_RESTART;
    }
    return ls_sig_action(sig, &act, NULL);
}

/* ---- waiting for signals ------------------------------------------------------ */

/* What is left of TIMEOUT, started at START (CLOCK_MONOTONIC), in *LEFT;
 * 0 if nothing is.  TIMEOUT is read only through ls_sys_peek: it is the
 * application's pointer, already accepted by the kernel once. */
static int timeout_left(const struct timespec *timeout, const struct timespec *start,
                        struct timespec *left)
{
    struct timespec t, now;
    if (ls_sys_peek(&t, timeout, sizeof t) != sizeof t) {
        errno = EFAULT; /* unmapped since the kernel read it: as the kernel would say */
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    left->tv_sec = start->tv_sec + t.tv_sec - now.tv_sec;
    left->tv_nsec = start->tv_nsec + t.tv_nsec - now.tv_nsec;
    while (left->tv_nsec < 0) {
        left->tv_nsec += 1000000000L;
        left->tv_sec--;
    }
    while (left->tv_nsec >= 1000000000L) {
        left->tv_nsec -= 1000000000L;
        left->tv_sec++;
    }
    if (left->tv_sec < 0) {
        errno = EAGAIN;
        return -1;
    }
    return 0;
}

/* sigtimedwait (TIMEOUT NULL: wait for ever), swallowing stale
 * notifications and going on within the caller's timeout.  The caller's
 * pointers are only ever read by the kernel first: a bad SET, INFO or
 * TIMEOUT fails (EFAULT) exactly as in libc; TIMEOUT is read by the shim
 * only after a notification was swallowed, to compute what is left of it.
 * Async-signal-safe. */
static int wait_checked(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
    siginfo_t local;
    siginfo_t *out = info ? info : &local;
    struct timespec start, left;
    const struct timespec *wait = timeout;
    if (timeout)
        clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int sig = LS_REAL(sigtimedwait)(set, out, wait);
        if (sig < 0 || !ls_is_notification(out) || !ls_sig_watched(sig) ||
            ls_notification_admit(sig, out))
            return sig;
        if (timeout) {
            if (timeout_left(timeout, &start, &left) < 0)
                return -1;
            wait = &left;
        }
    }
}

LS_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
    return wait_checked(set, info, timeout);
}

LS_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
    return wait_checked(set, info, NULL);
}

LS_EXPORT int sigwait(const sigset_t *set, int *sig)
{
    siginfo_t si;
    int r;
    do
        r = wait_checked(set, &si, NULL);
    while (r < 0 && errno == EINTR); /* as glibc: sigwait never reports EINTR */
    if (r < 0)
        return errno;
    *sig = r;
    return 0;
}

/* ---- leaving a handler without returning ----------------------------------------- */

/* glibc exports the fortified longjmp without declaring it. */
void __longjmp_chk(struct __jmp_buf_tag env[1], int val) __attribute__((noreturn));

/* Every longjmp entry point: the claims of the handlers the jump leaves go
 * first (claims.c), then libc jumps.  Async-signal-safe. */
#define LS_LONGJMP_WRAPPER(name)                                        \
    LS_EXPORT void name(struct __jmp_buf_tag env[1], int val)           \
    {                                                                   \
        ls_claims_longjmp(env);                                         \
        LS_REAL(name)(env, val);                                        \
        __builtin_unreachable();                                        \
    }
LS_LONGJMP_WRAPPER(longjmp)
LS_LONGJMP_WRAPPER(_longjmp)
LS_LONGJMP_WRAPPER(siglongjmp)
LS_LONGJMP_WRAPPER(__longjmp_chk)
#undef LS_LONGJMP_WRAPPER
