/* Trampoline, scenario 2: as t_tramp_queued_rehome, but after close(A) the
 * number A gets a NEW lease on another file, with the same signal.  The
 * notification queued for the old break must reach the handler as D (the
 * surviving alias of the broken file), never as A: A now names the new
 * file, whose lease is not being broken.  Without the shim the queued
 * notification says si_fd == A. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

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
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1);

    CHECK(close(a) == 0);
    int n = open(other, O_RDONLY);
    CHECK_EQ(n, a);
    lst_lease(n, F_RDLCK); /* a new registration under the old number */
    CHECK_EQ(fcntl(n, F_GETLEASE), F_RDLCK);

    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    CHECK(lst_wait(1, 2000) >= 1);
    lst_wait(2, 300);
    for (int i = 0; i < lst_count(); i++)
        if (lst_fd_at(i) == a)
            fprintf(stderr, "notification %d names fd %d, the new file\n", i, a);
    CHECK_EQ(lst_count(), 1);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(d, data));

    /* the new file's lease was never broken, the old one is being broken */
    CHECK_EQ(fcntl(n, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_leases_on(other), 1);
    CHECK_EQ(fcntl(d, F_GETLEASE), F_UNLCK);
    CHECK(fcntl(d, F_SETLEASE, F_UNLCK) == 0);
    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(fcntl(n, F_GETLEASE), F_RDLCK);
    return 0;
}
