/* Trampoline, scenario 8: SA_RESETHAND is emulated so that a stale
 * notification the shim drops does not spend the application's one shot.
 * LEASE_SHIM_CLOSE=keep; a stale notification as in t_tramp_stale (the
 * kernel names a number that now names another file) is dropped: the
 * handler is not called and the disposition is still the handler.  The next
 * valid notification reaches the handler once; afterwards sigaction reports
 * SIG_DFL with the flags and mask kept, as the kernel does, and the kernel
 * itself holds SIG_DFL.  Without the shim the stale notification spends
 * the one shot. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static pid_t keeper_pid;
static int keeper_pipe[2];

static void keeper_start(void)
{
    CHECK(pipe(keeper_pipe) == 0);
    keeper_pid = fork();
    CHECK(keeper_pid >= 0);
    if (keeper_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(keeper_pipe[1]);
        char c;
        while (read(keeper_pipe[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
}

static void keeper_stop(void)
{
    CHECK(write(keeper_pipe[1], "x", 1) == 1);
    CHECK(waitpid(keeper_pid, NULL, 0) == keeper_pid);
}

static volatile int calls, got_fd, got_code;

static void once(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    calls++;
    got_fd = si->si_fd;
    got_code = si->si_code;
}

static unsigned appflags(int f)
{
    return (unsigned)f & ~(unsigned)SA_RESTORER;
}

int main(void)
{
    const char *data = lst_path("data"), *other = lst_path("other"), *fresh = lst_path("fresh");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);

    struct sigaction sa, q;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = once;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    CHECK(sigaction(sig, &sa, NULL) == 0);

    /* the stale notification */
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    keeper_start();
    CHECK(close(a) == 0);
    CHECK_EQ(open(other, O_RDONLY), a);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    for (int i = 0; i < 60 && !calls; i++)
        usleep(5000);
    if (calls)
        fprintf(stderr, "stale notification reached the handler (si_fd %d)\n", got_fd);
    CHECK_EQ(calls, 0);
    CHECK(sigaction(sig, NULL, &q) == 0);
    CHECK(q.sa_sigaction == once); /* the one shot is not spent */
    CHECK_EQ(appflags(q.sa_flags), SA_SIGINFO | SA_RESETHAND | SA_RESTART);

    /* a valid notification: delivered once, and the shot is spent */
    int b = lst_open(fresh, O_RDONLY);
    lst_lease(b, F_RDLCK);
    CHECK_EQ(lst_break(fresh, 0), EWOULDBLOCK);
    for (int i = 0; i < 400 && !calls; i++)
        usleep(5000);
    CHECK_EQ(calls, 1);
    CHECK_EQ(got_fd, b);
    CHECK_EQ(got_code, POLL_MSG);
    CHECK(sigaction(sig, NULL, &q) == 0);
    CHECK(q.sa_handler == SIG_DFL);
    CHECK_EQ(appflags(q.sa_flags), SA_SIGINFO | SA_RESETHAND | SA_RESTART); /* kept, as the kernel does */
    CHECK_EQ(sigismember(&q.sa_mask, SIGUSR1), 1);
    CHECK(lst_kernel_handler(sig) == (void *)SIG_DFL);
    keeper_stop();
    return 0;
}
