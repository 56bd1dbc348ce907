/* t_close_alias_rdlease - R1: close() of the notify fd of a read lease while
 * a dup() alias survives.  After the number is reused for another file, a
 * lease break must carry the alias in si_fd (without the shim it carries the
 * reused number, which names the other file). */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);
    CHECK(lst_same_ofd(a, d));

    CHECK_EQ(close(a), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a); /* the number is reused */
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_fdinfo_leases(o), 0);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(lst_code_at(0), POLL_MSG);

    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0); /* answer the break */
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
