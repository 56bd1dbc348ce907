/* t_r4_failed_dup - R4: dup2/dup3/close_range calls aimed at the notify fd
 * that fail return what libc returns with the same errno, and change
 * nothing: the notify fd still names the leased file, the lease stands, and
 * a later break carries the original number (an alias exists, so a shim
 * acting before the failure would have moved it). */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

static void intact(int a, int d, const char *data)
{
    CHECK(lst_fd_names(a, data));
    CHECK(lst_same_ofd(a, d));
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(a, F_GETSIG), lst_sig());
    CHECK_EQ(fcntl(a, F_GETOWN), getpid());
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(a), 1);
}

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    int x = lst_open(other, O_RDONLY);
    int closed = open("/dev/null", O_RDONLY);
    CHECK(d >= 0 && closed >= 0);
    CHECK_EQ(close(closed), 0);

    errno = 0;
    CHECK_EQ(dup2(-1, a), -1);
    CHECK_EQ(errno, EBADF);
    intact(a, d, data);

    errno = 0;
    CHECK_EQ(dup2(closed, a), -1);
    CHECK_EQ(errno, EBADF);
    intact(a, d, data);

    errno = 0;
    CHECK_EQ(dup3(x, a, 12345), -1);
    CHECK_EQ(errno, EINVAL);
    intact(a, d, data);

    errno = 0;
    CHECK_EQ(dup3(a, a, 0), -1);
    CHECK_EQ(errno, EINVAL);
    intact(a, d, data);

    errno = 0;
    CHECK_EQ(dup3(closed, a, O_CLOEXEC), -1);
    CHECK_EQ(errno, EBADF);
    intact(a, d, data);
    CHECK_EQ(fcntl(a, F_GETFD), 0);

    errno = 0;
    CHECK_EQ(close_range((unsigned)a, (unsigned)a, 0x80), -1);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(close_range((unsigned)a + 1, (unsigned)a, 0), -1);
    CHECK_EQ(errno, EINVAL);
    intact(a, d, data);

    CHECK_EQ(lst_count(), 0);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
