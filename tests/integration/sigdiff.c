/* sigdiff - print what a program with NO leases observes of signal
 * dispositions, so that sigdiff_run.sh can compare a run without the shim
 * with a run under it, byte for byte.  The shim rebuilds signal(),
 * sysv_signal(), sigset(), siginterrupt() and wraps sigaction and the
 * signal waits even when no registration exists: all of it must be
 * indistinguishable from glibc.
 *
 * Covered: the initial disposition of every signal; every disposition kind
 * (SIG_DFL, SIG_IGN, a handler, SA_SIGINFO) across the SA_ flag matrix,
 * with masks; what delivery looks like (arguments, si_code, mask inside the
 * handler, SA_RESETHAND, SA_NODEFER); the signal() family's return values
 * and the sigaction queries after them; invalid signals (0, -1, 65, 32, 33,
 * SIGKILL, SIGSTOP) with errno; sigqueue payloads and queueing order;
 * sigwaitinfo/sigtimedwait/sigwait; sigaltstack; SA_RESTART on a blocked
 * read.  errno is set to a marker before every call and printed after it.
 * Handlers print as names, flags in hex, masks as member lists; nothing
 * printed depends on the run (no addresses, pids or times).
 *
 * "sigdiff --whoami" prints the object that defines sysv_signal(), for the
 * script to check that the shim really was preloaded (not compared).  Not
 * signal(): a sanitizer runtime preloaded in front of the shim defines that
 * one too (and calls on to the shim's). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* sigset, siginterrupt */
#pragma GCC diagnostic ignored "-Wrestrict" /* sigaction(sig, &x, &x) is called on purpose */

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* linux/signal.h */
#endif

typedef void (*handler_fn)(int);
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
handler_fn __sysv_signal(int sig, handler_fn h);
handler_fn bsd_signal(int sig, handler_fn h);
handler_fn sysv_signal(int sig, handler_fn h);
handler_fn ssignal(int sig, handler_fn h);

#define MARK 4242 /* errno before every call */

/* ---- handlers ------------------------------------------------------------ */

static volatile int rec_n, rec_sig[16], rec_code[16], rec_val[16], rec_self[16], rec_mask_self[16],
    rec_mask_usr2[16], rec_alt[16], rec_ssflags[16];
static char altbuf[256 * 1024] __attribute__((aligned(64)));

static void record(int sig, const siginfo_t *si)
{
    int i = rec_n++;
    if (i >= 16)
        return;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    volatile char here = 0;
    stack_t ss;
    rec_sig[i] = sig;
    rec_code[i] = si ? si->si_code : 9999;
    rec_val[i] = si && si->si_code == SI_QUEUE ? si->si_value.sival_int : 0;
    rec_self[i] = si ? si->si_pid == getpid() && si->si_uid == getuid() : -1;
    rec_mask_self[i] = sigismember(&cur, sig);
    rec_mask_usr2[i] = sigismember(&cur, SIGUSR2);
    rec_alt[i] = (uintptr_t)&here >= (uintptr_t)altbuf && (uintptr_t)&here < (uintptr_t)altbuf + sizeof altbuf;
    rec_ssflags[i] = sigaltstack(NULL, &ss) == 0 ? ss.ss_flags : -1;
}

static void h_a(int sig) { record(sig, NULL); }
static void h_b(int sig) { record(sig, NULL); rec_val[0] += 0; }
static void h_info_a(int sig, siginfo_t *si, void *c) { (void)c; record(sig, si); }
static void h_info_b(int sig, siginfo_t *si, void *c) { (void)c; record(sig, si); rec_code[15] += 0; }

static const char *hname(void *h)
{
    if (h == (void *)SIG_DFL)
        return "SIG_DFL";
    if (h == (void *)SIG_IGN)
        return "SIG_IGN";
    if (h == (void *)SIG_HOLD)
        return "SIG_HOLD";
    if (h == (void *)SIG_ERR)
        return "SIG_ERR";
    if (h == (void *)h_a)
        return "h_a";
    if (h == (void *)h_b)
        return "h_b";
    if (h == (void *)h_info_a)
        return "h_info_a";
    if (h == (void *)h_info_b)
        return "h_info_b";
    return "OTHER";
}

/* ---- printing -------------------------------------------------------------- */

static void mask_str(const sigset_t *m, char *out, size_t n)
{
    size_t len = 0;
    out[len++] = '{';
    for (int s = 1; s <= 64; s++)
        if (sigismember(m, s) == 1)
            len += (size_t)snprintf(out + len, n - len, "%s%d", out[len - 1] == '{' ? "" : ",", s);
    snprintf(out + len, n - len, "}");
}

static void act_str(const struct sigaction *a, char *out, size_t n)
{
    char m[300];
    mask_str(&a->sa_mask, m, sizeof m);
    snprintf(out, n, "{%s,%#x,%s}", hname((void *)a->sa_handler), (unsigned)a->sa_flags, m);
}

static void blank(struct sigaction *a)
{
    memset(a, 0x5a, sizeof *a);
}

static void query(const char *tag, int sig)
{
    struct sigaction o;
    char s[400];
    blank(&o);
    errno = MARK;
    int r = sigaction(sig, NULL, &o);
    int e = errno;
    if (r == 0)
        act_str(&o, s, sizeof s);
    else
        strcpy(s, "-");
    printf("  %s query(%d) = %d errno=%d %s\n", tag, sig, r, e, s);
}

static int blocked(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

static void print_recs(const char *tag)
{
    printf("  %s: %d deliveries", tag, rec_n);
    for (int i = 0; i < rec_n && i < 16; i++)
        printf(" [sig=%d code=%d val=%d self=%d maskself=%d maskusr2=%d alt=%d ss=%#x]", rec_sig[i],
               rec_code[i], rec_val[i], rec_self[i], rec_mask_self[i], rec_mask_usr2[i], rec_alt[i],
               (unsigned)rec_ssflags[i]);
    printf("\n");
    rec_n = 0;
}

/* One sigaction(SIG, ACT, OLD?) call, printed with what it returned. */
static int do_sigaction(int sig, void *h, int flags, const int *mask, int want_old)
{
    struct sigaction act, old;
    char sa[400], so[400];
    memset(&act, 0, sizeof act);
    act.sa_handler = (handler_fn)h;
    act.sa_flags = flags;
    sigemptyset(&act.sa_mask);
    for (const int *m = mask; m && *m; m++)
        sigaddset(&act.sa_mask, *m);
    act_str(&act, sa, sizeof sa);
    blank(&old);
    errno = MARK;
    int r = sigaction(sig, &act, want_old ? &old : NULL);
    int e = errno;
    if (r == 0 && want_old)
        act_str(&old, so, sizeof so);
    else
        strcpy(so, "-");
    printf("sigaction(%d, %s, %s) = %d errno=%d old=%s\n", sig, sa, want_old ? "&old" : "NULL", r, e, so);
    return r;
}

#define CALL_H(expr, text)                                                   \
    do {                                                                     \
        errno = MARK;                                                        \
        handler_fn r_ = (expr);                                              \
        int e_ = errno;                                                      \
        printf("%s = %s errno=%d\n", text, hname((void *)r_), e_);           \
    } while (0)

#define CALL_I(expr, text)                                                   \
    do {                                                                     \
        errno = MARK;                                                        \
        int r_ = (expr);                                                     \
        int e_ = errno;                                                      \
        printf("%s = %d errno=%d\n", text, r_, e_);                          \
    } while (0)

/* ---- sections -------------------------------------------------------------- */

static void initial(void)
{
    printf("== initial dispositions\n");
    for (int s = 1; s <= 64; s++)
        query("initial", s);
}

static void flag_matrix(void)
{
    printf("== disposition kinds x flag matrix\n");
    const int sigs[] = {SIGUSR1, SIGIO, SIGCHLD, SIGRTMIN + 1};
    const int bits[] = {SA_SIGINFO, SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_ONSTACK, SA_NOCLDSTOP,
                        SA_NOCLDWAIT};
    const int nb = sizeof bits / sizeof bits[0];
    void *disp[] = {(void *)SIG_DFL, (void *)SIG_IGN, (void *)h_a, (void *)h_info_a};
    const int mask1[] = {SIGUSR2, SIGKILL, SIGSTOP, 0}, mask2[] = {SIGRTMIN + 4, SIGTERM, 0};
    for (unsigned si = 0; si < sizeof sigs / sizeof sigs[0]; si++) {
        int sig = sigs[si];
        for (int d = 0; d < 4; d++)
            for (int f = 0; f < (1 << nb); f++) {
                int flags = 0;
                for (int b = 0; b < nb; b++)
                    if (f & (1 << b))
                        flags |= bits[b];
                do_sigaction(sig, disp[d], flags, (f & 1) ? mask1 : (f & 2) ? mask2 : NULL, f % 3 != 2);
                if (f % 5 == 0)
                    query("after", sig);
            }
        /* bits the kernel does not know, and the same struct in and out */
        do_sigaction(sig, (void *)h_b, 0x400, NULL, 1);
        query("after", sig);
        do_sigaction(sig, (void *)h_b, 0x800 | SA_RESTART, NULL, 1);
        query("after", sig);
        do_sigaction(sig, (void *)h_b, 0x00100000, NULL, 1);
        query("after", sig);
        struct sigaction io;
        char s[400];
        memset(&io, 0, sizeof io);
        io.sa_sigaction = h_info_b;
        io.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&io.sa_mask);
        errno = MARK;
        int r = sigaction(sig, &io, &io);
        int e = errno;
        act_str(&io, s, sizeof s);
        printf("sigaction(%d, &x, &x) = %d errno=%d x=%s\n", sig, r, e, s);
        query("after", sig);
        CALL_I(sigaction(sig, NULL, NULL), "sigaction(sig, NULL, NULL)");
        struct sigaction o;
        blank(&o);
        errno = MARK;
        r = __sigaction(sig, NULL, &o);
        e = errno;
        act_str(&o, s, sizeof s);
        printf("__sigaction(%d, NULL, &o) = %d errno=%d %s\n", sig, r, e, s);
        do_sigaction(sig, (void *)SIG_DFL, 0, NULL, 1);
    }
}

static void delivery(void)
{
    printf("== delivery\n");
    const int sigs[] = {SIGUSR1, SIGRTMIN + 1, SIGIO};
    const int flagsets[] = {0, SA_SIGINFO, SA_NODEFER, SA_RESTART | SA_SIGINFO | SA_NODEFER,
                            SA_RESETHAND, SA_RESETHAND | SA_SIGINFO, SA_RESETHAND | SA_NODEFER};
    const int mask[] = {SIGUSR2, 0};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        for (unsigned j = 0; j < sizeof flagsets / sizeof flagsets[0]; j++) {
            int sig = sigs[i], fl = flagsets[j];
            do_sigaction(sig, (fl & SA_SIGINFO) ? (void *)h_info_a : (void *)h_a, fl, mask, 0);
            CALL_I(raise(sig), "raise");
            print_recs("raise");
            query("after", sig);
            if (!(fl & SA_RESETHAND)) {
                CALL_I(kill(getpid(), sig), "kill");
                print_recs("kill");
                CALL_I(sigqueue(getpid(), sig, (union sigval){.sival_int = 77}), "sigqueue");
                print_recs("sigqueue");
                CALL_I((int)syscall(SYS_tgkill, getpid(), gettid(), sig), "tgkill");
                print_recs("tgkill");
            }
            do_sigaction(sig, (void *)SIG_DFL, 0, NULL, 0);
        }
    /* ignored signals are discarded, even when queued */
    do_sigaction(SIGRTMIN + 1, (void *)SIG_IGN, 0, NULL, 0);
    CALL_I(sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = 5}), "sigqueue to SIG_IGN");
    sigset_t p;
    sigpending(&p);
    printf("  pending after: %d\n", sigismember(&p, SIGRTMIN + 1));
    do_sigaction(SIGRTMIN + 1, (void *)SIG_DFL, 0, NULL, 0);
}

static void signal_family_on(int s)
{
    char t[96];
#define T(fmt, ...) (snprintf(t, sizeof t, fmt, __VA_ARGS__), t)
    CALL_H(signal(s, h_a), T("signal(%d, h_a)", s));
    query("", s);
    CALL_H(signal(s, h_b), T("signal(%d, h_b)", s));
    CALL_H(bsd_signal(s, h_a), T("bsd_signal(%d, h_a)", s));
    query("", s);
    CALL_H(ssignal(s, h_b), T("ssignal(%d, h_b)", s));
    query("", s);
    CALL_H(sysv_signal(s, h_a), T("sysv_signal(%d, h_a)", s));
    query("", s);
    CALL_H(__sysv_signal(s, h_b), T("__sysv_signal(%d, h_b)", s));
    query("", s);
    CALL_H(signal(s, SIG_IGN), T("signal(%d, SIG_IGN)", s));
    query("", s);
    CALL_H(signal(s, SIG_DFL), T("signal(%d, SIG_DFL)", s));
    query("", s);
    CALL_H(sigset(s, h_a), T("sigset(%d, h_a)", s));
    query("", s);
    CALL_H(sigset(s, SIG_HOLD), T("sigset(%d, SIG_HOLD)", s));
    printf("  blocked=%d\n", blocked(s));
    query("", s);
    CALL_H(sigset(s, SIG_HOLD), T("sigset(%d, SIG_HOLD) again", s));
    CALL_H(sigset(s, h_b), T("sigset(%d, h_b)", s));
    printf("  blocked=%d\n", blocked(s));
    query("", s);
    CALL_H(sigset(s, SIG_IGN), T("sigset(%d, SIG_IGN)", s));
    query("", s);
    CALL_H(sigset(s, SIG_DFL), T("sigset(%d, SIG_DFL)", s));
    query("", s);
    CALL_I(siginterrupt(s, 1), T("siginterrupt(%d, 1) on SIG_DFL", s));
    query("", s);
    CALL_H(signal(s, h_a), T("signal(%d, h_a) after siginterrupt 1", s));
    query("", s);
    CALL_H(bsd_signal(s, h_b), T("bsd_signal(%d, h_b)", s));
    query("", s);
    CALL_I(siginterrupt(s, 0), T("siginterrupt(%d, 0)", s));
    query("", s);
    CALL_H(signal(s, h_a), T("signal(%d, h_a) after siginterrupt 0", s));
    query("", s);
    CALL_I(siginterrupt(s, 1), T("siginterrupt(%d, 1) on a handler", s));
    query("", s);
    CALL_H(sysv_signal(s, h_b), T("sysv_signal(%d, h_b) after siginterrupt 1", s));
    query("", s);
    CALL_I(siginterrupt(s, 0), T("siginterrupt(%d, 0) on a one-shot", s));
    query("", s);
    CALL_H(signal(s, SIG_ERR), T("signal(%d, SIG_ERR)", s));
    CALL_H(sysv_signal(s, SIG_ERR), T("sysv_signal(%d, SIG_ERR)", s));
    CALL_H(sigset(s, SIG_ERR), T("sigset(%d, SIG_ERR)", s));
    query("", s);

    /* what each kind of handler looks like when the signal comes */
    CALL_H(signal(s, h_a), T("signal(%d, h_a)", s));
    raise(s);
    raise(s);
    print_recs("signal() x2");
    query("", s);
    CALL_H(sysv_signal(s, h_a), T("sysv_signal(%d, h_a)", s));
    raise(s);
    print_recs("sysv_signal()");
    query("after one shot", s);
    CALL_H(sigset(s, h_b), T("sigset(%d, h_b)", s));
    raise(s);
    print_recs("sigset()");
    query("", s);
    CALL_H(sigset(s, SIG_HOLD), T("sigset(%d, SIG_HOLD)", s));
    raise(s);
    print_recs("held");
    CALL_H(sigset(s, h_a), T("sigset(%d, h_a) releases", s));
    print_recs("released");
    CALL_H(signal(s, SIG_DFL), T("signal(%d, SIG_DFL)", s));
#undef T
}

static void signal_family(void)
{
    printf("== signal() family\n");
    const int sigs[] = {SIGUSR1, SIGRTMIN + 2, SIGIO, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal_family_on(sigs[i]);
}

static void invalid(void)
{
    printf("== invalid signals\n");
    const int bad[] = {0, -1, 65, 32, 33, SIGKILL, SIGSTOP, 64, 1000, INT_MIN};
    char t[96];
#define T(fmt, ...) (snprintf(t, sizeof t, fmt, __VA_ARGS__), t)
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int s = bad[i];
        query("", s);
        do_sigaction(s, (void *)h_a, 0, NULL, 0);
        do_sigaction(s, (void *)h_info_a, SA_SIGINFO, NULL, 1);
        do_sigaction(s, (void *)SIG_DFL, 0, NULL, 1);
        do_sigaction(s, (void *)SIG_IGN, 0, NULL, 1);
        struct sigaction o;
        char so[400];
        blank(&o);
        errno = MARK;
        int r = __sigaction(s, NULL, &o);
        int e = errno;
        if (r == 0)
            act_str(&o, so, sizeof so);
        else
            strcpy(so, "-");
        printf("__sigaction(%d, NULL, &o) = %d errno=%d %s\n", s, r, e, so);
        CALL_H(signal(s, h_a), T("signal(%d, h_a)", s));
        CALL_H(signal(s, SIG_DFL), T("signal(%d, SIG_DFL)", s));
        CALL_H(signal(s, SIG_IGN), T("signal(%d, SIG_IGN)", s));
        CALL_H(bsd_signal(s, h_a), T("bsd_signal(%d, h_a)", s));
        CALL_H(ssignal(s, h_a), T("ssignal(%d, h_a)", s));
        CALL_H(sysv_signal(s, h_a), T("sysv_signal(%d, h_a)", s));
        CALL_H(__sysv_signal(s, h_a), T("__sysv_signal(%d, h_a)", s));
        CALL_H(sigset(s, h_a), T("sigset(%d, h_a)", s));
        CALL_H(sigset(s, SIG_HOLD), T("sigset(%d, SIG_HOLD)", s));
        CALL_H(sigset(s, SIG_DFL), T("sigset(%d, SIG_DFL)", s));
        CALL_I(siginterrupt(s, 1), T("siginterrupt(%d, 1)", s));
        CALL_I(siginterrupt(s, 0), T("siginterrupt(%d, 0)", s));
        sigset_t set;
        sigemptyset(&set);
        CALL_I(sigaddset(&set, s), T("sigaddset(%d)", s));
        if (s == 0 || s > 64) /* invalid ones only: a valid one is at SIG_DFL here */
            CALL_I(sigqueue(getpid(), s, (union sigval){.sival_int = 1}), T("sigqueue(self, %d)", s));
        query("after", s);
        if (s >= 1 && s <= 64 && s != SIGKILL && s != SIGSTOP && s != 32 && s != 33) {
            do_sigaction(s, (void *)SIG_DFL, 0, NULL, 0);
            sigset_t u;
            sigemptyset(&u);
            sigaddset(&u, s);
            sigprocmask(SIG_UNBLOCK, &u, NULL);
        }
    }
#undef T
}

static void payloads(void)
{
    printf("== sigqueue payloads\n");
    int s = SIGRTMIN + 3;
    do_sigaction(s, (void *)h_info_a, SA_SIGINFO, NULL, 0);
    const int vals[] = {0, 1, -1, INT_MAX, INT_MIN, 0x5eed};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        CALL_I(sigqueue(getpid(), s, (union sigval){.sival_int = vals[i]}), "sigqueue");
        print_recs("payload");
    }
    /* queued while blocked: all of them, in order */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int v = 1; v <= 5; v++)
        sigqueue(getpid(), s, (union sigval){.sival_int = v * 11});
    sigset_t p;
    sigpending(&p);
    printf("  pending=%d\n", sigismember(&p, s));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_recs("rt queue");
    /* a standard signal is not queued twice */
    do_sigaction(SIGUSR1, (void *)h_info_a, SA_SIGINFO, NULL, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int v = 1; v <= 3; v++)
        sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = v});
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_recs("standard");
    /* a pointer payload */
    uintptr_t got_ptr;
    sigemptyset(&set);
    sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigqueue(getpid(), s, (union sigval){.sival_ptr = (void *)0x123456789abcull});
    siginfo_t si;
    memset(&si, 0, sizeof si);
    errno = MARK;
    int r = sigwaitinfo(&set, &si);
    got_ptr = (uintptr_t)si.si_value.sival_ptr;
    printf("sigwaitinfo = %d errno=%d code=%d ptr=%#llx self=%d\n", r, errno, si.si_code,
           (unsigned long long)got_ptr, si.si_pid == getpid());
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    do_sigaction(s, (void *)SIG_DFL, 0, NULL, 0);
    do_sigaction(SIGUSR1, (void *)SIG_DFL, 0, NULL, 0);
}

static void waits(void)
{
    printf("== waits\n");
    int s = SIGRTMIN + 4;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, s);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    siginfo_t si;
    struct timespec zero = {0, 0}, small = {0, 10 * 1000 * 1000}, bad = {0, 2000000000L};
    int r, e;

    sigqueue(getpid(), s, (union sigval){.sival_int = 9});
    memset(&si, 0, sizeof si);
    errno = MARK;
    r = sigwaitinfo(&set, &si);
    e = errno;
    printf("sigwaitinfo = %d errno=%d signo=%d code=%d val=%d\n", r, e, si.si_signo, si.si_code,
           si.si_value.sival_int);

    raise(SIGUSR2);
    memset(&si, 0, sizeof si);
    errno = MARK;
    r = sigtimedwait(&set, &si, &small);
    e = errno;
    printf("sigtimedwait(raise) = %d errno=%d signo=%d code=%d self=%d\n", r, e, si.si_signo, si.si_code,
           si.si_pid == getpid());

    kill(getpid(), SIGUSR2);
    memset(&si, 0, sizeof si);
    errno = MARK;
    r = sigtimedwait(&set, &si, &zero);
    e = errno;
    printf("sigtimedwait(kill) = %d errno=%d signo=%d code=%d\n", r, e, si.si_signo, si.si_code);

    errno = MARK;
    r = sigtimedwait(&set, &si, &zero);
    e = errno;
    printf("sigtimedwait(nothing, 0) = %d errno=%d\n", r, e);
    errno = MARK;
    r = sigtimedwait(&set, &si, &small);
    e = errno;
    printf("sigtimedwait(nothing, 10 ms) = %d errno=%d\n", r, e);
    errno = MARK;
    r = sigtimedwait(&set, &si, &bad);
    e = errno;
    printf("sigtimedwait(bad timeout) = %d errno=%d\n", r, e);
    sigqueue(getpid(), s, (union sigval){.sival_int = 3});
    errno = MARK;
    r = sigtimedwait(&set, NULL, &zero);
    e = errno;
    printf("sigtimedwait(info NULL) = %d errno=%d\n", r, e);
    sigqueue(getpid(), s, (union sigval){.sival_int = 4});
    errno = MARK;
    r = sigwaitinfo(&set, NULL);
    e = errno;
    printf("sigwaitinfo(info NULL) = %d errno=%d\n", r, e);
    sigqueue(getpid(), s, (union sigval){.sival_int = 5});
    int got = -7;
    errno = MARK;
    r = sigwait(&set, &got);
    e = errno;
    printf("sigwait = %d errno=%d sig=%d\n", r, e, got);
    /* two RT instances and a standard one: lowest number first, RT in order */
    sigqueue(getpid(), s, (union sigval){.sival_int = 1});
    sigqueue(getpid(), s, (union sigval){.sival_int = 2});
    kill(getpid(), SIGUSR2);
    for (int i = 0; i < 3; i++) {
        memset(&si, 0, sizeof si);
        errno = MARK;
        r = sigtimedwait(&set, &si, &zero);
        e = errno;
        printf("sigtimedwait #%d = %d errno=%d code=%d val=%d\n", i, r, e, si.si_code,
               si.si_code == SI_QUEUE ? si.si_value.sival_int : 0);
    }
    sigset_t empty;
    sigemptyset(&empty);
    errno = MARK;
    r = sigtimedwait(&empty, &si, &zero);
    e = errno;
    printf("sigtimedwait(empty set) = %d errno=%d\n", r, e);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void altstack(void)
{
    printf("== sigaltstack\n");
    stack_t ss, old;
    memset(&old, 0x5a, sizeof old);
    errno = MARK;
    int r = sigaltstack(NULL, &old);
    printf("sigaltstack(NULL, &old) = %d errno=%d flags=%#x size=%zu sp_null=%d\n", r, errno,
           (unsigned)old.ss_flags, old.ss_size, old.ss_sp == NULL);
    ss = (stack_t){.ss_sp = altbuf, .ss_size = 1, .ss_flags = 0};
    CALL_I(sigaltstack(&ss, NULL), "sigaltstack(size 1)");
    ss = (stack_t){.ss_sp = altbuf, .ss_size = sizeof altbuf, .ss_flags = 0x1234};
    CALL_I(sigaltstack(&ss, NULL), "sigaltstack(bad flags)");
    ss = (stack_t){.ss_sp = altbuf, .ss_size = sizeof altbuf, .ss_flags = 0};
    CALL_I(sigaltstack(&ss, NULL), "sigaltstack(set)");
    memset(&old, 0x5a, sizeof old);
    r = sigaltstack(NULL, &old);
    printf("  query = %d flags=%#x size_ok=%d sp_ok=%d\n", r, (unsigned)old.ss_flags,
           old.ss_size == sizeof altbuf, old.ss_sp == altbuf);
    int s = SIGUSR1;
    do_sigaction(s, (void *)h_a, SA_ONSTACK, NULL, 0);
    raise(s);
    print_recs("SA_ONSTACK");
    do_sigaction(s, (void *)h_info_a, SA_ONSTACK | SA_SIGINFO | SA_NODEFER, NULL, 0);
    raise(s);
    print_recs("SA_ONSTACK|SA_SIGINFO");
    do_sigaction(s, (void *)h_a, 0, NULL, 0);
    raise(s);
    print_recs("no SA_ONSTACK");
    CALL_H(signal(s, h_b), "signal(SIGUSR1, h_b)");
    raise(s);
    print_recs("signal()");
    ss = (stack_t){.ss_sp = altbuf, .ss_size = sizeof altbuf, .ss_flags = SS_AUTODISARM};
    CALL_I(sigaltstack(&ss, NULL), "sigaltstack(SS_AUTODISARM)");
    r = sigaltstack(NULL, &old);
    printf("  query = %d flags=%#x\n", r, (unsigned)old.ss_flags);
    do_sigaction(s, (void *)h_a, SA_ONSTACK, NULL, 0);
    raise(s);
    print_recs("SA_ONSTACK autodisarm");
    ss = (stack_t){.ss_flags = SS_DISABLE};
    CALL_I(sigaltstack(&ss, NULL), "sigaltstack(SS_DISABLE)");
    r = sigaltstack(NULL, &old);
    printf("  query = %d flags=%#x size=%zu\n", r, (unsigned)old.ss_flags, old.ss_size);
    raise(s);
    print_recs("SA_ONSTACK, no stack");
    do_sigaction(s, (void *)SIG_DFL, 0, NULL, 0);
}

/* ---- SA_RESTART on a read blocked in the main thread ------------------- */

static pid_t main_tid;
static int rpipe[2];
static int restart_sig;

static int in_read(pid_t tid)
{
    char p[64], buf[64], want[16];
    snprintf(p, sizeof p, "/proc/self/task/%d/syscall", (int)tid);
    snprintf(want, sizeof want, "%d ", SYS_read);
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strncmp(buf, want, strlen(want)) == 0;
}

static void *poker(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (int i = 0; i < 3000 && !in_read(main_tid); i++)
        usleep(1000);
    syscall(SYS_tgkill, getpid(), main_tid, restart_sig);
    usleep(100000);
    if (write(rpipe[1], "x", 1) != 1)
        abort();
    return NULL;
}

static void restart_case(const char *what)
{
    pthread_t t;
    rec_n = 0;
    pthread_create(&t, NULL, poker, NULL);
    char c;
    errno = MARK;
    ssize_t r = read(rpipe[0], &c, 1);
    int e = errno;
    pthread_join(t, NULL);
    printf("%s: read = %zd errno=%d deliveries=%d\n", what, r, e, rec_n);
    if (r < 0 && read(rpipe[0], &c, 1) != 1)
        abort();
    rec_n = 0;
}

static void restart(void)
{
    printf("== SA_RESTART on a blocked read\n");
    main_tid = gettid();
    if (pipe(rpipe) < 0)
        abort();
    restart_sig = SIGUSR1;
    do_sigaction(restart_sig, (void *)h_a, SA_RESTART, NULL, 0);
    restart_case("sigaction SA_RESTART");
    do_sigaction(restart_sig, (void *)h_info_a, SA_SIGINFO, NULL, 0);
    restart_case("sigaction 0");
    signal(restart_sig, h_a);
    restart_case("signal()");
    siginterrupt(restart_sig, 1);
    restart_case("siginterrupt 1");
    signal(restart_sig, h_b);
    restart_case("signal() after siginterrupt 1");
    siginterrupt(restart_sig, 0);
    restart_case("siginterrupt 0");
    sysv_signal(restart_sig, h_a);
    restart_case("sysv_signal()");
    query("after", restart_sig);
    sigset(restart_sig, h_b);
    restart_case("sigset()");
    bsd_signal(restart_sig, h_a);
    restart_case("bsd_signal()");
    restart_sig = SIGRTMIN + 5;
    do_sigaction(restart_sig, (void *)h_a, SA_RESTART | SA_NODEFER, NULL, 0);
    restart_case("RT sigaction SA_RESTART");
    do_sigaction(restart_sig, (void *)h_a, SA_RESETHAND, NULL, 0);
    restart_case("RT sigaction SA_RESETHAND");
    query("after", restart_sig);
    signal(SIGUSR1, SIG_DFL);
}

static int whoami(void)
{
    Dl_info info;
    void *p = dlsym(RTLD_DEFAULT, "sysv_signal");
    if (!p || !dladdr(p, &info) || !info.dli_fname)
        return 1;
    printf("%s\n", info.dli_fname);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--whoami") == 0)
        return whoami();
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    initial();
    flag_matrix();
    delivery();
    signal_family();
    invalid();
    payloads();
    waits();
    altstack();
    restart();
    printf("== end\n");
    return 0;
}
