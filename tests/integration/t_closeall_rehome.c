/* t_closeall_rehome - after the application closed everything (argv:
 * METHOD VARIANT, see closeall_common.h) the shim still keeps
 * notifications true.  The new descriptors reuse the numbers the old
 * registrations had, so a table entry the shim failed to forget would be
 * in the way.  Then, as in t_close_alias_rdlease and t_async_pipe: a new
 * read lease and a new O_ASYNC registration, each dup()ed, the original
 * closed and its number reused for another file; the lease break (from a
 * second process) and the pipe's POLL_IN must name the surviving dup.
 * Without the shim they name the reused numbers, i.e. the other file. */
#include "closeall_common.h"

#include <errno.h>
#include <unistd.h>

static int scenario(enum ca_method m, const char *dir)
{
    const char *data = ca_file(dir, "data"), *data2 = ca_file(dir, "data2"),
               *other = ca_file(dir, "other");
    lst_record(lst_sig());

    /* registrations that closing everything takes away */
    int a, p[2];
    ca_register_two(data, &a, p);

    ca_close_everything(m);
    ca_check("after closing everything");
    CHECK_EQ(lst_leases_on(data), 0); /* nothing holds that file any more */
    /* A close loop or dup2 loop closes the pipe's write end while O_ASYNC
     * lives on the read end's alias: the kernel's POLL_HUP names that alias,
     * rightly.  Count from here. */
    int n0 = lst_count();

    /* a new lease on the number the old one had */
    int b = ca_open(data2, O_RDONLY);
    CHECK_EQ(b, a);
    lst_lease(b, F_RDLCK);
    ca_track(b); /* a lease sets FASYNC in the status flags */
    int e = ca_dup(b);
    ca_close(b);
    CHECK_EQ(ca_open(other, O_RDONLY), b); /* the number is reused */
    CHECK(lst_leases_on(data2) >= 1);      /* >= : see rules.cmake on /proc/locks */
    CHECK_EQ(lst_fdinfo_leases(e), 1);
    CHECK_EQ(lst_fdinfo_leases(b), 0);

    CHECK_EQ(lst_break(data2, 0), EWOULDBLOCK);
    CHECK(lst_wait(n0 + 1, 2000) >= n0 + 1);
    CHECK_EQ(lst_fd_at(n0), e);
    CHECK(lst_fd_names(lst_fd_at(n0), data2));
    CHECK_EQ(lst_code_at(n0), POLL_MSG);
    CHECK_EQ(fcntl(e, F_SETLEASE, F_UNLCK), 0); /* answer the break */
    ca_track(e);
    CHECK_EQ(lst_leases_on(data2), 0);

    /* a new O_ASYNC registration, the same way */
    int r[2];
    ca_pipe(r, O_NONBLOCK);
    ca_async_on(r[0]);
    int f = ca_dup(r[0]);
    ca_close(r[0]);
    CHECK_EQ(ca_open(other, O_RDONLY), r[0]);
    CHECK_EQ(write(r[1], "x", 1), 1);
    CHECK(lst_wait(n0 + 2, 2000) >= n0 + 2);
    CHECK_EQ(lst_fd_at(n0 + 1), f);
    CHECK_EQ(lst_code_at(n0 + 1), POLL_IN);
    CHECK_EQ(lst_count(), n0 + 2);
    ca_check("at the end");
    return 0;
}

int main(int argc, char **argv)
{
    return ca_main(argc, argv, scenario, NULL);
}
