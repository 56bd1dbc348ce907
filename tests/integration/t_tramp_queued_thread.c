/* Trampoline, scenario 1 on a thread other than the main one: ordinary
 * (process-directed) lease-break notifications for two leases, A and B,
 * are queued while every thread blocks the signal; a second thread closes
 * the notify fd A (alias D left) and reuses the number; then the main
 * thread unblocks.  The handler must get exactly two notifications: A's
 * renamed D, and B's unchanged, as when the main thread closes
 * (t_tramp_queued_rehome).  Without the shim A's names the reused number. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

static int a, d;
static const char *other;

static void *closer(void *arg)
{
    (void)arg; /* the signal is blocked here too (inherited mask) */
    CHECK(close(a) == 0);
    CHECK_EQ(open(other, O_RDONLY), a);
    return NULL;
}

int main(void)
{
    const char *data = lst_path("data"), *bdata = lst_path("bdata");
    other = lst_path("other");
    int sig = lst_sig();
    CHECK(close(lst_open(other, O_RDONLY)) == 0);
    lst_record(sig);
    sigset_t set, old, pend;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);

    a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    d = dup(a);
    CHECK(d >= 0);
    int b = lst_open(bdata, O_RDONLY);
    lst_lease(b, F_RDLCK);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK_EQ(lst_break(bdata, 0), EWOULDBLOCK);
    CHECK(sigpending(&pend) == 0);
    CHECK_EQ(sigismember(&pend, sig), 1);

    pthread_t t;
    CHECK(pthread_create(&t, NULL, closer, NULL) == 0);
    CHECK(pthread_join(t, NULL) == 0);

    CHECK(sigpending(&pend) == 0);
    if (!sigismember(&pend, sig))
        fprintf(stderr, "the notification is no longer pending after the close on the other thread\n");
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    lst_wait(2, 2000);
    lst_wait(3, 300);
    for (int i = 0; i < lst_count(); i++)
        fprintf(stderr, "notification %d: si_fd %d (a=%d d=%d b=%d)\n", i, lst_fd_at(i), a, d, b);
    CHECK_EQ(lst_count(), 2);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(lst_code_at(1), POLL_MSG);
    CHECK_EQ(lst_fd_at(0), d); /* queued first, renamed */
    CHECK(lst_fd_names(d, data));
    CHECK_EQ(lst_fd_at(1), b); /* untouched */
    return 0;
}
