/* Trampoline, scenario 12 continued: a notification recovered from a
 * queue overflow keeps the application's SA_RESTART.  The main thread
 * blocks in read() on an empty pipe; RLIMIT_SIGPENDING is 0, SIGIO is
 * SIG_DFL, the application's real-time handler has SA_RESTART (variant 1)
 * or not (variant 2).  A lease break overflows into SIGIO, which the shim
 * turns into the real-time notification; a helper thread writes a byte
 * 200 ms after the handler ran.  Had the notification been queued, the
 * kernel would restart the read under SA_RESTART and fail it with EINTR
 * without: the same is expected here.  Without the shim SIGIO kills. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int calls, got_fd;
static pid_t main_tid;
static int pipefd[2];
static const char *data;

static void on_note(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    got_fd = si->si_fd;
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
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    int i;
    for (i = 0; i < 2000 && !in_read(main_tid); i++)
        usleep(1000);
    CHECK(i < 2000);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    for (i = 0; i < 400 && !calls; i++)
        usleep(5000);
    usleep(200000);
    CHECK(write(pipefd[1], "x", 1) == 1);
    return NULL;
}

static int body(void *arg)
{
    int flags = SA_SIGINFO | (int)(long)arg;
    int restart = (flags & SA_RESTART) != 0; /* what the kernel does for a queued one */
    int sig = lst_sig();
    main_tid = gettid();
    data = lst_path(restart ? "restart" : "norestart");
    struct sigaction sa = {.sa_sigaction = on_note, .sa_flags = flags};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    CHECK(pipe(pipefd) == 0);
    struct rlimit none = {0, 0};
    CHECK(setrlimit(RLIMIT_SIGPENDING, &none) == 0);

    pthread_t t;
    CHECK(pthread_create(&t, NULL, breaker, NULL) == 0);
    char c = 0;
    errno = 0;
    ssize_t r = read(pipefd[0], &c, 1);
    int e = errno;
    CHECK(pthread_join(t, NULL) == 0);
    printf("real-time handler %s SA_RESTART: read -> %zd (%s), handler calls %d, si_fd %d (lease fd %d)\n",
           restart ? "with" : "without", r, r < 0 ? strerror(e) : "data", calls, got_fd, a);
    fflush(stdout);
    CHECK_EQ(calls, 1);
    CHECK_EQ(got_fd, a);
    if (restart) {
        CHECK_EQ(r, 1);
        CHECK_EQ(c, 'x');
    } else {
        CHECK_EQ(r, -1);
        CHECK_EQ(e, EINTR);
    }
    return 0;
}

int main(void)
{
    lst_path("x");
    int st1 = lst_in_child(body, (void *)(long)SA_RESTART);
    int st2 = lst_in_child(body, (void *)0L);
    if (st1 == 128 + SIGIO || st2 == 128 + SIGIO)
        fprintf(stderr, "killed by SIGIO\n");
    CHECK_EQ(st1, 0);
    CHECK_EQ(st2, 0);
    return 0;
}
