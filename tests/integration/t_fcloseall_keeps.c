/* t_fcloseall_keeps - glibc 2.36's fcloseall() flushes streams but closes no
 * descriptor: a stream's notify fd, its alias and the lease are intact
 * afterwards and a break still carries the original number. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int d = dup(a);
    CHECK(d >= 0);
    FILE *f = fdopen(a, "r");
    CHECK(f != NULL);

    CHECK_EQ(fcloseall(), 0);
    CHECK(fcntl(a, F_GETFD) >= 0);
    CHECK(fcntl(d, F_GETFD) >= 0);
    CHECK(lst_fd_names(a, data));
    CHECK(lst_same_ofd(a, d));
    CHECK_EQ(fcntl(a, F_GETLEASE), F_RDLCK);
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(a), 1);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
