/* t_close_alias_wrlease - R1 for a write lease: close() of the notify fd
 * while a dup() alias survives; a reader's open breaks the lease and the
 * notification names the alias, not the reused number. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    close(lst_open(data, O_RDONLY));
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());

    int a = open(data, O_RDWR); /* the only open of data */
    CHECK(a >= 0);
    lst_lease(a, F_WRLCK);
    CHECK_EQ(fcntl(a, F_GETLEASE), F_WRLCK);
    int d = dup(a);
    CHECK(d >= 0);

    CHECK_EQ(close(a), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);
    CHECK_EQ(fcntl(d, F_GETLEASE), F_WRLCK); /* still a write lease */
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_fdinfo_leases(o), 0);

    CHECK_EQ(lst_break(data, 1), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(lst_code_at(0), POLL_MSG);

    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
