/* t_foreign_degraded - a registration the shim gave up on (it cannot look
 * for aliases at the descriptor limit, so it leaves the descriptor alone)
 * is the application's: its lease break reaches the handler as the kernel
 * sends it, at the default LEASE_SHIM_STALE (issue #12 item 1), while the
 * same signal carries a lease the shim does track.  Without delivery the
 * break would go unanswered and writers would wait lease-break-time. */
#include "lstest.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
    const char *data, *other;
    int t = lst_leased_data(&data, &other); /* tracked, same signal */
    int a = lst_open(other, O_RDONLY);
    int first_filler = lst_fill_to_limit();
    CHECK(first_filler > a);
    lst_lease(a, F_RDLCK); /* the shim cannot scan: not tracked */
    closefrom(first_filler); /* room for the breaker */

    CHECK_EQ(lst_break(other, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), a);
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(fcntl(a, F_SETLEASE, F_UNLCK), 0);
    CHECK_EQ(lst_leases_on(other), 0);
    CHECK_EQ(fcntl(t, F_SETLEASE, F_UNLCK), 0);
    return 0;
}
