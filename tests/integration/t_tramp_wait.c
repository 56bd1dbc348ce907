/* Trampoline, scenario 11: sigtimedwait, sigwaitinfo and sigwait apply the
 * same check as the handler.  LEASE_SHIM_CLOSE=keep makes stale
 * notifications: the lease outlives its notify fd (a forked child keeps
 * the file), the number is reused, the kernel's notification names it.
 * - only a stale notification pending: sigtimedwait(300 ms) swallows it and
 *   returns -1/EAGAIN after the caller's timeout, nothing left pending;
 * - a valid one pending: returned with the right si_fd;
 * - stale then valid pending: sigwaitinfo and sigwait skip the stale one
 *   and return the valid one.
 * Without the shim the stale notification is returned. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pending(int sig)
{
    sigset_t p;
    CHECK(sigpending(&p) == 0);
    return sigismember(&p, sig);
}

int main(void)
{
    const char *other = lst_path("other");
    const char *stale[3] = {lst_path("stale0"), lst_path("stale1"), lst_path("stale2")};
    const char *valid[3] = {lst_path("valid0"), lst_path("valid1"), lst_path("valid2")};
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    lst_record(sig); /* a handler exists, but the signal stays blocked */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);

    /* three leases whose notify fds go away while the child keeps the files */
    int sfd[3], reused[3];
    for (int i = 0; i < 3; i++) {
        sfd[i] = lst_open(stale[i], O_RDONLY);
        lst_lease(sfd[i], F_RDLCK);
    }
    keeper_start();
    for (int i = 0; i < 3; i++) {
        CHECK(close(sfd[i]) == 0);
        reused[i] = open(other, O_RDONLY);
        CHECK_EQ(reused[i], sfd[i]);
    }

    /* only a stale notification pending */
    siginfo_t si;
    CHECK_EQ(lst_break(stale[0], 0), EWOULDBLOCK);
    CHECK_EQ(pending(sig), 1);
    struct timespec t300 = {0, 300 * 1000 * 1000};
    double t0 = now();
    errno = 0;
    int r = sigtimedwait(&set, &si, &t300);
    double took = now() - t0;
    if (r >= 0)
        fprintf(stderr, "sigtimedwait returned %d with si_fd %d\n", r, si.si_fd);
    CHECK_EQ(r, -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK(took >= 0.29 && took < 1.5);
    CHECK_EQ(pending(sig), 0);

    /* a valid one */
    int v0 = lst_open(valid[0], O_RDONLY);
    lst_lease(v0, F_RDLCK);
    CHECK_EQ(lst_break(valid[0], 0), EWOULDBLOCK);
    struct timespec t2 = {2, 0};
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigtimedwait(&set, &si, &t2), sig);
    CHECK_EQ(si.si_code, POLL_MSG);
    CHECK_EQ(si.si_fd, v0);
    CHECK_EQ(pending(sig), 0);

    /* stale, then valid: sigwaitinfo hands out the valid one */
    int v1 = lst_open(valid[1], O_RDONLY);
    lst_lease(v1, F_RDLCK);
    CHECK_EQ(lst_break(stale[1], 0), EWOULDBLOCK);
    CHECK_EQ(lst_break(valid[1], 0), EWOULDBLOCK);
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigwaitinfo(&set, &si), sig); /* cannot block: a valid one is pending */
    CHECK_EQ(si.si_code, POLL_MSG);
    CHECK_EQ(si.si_fd, v1);
    CHECK_EQ(pending(sig), 0);

    /* stale, then valid: sigwait */
    int v2 = lst_open(valid[2], O_RDONLY);
    lst_lease(v2, F_RDLCK);
    CHECK_EQ(lst_break(stale[2], 0), EWOULDBLOCK);
    CHECK_EQ(lst_break(valid[2], 0), EWOULDBLOCK);
    int got = 0;
    CHECK_EQ(sigwait(&set, &got), 0);
    CHECK_EQ(got, sig);
    CHECK_EQ(pending(sig), 0); /* the stale one was swallowed, not left behind */

    CHECK_EQ(lst_count(), 0); /* the handler never ran */
    keeper_stop();
    return 0;
}
