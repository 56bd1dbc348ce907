/* t_closefrom_alias_below - R1 through closefrom(n): the notify fd is at or
 * above n, its alias below n survives, the break names the alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());

    int hole = open("/dev/null", O_RDONLY);
    int a = lst_open(data, O_RDONLY);
    int x = open("/dev/null", O_RDONLY);
    lst_lease(a, F_RDLCK);
    CHECK_EQ(close(hole), 0);
    int d = dup(a); /* takes the hole, below a */
    CHECK_EQ(d, hole);
    CHECK(d < a && x > a);

    closefrom(a);
    CHECK_EQ(fcntl(a, F_GETFD), -1);
    CHECK_EQ(fcntl(x, F_GETFD), -1);
    CHECK(fcntl(d, F_GETFD) >= 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
