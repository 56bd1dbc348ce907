/* Trampoline, scenario 1 with the usual kind of writer: one that opens the
 * leased file for writing WITHOUT O_NONBLOCK, and so waits (up to
 * lease-break-time, 45 s) for the lease holder to answer, holding write
 * access to the file all that time.  The break notification is queued while
 * the signal is blocked; the notify fd A is closed while an alias D
 * survives; A is reused for another file; the signal is unblocked.
 * Expected, as with a non-blocking writer (t_tramp_queued_rehome): exactly
 * one notification, naming D; answering through D lets the writer in at
 * once.  Without the shim it names A. */
#include "lstest.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
    int d = dup(a);
    CHECK(d >= 0);

    pid_t writer = fork();
    CHECK(writer >= 0);
    if (writer == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(10);
        int fd = open(data, O_WRONLY); /* waits for the lease to go */
        _exit(fd >= 0 ? 0 : 1);
    }
    for (int i = 0; i < 400; i++) {
        CHECK(sigpending(&pend) == 0);
        if (sigismember(&pend, sig))
            break;
        usleep(5000);
    }
    CHECK_EQ(sigismember(&pend, sig), 1); /* the break is announced, the writer waits */
    CHECK_EQ(fcntl(d, F_GETLEASE), F_UNLCK);

    CHECK(close(a) == 0);
    CHECK_EQ(open(other, O_RDONLY), a);
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    lst_wait(1, 2000);
    lst_wait(2, 300);
    if (lst_count() == 0)
        fprintf(stderr, "the break was never handed to the application\n");
    CHECK_EQ(lst_count(), 1);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(d, data));

    double t0 = now();
    CHECK(fcntl(d, F_SETLEASE, F_UNLCK) == 0); /* the application answers */
    int st;
    CHECK_EQ(waitpid(writer, &st, 0), writer);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(now() - t0 < 2.0);
    return 0;
}
