/* oracle - the transparency oracle's scenario program (tests/oracle/README.md).
 *
 *   oracle --seed N [--features LIST]             run scenario N, print its transcript
 *   oracle --seed N [--features LIST] --describe  print the scenario, do not run it
 *   oracle --list-features                        the feature names, one a line
 *   oracle --helper                               (internal) the second process
 *   oracle --report WFD K                         (internal) the exec'd/spawned helper
 *
 * From a seed it generates a WELL-BEHAVED program: no notify descriptor is
 * ever closed or replaced while its registration is live, so every
 * notification must reach the program exactly as the kernel sends it, with
 * or without the shim.  tests/oracle/run runs each seed natively and under
 * the shim and compares the transcripts byte for byte.
 *
 * What is printed must not depend on the run: descriptor numbers become
 * logical names, pids and addresses are never printed, and every thread
 * records its own sequence (threads run concurrently, so only the
 * interleaving ACROSS threads is free; each thread's sequence is fixed:
 * its notification signals are unblocked in that thread alone, only inside
 * its waits, and each wait is for events already triggered).  The
 * transcript prints thread after thread.
 *
 * Limits: every wait ends after WAIT_MS (a missing notification prints as
 * "notes N of M"), alarm() ends a stuck run, the helper ends when its
 * command pipe closes, files live in one directory removed at the end. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_THREADS 4
#define MAX_EPS 12
#define MAX_NOTES 64
#define FDLIMIT 64 /* RLIMIT_NOFILE of an fdlimit plan */
#define WAIT_MS 1500 /* per expected notification set; times lst-style slow factor */

/* ---- features ------------------------------------------------------------ */

#define FEATURES(X)                                                              \
    X(threads, "2-4 worker threads (else 1)")                                    \
    X(lease, "read/write leases broken by the helper process")                   \
    X(dnotify, "F_NOTIFY on a directory, files created by the helper")           \
    X(fioasync, "ioctl(FIOASYNC) on pipes and sockets")                          \
    X(pipe, "O_ASYNC on pipes")                                                  \
    X(socket, "O_ASYNC on socketpairs (stream and datagram)")                    \
    X(pty, "O_ASYNC on a pty master (posix_openpt)")                             \
    X(sigio, "SIGIO as the notification signal (F_SETSIG SIGIO, or none)")       \
    X(ownertid, "F_SETOWN_EX F_OWNER_TID to the waiting thread")                 \
    X(handler, "SA_SIGINFO handlers that return")                                \
    X(longjmp, "handlers that siglongjmp to the thread's wait loop")             \
    X(nodefer, "SA_NODEFER handlers that nest (the handler triggers again)")     \
    X(altstack, "SA_ONSTACK handlers on a sigaltstack")                          \
    X(sigwait, "sigwaitinfo/sigtimedwait with the signal blocked")               \
    X(sigsuspend, "waits in sigsuspend")                                         \
    X(ppoll, "waits in ppoll with a signal mask")                                \
    X(epoll, "waits in epoll_pwait with a signal mask")                          \
    X(answer, "a lease break answered inside the handler")                       \
    X(dup, "dup/dup2/dup3/F_DUPFD/close_range of other descriptors and aliases") \
    X(tkill, "pthread_sigqueue/tgkill of the same signal to the waiting thread") \
    X(shared, "threads share two signal numbers (every owner F_OWNER_TID)")      \
    X(regclose, "a second lease on the same signal, closed while live (no alias)") \
    X(fdlimit, "one thread, registrations made at the descriptor limit")         \
    X(mainexit, "the main thread leaves with pthread_exit, the others run on")   \
    X(pselect, "waits in pselect with a signal mask")                            \
    X(sigwaitplain, "sigwait (no siginfo) with the signal blocked")              \
    X(onearg, "one-argument handlers (signal(), or sigaction without SA_SIGINFO)") \
    X(resethand, "SA_RESETHAND handlers: the disposition after the one shot")    \
    X(system, "system() in the middle of an episode: status, mask after")        \
    X(execself, "at the end the program execs itself with a live lease and O_ASYNC") \
    X(sigqueue, "sigqueue of the same signal to the process")                   \
    X(downgrade, "a write lease broken by a reader answered by F_RDLCK first")   \
    X(late, "the noise comes after the events are queued, before the wait")     \
    X(linger, "after its notifications a wait goes on 30 ms (extras, strays)")  \
    X(fork, "a forked child triggers the events, closes everything, exits")      \
    X(exec, "a fork+exec'd helper reports mask and dispositions, triggers")      \
    X(spawn, "posix_spawn with SETSIGMASK/SETSIGDEF of that helper")

enum {
#define X(n, d) F_##n,
    FEATURES(X)
#undef X
        F_COUNT
};
static const char *feature_name[] = {
#define X(n, d) #n,
    FEATURES(X)
#undef X
};
static const char *feature_doc[] = {
#define X(n, d) d,
    FEATURES(X)
#undef X
};
static int feat[F_COUNT];

/* ---- the plan ------------------------------------------------------------ */

enum kind { K_LEASE_RD, K_LEASE_WR, K_DNOTIFY, K_PIPE, K_SOCK, K_DGRAM, K_PTY, K_FIO_PIPE, K_FIO_SOCK, K_NKINDS };
static const char *kind_name[] = {"lease-rd", "lease-wr", "dnotify", "pipe", "socket", "dgram", "pty",
                                  "fioasync-pipe", "fioasync-socket"};
enum mode { M_RETURN, M_LONGJMP, M_NODEFER, M_SIGWAIT };
static const char *mode_name[] = {"return", "longjmp", "nodefer", "sigwait"};
enum wait { W_SIGSUSPEND, W_PPOLL, W_EPOLL, W_SIGWAITINFO, W_SIGTIMEDWAIT, W_PSELECT, W_SIGWAIT };
static const char *wait_name[] = {"sigsuspend", "ppoll", "epoll_pwait", "sigwaitinfo", "sigtimedwait", "pselect",
                                  "sigwait"};
enum sigsel { S_A, S_B, S_SIGIO, S_SIGIO0 };
static const char *sigsel_name[] = {"A", "B", "SIGIO(F_SETSIG)", "SIGIO(no F_SETSIG)"};
enum proc { P_SELF, P_FORK, P_EXEC, P_SPAWN };
static const char *proc_name[] = {"self", "fork", "exec", "spawn"};
enum noise { N_DUP, N_DUP2, N_DUPFD, N_ALIAS, N_ALIAS_DUP3, N_CLOSE_RANGE, N_REG_CLOSE, N_NNOISE };
static const char *noise_name[] = {"dup+close", "dup2 over other", "F_DUPFD_CLOEXEC+close", "alias dup+close",
                                   "alias dup3 over other+close", "close_range of others",
                                   "lease on the same signal, closed live"};

struct ep {
    int kind, mode, wait, sig, k, nest, altstack, tid, tkill, answer, cloexec, proc, breaker, atlimit;
    int onearg, resethand, system, sigqueue, downgrade, late, linger;
    int noise[3], nnoise;
    int spawn_setmask, spawn_setdef; /* bit i: our signal i (see sig_of_bit) */
};

struct plan {
    unsigned long long seed;
    int nthreads, sigio_thread, shared, fdlimit, mainexit, execself;
    int neps[MAX_THREADS];
    struct ep eps[MAX_THREADS][MAX_EPS];
};
static struct plan plan;

static unsigned long long rng_state;
static unsigned long long rnd64(void)
{
    unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static int rnd(int n) { return (int)(rnd64() % (unsigned long long)n); }

/* Pick one of the enabled choices: CH[i] is enabled when OK[i]; -1 if none. */
static int pick(const int *ok, int n)
{
    int cand[16], m = 0;
    for (int i = 0; i < n; i++)
        if (ok[i])
            cand[m++] = i;
    return m ? cand[rnd(m)] : -1;
}

static int is_stream_kind(int k) { return k == K_PIPE || k == K_SOCK || k == K_DGRAM || k == K_FIO_PIPE || k == K_FIO_SOCK; }

static void make_plan(unsigned long long seed)
{
    memset(&plan, 0, sizeof plan);
    plan.seed = seed;
    rng_state = seed * 0x2545f4914f6cdd1dULL + 1;
    plan.nthreads = feat[F_threads] ? 2 + rnd(3) : 1;
    /* at the descriptor limit: one thread, or the others' descriptors
     * would fail by chance */
    plan.fdlimit = feat[F_fdlimit] && rnd(4) == 0;
    if (plan.fdlimit)
        plan.nthreads = 1;
    plan.mainexit = feat[F_mainexit] && rnd(3) == 0;
    plan.execself = feat[F_execself] && rnd(2);
    plan.sigio_thread = feat[F_sigio] ? rnd(plan.nthreads) : -1;
    /* Shared signals: one disposition for all threads (set by main), so no
     * SA_NODEFER; every notification is directed at its thread. */
    plan.shared = feat[F_shared] && plan.nthreads > 1 && rnd(2);
    for (int t = 0; t < plan.nthreads; t++) {
        plan.neps[t] = 3 + rnd(MAX_EPS - 3);
        for (int e = 0; e < plan.neps[t]; e++) {
            struct ep *p = &plan.eps[t][e];
            int kok[K_NKINDS] = {feat[F_lease], feat[F_lease], feat[F_dnotify], feat[F_pipe], feat[F_socket],
                                 feat[F_socket], feat[F_pty], feat[F_fioasync], feat[F_fioasync]};
            p->kind = pick(kok, K_NKINDS);
            int self_trig = is_stream_kind(p->kind);
            int pok[4] = {1, self_trig && feat[F_fork], self_trig && feat[F_exec], self_trig && feat[F_spawn]};
            p->proc = rnd(3) ? P_SELF : pick(pok, 4);
            int mok[4] = {feat[F_handler], feat[F_longjmp],
                          feat[F_nodefer] && self_trig && p->proc == P_SELF && !plan.shared,
                          feat[F_sigwait]};
            p->mode = pick(mok, 4);
            if (p->mode == M_SIGWAIT) {
                int wok[7] = {0, 0, 0, 1, 1, 0, feat[F_sigwaitplain]};
                p->wait = pick(wok, 7);
            } else {
                int wok[7] = {feat[F_sigsuspend], feat[F_ppoll], feat[F_epoll], 0, 0, feat[F_pselect], 0};
                p->wait = pick(wok, 7);
            }
            int sok[4] = {1, 1, t == plan.sigio_thread && p->mode != M_NODEFER,
                          t == plan.sigio_thread && p->mode != M_NODEFER && p->kind != K_DNOTIFY};
            p->sig = pick(sok, 4);
            int coalescing = p->sig >= S_SIGIO;
            p->k = (coalescing || p->kind == K_LEASE_RD || p->kind == K_LEASE_WR || p->mode == M_NODEFER) ? 1
                                                                                                     : 1 + rnd(3);
            p->nest = p->mode == M_NODEFER ? 1 + rnd(12) : 0;
            p->altstack = feat[F_altstack] && p->mode != M_SIGWAIT && (plan.shared || rnd(2));
            p->tid = (feat[F_ownertid] && rnd(2)) || plan.shared;
            p->tkill = feat[F_tkill] && !coalescing && rnd(3) == 0 ? 1 + rnd(2) : 0;
            p->answer = feat[F_answer] && p->mode == M_RETURN && (p->kind == K_LEASE_RD || p->kind == K_LEASE_WR) &&
                        rnd(2);
            p->cloexec = rnd(2);
            p->atlimit = plan.fdlimit && rnd(2);
            /* (each new draw only when its feature is on: a seed keeps its
             * scenario under the feature lists that were there before) */
            p->onearg = feat[F_onearg] && (p->mode == M_RETURN || p->mode == M_LONGJMP) && !plan.shared &&
                        !p->answer && rnd(2);
            p->resethand = feat[F_resethand] && p->mode == M_RETURN && !plan.shared && p->k == 1 && !p->tkill &&
                           rnd(2);
            p->system = feat[F_system] && rnd(4) == 0;
            /* process-directed: only one thread may have the signal */
            /* (not with the pty: its notification arrives later, and the
             * two would share the process queue in either order; not with
             * SA_RESETHAND's one shot) */
            p->sigqueue = feat[F_sigqueue] && !coalescing && !plan.shared && p->kind != K_PTY && !p->resethand &&
                          rnd(4) == 0;
            p->downgrade = feat[F_downgrade] && p->kind == K_LEASE_WR && p->breaker == 'R' && !p->answer && rnd(2);
            p->late = feat[F_late] && p->nnoise && rnd(2);
            p->linger = feat[F_linger] && rnd(2);
            p->breaker = p->kind == K_LEASE_WR && rnd(2) ? 'R' : 'W';
            p->nnoise = feat[F_dup] ? rnd(4) : 0;
            for (int i = 0; i < p->nnoise; i++) {
                p->noise[i] = rnd(N_NNOISE);
                if (p->noise[i] == N_REG_CLOSE && (!feat[F_regclose] || p->sig >= S_SIGIO))
                    p->noise[i] = N_DUP;
            }
            if (p->proc == P_SPAWN) {
                p->spawn_setmask = rnd(2) ? 1 + rnd(1023) : 0;
                p->spawn_setdef = rnd(2) ? 1 + rnd(1023) : 0;
            }
        }
    }
}

/* ---- signals ------------------------------------------------------------- */

static int sig_a(int t) { return SIGRTMIN + 2 + 2 * (plan.shared ? 0 : t); }
static int sig_b(int t) { return SIGRTMIN + 3 + 2 * (plan.shared ? 0 : t); }
#define SIG_WAKE (SIGRTMAX) /* the per-thread timer that ends a wait */

static int ep_signal(int t, const struct ep *p)
{
    switch (p->sig) {
    case S_A: return sig_a(t);
    case S_B: return sig_b(t);
    default: return SIGIO;
    }
}

/* Bit I of a spawn mask: our signal I (0..9: A/B of threads 0-3, SIGIO, SIGUSR2). */
static int sig_of_bit(int i)
{
    if (i < 8)
        return i % 2 ? sig_b(i / 2) : sig_a(i / 2);
    return i == 8 ? SIGIO : SIGUSR2;
}

static void our_signals(sigset_t *s)
{
    sigemptyset(s);
    for (int t = 0; t < MAX_THREADS; t++) {
        sigaddset(s, sig_a(t));
        sigaddset(s, sig_b(t));
    }
    sigaddset(s, SIGIO);
    sigaddset(s, SIG_WAKE);
}

static const char *signame(int sig, char *buf)
{
    if (sig == SIGIO)
        return "SIGIO";
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        sprintf(buf, "RTMIN+%d", sig - SIGRTMIN);
    else
        sprintf(buf, "sig%d", sig);
    return buf;
}

static const char *codename(int code, char *buf)
{
    switch (code) {
    case POLL_IN: return "POLL_IN";
    case POLL_OUT: return "POLL_OUT";
    case POLL_MSG: return "POLL_MSG";
    case POLL_ERR: return "POLL_ERR";
    case POLL_PRI: return "POLL_PRI";
    case POLL_HUP: return "POLL_HUP";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case -1000: return "no-siginfo";
    }
    sprintf(buf, "code%d", code);
    return buf;
}

static int slow = 1;

/* ---- names of descriptors ------------------------------------------------ */

/* fd -> logical name, written by the owning thread before a registration,
 * read by handlers (lock-free). */
#define NAME_FDS 4096
static _Atomic int fd_name[NAME_FDS]; /* (t << 16 | e << 8 | role) + 1, 0 = unknown */

static void name_fd(int fd, int t, int e, int role)
{
    if (fd >= 0 && fd < NAME_FDS)
        fd_name[fd] = ((t << 16) | (e << 8) | role) + 1;
}
static void unname_fd(int fd)
{
    if (fd >= 0 && fd < NAME_FDS)
        fd_name[fd] = 0;
}

/* ---- per-thread state, what handlers record -------------------------------- */

struct note {
    int sig, code, name, band, depth, alt, val, how, answer_rc, answer_errno;
};

struct worker {
    int idx;
    pid_t tid;
    pthread_t th;
    char *out; /* the transcript of this thread */
    size_t len, cap;
    struct note notes[MAX_NOTES];
    volatile int nnotes, depth, jmp_armed;
    sigjmp_buf jb;
    int nest_max, trigger_fd, answer, cur_sig;
    char *alt;
    size_t altsize;
    timer_t timer;
    int epfd, scratch;
};
static struct worker workers[MAX_THREADS];
static __thread struct worker *me;
static _Atomic int stray; /* handler runs on a thread that is not a worker */
static char tmpdir[256];
static const char *self_exe;

static void emit(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct worker *w, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (w->len + (size_t)n + 2 > w->cap) {
        w->cap = (w->cap + (size_t)n + 2) * 2;
        w->out = realloc(w->out, w->cap);
        if (!w->out)
            abort();
    }
    memcpy(w->out + w->len, line, (size_t)n);
    w->len += (size_t)n;
    w->out[w->len++] = '\n';
    w->out[w->len] = 0;
}

/* "=0", "=fd", "=-1 EAGAIN": a call's result, without numbers that vary. */
static const char *res(long rc, int err, int is_fd, char *buf)
{
    if (rc < 0)
        sprintf(buf, "-1 %s", strerrorname_np(err) ? strerrorname_np(err) : "E?");
    else if (is_fd)
        strcpy(buf, "fd");
    else
        sprintf(buf, "%ld", rc);
    return buf;
}
#define CALL(w, what, expr)                                            \
    ({                                                                 \
        errno = 0;                                                     \
        long rc_ = (long)(expr);                                       \
        int e_ = errno;                                                \
        char b_[64];                                                   \
        emit(w, "  call %s = %s", what, res(rc_, e_, 0, b_));          \
        errno = e_;                                                    \
        rc_;                                                           \
    })
#define CALLFD(w, what, expr)                                          \
    ({                                                                 \
        errno = 0;                                                     \
        long rc_ = (long)(expr);                                       \
        int e_ = errno;                                                \
        char b_[64];                                                   \
        emit(w, "  call %s = %s", what, res(rc_, e_, 1, b_));          \
        errno = e_;                                                    \
        (int)rc_;                                                      \
    })

static void on_note(int sig, siginfo_t *si, void *uc)
{
    int saved = errno;
    struct worker *w = me;
    if (!w) {
        stray++;
        errno = saved;
        return;
    }
    int i = w->nnotes;
    if (i < MAX_NOTES) {
        struct note *n = &w->notes[i];
        volatile char here = 0;
        n->sig = sig;
        n->code = si->si_code;
        n->name = -1;
        n->band = 0;
        if (si->si_code >= POLL_IN && si->si_code <= POLL_HUP) {
            n->name = si->si_fd >= 0 && si->si_fd < NAME_FDS ? fd_name[si->si_fd] : -2;
            n->band = (int)si->si_band;
        }
        n->val = si->si_code == SI_QUEUE ? si->si_value.sival_int : 0;
        n->depth = w->depth;
        n->alt = w->alt && (uintptr_t)&here >= (uintptr_t)w->alt && (uintptr_t)&here < (uintptr_t)w->alt + w->altsize;
        n->how = 'h';
        n->answer_rc = n->answer_errno = 0;
        w->nnotes = i + 1;
        if (w->answer && si->si_code == POLL_MSG) {
            errno = 0;
            n->answer_rc = fcntl(si->si_fd, F_SETLEASE, F_UNLCK);
            n->answer_errno = errno;
            n->how = 'a';
        }
    } else {
        w->nnotes = i + 1;
    }
    if (w->depth < w->nest_max && w->trigger_fd >= 0) {
        w->depth++;
        ssize_t r = write(w->trigger_fd, "n", 1); /* nests here: SA_NODEFER */
        (void)r;
        w->depth--;
    }
    errno = saved;
    if (w->jmp_armed) {
        w->jmp_armed = 0;
        siglongjmp(w->jb, 1);
    }
}

#define NO_SIGINFO (-1000) /* code of a one-argument handler's or sigwait's note */

static void on_note1(int sig)
{
    int saved = errno;
    struct worker *w = me;
    if (!w) {
        stray++;
        errno = saved;
        return;
    }
    int i = w->nnotes;
    if (i < MAX_NOTES) {
        struct note *n = &w->notes[i];
        volatile char here = 0;
        memset(n, 0, sizeof *n);
        n->sig = sig;
        n->code = NO_SIGINFO;
        n->name = -1;
        n->depth = w->depth;
        n->alt = w->alt && (uintptr_t)&here >= (uintptr_t)w->alt && (uintptr_t)&here < (uintptr_t)w->alt + w->altsize;
        n->how = 'h';
    }
    w->nnotes = i + 1;
    errno = saved;
    if (w->jmp_armed) {
        w->jmp_armed = 0;
        siglongjmp(w->jb, 1);
    }
}

/* SIG_WAKE only has to interrupt the wait. */
static void on_wake(int sig)
{
    (void)sig;
}

static void print_notes(struct worker *w, int from, int to)
{
    for (int i = from; i < to && i < MAX_NOTES; i++) {
        struct note *n = &w->notes[i];
        char sb[32], cb[32], nb[48];
        if (n->name > 0)
            snprintf(nb, sizeof nb, " fd=t%d.e%d.%s", ((n->name - 1) >> 16) & 0xff, ((n->name - 1) >> 8) & 0xff,
                     ((n->name - 1) & 0xff) == 0 ? "notify" : "other");
        else if (n->name == 0 || n->name == -2)
            snprintf(nb, sizeof nb, " fd=UNKNOWN");
        else
            nb[0] = 0;
        char extra[96] = "";
        if (n->how == 'a')
            snprintf(extra, sizeof extra, " answered=%s", n->answer_rc < 0 ? strerrorname_np(n->answer_errno) : "0");
        if (n->code == SI_QUEUE)
            snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " value=%d", n->val);
        emit(w, "  note %s %s%s band=%#x depth=%d alt=%d via=%s%s", signame(n->sig, sb), codename(n->code, cb), nb,
             (unsigned)n->band, n->depth, n->alt, n->how == 'w' ? "wait" : "handler", extra);
    }
    if (to > MAX_NOTES)
        emit(w, "  notes beyond %d: %d", MAX_NOTES, to - MAX_NOTES);
}

/* ---- the helper process (second process) ----------------------------------- */

static int helper_in = -1, helper_out = -1;
static pid_t helper_pid;
static pthread_mutex_t helper_lock = PTHREAD_MUTEX_INITIALIZER;

static int read_line(int fd, char *buf, size_t n, int ms)
{
    size_t i = 0;
    while (i + 1 < n) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, ms);
        if (r <= 0)
            return -1;
        char c;
        if (read(fd, &c, 1) != 1)
            return -1;
        if (c == '\n')
            break;
        buf[i++] = c;
    }
    buf[i] = 0;
    return (int)i;
}

static int helper_main(void)
{
    /* It ends when its command pipe closes, which happens when the program
     * dies (not PR_SET_PDEATHSIG: that fires when the THREAD that forked
     * it leaves, and a mainexit plan's main thread leaves early). */
    alarm(120);
    char line[600];
    while (read_line(0, line, sizeof line, 120000) >= 0) {
        int fd = -1, err = 0;
        if (line[0] == 'Q')
            return 0;
        const char *path = line + 2;
        if (line[0] == 'W')
            fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        else if (line[0] == 'R')
            fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        else if (line[0] == 'C')
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        err = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
        char reply[64];
        int n = snprintf(reply, sizeof reply, "%s\n", err ? strerrorname_np(err) : "0");
        if (write(1, reply, (size_t)n) != n)
            return 1;
    }
    return 0;
}

static void helper_start(void)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
        abort();
    helper_pid = fork();
    if (helper_pid < 0)
        abort();
    if (helper_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execl(self_exe, self_exe, "--helper", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    helper_in = in[1];
    helper_out = out[0];
}

/* Ask the helper to open PATH ('W' for writing, 'R' for reading, 'C' to
 * create it); its errno name, or "NOREPLY". */
static void helper_ask(char op, const char *path, char *reply, size_t n)
{
    char cmd[600];
    int len = snprintf(cmd, sizeof cmd, "%c %s\n", op, path);
    pthread_mutex_lock(&helper_lock);
    if (write(helper_in, cmd, (size_t)len) != len || read_line(helper_out, reply, n, 5000 * slow) < 0)
        snprintf(reply, n, "NOREPLY");
    pthread_mutex_unlock(&helper_lock);
}

/* ---- the report helper (exec'd, spawned) ------------------------------------ */

static int report_main(int wfd, int k)
{
    sigset_t m;
    char mask[66], disp[66];
    sigprocmask(SIG_BLOCK, NULL, &m);
    for (int s = 1; s <= 64; s++) {
        struct sigaction sa;
        mask[s - 1] = s > SIGRTMAX ? '-' : sigismember(&m, s) ? 'B' : '.';
        /* SIGINT and SIGQUIT: system() in another thread of the parent
         * ignores them for a moment, process-wide (not compared) */
        if (s == 32 || s == 33 || s > SIGRTMAX || s == SIGINT || s == SIGQUIT || sigaction(s, NULL, &sa) != 0)
            disp[s - 1] = '-';
        else
            disp[s - 1] = sa.sa_handler == SIG_DFL ? 'D' : sa.sa_handler == SIG_IGN ? 'I' : 'H';
    }
    mask[64] = disp[64] = 0;
    int env = 0;
    for (char **e = environ; *e; e++)
        env += strncmp(*e, "LEASE_SHIM", 10) == 0;
    printf("mask %s\ndisp %s\nLEASE_SHIM* in environ: %d\n", mask, disp, env);
    fflush(stdout);
    for (int i = 0; i < k; i++)
        if (write(wfd, "x", 1) != 1)
            return 2;
    return 0;
}

/* ---- waiting --------------------------------------------------------------- */

static void arm_timer(struct worker *w, int ms)
{
    struct itimerspec its = {{0, 0}, {ms / 1000, (ms % 1000) * 1000000L}};
    timer_settime(w->timer, 0, &its, NULL);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Take off a wake-up left pending by a timer that fired late. */
static void flush_wake(void)
{
    sigset_t s;
    siginfo_t si;
    struct timespec zero = {0, 0};
    sigemptyset(&s);
    sigaddset(&s, SIG_WAKE);
    while (sigtimedwait(&s, &si, &zero) == SIG_WAKE)
        ;
}

/* Wait until the worker has WANT notifications (of signal SIG), or the time
 * is up.  Outside this function the thread keeps SIG blocked. */
static void wait_notes(struct worker *w, const struct ep *p, int sig, int want)
{
    sigset_t blocked, open_mask, set;
    pthread_sigmask(SIG_BLOCK, NULL, &blocked);
    open_mask = blocked;
    sigdelset(&open_mask, sig);
    sigdelset(&open_mask, SIG_WAKE);
    long deadline = now_ms() + (long)WAIT_MS * slow;
    flush_wake();
    while (w->nnotes < want && now_ms() < deadline) {
        int left = (int)(deadline - now_ms());
        if (left <= 0)
            break;
        if (p->mode == M_SIGWAIT) {
            siginfo_t si;
            int r;
            sigemptyset(&set);
            sigaddset(&set, sig);
            memset(&si, 0, sizeof si);
            if (p->wait == W_SIGWAITINFO) {
                sigaddset(&set, SIG_WAKE);
                arm_timer(w, left);
                r = sigwaitinfo(&set, &si);
                arm_timer(w, 0);
                if (r == SIG_WAKE)
                    break;
            } else if (p->wait == W_SIGWAIT) {
                int got_sig = 0;
                sigaddset(&set, SIG_WAKE);
                arm_timer(w, left);
                r = sigwait(&set, &got_sig) == 0 ? got_sig : -1;
                arm_timer(w, 0);
                if (r == SIG_WAKE)
                    break;
                si.si_code = NO_SIGINFO;
            } else {
                struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
                r = sigtimedwait(&set, &si, &ts);
            }
            if (r == sig && w->nnotes < MAX_NOTES) {
                struct note *n = &w->notes[w->nnotes];
                memset(n, 0, sizeof *n);
                n->sig = r;
                n->code = si.si_code;
                n->name = -1;
                if (si.si_code >= POLL_IN && si.si_code <= POLL_HUP) {
                    n->name = si.si_fd >= 0 && si.si_fd < NAME_FDS ? fd_name[si.si_fd] : -2;
                    n->band = (int)si.si_band;
                }
                n->val = si.si_code == SI_QUEUE ? si.si_value.sival_int : 0;
                n->how = 'w';
                w->nnotes++;
            }
            continue;
        }
        if (p->mode == M_LONGJMP) {
            if (sigsetjmp(w->jb, 1) != 0)
                continue; /* a handler left by siglongjmp; the mask is back */
            w->jmp_armed = 1;
        }
        switch (p->wait) {
        case W_SIGSUSPEND:
            arm_timer(w, left);
            sigsuspend(&open_mask);
            arm_timer(w, 0);
            break;
        case W_PPOLL: {
            struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
            ppoll(NULL, 0, &ts, &open_mask);
            break;
        }
        case W_PSELECT: {
            struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
            pselect(0, NULL, NULL, NULL, &ts, &open_mask);
            break;
        }
        default: {
            struct epoll_event ev;
            epoll_pwait(w->epfd, &ev, 1, left, &open_mask);
            break;
        }
        }
        w->jmp_armed = 0;
    }
    w->jmp_armed = 0;
    if (p->linger && w->nnotes >= want) {
        /* a notification too many, or another thread's, shows up here */
        struct timespec ts = {0, 30 * 1000000L * slow};
        if (p->mode == M_SIGWAIT) {
            siginfo_t si;
            sigemptyset(&set);
            sigaddset(&set, sig);
            if (sigtimedwait(&set, &si, &ts) == sig && w->nnotes < MAX_NOTES) {
                struct note *n = &w->notes[w->nnotes];
                memset(n, 0, sizeof *n);
                n->sig = sig;
                n->code = si.si_code;
                n->name = -1;
                n->how = 'w';
                w->nnotes++;
            }
        } else if (p->mode != M_LONGJMP) {
            ppoll(NULL, 0, &ts, &open_mask);
        }
    }
}

/* ---- one episode ------------------------------------------------------------- */

static const char *lease_name(int t) { return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?"; }

static void noise(struct worker *w, const struct ep *p, int notify)
{
    for (int i = 0; i < p->nnoise; i++) {
        int d, a;
        switch (p->noise[i]) {
        case N_DUP:
            d = CALLFD(w, "dup(other)", dup(w->scratch));
            if (d >= 0)
                CALL(w, "close(dup of other)", close(d));
            break;
        case N_DUP2:
            d = CALLFD(w, "dup(other)", dup(w->scratch));
            if (d >= 0) {
                CALLFD(w, "dup2(other, dup of other)", dup2(w->scratch, d));
                CALL(w, "close(dup of other)", close(d));
            }
            break;
        case N_DUPFD:
            d = CALLFD(w, "F_DUPFD_CLOEXEC(other, 200)", fcntl(w->scratch, F_DUPFD_CLOEXEC, 200 + 20 * w->idx));
            if (d >= 0)
                CALL(w, "close(that)", close(d));
            break;
        case N_ALIAS:
            a = CALLFD(w, "dup(notify)", dup(notify));
            if (a >= 0)
                CALL(w, "close(alias)", close(a));
            break;
        case N_ALIAS_DUP3:
            a = CALLFD(w, "F_DUPFD(notify, 0)", fcntl(notify, F_DUPFD, 0));
            d = CALLFD(w, "dup(other)", dup(w->scratch));
            if (a >= 0 && d >= 0) {
                CALLFD(w, "dup3(alias, other dup, O_CLOEXEC)", dup3(a, d, O_CLOEXEC));
                CALL(w, "close(alias)", close(a));
                CALL(w, "close(other dup)", close(d));
            }
            break;
        case N_REG_CLOSE: {
            /* a lease nobody else can reach, closed live: the kernel drops
             * it with the last reference, nothing can be notified for it */
            char path[400];
            snprintf(path, sizeof path, "%s/t%d.scratch", tmpdir, w->idx);
            d = CALLFD(w, "open(scratch file)", open(path, O_RDONLY | O_CLOEXEC));
            if (d >= 0) {
                CALL(w, "F_SETSIG(scratch, same signal)", fcntl(d, F_SETSIG, w->cur_sig));
                CALL(w, "F_SETLEASE(scratch, F_RDLCK)", fcntl(d, F_SETLEASE, F_RDLCK));
                CALL(w, "close(scratch, lease live)", close(d));
            }
            break;
        }
        case N_CLOSE_RANGE: {
            /* numbers of this thread's own (400 + 20 * thread): no other
             * thread takes them, so the result does not depend on timing */
            int base = 400 + 20 * w->idx;
            CALLFD(w, "dup2(other, base)", dup2(w->scratch, base));
            CALLFD(w, "dup2(other, base + 1)", dup2(w->scratch, base + 1));
            CALL(w, "close_range(base, base + 1)", close_range((unsigned)base, (unsigned)base + 1, 0));
            break;
        }
        }
    }
}

/* Run a child that writes K bytes into WFD: forked, fork+exec'd or spawned.
 * The exec'd and spawned ones are this program's --report. */
static void run_child(struct worker *w, const struct ep *p, int wfd, int k)
{
    int rp[2] = {-1, -1};
    pid_t pid = -1;
    char wfd_s[16], k_s[16];
    snprintf(wfd_s, sizeof wfd_s, "%d", wfd);
    snprintf(k_s, sizeof k_s, "%d", k);
    if (p->proc != P_FORK && pipe2(rp, O_CLOEXEC) != 0) {
        emit(w, "  child: pipe failed");
        return;
    }
    if (p->proc == P_FORK || p->proc == P_EXEC) {
        pid = fork();
        if (pid == 0) {
            if (p->proc == P_FORK) {
                for (int i = 0; i < k; i++)
                    if (write(wfd, "f", 1) != 1)
                        _exit(2);
                for (int fd = 3; fd < 1024; fd++) /* well-behaved: the parent keeps its copies */
                    close(fd);
                _exit(0);
            }
            dup2(rp[1], 1);
            execl(self_exe, self_exe, "--report", wfd_s, k_s, (char *)NULL);
            _exit(127);
        }
        emit(w, "  call %s = %s", p->proc == P_FORK ? "fork" : "fork+execl(report)", pid < 0 ? "-1" : "ok");
    } else {
        posix_spawnattr_t at;
        posix_spawn_file_actions_t fa;
        posix_spawnattr_init(&at);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, rp[1], 1);
        short flags = 0;
        sigset_t s;
        if (p->spawn_setmask) {
            sigemptyset(&s);
            for (int i = 0; i < 10; i++)
                if (p->spawn_setmask & (1 << i))
                    sigaddset(&s, sig_of_bit(i));
            posix_spawnattr_setsigmask(&at, &s);
            flags |= POSIX_SPAWN_SETSIGMASK;
        }
        if (p->spawn_setdef) {
            sigemptyset(&s);
            for (int i = 0; i < 10; i++)
                if (p->spawn_setdef & (1 << i))
                    sigaddset(&s, sig_of_bit(i));
            posix_spawnattr_setsigdefault(&at, &s);
            flags |= POSIX_SPAWN_SETSIGDEF;
        }
        posix_spawnattr_setflags(&at, flags);
        char *argv[] = {(char *)self_exe, "--report", wfd_s, k_s, NULL};
        int r = posix_spawn(&pid, self_exe, &fa, &at, argv, environ);
        emit(w, "  call posix_spawn(report, mask %#x, sigdef %#x) = %s", p->spawn_setmask, p->spawn_setdef,
             r ? strerrorname_np(r) : "0");
        if (r)
            pid = -1;
        posix_spawnattr_destroy(&at);
        posix_spawn_file_actions_destroy(&fa);
    }
    if (rp[1] >= 0)
        close(rp[1]);
    if (rp[0] >= 0) {
        int got = 0;
        for (;;) {
            char line[300];
            if (read_line(rp[0], line, sizeof line, 5000 * slow) <= 0)
                break;
            emit(w, "  report %s", line);
            got++;
        }
        if (!got)
            emit(w, "  report: nothing");
        close(rp[0]);
    }
    if (pid > 0) {
        int st = 0;
        long end = now_ms() + 5000L * slow;
        pid_t r;
        while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() < end)
            usleep(1000);
        if (r == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            emit(w, "  child: timed out");
        } else {
            emit(w, "  child: %s %d", WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        }
    }
}

static void drain(struct worker *w, int fd, const char *what)
{
    char buf[256];
    long total = 0;
    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLIN))
            break;
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0)
            break;
        total += r;
    }
    emit(w, "  drained %s: %ld bytes", what, total);
}

static void episode(struct worker *w, int e, const struct ep *p)
{
    int t = w->idx, sig = ep_signal(t, p);
    int notify = -1, trig = -1;
    char path[400], b[32];
    int cx = p->cloexec ? O_CLOEXEC : 0;
    w->cur_sig = sig;
    emit(w, "e%d %s sig=%s(%s) mode=%s wait=%s k=%d nest=%d alt=%d tid=%d tkill=%d answer=%d proc=%s%s", e,
         kind_name[p->kind], sigsel_name[p->sig], signame(sig, b), mode_name[p->mode], wait_name[p->wait], p->k,
         p->nest, p->altstack, p->tid, p->tkill, p->answer, proc_name[p->proc], p->atlimit ? " at-limit" : "");

    /* disposition for this episode */
    if (p->mode != M_SIGWAIT && !(plan.shared && sig != SIGIO)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_note;
        sa.sa_flags = SA_SIGINFO | SA_RESTART | (p->altstack ? SA_ONSTACK : 0) | (p->mode == M_NODEFER ? SA_NODEFER : 0) |
                      (p->resethand ? SA_RESETHAND : 0);
        sigemptyset(&sa.sa_mask);
        if (p->onearg && !p->altstack && !p->resethand) {
            errno = 0;
            void (*old)(int) = signal(sig, on_note1);
            emit(w, "  call signal(sig, one-arg handler) = %s", old == SIG_ERR ? strerrorname_np(errno) : "ok");
        } else {
            if (p->onearg) {
                sa.sa_handler = on_note1;
                sa.sa_flags &= ~SA_SIGINFO;
            }
            CALL(w, "sigaction(sig, handler)", sigaction(sig, &sa, NULL));
        }
    }
    w->nnotes = 0;
    w->depth = 0;
    w->nest_max = 0;
    w->trigger_fd = -1;
    w->answer = p->answer;

    /* the resource */
    switch (p->kind) {
    case K_LEASE_RD:
    case K_LEASE_WR:
        snprintf(path, sizeof path, "%s/t%d.e%d", tmpdir, t, e); /* made by main() */
        notify = CALLFD(w, "open(file)", open(path, (p->kind == K_LEASE_RD ? O_RDONLY : O_RDWR) | cx));
        break;
    case K_DNOTIFY:
        snprintf(path, sizeof path, "%s/t%d.e%d.d", tmpdir, t, e);
        CALL(w, "mkdir", mkdir(path, 0700));
        notify = CALLFD(w, "open(dir)", open(path, O_RDONLY | O_DIRECTORY | cx));
        break;
    case K_PIPE:
    case K_FIO_PIPE: {
        int pp[2];
        if (CALL(w, "pipe2", pipe2(pp, cx)) == 0) {
            notify = pp[0];
            trig = pp[1];
        }
        break;
    }
    case K_SOCK:
    case K_DGRAM:
    case K_FIO_SOCK: {
        int sp[2];
        if (CALL(w, "socketpair", socketpair(AF_UNIX, (p->kind == K_DGRAM ? SOCK_DGRAM : SOCK_STREAM) | cx, 0, sp)) == 0) {
            notify = sp[0];
            trig = sp[1];
        }
        break;
    }
    case K_PTY: {
        notify = CALLFD(w, "posix_openpt", posix_openpt(O_RDWR | O_NOCTTY | cx));
        if (notify >= 0 && grantpt(notify) == 0 && unlockpt(notify) == 0) {
            char pts[128];
            if (ptsname_r(notify, pts, sizeof pts) == 0)
                trig = CALLFD(w, "open(pts)", open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC));
            if (trig >= 0) {
                struct termios tio;
                tcgetattr(trig, &tio);
                cfmakeraw(&tio);
                tcsetattr(trig, TCSANOW, &tio);
            }
        }
        break;
    }
    }
    if (notify < 0 || (trig < 0 && is_stream_kind(p->kind)) || (trig < 0 && p->kind == K_PTY)) {
        emit(w, "  setup failed");
        if (notify >= 0)
            close(notify);
        if (trig >= 0)
            close(trig);
        return;
    }
    name_fd(notify, t, e, 0);
    name_fd(trig, t, e, 1);
    int fillers[FDLIMIT], nfill = 0;
    if (p->atlimit) {
        /* register with no descriptor left: the shim cannot open one */
        int d;
        while (nfill < FDLIMIT && (d = dup(w->scratch)) >= 0)
            fillers[nfill++] = d;
        emit(w, "  filled %d descriptors up to the limit: %s", nfill, strerrorname_np(errno));
    }
    if ((p->proc == P_EXEC || p->proc == P_SPAWN) && trig >= 0)
        fcntl(trig, F_SETFD, 0); /* the child writes into it */

    /* register */
    struct f_owner_ex own = {F_OWNER_TID, w->tid};
    if (p->sig != S_SIGIO0)
        CALL(w, "F_SETSIG", fcntl(notify, F_SETSIG, p->sig == S_SIGIO ? SIGIO : sig));
    switch (p->kind) {
    case K_LEASE_RD:
    case K_LEASE_WR:
        CALL(w, "F_SETLEASE", fcntl(notify, F_SETLEASE, p->kind == K_LEASE_RD ? F_RDLCK : F_WRLCK));
        if (p->tid)
            CALL(w, "F_SETOWN_EX(tid)", fcntl(notify, F_SETOWN_EX, &own));
        break;
    case K_DNOTIFY:
        CALL(w, "F_NOTIFY(DN_CREATE|DN_MULTISHOT)", fcntl(notify, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
        if (p->tid)
            CALL(w, "F_SETOWN_EX(tid)", fcntl(notify, F_SETOWN_EX, &own));
        break;
    case K_PTY:
        CALL(w, "F_SETFL(O_ASYNC)", fcntl(notify, F_SETFL, fcntl(notify, F_GETFL) | O_ASYNC));
        if (p->tid)
            CALL(w, "F_SETOWN_EX(tid)", fcntl(notify, F_SETOWN_EX, &own));
        else
            CALL(w, "F_SETOWN(pid)", fcntl(notify, F_SETOWN, getpid()));
        break;
    default:
        if (p->tid)
            CALL(w, "F_SETOWN_EX(tid)", fcntl(notify, F_SETOWN_EX, &own));
        else
            CALL(w, "F_SETOWN(pid)", fcntl(notify, F_SETOWN, getpid()));
        if (p->kind == K_FIO_PIPE || p->kind == K_FIO_SOCK) {
            int on = 1;
            CALL(w, "ioctl(FIOASYNC, 1)", ioctl(notify, FIOASYNC, &on));
        } else {
            CALL(w, "F_SETFL(O_ASYNC)", fcntl(notify, F_SETFL, fcntl(notify, F_GETFL) | O_ASYNC));
        }
        break;
    }
    CALL(w, "F_GETSIG", fcntl(notify, F_GETSIG));
    {
        struct f_owner_ex o = {0, 0};
        int r = fcntl(notify, F_GETOWN_EX, &o);
        emit(w, "  F_GETOWN_EX = %d %s %s", r, o.type == F_OWNER_TID ? "TID" : o.type == F_OWNER_PID ? "PID" : "other",
             o.pid == w->tid && o.type == F_OWNER_TID ? "this thread"
             : o.pid == getpid()                      ? "this process"
             : o.pid == 0                             ? "none"
                                                      : "SOMEONE ELSE");
    }
    if (nfill) {
        for (int i = 0; i < nfill; i++)
            close(fillers[i]);
        emit(w, "  closed the %d fillers", nfill);
    }
    if (!p->late)
        noise(w, p, notify);
    if (p->system) {
        sigset_t before, after;
        pthread_sigmask(SIG_BLOCK, NULL, &before);
        int st = system("exit 3");
        pthread_sigmask(SIG_BLOCK, NULL, &after);
        int same = 1;
        for (int sg = 1; sg < NSIG; sg++)
            same &= sigismember(&before, sg) == sigismember(&after, sg);
        emit(w, "  call system(\"exit 3\") = %s %d, mask unchanged: %d", WIFEXITED(st) ? "exit" : "other",
             WIFEXITED(st) ? WEXITSTATUS(st) : st, same);
    }

    /* trigger and wait */
    int want = 0;
    char reply[64];
    if (p->kind == K_LEASE_RD || p->kind == K_LEASE_WR) {
        helper_ask((char)p->breaker, path, reply, sizeof reply);
        emit(w, "  helper open(%s) = %s", p->breaker == 'W' ? "write" : "read", reply);
        want = 1;
    } else if (p->kind == K_DNOTIFY) {
        for (int i = 0; i < p->k; i++) {
            char f[460];
            snprintf(f, sizeof f, "%s/f%d", path, i);
            helper_ask('C', f, reply, sizeof reply);
            emit(w, "  helper create = %s", reply);
        }
        want = p->k;
        for (int i = 0; i < p->nnoise; i++)
            if (!p->late && (p->noise[i] == N_ALIAS || p->noise[i] == N_ALIAS_DUP3))
                want = 0;
        if (!want) /* the kernel's dnotify_flush() */
            emit(w, "  closing an alias of the directory ended dnotify: no notification expected");
    } else if (p->proc != P_SELF) {
        run_child(w, p, trig, p->k);
        want = p->k;
    } else if (p->kind != K_PTY) {
        for (int i = 0; i < p->k; i++)
            CALL(w, "write(peer)", write(trig, "w", 1));
        want = p->k;
    }
    if (p->tkill == 1) {
        union sigval v = {.sival_int = 1000 * t + e};
        CALL(w, "pthread_sigqueue(self)", pthread_sigqueue(pthread_self(), sig, v));
        want++;
    } else if (p->tkill == 2) {
        CALL(w, "tgkill(self)", syscall(SYS_tgkill, getpid(), w->tid, sig));
        want++;
    }
    if (p->sigqueue) {
        union sigval v = {.sival_int = 5000 + 100 * t + e};
        CALL(w, "sigqueue(process)", sigqueue(getpid(), sig, v));
        want++;
    }
    if (p->mode == M_NODEFER) {
        /* every handler that is not the deepest triggers one more */
        w->nest_max = p->nest;
        w->trigger_fd = trig;
        want *= 1 + p->nest;
    }
    if (p->late) {
        /* closes of other descriptors, of aliases and of a live lease on
         * the same signal while this thread's notifications are queued */
        emit(w, "  (noise with the notifications queued)");
        noise(w, p, notify);
    }
    if (p->kind == K_PTY) {
        /* the pty delivers from a work queue: one write, one wait */
        for (int i = 0; i < p->k; i++) {
            CALL(w, "write(pts)", write(trig, "p", 1));
            want++;
            wait_notes(w, p, sig, want);
        }
    }
    wait_notes(w, p, sig, want);
    w->nest_max = 0;
    w->trigger_fd = -1;
    int got = w->nnotes;
    print_notes(w, 0, got);
    if (got != want)
        emit(w, "  notes %d of %d", got, want);
    if (p->resethand) {
        struct sigaction cur;
        sigaction(sig, NULL, &cur);
        emit(w, "  disposition after the one shot: %s flags SA_SIGINFO=%d SA_RESETHAND=%d",
             cur.sa_handler == SIG_DFL ? "SIG_DFL" : cur.sa_handler == SIG_IGN ? "SIG_IGN" : "handler",
             !!(cur.sa_flags & SA_SIGINFO), !!(cur.sa_flags & SA_RESETHAND));
    }

    /* answer, unregister */
    if (p->kind == K_LEASE_RD || p->kind == K_LEASE_WR) {
        int gl = fcntl(notify, F_GETLEASE);
        emit(w, "  F_GETLEASE = %s", gl < 0 ? "-1" : lease_name(gl));
        if (p->downgrade) {
            CALL(w, "F_SETLEASE(F_RDLCK) (downgrade)", fcntl(notify, F_SETLEASE, F_RDLCK));
            helper_ask('R', path, reply, sizeof reply);
            emit(w, "  helper open(read) after the downgrade = %s", reply);
            gl = fcntl(notify, F_GETLEASE);
            emit(w, "  F_GETLEASE = %s", gl < 0 ? "-1" : lease_name(gl));
        }
        CALL(w, "F_SETLEASE(F_UNLCK)", fcntl(notify, F_SETLEASE, F_UNLCK));
        helper_ask((char)p->breaker, path, reply, sizeof reply);
        emit(w, "  helper open again = %s", reply);
    } else if (p->kind == K_DNOTIFY) {
        CALL(w, "F_NOTIFY(0)", fcntl(notify, F_NOTIFY, 0));
    } else if (p->kind == K_FIO_PIPE || p->kind == K_FIO_SOCK) {
        int off = 0;
        CALL(w, "ioctl(FIOASYNC, 0)", ioctl(notify, FIOASYNC, &off));
    } else {
        CALL(w, "F_SETFL(~O_ASYNC)", fcntl(notify, F_SETFL, fcntl(notify, F_GETFL) & ~O_ASYNC));
    }
    if (trig >= 0)
        drain(w, notify, "notify");

    /* anything left queued for this thread's signal is an extra delivery */
    sigset_t pend;
    sigpending(&pend);
    if (sigismember(&pend, sig)) {
        siginfo_t si;
        sigset_t one;
        struct timespec zero = {0, 0};
        sigemptyset(&one);
        sigaddset(&one, sig);
        int n = 0;
        while (sigtimedwait(&one, &si, &zero) == sig && n < 50)
            n++;
        emit(w, "  extra pending after the episode: %d", n);
    }

    unname_fd(notify);
    unname_fd(trig);
    CALL(w, "close(notify)", close(notify));
    if (trig >= 0)
        CALL(w, "close(peer)", close(trig));
    if (p->kind == K_DNOTIFY) {
        for (int i = 0; i < p->k; i++) {
            char f[460];
            snprintf(f, sizeof f, "%s/f%d", path, i);
            unlink(f);
        }
        rmdir(path);
    } else if (p->kind == K_LEASE_RD || p->kind == K_LEASE_WR) {
        unlink(path);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    me = w;
    w->tid = (pid_t)syscall(SYS_gettid);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIG_WAKE;
    sev._sigev_un._tid = w->tid;
    if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer) != 0)
        abort();
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->scratch = open("/dev/null", O_RDONLY | O_CLOEXEC);
    w->altsize = 64 * 1024;
    w->alt = malloc(w->altsize);
    stack_t ss = {.ss_sp = w->alt, .ss_size = w->altsize, .ss_flags = 0};
    if (!w->alt || sigaltstack(&ss, NULL) != 0)
        abort();
    emit(w, "thread %d", w->idx);
    for (int e = 0; e < plan.neps[w->idx]; e++)
        episode(w, e, &plan.eps[w->idx][e]);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    timer_delete(w->timer);
    close(w->epfd);
    close(w->scratch);
    return NULL;
}

/* ---- scenario description ------------------------------------------------- */

static void describe(FILE *f)
{
    fprintf(f, "seed %llu, features:", plan.seed);
    for (int i = 0; i < F_COUNT; i++)
        if (feat[i])
            fprintf(f, " %s", feature_name[i]);
    fprintf(f, "\nthreads %d (%s), SIGIO used by thread %d%s%s%s\n", plan.nthreads,
            plan.mainexit ? "the main thread leaves with pthread_exit" : "thread 0 is main", plan.sigio_thread,
            plan.shared ? ", all threads share signals A and B" : "",
            plan.fdlimit ? ", RLIMIT_NOFILE 64" : "",
            plan.execself ? ", at the end it execs itself with a live lease and O_ASYNC" : "");
    for (int t = 0; t < plan.nthreads; t++)
        for (int e = 0; e < plan.neps[t]; e++) {
            const struct ep *p = &plan.eps[t][e];
            char b[32];
            fprintf(f, "t%d e%d: %s via %s, signal %s (%s), %s handler / %s, %d event(s)", t, e, kind_name[p->kind],
                    proc_name[p->proc], sigsel_name[p->sig], signame(ep_signal(t, p), b), mode_name[p->mode],
                    wait_name[p->wait], p->k);
            if (p->nest)
                fprintf(f, ", nests %d deep", p->nest);
            if (p->altstack)
                fprintf(f, ", on the alternate stack");
            if (p->tid)
                fprintf(f, ", F_OWNER_TID");
            if (p->tkill)
                fprintf(f, ", plus %s", p->tkill == 1 ? "pthread_sigqueue" : "tgkill");
            if (p->sigqueue)
                fprintf(f, ", plus sigqueue to the process");
            if (p->downgrade)
                fprintf(f, ", answered by a downgrade first");
            if (p->late)
                fprintf(f, ", the noise after the events are queued");
            if (p->linger)
                fprintf(f, ", lingers 30 ms");
            if (p->answer)
                fprintf(f, ", answered in the handler");
            if (p->onearg)
                fprintf(f, ", one-argument handler");
            if (p->resethand)
                fprintf(f, ", SA_RESETHAND");
            if (p->system)
                fprintf(f, ", system() after the noise");
            if (p->atlimit)
                fprintf(f, ", registered at the descriptor limit");
            if (p->kind == K_LEASE_RD || p->kind == K_LEASE_WR)
                fprintf(f, ", broken by an open for %s", p->breaker == 'W' ? "writing" : "reading");
            fprintf(f, ", %s", p->cloexec ? "O_CLOEXEC" : "inheritable");
            if (p->proc == P_SPAWN)
                fprintf(f, ", spawn mask bits %#x sigdef bits %#x", p->spawn_setmask, p->spawn_setdef);
            for (int i = 0; i < p->nnoise; i++)
                fprintf(f, "%s%s", i ? ", " : "; noise: ", noise_name[p->noise[i]]);
            fprintf(f, "\n");
        }
}

/* ---- main ----------------------------------------------------------------- */

static int parse_features(const char *list)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int on = 1;
        if (*tok == '-') {
            on = 0;
            tok++;
        }
        if (strcmp(tok, "all") == 0) {
            for (int i = 0; i < F_COUNT; i++)
                feat[i] = on;
            continue;
        }
        int found = 0;
        for (int i = 0; i < F_COUNT; i++)
            if (strcmp(tok, feature_name[i]) == 0) {
                feat[i] = on;
                found = 1;
            }
        if (!found) {
            fprintf(stderr, "oracle: unknown feature '%s' (--list-features)\n", tok);
            return -1;
        }
    }
    int kinds = feat[F_lease] + feat[F_dnotify] + feat[F_fioasync] + feat[F_pipe] + feat[F_socket] + feat[F_pty];
    int modes = feat[F_handler] + feat[F_longjmp] + feat[F_sigwait];
    int waits = feat[F_sigsuspend] + feat[F_ppoll] + feat[F_epoll];
    if (!kinds || !modes || ((feat[F_handler] || feat[F_longjmp]) && !waits)) {
        fprintf(stderr, "oracle: the features need a source (lease, dnotify, fioasync, pipe, socket, pty), "
                        "a way to take signals (handler, longjmp, sigwait) and for handlers a wait "
                        "(sigsuspend, ppoll, epoll)\n");
        return -1;
    }
    if (!feat[F_handler] && !feat[F_longjmp]) /* nodefer nests handlers */
        feat[F_nodefer] = feat[F_altstack] = feat[F_answer] = 0;
    return 0;
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
    (void)st;
    (void)type;
    (void)f;
    return remove(p);
}

static void *finisher(void *arg);
static void exec_self(void);
static int after_exec_main(char **argv);

int main(int argc, char **argv)
{
    unsigned long long seed = 1;
    int do_describe = 0;
    const char *features = getenv("ORACLE_FEATURES");
    static char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 2;
    exe[n] = 0;
    self_exe = exe;
    if (argc >= 2 && strcmp(argv[1], "--helper") == 0)
        return helper_main();
    if (argc >= 4 && strcmp(argv[1], "--report") == 0)
        return report_main(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 10 && strcmp(argv[1], "--after-exec") == 0) {
        const char *sl = getenv("LEASE_SHIM_TEST_SLOW");
        if (sl && atoi(sl) > 1)
            slow = atoi(sl);
        return after_exec_main(argv);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--features") == 0 && i + 1 < argc)
            features = argv[++i];
        else if (strcmp(argv[i], "--describe") == 0)
            do_describe = 1;
        else if (strcmp(argv[i], "--list-features") == 0) {
            for (int f = 0; f < F_COUNT; f++)
                printf("%-11s %s\n", feature_name[f], feature_doc[f]);
            return 0;
        } else {
            fprintf(stderr, "usage: oracle --seed N [--features LIST] [--describe] | --list-features\n");
            return 2;
        }
    }
    if (parse_features(features && *features ? features : "all") != 0)
        return 2;
    const char *s = getenv("LEASE_SHIM_TEST_SLOW");
    if (s && atoi(s) > 1)
        slow = atoi(s);
    make_plan(seed);
    if (do_describe) {
        describe(stdout);
        return 0;
    }
    alarm(60 * slow); /* backstop: every wait has its own limit */
    if (plan.fdlimit) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max < FDLIMIT) {
            fprintf(stderr, "oracle: RLIMIT_NOFILE\n");
            return 2;
        }
        rl.rlim_cur = FDLIMIT;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    snprintf(tmpdir, sizeof tmpdir, "%s/oracle.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("oracle: mkdtemp");
        return 2;
    }
    /* the notification signals (and the wake-up) are blocked everywhere
     * except inside a worker's wait; the threads inherit this */
    sigset_t ours;
    our_signals(&ours);
    sigaddset(&ours, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &ours, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wake;
    sigaction(SIG_WAKE, &sa, NULL);
    signal(SIGUSR2, SIG_IGN); /* for the spawn attributes' SETSIGDEF */
    helper_start();
    /* The leased files exist before any thread runs: a file created while
     * another thread forks would have its creating descriptor copied into
     * the child for a moment, and F_SETLEASE would then fail by chance. */
    for (int t = 0; t < plan.nthreads; t++)
        for (int e = -1; e < plan.neps[t]; e++)
            if (e < 0 || plan.eps[t][e].kind == K_LEASE_RD || plan.eps[t][e].kind == K_LEASE_WR) {
                char path[400];
                if (e < 0 && t == 0 && plan.execself) {
                    snprintf(path, sizeof path, "%s/x.lease", tmpdir);
                    close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
                }
                if (e < 0)
                    snprintf(path, sizeof path, "%s/t%d.scratch", tmpdir, t);
                else
                    snprintf(path, sizeof path, "%s/t%d.e%d", tmpdir, t, e);
                int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (fd < 0 || close(fd) != 0) {
                    perror("oracle: creating a leased file");
                    return 2;
                }
            }

    if (plan.shared) {
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_note;
        sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
        sigaction(sig_a(0), &sa, NULL);
        sigaction(sig_b(0), &sa, NULL);
    }

    /* worker 0 is the main thread (the shim treats it apart: signals it
     * sends to itself go to the process); or, in a mainexit plan, every
     * worker is a thread of its own, a finisher thread prints, and the
     * main thread leaves with pthread_exit */
    for (int t = plan.mainexit ? 0 : 1; t < plan.nthreads; t++) {
        workers[t].idx = t;
        if (pthread_create(&workers[t].th, NULL, worker_main, &workers[t]) != 0) {
            fprintf(stderr, "oracle: pthread_create failed\n");
            return 2;
        }
    }
    if (plan.mainexit) {
        pthread_t fin;
        if (pthread_create(&fin, NULL, finisher, NULL) != 0) {
            fprintf(stderr, "oracle: pthread_create failed\n");
            return 2;
        }
        pthread_exit(NULL);
    }
    worker_main(&workers[0]);
    finisher(NULL);
    return 0;
}

/* Print "what = result" for a call of the exec-self phase. */
static long xcall(const char *what, long rc)
{
    int e = errno;
    char b[64];
    printf("  call %s = %s\n", what, res(rc, e, 0, b));
    errno = e;
    return rc;
}

/* The last phase of an execself plan, in the single thread left: take a
 * read lease and O_ASYNC on a pipe (both inheritable, owner this process),
 * unblock their signals, and exec this program with --after-exec, which
 * goes on in after_exec_main(). */
static void exec_self(void)
{
    char path[400], args[8][32];
    snprintf(path, sizeof path, "%s/x.lease", tmpdir);
    printf("exec-self\n");
    int lf = open(path, O_RDONLY);
    int pp[2];
    if (lf < 0 || pipe(pp) != 0) {
        printf("  setup failed\n");
        exit(1);
    }
    xcall("F_SETSIG(lease, A)", fcntl(lf, F_SETSIG, sig_a(0)));
    xcall("F_SETLEASE(F_RDLCK)", fcntl(lf, F_SETLEASE, F_RDLCK));
    xcall("F_SETSIG(pipe, B)", fcntl(pp[0], F_SETSIG, sig_b(0)));
    xcall("F_SETOWN(pipe)", fcntl(pp[0], F_SETOWN, getpid()));
    xcall("F_SETFL(pipe, O_ASYNC)", fcntl(pp[0], F_SETFL, fcntl(pp[0], F_GETFL) | O_ASYNC));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_note;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig_a(0), &sa, NULL);
    sigaction(sig_b(0), &sa, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, sig_a(0));
    sigaddset(&m, sig_b(0));
    pthread_sigmask(SIG_UNBLOCK, &m, NULL); /* nothing is pending: no event was triggered */
    fcntl(helper_in, F_SETFD, 0);
    fcntl(helper_out, F_SETFD, 0);
    snprintf(args[0], 32, "%llu", plan.seed);
    snprintf(args[1], 32, "%d", lf);
    snprintf(args[2], 32, "%d", pp[0]);
    snprintf(args[3], 32, "%d", pp[1]);
    snprintf(args[4], 32, "%d", helper_in);
    snprintf(args[5], 32, "%d", helper_out);
    snprintf(args[6], 32, "%d", (int)helper_pid);
    fflush(stdout);
    execl(self_exe, self_exe, "--after-exec", args[0], args[1], args[2], args[3], args[4], args[5], args[6], tmpdir,
          (char *)NULL);
    printf("  execl failed: %s\n", strerrorname_np(errno));
    exit(1);
}

/* The exec'd image of an execself plan: what it inherited (mask,
 * dispositions, environment, the registrations as the kernel has them),
 * then a lease break and a pipe write taken with sigtimedwait. */
static int after_exec_main(char **argv)
{
    int lf = atoi(argv[3]), pr = atoi(argv[4]), pw = atoi(argv[5]);
    helper_in = atoi(argv[6]);
    helper_out = atoi(argv[7]);
    helper_pid = atoi(argv[8]);
    snprintf(tmpdir, sizeof tmpdir, "%s", argv[9]);
    int a = SIGRTMIN + 2, b = SIGRTMIN + 3;
    sigset_t m;
    pthread_sigmask(SIG_BLOCK, NULL, &m);
    printf("after exec\n  mask: A %d B %d SIGIO %d\n", sigismember(&m, a), sigismember(&m, b), sigismember(&m, SIGIO));
    struct sigaction sa;
    sigaction(a, NULL, &sa);
    printf("  disposition A: %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "handler");
    sigaction(b, NULL, &sa);
    printf("  disposition B: %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "handler");
    int env = 0;
    for (char **e = environ; *e; e++)
        env += strncmp(*e, "LEASE_SHIM", 10) == 0;
    printf("  LEASE_SHIM* in environ: %d\n", env);
    printf("  lease: F_GETSIG %s, F_GETLEASE %s, owner is this process %d\n", fcntl(lf, F_GETSIG) == a ? "A" : "other",
           lease_name(fcntl(lf, F_GETLEASE)), fcntl(lf, F_GETOWN) == getpid());
    printf("  pipe: F_GETSIG %s, O_ASYNC %d, owner is this process %d\n", fcntl(pr, F_GETSIG) == b ? "B" : "other",
           !!(fcntl(pr, F_GETFL) & O_ASYNC), fcntl(pr, F_GETOWN) == getpid());
    sigaddset(&m, a);
    sigaddset(&m, b);
    pthread_sigmask(SIG_BLOCK, &m, NULL);

    char path[400], reply[64];
    snprintf(path, sizeof path, "%s/x.lease", tmpdir);
    for (int round = 0; round < 2; round++) {
        int sig = round ? b : a, fd = round ? pr : lf;
        if (round == 0) {
            helper_ask('W', path, reply, sizeof reply);
            printf("  helper open(write) = %s\n", reply);
        } else {
            xcall("write(pipe)", write(pw, "x", 1));
        }
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        siginfo_t si;
        struct timespec ts = {WAIT_MS * slow / 1000, (WAIT_MS * slow % 1000) * 1000000L};
        int r = sigtimedwait(&one, &si, &ts);
        char cb[32];
        if (r == sig)
            printf("  note %s %s fd=%s\n", round ? "B" : "A", codename(si.si_code, cb),
                   si.si_code >= POLL_IN && si.si_code <= POLL_HUP ? (si.si_fd == fd ? "inherited" : "OTHER") : "-");
        else
            printf("  notes 0 of 1\n");
    }
    printf("  F_GETLEASE = %s\n", lease_name(fcntl(lf, F_GETLEASE)));
    xcall("F_SETLEASE(F_UNLCK)", fcntl(lf, F_SETLEASE, F_UNLCK));
    helper_ask('W', path, reply, sizeof reply);
    printf("  helper open again = %s\n", reply);
    xcall("F_SETFL(pipe, ~O_ASYNC)", fcntl(pr, F_SETFL, fcntl(pr, F_GETFL) & ~O_ASYNC));
    close(lf);
    close(pr);
    close(pw);
    if (write(helper_in, "Q x\n", 4) != 4)
        kill(helper_pid, SIGKILL);
    close(helper_in);
    close(helper_out);
    int st;
    waitpid(helper_pid, &st, 0);
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("END\n");
    return 0;
}

/* Join the workers, print, end the helper, remove the files, exit 0. */
static void *finisher(void *arg)
{
    (void)arg;
    for (int t = plan.mainexit ? 0 : 1; t < plan.nthreads; t++)
        pthread_join(workers[t].th, NULL);
    sigset_t ours;
    our_signals(&ours);

    printf("oracle seed %llu\n", plan.seed);
    for (int t = 0; t < plan.nthreads; t++) {
        fputs(workers[t].out ? workers[t].out : "", stdout);
        free(workers[t].out);
        free(workers[t].alt);
    }
    sigset_t pend;
    sigpending(&pend);
    int left = 0;
    for (int sg = 1; sg < NSIG; sg++)
        if (sigismember(&ours, sg) && sigismember(&pend, sg))
            left++;
    printf("handler runs on a non-worker thread: %d\n", (int)stray);
    printf("signals still pending for the main thread or the process: %d\n", left);
    if (plan.execself)
        exec_self(); /* does not return */

    if (write(helper_in, "Q x\n", 4) != 4)
        kill(helper_pid, SIGKILL);
    close(helper_in);
    close(helper_out);
    int st;
    waitpid(helper_pid, &st, 0);
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("END\n");
    exit(0);
}
