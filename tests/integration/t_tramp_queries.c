/* Trampoline, scenario 7: every query answers with the application's view,
 * never the trampoline, whatever order sigaction and fcntl come in:
 * sigaction(sig, NULL, &o) and the old action returned by a change give the
 * application's handler, flags (SA_SIGINFO, SA_RESETHAND, ...) and mask,
 * before and after the lease; signal(), bsd_signal(), ssignal(),
 * sysv_signal(), __sysv_signal() and sigset() return the previous
 * application handler; SIG_IGN and SIG_DFL reach the kernel as they are.
 * Expectations come from the flags given and glibc's documented semantics;
 * the shim changes none of them, so the program passes without it too. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* sigset and siginterrupt are what this test is about */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* glibc adds it to every action on x86-64 */
#endif

typedef void (*handler_fn)(int);
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
handler_fn __sysv_signal(int sig, handler_fn h);
handler_fn bsd_signal(int sig, handler_fn h);
handler_fn sysv_signal(int sig, handler_fn h);
handler_fn ssignal(int sig, handler_fn h);

static volatile int n1, n1b, n_info, n_info2, last_fd, last_sig;
static void h1(int s) { n1 += s; }
static void h1b(int s) { n1b += 2 * s; }
static void h_info(int s, siginfo_t *si, void *c) { (void)c; last_sig = s; last_fd = si->si_fd; n_info++; }
static void h_info2(int s, siginfo_t *si, void *c) { (void)s; (void)si; (void)c; n_info2++; }

/* flags as the application gave them: glibc adds SA_RESTORER itself, and
 * SA_INTERRUPT in sysv_signal(), a bit Linux drops as unknown (since 5.11)
 * but valgrind, which runs this test in one build, keeps */
#define APPFLAGS(f) ((unsigned long)(unsigned)(f) & ~(unsigned long)(SA_RESTORER | SA_INTERRUPT))

static struct sigaction query(int sig)
{
    struct sigaction o;
    memset(&o, 0x5a, sizeof o);
    errno = 0;
    CHECK(sigaction(sig, NULL, &o) == 0);
    CHECK_EQ(errno, 0);
    return o;
}

/* O is exactly H with FLAGS and the mask made of the signals in MASK (0-terminated). */
static void check_view(int line, const struct sigaction *o, void *h, unsigned long flags,
                       const int *mask)
{
    if ((void *)o->sa_handler != h || APPFLAGS(o->sa_flags) != flags) {
        fprintf(stderr, "line %d: handler %p flags %#lx, want %p %#lx\n", line,
                (void *)o->sa_handler, (unsigned long)(unsigned)o->sa_flags, h, flags);
        exit(1);
    }
    for (int s = 1; s < 65; s++) {
        int want = 0;
        for (const int *m = mask; *m; m++)
            want |= *m == s;
        if (sigismember(&o->sa_mask, s) != want) {
            fprintf(stderr, "line %d: signal %d %s the mask\n", line, s,
                    want ? "missing from" : "unexpectedly in");
            exit(1);
        }
    }
}
#define VIEW(o, h, f, ...) check_view(__LINE__, &(o), (void *)(h), (f), (const int[]){__VA_ARGS__ __VA_OPT__(,) 0})

static int blocked(int sig)
{
    sigset_t cur;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0);
    return sigismember(&cur, sig);
}

int main(void)
{
    const char *pa = lst_path("a"), *pb = lst_path("b");
    int sa_sig = lst_sig(), sb = SIGRTMIN + 2, mx = SIGRTMIN + 3;
    struct sigaction act, old, q;

    /* ---- A: sigaction first, then the registration (fcntl) ---- */
    memset(&act, 0, sizeof act);
    act.sa_sigaction = h_info;
    act.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, SIGUSR1);
    sigaddset(&act.sa_mask, mx);
    CHECK(sigaction(sa_sig, &act, &old) == 0);
    VIEW(old, SIG_DFL, 0);
    q = query(sa_sig);
    VIEW(q, h_info, SA_SIGINFO | SA_RESTART | SA_NODEFER, SIGUSR1, mx);

    int a = lst_open(pa, O_RDONLY);
    lst_lease(a, F_RDLCK);
    q = query(sa_sig); /* unchanged by the registration */
    VIEW(q, h_info, SA_SIGINFO | SA_RESTART | SA_NODEFER, SIGUSR1, mx);

    act.sa_sigaction = h_info2;
    act.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&act.sa_mask);
    CHECK(sigaction(sa_sig, &act, &old) == 0);
    VIEW(old, h_info, SA_SIGINFO | SA_RESTART | SA_NODEFER, SIGUSR1, mx);
    q = query(sa_sig);
    VIEW(q, h_info2, SA_SIGINFO | SA_ONSTACK | SA_RESETHAND);
    CHECK(__sigaction(sa_sig, NULL, &q) == 0); /* the other entry point */
    VIEW(q, h_info2, SA_SIGINFO | SA_ONSTACK | SA_RESETHAND);

    act.sa_sigaction = h_info;
    act.sa_flags = SA_SIGINFO | SA_RESTART; /* lst_break blocks in read() */
    CHECK(sigaction(sa_sig, &act, &old) == 0);
    VIEW(old, h_info2, SA_SIGINFO | SA_ONSTACK | SA_RESETHAND);

    /* ---- B: the registration first, then every way of setting a handler ---- */
    int b = lst_open(pb, O_RDONLY);
    CHECK(fcntl(b, F_SETSIG, sb) == 0);
    CHECK(fcntl(b, F_SETLEASE, F_RDLCK) == 0);
    q = query(sb);
    VIEW(q, SIG_DFL, 0);
    CHECK(lst_kernel_handler(sb) == (void *)SIG_DFL);

    act.sa_sigaction = h_info2;
    act.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, SIGUSR2);
    CHECK(sigaction(sb, &act, &old) == 0);
    VIEW(old, SIG_DFL, 0);
    q = query(sb);
    VIEW(q, h_info2, SA_SIGINFO | SA_RESETHAND | SA_NODEFER, SIGUSR2);

    act.sa_handler = SIG_IGN;
    act.sa_flags = SA_RESTART;
    sigemptyset(&act.sa_mask);
    CHECK(sigaction(sb, &act, &old) == 0);
    VIEW(old, h_info2, SA_SIGINFO | SA_RESETHAND | SA_NODEFER, SIGUSR2);
    q = query(sb);
    VIEW(q, SIG_IGN, SA_RESTART);
    CHECK(lst_kernel_handler(sb) == (void *)SIG_IGN); /* as it is */

    act.sa_handler = SIG_DFL;
    act.sa_flags = 0;
    CHECK(sigaction(sb, &act, &old) == 0);
    VIEW(old, SIG_IGN, SA_RESTART);
    CHECK(lst_kernel_handler(sb) == (void *)SIG_DFL);

    /* signal() family: the previous application handler comes back */
    CHECK(signal(sb, h1) == SIG_DFL);
    q = query(sb);
    VIEW(q, h1, SA_RESTART, sb); /* BSD semantics: restart, block itself */
    CHECK(signal(sb, h1b) == h1);
    CHECK(bsd_signal(sb, h1) == h1b);
    q = query(sb);
    VIEW(q, h1, SA_RESTART, sb);
    CHECK(ssignal(sb, h1b) == h1);
    CHECK(sysv_signal(sb, h1) == h1b);
    q = query(sb);
    VIEW(q, h1, SA_RESETHAND | SA_NODEFER); /* System V: one shot, no mask, no restart */
    CHECK(__sysv_signal(sb, h1b) == h1);
    CHECK(signal(sb, SIG_IGN) == h1b);
    CHECK(lst_kernel_handler(sb) == (void *)SIG_IGN);
    CHECK(signal(sb, h1) == SIG_IGN);

    /* sigset: previous handler, or SIG_HOLD when the signal was blocked */
    CHECK(sigset(sb, h1b) == h1);
    q = query(sb);
    CHECK(q.sa_handler == h1b);
    CHECK(sigset(sb, SIG_HOLD) == h1b);
    CHECK_EQ(blocked(sb), 1);
    CHECK(sigset(sb, SIG_HOLD) == SIG_HOLD);
    CHECK(sigset(sb, h1) == SIG_HOLD);
    CHECK_EQ(blocked(sb), 0);
    q = query(sb);
    CHECK(q.sa_handler == h1);
    CHECK(sigset(sb, h1b) == h1);

    /* siginterrupt changes SA_RESTART and keeps the handler */
    CHECK(signal(sb, h1) == h1b);
    CHECK_EQ(siginterrupt(sb, 1), 0);
    q = query(sb);
    VIEW(q, h1, 0, sb);
    CHECK(signal(sb, h1b) == h1); /* signal() remembers siginterrupt */
    q = query(sb);
    VIEW(q, h1b, 0, sb);
    CHECK_EQ(siginterrupt(sb, 0), 0);
    q = query(sb);
    VIEW(q, h1b, SA_RESTART, sb);

    /* ---- both still work: the kernel's notifications reach the handlers ---- */
    CHECK_EQ(lst_break(pa, 0), EWOULDBLOCK);
    for (int i = 0; i < 400 && !n_info; i++)
        usleep(5000);
    CHECK_EQ(n_info, 1);
    CHECK_EQ(last_sig, sa_sig);
    CHECK_EQ(last_fd, a);
    CHECK_EQ(lst_break(pb, 0), EWOULDBLOCK);
    for (int i = 0; i < 400 && !n1b; i++)
        usleep(5000);
    CHECK_EQ(n1b, 2 * sb);
    CHECK_EQ(n1, 0);
    CHECK_EQ(n_info2, 0);
    q = query(sb); /* delivery changed nothing */
    VIEW(q, h1b, SA_RESTART, sb);
    q = query(sa_sig);
    VIEW(q, h_info, SA_SIGINFO | SA_RESTART);
    return 0;
}
