/* t_dupfd_cloexec_alias - R1 with an F_DUPFD_CLOEXEC alias as the survivor:
 * after close() of the notify fd (number reused) the break names the alias,
 * which keeps its FD_CLOEXEC. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = fcntl(a, F_DUPFD_CLOEXEC, 20);
    CHECK(d >= 20);
    CHECK_EQ(fcntl(d, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(a, F_GETFD), 0);

    CHECK_EQ(close(a), 0);
    int o = open(other, O_RDONLY);
    CHECK_EQ(o, a);
    CHECK_EQ(fcntl(d, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(d, F_GETLEASE), F_RDLCK);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
