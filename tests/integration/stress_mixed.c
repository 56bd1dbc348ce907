/* stress_mixed.c - threads churning tracked and untracked descriptors while
 * another process keeps breaking their leases.
 *
 * THREADS threads (4) each run OPS (100,000) random operations - open, F_SETSIG
 * + F_SETLEASE F_RDLCK, F_SETLEASE F_UNLCK, dup, dup2, dup3, close,
 * close_range over small ranges - on descriptors of a few "lease files" and a
 * few "plain files".  Each thread owns its descriptors: the ones open() and
 * dup() hand it, and a private block of slot numbers that dup2/dup3 target and
 * close_range covers, so no thread ever closes another's descriptor (that
 * would be a race in the program, not in the shim).  Numbers still get
 * reused across threads all the time: whatever open() hands out next.
 *
 * A breaker process, forked before the threads start, opens the lease files
 * for writing with O_NONBLOCK in a loop, which starts a break of every read
 * lease on them.  Threads never answer breaks explicitly: they close and
 * F_UNLCK often enough.
 *
 * The SA_SIGINFO handler of SIGRTMIN+1 checks, async-signal-safely (fstat
 * through syscall()), that si_fd names one of the lease files (by inode).  A
 * notification whose si_fd names a plain file, something else, or nothing is
 * a violation.  At the end: every descriptor closed, breaker stopped, no
 * lease left on any test file (/proc/locks), violations == 0.
 *
 * Why a violation happened: every change of a descriptor number (with
 * CLOCK_MONOTONIC times before and after the call) and every break the
 * breaker started are recorded, and each violation is classified by
 * analyse(): pending (the notification was generated before the number
 * went away), overlap (break and call overlapped), after (the kernel still
 * used the old number after it went away: the registration was not moved).
 * Without the shim (or with LEASE_SHIM=0) about one notification in eight is
 * a violation, most of them "after": the program can tell the difference.
 *
 * Environment: STRESS_OPS, STRESS_THREADS (defaults 100000, 4);
 * STRESS_NO_REPLACE=1 makes dup2/dup3 target only free slots (an occupied
 * slot is closed first), to separate the dup2/dup3 paths from close;
 * STRESS_BREAK_PAUSE_US (default 20) is the breaker's pause between rounds;
 * STRESS_SIG_PER_FILE=1 gives lease file F the signal SIGRTMIN+1+F, so each
 * violation says which file's lease raised it (and deliveries naming another
 * lease file are counted); STRESS_VERBOSE=N prints the history of the first
 * N violations.
 *
 * Soak mode (issue #7; for people, not for CI: tools/soak runs it):
 * STRESS_SOAK_SECONDS=S makes the threads run round after round of OPS
 * operations each, closing all their descriptors at the end of every round,
 * until S seconds have passed.  At every round's end, with the threads
 * waiting at a barrier, the main thread analyses the round's violations
 * (printing the history of up to STRESS_VERBOSE of them, 5 by default here),
 * checks that no test file is open and no lease is left, and samples memory
 * (VmRSS, RssAnon and VmHWM from /proc/self/status) and the number of open
 * descriptors.  Every STRESS_SOAK_INTERVAL seconds (10) it prints a line:
 * elapsed time, rounds, operations, notifications, violations (stale
 * deliveries) so far, RSS, anonymous RSS, peak RSS, open descriptors.  The
 * summary at the end gives the growth of RSS from the first interval line to
 * the end, the least-squares trend per round after it, and how many rounds
 * grew it.  The shim's table is anonymous mmap()ed memory, part of RssAnon;
 * it cannot be told apart from outside.  The exit status is 1 on any
 * violation, a round that left a descriptor or a lease, a change in the
 * number of open descriptors between rounds, or RSS growth above
 * STRESS_SOAK_MAX_GROWTH_KB (2048).  The breaker's record of breaks is then a
 * ring of the last 2^20 breaks, enough to analyse the round just ended.
 */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <dirent.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NLEASE 4         /* lease files: 0 .. NLEASE-1 */
#define NPLAIN 4         /* plain files: NLEASE .. NFILES-1 */
#define NFILES (NLEASE + NPLAIN)
#define MAX_THREADS 8
#define NSLOT 12         /* private dup2/dup3/close_range targets per thread */
#define SLOT_BASE 256    /* thread t's slots: SLOT_BASE + 32 t + 0..NSLOT-1 */
#define MAX_FLOAT 20     /* descriptors from open()/dup() per thread */
#define MAX_OWN (MAX_FLOAT + NSLOT)
#define BREAK_RING (1u << 20)
#define VIOL_RING 4096

/* ---- shared state ------------------------------------------------------ */

static const char *paths[NFILES];
static dev_t file_dev[NFILES];
static ino_t file_ino[NFILES];

static unsigned long notifications, violations, violations_plain, violations_other,
    violations_closed, plain_sigio;

struct violation {
    uint64_t t;   /* handler entry, CLOCK_MONOTONIC ns */
    int fd;       /* si_fd */
    int file;     /* what si_fd named: file index, -1 other, -2 nothing */
    int code;     /* si_code */
    int main_thread; /* handled on the main thread */
    int expected; /* lease file the signal was for (STRESS_SIG_PER_FILE), else -1 */
};
static struct violation viol[VIOL_RING];

/* Breaks the breaker started (its open() failed with EWOULDBLOCK): in
 * memory shared with the breaker process. */
struct brk {
    uint64_t t0, t1;
    int file;
};
struct breaker_shared {
    volatile int stop;
    unsigned long rounds, breaks, opened, other_errors;
    unsigned long nrec;
    struct brk rec[BREAK_RING];
};
static struct breaker_shared *bs;

/* Changes of descriptor numbers, per thread. */
enum evop { EV_OPEN, EV_DUP, EV_DUP2, EV_DUP3, EV_CLOSE, EV_RANGE, EV_LEASE, EV_UNLCK, EV_NOP };
static const char *const evname[] = {"open", "dup", "dup2", "dup3", "close", "close_range",
                                     "lease", "unlock", "?"};
struct ev {
    uint64_t t0, t1;
    int fd;
    int8_t file; /* what FD names after the call: file index, -1 closed */
    uint8_t op;
};

struct owned {
    int fd, file;
};

struct worker {
    pthread_t th;
    int id;
    uint64_t rng;
    struct owned own[MAX_OWN];
    int n;
    struct ev *ev;
    size_t nev, evcap;
    unsigned long ops, leases_ok, leases_failed, unlocks, dups, dup2s, dup3s, closes, ranges;
};

static long main_tid;
static int sig_per_file;           /* lease file F uses SIGRTMIN+1+F (diagnosis) */
static unsigned long wrong_lease;  /* si_fd named another lease file (per-file mode) */
static long nops = 100000;
static int nthreads = 4;
static int no_replace;
static long break_pause_us = 20;
static long soak_secs;             /* 0: one pass of OPS per thread (CI) */
static volatile int soak_stop;     /* set by main between the round barriers */
static pthread_barrier_t round_end, round_start;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the handler --------------------------------------------------------- */

/* Which test file FD names: its index, -1 for anything else, -2 if FD is
 * not open.  Async-signal-safe: one system call. */
static int file_of(int fd)
{
    struct stat st;
    if (syscall(SYS_fstat, (long)fd, &st) != 0)
        return -2;
    for (int i = 0; i < NFILES; i++)
        if (st.st_ino == file_ino[i] && st.st_dev == file_dev[i])
            return i;
    return -1;
}

static void on_notify(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    int saved = errno;
    uint64_t t = now_ns();
    __atomic_fetch_add(&notifications, 1, __ATOMIC_RELAXED);
    int f = file_of(si->si_fd);
    int expected = sig_per_file ? sig - lst_sig() : -1;
    if (f < 0 || f >= NLEASE) {
        unsigned long i = __atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(f == -2 ? &violations_closed : f == -1 ? &violations_other
                                                                  : &violations_plain,
                           1, __ATOMIC_RELAXED);
        if (i < VIOL_RING)
            viol[i] = (struct violation){t, si->si_fd, f, si->si_code,
                                         syscall(SYS_gettid) == main_tid, expected};
    } else if (expected >= 0 && f != expected) {
        __atomic_fetch_add(&wrong_lease, 1, __ATOMIC_RELAXED);
    }
    errno = saved;
}

static void on_sigio(int sig)
{
    (void)sig;
    __atomic_fetch_add(&plain_sigio, 1, __ATOMIC_RELAXED);
}

/* ---- the breaker ----------------------------------------------------------- */

static pid_t test_pid; /* the breaker's parent */

static void breaker(void)
{
    struct timespec pause = {0, break_pause_us * 1000};
    /* a test that dies early (a failed CHECK, a sanitizer report) takes its
     * breaker along, or ctest waits on the breaker's copy of its output */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != test_pid)
        _exit(1);
    while (!bs->stop) {
        for (int f = 0; f < NLEASE; f++) {
            uint64_t t0 = now_ns();
            int fd = open(paths[f], O_WRONLY | O_NONBLOCK);
            uint64_t t1 = now_ns();
            if (fd >= 0) {
                bs->opened++;
                close(fd);
            } else if (errno == EWOULDBLOCK) {
                bs->breaks++;
                bs->rec[bs->nrec % BREAK_RING] = (struct brk){t0, t1, f}; /* the last ones */
                bs->nrec++;
            } else {
                bs->other_errors++;
            }
        }
        bs->rounds++;
        nanosleep(&pause, NULL);
    }
    _exit(0);
}

/* ---- the workers ------------------------------------------------------------ */

static uint64_t rnd(struct worker *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return w->rng;
}

static void record(struct worker *w, uint64_t t0, int fd, int file, enum evop op)
{
    if (w->nev == w->evcap) {
        w->evcap = w->evcap ? 2 * w->evcap : 65536;
        w->ev = realloc(w->ev, w->evcap * sizeof *w->ev);
        CHECK(w->ev != NULL);
    }
    w->ev[w->nev++] = (struct ev){t0, now_ns(), fd, (int8_t)file, (uint8_t)op};
}

static int slot_fd(const struct worker *w, int s)
{
    return SLOT_BASE + 32 * w->id + s;
}

static int find(const struct worker *w, int fd)
{
    for (int i = 0; i < w->n; i++)
        if (w->own[i].fd == fd)
            return i;
    return -1;
}

static void forget(struct worker *w, int i)
{
    w->own[i] = w->own[--w->n];
}

static int nfloat(const struct worker *w)
{
    int k = 0;
    for (int i = 0; i < w->n; i++)
        k += w->own[i].fd < SLOT_BASE;
    return k;
}

static void add(struct worker *w, int fd, int file)
{
    CHECK(w->n < MAX_OWN);
    w->own[w->n++] = (struct owned){fd, file};
}

static void op_open(struct worker *w)
{
    if (nfloat(w) >= MAX_FLOAT)
        return;
    int file = (int)(rnd(w) % NFILES);
    uint64_t t0 = now_ns();
    int fd = open(paths[file], O_RDONLY);
    CHECK(fd >= 0 && fd < SLOT_BASE);
    record(w, t0, fd, file, EV_OPEN);
    add(w, fd, file);
}

static void op_lease(struct worker *w)
{
    int cand[MAX_OWN], k = 0;
    for (int i = 0; i < w->n; i++)
        if (w->own[i].file < NLEASE)
            cand[k++] = i;
    if (!k)
        return;
    struct owned *o = &w->own[cand[rnd(w) % (unsigned)k]];
    uint64_t t0 = now_ns();
    CHECK(fcntl(o->fd, F_SETSIG, lst_sig() + (sig_per_file ? o->file : 0)) == 0);
    if (fcntl(o->fd, F_SETLEASE, F_RDLCK) == 0) {
        record(w, t0, o->fd, o->file, EV_LEASE);
        w->leases_ok++;
    } else {
        CHECK(errno == EAGAIN);
        w->leases_failed++;
    }
}

static void op_unlock(struct worker *w)
{
    if (!w->n)
        return;
    struct owned *o = &w->own[rnd(w) % (unsigned)w->n];
    uint64_t t0 = now_ns();
    if (fcntl(o->fd, F_SETLEASE, F_UNLCK) == 0)
        record(w, t0, o->fd, o->file, EV_UNLCK);
    else
        CHECK(errno == EAGAIN || errno == EINVAL);
    w->unlocks++;
}

static void op_dup(struct worker *w)
{
    if (!w->n || nfloat(w) >= MAX_FLOAT)
        return;
    struct owned o = w->own[rnd(w) % (unsigned)w->n];
    uint64_t t0 = now_ns();
    int fd = dup(o.fd);
    CHECK(fd >= 0 && fd < SLOT_BASE);
    record(w, t0, fd, o.file, EV_DUP);
    add(w, fd, o.file);
    w->dups++;
}

static void op_close_one(struct worker *w, int i)
{
    int fd = w->own[i].fd;
    uint64_t t0 = now_ns();
    CHECK(close(fd) == 0);
    record(w, t0, fd, -1, EV_CLOSE);
    forget(w, i);
    w->closes++;
}

static void op_dup23(struct worker *w, int three)
{
    if (!w->n)
        return;
    struct owned o = w->own[rnd(w) % (unsigned)w->n];
    int target = slot_fd(w, (int)(rnd(w) % NSLOT));
    if (target == o.fd)
        return;
    int old = find(w, target);
    if (old >= 0 && no_replace) {
        op_close_one(w, old);
        old = -1;
    }
    uint64_t t0 = now_ns();
    int r = three ? dup3(o.fd, target, O_CLOEXEC) : dup2(o.fd, target);
    CHECK(r == target);
    record(w, t0, target, o.file, three ? EV_DUP3 : EV_DUP2);
    if (old >= 0)
        forget(w, old);
    add(w, target, o.file);
    if (three)
        w->dup3s++;
    else
        w->dup2s++;
}

static void op_close(struct worker *w)
{
    if (w->n)
        op_close_one(w, (int)(rnd(w) % (unsigned)w->n));
}

static void op_range(struct worker *w)
{
    int s = (int)(rnd(w) % NSLOT), len = 1 + (int)(rnd(w) % 4);
    if (s + len > NSLOT)
        len = NSLOT - s;
    int first = slot_fd(w, s), last = first + len - 1;
    uint64_t t0 = now_ns();
    CHECK(close_range((unsigned)first, (unsigned)last, 0) == 0);
    for (int i = w->n - 1; i >= 0; i--)
        if (w->own[i].fd >= first && w->own[i].fd <= last) {
            record(w, t0, w->own[i].fd, -1, EV_RANGE);
            forget(w, i);
        }
    w->ranges++;
}

static void one_round(struct worker *w)
{
    for (long i = 0; i < nops; i++) {
        unsigned r = (unsigned)(rnd(w) % 100);
        if (!w->n || r < 14)
            op_open(w);
        else if (r < 30)
            op_lease(w);
        else if (r < 36)
            op_unlock(w);
        else if (r < 46)
            op_dup(w);
        else if (r < 56)
            op_dup23(w, 0);
        else if (r < 63)
            op_dup23(w, 1);
        else if (r < 93)
            op_close(w);
        else
            op_range(w);
        w->ops++;
    }
    while (w->n)
        op_close_one(w, w->n - 1);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    one_round(w);
    while (soak_secs) {
        pthread_barrier_wait(&round_end); /* main looks at the round */
        pthread_barrier_wait(&round_start);
        if (soak_stop)
            break;
        w->nev = 0; /* the events of this round only: memory stays flat */
        one_round(w);
    }
    return NULL;
}

/* ---- analysis of violations -------------------------------------------------- */

static struct worker workers[MAX_THREADS];

/* The events of every thread on descriptor FD, by completion time. */
static int by_t1(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    return x->t1 < y->t1 ? -1 : x->t1 > y->t1;
}

static size_t events_on(int fd, struct ev *out, size_t cap)
{
    size_t n = 0;
    for (int t = 0; t < nthreads; t++)
        for (size_t i = 0; i < workers[t].nev && n < cap; i++)
            if (workers[t].ev[i].fd == fd)
                out[n++] = workers[t].ev[i];
    qsort(out, n, sizeof *out, by_t1);
    return n;
}

/* How many breaks of FILE started in [FROM, TO]. */
static unsigned long recorded_breaks(void)
{
    return bs->nrec < BREAK_RING ? bs->nrec : BREAK_RING;
}

static unsigned long breaks_between(int file, uint64_t from, uint64_t to)
{
    unsigned long k = 0;
    for (unsigned long i = 0; i < recorded_breaks(); i++)
        k += bs->rec[i].file == file && bs->rec[i].t0 >= from && bs->rec[i].t0 <= to;
    return k;
}

/* The break of FILE that started last at or before T (NULL if none). */
static const struct brk *last_break(int file, uint64_t t)
{
    const struct brk *b = NULL;
    for (unsigned long i = 0; i < recorded_breaks(); i++)
        if (bs->rec[i].file == file && bs->rec[i].t0 <= t && (!b || bs->rec[i].t0 > b->t0))
            b = &bs->rec[i];
    return b;
}

/* Classify every recorded violation by when the break that raised it can
 * have happened, relative to the call that took its number away from the
 * lease file (G), using the last break of that file started before the
 * handler ran (B):
 *   pending   B had finished before G began: the signal was generated while
 *             the number still named the lease file and delivered after it
 *             went away (no trampoline yet, SPEC §4);
 *   overlap   B ran during G (the shim's re-home/release and the close itself
 *             happen inside G): either order is possible;
 *   after     B started after G returned and no other break of that file ran
 *             while the number named it: the kernel still used the old number
 *             after it went away, i.e. the registration was neither moved nor
 *             released (a shim bug; the kernel's own behaviour without it);
 *   after?    B started after G returned, but an earlier break ran while the
 *             number named the file (its signal may have been pending long);
 *   untraced  no history of the number naming that file, or no break. */
enum { PENDING, OVERLAP, AFTER, AFTER_AMBIG, UNTRACED, NCLS };
static const char *const clsname[NCLS] = {"pending", "overlap", "after", "after?", "untraced"};
static unsigned long cls_total[NCLS]; /* over every analyse() call */

/* Violations FROM up to TO (those recorded: the first VIOL_RING); the
 * history of the first VERBOSE of them. */
static void analyse(unsigned long from, unsigned long to, int verbose)
{
    unsigned long nv = to < VIOL_RING ? to : VIOL_RING;
    unsigned long cls[NCLS] = {0}, gone_by[NCLS][EV_NOP + 1], by_main = 0;
    memset(gone_by, 0, sizeof gone_by);
    uint64_t max_delay = 0, sum_delay = 0;
    size_t cap = 1u << 20;
    struct ev *evs = malloc(cap * sizeof *evs);
    CHECK(evs != NULL);
    for (unsigned long v = from; v < nv; v++) {
        const struct violation *x = &viol[v];
        by_main += x->main_thread;
        size_t n = events_on(x->fd, evs, cap);
        /* the calls that changed what the number names, up to the handler */
        long cur = -1;
        for (size_t i = 0; i < n && evs[i].t0 <= x->t; i++)
            if (evs[i].op != EV_LEASE && evs[i].op != EV_UNLCK)
                cur = (long)i;
        /* back to the last stretch in which it named a lease file */
        long start = cur;
        while (start >= 0 && (evs[start].op == EV_LEASE || evs[start].op == EV_UNLCK ||
                              evs[start].file < 0 || evs[start].file >= NLEASE ||
                              (x->expected >= 0 && evs[start].file != x->expected)))
            start--;
        long gone = start < 0 ? -1 : start + 1;
        while (gone >= 0 && gone <= cur && (evs[gone].op == EV_LEASE || evs[gone].op == EV_UNLCK))
            gone++;
        const struct brk *b = NULL;
        int c = UNTRACED;
        if (start >= 0 && gone <= cur && (b = last_break(evs[start].file, x->t))) {
            uint64_t g0 = evs[gone].t0, g1 = evs[gone].t1;
            if (b->t1 < g0)
                c = PENDING;
            else if (b->t0 <= g1)
                c = OVERLAP;
            else
                c = breaks_between(evs[start].file, evs[start].t0, g1) ? AFTER_AMBIG : AFTER;
            gone_by[c][evs[gone].op]++;
            if (c == PENDING) {
                sum_delay += x->t - b->t1;
                if (x->t - b->t1 > max_delay)
                    max_delay = x->t - b->t1;
            }
        }
        cls[c]++;
        cls_total[c]++;
        if (v < from + (unsigned long)verbose) {
            printf("violation %lu: si_fd %d names %s (%d), si_code %d, lease file %d, "
                   "handled on the %s thread: %s\n",
                   v, x->fd, x->file >= NLEASE ? "a plain file" : x->file == -1 ? "something else" : "nothing",
                   x->file, x->code, x->expected, x->main_thread ? "main" : "a worker", clsname[c]);
            for (long i = cur - 6 < 0 ? 0 : cur - 6; i <= cur + 1 && i < (long)n; i++)
                printf("  [%+10.3f, %+10.3f] us  fd %d %-11s -> file %d%s\n",
                       ((double)evs[i].t0 - (double)x->t) / 1000.0,
                       ((double)evs[i].t1 - (double)x->t) / 1000.0, x->fd, evname[evs[i].op],
                       evs[i].file, i == gone ? "  <- number gone" : "");
            if (b)
                printf("  [%+10.3f, %+10.3f] us  last break of file %d before the handler\n",
                       ((double)b->t0 - (double)x->t) / 1000.0, ((double)b->t1 - (double)x->t) / 1000.0,
                       b->file);
        }
    }
    free(evs);
    printf("violations classified (%lu of %lu):", nv > from ? nv - from : 0, to - from);
    for (int c = 0; c < NCLS; c++) {
        printf(" %s %lu", clsname[c], cls[c]);
        int any = 0;
        for (int op = 0; op < EV_NOP; op++)
            if (gone_by[c][op])
                printf("%s%s %lu", any++ ? ", " : " (", evname[op], gone_by[c][op]);
        printf("%s", any ? ")" : "");
    }
    printf("\nhandled on the main thread (waiting in %s): %lu\n",
           soak_secs ? "the round barrier" : "pthread_join", by_main);
    if (cls[PENDING])
        printf("pending: break finished -> handler ran: mean %.1f us, max %.1f us\n",
               (double)sum_delay / (double)cls[PENDING] / 1000.0, (double)max_delay / 1000.0);
}

/* ---- main ---------------------------------------------------------------------- */

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : def;
}

/* Descriptors of this process that name a test file. */
static int test_files_open(void)
{
    int n = 0;
    for (int fd = 3; fd < SLOT_BASE + 32 * MAX_THREADS; fd++) {
        int f = file_of(fd);
        n += f >= 0;
    }
    return n;
}

/* ---- soak mode ---------------------------------------------------------------- */

struct mem {
    long rss, anon, hwm; /* KiB: VmRSS, RssAnon, VmHWM */
};

static struct mem sample_memory(void)
{
    struct mem m = {-1, -1, -1};
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    CHECK(f != NULL);
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "VmRSS: %ld", &m.rss);
        sscanf(line, "RssAnon: %ld", &m.anon);
        sscanf(line, "VmHWM: %ld", &m.hwm);
    }
    fclose(f);
    CHECK(m.rss >= 0 && m.anon >= 0 && m.hwm >= 0);
    return m;
}

/* Open descriptors of this process (the directory's own not counted). */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] >= '0' && e->d_name[0] <= '9';
    closedir(d);
    return n - 1;
}

static void print_line(double el, unsigned long rounds, struct mem m, int fds)
{
    unsigned long ops = 0;
    for (int t = 0; t < nthreads; t++)
        ops += workers[t].ops;
    printf("soak %7.1f s  round %6lu  ops %11lu  notifications %9lu  stale %lu  "
           "rss %ld KiB  anon %ld KiB  peak %ld KiB  fds %d\n",
           el, rounds, ops, __atomic_load_n(&notifications, __ATOMIC_RELAXED),
           __atomic_load_n(&violations, __ATOMIC_RELAXED), m.rss, m.anon, m.hwm, fds);
}

/* The main thread's part of a soak: at every round's end (the workers wait
 * at the barrier), look at the round, then let them go on or stop.  Returns
 * the number of rounds; *FAILED is set on anything wrong. */
static unsigned long soak(uint64_t t_start, int verbose, int *failed)
{
    long interval = env_long("STRESS_SOAK_INTERVAL", 10);
    long bound = env_long("STRESS_SOAK_MAX_GROWTH_KB", 2048);
    CHECK(interval >= 1 && bound >= 0);
    unsigned long rounds = 0, seen = 0, leftovers = 0, fd_changes = 0;
    double next_line = (double)interval, el = 0, base_el = 0;
    int fds0 = -1, fds = 0, printed = 0;
    struct mem base = {-1, -1, -1}, m = {0, 0, 0};
    unsigned long base_round = 0;
    /* RSS per round after the first interval line: least-squares trend */
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    long n = 0, grew = 0, shrank = 0, prev = -1;
    for (;;) {
        pthread_barrier_wait(&round_end);
        rounds++;
        el = (double)(now_ns() - t_start) / 1e9;
        unsigned long v = __atomic_load_n(&violations, __ATOMIC_RELAXED);
        if (v > seen) {
            printf("round %lu (%.1f s): %lu stale deliver%s\n", rounds, el, v - seen,
                   v - seen == 1 ? "y" : "ies");
            analyse(seen, v, verbose);
            seen = v;
        }
        int open_now = test_files_open(), leases = 0;
        for (int i = 0; i < NFILES; i++)
            leases += lst_leases_on(paths[i]);
        if (open_now || leases) {
            printf("round %lu: %d test files still open, %d leases left\n", rounds, open_now, leases);
            leftovers++;
        }
        fds = count_fds();
        if (fds0 < 0)
            fds0 = fds;
        else if (fds != fds0 && fd_changes++ < 10)
            printf("round %lu: %d descriptors open, %d after round 1\n", rounds, fds, fds0);
        m = sample_memory();
        if (prev >= 0) {
            sx += (double)rounds;
            sy += (double)m.rss;
            sxx += (double)rounds * (double)rounds;
            sxy += (double)rounds * (double)m.rss;
            n++;
            grew += m.rss > prev;
            shrank += m.rss < prev;
            prev = m.rss;
        }
        printed = 0;
        if (el >= next_line) {
            if (base.rss < 0) {
                base = m;
                base_el = el;
                base_round = rounds;
                prev = m.rss;
            }
            print_line(el, rounds, m, fds);
            printed = 1;
            while (next_line <= el)
                next_line += (double)interval;
        }
        soak_stop = el >= (double)soak_secs;
        pthread_barrier_wait(&round_start);
        if (soak_stop)
            break;
    }
    if (!printed)
        print_line(el, rounds, m, fds);

    unsigned long ops = 0;
    for (int t = 0; t < nthreads; t++)
        ops += workers[t].ops;
    printf("soak: %.1f s, %lu rounds, %lu ops, %lu notifications, %lu stale deliveries (violations)",
           el, rounds, ops, notifications, violations);
    for (int c = 0; c < NCLS && violations; c++)
        printf("%s %s %lu", c ? "," : ":", clsname[c], cls_total[c]);
    printf("\n");
    long growth = 0;
    if (base.rss < 0) {
        printf("soak memory: shorter than one interval, no growth measured; RSS %ld KiB, peak %ld KiB\n",
               m.rss, m.hwm);
    } else {
        growth = m.rss - base.rss;
        double slope = n > 1 && (double)n * sxx - sx * sx != 0
                           ? ((double)n * sxy - sx * sy) / ((double)n * sxx - sx * sx)
                           : 0;
        printf("soak memory: RSS %ld KiB after the first interval (round %lu, %.1f s), %ld KiB at the "
               "end: %+ld KiB (bound %ld KiB); anonymous %ld -> %ld KiB (%+ld); trend %+.3f KiB a "
               "round over %ld rounds (grew in %ld, shrank in %ld); peak %ld KiB\n",
               base.rss, base_round, base_el, m.rss, growth, bound, base.anon, m.anon,
               m.anon - base.anon, slope, n, grew, shrank, m.hwm);
    }
    printf("soak descriptors: %d open at the end of round 1, %lu rounds with another count; "
           "%lu rounds left a test file open or a lease\n", fds0, fd_changes, leftovers);
    *failed = violations || leftovers || fd_changes || growth > bound;
    const char *sep = " ";
    printf("soak: %s", *failed ? "FAILED:" : "passed");
    if (violations)
        printf("%sstale deliveries", sep), sep = ", ";
    if (leftovers)
        printf("%sleftovers after a round", sep), sep = ", ";
    if (fd_changes)
        printf("%sdescriptor count changed", sep), sep = ", ";
    if (growth > bound)
        printf("%smemory grew beyond the bound", sep);
    printf("\n");
    return rounds;
}

int main(void)
{
    nops = env_long("STRESS_OPS", 100000);
    nthreads = (int)env_long("STRESS_THREADS", 4);
    no_replace = env_long("STRESS_NO_REPLACE", 0) != 0;
    break_pause_us = env_long("STRESS_BREAK_PAUSE_US", 20);
    CHECK(break_pause_us >= 0 && break_pause_us < 1000000);
    soak_secs = env_long("STRESS_SOAK_SECONDS", 0);
    CHECK(soak_secs >= 0);
    int verbose = (int)env_long("STRESS_VERBOSE", soak_secs ? 5 : 0);
    sig_per_file = env_long("STRESS_SIG_PER_FILE", 0) != 0;
    CHECK(nthreads >= 1 && nthreads <= MAX_THREADS && nops >= 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_tid = syscall(SYS_gettid);

    static const char *const names[NFILES] = {"lease0", "lease1", "lease2", "lease3",
                                              "plain0", "plain1", "plain2", "plain3"};
    for (int i = 0; i < NFILES; i++) {
        paths[i] = strdup(lst_path(names[i]));
        close(lst_open(paths[i], O_RDONLY));
        struct stat st;
        CHECK(stat(paths[i], &st) == 0);
        file_dev[i] = st.st_dev;
        file_ino[i] = st.st_ino;
    }

    struct sigaction sa = {.sa_sigaction = on_notify, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (int f = 0; f < (sig_per_file ? NLEASE : 1); f++)
        CHECK(sigaction(lst_sig() + f, &sa, NULL) == 0);
    struct sigaction sio = {.sa_handler = on_sigio, .sa_flags = SA_RESTART};
    sigemptyset(&sio.sa_mask);
    CHECK(sigaction(SIGIO, &sio, NULL) == 0);

    bs = mmap(NULL, sizeof *bs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(bs != MAP_FAILED);
    if (soak_secs) {
        memset(bs, 0, sizeof *bs); /* resident from the start: the ring fills as it goes */
        CHECK(pthread_barrier_init(&round_end, NULL, (unsigned)nthreads + 1) == 0);
        CHECK(pthread_barrier_init(&round_start, NULL, (unsigned)nthreads + 1) == 0);
    }
    test_pid = getpid();
    pid_t brk_pid = fork();
    CHECK(brk_pid >= 0);
    if (brk_pid == 0)
        breaker();

    uint64_t t_start = now_ns();
    for (int t = 0; t < nthreads; t++) {
        workers[t].id = t;
        workers[t].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1);
        CHECK(pthread_create(&workers[t].th, NULL, work, &workers[t]) == 0);
    }
    unsigned long rounds = 1;
    int soak_failed = 0;
    if (soak_secs)
        rounds = soak(t_start, verbose, &soak_failed);
    for (int t = 0; t < nthreads; t++)
        CHECK(pthread_join(workers[t].th, NULL) == 0);
    double secs = (double)(now_ns() - t_start) / 1e9;

    bs->stop = 1;
    int st;
    CHECK(waitpid(brk_pid, &st, 0) == brk_pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* let notifications still queued land before counting */
    struct timespec settle = {0, 100 * 1000 * 1000};
    nanosleep(&settle, NULL);

    unsigned long ops = 0, lok = 0, lfail = 0, unl = 0, dups = 0, d2 = 0, d3 = 0, cl = 0, rg = 0;
    for (int t = 0; t < nthreads; t++) {
        ops += workers[t].ops;
        lok += workers[t].leases_ok;
        lfail += workers[t].leases_failed;
        unl += workers[t].unlocks;
        dups += workers[t].dups;
        d2 += workers[t].dup2s;
        d3 += workers[t].dup3s;
        cl += workers[t].closes;
        rg += workers[t].ranges;
    }
    int leases_left = 0;
    for (int i = 0; i < NFILES; i++)
        leases_left += lst_leases_on(paths[i]);
    int open_left = test_files_open();

    printf("stress_mixed: %d threads x %ld ops", nthreads, nops);
    if (soak_secs)
        printf(" x %lu rounds", rounds);
    printf(" in %.2f s%s\n", secs, no_replace ? " (dup2/dup3 only onto free slots)" : "");
    printf("ops %lu: leases %lu (refused %lu), unlocks %lu, dups %lu, dup2 %lu, dup3 %lu, "
           "closes %lu, close_range %lu\n", ops, lok, lfail, unl, dups, d2, d3, cl, rg);
    printf("breaker: %lu rounds, %lu breaks started, %lu opens without a lease, %lu other errors\n",
           bs->rounds, bs->breaks, bs->opened, bs->other_errors);
    printf("notifications %lu, violations %lu (plain file %lu, other %lu, closed %lu), "
           "plain SIGIO %lu\n", notifications, violations, violations_plain, violations_other,
           violations_closed, plain_sigio);
    if (sig_per_file)
        printf("signal per lease file: si_fd named another lease file %lu times\n", wrong_lease);
    printf("leases left on test files %d, test files still open %d\n", leases_left, open_left);
    if (violations && !soak_secs) /* a soak analysed them round by round */
        analyse(0, violations, verbose);

    CHECK_EQ(ops, (unsigned long)nthreads * (unsigned long)nops * rounds);
    CHECK_EQ(bs->other_errors, 0);
    CHECK_EQ(open_left, 0);
    CHECK_EQ(leases_left, 0);
    if (soak_secs)
        return soak_failed; /* violations among the reasons, said above */
    CHECK_EQ(violations, 0);
    return 0;
}
