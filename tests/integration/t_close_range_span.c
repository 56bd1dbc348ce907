/* t_close_range_span - R1 through close_range(a, y, 0) over a span holding the
 * notify fd and untracked fds but not the alias: everything in the span is
 * closed, the break names the alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int x = open("/dev/null", O_RDONLY);
    int y = open("/dev/null", O_RDONLY);
    int d = dup(a);
    CHECK(x == a + 1 && y == a + 2 && d == a + 3);

    CHECK_EQ(close_range((unsigned)a, (unsigned)y, 0), 0);
    CHECK_EQ(fcntl(a, F_GETFD), -1);
    CHECK_EQ(fcntl(x, F_GETFD), -1);
    CHECK_EQ(fcntl(y, F_GETFD), -1);
    CHECK(fcntl(d, F_GETFD) >= 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);
    CHECK_EQ(lst_fdinfo_leases(d), 1);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
