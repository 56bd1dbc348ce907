/* t_close_range_unshare - R1 through close_range(a, x, CLOSE_RANGE_UNSHARE)
 * over the notify fd (and an untracked fd), alias outside the span: the break
 * names the alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int x = open("/dev/null", O_RDONLY);
    int d = dup(a);
    CHECK(x == a + 1 && d == a + 2);

    CHECK_EQ(close_range((unsigned)a, (unsigned)x, CLOSE_RANGE_UNSHARE), 0);
    CHECK_EQ(fcntl(a, F_GETFD), -1);
    CHECK_EQ(fcntl(x, F_GETFD), -1);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
