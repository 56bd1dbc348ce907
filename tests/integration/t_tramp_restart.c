/* Trampoline, scenario 10: SA_RESTART is kept.  The main thread blocks in
 * read() on an empty pipe; a lease-break notification interrupts it; another
 * thread writes one byte 200 ms after the handler ran.  With SA_RESTART the
 * read keeps waiting and returns the byte; without it read fails with EINTR.
 * The expectation of each variant comes from the flags it sets (glibc's
 * signal() is BSD: SA_RESTART unless siginterrupt(sig, 1); sysv_signal() is
 * not restarted), which is what the kernel does without the shim; the
 * application's view of SA_RESTART is checked to agree.  The helper thread
 * waits until the kernel reports the main thread inside read (SYS_read in
 * /proc/self/task/TID/syscall) before it breaks the lease. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* siginterrupt */

typedef void (*handler_fn)(int);
handler_fn sysv_signal(int sig, handler_fn h);

static volatile int calls;
static pid_t main_tid;
static int pipefd[2];
static const char *victim;

static void one_arg(int sig)
{
    (void)sig;
    calls++;
}

static void three_args(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    (void)ctx;
    calls++;
}

static int in_read(pid_t tid)
{
    char p[64], buf[64], want[16];
    snprintf(p, sizeof p, "/proc/self/task/%d/syscall", (int)tid);
    snprintf(want, sizeof want, "%d ", SYS_read);
    int fd = open(p, O_RDONLY);
    CHECK(fd >= 0);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return strncmp(buf, want, strlen(want)) == 0;
}

static void *breaker(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* the main thread takes the signal */
    int i;
    for (i = 0; i < 2000 && !in_read(main_tid); i++)
        usleep(1000);
    CHECK(i < 2000);
    int before = calls;
    CHECK_EQ(lst_break(victim, 0), EWOULDBLOCK);
    for (i = 0; i < 400 && calls == before; i++)
        usleep(5000);
    CHECK(calls > before);
    usleep(200000);
    CHECK(write(pipefd[1], "x", 1) == 1);
    return NULL;
}

enum how { SA_AFTER, SA_BEFORE, SIGNAL, SIGNAL_INTERRUPT, SYSV, ONEARG_SA };

static const char *names[] = {"sigaction SA_RESTART after fcntl", "sigaction without SA_RESTART before fcntl",
                              "signal()", "signal() + siginterrupt(1)", "sysv_signal()",
                              "one-argument sigaction SA_RESTART|SA_NODEFER"};

/* Set the handler for SIG the way HOW says; returns whether the kernel
 * restarts a read interrupted by it (from the flags, not from a run). */
static int set_handler(enum how how, int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    switch (how) {
    case SA_AFTER:
        sa.sa_sigaction = three_args;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        CHECK(sigaction(sig, &sa, NULL) == 0);
        return (sa.sa_flags & SA_RESTART) != 0;
    case SA_BEFORE:
        sa.sa_sigaction = three_args;
        sa.sa_flags = SA_SIGINFO;
        CHECK(sigaction(sig, &sa, NULL) == 0);
        return (sa.sa_flags & SA_RESTART) != 0;
    case SIGNAL:
        CHECK(signal(sig, one_arg) != SIG_ERR);
        return 1;
    case SIGNAL_INTERRUPT:
        CHECK(signal(sig, one_arg) != SIG_ERR);
        CHECK_EQ(siginterrupt(sig, 1), 0);
        return 0;
    case SYSV:
        CHECK(sysv_signal(sig, one_arg) != SIG_ERR);
        return 0;
    case ONEARG_SA:
        sa.sa_handler = one_arg;
        sa.sa_flags = SA_RESTART | SA_NODEFER;
        CHECK(sigaction(sig, &sa, NULL) == 0);
        return 1;
    }
    return -1;
}

int main(void)
{
    int sig = lst_sig();
    main_tid = gettid();
    CHECK(pipe(pipefd) == 0);
    for (enum how how = SA_AFTER; how <= ONEARG_SA; how++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", (int)how);
        victim = lst_path(name);
        int restart = -1;
        if (how == SA_BEFORE)
            restart = set_handler(how, sig);
        int fd = lst_open(victim, O_RDONLY);
        lst_lease(fd, F_RDLCK);
        if (how != SA_BEFORE)
            restart = set_handler(how, sig);
        struct sigaction q;
        CHECK(sigaction(sig, NULL, &q) == 0);
        CHECK_EQ((q.sa_flags & SA_RESTART) != 0, restart);

        calls = 0;
        pthread_t t;
        CHECK(pthread_create(&t, NULL, breaker, NULL) == 0);
        char c = 0;
        errno = 0;
        ssize_t r = read(pipefd[0], &c, 1);
        int e = errno;
        CHECK(pthread_join(t, NULL) == 0);
        printf("%-45s read -> %zd (%s), handler calls %d\n", names[how], r,
               r < 0 ? strerror(e) : "data", calls);
        CHECK_EQ(calls, 1);
        if (restart) {
            CHECK_EQ(r, 1);
            CHECK_EQ(c, 'x');
        } else {
            CHECK_EQ(r, -1);
            CHECK_EQ(e, EINTR);
            CHECK_EQ(read(pipefd[0], &c, 1), 1); /* the byte came later */
        }
        CHECK(close(fd) == 0);
    }
    return 0;
}
