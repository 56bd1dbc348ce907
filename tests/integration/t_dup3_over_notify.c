/* t_dup3_over_notify - R1 through dup3(other, notify, O_CLOEXEC): the break
 * names the surviving alias; dup3's own result (number, FD_CLOEXEC) is as
 * libc's. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    int o = lst_open(other, O_RDONLY);
    CHECK(d >= 0);

    CHECK_EQ(dup3(o, a, O_CLOEXEC), a);
    CHECK(lst_fd_names(a, other));
    CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(o, F_GETFD), 0);
    CHECK_EQ(lst_fdinfo_leases(d), 1);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
