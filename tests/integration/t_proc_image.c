/* t_proc_image - the program the t_proc_* tests exec (dynamically linked, so
 * the inherited LD_PRELOAD loads the shim into it).  Not a test by itself.
 *
 * Every mode judges what this image observes (si_fd, its signal mask,
 * getenv/environ, fdinfo, /proc/locks) and exits 0 only if all is right;
 * CHECK prints the failed condition on stderr and exits 1.  READY is a
 * descriptor inherited from the test: one byte 'R' on it says "set up, go".
 *
 *   handler READY FD PATH      install a handler; the next lease break must
 *                              carry si_fd == FD naming PATH; answer it
 *   asynchandler READY FD      install a handler; the next notification must
 *                              be POLL_IN for the pipe read end FD
 *   nohandler READY SECS       no handler at all: sleep(SECS), exit 0
 *   nohandler-read READY IN    no handler at all: one blocking read() of a
 *                              byte from the inherited pipe IN must return
 *                              it (no EINTR: a program without a handler is
 *                              never interrupted by the signal)
 *   env READY FD PATH OTHER    LEASE_SHIM_HANDOVER is in neither getenv nor
 *                              environ; the adopted registration of FD is
 *                              tracked: after dup, close(FD) and reuse of
 *                              the number, the break carries the dup
 *   chain MODE ARGS...         check the variable is gone, then exec this
 *                              program again as MODE ARGS... (a second
 *                              hand-over of what this image adopted)
 *   mask READY HEX FD          the mask (signals 1..64) equals HEX; then wait
 *                              for the lease on FD to be broken and gone
 *                              (answered by the shim, no handler here); if
 *                              the notification signal is blocked, wait for
 *                              it to be pending first, then unblock it
 *   noleases READY FD PATH     FD still names PATH, but no lease is left on it;
 *                              READY is a socket: after 'R', wait for one
 *                              byte (or hang-up) from the test, then exit 0
 *   blocked SIG                exit 0 iff SIG is blocked in this image
 *   ownlease REPORT PATH       (stdio may be closed) take a read lease on
 *                              PATH with a handler, wait for its break, write
 *                              "FD SI_FD NAMES" to the file REPORT, answer
 *                              the break; exit 3 if no break came in 3 s
 */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define VAR "LEASE_SHIM_HANDOVER"

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

static void ready(int fd)
{
    CHECK(write(fd, "R", 1) == 1);
    close(fd);
}

static int num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 0);
    CHECK(*s && !*end);
    return (int)v;
}

static void check_no_var(void)
{
    CHECK(getenv(VAR) == NULL);
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, VAR "=", sizeof VAR) == 0) {
            fprintf(stderr, "environ still has %s\n", *e);
            exit(1);
        }
}

/* The next notification: si_fd must be WANT and name PATH; answer the break. */
static void expect_break(int want, const char *path)
{
    CHECK(lst_wait(1, 3000) >= 1);
    fprintf(stderr, "t_proc_image[%d]: break with si_fd %d (want %d)\n", (int)getpid(),
            lst_fd_at(0), want);
    CHECK_EQ(lst_fd_at(0), want);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK(lst_fd_names(want, path));
    CHECK_EQ(fcntl(want, F_SETLEASE, F_UNLCK), 0);
}

static int mode_handler(char **a)
{
    int rd = num(a[0]), fd = num(a[1]);
    lst_record(lst_sig());
    ready(rd);
    expect_break(fd, a[2]);
    return 0;
}

static int mode_asynchandler(char **a)
{
    int rd = num(a[0]), fd = num(a[1]);
    lst_record(lst_sig());
    ready(rd);
    CHECK(lst_wait(1, 3000) >= 1);
    fprintf(stderr, "t_proc_image[%d]: notification with si_fd %d (want %d)\n", (int)getpid(),
            lst_fd_at(0), fd);
    CHECK_EQ(lst_fd_at(0), fd);
    CHECK_EQ(lst_code_at(0), POLL_IN);
    char c;
    CHECK(read(fd, &c, 1) == 1);
    return 0;
}

static int mode_nohandler(char **a)
{
    int rd = num(a[0]);
    unsigned secs = (unsigned)num(a[1]);
    ready(rd);
    unsigned left = sleep(secs);
    if (left)
        fprintf(stderr, "t_proc_image[%d]: sleep(%u) returned early, %u s left\n",
                (int)getpid(), secs, left);
    return 0;
}

static int mode_nohandler_read(char **a)
{
    int rd = num(a[0]), in = num(a[1]);
    ready(rd);
    char c;
    ssize_t n = read(in, &c, 1);
    if (n != 1) {
        fprintf(stderr, "t_proc_image[%d]: read() returned %zd (%s)\n", (int)getpid(), n,
                n < 0 ? strerror(errno) : "end of file");
        return 1;
    }
    return 0;
}

static int mode_env(char **a)
{
    int rd = num(a[0]), fd = num(a[1]);
    check_no_var();
    lst_record(lst_sig());
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_RDLCK);
    int d = dup(fd);
    CHECK(d >= 0);
    CHECK_EQ(close(fd), 0);
    int o = open(a[3], O_RDONLY);
    CHECK_EQ(o, fd); /* the number now names another file */
    ready(rd);
    expect_break(d, a[2]);
    return 0;
}

static int mode_chain(char **a)
{
    check_no_var();
    char *argv[16] = {"t_proc_image"};
    int n = 1;
    for (; a[n - 1] && n < 15; n++)
        argv[n] = a[n - 1];
    argv[n] = NULL;
    execv(lst_self_exe(), argv);
    perror("execv");
    return 1;
}

static int mode_mask(char **a)
{
    int rd = num(a[0]), fd = num(a[2]);
    unsigned long long want = strtoull(a[1], NULL, 16);
    sigset_t now;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
    int bad = 0;
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == 32 || sig == 33) /* glibc's own, never in a mask it reports */
            continue;
        int w = (int)((want >> (sig - 1)) & 1), h = sigismember(&now, sig) == 1;
        if (w != h) {
            fprintf(stderr, "t_proc_image: signal %d is %s, was %s before exec\n", sig,
                    h ? "blocked" : "unblocked", w ? "blocked" : "unblocked");
            bad = 1;
        }
    }
    CHECK(!bad);
    int rt_blocked = sigismember(&now, lst_sig()) == 1;
    ready(rd);
    if (rt_blocked) {
        sigset_t pend;
        long end = now_ms() + 3000;
        do {
            nap_ms(5);
            CHECK(sigpending(&pend) == 0);
        } while (sigismember(&pend, lst_sig()) != 1 && now_ms() < end);
        CHECK(sigismember(&pend, lst_sig()) == 1);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, lst_sig());
        CHECK(sigprocmask(SIG_UNBLOCK, &one, NULL) == 0);
    }
    long end = now_ms() + 3000;
    while (fcntl(fd, F_GETLEASE) != F_UNLCK || lst_fdinfo_leases(fd) != 0) {
        CHECK(now_ms() < end);
        nap_ms(5);
    }
    nap_ms(100);
    return 0;
}

static int mode_noleases(char **a)
{
    int rd = num(a[0]), fd = num(a[1]);
    CHECK(lst_fd_names(fd, a[2]));
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_UNLCK);
    CHECK_EQ(lst_fdinfo_leases(fd), 0);
    CHECK_EQ(lst_leases_on(a[2]), 0);
    CHECK(write(rd, "R", 1) == 1);
    char c;
    (void)!read(rd, &c, 1); /* a socket: stay until the test answers or hangs up */
    return 0;
}

static int mode_blocked(char **a)
{
    sigset_t now;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
    return sigismember(&now, num(a[0])) == 1 ? 0 : 1;
}

static int mode_ownlease(char **a)
{
    lst_record(lst_sig());
    int fd = open(a[1], O_RDONLY);
    if (fd < 0)
        return 2;
    lst_lease(fd, F_RDLCK);
    if (lst_wait(1, 3000) < 1)
        return 3;
    int got = lst_fd_at(0);
    char line[64];
    int n = snprintf(line, sizeof line, "%d %d %d\n", fd, got, lst_fd_names(got, a[1]));
    int r = open(a[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (r < 0 || write(r, line, (size_t)n) != n || close(r) != 0)
        return 4;
    fcntl(fd, F_SETLEASE, F_UNLCK);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int nargs;
        int (*fn)(char **);
    } modes[] = {
        {"handler", 3, mode_handler}, {"nohandler", 2, mode_nohandler}, {"env", 4, mode_env},
        {"nohandler-read", 2, mode_nohandler_read}, {"asynchandler", 2, mode_asynchandler},
        {"chain", 1, mode_chain},     {"mask", 3, mode_mask},           {"noleases", 3, mode_noleases},
        {"blocked", 1, mode_blocked}, {"ownlease", 2, mode_ownlease},
    };
    CHECK(argc >= 2);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(argv[1], modes[i].name) == 0) {
            CHECK(argc >= 2 + modes[i].nargs);
            return modes[i].fn(argv + 2);
        }
    fprintf(stderr, "t_proc_image: unknown mode %s\n", argv[1]);
    return 1;
}
