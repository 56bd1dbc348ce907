/* liboracle_perturb.so - a test-only preload that changes what a program
 * observes in one known way: the third O_ASYNC notification (si_code
 * POLL_IN) the process's real-time SA_SIGINFO handlers would receive is
 * not handed to them.  The CTest test oracle_sensitivity runs the oracle
 * with it in the shim's place and expects that difference to be reported:
 * proof that the oracle sees a lost notification, whatever the state of the
 * shim's own bugs.  Not installed, never part of the shim. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <signal.h>

static struct sigaction app[_NSIG];
static _Atomic int seen;

int sigaction(int sig, const struct sigaction *act, struct sigaction *old);

static void relay(int sig, siginfo_t *si, void *uc)
{
    if (si->si_code == POLL_IN && ++seen == 3)
        return;
    app[sig].sa_sigaction(sig, si, uc);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    static int (*real)(int, const struct sigaction *, struct sigaction *);
    if (!real)
        real = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
    if (act && sig >= SIGRTMIN && sig <= SIGRTMAX && (act->sa_flags & SA_SIGINFO)) {
        struct sigaction mine = *act;
        mine.sa_sigaction = relay;
        app[sig] = *act;
        return real(sig, &mine, old);
    }
    return real(sig, act, old);
}
