/* t_dup2_over_notify - R1 through dup2(other, notify): the notify number now
 * names another file while a dup() alias keeps the leased file; the break
 * names the alias. */
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

    errno = 0;
    CHECK_EQ(dup2(o, a), a);
    CHECK_EQ(errno, 0);
    CHECK(lst_fd_names(a, other));
    CHECK(lst_same_ofd(a, o));
    CHECK_EQ(fcntl(a, F_GETFD), 0); /* dup2 never sets close-on-exec */
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_fdinfo_leases(a), 0);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
