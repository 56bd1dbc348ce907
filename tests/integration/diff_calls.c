/* diff_calls.c - differential test: bad and odd descriptor calls.
 *
 * Prints one line per call: the call as written, its return value and errno
 * (errno is set to a sentinel, EDOM, before every call, so a wrapper that
 * touches errno on success shows up too).  diff_run.sh runs this program
 * without and with the shim and compares the two outputs byte for byte:
 * SPEC §3 says return values, errno and the numbers the kernel hands out next
 * are exactly what they would be without the shim.
 *
 * The same battery of calls runs on bad descriptors (-1, a closed number,
 * 1000000, 2000000, INT_MAX) and on descriptors the shim tracks (the notify
 * fd of a read lease, its alias, an O_ASYNC pipe, a file with both), so the
 * shim's tracked paths run.  Nothing printed may vary between runs: no pids,
 * no addresses, no temporary directory names (paths are printed relative).
 *
 * Only what the shim must not change is printed.  What it changes on
 * purpose (leases released in /proc/locks when no alias survives, synthetic
 * O_ASYNC notifications to a process that handles them) is not printed.
 * The last part checks, in children whose SIGIO disposition is SIG_DFL,
 * that no signal arrives where the kernel sends none.
 *
 * Each part runs in a child of its own, so a crash in one does not hide what
 * the others print; the program exits 1 if any part did not exit 0.
 */
#include "lstest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define SENTINEL EDOM

static const char *dir_prefix; /* "/tmp/lstest-XXXXXX/" of this run */

static const char *errno_name(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

static void show(const char *what, long r, int e)
{
    if (e == SENTINEL)
        printf("%-58s = %ld  errno unchanged\n", what, r);
    else
        printf("%-58s = %ld  errno %s(%d)\n", what, r, errno_name(e), e);
}

/* T(call): run CALL with errno = SENTINEL, print it, and yield its result. */
#define T(...)                                \
    ({                                        \
        errno = SENTINEL;                     \
        long r_ = (long)(__VA_ARGS__);        \
        int e_ = errno;                       \
        show(#__VA_ARGS__, r_, e_);           \
        r_;                                   \
    })

/* TV(call) for calls returning void. */
#define TV(...)                               \
    do {                                      \
        errno = SENTINEL;                     \
        __VA_ARGS__;                          \
        int e_ = errno;                       \
        show(#__VA_ARGS__, 0, e_);            \
    } while (0)

/* A process id printed as what it is to us, never as a number. */
static const char *pid_class(long pid)
{
    if (pid == 0)
        return "0";
    if (pid == getpid())
        return "self";
    if (pid == -getpgrp())
        return "-pgrp";
    if (pid == getpgrp())
        return "pgrp";
    if (pid == gettid())
        return "tid";
    return "other";
}

static void section(const char *name)
{
    printf("\n== %s ==\n", name);
}

static volatile sig_atomic_t signals_seen; /* counted, never printed (see top) */

static void count_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    (void)ctx;
    signals_seen++;
}

/* RLIMIT_NOFILE's hard limit; the tests never raise it (that needs
 * CAP_SYS_RESOURCE, which a container's root may lack). */
static rlim_t nofile_max(void)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    return rl.rlim_max;
}

/* Set the soft RLIMIT_NOFILE to CUR, or to the hard limit if that is lower. */
static void set_nofile(rlim_t cur)
{
    rlim_t max = nofile_max();
    struct rlimit rl = {cur < max ? cur : max, max};
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
}

/* Everything visible about FD that the shim must not have changed. */
static void state(const char *name, int fd)
{
    struct f_owner_ex ox = {0, 0};
    errno = SENTINEL;
    int fl = fcntl(fd, F_GETFL);
    int e_fl = errno;
    int fdfl = fcntl(fd, F_GETFD);
    int lease = fcntl(fd, F_GETLEASE);
    int sig = fcntl(fd, F_GETSIG);
    int own = fcntl(fd, F_GETOWN_EX, &ox);
    if (fl < 0) {
        printf("  state %s: closed (%s)\n", name, errno_name(e_fl));
        return;
    }
    printf("  state %s: flags=%#o async=%d cloexec=%d lease=%d sig=%s%d owner=%d:%d/%s\n", name,
           fl & ~O_ASYNC, !!(fl & O_ASYNC), fdfl, lease, sig >= SIGRTMIN ? "RTMIN+" : "",
           sig >= SIGRTMIN ? sig - SIGRTMIN : sig, own, ox.type, pid_class(ox.pid));
}

/* Every descriptor this process has open, with what it names (relative to
 * this run's directory) and its state. */
static void dump_fds(const char *when)
{
    printf("  -- open fds %s:\n", when);
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int dfd = dirfd(d);
    int fds[4096], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        int fd = atoi(e->d_name);
        if (fd != dfd && fd > 2)
            fds[n++] = fd;
    }
    closedir(d);
    for (int i = 1; i < n; i++) /* insertion sort: readdir order is the kernel's */
        for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
            int t = fds[j];
            fds[j] = fds[j - 1];
            fds[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        char link[64], target[PATH_MAX], name[PATH_MAX + 16];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fds[i]);
        ssize_t len = readlink(link, target, sizeof target - 1);
        target[len < 0 ? 0 : len] = '\0';
        size_t pl = strlen(dir_prefix);
        if (strncmp(target, dir_prefix, pl) == 0)
            snprintf(name, sizeof name, "%d->%s", fds[i], target + pl);
        else if (strncmp(target, "pipe:", 5) == 0)
            snprintf(name, sizeof name, "%d->pipe", fds[i]);
        else
            snprintf(name, sizeof name, "%d->other", fds[i]);
        state(name, fds[i]);
    }
}

/* ---- the battery -------------------------------------------------------- */

/* FCNTL calls that read or try to change FD but leave a valid one usable. */
static void fcntl_battery(int fd)
{
    struct f_owner_ex ox = {0, 0};
    struct f_owner_ex bad_type = {99, 0};
    struct f_owner_ex self_ex = {F_OWNER_PID, getpid()};
    long fl = T(fcntl(fd, F_GETFL));
    T(fcntl(fd, F_GETFD));
    T(fcntl(fd, F_GETLEASE));
    T(fcntl(fd, F_GETSIG));
    long own = T(fcntl(fd, F_GETOWN_EX, &ox));
    printf("  owner_ex: %ld type=%d pid=%s\n", own, own < 0 ? -1 : (int)ox.type,
           own < 0 ? "-" : pid_class(ox.pid));
    errno = SENTINEL;
    long o = fcntl(fd, F_GETOWN);
    int oe = errno;
    printf("%-58s = %s  errno %s(%d)\n", "fcntl(fd, F_GETOWN)", o < 0 && oe != SENTINEL ? "-1" : pid_class(o),
           errno_name(oe), oe);

    /* F_SETFL: with and without O_ASYNC, each restored */
    if (fl >= 0) {
        T(fcntl(fd, F_SETFL, fl | O_NONBLOCK));
        T(fcntl(fd, F_SETFL, fl & ~O_ASYNC));
        T(fcntl(fd, F_SETFL, fl | O_ASYNC));
        T(fcntl(fd, F_SETFL, fl | O_ASYNC)); /* no switch */
        T(fcntl(fd, F_SETFL, fl));
    } else {
        T(fcntl(fd, F_SETFL, O_NONBLOCK));
        T(fcntl(fd, F_SETFL, O_ASYNC));
        T(fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK));
        T(fcntl(fd, F_SETFL, 0));
    }

    /* F_SETLEASE with bad types */
    T(fcntl(fd, F_SETLEASE, 5));
    T(fcntl(fd, F_SETLEASE, -1));
    T(fcntl(fd, F_SETLEASE, 99));
    T(fcntl(fd, F_SETLEASE, INT_MAX));
    T(fcntl(fd, F_SETLEASE, F_RDLCK | F_WRLCK | 0x100));
    T(fcntl(fd, F_GETLEASE));
    T(fcntl(fd, F_SETLEASE, F_RDLCK)); /* a lease elsewhere on the OFD now names FD */
    T(fcntl(fd, F_GETLEASE));

    /* F_SETSIG with bad signals, then the value the registration uses */
    long sig = T(fcntl(fd, F_GETSIG));
    T(fcntl(fd, F_SETSIG, -1));
    T(fcntl(fd, F_SETSIG, 65));
    T(fcntl(fd, F_SETSIG, 1000));
    T(fcntl(fd, F_SETSIG, INT_MAX));
    T(fcntl(fd, F_SETSIG, INT_MIN));
    T(fcntl(fd, F_GETSIG));
    if (sig >= 0)
        T(fcntl(fd, F_SETSIG, sig));

    /* F_SETOWN / F_SETOWN_EX: bad values, then this process again */
    T(fcntl(fd, F_SETOWN, INT_MAX));
    T(fcntl(fd, F_SETOWN, INT_MIN));
    T(fcntl(fd, F_SETOWN_EX, &bad_type));
    T(fcntl(fd, F_SETOWN_EX, (struct f_owner_ex *)NULL));
    T(fcntl(fd, F_GETOWN_EX, (struct f_owner_ex *)NULL));
    if (own >= 0 && ox.pid == getpid())
        T(fcntl(fd, F_SETOWN_EX, &self_ex));

    /* F_DUPFD with huge minimums, then real copies (closed again) */
    T(fcntl(fd, F_DUPFD, INT_MAX));
    T(fcntl(fd, F_DUPFD, -1));
    T(fcntl(fd, F_DUPFD, 1048576));
    T(fcntl(fd, F_DUPFD, 2000000));
    T(fcntl(fd, F_DUPFD_CLOEXEC, INT_MAX));
    T(fcntl(fd, F_DUPFD_CLOEXEC, 1 << 30));
    long c1 = T(fcntl(fd, F_DUPFD, 0));
    long c2 = T(fcntl(fd, F_DUPFD_CLOEXEC, 200));
    if (c2 >= 0)
        T(fcntl((int)c2, F_GETFD));
    if (c1 >= 0)
        T(close((int)c1));
    if (c2 >= 0)
        T(close((int)c2));

    /* unknown commands */
    T(fcntl(fd, 9999));
    T(fcntl(fd, 9999, 12345L));
    T(fcntl(fd, -1));

    /* the raw system call */
    T(syscall(SYS_fcntl, fd, F_GETLEASE));
    T(syscall(SYS_fcntl, fd, F_SETLEASE, 77L));
    T(syscall(SYS_fcntl, fd, F_SETSIG, 1000L));
    T(syscall(SYS_fcntl, fd, F_DUPFD, 2000000L));
    T(syscall(SYS_fcntl, fd, 9999L, 0L));
}

/* dup family with FD as source or target, that must fail or leave FD as it
 * was.  CLOSED is a descriptor number known to be free (the lowest free one
 * when the caller arranges it). */
static void dup_battery(int fd, int closed)
{
    T(dup2(fd, fd));
    T(dup3(fd, fd, 0));
    T(dup3(fd, fd, O_CLOEXEC));
    T(dup3(fd, fd, 0x40000000));
    T(dup3(fd, 300, 0x40000000));
    T(dup3(fd, 300, O_CLOEXEC | O_WRONLY)); /* negative flags: negative_flags() */
    T(dup2(fd, -1));
    T(dup2(fd, 20000));   /* beyond RLIMIT_NOFILE (set to 1024 below) */
    T(dup2(fd, 1000000));
    T(dup2(fd, 2000000));
    T(dup2(fd, INT_MAX));
    T(dup3(fd, 1000000, O_CLOEXEC));
    /* bad sources onto FD */
    T(dup2(-1, fd));
    T(dup2(1000000, fd));
    T(dup2(INT_MAX, fd));
    T(dup3(-1, fd, 0));
    T(dup3(-1, fd, 0x40000000));
    T(dup3(1000000, fd, O_CLOEXEC));
    T(syscall(SYS_dup3, fd, fd, 0L));
    T(syscall(SYS_dup3, -1L, fd, 0L));
    T(syscall(SYS_dup3, fd, 2000000L, 0L));
#ifdef SYS_dup2
    T(syscall(SYS_dup2, -1L, fd));
    T(syscall(SYS_dup2, fd, fd));
#endif
    /* a closed (free) source onto FD */
    T(dup2(closed, fd));
    T(dup3(closed, fd, 0));
    T(dup3(closed, fd, O_CLOEXEC));
#ifdef SYS_dup2
    T(syscall(SYS_dup2, closed, fd));
#endif
    T(syscall(SYS_dup3, closed, fd, 0L));
}

/* close_range calls that must leave FD open. */
static void range_battery(int fd)
{
    T(close_range(fd + 1u, (unsigned)fd, 0));
    T(close_range((unsigned)fd, (unsigned)fd, 0x8));
    T(close_range((unsigned)fd, (unsigned)fd, -1));
    T(close_range((unsigned)fd, (unsigned)fd, CLOSE_RANGE_CLOEXEC | 0x100));
    T(syscall(SYS_close_range, fd + 1L, (long)fd, 0L));
    T(syscall(SYS_close_range, (long)fd, (long)fd, 0x8L));
    T(close_range(5000, ~0U, 0));
    T(close_range(2000000, 3000000, 0));
    T(close_range(~0U, ~0U, 0));
    T(close_range(5000, ~0U, CLOSE_RANGE_UNSHARE));
    T(syscall(SYS_close_range, 5000L, (long)~0U, 0L));
    TV(closefrom(5000));
    TV(closefrom(INT_MAX));
}

/* The whole battery on FD, ending with FD closed twice; with UNLOCK, its
 * lease is given up twice first (else it goes away with the close). */
static void battery(const char *name, int fd, int closed, int unlock)
{
    printf("-- battery on %s\n", name);
    fcntl_battery(fd);
    dup_battery(fd, closed);
    range_battery(fd);
    T(fcntl(fd, F_GETLEASE));
    if (unlock) {
        T(fcntl(fd, F_SETLEASE, F_UNLCK));
        T(fcntl(fd, F_SETLEASE, F_UNLCK));
        T(fcntl(fd, F_GETSIG));
    }
    T(close(fd));
    T(close(fd));
    T(syscall(SYS_close, fd));
    T(fcntl(fd, F_GETLEASE));
}

/* ---- set-ups ------------------------------------------------------------- */

/* Open NAME read-only (created if needed) in this run's directory. */
static int open_file(const char *name)
{
    return lst_open(lst_path(name), O_RDONLY);
}

/* A lowest free descriptor number: opened and closed again. */
static int lowest_free(void)
{
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0);
    close(fd);
    return fd;
}

static void print_fd(const char *what, int fd)
{
    printf("  %s = %d\n", what, fd);
}

static void bad_descriptors(void)
{
    section("bad descriptors");
    int closed = lowest_free();
    int bad[] = {-1, closed, 1000000, 2000000, INT_MAX};
    const char *names[] = {"-1", "a closed fd", "1000000", "2000000", "INT_MAX"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        printf("-- fd = %s\n", names[i]);
        int fd = bad[i];
        fcntl_battery(fd);
        T(fcntl(fd, F_SETLEASE, F_RDLCK));
        T(fcntl(fd, F_SETLEASE, F_UNLCK));
        T(close(fd));
        T(syscall(SYS_close, fd));
        T(dup(fd));
        T(syscall(SYS_dup, fd));
        T(dup2(fd, fd));
        T(dup3(fd, fd, 0));
        T(dup2(fd, 100));
        T(dup3(fd, 100, O_CLOEXEC));
        T(dup3(fd, 100, 0x40000000));
    }
    section("pipe");
    int p[2];
    CHECK(pipe(p) == 0);
    T(fcntl(p[0], F_SETLEASE, F_RDLCK));
    T(fcntl(p[0], F_SETLEASE, F_WRLCK));
    T(fcntl(p[1], F_SETLEASE, F_WRLCK));
    T(fcntl(p[0], F_SETLEASE, F_UNLCK));
    T(fcntl(p[0], F_GETLEASE));
    T(close(p[0]));
    T(close(p[1]));
    section("ranges");
    T(close_range(3, 2, 0));
    T(close_range(10, 20, 0x8));
    T(close_range(10, 20, -1));
    T(close_range(5000, ~0U, 0));
    T(close_range(600, 100000, CLOSE_RANGE_CLOEXEC));
    T(close_range(2000000, 3000000, 0));
    T(close_range(~0U, 0, 0));
    T(syscall(SYS_close_range, 3L, 2L, 0L));
    T(syscall(SYS_close_range, 5000L, (long)~0U, 0L));
    T(syscall(SYS_close_range, 10L, 20L, 0x80L));
    T(syscall(SYS_close, -1L));
    T(syscall(SYS_close, 1000000L));
    T(syscall(SYS_dup3, -1L, 5L, 0L));
    T(syscall(SYS_fcntl, -1L, (long)F_GETFL));
    TV(closefrom(5000));
    TV(closefrom(INT_MAX));
}

/* A lease on a fresh file, with F_SETSIG: the notify fd. */
static int leased(const char *name)
{
    int fd = open_file(name);
    CHECK(fcntl(fd, F_SETSIG, lst_sig()) == 0);
    CHECK(fcntl(fd, F_SETLEASE, F_RDLCK) == 0);
    return fd;
}

/* O_ASYNC, owned by this process and with F_SETSIG, on FD. */
static void async_on(int fd)
{
    CHECK(fcntl(fd, F_SETOWN, getpid()) == 0);
    CHECK(fcntl(fd, F_SETSIG, lst_sig()) == 0);
    CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) == 0);
}

static void tracked_descriptors(void)
{
    section("read lease: notify fd, then its alias");
    int a = leased("lease1");
    int b = T(dup(a));
    print_fd("a", a);
    print_fd("b", b);
    battery("a (lease notify fd, alias b lives)", a, lowest_free(), 0);
    state("b", b);
    battery("b (lease notify fd, alone)", b, lowest_free(), 0);

    section("read lease: alias, then notify fd");
    a = leased("lease2");
    b = T(fcntl(a, F_DUPFD, 50));
    battery("b (alias of notify fd a)", b, lowest_free(), 0);
    state("a", a);
    battery("a (lease notify fd, alone)", a, lowest_free(), 1);

    section("O_ASYNC pipe: notify fd, then its alias");
    int p[2];
    CHECK(pipe(p) == 0);
    async_on(p[0]);
    int q = T(dup(p[0]));
    battery("p0 (O_ASYNC notify fd, alias q lives)", p[0], lowest_free(), 0);
    state("q", q);
    battery("q (O_ASYNC notify fd, alone)", q, lowest_free(), 1);
    T(close(p[1]));

    section("lease and O_ASYNC on one file");
    a = leased("both");
    async_on(a);
    b = T(dup3(a, 40, O_CLOEXEC));
    state("a", a);
    state("b", b);
    battery("a (lease and O_ASYNC notify fd, alias b lives)", a, lowest_free(), 0);
    state("b", b);
    battery("b (lease and O_ASYNC, alone)", b, lowest_free(), 1);

    section("lease owner set to the process group, the thread, nobody");
    a = leased("owner");
    b = T(dup(a));
    struct f_owner_ex tid_ex = {F_OWNER_TID, gettid()};
    T(fcntl(a, F_SETOWN, -getpgrp()));
    state("a", a);
    T(close(a));
    state("b", b);
    a = T(dup(b));
    T(fcntl(b, F_SETOWN_EX, &tid_ex));
    T(close(b));
    state("a", a);
    b = T(dup(a));
    T(fcntl(a, F_SETOWN, 0));
    T(close(a));
    state("b", b);
    T(close(b));
    T(close(b));

    section("write lease");
    a = open_file("wlease");
    T(fcntl(a, F_SETSIG, lst_sig()));
    T(fcntl(a, F_SETLEASE, F_WRLCK));
    b = T(dup(a));
    T(close(a));
    state("b", b);
    T(fcntl(b, F_SETLEASE, F_RDLCK));
    T(fcntl(b, F_GETLEASE));
    T(close(b));
}

/* The calls of the brief, on tracked descriptors, one after the other. */
static void sequences(void)
{
    section("sequences on a tracked fd");
    int a = leased("seq1");
    int b = T(dup(a));
    int plain = open_file("plain1");
    T(dup2(-1, a));
    T(dup2(plain + 1000, a));
    T(dup2(a, 20000));
    T(dup2(b, a)); /* same registration */
    T(fcntl(a, F_GETLEASE));
    T(dup2(plain, a)); /* a goes: re-home to b */
    state("a", a);
    state("b", b);
    T(close(a));
    T(close(a));
    T(fcntl(b, F_SETLEASE, F_UNLCK));
    T(fcntl(b, F_SETLEASE, F_UNLCK));
    T(fcntl(b, F_GETSIG));
    T(fcntl(b, F_SETLEASE, F_RDLCK)); /* again, now with signal 0 */
    T(fcntl(b, F_GETSIG));
    T(close(b));
    T(close(plain));

    section("close_range over tracked fds");
    a = leased("seq2");
    b = T(fcntl(a, F_DUPFD, 30));
    int c = T(fcntl(a, F_DUPFD_CLOEXEC, 31));
    T(close_range(30, 29, 0));
    T(close_range((unsigned)a, (unsigned)a, 0x8));
    T(close_range(30, 31, CLOSE_RANGE_CLOEXEC));
    state("b", b);
    state("c", c);
    T(close_range((unsigned)a, (unsigned)a, 0));
    state("b", b);
    T(close_range(30, 30, CLOSE_RANGE_UNSHARE));
    state("c", c);
    T(syscall(SYS_close_range, 31L, 31L, 0L));
    T(fcntl(31, F_GETFD));
    TV(closefrom(5000));

    section("syscall() on tracked fds");
    a = leased("seq3");
    b = T(syscall(SYS_dup, a));
    T(syscall(SYS_fcntl, a, F_GETLEASE));
    T(syscall(SYS_dup3, a, b, 0L));
    T(syscall(SYS_dup3, a, b, 0x1234L));
    T(syscall(SYS_close, a));
    T(syscall(SYS_close, a));
    state("b", b);
    T(syscall(SYS_fcntl, b, F_SETLEASE, (long)F_UNLCK));
    T(syscall(SYS_fcntl, b, F_SETLEASE, (long)F_UNLCK));
    T(syscall(SYS_close, b));
}

/* Tracked aliases at the highest numbers RLIMIT_NOFILE allows (up to nr_open
 * where the hard limit is that high), then with the soft limit lowered below
 * them.  The numbers depend on the hard limit, which is the same for both runs. */
static void high_numbers(void)
{
    section("numbers near the hard RLIMIT_NOFILE");
    rlim_t max = nofile_max();
    if (max > 1048576)
        max = 1048576;
    set_nofile(max);
    int top = (int)max - 1, next = (int)max - 2;
    int a = leased("high");
    T(dup2(a, top));
    T(fcntl(a, F_DUPFD, next));
    T(fcntl(a, F_DUPFD, top + 1));
    T(dup2(a, top + 1));
    T(close(a));
    state("top", top);
    state("next", next);
    set_nofile(64);
    T(dup2(next, top)); /* target open but beyond the soft limit */
    T(dup3(next, top, 0x40000000));
    T(dup2(0, top));
    long low = T(fcntl(top, F_DUPFD, 0));
    T(close(top));
    if (low >= 0)
        T(close((int)low));
    T(fcntl(next, F_SETLEASE, F_UNLCK));
    T(fcntl(next, F_SETLEASE, F_UNLCK));
    T(close(next));
    T(close(next));
    T(close_range(64, (unsigned)top, 0));
    set_nofile(1024);
}

/* No descriptor free: the shim cannot take its temporary copy (R4 fallback). */
static void table_full(void)
{
    section("descriptor table full");
    int a = leased("full");
    T(dup2(a, 100));
    int plain = open_file("plainfull");
    set_nofile(48);
    int n = 0;
    while (open("/dev/null", O_RDONLY) >= 0)
        n++;
    printf("  filled with %d more\n", n);
    T(open("/dev/null", O_RDONLY));
    T(dup(a));
    T(fcntl(a, F_DUPFD, 0));
    T(dup2(-1, a));
    T(dup2(100, a));
    T(dup2(a, 100));
    T(dup2(plain, 100)); /* target beyond the limit */
    T(dup3(plain, a, 0x40000000));
    T(dup3(plain, a, O_CLOEXEC)); /* a goes: re-home to 100 */
    state("a", a);
    state("100", 100);
    T(fcntl(plain, F_SETSIG, lst_sig()));
    T(fcntl(plain, F_SETLEASE, F_RDLCK));
    T(close(100));
    T(close(a));
    T(open("/dev/null", O_RDONLY));
    T(open("/dev/null", O_RDONLY));
    T(close_range(3, 47, 0));
    set_nofile(1024);
    T(close(plain));
    T(open("/dev/null", O_RDONLY));
    T(dup(0));
    T(close_range(3, 4, 0));
}

/* Which numbers open() and dup() hand out after mixed operations. */
static void numbering(void)
{
    section("fd numbering");
    int a = leased("num1");
    int p = open_file("num2");
    int b = T(dup(a));
    int c = T(dup(p));
    print_fd("a", a);
    print_fd("p", p);
    T(close(a));
    T(open("/dev/null", O_RDONLY));
    T(dup(c));
    T(dup2(b, 10));
    T(dup2(p, b));
    T(open("/dev/null", O_RDONLY));
    T(dup(10));
    T(fcntl(10, F_SETLEASE, F_RDLCK));
    T(dup3(c, 10, O_CLOEXEC));
    T(open("/dev/null", O_RDONLY));
    T(dup(p));
    T(close_range(3, 9, 0));
    T(open("/dev/null", O_RDONLY));
    T(dup(10));
    int d = leased("num3");
    int e = T(dup(d));
    T(close(d));
    T(close(e));
    T(open("/dev/null", O_RDONLY));
    T(dup(0));
    d = leased("num4");
    T(dup2(d, 20));
    T(dup2(d, 21));
    T(close_range(20, 21, 0));
    T(open("/dev/null", O_RDONLY));
    T(dup(d));
    T(close(d));
    T(open("/dev/null", O_RDONLY));
    T(dup(0));
    dump_fds("before the final closefrom");
    TV(closefrom(3));
    T(open("/dev/null", O_RDONLY));
    T(dup(0));
    TV(closefrom(3));
}

/* dup3 with negative flags, kept apart from the battery: with a tracked
 * descriptor on either side the call must still fail with EINVAL. */
static void negative_flags(void)
{
    section("dup3 with negative flags");
    int a = leased("neg");
    int plain = open_file("negplain");
    T(dup3(a, 300, -1));
    T(dup3(plain, a, -1));
    T(dup3(a, plain, INT_MIN));
    T(syscall(SYS_dup3, a, 300L, -1L));
    T(syscall(SYS_dup3, plain, a, -1L));
    T(fcntl(a, F_GETLEASE));
    T(close(a));
    T(close(plain));
}

/* Exit status of FN run in a child whose SIGIO disposition is SIG_DFL. */
static void in_child(const char *what, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        signal(SIGIO, SIG_DFL);
        fn();
        struct timespec ts = {0, 50 * 1000 * 1000}; /* let any signal land */
        nanosleep(&ts, NULL);
        _exit(0);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    if (WIFEXITED(st))
        printf("%-58s : exit %d\n", what, WEXITSTATUS(st));
    else
        printf("%-58s : killed by signal %d\n", what, WTERMSIG(st));
}

/* O_ASYNC on a regular file: the kernel never signals for one. */
static void async_regular_file(void)
{
    int f = open_file("async-file");
    fcntl(f, F_SETOWN, getpid());
    fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_ASYNC);
    int d = dup(f);
    close(f);
    close(d);
}

/* O_ASYNC with no owner: the kernel signals nobody. */
static void async_no_owner(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_ASYNC);
    int d = dup(p[1]);
    close(p[1]);
    close(d);
    close(p[0]);
}

static void signals_to_nobody(void)
{
    section("no signal where the kernel sends none");
    in_child("O_ASYNC regular file, owner self, dup, close", async_regular_file);
    in_child("O_ASYNC pipe, no owner, dup, close", async_no_owner);
}

static int parts_failed;

/* Run FN in a child, so that a crash in one part does not hide what the
 * others print; report how the child ended (and fail at the end if it did
 * not exit 0). */
static void part(const char *name, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        fn();
        fflush(stdout);
        _exit(0);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    if (WIFEXITED(st))
        printf("-- part %s: exit %d\n", name, WEXITSTATUS(st));
    else
        printf("-- part %s: killed by signal %d\n", name, WTERMSIG(st));
    parts_failed += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    closefrom(3);
    /* this run's directory, printed relative */
    static char prefix[PATH_MAX];
    const char *p = lst_path("x");
    snprintf(prefix, sizeof prefix, "%.*s", (int)(strrchr(p, '/') + 1 - p), p);
    dir_prefix = prefix;

    struct sigaction sa = {.sa_sigaction = count_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGIO, &sa, NULL) == 0);
    CHECK(sigaction(lst_sig(), &sa, NULL) == 0);
    set_nofile(1024);

    printf("diff_calls: bad and odd descriptor calls\n");
    part("bad descriptors", bad_descriptors);
    part("tracked descriptors", tracked_descriptors);
    part("negative dup3 flags", negative_flags);
    part("sequences", sequences);
    part("high numbers", high_numbers);
    part("table full", table_full);
    part("numbering", numbering);
    part("signals", signals_to_nobody);
    dump_fds("at the end");
    printf("END\n");
    return parts_failed ? 1 : 0;
}
