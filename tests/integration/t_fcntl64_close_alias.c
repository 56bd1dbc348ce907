/* t_fcntl64_close_alias - t_close_alias_rdlease in a program built with
 * _FILE_OFFSET_BITS=64, whose fcntl() calls are glibc's fcntl64: the lease
 * is registered through fcntl64, aliases come from dup() and F_DUPFD through
 * fcntl64; after both the notify fd and the dup() are closed and their
 * numbers reused, the break names the F_DUPFD alias. */
#include "lstest.h"

#include <errno.h>
#include <unistd.h>

#if !defined(__USE_FILE_OFFSET64)
#error "build this test with _FILE_OFFSET_BITS=64"
#endif

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data"), *other = lst_path("other");
    close(lst_open(other, O_RDONLY));
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    /* not lst_lease(): lstest is built without _FILE_OFFSET_BITS=64 */
    CHECK_EQ(fcntl(a, F_SETSIG, lst_sig()), 0);
    CHECK_EQ(fcntl(a, F_SETLEASE, F_RDLCK), 0);
    int d = dup(a);
    int e = fcntl(a, F_DUPFD, 0);
    CHECK(d >= 0 && e > d);

    CHECK_EQ(close(a), 0);
    CHECK_EQ(close(d), 0);
    CHECK_EQ(open(other, O_RDONLY), a);
    CHECK_EQ(open(other, O_RDONLY), d);
    CHECK_EQ(fcntl(e, F_GETLEASE), F_RDLCK);
    CHECK_EQ(lst_fdinfo_leases(e), 1);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), e);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    return 0;
}
