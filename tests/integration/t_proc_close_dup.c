/* t_proc_close_dup - objection 1 of the 2017 thread: "what is special about
 * close(2) and not dup2(2)?"  Both must be right.
 *
 *   close: a read lease on a, d = dup(a); close(a); the number a is reused
 *          for another file.
 *   dup2:  a read lease on a, d = dup(a); dup2(o, a) puts another file on a.
 *
 * Either way the number a stops naming the leased file while d keeps its
 * open file description: the break must carry si_fd == d, naming the leased
 * file.  Without the shim it carries a, which now names the other file. */
#include "lstest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    int use_dup2 = strcmp(argv[1], "dup2") == 0;
    CHECK(use_dup2 || strcmp(argv[1], "close") == 0);
    const char *data, *other;
    int a = lst_leased_data(&data, &other);
    int d = dup(a);
    CHECK(d >= 0);
    CHECK(lst_same_ofd(a, d));

    if (use_dup2) {
        int o = open(other, O_RDONLY);
        CHECK(o >= 0);
        errno = 0;
        CHECK_EQ(dup2(o, a), a);
        CHECK_EQ(errno, 0);
        CHECK_EQ(close(o), 0);
    } else {
        CHECK_EQ(close(a), 0);
        CHECK_EQ(open(other, O_RDONLY), a); /* the number is reused */
    }
    CHECK(lst_fd_names(a, other));
    CHECK(lst_fd_names(d, data));
    CHECK_EQ(lst_fdinfo_leases(d), 1);
    CHECK_EQ(lst_fdinfo_leases(a), 0);

    CHECK_EQ(lst_break(data, 0), EWOULDBLOCK);
    CHECK(lst_wait(1, 2000) >= 1);
    CHECK_EQ(lst_fd_at(0), d);
    CHECK(lst_fd_names(lst_fd_at(0), data));
    CHECK_EQ(lst_code_at(0), POLL_MSG);
    CHECK_EQ(lst_count(), 1);

    CHECK_EQ(fcntl(d, F_SETLEASE, F_UNLCK), 0); /* answer the break */
    CHECK_EQ(lst_fdinfo_leases(d), 0);
    CHECK_EQ(lst_leases_on(data), 0);
    return 0;
}
