/* t_r5_mask_errno - R5 and SPEC §3's last line: across a tracked close()
 * (R1 re-home) and a tracked dup2() over the notify fd (R1 again), the
 * calling thread's signal mask is exactly what it was, both with the
 * notification signal unblocked and with it blocked by the app, and a
 * successful call leaves errno alone. */
#include "lstest.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

static void mask_now(sigset_t *s)
{
    sigemptyset(s);
    CHECK_EQ(pthread_sigmask(SIG_BLOCK, NULL, s), 0);
}

static int same_mask(const sigset_t *x, const sigset_t *y)
{
    for (int s = 1; s < NSIG; s++)
        if (sigismember(x, s) != sigismember(y, s))
            return 0;
    return 1;
}

static void round_trip(const char *data, const char *other, int block_notify)
{
    sigset_t app, before, after;
    sigemptyset(&app);
    sigaddset(&app, SIGUSR2);
    sigaddset(&app, SIGRTMIN + 5);
    if (block_notify)
        sigaddset(&app, lst_sig());
    CHECK_EQ(pthread_sigmask(SIG_SETMASK, &app, NULL), 0);

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    int o = lst_open(other, O_RDONLY);
    CHECK(d >= 0);

    mask_now(&before);
    errno = 1234;
    CHECK_EQ(close(a), 0); /* R1: the lease moves to d */
    CHECK_EQ(errno, 1234);
    mask_now(&after);
    CHECK(same_mask(&before, &after));

    int d2 = dup(d);
    CHECK(d2 >= 0);
    errno = 1234;
    CHECK_EQ(dup2(o, d), d); /* R1: the lease moves to d2 */
    CHECK_EQ(errno, 1234);
    mask_now(&after);
    CHECK(same_mask(&before, &after));

    /* the calls above really were tracked ones: the break names d2 */
    int seen = lst_count();
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    sigemptyset(&app);
    CHECK_EQ(pthread_sigmask(SIG_SETMASK, &app, NULL), 0);
    CHECK(lst_wait(seen + 1, 2000) > seen);
    CHECK_EQ(lst_fd_at(seen), d2);
    CHECK(lst_fd_names(d2, data));
    CHECK_EQ(fcntl(d2, F_SETLEASE, F_UNLCK), 0);
    close(d);
    close(d2);
    close(o);
}

int main(void)
{
    lst_stdio_guard();
    lst_record(lst_sig());
    round_trip(lst_path("data1"), lst_path("other1"), 0);
    round_trip(lst_path("data2"), lst_path("other2"), 1);
    return 0;
}
