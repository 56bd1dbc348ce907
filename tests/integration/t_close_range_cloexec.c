/* t_close_range_cloexec - close_range(..., CLOSE_RANGE_CLOEXEC) closes
 * nothing: the notify fd (with an alias) and a second leased fd without an
 * alias stay open with FD_CLOEXEC set, both leases stand, and breaks carry
 * the original numbers. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *data2 = lst_path("data2");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    int b = lst_open(data2, O_RDONLY); /* no alias */
    lst_lease(b, F_RDLCK);
    CHECK(d >= 0);

    CHECK_EQ(close_range((unsigned)a, ~0U, CLOSE_RANGE_CLOEXEC), 0);
    CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(d, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(b, F_GETFD), FD_CLOEXEC);
    CHECK(lst_fd_names(a, data));
    CHECK(lst_fd_names(b, data2));
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK(lst_leases_on(data2) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(a), 1);
    CHECK_EQ(lst_fdinfo_leases(b), 1);
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(b, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(a, F_GETSIG), lst_sig());

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK_EQ(lst_break(data2, 0), EWOULDBLOCK);
    CHECK(lst_wait(2, 2000) >= 2);
    CHECK_EQ(lst_fd_at(1), b);
    return 0;
}
