/* t_fault_at_limit - a real EMFILE, no injection: the application has
 * every descriptor its RLIMIT_NOFILE allows open when it takes a lease, so
 * the shim cannot open /proc/self/fd to look for aliases made before the
 * lease.  The shim must then leave that descriptor alone (pass-through):
 * the application's own F_DUPFD_CLOEXEC fails with EMFILE exactly as
 * libc's, and closing the leased descriptor keeps the lease (an alias
 * made before it, unknown to the shim, still holds the open file
 * description) instead of releasing it as if no alias were left (R2).
 * Without the shim the same holds: this test can only catch harm. */
#include "lstest.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());
    int a = lst_open(data, O_RDONLY);
    int d = dup(a); /* before the lease: only a scan of /proc/self/fd finds it */
    CHECK(d >= 0);

    int first_filler = lst_fill_to_limit(); /* every number below a low limit */
    CHECK(first_filler > d);

    lst_lease(a, F_RDLCK);
    errno = 0;
    CHECK_EQ(fcntl(a, F_DUPFD_CLOEXEC, 0), -1);
    CHECK_EQ(errno, EMFILE);
    closefrom(first_filler); /* room for the breaker's pipe */

    CHECK_EQ(close(a), 0);
    CHECK(lst_leases_on(data) >= 1); /* d keeps it: nothing was released */
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a); /* what the kernel says, delivered as is */
    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
