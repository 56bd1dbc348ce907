/* Trampoline, scenario 1 (SPEC §4, "goal beyond the kernel"): a lease-break
 * notification is queued while its signal is blocked; the notify fd A is
 * closed while an alias D survives, and a new file takes the number A.
 * When the signal is unblocked the handler must get exactly one
 * notification, naming D, which names the leased file; answering through
 * it releases the lease.  Without the shim si_fd == A, which names the
 * other file. */
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
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK); /* the lease stood: a break started */
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1); /* the notification is queued */

    CHECK(close(a) == 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a); /* the number is reused for another file */
    CHECK(lst_fd_names(a, other));

    errno = EXDEV;
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0); /* delivered on the way out */
    CHECK_EQ(errno, EXDEV);                          /* the interrupted code's errno kept */
    CHECK(lst_wait(1, 2000) >= 1);
    lst_wait(2, 300); /* nothing else may follow */
    CHECK_EQ(lst_count(), 1);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(d, data));

    /* si_fd is usable: the lease is being broken, and answering through it
     * releases it */
    CHECK_EQ(fcntl(d, F_GETLEASE), F_UNLCK);
    CHECK_EQ(lst_leases_on(data), 1);
    CHECK(fcntl(d, F_SETLEASE, F_UNLCK) == 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
