/* t_tramp_overflow_context - every call of the application's handler looks
 * like a kernel delivery (issue #12 item 7), including one the shim makes
 * up after a queue overflow.  With RLIMIT_SIGPENDING at 0 nothing can be
 * queued: the kernel sends plain SIGIO, and the shim, unable to queue the
 * recovered notification either, delivers it itself.  The handler (with
 * SIGUSR2 in its sa_mask) must then see a ucontext, its own signal and
 * SIGUSR2 blocked, and its si_fd naming the lease; after it returns, the
 * mask is the program's again.  Run in a child, as t_tramp_overflow. */
#include "lstest.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int calls, had_ctx, own_blocked, mask_blocked, got_fd = -1, code;

static void handler(int sig, siginfo_t *si, void *ctx)
{
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    calls++;
    had_ctx = ctx != NULL;
    own_blocked = sigismember(&now, sig);
    mask_blocked = sigismember(&now, SIGUSR2);
    got_fd = si->si_fd;
    code = si->si_code;
}

static int body(void *arg)
{
    (void)arg;
    const char *data = lst_path("data");
    int sig = lst_sig();
    struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    struct rlimit none = {0, 0};
    CHECK(setrlimit(RLIMIT_SIGPENDING, &none) == 0);
    pid_t w = fork();
    CHECK(w >= 0);
    if (w == 0) {
        int fd = open(data, O_WRONLY | O_NONBLOCK);
        _exit(fd < 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    for (int i = 0; i < 2000 * lst_slow() && !calls; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    int st;
    while (waitpid(w, &st, 0) < 0)
        CHECK(errno == EINTR);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ(calls, 1);
    CHECK_EQ(had_ctx, 1);
    CHECK_EQ(own_blocked, 1);
    CHECK_EQ(mask_blocked, 1);
    CHECK_EQ(got_fd, a);
    CHECK_EQ(code, POLL_MSG);
    sigset_t now;
    CHECK(pthread_sigmask(SIG_SETMASK, NULL, &now) == 0);
    CHECK_EQ(sigismember(&now, sig), 0);
    CHECK_EQ(sigismember(&now, SIGUSR2), 0);
    return 0;
}

int main(void)
{
    lst_path("x");
    int st = lst_in_child(body, NULL);
    if (st == 128 + SIGIO)
        fprintf(stderr, "killed by SIGIO\n");
    CHECK_EQ(st, 0);
    return 0;
}
