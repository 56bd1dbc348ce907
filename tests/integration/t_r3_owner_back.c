/* t_r3_owner_back - R3 then R1/R2: while another process owns a read
 * lease's open file description (F_SETOWN), its notify fd is closed and the
 * number reused; then the process takes the ownership back through the
 * surviving alias.  The shim left the kernel alone while it did not own the
 * lease, but its table must still act through the alias.  argv[1]:
 *   break  the number reused for another file: a lease break must carry the
 *          alias in si_fd (without the shim: the reused number);
 *   close  the number reused for the same file (another open file
 *          description, which only kcmp tells apart); close_range over it
 *          and the alias, while a forked child keeps the open file
 *          description: the lease must be released (R2; without the shim it
 *          outlives the close). */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 2 && (!strcmp(argv[1], "break") || !strcmp(argv[1], "close")));
    int breaking = !strcmp(argv[1], "break");
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d == a + 1);
    int release;
    pid_t holder = lst_hold_in_child(&release); /* another process to own it */
    CHECK_EQ(fcntl(a, F_SETOWN, holder), 0);

    CHECK_EQ(close(a), 0);
    CHECK_EQ(open(breaking ? other : data, O_RDONLY), a);
    CHECK_EQ(fcntl(d, F_SETOWN, getpid()), 0);
    CHECK(lst_leases_on(data) >= 1); /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(d), 1);

    if (breaking) {
        CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
        CHECK(lst_wait(1, 2000) >= 1);
        CHECK_EQ(lst_fd_at(0), d);
        CHECK(lst_fd_names(lst_fd_at(0), data));
        CHECK_EQ(lst_code_at(0), POLL_MSG);
        CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0); /* answer the break */
    } else {
        CHECK_EQ(close_range((unsigned)a, (unsigned)d, 0), 0);
        CHECK_EQ(lst_break(data, 0), 0); /* nothing stands in a writer's way */
    }
    CHECK_EQ(lst_leases_on(data), 0);
    close(release);
    CHECK_EQ(waitpid(holder, NULL, 0), holder);
    return 0;
}
