/* t_r2_release - R2 (default policy release): close() of the only descriptor
 * of a leased file in this process while a forked child keeps the open file
 * description alive.  No alias survives, so the lease must be released: no
 * lease in /proc/locks, and a writer's O_NONBLOCK open goes through.
 * Without the shim the lease outlives the close and the writer is refused. */
#include "lstest.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fork a child that holds copies of every descriptor until *RELEASE is closed. */
int main(void)
{
    lst_stdio_guard();
    const char *data = lst_path("data");
    lst_record(lst_sig());

    int a = lst_open(data, O_RDONLY);
    lst_lease(a, F_RDLCK);
    int release;
    pid_t holder = lst_hold_in_child(&release);
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */

    CHECK_EQ(close(a), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    CHECK_EQ(lst_break(data, 0), 0);

    close(release);
    CHECK_EQ(waitpid(holder, NULL, 0), holder);
    return 0;
}
