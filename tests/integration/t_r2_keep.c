/* t_r2_keep - R2 with LEASE_SHIM_CLOSE=keep: close() of the only descriptor
 * of a leased file, the open file description kept alive by a forked child:
 * the lease stays (as the kernel alone would leave it). */
#include "lstest.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int release;
    pid_t holder = lst_hold_in_child(&release);

    CHECK_EQ(close(a), 0);
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);

    close(release); /* the last reference goes with the child, and the lease */
    CHECK_EQ(waitpid(holder, NULL, 0), holder);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
