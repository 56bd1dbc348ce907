/* Trampoline, scenario 9: a one-argument handler (no SA_SIGINFO) is called
 * with the signal number, exactly once, for a notification that arrives
 * after its registration was re-homed (close of the notify fd with an alias
 * left, number reused), with the interrupted code's errno kept.  Then a
 * notification queued for a registration the shim released (no alias; a
 * forked child keeps the file) must not reach the one-argument handler;
 * without the shim it does. */
#include "lstest.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

static volatile int calls, got_sig, errno_at_entry;

static void plain(int sig)
{
    calls++;
    got_sig = sig;
    errno_at_entry = errno;
}

int main(void)
{
    const char *data = lst_path("data"), *other = lst_path("other"), *gone = lst_path("gone");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    struct sigaction sa = {.sa_handler = plain, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, sig);

    /* 1: after a re-home */
    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    CHECK(d >= 0);
    CHECK(close(a) == 0);
    CHECK_EQ(open(other, O_RDONLY), a);
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    errno = EXDEV;
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    CHECK_EQ(errno, EXDEV);
    for (int i = 0; i < 400 && !calls; i++)
        usleep(5000);
    usleep(200000);
    CHECK_EQ(calls, 1);
    CHECK_EQ(got_sig, sig);
    CHECK_EQ(errno_at_entry, EXDEV);
    CHECK_EQ(fcntl(d, F_GETLEASE), F_UNLCK); /* it was this lease that broke */

    /* 2: queued for a registration that is then released */
    int b = lst_open(gone, O_RDONLY);
    lst_lease(b, F_RDLCK);
    keeper_start();
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
    CHECK_EQ(lst_break(gone, 0), EWOULDBLOCK);
    CHECK(close(b) == 0);
    CHECK_EQ(open(other, O_RDONLY), b);
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    usleep(300000);
    CHECK_EQ(calls, 1);
    keeper_stop();
    return 0;
}
