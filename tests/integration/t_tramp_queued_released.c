/* Trampoline, scenario 3: a notification queued while blocked, then the
 * notify fd is closed with no alias in this process (a forked child keeps
 * the open file description, and so the lease, alive) and the number is
 * reused.  The shim releases the lease (R2) and must drop the queued
 * notification: no handler call within 300 ms, no lease left.  Without the
 * shim the handler gets si_fd == A (another file) and the lease stays. */
#include "lstest.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* A forked child holding every descriptor (so every OFD) until told to go. */
static pid_t keeper_pid;
static int keeper_pipe[2];

static void keeper_start(void)
{
    CHECK(pipe(keeper_pipe) == 0);
    keeper_pid = fork();
    CHECK(keeper_pid >= 0);
    if (keeper_pid == 0) {
        /* gone with the parent, even when the parent fails a CHECK */
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

int main(void)
{
    const char *data = lst_path("data"), *other = lst_path("other");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    lst_record(sig);

    sigset_t set, old, pend;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    keeper_start();
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1);

    CHECK(close(a) == 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);

    errno = EXDEV;
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    CHECK_EQ(errno, EXDEV);
    lst_wait(1, 300);
    if (lst_count())
        fprintf(stderr, "handler called with si_fd %d (names %s)\n", lst_fd_at(0),
                lst_fd_names(lst_fd_at(0), other) ? "the other file" : "something");
    CHECK_EQ(lst_count(), 0);
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 0); /* dropped, not left queued */
    CHECK_EQ(lst_leases_on(data), 0);     /* released although the child keeps the file */
    keeper_stop();
    return 0;
}
