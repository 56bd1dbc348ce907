/* t_close_range_one - R1 through close_range(n, n, 0) on the notify fd with a
 * dup() alias alive: the break names the alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);

    CHECK_EQ(close_range((unsigned)a, (unsigned)a, 0), 0);
    CHECK_EQ(fcntl(a, F_GETFD), -1);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
